// Runs the README journey on a copy of every corpus repository and scores what a user would see:
// init → report (json, markdown, html) → init --target salad → init --target common-compute → report.
// Usage: npm run eval:journey -- <corpus-dir> [--repo <name>]… [--json] [--keep]
// The corpus is never written: each repository is copied into a temporary folder first.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { main } from "../src/cli.js";
import type { CommandIO } from "../src/commands/io.js";
import type { Report } from "../src/report/model.js";
import { textSink } from "./text-sink.js";

const MARKDOWN_LIMIT = 60_000;

interface Step {
  name: string;
  argv: (dir: string, out: string) => string[];
}

const STEPS: readonly Step[] = [
  { name: "init", argv: (dir) => ["init", dir] },
  { name: "report json", argv: (dir, out) => ["report", dir, "--format", "json", "-o", path.join(out, "report.json")] },
  {
    name: "report markdown",
    argv: (dir, out) => ["report", dir, "--format", "markdown", "-o", path.join(out, "report.md")],
  },
  { name: "report html", argv: (dir, out) => ["report", dir, "--format", "html", "-o", path.join(out, "report.html")] },
  { name: "init --target salad", argv: (dir) => ["init", dir, "--target", "salad"] },
  { name: "init --target common-compute", argv: (dir) => ["init", dir, "--target", "common-compute"] },
  { name: "report", argv: (dir, out) => ["report", dir, "--format", "json", "-o", path.join(out, "final.json")] },
];

interface RepoResult {
  repo: string;
  failed: { step: string; exitCode: number; error: string }[];
  markdownChars: number | null;
  /** Job definitions whose vCPU and memory are known, and how many of them have an AWS figure or range. */
  sized: number;
  awsPriced: number;
  jobDefinitions: number;
  ms: number;
}

/** AWS pricing share over job definitions whose size is known, from the report's workloads and cost lines. */
function awsShare(report: Report): { sized: number; priced: number; total: number } {
  const definitions = report.inventory.jobDefinitions.filter((d) => d.properties.superseded !== true);
  const sized = definitions.filter((d) => d.properties.vcpus !== undefined && d.properties.memoryMiB !== undefined);
  const pricedIds = new Set(
    (report.cost?.lines ?? [])
      .filter((line) => line.platform === "aws" && line.scenario !== "ceiling")
      .filter((line) => line.cost !== null || (line as { range?: unknown }).range !== undefined)
      .map((line) => line.subject),
  );
  return { sized: sized.length, priced: sized.filter((d) => pricedIds.has(d.id)).length, total: definitions.length };
}

async function runRepo(repo: string, source: string, keep: boolean): Promise<RepoResult> {
  const started = performance.now();
  const work = mkdtempSync(path.join(tmpdir(), `journey-${repo}-`));
  const dir = path.join(work, repo);
  const out = path.join(work, "out");
  cpSync(source, dir, { recursive: true, filter: (file) => path.basename(file) !== ".git" });
  mkdirSync(out);
  const result: RepoResult = {
    repo,
    failed: [],
    markdownChars: null,
    sized: 0,
    awsPriced: 0,
    jobDefinitions: 0,
    ms: 0,
  };
  try {
    for (const step of STEPS) {
      const stdout = textSink();
      const stderr = textSink();
      const io: CommandIO = { stdout: stdout.stream, stderr: stderr.stream, cwd: work, env: { ...process.env } };
      let exitCode: number;
      try {
        exitCode = await main(step.argv(dir, out), io);
      } catch (error) {
        exitCode = 3;
        stderr.stream.write(String((error as Error).stack ?? error));
      }
      if (exitCode !== 0) {
        const error = stderr
          .text()
          .split("\n")
          .filter((line) => /^(error|hint|internal error)/.test(line))
          .join(" | ");
        result.failed.push({ step: step.name, exitCode, error: error || stderr.text().slice(0, 300) });
      }
    }
    try {
      result.markdownChars = readFileSync(path.join(out, "report.md"), "utf8").length;
    } catch {
      result.markdownChars = null;
    }
    for (const file of ["final.json", "report.json"]) {
      try {
        const share = awsShare(JSON.parse(readFileSync(path.join(out, file), "utf8")) as Report);
        result.sized = share.sized;
        result.awsPriced = share.priced;
        result.jobDefinitions = share.total;
        break;
      } catch {
        // try the next report
      }
    }
  } finally {
    if (!keep) rmSync(work, { recursive: true, force: true });
    else process.stderr.write(`kept ${work}\n`);
  }
  result.ms = performance.now() - started;
  return result;
}

async function run(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      repo: { type: "string", multiple: true },
      json: { type: "boolean", default: false },
      keep: { type: "boolean", default: false },
    },
  });
  const corpus = path.resolve(positionals[0] ?? "../corpus");
  const repos = readdirSync(corpus)
    .filter((name) => statSync(path.join(corpus, name)).isDirectory())
    .filter((name) => !values.repo || values.repo.includes(name))
    .sort();
  const results: RepoResult[] = [];
  for (const repo of repos) {
    const result = await runRepo(repo, path.join(corpus, repo), values.keep ?? false);
    results.push(result);
    if (!values.json) {
      const share = result.sized ? `${result.awsPriced}/${result.sized}` : "-";
      process.stdout.write(
        `${repo.padEnd(44)} failed ${String(result.failed.length).padStart(1)}  md ${String(result.markdownChars ?? "-").padStart(7)}  aws ${share.padStart(7)}  jobdefs ${String(result.jobDefinitions).padStart(3)}  ${(result.ms / 1000).toFixed(1)}s\n`,
      );
      for (const failure of result.failed)
        process.stdout.write(`    ✗ ${failure.step} (exit ${failure.exitCode}): ${failure.error}\n`);
    }
  }
  const failedSteps = results.reduce((n, r) => n + r.failed.length, 0);
  const sized = results.reduce((n, r) => n + r.sized, 0);
  const priced = results.reduce((n, r) => n + r.awsPriced, 0);
  const oversize = results.filter((r) => (r.markdownChars ?? 0) > MARKDOWN_LIMIT);
  const maxMarkdown = Math.max(0, ...results.map((r) => r.markdownChars ?? 0));
  const summary = {
    repos: results.length,
    failedSteps,
    reposWithFailures: results.filter((r) => r.failed.length).length,
    markdownOverLimit: oversize.map((r) => r.repo),
    maxMarkdownChars: maxMarkdown,
    awsPriced: priced,
    sizedJobDefinitions: sized,
    awsPricedShare: sized ? priced / sized : null,
  };
  if (values.json) process.stdout.write(`${JSON.stringify({ summary, results }, null, 2)}\n`);
  else {
    process.stdout.write(
      `\n${summary.repos} repositories: ${failedSteps} failed steps in ${summary.reposWithFailures} repositories; ` +
        `markdown max ${maxMarkdown} chars, ${oversize.length} over ${MARKDOWN_LIMIT}; ` +
        `AWS priced ${priced}/${sized} sized job definitions (${sized ? ((100 * priced) / sized).toFixed(1) : "-"}%)\n`,
    );
  }
  process.exitCode = failedSteps || oversize.length ? 1 : 0;
}

await run();
