import type { Finding, InventoryItem, LiteralValue } from "../core/types.js";
import { estimateCosts, type TargetPlatform } from "../cost/estimate.js";
import type { CostSection } from "../cost/model.js";
import type { PriceBook } from "../cost/prices.js";
import type { CandidateEnvironment, ComputeEnvironmentFacts, WorkloadFacts } from "../cost/resources/estimator.js";
import { gpuMemoryToday } from "../cost/resources/salad-container-group.js";
import { DEFAULT_REGION, type JobUsage, type UsageFile } from "../cost/usage.js";
import { usageKeys } from "../cost/usage-keys.js";
import { analyzeCallSite, analyzeJobDefinition, callSiteId, worseStatus } from "../platforms/analyze.js";
import { PLATFORMS } from "../platforms/index.js";
import type { Gap, JobDefinitionFacts, Readiness, TargetId } from "../platforms/types.js";
import { linkJobDefinition, queueEnvironments, type WorkloadLinks } from "./links.js";
import { isCallSite, type PlanItem, type Report, type Workload } from "./model.js";
import { orchestrationTasks } from "./orchestration.js";

export interface AnalysisOptions {
  targets: readonly TargetId[];
  prices: PriceBook;
  usage?: UsageFile;
  /** S3 uses in each job definition's own code, by inventory id (read by the command). */
  s3Uses?: Record<string, JobDefinitionFacts["s3Uses"]>;
  now: Date;
}

const num = (value: LiteralValue | undefined) => (typeof value === "number" ? value : undefined);
const str = (value: LiteralValue | undefined) => (typeof value === "string" ? value : undefined);
const list = (value: LiteralValue | undefined) => (Array.isArray(value) ? value : []);
const field = (value: LiteralValue, key: string) =>
  value && typeof value === "object" && !Array.isArray(value) ? value[key] : undefined;

function environmentFacts(item: InventoryItem): ComputeEnvironmentFacts {
  const p = item.properties;
  const facts: ComputeEnvironmentFacts = { id: item.id, name: item.name };
  const resourceType = str(p.resourceType);
  if (resourceType) facts.resourceType = resourceType;
  const types = list(p.instanceTypes).flatMap((t) => str(t) ?? []);
  if (types.length) facts.instanceTypes = types;
  const max = num(p.maxVcpus);
  if (max !== undefined) facts.maxVcpus = max;
  const bid = num(p.bidPercentage);
  if (bid !== undefined) facts.bidPercentage = bid;
  return facts;
}

/** Compute environments assumed when the scanned files declare none that can run the job (labelled as such). */
const ASSUMED_GPU_FAMILIES = ["g4dn", "g5", "g6", "g6e", "p3", "p4d", "p5"];

function assumedCandidates(workload: WorkloadFacts): CandidateEnvironment[] {
  const fargate = workload.platform === "FARGATE";
  const gpu = workload.gpus > 0;
  const types = gpu ? ASSUMED_GPU_FAMILIES : ["optimal"];
  const typesText = gpu ? "GPU families" : "optimal";
  const make = (resourceType: string, likeliness: number): CandidateEnvironment => {
    const label = fargate ? `${resourceType} (assumed)` : `${resourceType} ${typesText} (assumed)`;
    const facts: ComputeEnvironmentFacts = { id: `assumed:${resourceType}`, name: label, resourceType };
    if (!fargate) facts.instanceTypes = types;
    return { label, computeEnvironment: facts, likeliness };
  };
  return fargate ? [make("FARGATE", 1), make("FARGATE_SPOT", 0)] : [make("EC2", 1), make("SPOT", 0)];
}

/** Applies a usage-file pin (`queue`, `compute_environment`, `instance_type`) to the workload's compute environment. */
function applyPin(facts: WorkloadFacts, entry: JobUsage | undefined, report: Report): string | undefined {
  if (!entry) return undefined;
  const matches = (item: InventoryItem, value: string) => item.name === value || item.source.address === value;
  const instanceType = str(entry.instance_type as LiteralValue);
  if (instanceType) {
    const fargate = /^fargate(_spot)?$/i.test(instanceType);
    const resourceType = fargate ? instanceType.toUpperCase() : "EC2";
    facts.computeEnvironment = {
      id: `pinned:${instanceType}`,
      name: `instance_type ${instanceType}`,
      resourceType,
      ...(fargate ? {} : { instanceTypes: [instanceType] }),
    };
    if (fargate) facts.platform = "FARGATE";
    facts.computeEnvironmentBasis = `pinned in the usage file (instance_type: ${instanceType}), on-demand`;
    return `instance_type: ${instanceType}`;
  }
  const environmentName = str(entry.compute_environment as LiteralValue);
  const queueName = str(entry.queue as LiteralValue);
  let environment: InventoryItem | undefined;
  let pin: string | undefined;
  if (environmentName) {
    environment = report.inventory.computeEnvironments.find((ce) => matches(ce, environmentName));
    pin = `compute_environment: ${environmentName}`;
  } else if (queueName) {
    const queue = report.inventory.jobQueues.find((q) => matches(q, queueName));
    environment = queue ? queueEnvironments(queue, report)[0] : undefined;
    pin = `queue: ${queueName}`;
  }
  if (!pin) return undefined;
  if (!environment) {
    delete facts.computeEnvironment;
    delete facts.candidates;
    facts.computeEnvironmentBasis = `the usage file pins ${pin}, which is not declared in the scanned files (pin instance_type instead)`;
    return pin;
  }
  facts.computeEnvironment = environmentFacts(environment);
  delete facts.candidates;
  facts.computeEnvironmentBasis = `pinned in the usage file (${pin})`;
  return pin;
}

