import type { Finding, LiteralValue } from "../core/types.js";
import { suggestCommonComputeWorkload } from "./common-compute.js";
import type { Feature, Gap, JobDefinitionFacts, Platform, Readiness, ReadinessStatus } from "./types.js";

const STATUS_RANK: Record<ReadinessStatus, number> = { supported: 0, "via shim": 1, "via native SDK": 2, manual: 3 };

export function worseStatus(a: ReadinessStatus, b: ReadinessStatus): ReadinessStatus {
  return STATUS_RANK[a] >= STATUS_RANK[b] ? a : b;
}

interface Subject {
  id: string;
  name: string;
  path: string;
  line: number;
}

type Use = { feature: Feature; what: string };

/** The features a job definition uses that a target may not run as AWS Batch does. */
function jobDefinitionUses(facts: JobDefinitionFacts, platform: Platform): Use[] {
  const uses: Use[] = [];
  const add = (condition: unknown, feature: Feature, what: string) => condition && uses.push({ feature, what });
  add(true, "container-image", facts.image ? `image ${facts.image}` : "a container job");
  add(facts.multinode, "multinode", "multi-node parallel job");
  add(facts.eks, "eks-ecs-properties", "eksProperties");
  add(facts.efsVolumes.length, "efs-volume", `EFS ${facts.efsVolumes.join(", ")}`);
  add(facts.hostVolumes.length, "host-volume", `host path ${facts.hostVolumes.join(", ")}`);
  add(facts.privileged, "privileged", "privileged: true");
  add(
    facts.schedulingPriority !== undefined || facts.fairShareQueue,
    "fair-share",
    [
      facts.schedulingPriority !== undefined ? `schedulingPriority ${facts.schedulingPriority}` : "",
      facts.fairShareQueue ? `fair-share queue ${facts.fairShareQueue}` : "",
    ]
      .filter(Boolean)
      .join(", "),
  );
  add(facts.fargate, "fargate-settings", "platformCapabilities FARGATE");
  add(facts.secrets.length, "secrets", `secrets ${facts.secrets.join(", ")}`);
  add(facts.roles.length, "iam-role", facts.roles.join(", "));
  add(facts.retryAttempts !== undefined, "retry-attempts", `retryStrategy.attempts ${facts.retryAttempts}`);
  add(facts.hasEvaluateOnExit, "evaluate-on-exit", "retryStrategy.evaluateOnExit");
  add(facts.timeoutSeconds !== undefined, "timeout", `timeout ${facts.timeoutSeconds} s`);
  add(facts.gpus > platform.maxGpus, "gpu-count", `${facts.gpus} GPUs`);
  add(
    platform.largestGpuMemoryGb !== undefined &&
      facts.gpus > 0 &&
      facts.gpuMemoryGb !== undefined &&
      facts.gpuMemoryGb > platform.largestGpuMemoryGb,
    "gpu-memory",
    `${facts.gpuMemoryGb} GB GPU memory`,
  );
  add(platform.maxVcpus !== undefined && (facts.vcpus ?? 0) > platform.maxVcpus, "cpu-size", `${facts.vcpus} vCPU`);
  add(
    platform.verifyMemoryAboveGb !== undefined && (facts.memoryMiB ?? 0) / 1024 > platform.verifyMemoryAboveGb,
    "memory-size",
    `${Math.round((facts.memoryMiB ?? 0) / 1024)} GB memory`,
  );
  const runtime =
    facts.avgRuntimeMinutes ?? (facts.timeoutSeconds !== undefined ? facts.timeoutSeconds / 60 : undefined);
  add(
    platform.longJobMinutes !== undefined && runtime !== undefined && runtime > platform.longJobMinutes,
    "long-job",
    `${Math.round(runtime ?? 0)} min ${facts.avgRuntimeMinutes !== undefined ? "average run time" : "timeout"}`,
  );
  for (const use of facts.s3Uses)
    uses.push({ feature: "s3-egress", what: `S3 in ${use.path}:${use.line}: ${use.text}` });
  return uses;
}

function gapFrom(platform: Platform, subject: Subject, use: Use): Gap | undefined {
  const verdict = platform.capabilities[use.feature];
  if (!verdict) return undefined;
  return {
    ruleId: `${platform.id}/${use.feature}`,
    target: platform.id,
    feature: use.feature,
    subject: subject.id,
    subjectName: subject.name,
    path: subject.path,
    line: subject.line,
    status: verdict.status,
    category: verdict.category,
    effort: verdict.effort,
    what: use.what,
    why: verdict.why,
    fix: verdict.fix,
  };
}

function summarize(status: ReadinessStatus, gaps: readonly Gap[], base: string): string {
  const deciding = gaps.filter((gap) => gap.status === status && status !== "supported");
  if (deciding.length === 0) return base;
  return `${base}; ${status} because of ${[...new Set(deciding.map((gap) => gap.feature))].join(", ")}`;
}

