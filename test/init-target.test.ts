// `migrate init --target X` is the cut-over: it writes `"target": "X"` into the root migrate.config.json, keeping
// the rest of the file, and the Python shim then serves AWS Batch calls from X instead of the real boto3.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli.js";
import type { CommandIO } from "../src/commands/io.js";

const SAMPLE = path.join(import.meta.dirname, "../fixtures/projects/video-pipeline");
const PYTHON_RUNTIME = path.join(import.meta.dirname, "../runtime/python");

function io(cwd: string): CommandIO & { err: () => string } {
  const stderr = new PassThrough();
  let err = "";
  stderr.on("data", (chunk) => (err += chunk));
  return { stdout: new PassThrough(), stderr, cwd, env: { CI: "1" }, err: () => err };
}

function shimClass(cwd: string): string {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("BATCH_MIGRATE_")));
  return execFileSync(
    "python3",
    [
      "-c",
      'from batch_migrate_runtime import boto3; print(type(boto3.client("batch", region_name="us-east-1")).__name__)',
    ],
    { cwd, env: { ...env, PYTHONPATH: PYTHON_RUNTIME, SALAD_API_KEY: "k", CC_API_KEY: "k" }, encoding: "utf8" },
  ).trim();
}

describe("migrate init --target", () => {
  it("writes the target into migrate.config.json, keeps the rest, and flips the shim", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "migrate-init-target-"));
    cpSync(SAMPLE, dir, { recursive: true });
    const original = JSON.parse(readFileSync(path.join(dir, "migrate.config.json"), "utf8")) as object;
    expect(shimClass(dir)).toBe("Batch");

    const first = io(dir);
    expect(await main(["init", ".", "--target", "salad"], first)).toBe(0);
    expect(JSON.parse(readFileSync(path.join(dir, "migrate.config.json"), "utf8"))).toEqual({
      target: "salad",
      ...original,
    });
    expect(first.err()).toMatch(/updated migrate\.config\.json: "target": "salad"/);
    expect(shimClass(path.join(dir, "jobs"))).toBe("BatchShimClient");

    const second = io(dir);
    expect(await main(["init", ".", "--target", "common-compute", "--force"], second)).toBe(0);
    expect(JSON.parse(readFileSync(path.join(dir, "migrate.config.json"), "utf8")).target).toBe("common-compute");
    expect(second.err()).toMatch(/\(was salad\)/);
  });
});
