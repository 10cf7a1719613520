import { htmlText, markdownText, pathUrl } from "../escape.js";
import type { Report } from "../model.js";
import { formatUsd, plural } from "../summary.js";
import { orchestrationSummary, orchestrationTasks, readinessText, roleText } from "../orchestration.js";
import { openItems, supersededRevisions } from "../unresolved.js";
import {
  crossRepositoryLinks,
  planOf,
  reportHeadline,
  reportTitle,
  repositorySections,
  repositoryTable,
} from "../organisation.js";
import {
  STATUSES,
  headline,
  location,
  readinessCounts,
  scenarioLabel,
  selectedTargets,
  targetName,
  totalEffort,
  totalText,
} from "../view.js";

/** GitHub refuses PR bodies over 65,536 characters; the report stays under this with room for a note. */
export const MARKDOWN_LIMIT = 60_000;
const BUDGET = 57_000;
/** A merged report's repository rows shown however tight the budget: the table the rest is read from. */
const REPOSITORY_ROWS = 100;

/** A table cell: repository text (escaped) or markdown we wrote ourselves (a link). */
type Cell = string | { md: string };

function cell(value: Cell): string {
  return typeof value === "string" ? markdownText(value) : value.md;
}

function row(cells: readonly Cell[]): string {
  return `| ${cells.map(cell).join(" | ")} |`;
}

/** A table of at most `limit` rows; the rest are counted and left to the HTML and JSON reports. */
function table(header: readonly string[], rows: readonly Cell[][], limit: number): string[] {
  const shown = rows.slice(0, limit);
  const out = [row(header), row(header.map(() => ({ md: "---" }))), ...shown.map(row)];
  if (rows.length > shown.length)
    out.push("", `… ${plural(rows.length - shown.length, "more row")}: the HTML and JSON reports have the full table.`);
  return out;
}

function details(summary: string, body: readonly string[]): string[] {
  return ["<details>", `<summary>${summary}</summary>`, "", ...body, "", "</details>", ""];
}

/** A report fit for a pull-request body: the headline first, detail folded away, under {@link MARKDOWN_LIMIT}. */
export default function renderMarkdown(report: Report): string {
  let limit = Number.POSITIVE_INFINITY;
  let text = render(report, limit);
  const longest = Math.max(
    report.workloads?.length ?? 0,
    report.targets?.gaps.length ?? 0,
    report.targets?.readiness.length ?? 0,
    report.findings.length,
  );
  limit = longest;
  while (text.length > BUDGET && limit > 1) {
    limit = Math.floor(limit / 2);
    text = render(report, limit);
  }
  return text;
}