/** Readiness and gaps of one job definition on one target. */
export function analyzeJobDefinition(
  platform: Platform,
  subject: Subject,
  facts: JobDefinitionFacts,
  ownEffort: number,
): { readiness: Readiness; gaps: Gap[] } {
  const uses = jobDefinitionUses(facts, platform);
  const gaps: Gap[] = [];
  for (const use of uses) {
    const gap = gapFrom(platform, subject, use);
    if (!gap) continue;
    if (gap.feature === "container-image") {
      const workload = suggestCommonComputeWorkload(facts);
      if (workload)
        Object.assign(gap, {
          status: "via shim",
          effort: 1,
          what: `${use.what}; suggested workload ${workload}`,
          fix: `map it to ${workload} in migrate.config.json (commonCompute.workload) and check the task's input and output`,
        });
    }
    gaps.push(gap);
  }
  const status = gaps.reduce<ReadinessStatus>((worst, gap) => worseStatus(worst, gap.status), "supported");
  return {
    readiness: {
      target: platform.id,
      subject: subject.id,
      subjectKind: "job-definition",
      name: subject.name,
      path: subject.path,
      line: subject.line,
      status,
      why: summarize(
        status,
        gaps,
        gaps.length === 0 ? "uses nothing the target lacks" : `${gaps.length} gap${gaps.length === 1 ? "" : "s"}`,
      ),
      gaps: gaps.map((gap) => gap.ruleId),
      effort: ownEffort + gaps.reduce((sum, gap) => sum + gap.effort, 0),
      mapping: platform.mapJobDefinition(facts),
    },
    gaps,
  };
}

function has(args: Record<string, LiteralValue> | undefined, key: string): boolean {
  return args !== undefined && key in args && args[key] !== null;
}

/** The features a call site uses, read from its operation and literal arguments. */
function callSiteUses(finding: Finding): Use[] {
  const args = finding.args;
  const uses: Use[] = [];
  const add = (condition: unknown, feature: Feature, what: string) => condition && uses.push({ feature, what });
  const op = finding.operation ?? "";
  add(has(args, "arrayProperties"), "array-jobs", "arrayProperties");
  add(has(args, "dependsOn"), "depends-on", "dependsOn");
  add(
    has(args, "shareIdentifier") || has(args, "schedulingPriorityOverride"),
    "fair-share",
    ["shareIdentifier", "schedulingPriorityOverride"].filter((k) => has(args, k)).join(", "),
  );
  add(has(args, "nodeOverrides"), "multinode", "nodeOverrides");
  add(
    has(args, "eksPropertiesOverride") || has(args, "ecsPropertiesOverride"),
    "eks-ecs-properties",
    ["eksPropertiesOverride", "ecsPropertiesOverride"].filter((k) => has(args, k)).join(", "),
  );
  add(
    has(args, "consumableResourcePropertiesOverride") || /ConsumableResource/.test(op),
    "consumable-resources",
    has(args, "consumableResourcePropertiesOverride") ? "consumableResourcePropertiesOverride" : op,
  );
  add(/SchedulingPolicy|QuotaShare/.test(op), "fair-share", op);
  add(has(args, "timeout"), "timeout", "timeout override");
  const retry = args?.retryStrategy;
  add(
    retry && typeof retry === "object" && !Array.isArray(retry) && "evaluateOnExit" in retry,
    "evaluate-on-exit",
    "retryStrategy.evaluateOnExit override",
  );
  add(op === "TerminateJob" || op === "TerminateJobs", "terminate-running", op);
  add(op === "CancelJob" || op === "CancelJobs", "cancel", op);
  return uses;
}

export function callSiteId(finding: Finding): string {
  return `${finding.path}:${finding.line}:${finding.column}`;
}

/** Readiness and gaps of one call site on one target: the transforms decide the path, its arguments the gaps. */
export function analyzeCallSite(platform: Platform, finding: Finding): { readiness: Readiness; gaps: Gap[] } {
  const subject = {
    id: callSiteId(finding),
    name: finding.operation ?? finding.message,
    path: finding.path,
    line: finding.line,
  };
  const shim = finding.transforms.some((t) => t.endsWith("-to-shim"));
  const native = finding.transforms.some((t) => t.endsWith("-to-native"));
  let status: ReadinessStatus = shim ? "via shim" : native ? "via native SDK" : "manual";
  let why = shim
    ? `${finding.transforms.filter((t) => t.endsWith("-to-shim")).join(", ")} rewrites it`
    : native
      ? `${finding.transforms.join(", ")} rewrites it`
      : finding.fix;
  if (finding.dynamic && status !== "manual") why += " (part of it is only known at run time: review the rewrite)";
  const gaps = callSiteUses(finding).flatMap((use) => gapFrom(platform, subject, use) ?? []);
  for (const gap of gaps) status = worseStatus(status, gap.status);
  return {
    readiness: {
      target: platform.id,
      subject: subject.id,
      subjectKind: "call-site",
      name: subject.name,
      path: finding.path,
      line: finding.line,
      status,
      why: summarize(status, gaps, why),
      gaps: gaps.map((gap) => gap.ruleId),
      effort: finding.effort + gaps.reduce((sum, gap) => sum + gap.effort, 0),
    },
    gaps,
  };
}
