import type { Category, EffortPoints } from "../core/types.js";

export type TargetId = "common-compute" | "salad";

/** How a job definition or call site gets onto a target. */
export type ReadinessStatus = "supported" | "via shim" | "via native SDK" | "manual";

/** A Batch feature a job definition or call site can use. */
export type Feature =
  | "array-jobs"
  | "depends-on"
  | "retry-attempts"
  | "evaluate-on-exit"
  | "timeout"
  | "long-job"
  | "container-image"
  | "gpu-count"
  | "gpu-memory"
  | "cpu-size"
  | "memory-size"
  | "multinode"
  | "eks-ecs-properties"
  | "efs-volume"
  | "host-volume"
  | "privileged"
  | "fair-share"
  | "consumable-resources"
  | "fargate-settings"
  | "secrets"
  | "iam-role"
  | "terminate-running"
  | "cancel"
  | "s3-egress";

/** What a target does with one feature: the readiness it leads to, how much it blocks and what to do. */
export interface FeatureVerdict {
  /** What this feature makes of the subject's readiness. */
  status: ReadinessStatus;
  category: Category;
  effort: EffortPoints;
  /** Why, in the target's terms (facts from reference/targets.md and the runtime's emulation table). */
  why: string;
  /** What to do. */
  fix: string;
}

/** A target platform: its capability matrix, one verdict per feature (DESIGN.md §4 Platform). */
export interface Platform {
  id: TargetId;
  name: string;
  /** Verdicts for the features the target does not run as AWS Batch does; a missing feature is native. */
  capabilities: Partial<Record<Feature, FeatureVerdict>>;
  /** Largest GPU memory of one instance, in GB, for the `gpu-memory` check; undefined when GPUs are not sold by memory. */
  largestGpuMemoryGb?: number;
  /** Largest number of GPUs one job can get. */
  maxGpus: number;
  maxVcpus?: number;
  /** Memory above which capacity is unverified, in GB. */
  verifyMemoryAboveGb?: number;
  /** Run time above which the target suggests another job model, in minutes. */
  longJobMinutes?: number;
  /** The native job settings a job definition maps to (a sketch for the report, not a deployment file). */
  mapJobDefinition(facts: JobDefinitionFacts): Record<string, unknown>;
}

/** What the readiness checks know of one job definition. */
export interface JobDefinitionFacts {
  name: string;
  vcpus?: number;
  memoryMiB?: number;
  gpus: number;
  /** Per-GPU memory the job needs, GB, when known (usage file or today's instance). */
  gpuMemoryGb?: number;
  timeoutSeconds?: number;
  /** Average runtime from the usage file. */
  avgRuntimeMinutes?: number;
  retryAttempts?: number;
  hasEvaluateOnExit: boolean;
  multinode: boolean;
  eks: boolean;
  efsVolumes: string[];
  hostVolumes: string[];
  privileged: boolean;
  schedulingPriority?: number;
  fairShareQueue?: string;
  fargate: boolean;
  secrets: string[];
  roles: string[];
  image?: string;
  command?: string[];
  /** S3 uses found in the job's own code. */
  s3Uses: { path: string; line: number; text: string }[];
}

/** A gap: one feature a subject uses that the target does not run as AWS Batch does. */
export interface Gap {
  /** `<target>/<feature>`, the SARIF rule id. */
  ruleId: string;
  target: TargetId;
  feature: Feature;
  /** Inventory id of the job definition, or `path:line:column` of a call site. */
  subject: string;
  subjectName: string;
  path: string;
  line: number;
  status: ReadinessStatus;
  category: Category;
  effort: EffortPoints;
  /** What the subject uses (`3 array children`, `EFS fs-123`). */
  what: string;
  why: string;
  fix: string;
}

/** The readiness of one job definition or call site on one target. */
export interface Readiness {
  target: TargetId;
  subject: string;
  subjectKind: "job-definition" | "call-site";
  name: string;
  path: string;
  line: number;
  status: ReadinessStatus;
  /** Why this status, in one sentence. */
  why: string;
  /** Rule ids of its gaps. */
  gaps: string[];
  /** Effort points: the site's own plus its gaps'. */
  effort: number;
  /** The native settings it maps to, for job definitions. */
  mapping?: Record<string, unknown>;
}

export function definePlatform(platform: Platform): Platform {
  return platform;
}
