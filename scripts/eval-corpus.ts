// Scores a scan of the public corpus against the line-level truth files of ../shared/reference/truth.
// Usage: npm run eval:corpus -- <corpus-dir> [--truth <dir>] [--repo <name>]… [--json] [--details]
import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { scanTree } from "../src/core/scan.js";
import type { Finding } from "../src/core/types.js";
import { SCANNERS } from "../src/scanners/index.js";

const PRIMARY = new Set([
  "py-client",
  "py-call",
  "py-paginator",
  "py-waiter-custom",
  "py-client-indirect",
  "py-call-dynamic",
  "py-declarative-op",
  "js-v2-import",
  "js-v2-client",
  "js-v2-call",
  "js-v3-import",
  "js-v3-client",
  "js-v3-command",
  "jobdef-json",
  "tf-resource",
  "cfn-resource",
  "cfn-in-code",
  "cdk-construct",
  "cdk-import",
]);

interface TruthRow {
  path: string;
  line: number;
  kind: string;
  what: string;
}

type Group = "python" | "js-ts" | "infra";

function groupOf(file: string): Group {
  if (/\.(py|ipynb)$/.test(file)) return "python";
  if (/\.[cm]?[jt]sx?$/.test(file)) return "js-ts";
  return "infra";
}

function readTruth(file: string): TruthRow[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .slice(1)
    .filter((line) => line.trim())
    .map((line) => {
      const [p = "", l = "0", kind = "", what = ""] = line.split("\t");
      return { path: p, line: Number(l), kind, what };
    });
}

interface Score {
  repo: string;
  primary: number;
  found: number;
  reported: number;
  truePositives: number;
  trapHits: number;
  /** Findings of primary kinds, and how many of them the truth has. */
  primaryReported: number;
  primaryTruePositives: number;
  byGroup: Record<Group, { primary: number; found: number }>;
  misses: TruthRow[];
  falsePositives: Finding[];
  traps: Finding[];
  /** Client and call-site findings, and those of them that say where their client was made. */
  sites: number;
  sitesWithOrigin: number;
  sitesWithoutOrigin: Finding[];
  ms: number;
}

/** Findings that stand for a client or a call on one: each must carry `origin`. */
const SITE_KINDS = new Set([
  "py-client",
  "py-client-indirect",
  "py-call",
  "py-call-dynamic",
  "py-paginator",
  "py-waiter-custom",
  "js-v2-client",
  "js-v2-call",
  "js-v3-client",
  "js-v3-command",
]);

async function scoreRepo(repo: string, dir: string, truth: TruthRow[]): Promise<Score> {
  const started = performance.now();
  const scan = await scanTree({ root: dir, scanners: SCANNERS });
  const ms = performance.now() - started;
  const findings = scan.findings.filter((f) => f.kind !== "parse-error" && f.kind !== "info");
  const at = new Map<string, Finding[]>();
  for (const f of findings) at.set(`${f.path}:${f.line}`, [...(at.get(`${f.path}:${f.line}`) ?? []), f]);
  const lineRows = truth.filter((row) => row.line > 0);
  const known = new Set(lineRows.filter((r) => !r.kind.startsWith("trap")).map((r) => `${r.path}:${r.line}`));
  const trapLines = new Set(lineRows.filter((r) => r.kind.startsWith("trap")).map((r) => `${r.path}:${r.line}`));
  const trapFiles = new Set(truth.filter((r) => r.kind.startsWith("trap") && r.line === 0).map((r) => r.path));
  const byGroup: Score["byGroup"] = {
    python: { primary: 0, found: 0 },
    "js-ts": { primary: 0, found: 0 },
    infra: { primary: 0, found: 0 },
  };
  const misses: TruthRow[] = [];
  let found = 0;
  const primaryRows = lineRows.filter((row) => PRIMARY.has(row.kind));
  for (const row of primaryRows) {
    const group = byGroup[groupOf(row.path)];
    group.primary++;
    if (at.has(`${row.path}:${row.line}`)) {
      found++;
      group.found++;
    } else misses.push(row);
  }
  const falsePositives: Finding[] = [];
  const traps: Finding[] = [];
  let truePositives = 0;
  let primaryReported = 0;
  let primaryTruePositives = 0;
  for (const f of findings) {
    const key = `${f.path}:${f.line}`;
    if (PRIMARY.has(f.kind)) {
      primaryReported++;
      if (known.has(key)) primaryTruePositives++;
    }
    if (known.has(key)) truePositives++;
    else if (trapLines.has(key) || trapFiles.has(f.path)) traps.push(f);
    else falsePositives.push(f);
  }
  const sites = findings.filter((f) => SITE_KINDS.has(f.kind));
  return {
    repo,
    sites: sites.length,
    sitesWithOrigin: sites.filter((f) => f.origin).length,
    sitesWithoutOrigin: sites.filter((f) => !f.origin),
    primary: primaryRows.length,
    found,
    reported: findings.length,
    truePositives,
    trapHits: traps.length,
    primaryReported,
    primaryTruePositives,
    byGroup,
    misses,
    falsePositives,
    traps,
    ms,
  };
}

