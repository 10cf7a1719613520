import type { Finding, InventoryItem, Link, LiteralValue } from "../core/types.js";
import { callSiteId as graphCallSiteId } from "../link/index.js";
import { isCallSite, type Report } from "./model.js";

/*
 * Joins call sites, job definitions, queues and compute environments. Uses the scan's links where src/link
 * produced them and falls back on literal names, IaC references and platform compatibility otherwise.
 */

function literal(value: LiteralValue | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** `name`, `name:3` or `arn:aws:batch:…:job-definition/name:3` → `name`. */
export function baseName(reference: string): string {
  const afterSlash = reference.includes("/") ? reference.slice(reference.lastIndexOf("/") + 1) : reference;
  return afterSlash.replace(/:\d+$/, "");
}

/** Whether a written reference (`aws_batch_compute_environment.gpu.arn`, `!Ref Gpu`, an ARN, a name) points at an item. */
export function refersTo(reference: string, item: InventoryItem): boolean {
  const cleaned = reference.replace(/^!(Ref|GetAtt)\s+/, "").replace(/^\$\{(.*)\}$/, "$1");
  const address = item.source.address;
  if (address && (cleaned === address || cleaned.startsWith(`${address}.`))) return true;
  return baseName(cleaned) === item.name || cleaned === item.name;
}

export interface WorkloadLinks {
  callSites: Finding[];
  queue?: InventoryItem;
  computeEnvironments: InventoryItem[];
  /** How the compute environment was found. */
  basis: string;
}

function gpus(item: InventoryItem): number {
  return typeof item.properties.gpus === "number" ? item.properties.gpus : 0;
}

function canRun(definition: InventoryItem, environment: InventoryItem): boolean {
  const type = environment.properties.resourceType;
  const fargateJob = definition.properties.platform === "FARGATE";
  const fargateEnvironment = type === "FARGATE" || type === "FARGATE_SPOT";
  if (fargateJob !== fargateEnvironment) return false;
  return !(fargateEnvironment && gpus(definition) > 0);
}

function queueEnvironments(queue: InventoryItem, report: Report): InventoryItem[] {
  const viaLinks = report.links
    .filter((link: Link) => link.from === queue.id && link.relation === "uses-compute-environment")
    .flatMap((link) => report.inventory.computeEnvironments.filter((ce) => ce.id === link.to));
  if (viaLinks.length > 0) return viaLinks;
  const order = Array.isArray(queue.properties.computeEnvironmentOrder) ? queue.properties.computeEnvironmentOrder : [];
  return order.flatMap((entry) => {
    if (!entry || typeof entry !== "object" || Array.isArray(entry)) return [];
    const ref = entry.computeEnvironment;
    const value = ref && typeof ref === "object" && !Array.isArray(ref) ? literal(ref.value) : literal(ref);
    return value ? report.inventory.computeEnvironments.filter((ce) => refersTo(value, ce)) : [];
  });
}

/** The call sites, queue and compute environments of one job definition. */
export function linkJobDefinition(definition: InventoryItem, report: Report): WorkloadLinks {
  const callSites = report.findings.filter((finding) => {
    if (!isCallSite(finding)) return false;
    const linked = report.links.some(
      (link) =>
        link.to === definition.id && link.relation === "uses-job-definition" && link.from === graphCallSiteId(finding),
    );
    const written = literal(finding.args?.jobDefinition);
    return linked || (written !== undefined && baseName(written) === definition.name);
  });
  const literalQueues = new Set(callSites.flatMap((site) => literal(site.args?.jobQueue) ?? []).map(baseName));
  const siteIds = new Set(callSites.map(graphCallSiteId));
  const linkedQueues = new Set(
    report.links
      .filter((link) => link.relation === "uses-job-queue" && link.resolved && siteIds.has(link.from))
      .map((link) => link.to),
  );
  const named = report.inventory.jobQueues.filter(
    (queue) => linkedQueues.has(queue.id) || literalQueues.has(queue.name),
  );
  if (named.length > 0) {
    const queue = named[0]!;
    return {
      callSites,
      queue,
      computeEnvironments: queueEnvironments(queue, report),
      basis: `from the queue ${queue.name} its call sites name`,
    };
  }
  const compatible = report.inventory.jobQueues.filter((queue) => {
    const environments = queueEnvironments(queue, report);
    return environments.length > 0 && environments.every((environment) => canRun(definition, environment));
  });
  if (compatible.length === 1) {
    const queue = compatible[0]!;
    return {
      callSites,
      queue,
      computeEnvironments: queueEnvironments(queue, report),
      basis: `inferred: ${queue.name} is the only queue whose compute environments can run it`,
    };
  }
  return {
    callSites,
    computeEnvironments: [],
    basis:
      compatible.length > 1
        ? `ambiguous: ${compatible.length} queues could run it and no call site names one literally`
        : "no queue found that can run it",
  };
}