function render(report: Report, limit: number): string {
  const base = report.root === "." ? "" : `${pathUrl(report.root.replace(/\/$/, ""))}/`;
  // A merged report's paths are in many repositories whose addresses it does not know: they are shown, not linked.
  const link = (path: string, line: number): Cell =>
    report.repositories
      ? location(path, line)
      : { md: `[${markdownText(location(path, line))}](${base}${pathUrl(path)}#L${line})` };
  const targets = selectedTargets(report);
  const { scenario } = headline(report);
  const { figures, confidence } = reportHeadline(report);
  const out: string[] = [`# AWS Batch migration report: ${markdownText(reportTitle(report))}`, ""];
  if (report.cost) out.push(`**${markdownText(figures)}**`, "", `<sub>${markdownText(confidence)}</sub>`, "");
  const inventory = report.inventory;
  const current = inventory.jobDefinitions.filter((d) => d.properties.superseded !== true);
  const older = inventory.jobDefinitions.length - current.length;
  const siteCount = (report.targets?.readiness ?? []).filter(
    (r) => r.subjectKind === "call-site" && r.target === targets[0],
  ).length;
  out.push(
    "## Summary",
    "",
    `${plural(current.length, "job definition")}${older ? ` (and ${plural(older, "older revision")})` : ""}, ${plural(siteCount, "call site")}, ${plural(inventory.jobQueues.length, "job queue")}, ${plural(inventory.computeEnvironments.length, "compute environment")} (${markdownText(report.tool.name)} ${markdownText(report.tool.version)}, ${report.scannedAt}).`,
    "",
  );
  const costRows = headline(report).figures.map(({ target, savings }) => {
    const counts = readinessCounts(report, target, "job-definition");
    const siteCounts = readinessCounts(report, target, "call-site");
    return [
      targetName(target),
      STATUSES.map((s) => `${counts[s]} ${s}`).join(", "),
      STATUSES.map((s) => `${siteCounts[s]} ${s}`).join(", "),
      String(totalEffort(report, target)),
      totalText(report, target, scenario),
      savings,
    ];
  });
  out.push(
    ...table(
      ["target", "job definitions", "call sites", "effort points", `cost ${scenarioLabel(scenario)}`, "vs AWS today"],
      costRows,
      Number.POSITIVE_INFINITY,
    ),
    "",
    `AWS Batch today: **${markdownText(totalText(report, "aws", scenario))}** ${scenarioLabel(scenario)}${scenario === "per-run" ? " (one run of each job definition: no usage file, so no monthly figure)" : ` (usage: ${markdownText(report.cost?.usageFile ?? "")})`}.`,
    "",
  );
  if (report.repositories) out.push(...organisation(report, limit));
  const warnings = report.cost?.warnings ?? [];
  if (warnings.length)
    out.push(
      ...details(
        `${plural(warnings.length, "warning")}`,
        warnings.map((w) => `- ${markdownText(w)}`),
      ),
    );

  out.push("## Workloads", "");
  const workloads = report.workloads ?? [];
  if (workloads.length === 0) out.push("No job definition was found.", "");
  else
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
        workloads.map((w) => [
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
        limit,
      ),
      "",
    );

  const open = openItems(report);
  out.push("## What a person must still decide", "");
  if (open.length === 0)
    out.push("The scan resolved every job definition, queue and compute environment it found.", "");
  else
    out.push(
      ...table(
        ["what", "where", "why"],
        open.map((o) => [o.what, link(o.path, o.line), o.why]),
        limit,
      ),
      "",
    );
  const tasks = orchestrationTasks(report);
  if (tasks.length) {
    // Each distinct replacement is written once under the table: rows repeat it, and the PR body has a size limit.
    const replacements = targets.flatMap((t) =>
      [...new Set(tasks.map((task) => task.replacement[t]).filter((r): r is string => !!r))].map(
        (text) =>
          `- ${targetName(t)}, ${plural(tasks.filter((task) => task.replacement[t] === text).length, "row")}: ${markdownText(text)}`,
      ),
    );
    out.push(
      ...details(orchestrationSummary(tasks), [
        ...table(
          [
            "orchestrator",
            "task or rule",
            "where",
            "listens for",
            "job definition",
            "queue",
            ...targets.map((t) => `readiness ${t}`),
          ],
          tasks.map((task) => [
            task.orchestrator,
            task.task,
            link(task.path, task.line),
            roleText(task),
            task.jobDefinition,
            task.queue ?? "—",
            ...targets.map((t) => readinessText(task, t)),
          ]),
          limit,
        ),
        "",
        "What takes their place:",
        "",
        ...replacements,
      ]),
    );
  }
  const revisions = supersededRevisions(report);
  if (revisions.length)
    out.push(
      ...details(
        `${plural(revisions.length, "older revision")} (listed, not priced or migrated)`,
        table(
          ["job definition", "revision", "status", "represented by", "where"],
          revisions.map((r) => [r.name, r.revision, r.status, r.by, link(r.path, r.line)]),
          limit,
        ),
      ),
    );

  for (const target of targets) {
    const items = planOf(report, target);
    const body: string[] = ["Ordered by savings per effort point.", ""];
    for (const item of items.slice(0, limit)) {
      const perPoint =
        item.savingsPerPoint === null
          ? "savings unknown"
          : `${formatUsd(Math.abs(item.savingsPerPoint))}/point ${scenarioLabel(item.scenario)}`;
      const savings =
        item.savings === null
          ? "no comparable price"
          : `${item.savings >= 0 ? "saves" : "costs"} ${formatUsd(Math.abs(item.savings))} ${scenarioLabel(item.scenario)}`;
      body.push(
        `- [ ] **${markdownText(item.workload)}** (${item.where ? `${markdownText(item.where)}; ` : ""}${item.status}): ${savings}, ${plural(item.effort, "effort point")}, ${perPoint}`,
      );
      for (const step of item.steps) body.push(`  - ${markdownText(step)}`);
    }
    if (items.length > limit) body.push(`- … ${plural(items.length - limit, "more workload")} in the HTML report`);
    out.push(
      `## Migration plan: ${targetName(target)}`,
      "",
      ...details(`${plural(items.length, "workload")} to move`, body),
    );
  }

  for (const target of targets) {
    const gaps = (report.targets?.gaps ?? []).filter((g) => g.target === target);
    out.push(`## Gaps on ${targetName(target)}`, "");
    if (gaps.length === 0)
      out.push("No gap was found for what the scan read (see “What a person must still decide”).", "");
    else
      out.push(
        ...details(
          `${plural(gaps.length, "gap")}, ${plural(
            gaps.reduce((sum, g) => sum + g.effort, 0),
            "effort point",
          )}`,
          table(
            ["where", "subject", "gap", "category", "effort", "readiness", "what", "fix"],
            gaps.map((g) => [
              link(g.path, g.line),
              g.subjectName,
              g.ruleId,
              g.category,
              String(g.effort),
              g.status,
              g.what,
              g.fix,
            ]),
            limit,
          ),
        ),
      );
  }

  const sites = (report.targets?.readiness ?? []).filter((r) => r.subjectKind === "call-site");
  if (sites.length) {
    const bySubject = new Map<string, typeof sites>();
    for (const site of sites) bySubject.set(site.subject, [...(bySubject.get(site.subject) ?? []), site]);
    out.push(
      "## Call sites",
      "",
      ...details(
        plural(bySubject.size, "call site"),
        table(
          ["where", "what", ...targets.map(targetName), "effort"],
          [...bySubject.values()].map((entries) => [
            link(entries[0]!.path, entries[0]!.line),
            entries[0]!.name,
            ...targets.map((t) => {
              const entry = entries.find((e) => e.target === t);
              if (!entry) return "—";
              // A why that already opens with the status ("manual: …") is not prefixed twice.
              return entry.why.startsWith(`${entry.status}:`) ? entry.why : `${entry.status}: ${entry.why}`;
            }),
            String(Math.max(...entries.map((e) => e.effort))),
          ]),
          limit,
        ),
      ),
    );
  }

  if (report.cost) {
    out.push(
      "## Cost",
      "",
      `${plural(report.cost.lines.length, "cost line")}, each with its quantity, unit price, assumption and the source and date of every price, are in the HTML and JSON reports. \`no price\` is never counted as $0.`,
      "",
      ...details("Assumptions and price tables", [
        ...report.cost.assumptions.map((a) => `- ${markdownText(a)}`),
        "",
        ...table(
          ["source", "what", "file", "oldest row used"],
          report.cost.priceTables.map((t) => [t.id, t.title, t.origin, t.asOf ?? "undated"]),
          Number.POSITIVE_INFINITY,
        ),
      ]),
    );
  }
  const skipped = report.coverage.skipped.length;
  out.push(
    `<sub>${plural(report.coverage.filesRead, "file")} read, ${plural(report.coverage.parseErrors, "parse error")}, ${skipped} skipped.</sub>`,
    "",
  );
  return out.join("\n");
}

