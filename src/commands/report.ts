import { existsSync, readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { InputError, UsageError } from "../core/errors.js";
import type { Category } from "../core/types.js";
import { REPORT_VERSION, type Report } from "../report/model.js";
import { FORMATS } from "../report/formats/index.js";
import { findS3Uses, jobCodeCandidates } from "../report/job-code.js";
import { mergeReports, repositoryNames, withRepositoryFigures } from "../report/merge.js";
import { TOOL_VERSION } from "../core/version.js";
import { coverageLine, costLine } from "../report/summary.js";
import type { TargetId } from "../platforms/types.js";
import { PLATFORMS } from "../platforms/index.js";
import { defineCommand } from "./command.js";
import { emit, formatElapsed, type CommandIO } from "./io.js";
import { exitCodeFor, FILE_TIMEOUT_OPTION, resolveFormat, runScanCommand } from "./scan.js";

const REPORT_FORMATS = ["markdown", "html", "json", "sarif", "table"] as const;
const TARGET_CHOICES = ["common-compute", "salad", "all"] as const;
export const USAGE_FILE_NAME = "migrate-usage.yml";

export interface ReportArgs {
  paths: string[];
  from?: string;
  target: (typeof TARGET_CHOICES)[number];
  usageFile?: string;
  pricesFile?: string;
  format?: string;
  output?: string;
  include?: string[];
  exclude?: string[];
  failOn?: Category;
  /** JSON reports of several repositories to combine into one. */
  merge?: string[];
  /** A folder of such reports (every `.json` file in it). */
  mergeDir?: string;
  /** Seconds one file may take a scanner. */
  fileTimeout?: number;
}

/** The reports `--merge` and `--merge-dir` name, combined (src/report/merge.ts). */
async function readMerged(args: ReportArgs, cwd: string): Promise<Report> {
  const files = (args.merge ?? []).map((file) => path.resolve(cwd, file));
  if (args.mergeDir) {
    const dir = path.resolve(cwd, args.mergeDir);
    let names: string[];
    try {
      names = readdirSync(dir).filter((name) => name.endsWith(".json"));
    } catch (error) {
      throw new InputError(
        `cannot read ${args.mergeDir}: ${(error as Error).message}`,
        "give a folder of JSON reports",
      );
    }
    files.push(...names.sort().map((name) => path.join(dir, name)));
  }
  if (files.length === 0)
    throw new UsageError("nothing to merge", "give JSON reports to --merge or a folder to --merge-dir");
  const reports = await Promise.all(files.map(async (file) => ({ file, report: await readScanReport(file) })));
  const names = repositoryNames(reports);
  const root = args.mergeDir ?? `${reports.length} repositories`;
  return mergeReports(
    reports.map(({ report }, i) => ({ name: names[i]!, report })),
    { toolVersion: TOOL_VERSION, root },
  ) as Report;
}

async function readScanReport(file: string): Promise<Report> {
  let report: Report;
  try {
    report = JSON.parse(await readFile(file, "utf8")) as Report;
  } catch (error) {
    throw new InputError(
      `cannot read ${file}: ${(error as Error).message}`,
      "give a report written by `migrate report --format json` or `migrate scan --format json`",
    );
  }
  if (report.version !== REPORT_VERSION || !Array.isArray(report.findings) || !report.inventory) {
    throw new InputError(
      `${file} is not a version ${REPORT_VERSION} report`,
      "re-create it with `migrate report --format json`",
    );
  }
  return report;
}

/** S3 uses in the code each job definition's command runs, for the egress gap. */
async function s3UsesOf(
  report: Report,
  root: string,
): Promise<Record<string, { path: string; line: number; text: string }[]>> {
  const uses: Record<string, { path: string; line: number; text: string }[]> = {};
  for (const definition of report.inventory.jobDefinitions) {
    const command = Array.isArray(definition.properties.command)
      ? definition.properties.command.filter((c): c is string => typeof c === "string")
      : [];
    for (const candidate of jobCodeCandidates(command)) {
      const file = path.join(root, candidate);
      if (!existsSync(file)) continue;
      const found = findS3Uses(candidate, await readFile(file, "utf8"));
      if (found.length) uses[definition.id] = [...(uses[definition.id] ?? []), ...found];
    }
  }
  return uses;
}

function reportDate(report: Report): Date {
  const parsed = Date.parse(report.scannedAt);
  return Number.isNaN(parsed) ? new Date() : new Date(parsed);
}

export async function runReportCommand(args: ReportArgs, io: CommandIO): Promise<{ report: Report; exitCode: number }> {
  const started = performance.now();
  const format = resolveFormat(args.format, io, REPORT_FORMATS);
  const merging = args.merge !== undefined || args.mergeDir !== undefined;
  if ((args.from || merging) && args.paths.length > 0)
    throw new UsageError("give either paths to scan or --from/--merge, not both");
  let scan: Report;
  let exitCode = 0;
  let root: string | undefined;
  if (merging) scan = await readMerged(args, io.cwd);
  else if (args.from) scan = await readScanReport(path.resolve(io.cwd, args.from));
  else {
    const silent: CommandIO = {
      ...io,
      stdout: { write: () => true } as unknown as CommandIO["stdout"],
      stderr: { write: () => true } as unknown as CommandIO["stderr"],
    };
    const scanned = await runScanCommand(
      {
        paths: args.paths,
        format: "json",
        ...(args.include ? { include: args.include } : {}),
        ...(args.exclude ? { exclude: args.exclude } : {}),
        ...(args.fileTimeout !== undefined ? { fileTimeout: args.fileTimeout } : {}),
      },
      silent,
    );
    scan = scanned.report;
    exitCode = scanned.exitCode;
    root = path.resolve(io.cwd, args.paths.length === 1 ? args.paths[0]! : ".");
  }
  const usagePath =
    args.usageFile ??
    (root && existsSync(path.join(root, USAGE_FILE_NAME)) ? path.join(root, USAGE_FILE_NAME) : undefined);
  // Cost, prices and the YAML and schema libraries they use are loaded only when a report is analysed.
  const { loadUsageFile } = await import("../cost/usage.js");
  const usage = usagePath ? loadUsageFile(path.resolve(io.cwd, usagePath)) : undefined;
  if (usage) usage.path = path.relative(io.cwd, usage.path) || usage.path;
  const targets = (args.target === "all" ? Object.keys(PLATFORMS) : [args.target]) as TargetId[];
  const analysed = scan.targets && scan.cost && scan.targets.selected.join() === targets.join();
  if (args.from && analysed && !usage && !args.pricesFile) {
    await emit(io, FORMATS[format](scan), args.output);
    return { report: scan, exitCode: exitCodeFor(scan, args.failOn) };
  }
  const [{ loadPriceBook }, { analyzeReport }] = await Promise.all([
    import("../cost/prices.js"),
    import("../report/analysis.js"),
  ]);
  const { pricesInput } = await import("./prices.js");
  const prices = loadPriceBook(await pricesInput(args.pricesFile, io.cwd));
  const { targets: _targets, cost: _cost, workloads: _workloads, plan: _plan, ...bare } = scan;
  if (root && !bare.project) bare.project = path.basename(root);
  const report = withRepositoryFigures(
    analyzeReport(bare, {
      targets,
      prices,
      ...(usage ? { usage } : {}),
      s3Uses: root ? await s3UsesOf(scan, root) : {},
      now: reportDate(scan),
    }),
  );
  await emit(io, FORMATS[format](report), args.output);
  if (format !== "table") for (const warning of report.cost?.warnings ?? []) io.stderr.write(`warning: ${warning}\n`);
  io.stderr.write(`${coverageLine(report)}\n${costLine(report)} (${formatElapsed(performance.now() - started)})\n`);
  return { report, exitCode: exitCode === 3 ? 3 : exitCodeFor(report, args.failOn) };
}

export default defineCommand({
  command: "report [paths..]",
  describe: "Readiness, effort and cost of moving to Common Compute and SaladCloud",
  builder: (y) =>
    y
      .positional("paths", {
        type: "string",
        array: true,
        default: [] as string[],
        describe: "Folders or files to scan (default: .)",
      })
      .option("from", { type: "string", describe: "Re-render a JSON report instead of scanning" })
      .option("merge", { type: "array", string: true, describe: "Combine these repositories' JSON reports into one" })
      .option("merge-dir", { type: "string", describe: "Combine every JSON report in this folder into one" })
      .option("target", { choices: TARGET_CHOICES, default: "all" as const, describe: "Target platform(s) to analyse" })
      .option("usage-file", {
        type: "string",
        describe: `Usage assumptions (default: ${USAGE_FILE_NAME} in the scanned folder)`,
      })
      .option("prices-file", {
        type: "string",
        describe: "JSON price tables replacing the bundled ones, by source id (a file or an https:// URL)",
      })
      .option("fail-on", {
        choices: ["mandatory", "optional", "potential"] as const,
        describe: "Exit 1 when a finding is at or above this category",
      })
      .option("file-timeout", FILE_TIMEOUT_OPTION)
      .example("$0 report fixtures/projects/video-pipeline", "readiness and cost, a table on a terminal")
      .example("$0 report --format html -o report.html", "one self-contained HTML file")
      .example("$0 report --from report.json --format markdown", "re-render a saved JSON report")
      .example("$0 report --merge-dir reports/ --format html -o org.html", "one report over many repositories"),
  run: async (args, io) => {
    const { exitCode } = await runReportCommand(
      {
        paths: args.paths ?? [],
        target: args.target,
        ...(args.from ? { from: args.from } : {}),
        ...(args.merge ? { merge: args.merge } : {}),
        ...(args.mergeDir ? { mergeDir: args.mergeDir } : {}),
        ...(args.usageFile ? { usageFile: args.usageFile } : {}),
        ...(args.pricesFile ? { pricesFile: args.pricesFile } : {}),
        ...(args.format ? { format: args.format } : {}),
        ...(args.output ? { output: args.output } : {}),
        ...(args.include ? { include: args.include } : {}),
        ...(args.exclude ? { exclude: args.exclude } : {}),
        ...(args.failOn ? { failOn: args.failOn } : {}),
        fileTimeout: args.fileTimeout,
      },
      io,
    );
    return exitCode;
  },
});
