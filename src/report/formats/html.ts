import type { Report } from "../model.js";
import type { ReadinessStatus } from "../../platforms/types.js";
import { htmlText } from "../escape.js";
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
  costText,
  headlineScenario,
  priceSourcesText,
  quantityText,
  readinessCounts,
  scenarioLabel,
  selectedTargets,
  targetName,
  totalEffort,
  totalText,
  unitPriceText,
} from "../view.js";

const escape = htmlText;

const PLATFORM_COLOURS: Record<string, string> = { aws: "#d97706", "common-compute": "#2563eb", salad: "#16a34a" };
const STATUS_COLOURS: Record<ReadinessStatus, string> = {
  supported: "#16a34a",
  "via shim": "#2563eb",
  "via native SDK": "#7c3aed",
  manual: "#dc2626",
};

/** Grouped bars per workload: AWS today and each target; a workload without a price shows "no price", never a bar of 0. */
function costChart(report: Report): string {
  const scenario = headlineScenario(report);
  const platforms = ["aws", ...selectedTargets(report)];
  const workloads = report.workloads ?? [];
  const value = (platform: string, workload: string) => {
    const total = report.cost?.totals.find(
      (t) => t.platform === platform && t.scenario === scenario && t.workload === workload,
    );
    return total && total.unpricedLines === 0 ? total.cost : null;
  };
  const max = Math.max(0, ...workloads.flatMap((w) => platforms.map((p) => value(p, w.name) ?? 0)));
  const rowHeight = 18;
  const groupHeight = platforms.length * rowHeight + 14;
  const labelWidth = 190;
  const barWidth = 420;
  const height = workloads.length * groupHeight + 30;
  const parts: string[] = [];
  workloads.forEach((workload, i) => {
    const y0 = i * groupHeight + 10;
    parts.push(`<text x="0" y="${y0 + 12}" class="label">${escape(workload.name)}</text>`);
    platforms.forEach((platform, j) => {
      const y = y0 + j * rowHeight;
      const amount = value(platform, workload.name);
      if (amount === null) {
        parts.push(
          `<text x="${labelWidth}" y="${y + 12}" class="noprice">${escape(targetName(platform))}: no price</text>`,
        );
        return;
      }
      const width = max > 0 ? Math.max(1, (amount / max) * barWidth) : 1;
      parts.push(
        `<rect x="${labelWidth}" y="${y}" width="${width.toFixed(1)}" height="${rowHeight - 4}" fill="${PLATFORM_COLOURS[platform] ?? "#555"}"><title>${escape(targetName(platform))}: ${formatUsd(amount)}</title></rect>`,
        `<text x="${(labelWidth + width + 6).toFixed(1)}" y="${y + 12}" class="value">${escape(targetName(platform))} ${formatUsd(amount)}</text>`,
      );
    });
  });
  return `<svg role="img" aria-label="Cost ${scenarioLabel(scenario)} per workload" class="chart" id="cost-chart" viewBox="0 0 820 ${height}" width="820" height="${height}">${parts.join("")}</svg>`;
}