/** A literal number of a resource requirement or legacy field (`"16"`, 16); undefined for expressions. */
function sizeNumber(value: LiteralValue | undefined): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return undefined;
}

/**
 * The size call sites give the job with `containerOverrides` (resourceRequirements, or legacy vcpus/memory), the
 * largest over the call sites that set one literally: AWS Batch runs the job at that size, not the definition's.
 */
function overriddenSize(callSites: readonly Finding[]): {
  vcpus?: number;
  memoryMiB?: number;
  gpus?: number;
  where: string[];
} {
  const size: { vcpus?: number; memoryMiB?: number; gpus?: number; where: string[] } = { where: [] };
  const raise = (key: "vcpus" | "memoryMiB" | "gpus", value: number | undefined) => {
    if (value !== undefined && value > (size[key] ?? -1)) size[key] = value;
  };
  for (const site of callSites) {
    const overrides = site.args?.containerOverrides;
    if (!overrides || typeof overrides !== "object" || Array.isArray(overrides)) continue;
    const before = JSON.stringify(size);
    for (const requirement of list(overrides.resourceRequirements)) {
      const type = str(field(requirement, "type"))?.toUpperCase();
      const value = sizeNumber(field(requirement, "value"));
      if (type === "VCPU") raise("vcpus", value);
      if (type === "MEMORY") raise("memoryMiB", value);
      if (type === "GPU") raise("gpus", value);
    }
    raise("vcpus", sizeNumber(overrides.vcpus));
    raise("memoryMiB", sizeNumber(overrides.memory));
    if (JSON.stringify(size) !== before) size.where.push(`${site.path}:${site.line}`);
  }
  return size;
}

function workloadFacts(item: InventoryItem, links: WorkloadLinks, key: string): WorkloadFacts {
  const p = item.properties;
  const facts: WorkloadFacts = {
    id: item.id,
    name: key,
    gpus: num(p.gpus) ?? 0,
    platform: str(p.platform) ?? "EC2",
    computeEnvironmentBasis: links.basis,
  };
  const vcpus = num(p.vcpus);
  if (vcpus !== undefined) facts.vcpus = vcpus;
  const memory = num(p.memoryMiB);
  if (memory !== undefined) facts.memoryMiB = memory;
  const timeout = num(p.timeoutSeconds);
  if (timeout !== undefined) facts.timeoutSeconds = timeout;
  const overridden = overriddenSize(links.callSites);
  if (overridden.where.length > 0) {
    const sizes: string[] = [];
    if (overridden.vcpus !== undefined) {
      facts.vcpus = overridden.vcpus;
      sizes.push(`${overridden.vcpus} vCPU`);
    }
    if (overridden.memoryMiB !== undefined) {
      facts.memoryMiB = overridden.memoryMiB;
      sizes.push(`${overridden.memoryMiB} MiB`);
    }
    if (overridden.gpus !== undefined) {
      facts.gpus = overridden.gpus;
      sizes.push(`${overridden.gpus} GPU`);
    }
    facts.sizeNote = `sized by containerOverrides at ${overridden.where.join(", ")} (${sizes.join(" / ")}), not the job definition's ${
      [vcpus !== undefined ? `${vcpus} vCPU` : "", memory !== undefined ? `${memory} MiB` : ""]
        .filter(Boolean)
        .join(" / ") || "unknown size"
    }`;
  }
  if (links.computeEnvironments[0]) facts.computeEnvironment = environmentFacts(links.computeEnvironments[0]);
  else if (links.candidates?.length) {
    facts.candidates = links.candidates.flatMap((candidate) =>
      candidate.computeEnvironments[0]
        ? [
            {
              label: `${candidate.queue.name} → ${candidate.computeEnvironments[0].name}`,
              computeEnvironment: environmentFacts(candidate.computeEnvironments[0]),
              likeliness: candidate.likeliness,
            },
          ]
        : [],
    );
  } else {
    facts.candidates = assumedCandidates(facts);
    facts.candidatesAssumed = true;
  }
  return facts;
}

