import path from "node:path";
import type {
  Coverage,
  Finding,
  Inventory,
  InventoryItem,
  Link,
  LiteralValue,
  Origin,
  ResourceKind,
} from "../core/types.js";
import { callSiteId } from "../link/index.js";
import { nameOfLiteral } from "../link/references.js";
import { isCallSite, REPORT_VERSION, type Report, type RepositoryCost, type RepositorySection } from "./model.js";
import { byRepository } from "./organisation.js";
import { headlineScenario, selectedTargets } from "./view.js";

/** One repository's report, as CI wrote it, and the name its section goes under. */
export interface RepositoryReport {
  name: string;
  report: Report;
}

/** A merged report before analysis: the parts `migrate scan` writes, with every path under its repository. */
export type MergedScan = Omit<Report, "targets" | "cost" | "workloads" | "plan">;

const RESOURCE_KINDS: readonly ResourceKind[] = [
  "job-definition",
  "job-queue",
  "compute-environment",
  "scheduling-policy",
  "consumable-resource",
];

const INVENTORY_KEYS = ["jobDefinitions", "jobQueues", "computeEnvironments", "schedulingPolicies"] as const;

/**
 * The section name of each report: the last part of the root it scanned, else the file it came from; a name
 * given twice gets `-2`, `-3`… so that no two repositories share a section.
 */
export function repositoryNames(reports: readonly { file: string; report: Report }[]): string[] {
  const taken = new Set<string>();
  return reports.map(({ file, report }) => {
    const fromRoot = path.basename(report.root.replace(/[\\/]+$/, ""));
    const base =
      (fromRoot && fromRoot !== "." && fromRoot !== ".." ? fromRoot : path.basename(file, ".json")) || "repo";
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
    taken.add(name);
    return name;
  });
}

/** Puts a path, an inventory id or a call-site id under its repository's folder. */
function under(repository: string, id: string): string {
  for (const kind of RESOURCE_KINDS)
    if (id.startsWith(`${kind}:`)) return `${kind}:${repository}/${id.slice(kind.length + 1)}`;
  if (id.startsWith("unresolved:")) return id;
  if (id.startsWith("call:")) return `call:${repository}/${id.slice("call:".length)}`;
  return `${repository}/${id}`;
}

function sumCoverage(parts: readonly RepositoryReport[]): Coverage {
  return {
    filesSeen: parts.reduce((sum, { report }) => sum + report.coverage.filesSeen, 0),
    filesRead: parts.reduce((sum, { report }) => sum + report.coverage.filesRead, 0),
    filesParsed: parts.reduce((sum, { report }) => sum + report.coverage.filesParsed, 0),
    skipped: parts.flatMap(({ name, report }) =>
      report.coverage.skipped.map((skipped) => ({ ...skipped, path: under(name, skipped.path) })),
    ),
    parseErrors: parts.reduce((sum, { report }) => sum + report.coverage.parseErrors, 0),
    scannerErrors: parts.flatMap(({ name, report }) =>
      report.coverage.scannerErrors.map((error) => ({ ...error, message: `${name}: ${error.message}` })),
    ),
  };
}

/** `from\0reference` of every reference written as a literal: call arguments and queues' references. */
function literalReferences(findings: readonly Finding[], inventory: Inventory): Set<string> {
  const literal = new Set<string>();
  for (const finding of findings)
    for (const argument of ["jobQueue", "jobDefinition"]) {
      const value = finding.args?.[argument];
      if (typeof value === "string") literal.add(`${callSiteId(finding)}\u0000${value}`);
    }
  for (const queue of inventory.jobQueues) {
    const order = queue.properties.computeEnvironmentOrder;
    const references = [
      ...(Array.isArray(order) ? order : []).map(
        (entry) => (entry as Record<string, LiteralValue> | null)?.computeEnvironment,
      ),
      queue.properties.schedulingPolicy,
    ];
    for (const reference of references)
      if (
        reference &&
        typeof reference === "object" &&
        !Array.isArray(reference) &&
        reference.literal === true &&
        typeof reference.value === "string"
      )
        literal.add(`${queue.id}\u0000${reference.value}`);
  }
  return literal;
}

/**
 * A reference one repository could not resolve, resolved by name against the others: a queue or job definition
 * declared in an infrastructure repository and submitted to from an application repository. Only a name written
 * as a literal (not a variable's name) that exactly one resource of the kind carries is taken; anything else stays
 * unresolved.
 */
function linkAcrossRepositories(links: Link[], inventory: Inventory, literal: Set<string>): Link[] {
  const byName = new Map<string, InventoryItem[]>();
  for (const key of INVENTORY_KEYS)
    for (const item of inventory[key]) {
      const found = byName.get(`${item.kind}\u0000${item.name}`);
      if (found) found.push(item);
      else byName.set(`${item.kind}\u0000${item.name}`, [item]);
    }
  return links.map((link) => {
    if (link.resolved || !link.to.startsWith("unresolved:") || !literal.has(`${link.from}\u0000${link.via}`))
      return link;
    const kind = link.to.slice("unresolved:".length) as ResourceKind;
    const name = nameOfLiteral(link.via, kind);
    const matches = name === undefined ? undefined : byName.get(`${kind}\u0000${name}`);
    if (matches?.length !== 1) return link;
    return { ...link, to: matches[0]!.id, resolved: true };
  });
}

