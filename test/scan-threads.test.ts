import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MIN_FILES_FOR_THREADS } from "../src/core/read-pool.js";
import type { Report } from "../src/report/model.js";

const BIN = path.join(import.meta.dirname, "../bin/migrate.cjs");
const BUNDLE = path.join(import.meta.dirname, "../dist/read-worker.cjs");

/** A tree big enough for reader threads: mostly noise, with Batch uses, skips and ignores spread through it. */
function largeTree(): string {
  const root = mkdtempSync(path.join(tmpdir(), "migrate-threads-"));
  writeFileSync(path.join(root, ".gitignore"), "*_gen.py\n");
  for (let i = 0; i < MIN_FILES_FOR_THREADS + 500; i++) {
    const dir = path.join(root, `pkg${i % 37}`);
    mkdirSync(dir, { recursive: true });
    const name = `mod${i}`;
    if (i % 101 === 0)
      writeFileSync(path.join(dir, `${name}.py`), `import boto3\nboto3.client("batch").submit_job(jobName="j${i}")\n`);
    else if (i % 103 === 0) writeFileSync(path.join(dir, `${name}_gen.py`), `import boto3\nboto3.client("batch")\n`);
    else if (i % 107 === 0)
      writeFileSync(
        path.join(dir, `${name}.py`),
        Buffer.concat([Buffer.from('import boto3\nboto3.client("batch")  # '), Buffer.from([0xff, 0xfe, 0x0a])]),
      );
    else if (i % 109 === 0)
      writeFileSync(
        path.join(dir, `${name}.json`),
        `{"jobDefinitionName": "d${i}", "type": "container", "containerProperties": {"image": "x"}}`,
      );
    else writeFileSync(path.join(dir, `${name}.py`), `def f${i}():\n    return ${i}\n`);
  }
  return root;
}

function scan(root: string, threads: string): Report {
  const result = spawnSync(process.execPath, [BIN, "scan", root, "--format", "json"], {
    encoding: "utf8",
    env: { ...process.env, CI: "1", SOURCE_DATE_EPOCH: "1700000000", MIGRATE_READ_THREADS: threads },
  });
  // 3: the tree holds files that are not UTF-8, on purpose
  expect(result.status, result.stderr).toBe(3);
  return JSON.parse(result.stdout) as Report;
}

describe("reader threads (built CLI)", () => {
  it("give the same report as one thread", () => {
    expect(existsSync(BUNDLE), "build first: npm run build").toBe(true);
    const root = largeTree();
    const single = scan(root, "0");
    expect(single.findings.filter((f) => f.kind === "py-call")).toHaveLength(20);
    expect(single.inventory.jobDefinitions.length).toBeGreaterThan(0);
    expect(single.coverage.skipped.map((s) => s.reason)).toContain("not-utf8");
    expect(single.findings.some((f) => f.path.endsWith("_gen.py"))).toBe(false);
    for (const threads of ["1", "3"]) expect(scan(root, threads)).toEqual(single);
  });
});