/** The names a usage entry may be keyed by, besides the definition's usage key (see usage-keys.ts). */
function usageAliases(item: InventoryItem): string[] {
  return [...new Set([item.name, item.source.address ?? "", item.id].filter(Boolean))];
}

function usageEntry(item: InventoryItem, key: string, usage: UsageFile | undefined) {
  if (!usage) return undefined;
  for (const alias of [key, ...usageAliases(item)]) if (usage.jobDefinitions[alias]) return usage.jobDefinitions[alias];
  return undefined;
}

function definitionFacts(
  item: InventoryItem,
  links: WorkloadLinks,
  report: Report,
  options: AnalysisOptions,
  workload: WorkloadFacts,
): JobDefinitionFacts {
  const p = item.properties;
  const entry = usageEntry(item, workload.name, options.usage);
  const volumes = list(p.volumes);
  const vram =
    typeof entry?.gpu_vram_gb === "number"
      ? entry.gpu_vram_gb
      : gpuMemoryToday(workload, options.prices, options.usage?.region ?? DEFAULT_REGION)?.gb;
  const policy = links.queue ? field(links.queue.properties.schedulingPolicy ?? null, "value") : undefined;
  const facts: JobDefinitionFacts = {
    name: item.name,
    gpus: workload.gpus,
    hasEvaluateOnExit: list(p.retryEvaluateOnExit).length > 0,
    multinode: str(p.type) === "multinode" || num(p.numNodes) !== undefined,
    eks: str(p.orchestration) === "EKS",
    efsVolumes: volumes.flatMap((v) => str(field(v, "efsFileSystemId")) ?? []),
    hostVolumes: volumes.flatMap((v) => str(field(v, "hostPath")) ?? []),
    privileged: p.privileged === true,
    fargate: str(p.platform) === "FARGATE",
    secrets: list(p.secrets).flatMap((s) => str(field(s, "name")) ?? []),
    roles: [str(p.jobRoleArn) ? "jobRoleArn" : "", str(p.executionRoleArn) ? "executionRoleArn" : ""].filter(Boolean),
    s3Uses: options.s3Uses?.[item.id] ?? [],
  };
  if (workload.vcpus !== undefined) facts.vcpus = workload.vcpus;
  if (workload.memoryMiB !== undefined) facts.memoryMiB = workload.memoryMiB;
  if (vram !== undefined) facts.gpuMemoryGb = vram;
  if (workload.timeoutSeconds !== undefined) facts.timeoutSeconds = workload.timeoutSeconds;
  if (typeof entry?.avg_runtime_minutes === "number") facts.avgRuntimeMinutes = entry.avg_runtime_minutes;
  const attempts = num(p.retryAttempts);
  if (attempts !== undefined) facts.retryAttempts = attempts;
  const priority = num(p.schedulingPriority);
  if (priority !== undefined) facts.schedulingPriority = priority;
  if (policy !== undefined && links.queue) facts.fairShareQueue = links.queue.name;
  const image = str(p.image);
  if (image) facts.image = image;
  const command = list(p.command).flatMap((c) => str(c) ?? []);
  if (command.length) facts.command = command;

  return facts;
}

function infraEffort(item: InventoryItem, report: Report): number {
  return report.findings.find((f) => f.path === item.source.path && f.line === item.source.line)?.effort ?? 0;
}

function costFor(cost: CostSection, workload: string, targets: readonly TargetId[]): Workload["cost"] {
  const scenario = cost.totals.some((t) => t.workload === workload && t.scenario === "monthly") ? "monthly" : "per-run";
  const figure = (platform: string) => {
    const total = cost.totals.find(
      (t) => t.workload === workload && t.scenario === scenario && t.platform === platform,
    );
    return total && total.unpricedLines === 0 ? total.cost : null;
  };
  return {
    scenario,
    aws: figure("aws"),
    targets: Object.fromEntries(targets.map((target) => [target, figure(target)])),
  };
}

