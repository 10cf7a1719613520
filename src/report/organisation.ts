import type { Link } from "../core/types.js";
import type { TargetId } from "../platforms/types.js";
import type { PlanItem, Report, RepositoryCost, RepositorySection, Workload } from "./model.js";
import { formatUsd } from "./summary.js";
import { headline, headlineText, projectName, scenarioLabel, selectedTargets, targetName } from "./view.js";

/*
 * What a merged report (`report --merge`) shows besides what every report shows: a row per repository with its
 * share of the totals, the references that cross repositories, and where each workload is defined and submitted
 * from. Pure functions of the report, shared by the markdown, HTML, SARIF and table renderers.
 */

const ID_KIND = /^(?:job-definition|job-queue|compute-environment|scheduling-policy|consumable-resource|call):/;

function counted(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** The repository a path, inventory id or call-site id of a merged report is under, and the rest of it. */
export function splitRepository(report: Report, id: string): { repository: string; rest: string } | undefined {
  const names = repositoryNames(report);
  if (!names) return undefined;
  const rest = id.replace(ID_KIND, "");
  const slash = rest.indexOf("/");
  const repository = slash > 0 ? rest.slice(0, slash) : "";
  return names.has(repository) ? { repository, rest: rest.slice(slash + 1) } : undefined;
}

const NAMES = new WeakMap<RepositorySection[], Set<string>>();

function repositoryNames(report: Report): Set<string> | undefined {
  const sections = report.repositories;
  if (!sections) return undefined;
  let names = NAMES.get(sections);
  if (!names) NAMES.set(sections, (names = new Set(sections.map((section) => section.name))));
  return names;
}

/** Items grouped by the repository each is in (items outside every repository are left out). */
export function byRepository<T>(report: Report, items: readonly T[], id: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const repository = repositoryOf(report, id(item));
    if (repository === undefined) continue;
    const group = groups.get(repository);
    if (group) group.push(item);
    else groups.set(repository, [item]);
  }
  return groups;
}

export function repositoryOf(report: Report, id: string): string | undefined {
  return splitRepository(report, id)?.repository;
}

/** A repository's cost as shown: "no price" when none of its workloads has a price, never $0; "—" without any. */
export function repositoryCostText(cost: RepositoryCost | undefined): string {
  if (!cost || cost.priced + cost.unpriced === 0) return "—";
  if (cost.cost === null) return "no price";
  return `${formatUsd(cost.cost)}${cost.unpriced ? ` + ${cost.unpriced} unpriced` : ""}`;
}

/** The repositories' costs on one platform added up: what the organisation's total is made of. */
export function sumRepositoryCosts(report: Report, platform: "aws" | TargetId): RepositoryCost {
  const costs = (report.repositories ?? []).flatMap(
    (section) => section.figures?.cost.platforms.filter((cost) => cost.platform === platform) ?? [],
  );
  const priced = costs.filter((cost) => cost.cost !== null);
  return {
    platform,
    cost: priced.length ? priced.reduce((sum, cost) => sum + cost.cost!, 0) : null,
    priced: costs.reduce((sum, cost) => sum + cost.priced, 0),
    unpriced: costs.reduce((sum, cost) => sum + cost.unpriced, 0),
  };
}

function costOf(section: RepositorySection, platform: "aws" | TargetId): RepositoryCost | undefined {
  return section.figures?.cost.platforms.find((cost) => cost.platform === platform);
}

/** The headline of a merged report: the totals, and how many workloads and repositories they were priced over. */
export function organisationHeadline(report: Report): { figures: string; confidence: string } {
  const { scenario, figures } = headline(report);
  const sections = report.repositories ?? [];
  const label = scenario === "monthly" ? "/month" : " per run of each job definition";
  const show = (platform: "aws" | TargetId) => {
    const total = sumRepositoryCosts(report, platform);
    const workloads = total.priced + total.unpriced;
    const amount = total.cost === null ? "no price" : formatUsd(total.cost);
    return `${amount}${platform === "aws" ? label : ""}, ${total.priced} of ${counted(workloads, "workload", "workloads")} priced`;
  };
  const withWorkloads = sections.filter((section) => (section.figures?.workloads ?? 0) > 0).length;
  const withPrice = sections.filter((section) => (costOf(section, "aws")?.priced ?? 0) > 0).length;
  const parts = figures.map(
    (f) => `${targetName(f.target)} ${show(f.target)}${f.savings !== "n/a" ? `, ${f.savings}` : ""}`,
  );
  const text = `${counted(sections.length, "repository", "repositories")}, ${withWorkloads} with job definitions, ${withPrice} of them with an AWS price: AWS Batch today ${show("aws")} → ${parts.join("; ") || "no target selected"}`;
  return { figures: text, confidence: headlineText(report).confidence };
}

