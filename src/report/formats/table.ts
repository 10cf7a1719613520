import {
  STATUSES,
  headlineScenario,
  readinessCounts,
  scenarioLabel,
  selectedTargets,
  targetName,
  totalEffort,
  totalText,
} from "../view.js";
import type { Report } from "../model.js";
import type { TargetId } from "../../platforms/types.js";
import { orchestrationSummary, orchestrationTasks, readinessText } from "../orchestration.js";
import { visible } from "../escape.js";
import { crossRepositoryLinks, reportHeadline, repositoryTable } from "../organisation.js";

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + " ".repeat(width - text.length);
}

/** A terminal table: one row per finding, grouped by file. */
export default function renderTable(report: Report): string {
  // Repository text reaches a terminal: control characters (escape sequences) are shown, never sent.
  const rows = report.findings.map((f) => [
    visible(`${f.path}:${f.line}:${f.column}`),
    f.category,
    f.ruleId,
    visible(
      [f.operation ?? f.resourceType ?? "", f.name ?? "", f.dynamic ? "(dynamic)" : ""].filter(Boolean).join(" "),
    ),
  ]);
  if (rows.length === 0) return "No AWS Batch use found.\n";
  const header = ["location", "category", "rule", "what"];
  const widths = header.map((h, i) => Math.min(70, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : pad(c, widths[i]!)))
      .join("  ")
      .trimEnd();
  const out = [line(header), line(widths.map((w) => "-".repeat(w)))];
  for (const row of rows) out.push(line(row));
  const skipped = report.coverage.skipped;
  if (skipped.length > 0) {
    out.push("", `Skipped ${skipped.length} file(s):`);
    for (const s of skipped.slice(0, 20)) out.push(`  ${visible(s.path)}: ${s.reason} — ${visible(s.hint)}`);
    if (skipped.length > 20) out.push(`  … and ${skipped.length - 20} more (see --format json)`);
  }
  out.push(...readinessAndCost(report));
  return `${out.join("\n")}\n`;
}

/** A merged report's rows per repository, the totals under them, and the references across repositories. */
function repositoryLines(report: Report): string[] {
  if (!report.repositories) return [];
  const repositories = repositoryTable(report);
  const rows = [repositories.header, ...repositories.rows, repositories.total!].map((row) => row.map(visible));
  const widths = repositories.header.map((_, i) => Math.min(40, Math.max(...rows.map((row) => row[i]!.length))));
  const out = [
    "",
    "Repositories",
    ...rows.map(
      (row) =>
        `  ${row
          .map((c, i) => pad(c, widths[i]!))
          .join("  ")
          .trimEnd()}`,
    ),
  ];
  const crossing = crossRepositoryLinks(report).rows;
  if (crossing.length) out.push("", "Links across repositories");
  for (const [from, uses, name, declared] of crossing)
    out.push(`  ${visible(from!)} uses the ${uses} ${visible(name!)} declared at ${visible(declared!)}`);
  return out;
}

/** The report command's extra block: readiness, effort and cost per target. */
function readinessAndCost(report: Report): string[] {
  if (!report.targets) return [];
  const scenario = headlineScenario(report);
  const out = [
    "",
    `Target readiness and cost ${scenarioLabel(scenario)} (AWS Batch today: ${totalText(report, "aws", scenario)})`,
  ];
  for (const target of selectedTargets(report)) {
    const counts = readinessCounts(report, target, "job-definition");
    out.push(
      `  ${pad(targetName(target), 16)}${STATUSES.map((s) => `${counts[s]} ${s}`).join(", ")}; ${totalEffort(report, target)} effort points; ${totalText(report, target, scenario)}`,
    );
  }
  if (report.cost)
    out.push(`  ${visible(reportHeadline(report).figures)}`, `  ${visible(reportHeadline(report).confidence)}`);
  for (const warning of report.cost?.warnings ?? []) out.push(`  warning: ${visible(warning)}`);
  out.push(...repositoryLines(report));
  const tasks = orchestrationTasks(report);
  if (tasks.length) out.push("", `Orchestration: ${orchestrationSummary(tasks)}`);
  for (const task of tasks)
    out.push(
      `  ${visible(`${task.path}:${task.line}`)}  ${task.orchestrator} ${visible(task.task)} ${task.listensFor ? `listens for ${visible(task.listensFor)} of` : "→"} ${visible(task.jobDefinition)}${task.queue ? ` on ${visible(task.queue)}` : ""}; ${(
        Object.keys(task.status) as TargetId[]
      )
        .map((target) => `${targetName(target)} ${readinessText(task, target)}`)
        .join(", ")}`,
    );
  return out;
}