/** A merged report's own sections: a row per repository with the totals under them, links across, one fold each. */
function organisation(report: Report, limit: number): string[] {
  const rowLimit = Math.max(limit, REPOSITORY_ROWS);
  const repositories = repositoryTable(report);
  const total = repositories.total!.map((text) => ({ md: `**${markdownText(text)}**` }));
  const out = [
    "## Repositories",
    "",
    ...table(repositories.header, [...repositories.rows.slice(0, rowLimit), total], Number.POSITIVE_INFINITY),
    "",
  ];
  out.push(
    "Effort is counted where the work is: each job definition and call site in its own repository, client creations included, so these columns can add up to more than the workloads' effort.",
    "",
  );
  if (repositories.rows.length > rowLimit)
    out.push(
      `… ${plural(repositories.rows.length - rowLimit, "more repository row")} above the totals: the HTML and JSON reports have them all.`,
      "",
    );
  const crossing = crossRepositoryLinks(report);
  out.push("## Links across repositories", "");
  if (crossing.rows.length === 0)
    out.push(
      "No repository refers by name to a job queue, job definition or compute environment another one declares.",
      "",
    );
  else
    out.push(
      ...details(
        `${plural(crossing.rows.length, "reference")} to what another repository declares`,
        table(crossing.header, crossing.rows, limit),
      ),
    );
  const sections = repositorySections(report);
  for (const section of sections.slice(0, limit))
    out.push(
      ...details(
        // Inside <summary> markdown is not read: the text is escaped as HTML.
        htmlText(`${section.name}: ${section.summary}`),
        section.workloads.rows.length
          ? table(section.workloads.header, section.workloads.rows, limit)
          : ["No job definition is declared here."],
      ),
    );
  if (sections.length > limit)
    out.push(
      `… ${sections.length - limit} more ${sections.length - limit === 1 ? "repository" : "repositories"}: the HTML report has a section for each.`,
      "",
    );
  return out;
}
