// Runs `apply` in every mode on copies of each corpus repository with a Batch call site and measures what a reviewer
// would: files changed, sites rewritten / marked (by reason), files that fail to load, half-migrated files,
// second-run changes (over the tree, and on each rewritten file alone), unmarked calls the target does not serve,
// and silent no-ops (sites `scan` calls ready for the mode that apply neither rewrote nor listed). The corpus is
// never written: every mode runs on a copy under --work.
// Usage: npm run eval:apply -- <corpus-dir> [--repo <name>]… [--mode shim|native-cc|native-salad]… [--json] [--details]
//        [--target local] (shim mode with "target": "local" in each copy's migrate.config.json)
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { diffLines } from "diff";
import { runApply, type FileResult } from "../src/apply/runner.js";
import type { MigrationTarget } from "../src/apply/transform.js";
import { hasManualMarker } from "../src/apply/transform.js";
import { loadMigrateConfig } from "../src/apply/config.js";
import { runInitCommand } from "../src/commands/init.js";
import { namedAtCallSites } from "../src/deploy/call-site-names.js";
import { scanTree } from "../src/core/scan.js";
import type { Finding } from "../src/core/types.js";
import { isCallSite } from "../src/report/model.js";
import { SCANNERS } from "../src/scanners/index.js";
import { TRANSFORMS } from "../transforms/index.js";
import { LOCAL_ADMIN_OPERATIONS, servedOperations } from "../runtime/src/shim/core.js";
import { loadJs, prepareScratch, typeCheckTs } from "./eval-apply/load-js.js";
import { awsCallsOnTargetClients, rewrittenToTarget } from "./eval-apply/native-checks.js";
import {
  nativeMisuse,
  pythonClientMaker,
  pythonSurface,
  runtimeImportProblems,
  snakeCase,
} from "./eval-apply/python-checks.js";

const PROJECT = path.resolve(import.meta.dirname, "..");
const JOB_OPERATIONS = new Set(["SubmitJob", "DescribeJobs", "ListJobs", "CancelJob", "TerminateJob"]);
const SOURCE = /\.(py|[cm]?[jt]sx?)$/;

interface Mode {
  id: string;
  to: "shim" | "native";
  target: MigrationTarget;
  /** The target whose served operations a shim file is checked against. */
}
const MODES: Mode[] = [
  { id: "shim", to: "shim", target: "common-compute" },
  { id: "native-cc", to: "native", target: "common-compute" },
  { id: "native-salad", to: "native", target: "salad" },
];

interface Mapped {
  queues: number;
  queuesNamed: number;
  definitions: number;
  definitionsNamed: number;
}

interface Row {
  repo: string;
  mode: string;
  filesChanged: number;
  sites: number;
  rewritten: number;
  marked: number;
  failToLoad: number;
  halfMigrated: number;
  secondRun: number;
  /** Changes (or failures) of apply on each rewritten file alone, after the run over the tree. */
  secondRunAlone: number;
  unservedUnmarked: number;
  silentNoOps: number;
  applyFailed: number;
  reasons: Map<string, number>;
  details: string[];
  /** Native modes: the literal call-site names the config `init` wrote maps. */
  mapped?: Mapped;
}

function copyTree(from: string, to: string): void {
  rmSync(to, { recursive: true, force: true });
  cpSync(from, to, {
    recursive: true,
    filter: (source) => {
      const name = path.basename(source);
      if (name === ".git" || name === "node_modules") return false;
      const stat = statSync(source, { throwIfNoEntry: false });
      if (!stat || stat.isSymbolicLink()) return false;
      return (
        stat.isDirectory() ||
        SOURCE.test(name) ||
        /^(tsconfig.*|package)\.json$/.test(name) ||
        name === "migrate.config.json"
      );
    },
  });
}

/** Original line (1-based) → output line, through a line diff. */
function lineMap(before: string, after: string): (line: number) => number | undefined {
  const map = new Map<number, number>();
  let a = 1;
  let b = 1;
  for (const part of diffLines(before, after)) {
    const count = part.count ?? 0;
    if (part.added) b += count;
    else if (part.removed) a += count;
    else for (let i = 0; i < count; i++) map.set(a++, b++);
  }
  return (line) => map.get(line);
}

