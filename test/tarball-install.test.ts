// The tool as a user installs it: `npm pack`, then `npm install -g` of the tarball into an empty prefix, outside
// this checkout (so nothing resolves into its node_modules), and the journey's commands on a copy of the sample.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { NPM_ENV, ROOT, npmPack, temporary } from "./support/pack.js";

const SAMPLE = path.join(ROOT, "fixtures/projects/video-pipeline");
let prefix: string;
let project: string;

function tool(bin: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(path.join(prefix, "bin", bin), args, {
    cwd: project,
    encoding: "utf8",
    env: { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`, HOME: NPM_ENV.HOME, CI: "1" },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  const work = temporary("bm-tarball-");
  const tarball = npmPack(ROOT, work, "dist/migrate.cjs");
  prefix = path.join(work, "prefix");
  // Offline when the npm cache has every dependency (CI fills it with `npm ci`), the registry otherwise.
  execFileSync("npm", ["install", "--global", "--prefix", prefix, "--prefer-offline", "--ignore-scripts", tarball], {
    cwd: work,
    env: NPM_ENV,
    timeout: 150_000,
    stdio: "ignore",
  });
  // tree-sitter's prebuilt binding needs GCC 13's libstdc++; where the system's is older (Debian 12) its install
  // script compiles it (README: --allow-scripts=tree-sitter), which takes minutes here: the checkout's compiled
  // binding stands in for that build. Only the binary is copied; every module still resolves inside the prefix.
  const installed = path.join(prefix, "lib/node_modules/batch-migrate/node_modules/tree-sitter");
  const loads = spawnSync(process.execPath, ["-e", `require(${JSON.stringify(installed)})`]).status === 0;
  const built = path.join(ROOT, "node_modules/tree-sitter/build/Release");
  if (!loads && existsSync(built)) cpSync(built, path.join(installed, "build/Release"), { recursive: true });
  project = path.join(work, "project");
  cpSync(SAMPLE, project, { recursive: true, filter: (source) => !/__pycache__|\.pytest_cache/.test(source) });
}, 200_000);

describe("[slow] the packed tool installed from its tarball", () => {
  it("has both bins, and depends on no unpublished package", () => {
    expect(tool("batch-migrate", ["--version"]).stdout.trim()).toBe(
      (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }).version,
    );
    expect(tool("migrate", ["--version"]).status).toBe(0);
    const manifest = JSON.parse(
      readFileSync(path.join(prefix, "lib/node_modules/batch-migrate/package.json"), "utf8"),
    ) as { dependencies: Record<string, string> };
    expect(Object.keys(manifest.dependencies)).not.toContain("batch-migrate-runtime");
  });

  it("runs scan, report, apply (dry run) and init on a copy of the sample", { timeout: 120_000 }, () => {
    const scan = tool("batch-migrate", ["scan", ".", "--format", "json"]);
    expect(scan.stderr).not.toMatch(/scanner failed/);
    expect(scan.status).toBe(0);
    const report = JSON.parse(scan.stdout) as { inventory: { jobDefinitions: { name: string }[] } };
    expect(report.inventory.jobDefinitions.map((definition) => definition.name)).toContain("video-transcode");

    const markdown = tool("migrate", ["report", ".", "--format", "markdown"]);
    expect(markdown.status).toBe(0);
    expect(markdown.stdout).toContain("# AWS Batch migration report");
    expect(markdown.stdout).toContain("video-transcode");

    const before = readFileSync(path.join(project, "pipeline/submit.py"), "utf8");
    const apply = tool("batch-migrate", ["apply", "--to", "shim"]);
    expect(apply.status).toBe(0);
    expect(apply.stdout).toContain("+from batch_migrate_runtime import boto3");
    expect(apply.stderr).toContain("would add the runtime to requirements.txt");
    expect(readFileSync(path.join(project, "pipeline/submit.py"), "utf8")).toBe(before);

    const init = tool("batch-migrate", ["init", "--target", "salad"]);
    expect(init.status).toBe(0);
    expect(JSON.parse(readFileSync(path.join(project, "migrate.config.json"), "utf8")).target).toBe("salad");
    expect(existsSync(path.join(project, "migration/salad/README.md"))).toBe(true);
    expect(existsSync(path.join(project, "migrate-usage.yml"))).toBe(true);

    const executor = tool("batch-migrate", ["executor", "--help"]);
    expect(executor.status).toBe(0);
  });
});