/** The title of any report: a merged one says how many repositories it covers. */
export function reportTitle(report: Report): string {
  if (!report.repositories) return projectName(report);
  const count = counted(report.repositories.length, "repository", "repositories");
  return report.root === count ? count : `${count} (${projectName(report)})`;
}

/** The headline any report leads with: the organisation's for a merged report. */
export function reportHeadline(report: Report): { figures: string; confidence: string } {
  return report.repositories ? organisationHeadline(report) : headlineText(report);
}

export interface TextTable {
  header: string[];
  rows: string[][];
  /** The row of totals: the sum of the rows above. */
  total?: string[];
}

/** One row per repository: what it holds, its cost today and on each target, its effort; and the sum of them. */
export function repositoryTable(report: Report): TextTable {
  const targets = selectedTargets(report);
  const scenario = report.repositories?.[0]?.figures?.cost.scenario ?? "per-run";
  const sections = report.repositories ?? [];
  const sum = (pick: (section: RepositorySection) => number) =>
    String(sections.reduce((total, section) => total + pick(section), 0));
  const platforms: ("aws" | TargetId)[] = ["aws", ...targets];
  return {
    header: [
      "repository",
      "files read",
      "call sites",
      "job definitions",
      "job queues",
      "compute environments",
      ...platforms.map((p) => (p === "aws" ? `AWS today ${scenarioLabel(scenario)}` : targetName(p))),
      ...targets.map((t) => `effort ${t}`),
    ],
    rows: sections.map((section) => [
      section.name,
      String(section.coverage.filesRead),
      String(section.figures?.callSites ?? 0),
      String(section.figures?.jobDefinitions ?? 0),
      String(section.figures?.jobQueues ?? 0),
      String(section.figures?.computeEnvironments ?? 0),
      ...platforms.map((p) => repositoryCostText(costOf(section, p))),
      ...targets.map((t) => String(section.figures?.effort[t] ?? 0)),
    ]),
    total: [
      `all ${counted(sections.length, "repository", "repositories")}`,
      sum((s) => s.coverage.filesRead),
      sum((s) => s.figures?.callSites ?? 0),
      sum((s) => s.figures?.jobDefinitions ?? 0),
      sum((s) => s.figures?.jobQueues ?? 0),
      sum((s) => s.figures?.computeEnvironments ?? 0),
      ...platforms.map((p) => repositoryCostText(sumRepositoryCosts(report, p))),
      ...targets.map((t) => sum((s) => s.figures?.effort[t] ?? 0)),
    ],
  };
}

const RELATION_NAMES: Record<Link["relation"], string> = {
  "uses-job-queue": "job queue",
  "uses-job-definition": "job definition",
  "uses-compute-environment": "compute environment",
  "uses-scheduling-policy": "scheduling policy",
};

/** `call:app/run.py:7:18` → `app/run.py:7`; an inventory id → where the item is declared. */
function locationOf(declared: ReadonlyMap<string, string>, id: string): string {
  if (id.startsWith("call:")) return id.slice("call:".length).replace(/:\d+$/, "");
  return declared.get(id) ?? id;
}

