import { isCallSite, type Report } from "./model.js";

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** The line every run ends with: what was scanned and what was found. */
export function coverageLine(report: Report): string {
  const sites = report.findings.filter(isCallSite);
  const shim = sites.filter((f) => f.transforms.some((t) => t.endsWith("-to-shim")) && f.transforms.length > 0).length;
  const native = sites.filter((f) => f.transforms.some((t) => t.endsWith("-to-native"))).length;
  const manual = sites.filter((f) => f.transforms.length === 0).length;
  const infra = report.findings.filter((f) => /^(tf|cfn|cdk|jobdef)-/.test(f.kind)).length;
  const inv = report.inventory;
  const parts = [
    plural(report.coverage.filesRead, "file"),
    `${plural(sites.length, "call site")}: ${shim} shim-ready, ${native} SDK-ready, ${manual} manual`,
    plural(infra, "infrastructure definition"),
    plural(inv.jobDefinitions.length, "job definition"),
    plural(inv.jobQueues.length, "job queue"),
    plural(inv.computeEnvironments.length, "compute environment"),
  ];
  if (report.coverage.skipped.length) parts.push(`${report.coverage.skipped.length} skipped`);
  if (report.coverage.parseErrors) parts.push(plural(report.coverage.parseErrors, "parse error"));
  for (const error of report.coverage.scannerErrors ?? [])
    parts.push(`the ${error.scanner} scanner failed: ${error.message}`);
  return parts.join("; ");
}

export function formatUsd(value: number): string {
  return value >= 100 ? `$${value.toFixed(0)}` : value >= 1 ? `$${value.toFixed(2)}` : `$${value.toPrecision(2)}`;
}

/** The cost line of `migrate report`: AWS today against each target, in the scenario the usage allows. */
export function costLine(report: Report): string {
  const cost = report.cost;
  if (!cost) return "no cost estimate";
  const scenario = cost.totals.some((t) => t.scenario === "monthly" && t.workload === undefined)
    ? "monthly"
    : "per-run";
  const parts = cost.totals
    .filter((t) => t.workload === undefined && t.scenario === scenario)
    .map((t) => `${t.platform} ${formatTotal(t)}`);
  const label = scenario === "monthly" ? "per month" : "one run of each job definition";
  return `cost ${label}: ${parts.join(", ")}${report.cost?.warnings.length ? `; ${report.cost.warnings.length} warning(s)` : ""}`;
}

/** A total as shown: "no price" when nothing in it is priced, never $0; a range as `$min–$max`. */
export function formatTotal(total: { cost: number | null; unpricedLines: number; min?: number; max?: number }): string {
  if (total.cost === null) return "no price";
  const range =
    total.min !== undefined && total.max !== undefined && formatUsd(total.min) !== formatUsd(total.max)
      ? ` (range ${formatUsd(total.min)}–${formatUsd(total.max)})`
      : "";
  return `${formatUsd(total.cost)}${range}${total.unpricedLines ? ` + ${total.unpricedLines} unpriced` : ""}`;
}
