// Detection check for repositories without line-level truth (the out-of-corpus set): ripgrep finds every line that
// looks like an AWS Batch use (SDK client/call/command, Terraform/CloudFormation resource, CDK construct, Step
// Functions task), `migrate scan --format json` runs on the same tree, and each candidate line no finding covers is
// listed. A review file (tab-separated: repo, path, line, class, note) classifies the misses a person has read:
// class `miss:<kind>` is a true miss, `not-batch:<why>` a look-alike; unreviewed misses are printed as such.
// Usage: npm run eval:detection -- <root> [--repo <name>]… [--review <file.tsv>] [--json]
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { main } from "../src/cli.js";
import type { CommandIO } from "../src/commands/io.js";
import { textSink } from "./text-sink.js";

const OPERATIONS_PY = [
  "submit_job",
  "describe_jobs",
  "list_jobs",
  "terminate_job",
  "cancel_job",
  "register_job_definition",
  "deregister_job_definition",
  "describe_job_definitions",
  "describe_job_queues",
  "describe_compute_environments",
  "create_compute_environment",
  "update_compute_environment",
  "delete_compute_environment",
  "create_job_queue",
  "update_job_queue",
  "delete_job_queue",
  "create_scheduling_policy",
  "list_scheduling_policies",
];
const camel = (name: string): string => name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
const pascal = (name: string): string => camel(name).replace(/^[a-z]/, (c) => c.toUpperCase());

/** Candidate patterns, one per class; `before` lets a finding on a nearby earlier line cover it (CFN logical ids). */
const PATTERNS: { id: string; regex: string; globs: string[]; before?: number }[] = [
  { id: "py-client", regex: String.raw`\(\s*(service_name\s*=\s*)?["']batch["']`, globs: ["*.py", "*.ipynb"] },
  { id: "py-call", regex: String.raw`\.(${OPERATIONS_PY.join("|")})\b`, globs: ["*.py", "*.ipynb"] },
  {
    id: "py-paginator",
    regex: String.raw`get_paginator\(\s*["'](${OPERATIONS_PY.join("|")})["']`,
    globs: ["*.py", "*.ipynb"],
  },
  {
    id: "js-import",
    regex: String.raw`aws-sdk/clients/batch|@aws-sdk/client-batch["']`,
    globs: ["*.js", "*.mjs", "*.cjs", "*.ts", "*.tsx", "*.jsx", "*.mts", "*.cts"],
  },
  {
    id: "js-client",
    regex: String.raw`new\s+(AWS\.)?Batch\s*\(|new\s+BatchClient\s*\(`,
    globs: ["*.js", "*.mjs", "*.cjs", "*.ts", "*.tsx", "*.jsx", "*.mts", "*.cts"],
  },
  {
    id: "js-v2-call",
    regex: String.raw`\.(${OPERATIONS_PY.map(camel).join("|")})\s*\(`,
    globs: ["*.js", "*.mjs", "*.cjs", "*.ts", "*.tsx", "*.jsx", "*.mts", "*.cts"],
  },
  {
    id: "js-v3-command",
    regex: String.raw`new\s+([\w$]+\.)?(${OPERATIONS_PY.map(pascal).join("|")})Command\s*\(`,
    globs: ["*.js", "*.mjs", "*.cjs", "*.ts", "*.tsx", "*.jsx", "*.mts", "*.cts"],
  },
  { id: "tf-resource", regex: String.raw`^\s*resource\s+"aws_batch_`, globs: ["*.tf", "*.tf.json"] },
  {
    id: "cfn-resource",
    regex: String.raw`AWS::Batch::(JobDefinition|JobQueue|ComputeEnvironment|SchedulingPolicy)`,
    globs: ["*.yml", "*.yaml", "*.json", "*.template", "*.js", "*.ts", "*.mjs", "*.cjs", "*.py"],
    before: 6,
  },
  {
    id: "cdk-import",
    regex: String.raw`aws-cdk-lib/aws-batch|@aws-cdk/aws-batch|aws_cdk\.aws_batch|aws_cdk import .*aws_batch|^\s*aws_batch( as \w+)?,?\s*$`,
    globs: ["*.ts", "*.js", "*.py"],
  },
  {
    id: "cdk-construct",
    regex: String.raw`\b(batch|aws_batch)\.(Cfn\w+|\w*ComputeEnvironment|JobQueue|\w*JobDefinition|SchedulingPolicy|FairshareSchedulingPolicy)\s*\(`,
    globs: ["*.ts", "*.js", "*.py"],
  },
  {
    id: "py-framework",
    regex: String.raw`client_type\s*=\s*["']batch["']|\b(Aws)?BatchClientHook\b|\b\w*BatchOperator\w*\(`,
    globs: ["*.py", "*.ipynb"],
  },
  {
    id: "apigw-batch-integration",
    regex: String.raw`AwsIntegration\(\s*service\s*=\s*["']batch["']|^\s*service\s*[=:]\s*["']batch["']|arn:aws:apigateway:[^"']*:batch:`,
    globs: ["*.py", "*.ts", "*.js", "*.yml", "*.yaml", "*.json", "*.tf"],
  },
  {
    id: "tf-module",
    regex: String.raw`source\s*=\s*"[^"]*(terraform-aws-modules/batch|terraform-aws-batch)`,
    globs: ["*.tf", "*.hcl"],
  },
  {
    id: "jobdef-json",
    regex: String.raw`"(containerProperties|jobDefinitionName)"\s*:`,
    globs: ["*.json"],
  },
  {
    id: "sfn-task",
    regex: String.raw`arn:aws:states:::batch:submitJob|BatchSubmitJob\b`,
    globs: ["*.json", "*.yml", "*.yaml", "*.ts", "*.js", "*.py", "*.asl.json", "*.tf"],
  },
];