const pct = (a: number, b: number) => (b === 0 ? "—" : `${((100 * a) / b).toFixed(1)}%`);

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      truth: { type: "string" },
      repo: { type: "string", multiple: true },
      json: { type: "boolean" },
      details: { type: "boolean" },
    },
  });
  const corpus = path.resolve(positionals[0] ?? "../corpus");
  const truthDir = path.resolve(values.truth ?? path.join(import.meta.dirname, "../../shared/reference/truth"));
  if (!existsSync(corpus) || !existsSync(truthDir)) {
    console.error(
      `corpus (${corpus}) or truth (${truthDir}) folder not found; fetch the corpus first (see CONTRIBUTING.md)`,
    );
    process.exitCode = 2;
    return;
  }
  const scores: Score[] = [];
  for (const file of readdirSync(truthDir)
    .filter((f) => f.endsWith(".tsv"))
    .sort()) {
    const repo = file.replace(/\.tsv$/, "");
    if (values.repo && !values.repo.includes(repo)) continue;
    const dir = path.join(corpus, repo);
    if (!existsSync(dir)) continue;
    scores.push(await scoreRepo(repo, dir, readTruth(path.join(truthDir, file))));
  }
  if (values.json) {
    console.log(JSON.stringify(scores, null, 2));
    return;
  }
  const sum = (pick: (s: Score) => number) => scores.reduce((n, s) => n + pick(s), 0);
  console.log(
    "| repo | primary | found | recall | reported | TP | FP | trap hits | precision | primary-kind precision | ms |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|---|");
  for (const s of scores) {
    const fp = s.reported - s.truePositives - s.trapHits;
    console.log(
      `| ${s.repo} | ${s.primary} | ${s.found} | ${pct(s.found, s.primary)} | ${s.reported} | ${s.truePositives} | ${fp} | ${s.trapHits} | ${pct(s.truePositives, s.reported)} | ${pct(s.primaryTruePositives, s.primaryReported)} | ${s.ms.toFixed(0)} |`,
    );
  }
  const reported = sum((s) => s.reported);
  const tp = sum((s) => s.truePositives);
  console.log(
    `| **all** | ${sum((s) => s.primary)} | ${sum((s) => s.found)} | ${pct(
      sum((s) => s.found),
      sum((s) => s.primary),
    )} | ${reported} | ${tp} | ${reported - tp - sum((s) => s.trapHits)} | ${sum((s) => s.trapHits)} | ${pct(tp, reported)} | ${pct(
      sum((s) => s.primaryTruePositives),
      sum((s) => s.primaryReported),
    )} | ${sum((s) => s.ms).toFixed(0)} |`,
  );
  console.log("");
  for (const group of ["python", "js-ts", "infra"] as const) {
    const primary = sum((s) => s.byGroup[group].primary);
    const found = sum((s) => s.byGroup[group].found);
    console.log(`${group}: recall ${pct(found, primary)} (${found}/${primary})`);
  }
  const sites = sum((s) => s.sites);
  const withOrigin = sum((s) => s.sitesWithOrigin);
  console.log(`origin: ${pct(withOrigin, sites)} of client and call-site findings (${withOrigin}/${sites})`);
  if (values.details) {
    for (const s of scores) {
      for (const m of s.misses) console.log(`MISS  ${s.repo}/${m.path}:${m.line} ${m.kind} ${m.what}`);
      for (const f of s.falsePositives)
        console.log(`FP    ${s.repo}/${f.path}:${f.line} ${f.kind} ${f.operation ?? f.resourceType ?? ""}`);
      for (const f of s.traps)
        console.log(`TRAP  ${s.repo}/${f.path}:${f.line} ${f.kind} ${f.operation ?? f.resourceType ?? ""}`);
    }
    for (const s of scores) {
      for (const f of s.sitesWithoutOrigin)
        console.log(`NO-ORIGIN ${s.repo}/${f.path}:${f.line} ${f.kind} ${f.operation ?? ""}`);
    }
  }
}

await main();