/** The marker above a site: the nearest marker line above it with no blank line between (a statement's comments). */
function markerAbove(lines: string[], line: number): string | undefined {
  for (let i = line - 2; i >= 0 && i >= line - 16; i--) {
    const text = lines[i] ?? "";
    if (hasManualMarker(text)) return text.slice(text.indexOf("—") + 1).trim();
    if (text.trim() === "") return undefined;
  }
  return undefined;
}

/** A marker's reason with names and literals taken out, so reasons group. */
function reasonClass(why: string): string {
  return why
    .replace(/`[^`]*`/g, "`…`")
    .replace(/"[^"]*"|'[^']*'/g, "…")
    .slice(0, 110);
}

function onShim(language: "python" | "javascript", code: string): boolean {
  if (language === "python")
    return /batch_migrate_runtime/.test(code) && !/^\s*(import boto3\b|from boto3\b)/m.test(code);
  return /batch-migrate-runtime\//.test(code) && !/['"](@aws-sdk\/client-batch|aws-sdk\/clients\/batch)['"]/.test(code);
}

/** Original line → output line of a file apply may have changed (identity when it did not). */
function outputLineOf(pristine: string, copy: string, relPath: string): (line: number) => number | undefined {
  const before = readFileSync(path.join(pristine, relPath), "utf8");
  const after = existsSync(path.join(copy, relPath)) ? readFileSync(path.join(copy, relPath), "utf8") : before;
  return before === after ? (line) => line : lineMap(before, after);
}

const NATIVE_CONSTRUCTOR = /\b(CommonCompute|SaladCloud)\(/;

/**
 * Unmarked calls of `file` still made (same line, unchanged) on a client whose origin line now constructs a native
 * client: `boto3.client("batch")` replaced by `CommonCompute()` in a helper while a caller keeps AWS calls on it.
 */
function callsOnReplacedClients(
  file: string,
  callSites: readonly Finding[],
  pristine: string,
  copy: string,
  outputLines: string[],
): string[] {
  const problems: string[] = [];
  const toOutput = outputLineOf(pristine, copy, file);
  const originLines = new Map<string, string[]>();
  const pristineLines = readFileSync(path.join(pristine, file), "utf8").split("\n");
  for (const site of callSites) {
    if (site.path !== file || !site.origin || !file.endsWith(".py")) continue;
    const line = toOutput(site.line);
    if (line === undefined || outputLines[line - 1] !== pristineLines[site.line - 1]) continue;
    if (markerAbove(outputLines, line) !== undefined) continue;
    const origin = site.origin;
    if (!originLines.has(origin.path)) {
      const abs = path.join(copy, origin.path);
      originLines.set(origin.path, existsSync(abs) ? readFileSync(abs, "utf8").split("\n") : []);
    }
    const originLine = outputLineOf(pristine, copy, origin.path)(origin.line);
    const made = originLine === undefined ? "" : (originLines.get(origin.path)![originLine - 1] ?? "");
    if (NATIVE_CONSTRUCTOR.test(made))
      problems.push(
        `${line} ${site.operation ?? site.kind} is made on the client of ${origin.path}:${originLine}, now \`${made.trim()}\``,
      );
  }
  return problems;
}

/**
 * The journey's own config: `init --target` on the copy writes the root migrate.config.json that apply reads
 * (nothing is added by hand). Returns how many of the queues and job definitions the call sites name by a literal
 * it maps for the target, as a native rewrite needs them.
 */
async function configure(copy: string, target: MigrationTarget, callSites: readonly Finding[]): Promise<Mapped> {
  const sink = { write: () => true } as unknown as NodeJS.WritableStream;
  await runInitCommand({ paths: [copy], force: true, target }, { stdout: sink, stderr: sink, cwd: copy, env: {} });
  const config = loadMigrateConfig(copy);
  const named = namedAtCallSites(callSites);
  const mapped: Mapped = { queues: 0, queuesNamed: named.queues.size, definitions: 0, definitionsNamed: 0 };
  for (const queue of named.queues.keys()) {
    const entry = config?.jobQueues.get(queue);
    if (entry && (target === "salad" || entry.commonCompute?.priority)) mapped.queues++;
  }
  for (const definition of named.definitions.keys()) {
    mapped.definitionsNamed++;
    const entry = config?.jobDefinitions.get(definition);
    if (entry && (target === "common-compute" || entry.salad?.queue)) mapped.definitions++;
  }
  return mapped;
}

