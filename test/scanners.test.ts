// Walks fixtures/scanners/<scanner>/: every file (or folder, for cross-file cases) named <case> is scanned with
// every scanner, and what is found is compared with the snapshot <case>.findings.json beside it.
// A new case is one input and `npx vitest run test/scanners.test.ts -u`; CI fails on a missing snapshot.
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { scanTree } from "../src/core/scan.js";
import type { Finding, InventoryItem } from "../src/core/types.js";
import { SCANNERS } from "../src/scanners/index.js";

const SITE_KINDS = new Set([
  "py-client",
  "py-client-indirect",
  "py-call",
  "py-call-dynamic",
  "py-paginator",
  "py-waiter-custom",
  "js-v2-client",
  "js-v2-call",
  "js-v3-client",
  "js-v3-command",
]);

const ROOT = path.join(import.meta.dirname, "../fixtures/scanners");

function summarize(finding: Finding) {
  const {
    message: _message,
    detail: _detail,
    fix: _fix,
    transforms: _transforms,
    language: _language,
    ...rest
  } = finding;
  return rest;
}

function summarizeItem(item: InventoryItem) {
  return item;
}

const scannerDirs = readdirSync(ROOT).filter((name) => statSync(path.join(ROOT, name)).isDirectory());

describe.each(scannerDirs)("scanner fixtures: %s", (scannerDir) => {
  const dir = path.join(ROOT, scannerDir);
  const cases = readdirSync(dir).filter((name) => !name.endsWith(".findings.json") && !name.startsWith("."));
  it.each(cases)("%s", async (name) => {
    const casePath = path.join(dir, name);
    const isFolder = statSync(casePath).isDirectory();
    const scan = await scanTree({
      root: isFolder ? casePath : dir,
      ...(isFolder ? {} : { paths: [casePath] }),
      scanners: SCANNERS,
    });
    const snapshot = {
      findings: scan.findings.map(summarize),
      inventory: Object.fromEntries(
        Object.entries(scan.inventory)
          .filter(([, items]) => items.length > 0)
          .map(([k, items]) => [k, (items as InventoryItem[]).map(summarizeItem)]),
      ),
      skipped: scan.coverage.skipped,
    };
    await expect(`${JSON.stringify(snapshot, null, 2)}\n`).toMatchFileSnapshot(`${casePath}.findings.json`);
    // Every client and call site says where its client was made, so report and apply share one answer.
    for (const finding of scan.findings.filter((f) => SITE_KINDS.has(f.kind))) {
      expect(finding.origin, `${finding.path}:${finding.line} ${finding.kind}`).toMatchObject({
        path: expect.any(String),
        line: expect.any(Number),
        via: expect.any(String),
        steps: expect.any(Array),
      });
      if (finding.origin?.reason) expect(finding.dynamic || finding.kind === "js-v3-command").toBe(true);
    }
  });
});