/** References one repository makes to a queue, job definition or compute environment another one declares. */
export function crossRepositoryLinks(report: Report): TextTable {
  const declared = new Map(
    Object.values(report.inventory).flatMap((items: Report["inventory"]["jobQueues"]) =>
      items.map((item) => [item.id, `${item.source.path}:${item.source.line}`] as const),
    ),
  );
  const found = report.links.flatMap((link) => {
    if (!link.resolved) return [];
    const from = repositoryOf(report, link.from);
    const to = repositoryOf(report, link.to);
    if (!from || !to || from === to) return [];
    const where = locationOf(declared, link.from);
    const line = Number(where.slice(where.lastIndexOf(":") + 1));
    return [{ where, line, row: [where, RELATION_NAMES[link.relation], link.via, locationOf(declared, link.to)] }];
  });
  // In the order of the source: by file, then line (7 before 11), then what is used.
  found.sort((a, b) => {
    const fileA = a.where.slice(0, a.where.lastIndexOf(":"));
    const fileB = b.where.slice(0, b.where.lastIndexOf(":"));
    return fileA < fileB ? -1 : fileA > fileB ? 1 : a.line - b.line || (a.row[1]! < b.row[1]! ? -1 : 1);
  });
  return { header: ["from", "uses", "by the name", "declared at"], rows: found.map((entry) => entry.row) };
}

/** Where a workload lives: the repository declaring it and those submitting it. */
function workloadWhere(report: Report, found: Workload): string {
  const home = repositoryOf(report, found.id);
  const callers = [...new Set(found.callSites.flatMap((site) => repositoryOf(report, site) ?? []))].filter(
    (name) => name !== home,
  );
  return `${home ?? "?"}${callers.length ? `, submitted from ${callers.join(", ")}` : ""}`;
}

/** The plan's items of one target, each with the repository it is in (a merged report) for the renderers' lists. */
export function planOf(report: Report, target: TargetId): (PlanItem & { where: string })[] {
  const items = (report.plan ?? []).filter((item) => item.target === target);
  if (!report.repositories) return items.map((item) => ({ ...item, where: "" }));
  const workloads = new Map((report.workloads ?? []).map((workload) => [workload.name, workload]));
  return items.map((item) => {
    const found = workloads.get(item.workload);
    return { ...item, where: found ? workloadWhere(report, found) : "" };
  });
}

/** Per repository: a one-line summary and its workloads, for a folded section of each. */
export function repositorySections(report: Report): { name: string; summary: string; workloads: TextTable }[] {
  const targets = selectedTargets(report);
  const byHome = byRepository(report, report.workloads ?? [], (workload) => workload.id);
  const linksFrom = byRepository(
    report,
    report.links.filter((link) => link.resolved),
    (link) => link.from,
  );
  return (report.repositories ?? []).map((section) => {
    const figures = section.figures;
    const aws = repositoryCostText(costOf(section, "aws"));
    const workloads = byHome.get(section.name) ?? [];
    const submitsTo = [
      ...new Set((linksFrom.get(section.name) ?? []).flatMap((link) => repositoryOf(report, link.to) ?? [])),
    ].filter((name) => name !== section.name);
    const summary = [
      counted(figures?.jobDefinitions ?? 0, "job definition", "job definitions"),
      counted(figures?.callSites ?? 0, "call site", "call sites"),
      counted(section.coverage.filesRead, "file read", "files read"),
      ...(workloads.length ? [`AWS today ${aws}`] : []),
      ...(submitsTo.length ? [`uses what ${submitsTo.join(", ")} declare${submitsTo.length === 1 ? "s" : ""}`] : []),
    ].join(", ");
    return {
      name: section.name,
      summary,
      workloads: {
        header: [
          "job definition",
          "defined at",
          "queue → compute environment",
          "submitted from",
          "AWS today",
          ...targets.map(targetName),
        ],
        rows: workloads.map((w) => {
          const callers = [...new Set(w.callSites.flatMap((site) => repositoryOf(report, site) ?? []))];
          const cost = (value: number | null | undefined) =>
            value === null || value === undefined ? "no price" : formatUsd(value);
          return [
            w.name,
            `${w.path}:${w.line}`,
            w.queue ? `${w.queue} → ${w.computeEnvironment ?? "?"}` : w.computeEnvironmentBasis,
            callers.join(", ") || "no call site found",
            cost(w.cost.aws),
            ...targets.map((t) => cost(w.cost.targets[t])),
          ];
        }),
      },
    };
  });
}