async function evaluate(
  repo: string,
  pristine: string,
  work: string,
  mode: Mode,
  callSites: Finding[],
  scratch: string,
  surface: ReturnType<typeof pythonSurface>,
): Promise<Row> {
  const row: Row = {
    repo,
    mode: mode.id,
    filesChanged: 0,
    sites: 0,
    rewritten: 0,
    marked: 0,
    failToLoad: 0,
    halfMigrated: 0,
    secondRun: 0,
    secondRunAlone: 0,
    unservedUnmarked: 0,
    silentNoOps: 0,
    applyFailed: 0,
    reasons: new Map(),
    details: [],
  };
  const copy = path.join(work, `${repo}--${mode.id}`);
  copyTree(pristine, copy);
  if (mode.to === "native") row.mapped = await configure(copy, mode.target, callSites);
  const shimTarget = mode.to === "shim" && values.target ? values.target : mode.target;
  if (shimTarget !== mode.target) {
    const file = path.join(copy, "migrate.config.json");
    const existing = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as object) : {};
    writeFileSync(file, JSON.stringify({ ...existing, target: shimTarget }));
    if (shimTarget === "local")
      surface = { ...surface, shim: new Set([...surface.shim, ...LOCAL_ADMIN_OPERATIONS.map(snakeCase)]) };
  }
  const transforms = TRANSFORMS.filter((t) => t.to === mode.to);
  const before = new Map<string, string>();
  for (const f of new Set(callSites.map((s) => s.path))) before.set(f, readFileSync(path.join(copy, f), "utf8"));
  const first = await runApply({ root: copy, transforms, target: mode.target, write: true, allowDirty: true });
  const results = new Map(first.files.map((f) => [f.path, f]));
  for (const file of first.files) {
    if (file.status === "changed") row.filesChanged++;
    if (file.status === "failed") {
      row.applyFailed++;
      row.details.push(`apply failed ${file.path}: ${file.reason}`);
    }
    if (file.status === "changed" && !before.has(file.path))
      before.set(file.path, readFileSync(path.join(pristine, file.path), "utf8"));
  }
  const second = await runApply({ root: copy, transforms, target: mode.target, write: false, allowDirty: true });
  for (const file of second.files.filter((f) => f.status === "changed")) {
    row.secondRun++;
    row.details.push(`second run changes ${file.path}`);
  }
  // A later run on one file alone (`migrate apply that/file.py`) must change nothing either.
  for (const file of first.files.filter((f) => f.status === "changed")) {
    const alone = await runApply({
      root: copy,
      paths: [path.join(copy, file.path)],
      transforms,
      target: mode.target,
      write: false,
      allowDirty: true,
    });
    for (const again of alone.files.filter((f) => f.status === "changed" || f.status === "failed")) {
      row.secondRunAlone++;
      row.details.push(
        `apply on ${file.path} alone ${again.status === "changed" ? "changes" : "fails on"} ${again.path}`,
      );
    }
  }
  // Rescan the rewritten copy: what is still a Batch call, and where.
  const after = await scanTree({ root: copy, scanners: SCANNERS });
  const remaining = new Map<string, Finding[]>();
  for (const f of after.findings.filter(isCallSite)) remaining.set(f.path, [...(remaining.get(f.path) ?? []), f]);

  // A Python site is on the shim when the module that makes its client is (that module, not the site's file).
  const makerOnShim = (site: Finding, result: FileResult | undefined): boolean => {
    const readPristine = (relPath: string) =>
      existsSync(path.join(pristine, relPath)) ? readFileSync(path.join(pristine, relPath), "utf8") : undefined;
    const maker = pythonClientMaker(site, readPristine, result?.clientsFrom ?? []);
    return (
      maker !== undefined &&
      existsSync(path.join(copy, maker)) &&
      onShim("python", readFileSync(path.join(copy, maker), "utf8"))
    );
  };
  const ready = (f: Finding) => f.transforms.some((t) => transforms.some((x) => x.id === t));
  const bySite = new Map<string, Finding[]>();
  for (const s of callSites) bySite.set(s.path, [...(bySite.get(s.path) ?? []), s]);
  for (const [file, sites] of bySite) {
    const language = file.endsWith(".py") ? "python" : "javascript";
    const original = before.get(file)!;
    const output = readFileSync(path.join(copy, file), "utf8");
    const lines = output.split("\n");
    const toOutput = lineMap(original, output);
    const result = results.get(file);
    const outputSites = remaining.get(file) ?? [];
    // A marker that keeps the whole file where it was covers every site in it.
    const fileMarker =
      lines
        .filter((line) => hasManualMarker(line) && /this file stays on/.test(line))
        .map((line) => `file stays: ${line.slice(line.indexOf("—") + 1).trim()}`)[0] ??
      // Native mode leaves a file with any blocked site whole (on the shim where it can go); its movable sites stay too.
      (mode.to === "native" && output !== original && lines.some(hasManualMarker)
        ? "file left whole: other sites in it are marked"
        : undefined);
    const relevant = mode.to === "native" ? sites.filter((s) => s.operation && JOB_OPERATIONS.has(s.operation)) : sites;
    for (const site of relevant) {
      row.sites++;
      const outLine = toOutput(site.line);
      const stillThere = outLine !== undefined && outputSites.some((o) => o.line === outLine && o.kind === site.kind);
      // A file-wide marker covers the sites still in the file; a rewritten one is rewritten even beside markers
      // (native Python leaves infrastructure calls marked next to rewritten job calls).
      const why =
        (outLine !== undefined ? markerAbove(lines, outLine) : undefined) ??
        (mode.to === "native" && !stillThere && rewrittenToTarget(original, output, site.line)
          ? undefined
          : fileMarker);
      if (why !== undefined) {
        row.marked++;
        const key = reasonClass(why);
        row.reasons.set(key, (row.reasons.get(key) ?? 0) + 1);
        continue;
      }
      // Native: only a site whose own call became a target-client call (a site the rescan no longer sees because
      // its client's module moved to the shim was not rewritten).
      const rewritten =
        mode.to === "native"
          ? !stillThere && rewrittenToTarget(original, output, site.line)
          : language === "python"
            ? makerOnShim(site, result)
            : onShim(language, output);
      if (rewritten) {
        row.rewritten++;
        // A call reaching the shim through a factory in another module is checked against what the shim serves too.
        if (
          language === "python" &&
          mode.to === "shim" &&
          site.operation &&
          output === original &&
          !surface.shim.has(snakeCase(site.operation))
        ) {
          row.unservedUnmarked++;
          row.details.push(`unserved on the shim through its client's factory ${file}:${site.line} ${site.operation}`);
        }
        continue;
      }
      // Listed without a marker: the site itself, or the site that makes the client this file's calls use.
      const listedWhy =
        (outLine !== undefined ? result?.manual.find((m) => m.line === outLine)?.why : undefined) ??
        (output === original ? result?.manual.find((m) => /Batch client/.test(m.why))?.why : undefined) ??
        // The marker sits on the call that sends what the site builds (`send(command)` below `new SubmitJobCommand`).
        (mode.to === "native" && site.operation
          ? result?.manual.find((m) => m.why.startsWith(`${site.operation} `))?.why
          : undefined);
      if (listedWhy !== undefined) {
        row.marked++;
        const key = `listed: ${reasonClass(listedWhy)}`;
        row.reasons.set(key, (row.reasons.get(key) ?? 0) + 1);
        continue;
      }
      if (ready(site)) {
        row.silentNoOps++;
        row.details.push(`silent no-op ${file}:${site.line} ${site.operation ?? site.kind}`);
      }
    }
  }

  // Loading and serving checks on every file apply changed.
  for (const file of first.files.filter((f) => f.status === "changed")) {
    const abs = path.join(copy, file.path);
    const output = readFileSync(abs, "utf8");
    const original = before.get(file.path) ?? readFileSync(path.join(pristine, file.path), "utf8");
    const lines = output.split("\n");
    const problems: string[] = [];
    if (file.path.endsWith(".py")) {
      problems.push(...runtimeImportProblems(PROJECT, output));
      for (const misuse of nativeMisuse(output, surface)) {
        if (markerAbove(lines, misuse.line) !== undefined) continue;
        row.unservedUnmarked++;
        row.details.push(`unserved ${file.path}:${misuse.line} ${misuse.what}`);
      }
      if (onShim("python", output)) {
        for (const site of remaining.get(file.path) ?? []) {
          if (!site.operation || surface.shim.has(snakeCase(site.operation))) continue;
          if (markerAbove(lines, site.line) !== undefined) continue;
          row.unservedUnmarked++;
          row.details.push(`unserved on the shim ${file.path}:${site.line} ${site.operation}`);
        }
      }
    } else {
      if (/\.[cm]?tsx?$/.test(file.path)) problems.push(...typeCheckTs(scratch, copy, abs, original, output).problems);
      else problems.push(...loadJs(scratch, abs, output).problems);
      if (onShim("javascript", output)) {
        for (const site of remaining.get(file.path) ?? []) {
          if (!site.operation || servedOperations(shimTarget).includes(site.operation)) continue;
          if (markerAbove(lines, site.line) !== undefined) continue;
          row.unservedUnmarked++;
          row.details.push(`unserved on the shim ${file.path}:${site.line} ${site.operation}`);
        }
      }
    }
    if (problems.length > 0) {
      row.failToLoad++;
      row.details.push(...problems.map((p) => `fails to load ${file.path}: ${p}`));
    }
    // Half-migrated: a native client is in, yet an unmarked Batch call is still made through the real SDK.
    const hasNative =
      /^\s*from batch_migrate_runtime import .*\b(CommonCompute|SaladCloud)\b/m.test(output) ||
      /batch-migrate-runtime\/(common-compute|salad)['"]/.test(output);
    const language = file.path.endsWith(".py") ? "python" : "javascript";
    // A native-rewritten JS file imports a `batch-migrate-runtime/` client too: only the shim's modules put it on the shim.
    const keptOnShim =
      language === "python"
        ? onShim(language, output)
        : /batch-migrate-runtime\/(client-batch|aws-sdk-v2)['"]/.test(output) && onShim(language, output);
    const unmarked =
      hasNative && !keptOnShim
        ? (remaining.get(file.path) ?? [])
            .filter((s) => markerAbove(lines, s.line) === undefined)
            .map((s) => `${s.line} ${s.operation ?? s.kind}`)
        : [];
    // Each call made on a client the file re-created as a target client, whatever else the file keeps.
    if (hasNative && language === "javascript")
      for (const call of awsCallsOnTargetClients(output, (line) => markerAbove(lines, line) !== undefined))
        if (!unmarked.some((u) => u.startsWith(`${call.line} `)))
          unmarked.push(`${call.line} ${call.call} on a target client`);
    if (unmarked.length > 0) {
      row.halfMigrated++;
      row.details.push(`half-migrated ${file.path}: ${unmarked.join(", ")}`);
    }
  }
  // A call left on a client whose constructor (in this file or the module that makes it) now builds a native
  // client: checked through the scanner's origin of each original call, so tuple helpers and factories count.
  for (const file of bySite.keys()) {
    if (!file.endsWith(".py")) continue;
    const lines = readFileSync(path.join(copy, file), "utf8").split("\n");
    for (const misuse of callsOnReplacedClients(file, callSites, pristine, copy, lines)) {
      row.unservedUnmarked++;
      row.details.push(`unserved ${file}:${misuse}`);
    }
  }
  return row;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    repo: { type: "string", multiple: true },
    mode: { type: "string", multiple: true },
    work: { type: "string" },
    json: { type: "boolean", default: false },
    details: { type: "boolean", default: false },
    target: { type: "string" },
  },
});
const corpus = path.resolve(positionals[0] ?? "../corpus");
const work = path.resolve(values.work ?? path.join(os.tmpdir(), "batch-migrate-eval-apply"));
mkdirSync(work, { recursive: true });
if (work.startsWith(corpus + path.sep) || work === corpus) throw new Error("--work must be outside the corpus");
const started = performance.now();
const scratch = prepareScratch(PROJECT, work);
const surface = pythonSurface(PROJECT);
const modes = MODES.filter((m) => !values.mode || values.mode.includes(m.id));
const repos = (values.repo ?? (await import("node:fs")).readdirSync(corpus).sort()).filter((r) =>
  statSync(path.join(corpus, r)).isDirectory(),
);
const rows: Row[] = [];
for (const repo of repos) {
  const pristine = path.join(corpus, repo);
  const scan = await scanTree({ root: pristine, scanners: SCANNERS });
  const callSites = scan.findings
    .filter((f) => (f.language === "python") === f.path.endsWith(".py"))
    .filter(
      (f) =>
        isCallSite(f) &&
        (f.language === "python" || f.language === "javascript" || f.language === "typescript") &&
        SOURCE.test(f.path),
    );
  if (callSites.length === 0) continue;
  for (const mode of modes) {
    const row = await evaluate(repo, pristine, work, mode, callSites, scratch, surface);
    rows.push(row);
    process.stderr.write(`${repo} ${mode.id}: ${row.filesChanged} changed\n`);
  }
}

