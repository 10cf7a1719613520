import { statSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { isAtOrAbove } from "../core/rules.js";
import { DEFAULT_FILE_TIMEOUT_MS } from "../core/budget.js";
import { DEFAULT_MAX_FILE_BYTES, scanTree } from "../core/scan.js";
import { UsageError } from "../core/errors.js";
import type { Category } from "../core/types.js";
import { SCANNERS } from "../scanners/index.js";
import { buildLinks } from "../link/index.js";
import { buildReport, reportTime, type Report } from "../report/model.js";
import { coverageLine } from "../report/summary.js";
import { FORMATS, type FormatName } from "../report/formats/index.js";
import { emit, formatElapsed, wantsProgress, type CommandIO } from "./io.js";
import { TOOL_VERSION } from "../core/version.js";
import { defineCommand } from "./command.js";

export interface ScanArgs {
  paths: string[];
  format?: string;
  output?: string;
  include?: string[];
  exclude?: string[];
  failOn?: Category;
  maxFileSize?: number;
  /** Threads in all, the main one included (default: one per core). */
  jobs?: number;
  /** Seconds one file may take a scanner. */
  fileTimeout?: number;
}

/** The `--file-timeout` option of the commands that scan. */
export const FILE_TIMEOUT_OPTION = {
  type: "number",
  describe: "Seconds one file may take a scanner before it is reported as scan/timeout and skipped",
  default: DEFAULT_FILE_TIMEOUT_MS / 1000,
} as const;

function fileTimeoutMs(seconds: number | undefined): number {
  if (seconds === undefined) return DEFAULT_FILE_TIMEOUT_MS;
  if (!(seconds > 0) || !Number.isFinite(seconds))
    throw new UsageError(
      `--file-timeout must be a positive number of seconds, not ${seconds}`,
      "e.g. --file-timeout 10",
    );
  return Math.ceil(seconds * 1000);
}

/** The most threads a scan starts, whatever --jobs asks. */
const MAX_JOBS = 16;

/**
 * Helper threads besides the main one: `--jobs` less one, else one per spare core. MIGRATE_SCAN_THREADS (helper
 * threads, 0 = the main thread only) stands over both, for tests.
 */
function scanThreads(env: NodeJS.ProcessEnv, jobs: number | undefined): number {
  const chosen = Number(env.MIGRATE_SCAN_THREADS);
  if (env.MIGRATE_SCAN_THREADS !== undefined && Number.isInteger(chosen) && chosen >= 0)
    return Math.min(chosen, MAX_JOBS - 1);
  if (jobs !== undefined) {
    if (!Number.isInteger(jobs) || jobs < 1)
      throw new UsageError(`--jobs ${jobs} is not a thread count`, "give 1 or more");
    return Math.min(jobs, MAX_JOBS) - 1;
  }
  return Math.min(availableParallelism(), MAX_JOBS) - 1;
}

/** Works out the scan root: one folder given is the root; otherwise the working directory. */
function resolveTargets(paths: string[], cwd: string): { root: string; label: string; paths?: string[] } {
  if (paths.length === 0) return { root: cwd, label: "." };
  const absolute = paths.map((p) => path.resolve(cwd, p));
  const infos = absolute.map((p, i) => {
    const info = statSync(p, { throwIfNoEntry: false });
    if (!info)
      throw new UsageError(`no such file or folder: ${paths[i]}`, "check the path, or run from the repository root");
    return info;
  });
  if (absolute.length === 1 && infos[0]!.isDirectory()) return { root: absolute[0]!, label: paths[0]! };
  const inside = absolute.every((p) => !path.relative(cwd, p).startsWith(".."));
  if (!inside) {
    const root = commonAncestor(absolute.map((p) => path.dirname(p)));
    return { root, label: path.relative(cwd, root) || ".", paths: absolute };
  }
  return { root: cwd, label: ".", paths: absolute };
}

function commonAncestor(dirs: string[]): string {
  let common = dirs[0]!;
  for (const dir of dirs.slice(1)) {
    while (common !== path.dirname(common) && path.relative(common, dir).startsWith(".."))
      common = path.dirname(common);
  }
  return common;
}

export function resolveFormat(format: string | undefined, io: CommandIO, allowed: readonly string[]): FormatName {
  const chosen = format ?? (io.stdout.isTTY ? "table" : "json");
  if (!allowed.includes(chosen) || !(chosen in FORMATS)) {
    throw new UsageError(`unknown format "${chosen}"`, `use one of: ${allowed.join(", ")}`);
  }
  return chosen as FormatName;
}

export async function runScanCommand(args: ScanArgs, io: CommandIO): Promise<{ report: Report; exitCode: number }> {
  const started = performance.now();
  const format = resolveFormat(args.format, io, ["table", "json"]);
  const timeoutMs = fileTimeoutMs(args.fileTimeout);
  const target = resolveTargets(args.paths, io.cwd);
  const progress = wantsProgress(io);
  let shown = 0;
  const scan = await scanTree({
    root: target.root,
    ...(target.paths ? { paths: target.paths } : {}),
    ...(args.include ? { include: args.include } : {}),
    ...(args.exclude ? { exclude: args.exclude } : {}),
    maxFileBytes: args.maxFileSize ?? DEFAULT_MAX_FILE_BYTES,
    fileTimeoutMs: timeoutMs,
    scanners: SCANNERS,
    threads: scanThreads(io.env, args.jobs),
    ...(progress
      ? {
          onProgress: (done: number, total: number) => {
            if (Math.floor(done / 500) === Math.floor(shown / 500)) return;
            shown = done;
            io.stderr.write(`\rscanning ${done}/${total} files`);
          },
        }
      : {}),
  });
  if (progress) io.stderr.write("\r\x1b[K");
  const report = buildReport(
    scan,
    { toolVersion: TOOL_VERSION, rootLabel: target.label, scannedAt: reportTime(io.env) },
    buildLinks(scan.findings, scan.inventory),
  );
  await emit(io, FORMATS[format](report), args.output);
  io.stderr.write(`${coverageLine(report)} (${formatElapsed(performance.now() - started)})\n`);
  return { report, exitCode: exitCodeFor(report, args.failOn) };
}

export function exitCodeFor(report: Report, failOn: Category | undefined): number {
  if (
    failOn &&
    report.findings.some((f) => f.kind !== "parse-error" && f.kind !== "info" && isAtOrAbove(f.category, failOn))
  )
    return 1;
  const unreadable = report.coverage.skipped.some((s) => s.reason === "not-utf8");
  return report.coverage.parseErrors > 0 || unreadable || report.coverage.scannerErrors.length > 0 ? 3 : 0;
}

const CATEGORIES = ["mandatory", "optional", "potential"] as const;

export default defineCommand({
  command: "scan [paths..]",
  describe: "Find every AWS Batch use: SDK calls, job definitions, queues, compute environments",
  builder: (y) =>
    y
      .positional("paths", {
        type: "string",
        array: true,
        default: [] as string[],
        describe: "Folders or files (default: .)",
      })
      .option("fail-on", { choices: CATEGORIES, describe: "Exit 1 when a finding is at or above this category" })
      .option("max-file-size", {
        type: "number",
        describe: "Skip files larger than this many bytes",
        default: DEFAULT_MAX_FILE_BYTES,
      })
      .option("jobs", { alias: "j", type: "number", describe: "Threads to scan with (default: one per core)" })
      .option("file-timeout", FILE_TIMEOUT_OPTION)
      .example("$0 scan", "scan the working directory, a table on a terminal")
      .example("$0 scan services/ --format json -o scan.json", "write the JSON report")
      .example("$0 scan --fail-on mandatory", "fail a CI job while Batch calls remain"),
  run: async (args, io) => {
    const { exitCode } = await runScanCommand(
      {
        paths: args.paths ?? [],
        ...(args.format ? { format: args.format } : {}),
        ...(args.output ? { output: args.output } : {}),
        ...(args.include ? { include: args.include } : {}),
        ...(args.exclude ? { exclude: args.exclude } : {}),
        ...(args.failOn ? { failOn: args.failOn } : {}),
        maxFileSize: args.maxFileSize,
        ...(args.jobs !== undefined ? { jobs: args.jobs } : {}),
        fileTimeout: args.fileTimeout,
      },
      io,
    );
    return exitCode;
  },
});
