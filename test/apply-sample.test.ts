import { execFile, spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runApplyCommand, type ApplyArgs } from "../src/commands/apply.js";
import { runInitCommand } from "../src/commands/init.js";

const ROOT = path.resolve(import.meta.dirname, "..");
const SAMPLE = path.join(ROOT, "fixtures/projects/video-pipeline");
const EXECUTOR_BIN = path.join(ROOT, "runtime/bin/batch-migrate-runtime.js");
const API_KEY = `cc_test_${"0".repeat(48)}`;
const run = promisify(execFile);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

function sink(): Writable & { text: string } {
  const stream = new Writable({
    write(chunk, _encoding, done) {
      stream.text += String(chunk);
      done();
    },
  }) as Writable & { text: string };
  stream.text = "";
  return stream;
}

async function apply(cwd: string, args: Partial<ApplyArgs>): Promise<{ exitCode: number; stderr: string }> {
  const stderr = sink();
  const exitCode = await runApplyCommand(
    { paths: [], write: true, allowDirty: true, ...args },
    { stdout: sink(), stderr, cwd, env: {} },
  );
  return { exitCode, stderr: stderr.text };
}

async function init(cwd: string, target: "local" | "common-compute"): Promise<string> {
  const stderr = sink();
  expect(await runInitCommand({ paths: [], force: true, target }, { stdout: sink(), stderr, cwd, env: {} })).toBe(0);
  return stderr.text;
}

async function pytest(cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await run("python3", ["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], {
    cwd,
    env: { ...process.env, PYTHONPATH: path.join(ROOT, "runtime/python"), ...env },
    timeout: 90_000,
  });
  return stdout;
}

// Slow (about 15 s): vitest's `slow` tag needs a `tags` entry in vitest.config.ts first; MIGRATE_SKIP_SLOW=1 skips it meanwhile.
describe.skipIf(process.env.MIGRATE_SKIP_SLOW === "1")(
  "[slow] the video-pipeline sample passes its own tests before and after migration",
  { timeout: 120_000 },
  () => {
    let workdir: string;
    let executor: ChildProcess;
    let executorEnv: NodeJS.ProcessEnv;

    beforeAll(async () => {
      workdir = mkdtempSync(path.join(tmpdir(), "migrate-sample-"));
      cpSync(SAMPLE, workdir, { recursive: true, filter: (source) => !/__pycache__|\.pytest_cache/.test(source) });
      const port = await freePort();
      executor = spawn(
        process.execPath,
        [
          EXECUTOR_BIN,
          "executor",
          "--port",
          String(port),
          "--state-dir",
          path.join(workdir, ".migrate/executor"),
          "--api-key",
          API_KEY,
          "--config",
          "migrate.config.json",
          // The native Common Compute rewrite may use the assumed generic job API (runtime/README.md).
          "--cc-extensions",
        ],
        { cwd: workdir, stdio: ["ignore", "pipe", "inherit"] },
      );
      await new Promise<void>((resolve, reject) => {
        executor.stdout!.on("data", (chunk) => String(chunk).includes("listening") && resolve());
        executor.on("exit", (code) => reject(new Error(`executor exited with ${code}`)));
      });
      executorEnv = {
        BATCH_MIGRATE_TARGET: "local",
        CC_BASE_URL: `http://127.0.0.1:${port}`,
        CC_API_KEY: API_KEY,
        OUTPUT_DIR: workdir,
      };
    });

    afterAll(() => {
      executor?.kill();
      if (workdir) rmSync(workdir, { recursive: true, force: true });
    });

    // The README's journey: the shim, `init --target local` and the tests on the local executor; then
    // `init --target common-compute` (the mapping native mode reads) and `apply --to native`, tested there again.
    it("passes against moto, then on the shim and then native against the local executor", async () => {
      expect(await pytest(workdir, {})).toMatch(/4 passed/);

      const shim = await apply(workdir, { to: "shim" });
      expect(shim.exitCode).toBe(0);
      expect(readFileSync(path.join(workdir, "pipeline/submit.py"), "utf8")).toContain(
        "from batch_migrate_runtime import boto3\n",
      );
      expect(await init(workdir, "local")).toMatch(/"target": "local"/);
      expect(await pytest(workdir, executorEnv)).toMatch(/4 passed/);

      expect(await init(workdir, "common-compute")).toMatch(/"target": "common-compute" \(was local\)/);
      const native = await apply(workdir, { to: "native", target: "common-compute" });
      expect(native.exitCode).toBe(0);
      expect(native.stderr).toContain(
        "pipeline/submit.py:18 — submit_job(arrayProperties=…): Common Compute has no counterpart for arrayProperties",
      );
      const thumbnails = readFileSync(path.join(workdir, "pipeline/thumbnails.py"), "utf8");
      expect(thumbnails).toContain('client.jobs.get(job_id)["state"] == "completed"');
      expect(thumbnails).not.toContain("boto3");
      expect(await pytest(workdir, executorEnv)).toMatch(/4 passed/);
    });
  },
);
