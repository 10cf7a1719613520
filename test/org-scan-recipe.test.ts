// The CI recipe of docs/org-scan.md, run locally: its YAML is read from the doc, and its matrix jobs' steps, then
// its merge job's, run one after another in folders of their own, the way the CI runners would run them.
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { Report } from "../src/report/model.js";
import { validateReport, validateSarif } from "./support/schema.js";

const ROOT = path.join(import.meta.dirname, "..");
const PROJECTS = path.join(ROOT, "fixtures/merge");
/** Every job's folder, removed after the run. */
const WORK = mkdtempSync(path.join(tmpdir(), "migrate-org-recipe-"));

/** The doc's YAML blocks: the GitHub Actions workflow and the GitLab CI file. */
function recipes(): { github: GithubWorkflow; gitlab: GitlabPipeline } {
  const doc = readFileSync(path.join(ROOT, "docs/org-scan.md"), "utf8");
  const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map(
    (match) => parse(match[1]!) as Record<string, unknown>,
  );
  const github = blocks.find((block) => "jobs" in block) as unknown as GithubWorkflow;
  const gitlab = blocks.find((block) => "stages" in block) as unknown as GitlabPipeline;
  return { github, gitlab };
}

interface GithubStep {
  name?: string;
  uses?: string;
  with?: Record<string, string | boolean>;
  run?: string;
  env?: Record<string, string>;
}
interface GithubWorkflow {
  jobs: {
    scan: { strategy: { matrix: { repository: string[] } }; steps: GithubStep[] };
    merge: { needs: string; steps: GithubStep[] };
  };
}
interface GitlabJob {
  stage: string;
  parallel?: { matrix: { REPOSITORY: string[] }[] };
  script: string[];
  artifacts: { paths: string[] };
}
type GitlabPipeline = { stages: string[] } & Record<string, GitlabJob>;

/** What `npm install --global batch-migrate` puts on PATH, here this checkout's CLI. */
const INSTALL = "npm install --global batch-migrate";

function toolFolder(): string {
  const bin = mkdtempSync(path.join(WORK, "bin-"));
  const migrate = path.join(bin, "migrate");
  writeFileSync(migrate, `#!/bin/sh\nexec "${process.execPath}" "${path.join(ROOT, "bin/migrate.cjs")}" "$@"\n`);
  chmodSync(migrate, 0o755);
  return bin;
}

/** A fixture project stands for the repository the recipe clones (`acme/infra-repo` → fixtures/merge/infra-repo). */
function checkout(repository: string, into: string): void {
  cpSync(path.join(PROJECTS, repository.split("/").at(-1)!), into, { recursive: true });
}

/** Files matching a recipe's artifact path (`reports/*.json`, `org.*`, `reports/`), relative to the job's folder. */
function matching(folder: string, pattern: string): string[] {
  if (pattern.endsWith("/")) return readdirSync(path.join(folder, pattern)).map((name) => path.join(pattern, name));
  const dir = path.dirname(pattern);
  const glob = new RegExp(`^${path.basename(pattern).replace(/[.]/g, "\\.").replace(/\*/g, ".*")}$`);
  return readdirSync(path.join(folder, dir))
    .filter((name) => glob.test(name))
    .map((name) => path.join(dir, name));
}

function copyFiles(from: string, files: readonly string[], to: string): void {
  for (const file of files) {
    mkdirSync(path.dirname(path.join(to, file)), { recursive: true });
    cpSync(path.join(from, file), path.join(to, file));
  }
}

function shell(program: "bash" | "sh", script: string, cwd: string, env: Record<string, string>): void {
  // GitHub runs `run:` with `bash -e {0}`; GitLab's node image runs each script line with sh.
  const run = spawnSync(program, ["-e", "-c", script], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, ...env, SOURCE_DATE_EPOCH: "0", NO_COLOR: "1" },
  });
  expect(run.status, `${script}\n${run.stderr}`).toBe(0);
}

interface Artifact {
  folder: string;
  files: string[];
}

