import type { CostLine, CostTotal } from "../cost/model.js";
import type { ReadinessStatus, TargetId } from "../platforms/types.js";
import { PLATFORMS } from "../platforms/index.js";
import type { Report } from "./model.js";
import { formatTotal, formatUsd } from "./summary.js";

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
  return line.cost === null ? `no price: ${line.noPrice ?? ""}` : formatUsd(line.cost);
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