/** One stacked bar per target and subject kind: how many are supported, via shim, via native SDK, manual. */
function readinessChart(report: Report): string {
  const rows = selectedTargets(report).flatMap((target) =>
    (["job-definition", "call-site"] as const).map((kind) => ({
      label: `${targetName(target)}: ${kind}s`,
      counts: readinessCounts(report, target, kind),
    })),
  );
  const width = 420;
  const parts: string[] = [];
  rows.forEach((row, i) => {
    const y = i * 26 + 10;
    const total = STATUSES.reduce((sum, s) => sum + row.counts[s], 0);
    parts.push(`<text x="0" y="${y + 14}" class="label">${escape(row.label)}</text>`);
    let x = 230;
    for (const status of STATUSES) {
      const count = row.counts[status];
      if (count === 0 || total === 0) continue;
      const w = (count / total) * width;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="18" fill="${STATUS_COLOURS[status]}"><title>${status}: ${count}</title></rect>`,
      );
      if (w > 18) parts.push(`<text x="${(x + 4).toFixed(1)}" y="${y + 13}" class="inbar">${count}</text>`);
      x += w;
    }
  });
  const legendY = rows.length * 26 + 16;
  STATUSES.forEach((status, i) => {
    parts.push(
      `<rect x="${230 + i * 110}" y="${legendY}" width="10" height="10" fill="${STATUS_COLOURS[status]}"></rect><text x="${244 + i * 110}" y="${legendY + 9}" class="value">${status}</text>`,
    );
  });
  const height = legendY + 20;
  return `<svg role="img" aria-label="Readiness per target" class="chart" id="readiness-chart" viewBox="0 0 820 ${height}" width="820" height="${height}">${parts.join("")}</svg>`;
}

/** A sortable, filterable table; a footer row (totals) stays under the rows whatever their order. */
function table(
  id: string,
  header: readonly string[],
  rows: readonly (readonly string[])[],
  footer?: readonly string[],
): string {
  const head = header.map((h, i) => `<th data-column="${i}" tabindex="0">${escape(h)}</th>`).join("");
  const body = rows.map((cells) => `<tr>${cells.map((c) => `<td>${escape(c)}</td>`).join("")}</tr>`).join("\n");
  const foot = footer ? `<tfoot><tr>${footer.map((c) => `<td>${escape(c)}</td>`).join("")}</tr></tfoot>` : "";
  return `<input type="search" class="filter" data-table="${id}" placeholder="Filter rows…" aria-label="Filter ${id}">
<div class="scroll"><table id="${id}" class="sortable"><thead><tr>${head}</tr></thead><tbody>
${body}
</tbody>${foot}</table></div>`;
}

/** A merged report's own sections: a row per repository over the totals, links across, one fold each. */
function organisation(report: Report): string {
  if (!report.repositories) return "";
  const repositories = repositoryTable(report);
  const crossing = crossRepositoryLinks(report);
  const sections = repositorySections(report)
    .map(
      (section, i) =>
        `<details class="repository"><summary><strong>${escape(section.name)}</strong>: ${escape(section.summary)}</summary>
${section.workloads.rows.length ? table(`repository-${i}`, section.workloads.header, section.workloads.rows) : "<p>No job definition is declared here.</p>"}
</details>`,
    )
    .join("\n");
  return `<h2>Repositories</h2>
${table("repositories", repositories.header, repositories.rows, repositories.total)}
<p>Effort is counted where the work is: each job definition and call site in its own repository, client creations included.</p>
<h2>Links across repositories</h2>
${crossing.rows.length ? table("cross-links", crossing.header, crossing.rows) : "<p>No repository refers by name to a job queue, job definition or compute environment another one declares.</p>"}
<h2>Each repository</h2>
${sections}
`;
}

// Wide tables scroll inside their own box (.scroll) so the page never scrolls sideways, at 1,280 px or on a phone.
const STYLE = `*{box-sizing:border-box}body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1200px;padding:0 1rem;color:#1f2937;overflow-wrap:anywhere}
h1{font-size:1.5rem}h2{margin-top:2rem;border-bottom:1px solid #e5e7eb}table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}
.scroll{max-width:100%;overflow-x:auto}.scroll table{min-width:40rem}.headline{font-size:1.1rem;font-weight:600}.confidence{color:#4b5563}
th,td{border:1px solid #e5e7eb;padding:4px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere;max-width:32rem}th{background:#f3f4f6;cursor:pointer;user-select:none}
th[aria-sort=ascending]::after{content:" ▲"}th[aria-sort=descending]::after{content:" ▼"}.filter{margin:.25rem 0;padding:4px;width:18rem;max-width:100%}
svg.chart{max-width:100%;height:auto}
.chart text{font-size:12px}.label{font-weight:600}.noprice{fill:#6b7280;font-style:italic}.inbar{fill:#fff}.warning{background:#fef3c7;padding:.5rem;border-left:4px solid #d97706}
.summary td:first-child{font-weight:600}ul.plan{list-style:none;padding-left:0}ul.plan li{margin:.3rem 0}`;

// Only a merged report has totals rows and a fold per repository.
// Its repository table keeps numbers whole: it scrolls in its box on a phone rather than break "13429" in three.
const ORGANISATION_STYLE =
  "tfoot td{font-weight:600;background:#f9fafb}details.repository{margin:.4rem 0}#repositories{min-width:60rem}#repositories td{overflow-wrap:normal}";

const SCRIPT = `document.querySelectorAll("table.sortable th").forEach(function(th){function sort(){var table=th.closest("table");var body=table.tBodies[0];var column=Number(th.dataset.column);var ascending=th.getAttribute("aria-sort")!=="ascending";table.querySelectorAll("th").forEach(function(other){other.removeAttribute("aria-sort")});th.setAttribute("aria-sort",ascending?"ascending":"descending");var rows=Array.prototype.slice.call(body.rows);function key(row){var text=row.cells[column].textContent.trim();var number=parseFloat(text.replace(/^[^0-9.-]*/,""));return isNaN(number)?text.toLowerCase():number}rows.sort(function(a,b){var x=key(a),y=key(b);if(typeof x!==typeof y){x=String(x);y=String(y)}return(x<y?-1:x>y?1:0)*(ascending?1:-1)});rows.forEach(function(row){body.appendChild(row)})}th.addEventListener("click",sort);th.addEventListener("keydown",function(e){if(e.key==="Enter")sort()})});
document.querySelectorAll("input.filter").forEach(function(input){input.addEventListener("input",function(){var needle=input.value.toLowerCase();var table=document.getElementById(input.dataset.table);Array.prototype.forEach.call(table.tBodies[0].rows,function(row){row.hidden=needle!==""&&row.textContent.toLowerCase().indexOf(needle)<0})})});`;

/** One self-contained HTML file: inline CSS, inline SVG charts, small inline script for sorting and filtering; no network. */
export default function renderHtml(report: Report): string {
  const targets = selectedTargets(report);
  const scenario = headlineScenario(report);
  const summaryRows = [
    ["AWS Batch today", "—", "—", totalText(report, "aws", scenario)],
    ...targets.map((t) => {
      const counts = readinessCounts(report, t, "job-definition");
      return [
        targetName(t),
        STATUSES.map((s) => `${counts[s]} ${s}`).join(", "),
        String(totalEffort(report, t)),
        totalText(report, t, scenario),
      ];
    }),
  ];
  const plan = targets
    .map((target) => {
      const items = planOf(report, target);
      const list = items
        .map((item) => {
          const savings =
            item.savings === null
              ? "no comparable price"
              : `${item.savings >= 0 ? "saves" : "costs"} ${formatUsd(Math.abs(item.savings))} ${scenarioLabel(item.scenario)}`;
          const steps = item.steps.length ? `<ul>${item.steps.map((s) => `<li>${escape(s)}</li>`).join("")}</ul>` : "";
          return `<li><label><input type="checkbox"> <strong>${escape(item.workload)}</strong> (${item.where ? `${escape(item.where)}; ` : ""}${escape(item.status)}): ${escape(savings)}, ${plural(item.effort, "effort point")}</label>${steps}</li>`;
        })
        .join("\n");
      return `<h3>${escape(targetName(target))}</h3><ul class="plan">${list}</ul>`;
    })
    .join("\n");
  const workloads = (report.workloads ?? []).map((w) => [
    w.name,
    `${w.path}:${w.line}`,
    w.queue ? `${w.queue} → ${w.computeEnvironment ?? "?"}` : w.computeEnvironmentBasis,
    totalText(report, "aws", w.cost.scenario, w.name),
    ...targets.map((t) => totalText(report, t, w.cost.scenario, w.name)),
    ...targets.map((t) => `${w.status[t] ?? "—"} (${w.effort[t] ?? 0} pts)`),
  ]);
  const gaps = (report.targets?.gaps ?? []).map((g) => [
    targetName(g.target),
    `${g.path}:${g.line}`,
    g.subjectName,
    g.feature,
    g.category,
    String(g.effort),
    g.status,
    g.what,
    g.fix,
  ]);
  const sites = (report.targets?.readiness ?? [])
    .filter((r) => r.subjectKind === "call-site")
    .map((r) => [targetName(r.target), `${r.path}:${r.line}`, r.name, r.status, String(r.effort), r.why]);
  const lines = (report.cost?.lines ?? []).map((l) => [
    l.workload,
    l.scenario,
    targetName(l.platform),
    l.description,
    quantityText(l),
    unitPriceText(l),
    costText(l),
    l.assumption,
    priceSourcesText(l),
  ]);
  const warnings = (report.cost?.warnings ?? []).map((w) => `<p class="warning">${escape(w)}</p>`).join("\n");
  const { figures, confidence } = reportHeadline(report);
  const open = openItems(report).map((o) => [o.what, `${o.path}:${o.line}`, o.why]);
  const revisions = supersededRevisions(report).map((r) => [r.name, r.revision, r.status, r.by, `${r.path}:${r.line}`]);
  const orchestration = orchestrationTasks(report);
  const tasks = orchestration.map((t) => [
    t.orchestrator,
    t.task,
    `${t.path}:${t.line}`,
    roleText(t),
    t.jobDefinition,
    t.queue ?? "—",
    ...targets.flatMap((target) => [readinessText(t, target), t.replacement[target] ?? "—"]),
  ]);
  const current = report.inventory.jobDefinitions.length - revisions.length;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>AWS Batch migration report: ${escape(reportTitle(report))}</title><style>${STYLE}${report.repositories ? ORGANISATION_STYLE : ""}</style></head>
<body>
<h1>AWS Batch migration report: ${escape(reportTitle(report))}</h1>
${report.cost ? `<p class="headline" id="headline">${escape(figures)}</p>\n<p class="confidence">${escape(confidence)}</p>` : ""}
<p>${plural(current, "job definition")}${revisions.length ? ` (and ${plural(revisions.length, "older revision")})` : ""}, ${plural(report.inventory.jobQueues.length, "job queue")}, ${plural(report.inventory.computeEnvironments.length, "compute environment")}; ${escape(report.tool.name)} ${escape(report.tool.version)}, ${escape(report.scannedAt)}. Costs are ${escape(scenarioLabel(scenario))}${scenario === "per-run" ? " (no usage file: one run of each job definition)" : ""}.</p>
${warnings}
<h2>Summary</h2>
<div class="scroll"><table class="summary"><thead><tr><th>platform</th><th>job definitions</th><th>effort points</th><th>cost ${escape(scenarioLabel(scenario))}</th></tr></thead><tbody>
${summaryRows.map((r) => `<tr>${r.map((c) => `<td>${escape(c)}</td>`).join("")}</tr>`).join("\n")}
</tbody></table></div>
${organisation(report)}<h2>Cost today versus each target, per workload</h2>
${costChart(report)}
<h2>Readiness</h2>
${readinessChart(report)}
<h2>Migration plan</h2>
<p>Workloads ordered by savings per effort point.</p>
${plan}
<h2>Workloads</h2>
${table("workloads", ["job definition", "defined at", "queue → compute environment", "AWS today", ...targets.map(targetName), ...targets.map((t) => `readiness ${t}`)], workloads)}
<h2>What a person must still decide</h2>
${open.length ? table("open", ["what", "where", "why"], open) : "<p>The scan resolved every job definition, queue and compute environment it found.</p>"}
${tasks.length ? `<h2>Orchestration: ${escape(orchestrationSummary(orchestration))}</h2>\n${table("orchestration", ["orchestrator", "task or rule", "where", "listens for", "job definition", "queue", ...targets.flatMap((t) => [`readiness ${t}`, `in its place on ${targetName(t)}`])], tasks)}\n` : ""}${revisions.length ? `<h2>Older revisions (listed, not priced or migrated)</h2>\n${table("revisions", ["job definition", "revision", "status", "represented by", "where"], revisions)}` : ""}
<h2>Gaps</h2>
${table("gaps", ["target", "where", "subject", "gap", "category", "effort", "readiness", "what", "fix"], gaps)}
<h2>Call sites</h2>
${table("call-sites", ["target", "where", "what", "readiness", "effort", "why"], sites)}
<h2>Cost lines</h2>
${table("cost-lines", ["workload", "scenario", "platform", "what", "quantity", "unit price", "cost", "assumption", "price source (date)"], lines)}
<h2>Assumptions</h2>
<ul>${(report.cost?.assumptions ?? []).map((a) => `<li>${escape(a)}</li>`).join("")}</ul>
<h2>Price tables</h2>
<ul>${(report.cost?.priceTables ?? []).map((t) => `<li>${escape(t.id)}: ${escape(t.title)} (${escape(t.origin)}, oldest row used ${escape(t.asOf ?? "undated")})</li>`).join("")}</ul>
<script>${SCRIPT}</script>
</body></html>
`;
}
