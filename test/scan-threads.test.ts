import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MIN_FILES_FOR_THREADS } from "../src/core/scan-pool.js";
import type { Report } from "../src/report/model.js";

const BIN = path.join(import.meta.dirname, "../bin/migrate.cjs");
const BUNDLE = path.join(import.meta.dirname, "../dist/scan-worker.cjs");

/**
 * A tree big enough for helper threads: mostly noise, with Batch uses in Python, TypeScript (a client exported
 * through a barrel, so that context files matter) and job definitions, skips and ignores spread through it.
 */
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
    else if (i % 113 === 0)
      writeFileSync(
        path.join(dir, `${name}.ts`),
        `import { batch } from "./index";\nexport const run = () => batch.submitJob({ jobName: "t${i}", jobQueue: "q", jobDefinition: "d" }).promise();\n`,
      );
    else if (i % 2 === 0) writeFileSync(path.join(dir, `${name}.ts`), `export const value${i} = ${i};\n`);
    else writeFileSync(path.join(dir, `${name}.py`), `def f${i}():\n    return ${i}\n`);
  }
  for (let pkg = 0; pkg < 37; pkg++) {
    writeFileSync(path.join(root, `pkg${pkg}`, "index.ts"), `export { batch } from "./client";\n`);
    writeFileSync(
      path.join(root, `pkg${pkg}`, "client.ts"),
      `import AWS from "aws-sdk";\nexport const batch = new AWS.Batch({ region: "us-east-1" });\n`,
    );
  }
  return root;
}

const KILL_SCAN_WORKER = path.join(import.meta.dirname, "support/kill-scan-worker.cjs");

function scan(root: string, threads: string, killOn?: "start" | "block" | "index" | "scan"): Report {
  const preload = killOn ? ["--require", KILL_SCAN_WORKER] : [];
  const result = spawnSync(process.execPath, [...preload, BIN, "scan", root, "--format", "json"], {
    encoding: "utf8",
    env: {
      ...process.env,
      CI: "1",
      SOURCE_DATE_EPOCH: "1700000000",
      MIGRATE_SCAN_THREADS: threads,
      ...(killOn ? { KILL_SCAN_WORKER_ON: killOn } : {}),
    },
  });
  // 3: the tree holds files that are not UTF-8, on purpose
  expect(result.status, result.stderr).toBe(3);
  return JSON.parse(result.stdout) as Report;
}

describe("helper threads (built CLI)", () => {
  it("give the same report as one thread", () => {
    expect(existsSync(BUNDLE), "build first: npm run build").toBe(true);
    const root = largeTree();
    const single = scan(root, "0");
    expect(single.findings.filter((f) => f.kind === "py-call")).toHaveLength(20);
    expect(single.inventory.jobDefinitions.length).toBeGreaterThan(0);
    expect(single.coverage.skipped.map((s) => s.reason)).toContain("not-utf8");
    expect(single.findings.some((f) => f.path.endsWith("_gen.py"))).toBe(false);
    // calls in one file on a client another creates and a barrel re-exports
    const jsCalls = single.findings.filter((f) => f.kind === "js-v2-call" && f.operation === "SubmitJob");
    expect(jsCalls.length).toBeGreaterThanOrEqual(15);
    for (const threads of ["1", "3"]) expect(scan(root, threads)).toEqual(single);
    // a thread that dies as it starts, while reading, when asked to index a file the main thread read, or before
    // running the JavaScript scanner costs time only
    expect(scan(root, "1", "start")).toEqual(single);
    expect(scan(root, "1", "block")).toEqual(single);
    expect(scan(root, "1", "index")).toEqual(single);
    expect(scan(root, "1", "scan")).toEqual(single);
  });
});