/** The GitHub Actions workflow: each matrix job's steps in its own folder, then the merge job's. */
function runGithub(workflow: GithubWorkflow, bin: string): string {
  const artifacts = new Map<string, Artifact>();
  const path_ = `${bin}:${process.env.PATH}`;
  const repositories = workflow.jobs.scan.strategy.matrix.repository;
  repositories.forEach((repository, index) => {
    const job = mkdtempSync(path.join(WORK, "gh-scan-"));
    const expand = (text: string) =>
      text.replaceAll("${{ matrix.repository }}", repository).replaceAll("${{ strategy.job-index }}", String(index));
    for (const step of workflow.jobs.scan.steps) {
      if (step.uses?.startsWith("actions/checkout@"))
        checkout(expand(String(step.with!.repository)), path.join(job, expand(String(step.with!.path))));
      else if (step.uses?.startsWith("actions/upload-artifact@")) {
        // An artifact's files are kept relative to the folder of the pattern (the least common ancestor).
        const pattern = String(step.with!.path);
        const base = path.join(job, path.dirname(pattern));
        const files = matching(job, pattern).map((file) => path.relative(path.dirname(pattern), file));
        artifacts.set(expand(String(step.with!.name)), { folder: base, files });
      } else if (step.run && step.run.trim() !== INSTALL) {
        const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([key, value]) => [key, expand(value)]));
        shell("bash", step.run, job, { ...env, PATH: path_ });
      }
    }
  });
  expect(workflow.jobs.merge.needs).toBe("scan");
  const merge = mkdtempSync(path.join(WORK, "gh-merge-"));
  const summary = path.join(merge, "step-summary.md");
  for (const step of workflow.jobs.merge.steps) {
    if (step.uses?.startsWith("actions/download-artifact@")) {
      const pattern = new RegExp(`^${String(step.with!.pattern).replace(/\*/g, ".*")}$`);
      expect(step.with!["merge-multiple"]).toBe(true);
      for (const [name, artifact] of artifacts)
        if (pattern.test(name)) copyFiles(artifact.folder, artifact.files, path.join(merge, String(step.with!.path)));
    } else if (step.run && step.run.trim() !== INSTALL)
      shell("bash", step.run, merge, { PATH: path_, GITHUB_STEP_SUMMARY: summary });
  }
  return merge;
}

/** The GitLab pipeline: the scan stage's parallel jobs, then the merge stage, artifacts passed between stages. */
function runGitlab(pipeline: GitlabPipeline, bin: string): string {
  const scan = pipeline.scan!;
  const passed: Artifact[] = [];
  const env = { PATH: `${bin}:${process.env.PATH}`, CI_JOB_TOKEN: "token", CI_SERVER_HOST: "gitlab.example" };
  for (const repository of scan.parallel!.matrix[0]!.REPOSITORY) {
    const job = mkdtempSync(path.join(WORK, "gl-scan-"));
    for (const line of scan.script) {
      if (line.trim() === INSTALL) continue;
      if (line.startsWith("git clone ")) {
        const target = line.match(/"([^"]+)"\s*$/)![1]!.replace("$REPOSITORY", repository);
        checkout(repository, path.join(job, target));
      } else shell("sh", line, job, { ...env, REPOSITORY: repository });
    }
    passed.push({ folder: job, files: scan.artifacts.paths.flatMap((pattern) => matching(job, pattern)) });
  }
  const merge = mkdtempSync(path.join(WORK, "gl-merge-"));
  for (const artifact of passed) copyFiles(artifact.folder, artifact.files, merge);
  for (const line of pipeline.merge!.script) if (line.trim() !== INSTALL) shell("sh", line, merge, env);
  for (const pattern of pipeline.merge!.artifacts.paths) expect(matching(merge, pattern)).toHaveLength(1);
  return merge;
}

describe("the CI recipe in docs/org-scan.md", () => {
  let github: string;
  let gitlab: string;
  beforeAll(() => {
    const { github: workflow, gitlab: pipeline } = recipes();
    const bin = toolFolder();
    github = runGithub(workflow, bin);
    gitlab = runGitlab(pipeline, bin);
  }, 180_000);
  afterAll(() => rmSync(WORK, { recursive: true, force: true }));

  const read = (folder: string, file: string) => readFileSync(path.join(folder, file), "utf8");

  it("GitHub Actions: the matrix's scans and the merge job write the organisation's report", async () => {
    const org = JSON.parse(read(github, "org.json")) as Report;
    const validate = validateReport();
    expect(validate(org), JSON.stringify(validate.errors)).toBe(true);
    expect(org.repositories?.map((section) => [section.name, section.root])).toEqual([
      ["app-repo", "repos/acme/app-repo"],
      ["cdk-repo", "repos/acme/cdk-repo"],
      ["infra-repo", "repos/acme/infra-repo"],
    ]);
    // The golden of the three projects, checked by hand (fixtures/merge/README.md).
    await expect(read(github, "org.json")).toMatchFileSnapshot("../fixtures/merge/org.report.json");
    await expect(read(github, "step-summary.md")).toMatchFileSnapshot("../fixtures/merge/org.report.md");
    expect(read(github, "org.html")).toContain('<table id="repositories"');
  });

  it("GitLab CI: the same commands give the same report, and SARIF pointing into each repository", () => {
    expect(read(gitlab, "org.json")).toBe(read(github, "org.json"));
    const sarif = JSON.parse(read(gitlab, "org.sarif")) as {
      runs: {
        results: { locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId: string } } }[] }[];
      }[];
    };
    const validate = validateSarif();
    expect(validate(sarif), JSON.stringify(validate.errors)).toBe(true);
    for (const result of sarif.runs[0]!.results) {
      const { uri, uriBaseId } = result.locations[0]!.physicalLocation.artifactLocation;
      const repository = uriBaseId.replace(/^REPO_/, "");
      expect(readdirSync(path.join(PROJECTS, repository, path.dirname(uri)))).toContain(path.basename(uri));
    }
  });
});
