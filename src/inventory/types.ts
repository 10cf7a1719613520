import type { LiteralValue } from "../core/types.js";

/**
 * A reference to another Batch resource as written: a literal name or ARN, or an IaC expression
 * (`aws_batch_compute_environment.gpu.arn`, `!Ref GpuEnvironment`, `!GetAtt Queue.JobQueueArn`).
 */
export type ResourceReference = {
  /** The name or ARN when `literal`, else the expression text. */
  value: string;
  literal: boolean;
};

export type RetryAction = {
  /** `RETRY` or `EXIT`. */
  action: string;
  onStatusReason?: string;
  onReason?: string;
  onExitCode?: string;
};

export type Volume = {
  name: string;
  hostPath?: string;
  /** EFS file system id when the volume is an EFS mount. */
  efsFileSystemId?: string;
  efsRootDirectory?: string;
};

/** A secret passed to the container; `valueFrom` is absent when it is only known at deploy time. */
export type Secret = { name: string; valueFrom?: string };

/** A `Ref::name` placeholder of the command, with its default from `parameters` when there is one. */
export type CommandParameter = { name: string; default?: string };

/** Normalised job definition, whatever file kind declared it. Sizes are in vCPUs, MiB and GiB. */
export type JobDefinitionProperties = {
  /** `container` or `multinode`. */
  type?: string;
  /** `EC2` or `FARGATE` (from `platformCapabilities`); EC2 when absent. */
  platform?: string;
  /** `ECS` (container properties) or `EKS` (`eksProperties`). */
  orchestration?: string;
  image?: string;
  command?: string[];
  commandParameters?: CommandParameter[];
  /** Parameter defaults of the definition. */
  parameters?: Record<string, string>;
  vcpus?: number;
  memoryMiB?: number;
  gpus?: number;
  environment?: Record<string, string>;
  secrets?: Secret[];
  timeoutSeconds?: number;
  retryAttempts?: number;
  retryEvaluateOnExit?: RetryAction[];
  privileged?: boolean;
  readonlyRootFilesystem?: boolean;
  volumes?: Volume[];
  ephemeralStorageGiB?: number;
  sharedMemoryMiB?: number;
  instanceType?: string;
  jobRoleArn?: string;
  executionRoleArn?: string;
  numNodes?: number;
  mainNode?: number;
  nodeRanges?: number;
  schedulingPriority?: number;
  /** Revision number, in saved DescribeJobDefinitions output. */
  revision?: number;
  /** `ACTIVE` or `INACTIVE`, in saved DescribeJobDefinitions output. */
  status?: string;
  /** True on an older revision of a job definition whose current revision is listed too: it is not priced or migrated. */
  superseded?: boolean;
  /** The inventory id of the revision that represents this job definition, when `superseded`. */
  supersededBy?: string;
};

/** One entry of a queue's compute-environment order. */
export type ComputeEnvironmentOrderEntry = { order?: number; computeEnvironment: ResourceReference };

export type JobQueueProperties = {
  priority?: number;
  state?: string;
  computeEnvironmentOrder?: ComputeEnvironmentOrderEntry[];
  schedulingPolicy?: ResourceReference;
};

export type ComputeEnvironmentProperties = {
  /** `MANAGED` or `UNMANAGED`. */
  type?: string;
  state?: string;
  /** `EC2`, `SPOT`, `FARGATE` or `FARGATE_SPOT`. */
  resourceType?: string;
  /** Instance types as written, including `optimal`, `default_x86_64` and `default_arm64`. */
  instanceTypes?: string[];
  minVcpus?: number;
  maxVcpus?: number;
  desiredVcpus?: number;
  allocationStrategy?: string;
  bidPercentage?: number;
  /** `ECS` or `EKS`. */
  orchestration?: string;
};

export type ShareDistribution = { shareIdentifier: string; weightFactor?: number };

export type SchedulingPolicyProperties = {
  shareDecaySeconds?: number;
  computeReservation?: number;
  shareDistribution?: ShareDistribution[];
};

/** The normalised form of one declaration, before it is placed in the inventory. */
export type Normalized<P> = {
  /** The Batch name when it is written literally. */
  name?: string;
  properties: P;
  /** Dotted property names whose value is only known at deploy or run time. */
  unresolved: string[];
};

/** Any property bag above, as stored in `InventoryItem.properties`. */
export type PropertyBag = Record<string, LiteralValue>;