function byText<T>(key: (item: T) => string) {
  return (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}

/** Adds readiness, gaps, cost, workloads and the plan to a scan report. Pure: the command reads files and prices. */
export function analyzeReport(scan: Report, options: AnalysisOptions): Report {
  const readiness: Readiness[] = [];
  const gaps: Gap[] = [];
  const workloads: Workload[] = [];
  const workloadFactsList: WorkloadFacts[] = [];
  const aliases: Record<string, string[]> = {};
  const current = scan.inventory.jobDefinitions.filter((item) => item.properties.superseded !== true);
  const keys = usageKeys(current);
  const linked = current.map((item) => ({ item, links: linkJobDefinition(item, scan) }));
  for (const { item, links } of linked) {
    const facts = workloadFacts(item, links, keys.get(item.id)!);
    const pin = applyPin(facts, usageEntry(item, facts.name, options.usage), scan);
    if (pin) facts.pin = pin;
    workloadFactsList.push(facts);
    aliases[item.id] = usageAliases(item);
  }
  const cost = estimateCosts({
    workloads: workloadFactsList,
    computeEnvironments: scan.inventory.computeEnvironments.map(environmentFacts),
    targets: options.targets as TargetPlatform[],
    prices: options.prices,
    ...(options.usage ? { usage: options.usage } : {}),
    now: options.now,
    aliases,
  });
  const siteReadiness = new Map<string, Readiness[]>();
  for (const finding of scan.findings.filter(isCallSite)) {
    for (const target of options.targets) {
      const result = analyzeCallSite(PLATFORMS[target], finding);
      readiness.push(result.readiness);
      gaps.push(...result.gaps);
      siteReadiness.set(`${target}|${callSiteId(finding)}`, [
        ...(siteReadiness.get(`${target}|${callSiteId(finding)}`) ?? []),
        result.readiness,
      ]);
    }
  }
  for (const [index, { item, links }] of linked.entries()) {
    const workloadFacts = workloadFactsList[index]!;
    const facts = definitionFacts(item, links, scan, options, workloadFacts);
    const workload: Workload = {
      id: item.id,
      name: workloadFacts.name,
      path: item.source.path,
      line: item.source.line,
      callSites: links.callSites.map(callSiteId),
      queue: links.queue?.name ?? null,
      computeEnvironment: workloadFacts.computeEnvironment?.name ?? null,
      computeEnvironmentBasis: workloadFacts.computeEnvironmentBasis,
      status: {},
      effort: {},
      cost: costFor(cost, workloadFacts.name, options.targets),
    };
    for (const target of options.targets) {
      const result = analyzeJobDefinition(
        PLATFORMS[target],
        { id: item.id, name: item.name, path: item.source.path, line: item.source.line },
        facts,
        infraEffort(item, scan),
      );
      readiness.push(result.readiness);
      gaps.push(...result.gaps);
      const sites = links.callSites.flatMap(
        (site: Finding) => siteReadiness.get(`${target}|${callSiteId(site)}`) ?? [],
      );
      workload.status[target] = sites.reduce((worst, site) => worseStatus(worst, site.status), result.readiness.status);
      workload.effort[target] = result.readiness.effort + sites.reduce((sum, site) => sum + site.effort, 0);
    }
    workloads.push(workload);
  }
  readiness.sort(byText((r) => `${r.target}|${r.path}|${String(r.line).padStart(6, "0")}|${r.subject}`));
  gaps.sort(
    byText((g) => `${g.target}|${g.path}|${String(g.line).padStart(6, "0")}|${g.subject}|${g.feature}|${g.what}`),
  );
  workloads.sort(byText((w) => w.name));
  const report: Report = {
    ...scan,
    targets: { selected: [...options.targets], readiness, gaps },
    cost,
    workloads,
    plan: buildPlan(workloads, gaps, options.targets),
  };
  return { ...report, orchestration: orchestrationTasks(report) };
}

/** Per target, workloads ordered by savings per effort point (unpriced ones last), each with its steps. */
export function buildPlan(
  workloads: readonly Workload[],
  gaps: readonly Gap[],
  targets: readonly TargetId[],
): PlanItem[] {
  const items: PlanItem[] = [];
  for (const target of targets) {
    const forTarget = workloads.map((workload): PlanItem => {
      const targetCost = workload.cost.targets[target];
      const savings =
        workload.cost.aws !== null && targetCost !== null && targetCost !== undefined
          ? workload.cost.aws - targetCost
          : null;
      const effort = workload.effort[target] ?? 0;
      const related = new Set([workload.id, ...workload.callSites]);
      const steps = [
        ...new Set(
          gaps
            .filter((gap) => gap.target === target && related.has(gap.subject) && gap.effort > 0)
            .map((gap) => `${gap.feature}: ${gap.fix}`),
        ),
      ];
      return {
        target,
        workload: workload.name,
        status: workload.status[target] ?? "manual",
        effort,
        scenario: workload.cost.scenario,
        savings,
        savingsPerPoint: savings === null ? null : savings / Math.max(1, effort),
        steps,
      };
    });
    forTarget.sort(
      (a, b) =>
        (b.savingsPerPoint ?? -Infinity) - (a.savingsPerPoint ?? -Infinity) ||
        a.effort - b.effort ||
        (a.workload < b.workload ? -1 : 1),
    );
    items.push(...forTarget);
  }
  return items;
}
