// The one job model behind all three faces. Its semantics are AWS Batch's (reference/targets.md D.3–D.5);
// each face renders it in its own vocabulary.

export const JOB_STATUSES = ["SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const TERMINAL_STATUSES: ReadonlySet<JobStatus> = new Set(["SUCCEEDED", "FAILED"]);

export type Face = "aws" | "cc" | "salad";

export interface EvaluateOnExit {
  action: string;
  onStatusReason?: string;
  onReason?: string;
  onExitCode?: string;
}

export interface RetryStrategy {
  attempts: number;
  evaluateOnExit?: EvaluateOnExit[];
}

export interface Dependency {
  jobId?: string;
  type?: "N_TO_N" | "SEQUENTIAL";
}

/** How an attempt is run; workloads and Salad queues are looked up in the executor config at dispatch. */
export type RunSpec =
  | { kind: "process"; command: string[]; environment: Record<string, string> }
  | { kind: "workload"; workload: string }
  | { kind: "forward"; queueName: string };

export type AttemptOutcome = "succeeded" | "failed" | "timeout" | "terminated" | "lost";

export interface Attempt {
  /** 1-based, as AWS_BATCH_JOB_ATTEMPT. */
  number: number;
  startedAt?: number;
  stoppedAt?: number;
  exitCode?: number;
  /** container.reason in AWS terms: why the process stopped, when it was not a plain exit. */
  reason?: string;
  statusReason?: string;
  outcome?: AttemptOutcome;
  /** Process group of a running child, so a restarted executor can reap what a crashed one left behind. */
  pid?: number;
  logStreamName: string;
}

export interface AwsJobData {
  jobQueue: string;
  jobQueueArn: string;
  computeEnvironment: string;
  jobDefinitionArn: string;
  parameters: Record<string, string>;
  tags?: Record<string, string>;
  propagateTags?: boolean;
  shareIdentifier?: string;
  schedulingPriority?: number;
  image?: string;
  vcpus?: number;
  memory?: number;
  resourceRequirements?: { type: string; value: string }[];
  platformCapabilities?: string[];
}

export interface CommonComputeJobData {
  workload: string;
  modelId?: string;
  priority: "batch" | "standard" | "priority";
  maxAttempts: number;
  input?: unknown;
  inputUri?: string;
  inputFilename?: string;
  metadata?: Record<string, unknown>;
  webhook?: string;
  maxSpendUsd?: number;
  idempotencyKey?: string;
  /** Set while the job waits for its input to be PUT to upload_url. */
  uploadToken?: string;
  uploadExpiresAt?: number;
  resultFile?: string;
  resultContentType?: string;
  leaseExpiresAt?: number;
  /** The attempt (lease) that was running when the job was cancelled: it shows `failed` but runs on. */
  cancelledAttempt?: number;
}

export interface SaladJobData {
  organizationName: string;
  projectName: string;
  queueName: string;
  input: unknown;
  metadata?: Record<string, unknown>;
  webhook?: string;
  events: { action: "created" | "started" | "succeeded" | "cancelled" | "failed"; time: number }[];
  output?: unknown;
}

export interface Job {
  id: string;
  /** Submission order, for FIFO and stable sorting. */
  seq: number;
  face: Face;
  name: string;
  status: JobStatus;
  statusReason?: string;
  createdAt: number;
  /** First STARTING→RUNNING of the job. */
  startedAt?: number;
  stoppedAt?: number;
  attempts: Attempt[];
  retryStrategy: RetryStrategy;
  /** AWS never retries a timed-out attempt; Common Compute's fail path does. */
  retryAfterTimeout: boolean;
  timeoutSeconds?: number;
  dependsOn: Dependency[];
  /** Job ids this job waits for, resolved from dependsOn (array children get their own). */
  waitFor: string[];
  arraySize?: number;
  arrayIndex?: number;
  parentId?: string;
  /** The dispatch lane: its FIFO, priority and concurrency limit (an AWS queue, a CC tier, a Salad queue). */
  lane: string;
  rank: number;
  /** Position in its lane; renewed each time the job becomes RUNNABLE. */
  queuedSeq?: number;
  run: RunSpec;
  isCancelled?: boolean;
  isTerminated?: boolean;
  transitions: { status: JobStatus; at: number }[];
  aws?: AwsJobData;
  cc?: CommonComputeJobData;
  salad?: SaladJobData;
}

export interface JobDefinition {
  jobDefinitionName: string;
  jobDefinitionArn: string;
  revision: number;
  status: "ACTIVE" | "INACTIVE";
  type: string;
  parameters?: Record<string, string>;
  containerProperties?: Record<string, unknown>;
  retryStrategy?: RetryStrategy;
  timeout?: { attemptDurationSeconds?: number };
  tags?: Record<string, string>;
  propagateTags?: boolean;
  platformCapabilities?: string[];
  schedulingPriority?: number;
  [field: string]: unknown;
}

export interface JobQueue {
  jobQueueName: string;
  jobQueueArn: string;
  state: "ENABLED" | "DISABLED";
  status: string;
  statusReason: string;
  priority: number;
  computeEnvironmentOrder: { order: number; computeEnvironment: string }[];
  tags?: Record<string, string>;
  [field: string]: unknown;
}

export interface ComputeEnvironment {
  computeEnvironmentName: string;
  computeEnvironmentArn: string;
  type: string;
  state: "ENABLED" | "DISABLED";
  status: string;
  statusReason: string;
  [field: string]: unknown;
}

export interface SchedulingPolicy {
  name: string;
  arn: string;
  fairsharePolicy?: Record<string, unknown>;
  tags?: Record<string, string>;
}

export interface SaladQueue {
  id: string;
  organizationName: string;
  projectName: string;
  name: string;
  displayName: string;
  description?: string | null;
  createTime: number;
  updateTime: number;
}
