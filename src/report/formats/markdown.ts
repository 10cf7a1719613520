import type { Report } from "../model.js";
import { formatUsd, plural } from "../summary.js";
import {
  STATUSES,
  costText,
  grandTotal,
  headlineScenario,
  location,
  priceSourcesText,
  quantityText,
  readinessCounts,
  savingsText,
  scenarioLabel,
  selectedTargets,
  targetName,
  totalEffort,
  totalText,
  unitPriceText,
} from "../view.js";

function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

function row(cells: readonly string[]): string {
  return `| ${cells.map(cell).join(" | ")} |`;
}

function table(header: readonly string[], rows: readonly string[][]): string[] {
  return [row(header), row(header.map(() => "---")), ...rows.map(row)];
}

/** A report fit for a pull-request body: the summary first, `path:line` links into the repository. */
export default function renderMarkdown(report: Report): string {
  const base = report.root === "." ? "" : `${report.root.replace(/\/$/, "")}/`;
  const link = (path: string, line: number) => `[${location(path, line)}](${base}${path}#L${line})`;
  const targets = selectedTargets(report);
  const scenario = headlineScenario(report);
  const out: string[] = [`# AWS Batch migration report: \`${report.root}\``, ""];
  const inventory = report.inventory;
  const siteCount = (report.targets?.readiness ?? []).filter(
    (r) => r.subjectKind === "call-site" && r.target === targets[0],
  ).length;
  out.push(
    "## Summary",
    "",
    `${plural(inventory.jobDefinitions.length, "job definition")}, ${plural(siteCount, "call site")}, ${plural(inventory.jobQueues.length, "job queue")}, ${plural(inventory.computeEnvironments.length, "compute environment")} (${report.tool.name} ${report.tool.version}, ${report.scannedAt}).`,
    "",
  );
  const awsTotal = grandTotal(report, "aws", scenario);
  const costRows = targets.map((target) => {
    const counts = readinessCounts(report, target, "job-definition");
    const siteCounts = readinessCounts(report, target, "call-site");
    const total = grandTotal(report, target, scenario);
    const comparable = awsTotal && total && awsTotal.unpricedLines === 0 && total.unpricedLines === 0;
    return [
      targetName(target),
      STATUSES.map((s) => `${counts[s]} ${s}`).join(", "),
      STATUSES.map((s) => `${siteCounts[s]} ${s}`).join(", "),
      String(totalEffort(report, target)),
      totalText(report, target, scenario),
      comparable ? savingsText(awsTotal.cost, total.cost) : "n/a",
    ];
  });
  out.push(
    ...table(
      ["target", "job definitions", "call sites", "effort points", `cost ${scenarioLabel(scenario)}`, "vs AWS today"],
      costRows,
    ),
    "",
    `AWS Batch today: **${totalText(report, "aws", scenario)}** ${scenarioLabel(scenario)}${scenario === "per-run" ? " (one run of each job definition: no usage file, so no monthly figure)" : ` (usage: ${report.cost?.usageFile})`}.`,
    "",
  );
  for (const warning of report.cost?.warnings ?? []) out.push(`> **Warning:** ${warning}`, ">");
  if (report.cost?.warnings.length) out.splice(out.length - 1, 1, "");

  for (const target of targets) {
    out.push(`## Migration plan: ${targetName(target)}`, "", "Ordered by savings per effort point.", "");
    for (const item of (report.plan ?? []).filter((p) => p.target === target)) {
      const perPoint =
        item.savingsPerPoint === null
          ? "savings unknown"
          : `${formatUsd(Math.abs(item.savingsPerPoint))}/point ${scenarioLabel(item.scenario)}`;
      const savings =
        item.savings === null
          ? "no comparable price"
          : `${item.savings >= 0 ? "saves" : "costs"} ${formatUsd(Math.abs(item.savings))} ${scenarioLabel(item.scenario)}`;
      out.push(`- [ ] **${item.workload}** (${item.status}): ${savings}, ${item.effort} effort points, ${perPoint}`);
      for (const step of item.steps) out.push(`  - ${step}`);
    }
    out.push("");
  }

  out.push("## Workloads", "");
  out.push(
    ...table(
      [
        "job definition",
        "defined at",
        "queue → compute environment",
        `AWS today ${scenarioLabel(scenario)}`,
        ...targets.map((t) => `${targetName(t)}`),
        ...targets.map((t) => `readiness ${t}`),
        ...targets.map((t) => `effort ${t}`),
      ],
      (report.workloads ?? []).map((w) => [
        w.name,
        link(w.path, w.line),
        w.queue
          ? `${w.queue} → ${w.computeEnvironment ?? "?"} (${w.computeEnvironmentBasis})`
          : w.computeEnvironmentBasis,
        totalText(report, "aws", w.cost.scenario, w.name),
        ...targets.map((t) => totalText(report, t, w.cost.scenario, w.name)),
        ...targets.map((t) => w.status[t] ?? "—"),
        ...targets.map((t) => String(w.effort[t] ?? 0)),
      ]),
    ),
    "",
  );

  for (const target of targets) {
    const gaps = (report.targets?.gaps ?? []).filter((g) => g.target === target);
    out.push(`## Gaps on ${targetName(target)}`, "");
    if (gaps.length === 0) out.push("None.", "");
    else
      out.push(
        ...table(
          ["where", "subject", "gap", "category", "effort", "readiness", "what", "why", "fix"],
          gaps.map((g) => [
            link(g.path, g.line),
            g.subjectName,
            g.ruleId,
            g.category,
            String(g.effort),
            g.status,
            g.what,
            g.why,
            g.fix,
          ]),
        ),
        "",
      );
  }

  const sites = (report.targets?.readiness ?? []).filter((r) => r.subjectKind === "call-site");
  if (sites.length) {
    out.push("## Call sites", "");
    const bySubject = new Map<string, typeof sites>();
    for (const site of sites) bySubject.set(site.subject, [...(bySubject.get(site.subject) ?? []), site]);
    out.push(
      ...table(
        ["where", "what", ...targets.map(targetName), "effort"],
        [...bySubject.values()].map((entries) => [
          link(entries[0]!.path, entries[0]!.line),
          entries[0]!.name,
          ...targets.map((t) => {
            const entry = entries.find((e) => e.target === t);
            return entry ? `${entry.status}: ${entry.why}` : "—";
          }),
          String(Math.max(...entries.map((e) => e.effort))),
        ]),
      ),
      "",
    );
  }

  if (report.cost) {
    out.push(
      "## Cost lines",
      "",
      "Every line shows its quantity, unit price, assumption, and the source and date of each price. `no price` is never counted as $0.",
      "",
    );
    out.push(
      ...table(
        [
          "workload",
          "scenario",
          "platform",
          "what",
          "quantity",
          "unit price",
          "cost",
          "assumption",
          "price source (date)",
        ],
        report.cost.lines.map((l) => [
          l.workload,
          l.scenario,
          targetName(l.platform),
          l.description,
          `${quantityText(l)}${l.fromUsage ? " *" : ""}`,
          unitPriceText(l),
          costText(l),
          l.assumption,
          priceSourcesText(l),
        ]),
      ),
      "",
      "\\* quantity from the usage file.",
      "",
      "### Assumptions",
      "",
      ...report.cost.assumptions.map((a) => `- ${a}`),
      "",
      "### Price tables",
      "",
      ...table(
        ["source", "what", "file", "oldest row used"],
        report.cost.priceTables.map((t) => [t.id, t.title, t.origin, t.asOf ?? "undated"]),
      ),
      "",
    );
  }
  const skipped = report.coverage.skipped.length;
  out.push(
    `<sub>${report.coverage.filesRead} files read, ${report.coverage.parseErrors} parse errors, ${skipped} skipped.</sub>`,
    "",
  );
  return out.join("\n");
}
