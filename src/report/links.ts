import type { Finding, InventoryItem, Link, LiteralValue } from "../core/types.js";
import { callArgument, callSiteId as graphCallSiteId } from "../link/index.js";
import { isCallSite, isOrchestrationTask, type Report } from "./model.js";
import { repositoryOf } from "./organisation.js";

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

/**
 * What may be inferred to go with an item: in a merged report only what its own repository declares. A name that
 * crosses repositories is linked by the merge itself (src/report/merge.ts), when exactly one resource carries it.
 */
function nearby(report: Report, id: string): (other: string) => boolean {
  if (!report.repositories) return () => true;
  const home = repositoryOf(report, id);
  return (other) => repositoryOf(report, other) === home;
}

export interface WorkloadLinks {
  callSites: Finding[];
  queue?: InventoryItem;
  computeEnvironments: InventoryItem[];
  /** How the compute environment was found. */
  basis: string;
  /** When several queues could run it: each, with its compute environments and how likely it is the one. */
  candidates?: QueueCandidate[];
}

export interface QueueCandidate {
  queue: InventoryItem;
  computeEnvironments: InventoryItem[];
  likeliness: number;
}

function gpus(item: InventoryItem): number {
  return typeof item.properties.gpus === "number" ? item.properties.gpus : 0;
}

/** EC2 families with GPUs or accelerators that Batch schedules as GPUs (g*, p*; not Graviton's c6g, m7g…). */
const GPU_FAMILY = /^(?:g\d|gr\d|p\d)/;

function instanceTypesOf(environment: InventoryItem): string[] {
  const types = environment.properties.instanceTypes;
  return Array.isArray(types) ? types.flatMap((t) => (typeof t === "string" ? [t] : [])) : [];
}

/** Whether the compute environment offers GPUs: undefined when its instance types are not written literally. */
export function offersGpus(environment: InventoryItem): boolean | undefined {
  const types = instanceTypesOf(environment);
  if (types.length === 0) return environment.unresolved.some((u) => u.startsWith("instanceTypes")) ? undefined : false;
  return types.some((type) => GPU_FAMILY.test(type));
}

/** Whether AWS Batch could place the job on the compute environment: Fargate vs EC2, and GPUs. */
export function canRun(definition: InventoryItem, environment: InventoryItem): boolean {
  const type = environment.properties.resourceType;
  const fargateJob = definition.properties.platform === "FARGATE";
  const fargateEnvironment = type === "FARGATE" || type === "FARGATE_SPOT";
  if (fargateJob !== fargateEnvironment) return false;
  if (gpus(definition) > 0) return !fargateEnvironment && offersGpus(environment) !== false;
  return true;
}

const words = (text: string) =>
  new Set(
    text
      .replace(/([a-z])([A-Z])/g, "$1 $2")
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter(
        (w) =>
          w.length > 2 && !["job", "queue", "definition", "batch", "aws", "compute", "environment", "env"].includes(w),
      ),
  );

/** How likely a queue is the one a job definition is submitted to: GPU fit first, then shared name words. */
function likeliness(definition: InventoryItem, queue: InventoryItem, environments: InventoryItem[]): number {
  const gpuJob = gpus(definition) > 0;
  const gpuQueue = environments.some((environment) => offersGpus(environment) === true);
  const own = words(definition.name);
  const shared = [...words(queue.name), ...environments.flatMap((e) => [...words(e.name)])].filter((w) => own.has(w));
  return (gpuJob === gpuQueue ? 10 : 0) + new Set(shared).size;
}

export function queueEnvironments(queue: InventoryItem, report: Report): InventoryItem[] {
  const viaLinks = report.links
    .filter((link: Link) => link.from === queue.id && link.relation === "uses-compute-environment")
    .flatMap((link) => report.inventory.computeEnvironments.filter((ce) => ce.id === link.to));
  if (viaLinks.length > 0) return viaLinks;
  const order = Array.isArray(queue.properties.computeEnvironmentOrder) ? queue.properties.computeEnvironmentOrder : [];
  return order.flatMap((entry) => {
    if (!entry || typeof entry !== "object" || Array.isArray(entry)) return [];
    const ref = entry.computeEnvironment;
    const value = ref && typeof ref === "object" && !Array.isArray(ref) ? literal(ref.value) : literal(ref);
    const mine = nearby(report, queue.id);
    return value ? report.inventory.computeEnvironments.filter((ce) => mine(ce.id) && refersTo(value, ce)) : [];
  });
}

const SUBMITTERS = new WeakMap<Finding[], Finding[]>();

/** The findings that can submit a job: call sites and orchestration tasks, picked once per report. */
function submitters(report: Report): Finding[] {
  let found = SUBMITTERS.get(report.findings);
  if (!found) {
    found = report.findings.filter((finding) => isCallSite(finding) || isOrchestrationTask(finding));
    SUBMITTERS.set(report.findings, found);
  }
  return found;
}

const CALLERS = new WeakMap<Link[], Map<string, Set<string>>>();

/** The call sites linked to each job definition, indexed once per report: an organisation has many of both. */
function definitionCallers(report: Report): Map<string, Set<string>> {
  let callers = CALLERS.get(report.links);
  if (callers) return callers;
  callers = new Map();
  for (const link of report.links) {
    if (link.relation !== "uses-job-definition") continue;
    const from = callers.get(link.to);
    if (from) from.add(link.from);
    else callers.set(link.to, new Set([link.from]));
  }
  CALLERS.set(report.links, callers);
  return callers;
}

/** The call sites, queue and compute environments of one job definition. */
export function linkJobDefinition(definition: InventoryItem, report: Report): WorkloadLinks {
  const mine = nearby(report, definition.id);
  const queues = report.inventory.jobQueues.filter((queue) => mine(queue.id));
  const callers = definitionCallers(report).get(definition.id);
  const callSites = submitters(report).filter((finding) => {
    const linked = callers?.has(graphCallSiteId(finding)) ?? false;
    const written = literal(callArgument(finding, "jobDefinition"));
    return linked || (written !== undefined && baseName(written) === definition.name && mine(finding.path));
  });
  const literalQueues = new Set(
    callSites.flatMap((site) => literal(callArgument(site, "jobQueue")) ?? []).map(baseName),
  );
  const siteIds = new Set(callSites.map(graphCallSiteId));
  const linkedQueues = new Set(
    report.links
      .filter((link) => link.relation === "uses-job-queue" && link.resolved && siteIds.has(link.from))
      .map((link) => link.to),
  );
  const named = report.inventory.jobQueues.filter(
    (queue) => linkedQueues.has(queue.id) || (literalQueues.has(queue.name) && mine(queue.id)),
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
  const compatible = queues.filter((queue) => {
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
  if (compatible.length > 1) {
    return {
      callSites,
      computeEnvironments: [],
      basis: `ambiguous: ${compatible.length} queues could run it and no call site names one literally`,
      candidates: compatible.map((queue) => {
        const computeEnvironments = queueEnvironments(queue, report).filter((environment) =>
          canRun(definition, environment),
        );
        return { queue, computeEnvironments, likeliness: likeliness(definition, queue, computeEnvironments) };
      }),
    };
  }
  return {
    callSites,
    computeEnvironments: [],
    basis:
      queues.length === 0 && !report.inventory.computeEnvironments.some((environment) => mine(environment.id))
        ? "no job queue or compute environment is declared in the scanned files"
        : "no queue found that can run it",
  };
}
