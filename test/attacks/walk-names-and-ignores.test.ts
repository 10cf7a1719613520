// The walk on hostile trees: ignore patterns built to backtrack, and names that are not valid UTF-8.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { discoverFiles } from "../../src/core/discover.js";
import { scanTree } from "../../src/core/scan.js";
import { SCANNERS } from "../../src/scanners/index.js";
import type { Report } from "../../src/report/model.js";

const BIN = path.join(import.meta.dirname, "../../bin/migrate.cjs");
const BATCH_PY = 'import boto3\nboto3.client("batch").submit_job(jobName="j", jobQueue="q", jobDefinition="d")\n';
const STAR_PATTERN = "a/**/".repeat(7);

/** 80 nested folders named `name`, with a Batch file at every tenth level. */
function nested(root: string, name: string, ignoreAtEveryLevel: boolean): void {
  let dir = root;
  for (let level = 1; level <= 80; level++) {
    dir = path.join(dir, name);
    mkdirSync(dir);
    if (ignoreAtEveryLevel) writeFileSync(path.join(dir, ".gitignore"), `${STAR_PATTERN}\n`);
    if (level % 10 === 0) writeFileSync(path.join(dir, `level${level}.py`), BATCH_PY);
  }
}

describe("walk: ignore patterns with many ** segments", () => {
  for (const [label, name, everyLevel] of [
    ["one root .gitignore, folders that match", "a", false],
    ["one root .gitignore, folders that never match", "b", false],
    ["a .gitignore in every folder", "a", true],
    ["a .gitignore in every folder, folders that never match", "ab", true],
  ] as const) {
    it(`${label}: 80 levels in under 2 s, with the ignored folders pruned`, async () => {
      const root = mkdtempSync(path.join(tmpdir(), "migrate-walk-ignore-"));
      writeFileSync(path.join(root, ".gitignore"), `${STAR_PATTERN}\n`);
      nested(root, name, everyLevel);
      const started = performance.now();
      const scan = await scanTree({ root, scanners: SCANNERS });
      expect(performance.now() - started).toBeLessThan(2000);
      const reported = [...new Set(scan.findings.map((finding) => finding.path.split("/").length - 1))].sort(
        (a, b) => a - b,
      );
      // `a/**/` × 7 ignores every folder at depth 8 or more under a (sub)tree of `a` folders; others are scanned.
      expect(reported).toEqual(name === "a" ? [] : [10, 20, 30, 40, 50, 60, 70, 80]);
    });
  }

  it("an ignore file of long star patterns against long names stays under 2 s", async () => {
    const root = mkdtempSync(path.join(tmpdir(), "migrate-walk-stars-"));
    const stars = `${"*a".repeat(15)}*b\n${"a/**/".repeat(7)}x\n`;
    writeFileSync(path.join(root, ".gitignore"), stars);
    let dir = root;
    for (let level = 0; level < 30; level++) {
      dir = path.join(dir, "a".repeat(60));
      mkdirSync(dir);
    }
    writeFileSync(path.join(dir, `${"a".repeat(100)}.py`), BATCH_PY);
    const started = performance.now();
    const walk = await discoverFiles({ root, accepts: (p) => p.endsWith(".py") });
    for (const file of walk.files) walk.isIgnoredFile(file);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(walk.files).toHaveLength(1);
  });
});

describe("walk: names that are not valid UTF-8", () => {
  function treeWithRawNames(): string {
    const root = mkdtempSync(path.join(tmpdir(), "migrate-walk-raw-"));
    const rootBytes = Buffer.from(root);
    const join = (...parts: Array<string | number[]>) =>
      Buffer.concat([
        rootBytes,
        ...parts.flatMap((part) => [
          Buffer.from("/"),
          typeof part === "string" ? Buffer.from(part) : Buffer.from(part),
        ]),
      ]);
    // jobs\xff.py, and x.py inside the folder d\xfe\xfd; café.py is valid UTF-8 and stays as written.
    writeFileSync(join([0x6a, 0x6f, 0x62, 0x73, 0xff, 0x2e, 0x70, 0x79]), BATCH_PY);
    mkdirSync(join([0x64, 0xfe, 0xfd]));
    writeFileSync(join([0x64, 0xfe, 0xfd], "x.py"), BATCH_PY);
    writeFileSync(join("café.py"), BATCH_PY);
    return root;
  }

  it("scans them and reports them with the invalid bytes escaped", async () => {
    const root = treeWithRawNames();
    const scan = await scanTree({ root, scanners: SCANNERS });
    expect(scan.coverage.skipped).toEqual([]);
    expect([...new Set(scan.findings.map((finding) => finding.path))].sort()).toEqual([
      "caf\u00e9.py",
      "d\\xfe\\xfd/x.py",
      "jobs\\xff.py",
    ]);
  });

  it("gives the same report through the CLI, with and without helper threads", () => {
    const root = treeWithRawNames();
    const reports = ["0", "1"].map((threads) => {
      const run = spawnSync(process.execPath, [BIN, "scan", root, "--format", "json"], {
        encoding: "utf8",
        env: { ...process.env, MIGRATE_SCAN_THREADS: threads, SOURCE_DATE_EPOCH: "0" },
      });
      expect(run.status).toBe(0);
      return JSON.parse(run.stdout) as Report;
    });
    expect(reports[0]!.findings.map((finding) => finding.path)).toContain("jobs\\xff.py");
    expect(reports[1]).toEqual(reports[0]);
  });
});
