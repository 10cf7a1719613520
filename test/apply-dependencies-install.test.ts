// After `apply --to shim --write` on the bundled sample, its own dependency files are enough: a fresh virtualenv
// from requirements.txt and a fresh node_modules from lambdas/embed/package.json both import the runtime.
// No index is used: the third-party packages the sample already needed (boto3, @aws-sdk/client-batch) come from
// the interpreter's site-packages and the npm cache, the runtime only from what apply vendored.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli.js";
import { NPM_ENV, ROOT } from "./support/pack.js";

const SAMPLE = path.join(ROOT, "fixtures/projects/video-pipeline");
const CLEAN_ENV = Object.fromEntries(Object.entries(NPM_ENV).filter(([key]) => !/^(PYTHONPATH|PIP_)/.test(key)));

describe("[slow] the sample's dependency files after apply --to shim --write", { timeout: 180_000 }, () => {
  it("install the runtime into a clean virtualenv and a clean node_modules", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "migrate-deps-sample-"));
    cpSync(SAMPLE, dir, { recursive: true, filter: (source) => !/__pycache__|\.pytest_cache/.test(source) });
    const stderr = new PassThrough();
    let err = "";
    stderr.on("data", (chunk) => (err += chunk));
    const io = { stdout: new PassThrough(), stderr, cwd: dir, env: { CI: "1" } };
    expect(await main(["apply", "--to", "shim", "--write", "--allow-dirty"], io)).toBe(0);
    expect(err).toContain("added the runtime to requirements.txt: ./migration/vendor/batch_migrate_runtime-");
    expect(err).toContain(
      'added the runtime to lambdas/embed/package.json: dependencies: "batch-migrate-runtime": "file:../../migration/vendor/batch-migrate-runtime-',
    );
    expect(readFileSync(path.join(dir, "requirements.txt"), "utf8")).toMatch(
      /batch_migrate_runtime-[\d.]+-py3-none-any\.whl/,
    );

    const venv = path.join(dir, ".venv");
    execFileSync("python3", ["-m", "venv", "--system-site-packages", venv], { env: CLEAN_ENV });
    const python = path.join(venv, "bin/python");
    execFileSync(python, ["-m", "pip", "install", "-q", "--no-index", "-r", "requirements.txt"], {
      cwd: dir,
      env: CLEAN_ENV,
    });
    const imported = execFileSync(
      python,
      [
        "-c",
        "import pipeline.submit, pipeline.thumbnails, batch_migrate_runtime; print(batch_migrate_runtime.__file__)",
      ],
      { cwd: dir, env: CLEAN_ENV, encoding: "utf8" },
    );
    expect(imported.trim().startsWith(venv)).toBe(true);

    const lambda = path.join(dir, "lambdas/embed");
    execFileSync("npm", ["install", "--offline", "--ignore-scripts"], { cwd: lambda, env: NPM_ENV, timeout: 120_000 });
    expect(readFileSync(path.join(lambda, "index.ts"), "utf8")).toContain('from "batch-migrate-runtime/client-batch"');
    const resolved = execFileSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        'const m = await import("batch-migrate-runtime/client-batch"); console.log(typeof m.BatchClient, import.meta.resolve("batch-migrate-runtime/client-batch"))',
      ],
      { cwd: lambda, env: CLEAN_ENV, encoding: "utf8" },
    );
    expect(resolved).toMatch(new RegExp(`^function file://${lambda}/node_modules/batch-migrate-runtime/`));
  });
});
