// `init --target salad` vendors the runtime into migration/salad/vendor/, and each generated Dockerfile installs
// it from there: its COPY --from=<vendor context> and RUN lines are carried out here, offline (no docker needed),
// into a fresh virtualenv and an empty npm prefix, and the wrapper they start then runs.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli.js";
import {
  RUNTIME_SDIST,
  RUNTIME_TARBALL,
  RUNTIME_VERSION,
  RUNTIME_WHEEL,
  VENDOR_BUILD_CONTEXT,
} from "../src/vendor/names.js";
import { NPM_ENV, ROOT, temporary } from "./support/pack.js";

const PROJECTS = [
  path.join(ROOT, "fixtures/projects/video-pipeline"),
  path.join(ROOT, "fixtures/deploy/projects/edge-cases"),
];
const CLEAN_ENV = Object.fromEntries(Object.entries(NPM_ENV).filter(([key]) => !/^(PYTHONPATH|PIP_)/.test(key)));

function quiet(cwd: string) {
  return { stdout: new PassThrough(), stderr: new PassThrough(), cwd, env: { CI: "1" } };
}

describe("the vendored runtime", () => {
  it("has the version of both runtime packages", () => {
    expect(
      (JSON.parse(readFileSync(path.join(ROOT, "runtime/package.json"), "utf8")) as { version: string }).version,
    ).toBe(RUNTIME_VERSION);
    expect(readFileSync(path.join(ROOT, "runtime/python/pyproject.toml"), "utf8")).toContain(
      `version = "${RUNTIME_VERSION}"`,
    );
  });

  it("[slow] is what every generated Dockerfile installs, offline", { timeout: 180_000 }, async () => {
    const work = temporary("bm-vendor-");
    const installs = new Map<string, string>();
    for (const source of PROJECTS) {
      const project = path.join(work, path.basename(source));
      cpSync(source, project, { recursive: true, filter: (entry) => !/__pycache__|\.pytest_cache/.test(entry) });
      expect(await main(["init", ".", "--target", "salad"], quiet(project))).toBe(0);
      const vendor = path.join(project, "migration/salad/vendor");
      expect(readdirSync(vendor).sort()).toEqual([RUNTIME_TARBALL, RUNTIME_SDIST, RUNTIME_WHEEL].sort());
      for (const job of readdirSync(path.join(project, "migration/salad"), { withFileTypes: true })) {
        if (!job.isDirectory() || job.name === "vendor") continue;
        const dockerfile = readFileSync(path.join(project, "migration/salad", job.name, "Dockerfile"), "utf8");
        if (dockerfile.includes("kelpie")) continue;
        const copy = new RegExp(`^COPY --from=${VENDOR_BUILD_CONTEXT} (\\S+) /tmp/batch-migrate/$`, "m").exec(
          dockerfile,
        );
        expect(copy, `${job.name}/Dockerfile copies the runtime from the vendor context`).not.toBeNull();
        const run = /^RUN (.*\/tmp\/batch-migrate\/.*)$/m.exec(dockerfile)![1]!;
        expect(run).not.toMatch(/install (--global )?batch-migrate-runtime\b/);
        installs.set(run.replace(/ && rm -rf \/tmp\/batch-migrate$/, ""), path.join(vendor, copy![1]!));
      }
    }
    expect(installs.size).toBe(2);

    for (const [run, artifact] of installs) {
      const stage = path.join(work, "stage");
      mkdirSync(stage, { recursive: true });
      cpSync(artifact, path.join(stage, path.basename(artifact)));
      const command = run.replaceAll("/tmp/batch-migrate/", `${stage}/`);
      if (command.startsWith("python3 -m pip install")) {
        const venv = path.join(work, "venv");
        execFileSync("python3", ["-m", "venv", venv], { env: CLEAN_ENV });
        const python = path.join(venv, "bin/python");
        execFileSync(python, command.split(" ").slice(1), { env: CLEAN_ENV, cwd: work, stdio: "ignore" });
        const wrap = execFileSync(python, ["-c", "import batch_migrate_runtime.wrap as w; print(w.__file__)"], {
          cwd: work,
          env: CLEAN_ENV,
          encoding: "utf8",
        });
        expect(wrap.startsWith(venv)).toBe(true);
        // The sdist installs the same way.
        execFileSync(
          python,
          [
            "-m",
            "pip",
            "install",
            "-q",
            "--no-index",
            "--force-reinstall",
            artifact.replace(RUNTIME_WHEEL, RUNTIME_SDIST),
          ],
          { env: CLEAN_ENV, cwd: work },
        );
      } else {
        expect(command).toMatch(/^npm install --global --offline /);
        const prefix = path.join(work, "npm-prefix");
        execFileSync("npm", [...command.split(" ").slice(1, 3), "--prefix", prefix, ...command.split(" ").slice(3)], {
          env: NPM_ENV,
          cwd: work,
          stdio: "ignore",
        });
        const help = execFileSync(path.join(prefix, "bin/batch-migrate-runtime"), ["wrap", "--help"], {
          encoding: "utf8",
          env: CLEAN_ENV,
        });
        expect(help).toContain("usage: batch-migrate-runtime wrap");
      }
    }
  });
});