const COLUMNS = [
  ["filesChanged", "changed"],
  ["sites", "sites"],
  ["rewritten", "rewritten"],
  ["marked", "marked"],
  ["failToLoad", "no-load"],
  ["halfMigrated", "half"],
  ["secondRun", "2nd-run"],
  ["secondRunAlone", "alone"],
  ["unservedUnmarked", "unserved"],
  ["silentNoOps", "silent"],
  ["applyFailed", "failed"],
] as const;

if (values.json) {
  process.stdout.write(
    `${JSON.stringify(
      rows.map((r) => ({ ...r, reasons: Object.fromEntries(r.reasons) })),
      null,
      2,
    )}\n`,
  );
} else {
  const header = ["repo", "mode", ...COLUMNS.map(([, h]) => h)];
  const table = rows.map((r) => [r.repo, r.mode, ...COLUMNS.map(([k]) => String(r[k]))]);
  for (const mode of modes) {
    const of = rows.filter((r) => r.mode === mode.id);
    table.push(["TOTAL", mode.id, ...COLUMNS.map(([k]) => String(of.reduce((n, r) => n + r[k], 0)))]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i]!.length)));
  const format = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  process.stdout.write(`${format(header)}\n${table.map(format).join("\n")}\n`);
  for (const mode of modes.filter((m) => m.to === "native")) {
    const of = rows.filter((r) => r.mode === mode.id);
    const sites = of.reduce((n, r) => n + r.sites, 0);
    const rewritten = of.reduce((n, r) => n + r.rewritten, 0);
    const sum = (key: keyof Mapped) => of.reduce((n, r) => n + (r.mapped?.[key] ?? 0), 0);
    process.stdout.write(
      `${mode.id}: ${rewritten}/${sites} job-operation sites rewritten (${sites ? Math.round((100 * rewritten) / sites) : 0}%); ` +
        `the config init wrote maps ${sum("queues")}/${sum("queuesNamed")} queues and ${sum("definitions")}/${sum("definitionsNamed")} job definitions the call sites name\n`,
    );
  }
  const reasons = new Map<string, number>();
  for (const r of rows)
    for (const [k, v] of r.reasons) reasons.set(`${r.mode}: ${k}`, (reasons.get(`${r.mode}: ${k}`) ?? 0) + v);
  process.stdout.write("\nmarkers by reason:\n");
  for (const [k, v] of [...reasons].sort((a, b) => b[1] - a[1]))
    process.stdout.write(`  ${String(v).padStart(4)}  ${k}\n`);
  if (values.details)
    for (const r of rows) for (const d of r.details) process.stdout.write(`${r.repo} ${r.mode}: ${d}\n`);
  process.stdout.write(
    `\n${rows.length} runs in ${((performance.now() - started) / 1000).toFixed(1)}s; copies in ${work}\n`,
  );
}