interface Candidate {
  pattern: string;
  path: string;
  line: number;
  text: string;
}

interface FindingLite {
  path: string;
  line: number;
  endLine?: number;
  kind: string;
}

function rg(root: string, pattern: (typeof PATTERNS)[number]): Candidate[] {
  const args = ["--json", "-n", "--no-heading", "-S", "--max-filesize", "2M", "-e", pattern.regex];
  for (const glob of pattern.globs) args.push("-g", glob);
  args.push("-g", "!node_modules", "-g", "!.git", root);
  let out = "";
  try {
    out = execFileSync("rg", args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 1) return [];
    throw error;
  }
  const hits: Candidate[] = [];
  for (const line of out.split("\n")) {
    if (!line) continue;
    const event = JSON.parse(line) as {
      type: string;
      data: { path?: { text: string }; line_number?: number; lines?: { text?: string } };
    };
    if (event.type !== "match") continue;
    hits.push({
      pattern: pattern.id,
      path: path.relative(root, event.data.path?.text ?? ""),
      line: event.data.line_number ?? 0,
      text: (event.data.lines?.text ?? "").trim().slice(0, 160),
    });
  }
  return hits;
}

async function scan(root: string): Promise<FindingLite[]> {
  const work = mkdtempSync(path.join(tmpdir(), "detect-"));
  const file = path.join(work, "scan.json");
  const stderr = textSink();
  try {
    const io: CommandIO = { stdout: textSink().stream, stderr: stderr.stream, cwd: work, env: { ...process.env } };
    const code = await main(["scan", root, "--format", "json", "-o", file], io);
    if (!existsSync(file)) throw new Error(`scan failed (exit ${code}): ${stderr.text().slice(0, 300)}`);
    return (JSON.parse(readFileSync(file, "utf8")) as { findings: FindingLite[] }).findings;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function covered(candidate: Candidate, findings: FindingLite[], before: number): boolean {
  return findings.some((f) => {
    if (f.path !== candidate.path) return false;
    const end = Math.max(f.endLine ?? f.line, f.line + before);
    return candidate.line >= f.line && candidate.line <= end;
  });
}

function readReview(file: string | undefined): Map<string, string> {
  const review = new Map<string, string>();
  if (!file || !existsSync(file)) return review;
  for (const row of readFileSync(file, "utf8").split("\n")) {
    if (!row.trim() || row.startsWith("#")) continue;
    const [repo = "", p = "", line = "", cls = "", note = ""] = row.split("\t");
    review.set(`${repo}\t${p}\t${line}`, note ? `${cls}\t${note}` : cls);
  }
  return review;
}

async function run(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      repo: { type: "string", multiple: true },
      review: { type: "string" },
      json: { type: "boolean", default: false },
    },
  });
  const root = path.resolve(positionals[0] ?? "../corpus-outside");
  const review = readReview(values.review ?? path.join(root, "detection-review.tsv"));
  const repos = readdirSync(root)
    .filter((name) => statSync(path.join(root, name)).isDirectory())
    .filter((name) => !values.repo || values.repo.includes(name))
    .sort();
  const results = [];
  for (const repo of repos) {
    const dir = path.join(root, repo);
    const findings = await scan(dir);
    const seen = new Set<string>();
    const candidates: (Candidate & { before: number })[] = [];
    for (const pattern of PATTERNS)
      for (const hit of rg(dir, pattern)) {
        const key = `${hit.path}:${hit.line}`;
        if (seen.has(key)) continue;
        seen.add(key);
        candidates.push({ ...hit, before: pattern.before ?? 0 });
      }
    const misses = candidates
      .filter((c) => !covered(c, findings, c.before))
      .map((c) => ({ ...c, review: review.get(`${repo}\t${c.path}\t${c.line}`) ?? "unreviewed" }));
    const byClass = new Map<string, number>();
    for (const miss of misses) {
      const cls = miss.review.split("\t")[0] ?? "unreviewed";
      byClass.set(cls, (byClass.get(cls) ?? 0) + 1);
    }
    results.push({
      repo,
      findings: findings.length,
      candidates: candidates.length,
      covered: candidates.length - misses.length,
      misses,
      byClass: Object.fromEntries([...byClass].sort()),
    });
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    return;
  }
  let trueMisses = 0;
  let unreviewed = 0;
  for (const r of results) {
    const classes = Object.entries(r.byClass)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ");
    process.stdout.write(
      `${r.repo.padEnd(34)} findings ${String(r.findings).padStart(4)}  candidates ${String(r.candidates).padStart(4)}  covered ${String(r.covered).padStart(4)}  missed ${String(r.misses.length).padStart(3)}${classes ? `  (${classes})` : ""}\n`,
    );
    for (const miss of r.misses) {
      if (miss.review.startsWith("miss")) trueMisses++;
      if (miss.review === "unreviewed") unreviewed++;
      process.stdout.write(
        `    ${miss.review.split("\t")[0]}  ${miss.path}:${miss.line}  [${miss.pattern}]  ${miss.text}\n`,
      );
    }
  }
  process.stdout.write(`\n${results.length} repositories: ${trueMisses} true misses, ${unreviewed} unreviewed\n`);
  process.exitCode = trueMisses || unreviewed ? 1 : 0;
}

await run();