/** A client's origin in a merged report: its paths are under the repository's folder like the finding's own. */
function originUnder(name: string, origin: Origin): Origin {
  return {
    ...origin,
    path: under(name, origin.path),
    steps: origin.steps.map((step) => ({ ...step, path: under(name, step.path) })),
  };
}

/**
 * Combines the reports of many repositories into one: findings, inventory, links and skipped files under a folder
 * per repository, coverage summed, and references that cross repositories linked by name. What the analysis adds
 * (readiness, cost, workloads, plan) is left out, to be worked out again over the whole organisation.
 */
export function mergeReports(
  parts: readonly RepositoryReport[],
  meta: { toolVersion: string; root: string },
): MergedScan {
  const inventory: Inventory = { jobDefinitions: [], jobQueues: [], computeEnvironments: [], schedulingPolicies: [] };
  const findings: Finding[] = [];
  const links: Link[] = [];
  for (const { name, report } of parts) {
    if (report.version !== REPORT_VERSION) throw new Error(`${name} is not a version ${REPORT_VERSION} report`);
    for (const finding of report.findings)
      findings.push({
        ...finding,
        path: under(name, finding.path),
        ...(finding.origin ? { origin: originUnder(name, finding.origin) } : {}),
      });
    for (const key of INVENTORY_KEYS)
      for (const item of report.inventory[key])
        inventory[key].push({
          ...item,
          id: under(name, item.id),
          source: { ...item.source, path: under(name, item.source.path) },
        });
    for (const link of report.links) links.push({ ...link, from: under(name, link.from), to: under(name, link.to) });
  }
  const latest =
    parts
      .map(({ report }) => report.scannedAt)
      .sort()
      .at(-1) ?? new Date(0).toISOString();
  return {
    version: REPORT_VERSION,
    tool: { name: "batch-migrate", version: meta.toolVersion },
    scannedAt: latest,
    root: meta.root,
    findings,
    inventory,
    links: linkAcrossRepositories(links, inventory, literalReferences(findings, inventory)),
    coverage: sumCoverage(parts),
    repositories: parts.map(({ name, report }) => ({
      name,
      root: report.root,
      scannedAt: report.scannedAt,
      findings: report.findings.length,
      coverage: {
        filesSeen: report.coverage.filesSeen,
        filesRead: report.coverage.filesRead,
        filesParsed: report.coverage.filesParsed,
        parseErrors: report.coverage.parseErrors,
      },
    })),
  };
}

/**
 * Each repository's share of an analysed merged report: its call sites, inventory, effort and cost, counted by the
 * repository whose folder each path and id is under. Summed over the repositories they are the report's totals.
 */
export function withRepositoryFigures(report: Report): Report {
  if (!report.repositories) return report;
  const scenario = headlineScenario(report);
  const targets = selectedTargets(report);
  const workloads = byRepository(report, report.workloads ?? [], (workload) => workload.id);
  const lines = byRepository(
    report,
    (report.cost?.lines ?? []).filter((line) => line.scenario === scenario),
    (line) => line.subject,
  );
  const readiness = byRepository(report, report.targets?.readiness ?? [], (entry) => entry.path);
  const callSites = byRepository(report, report.findings.filter(isCallSite), (finding) => finding.path);
  const inventory = Object.fromEntries(
    (["jobDefinitions", "jobQueues", "computeEnvironments"] as const).map((key) => [
      key,
      byRepository(report, report.inventory[key], (item) => item.id),
    ]),
  ) as Record<"jobDefinitions" | "jobQueues" | "computeEnvironments", Map<string, unknown[]>>;
  // A workload is priced on a platform when its own total there has no unpriced line.
  const priced = new Set(
    (report.cost?.totals ?? []).flatMap((total) =>
      total.workload !== undefined && total.scenario === scenario && total.cost !== null && total.unpricedLines === 0
        ? [`${total.platform}\u0000${total.workload}`]
        : [],
    ),
  );
  const repositories = report.repositories.map((section): RepositorySection => {
    const own = workloads.get(section.name) ?? [];
    const ownLines = lines.get(section.name) ?? [];
    const ownReadiness = readiness.get(section.name) ?? [];
    const platforms = (["aws", ...targets] as const).map((platform): RepositoryCost => {
      const costs = ownLines.flatMap((line) => (line.platform === platform && line.cost !== null ? [line.cost] : []));
      const pricedWorkloads = own.filter((workload) => priced.has(`${platform}\u0000${workload.name}`)).length;
      return {
        platform,
        cost: costs.length ? costs.reduce((sum, cost) => sum + cost, 0) : null,
        priced: pricedWorkloads,
        unpriced: own.length - pricedWorkloads,
      };
    });
    const count = (key: keyof typeof inventory) => inventory[key].get(section.name)?.length ?? 0;
    return {
      ...section,
      figures: {
        callSites: callSites.get(section.name)?.length ?? 0,
        jobDefinitions: count("jobDefinitions"),
        jobQueues: count("jobQueues"),
        computeEnvironments: count("computeEnvironments"),
        workloads: own.length,
        effort: Object.fromEntries(
          targets.map((target) => [
            target,
            ownReadiness.filter((entry) => entry.target === target).reduce((sum, entry) => sum + entry.effort, 0),
          ]),
        ),
        cost: { scenario, platforms },
      },
    };
  });
  return { ...report, repositories };
}
