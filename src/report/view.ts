import type { CostLine, CostTotal } from "../cost/model.js";
import type { ReadinessStatus, TargetId } from "../platforms/types.js";
import { PLATFORMS } from "../platforms/index.js";
import type { Report } from "./model.js";
import { formatTotal, formatUsd, plural } from "./summary.js";

/** Shapes shared by the human-facing renderers (markdown, html, table); pure functions of the report. */

export const STATUSES: readonly ReadinessStatus[] = ["supported", "via shim", "via native SDK", "manual"];

export function targetName(target: string): string {
  return target === "aws" ? "AWS Batch today" : (PLATFORMS[target as TargetId]?.name ?? target);
}

export function selectedTargets(report: Report): TargetId[] {
  return report.targets?.selected ?? [];
}

/** The scenario the comparison is made in: monthly when every total has usage, else one run. */
export function headlineScenario(report: Report): "monthly" | "per-run" {
  return report.cost?.totals.some((t) => t.scenario === "monthly" && t.workload === undefined) ? "monthly" : "per-run";
}

export function scenarioLabel(scenario: string): string {
  return scenario === "monthly" ? "per month" : scenario === "per-run" ? "per run" : "if fully busy, per month";
}

export function grandTotal(report: Report, platform: string, scenario: string): CostTotal | undefined {
  return report.cost?.totals.find(
    (t) => t.platform === platform && t.scenario === scenario && t.workload === undefined,
  );
}

export function totalText(report: Report, platform: string, scenario: string, workload?: string): string {
  const total = report.cost?.totals.find(
    (t) => t.platform === platform && t.scenario === scenario && t.workload === workload,
  );
  return total ? formatTotal(total) : "—";
}

export function readinessCounts(
  report: Report,
  target: TargetId,
  kind: "job-definition" | "call-site",
): Record<ReadinessStatus, number> {
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<ReadinessStatus, number>;
  for (const entry of report.targets?.readiness ?? [])
    if (entry.target === target && entry.subjectKind === kind) counts[entry.status]++;
  return counts;
}

export function totalEffort(report: Report, target: TargetId): number {
  return (report.workloads ?? []).reduce((sum, w) => sum + (w.effort[target] ?? 0), 0);
}

export function unitPriceText(line: CostLine): string {
  return line.unitPrice === null ? "no price" : `$${roundPrice(line.unitPrice)}/${line.unit}`;
}

export function costText(line: CostLine): string {
  if (line.cost === null) return `no price: ${line.noPrice ?? ""}`;
  const range =
    line.range && formatUsd(line.range.min) !== formatUsd(line.range.max)
      ? ` (range ${formatUsd(line.range.min)}–${formatUsd(line.range.max)})`
      : "";
  return `${formatUsd(line.cost)}${range}${line.pin ? ` (pinned: ${line.pin})` : ""}`;
}

export function roundPrice(value: number): string {
  return String(Number(value.toPrecision(4)));
}

export function quantityText(line: CostLine): string {
  return `${Number(line.quantity.toPrecision(6))} ${line.unit}${line.quantity === 1 ? "" : "s"}`;
}

export function priceSourcesText(line: CostLine): string {
  return line.prices.map((p) => `${p.sourceId} (${p.date})`).join("; ") || "—";
}

export function savingsText(aws: number | null, target: number | null | undefined): string {
  if (aws === null || target === null || target === undefined) return "n/a";
  const delta = aws - target;
  const percent = aws > 0 ? ` (${delta >= 0 ? "−" : "+"}${Math.abs(Math.round((delta / aws) * 100))}%)` : "";
  return `${delta >= 0 ? "saves" : "costs"} ${formatUsd(Math.abs(delta))}${percent}`;
}

export function location(path: string, line: number): string {
  return `${path}:${line}`;
}

/** The repository's name for titles: the report's `project`, else the last segment of its root. */
export function projectName(report: Report): string {
  if (report.project) return report.project;
  const segments = report.root
    .replace(/\/+$/, "")
    .split("/")
    .filter((s) => s && s !== ".");
  return segments.at(-1) ?? report.root;
}

export interface HeadlineFigure {
  target: TargetId;
  total: CostTotal | undefined;
  savings: string;
}

/** How sure the figures are: workloads whose AWS figure comes from the usage file, assumed, or unpriced. */
export interface Confidence {
  workloads: number;
  fromUsage: number;
  assumedVolume: number;
  assumedEnvironment: number;
  unpriced: number;
}

export function confidence(report: Report): Confidence {
  const scenario = headlineScenario(report);
  const result: Confidence = { workloads: 0, fromUsage: 0, assumedVolume: 0, assumedEnvironment: 0, unpriced: 0 };
  for (const workload of report.workloads ?? []) {
    result.workloads++;
    const lines = (report.cost?.lines ?? []).filter(
      (l) => l.subject === workload.id && l.platform === "aws" && l.scenario === scenario,
    );
    if (lines.length === 0 || lines.some((l) => l.cost === null)) result.unpriced++;
    else if (lines.every((l) => l.fromUsage)) result.fromUsage++;
    else result.assumedVolume++;
    if (lines.some((l) => l.range?.assumed)) result.assumedEnvironment++;
  }
  return result;
}

/** The one answer: what AWS costs today against each target, the saving, and how sure that is. */
export function headline(report: Report): {
  scenario: "monthly" | "per-run";
  aws: CostTotal | undefined;
  figures: HeadlineFigure[];
  confidence: Confidence;
} {
  const scenario = headlineScenario(report);
  const aws = grandTotal(report, "aws", scenario);
  const figures = selectedTargets(report).map((target) => {
    const total = grandTotal(report, target, scenario);
    const comparable = aws && total && aws.unpricedLines === 0 && total.unpricedLines === 0;
    return { target, total, savings: comparable ? savingsText(aws.cost, total.cost) : "n/a" };
  });
  return { scenario, aws, figures, confidence: confidence(report) };
}

/** The headline as plain text (escape it for the format). */
export function headlineText(report: Report): { figures: string; confidence: string } {
  const { scenario, aws, figures, confidence: c } = headline(report);
  const label = scenario === "monthly" ? "/month" : " per run of each job definition";
  const show = (total: CostTotal | undefined) => (total ? formatTotal(total) : "no price");
  const parts = figures.map(
    (f) => `${targetName(f.target)} ${show(f.total)}${f.savings !== "n/a" ? `, ${f.savings}` : ""}`,
  );
  const text = `AWS Batch today ${show(aws)}${label} → ${parts.join("; ") || "no target selected"}`;
  const notes = [
    `${c.fromUsage} of ${plural(c.workloads, "workload")} priced from usage`,
    c.assumedVolume
      ? `${c.assumedVolume} assumed (${scenario === "monthly" ? "no usage entry" : "one run each, no usage file"})`
      : "",
    c.unpriced ? `${c.unpriced} without an AWS price` : "",
    c.assumedEnvironment ? `${c.assumedEnvironment} on an assumed compute environment` : "",
  ].filter(Boolean);
  const share = c.workloads ? Math.round((100 * c.fromUsage) / c.workloads) : 0;
  return { figures: text, confidence: `confidence ${share}%: ${notes.join(", ")}` };
}
