// Input and output types of the served operations, named as @aws-sdk/client-batch names them, so code that
// annotates with `SubmitJobCommandInput` or `JobDetail` keeps compiling after the import swap. Members follow
// botocore's batch 2016-08-10 model; nested structures the shim passes through unchanged stay open.
import type { ResponseMetadata } from "./errors.js";

export type JobStatus = "SUBMITTED" | "PENDING" | "RUNNABLE" | "STARTING" | "RUNNING" | "SUCCEEDED" | "FAILED";
export type ArrayJobDependency = "N_TO_N" | "SEQUENTIAL";

export interface MetadataBearer {
  $metadata: ResponseMetadata;
}

export interface KeyValuePair {
  name?: string;
  value?: string;
}

export interface ResourceRequirement {
  type: string;
  value: string;
}

export interface EvaluateOnExit {
  action: "RETRY" | "EXIT" | "retry" | "exit";
  onStatusReason?: string;
  onReason?: string;
  onExitCode?: string;
}

export interface RetryStrategy {
  attempts?: number;
  evaluateOnExit?: EvaluateOnExit[];
}

export interface JobTimeout {
  attemptDurationSeconds?: number;
}

export interface JobDependency {
  jobId?: string;
  type?: ArrayJobDependency;
}

export interface ContainerOverrides {
  vcpus?: number;
  memory?: number;
  command?: string[];
  instanceType?: string;
  environment?: KeyValuePair[];
  resourceRequirements?: ResourceRequirement[];
}

export interface ContainerProperties {
  image?: string;
  vcpus?: number;
  memory?: number;
  command?: string[];
  jobRoleArn?: string;
  executionRoleArn?: string;
  environment?: KeyValuePair[];
  resourceRequirements?: ResourceRequirement[];
  instanceType?: string;
  [member: string]: unknown;
}

export interface ContainerDetail extends ContainerProperties {
  exitCode?: number;
  reason?: string;
  containerInstanceArn?: string;
  taskArn?: string;
  logStreamName?: string;
}

export interface AttemptDetail {
  container?: {
    exitCode?: number;
    reason?: string;
    containerInstanceArn?: string;
    taskArn?: string;
    logStreamName?: string;
    networkInterfaces?: unknown[];
  };
  startedAt?: number;
  stoppedAt?: number;
  statusReason?: string;
}

export interface ArrayPropertiesDetail {
  statusSummary?: Record<string, number>;
  size?: number;
  index?: number;
  statusSummaryLastUpdatedAt?: number;
}

export interface JobDetail {
  jobArn?: string;
  jobName: string;
  jobId: string;
  jobQueue: string;
  status: JobStatus;
  shareIdentifier?: string;
  schedulingPriority?: number;
  attempts?: AttemptDetail[];
  statusReason?: string;
  createdAt?: number;
  retryStrategy?: RetryStrategy;
  startedAt?: number;
  stoppedAt?: number;
  dependsOn?: JobDependency[];
  jobDefinition: string;
  parameters?: Record<string, string>;
  container?: ContainerDetail;
  arrayProperties?: ArrayPropertiesDetail;
  timeout?: JobTimeout;
  tags?: Record<string, string>;
  propagateTags?: boolean;
  platformCapabilities?: string[];
  isCancelled?: boolean;
  isTerminated?: boolean;
}

export interface JobSummary {
  jobArn?: string;
  jobId: string;
  jobName: string;
  createdAt?: number;
  status?: JobStatus;
  statusReason?: string;
  startedAt?: number;
  stoppedAt?: number;
  container?: { exitCode?: number; reason?: string };
  arrayProperties?: ArrayPropertiesDetail;
  jobDefinition?: string;
  shareIdentifier?: string;
}

export interface KeyValuesPair {
  name?: "JOB_NAME" | "JOB_DEFINITION" | "BEFORE_CREATED_AT" | "AFTER_CREATED_AT" | "SHARE_IDENTIFIER" | (string & {});
  values?: string[];
}

export interface SubmitJobRequest {
  jobName: string;
  jobQueue: string;
  jobDefinition: string;
  shareIdentifier?: string;
  schedulingPriorityOverride?: number;
  arrayProperties?: { size?: number };
  dependsOn?: JobDependency[];
  parameters?: Record<string, string>;
  containerOverrides?: ContainerOverrides;
  nodeOverrides?: Record<string, unknown>;
  retryStrategy?: RetryStrategy;
  propagateTags?: boolean;
  timeout?: JobTimeout;
  tags?: Record<string, string>;
  eksPropertiesOverride?: Record<string, unknown>;
  ecsPropertiesOverride?: Record<string, unknown>;
  consumableResourcePropertiesOverride?: Record<string, unknown>;
}
export interface SubmitJobResponse {
  jobArn?: string;
  jobName: string;
  jobId: string;
}

export interface DescribeJobsRequest {
  jobs: string[];
}
export interface DescribeJobsResponse {
  jobs?: JobDetail[];
}

export interface ListJobsRequest {
  jobQueue?: string;
  arrayJobId?: string;
  multiNodeJobId?: string;
  jobStatus?: JobStatus;
  maxResults?: number;
  nextToken?: string;
  filters?: KeyValuesPair[];
}
export interface ListJobsResponse {
  jobSummaryList: JobSummary[];
  nextToken?: string;
}

export interface CancelJobRequest {
  jobId: string;
  reason: string;
}
export type CancelJobResponse = Record<string, never>;
export type TerminateJobRequest = CancelJobRequest;
export type TerminateJobResponse = Record<string, never>;

export interface RegisterJobDefinitionRequest {
  jobDefinitionName: string;
  type: "container" | "multinode";
  parameters?: Record<string, string>;
  schedulingPriority?: number;
  containerProperties?: ContainerProperties;
  nodeProperties?: Record<string, unknown>;
  retryStrategy?: RetryStrategy;
  propagateTags?: boolean;
  timeout?: JobTimeout;
  tags?: Record<string, string>;
  platformCapabilities?: string[];
  eksProperties?: Record<string, unknown>;
  ecsProperties?: Record<string, unknown>;
  consumableResourceProperties?: Record<string, unknown>;
}
export interface RegisterJobDefinitionResponse {
  jobDefinitionName: string;
  jobDefinitionArn: string;
  revision: number;
}

export interface JobDefinition {
  jobDefinitionName: string;
  jobDefinitionArn: string;
  revision: number;
  status?: string;
  type: string;
  parameters?: Record<string, string>;
  containerProperties?: ContainerProperties;
  retryStrategy?: RetryStrategy;
  timeout?: JobTimeout;
  tags?: Record<string, string>;
  propagateTags?: boolean;
  platformCapabilities?: string[];
  containerOrchestrationType?: string;
  [member: string]: unknown;
}
export interface DescribeJobDefinitionsRequest {
  jobDefinitions?: string[];
  maxResults?: number;
  jobDefinitionName?: string;
  status?: string;
  nextToken?: string;
}
export interface DescribeJobDefinitionsResponse {
  jobDefinitions?: JobDefinition[];
  nextToken?: string;
}

export interface JobQueueDetail {
  jobQueueName: string;
  jobQueueArn: string;
  state: "ENABLED" | "DISABLED";
  status?: string;
  statusReason?: string;
  priority: number;
  computeEnvironmentOrder: { order: number; computeEnvironment: string }[];
  tags?: Record<string, string>;
  [member: string]: unknown;
}
export interface DescribeJobQueuesRequest {
  jobQueues?: string[];
  maxResults?: number;
  nextToken?: string;
}
export interface DescribeJobQueuesResponse {
  jobQueues?: JobQueueDetail[];
  nextToken?: string;
}

export interface ComputeEnvironmentDetail {
  computeEnvironmentName: string;
  computeEnvironmentArn: string;
  type?: "MANAGED" | "UNMANAGED";
  state?: "ENABLED" | "DISABLED";
  status?: string;
  statusReason?: string;
  computeResources?: Record<string, unknown>;
  tags?: Record<string, string>;
  [member: string]: unknown;
}
export interface DescribeComputeEnvironmentsRequest {
  computeEnvironments?: string[];
  maxResults?: number;
  nextToken?: string;
}
export interface DescribeComputeEnvironmentsResponse {
  computeEnvironments?: ComputeEnvironmentDetail[];
  nextToken?: string;
}

/** Operation name → [input, output], for the generic plumbing of both SDK surfaces. */
export interface OperationShapes {
  SubmitJob: [SubmitJobRequest, SubmitJobResponse];
  DescribeJobs: [DescribeJobsRequest, DescribeJobsResponse];
  ListJobs: [ListJobsRequest, ListJobsResponse];
  CancelJob: [CancelJobRequest, CancelJobResponse];
  TerminateJob: [TerminateJobRequest, TerminateJobResponse];
  RegisterJobDefinition: [RegisterJobDefinitionRequest, RegisterJobDefinitionResponse];
  DescribeJobDefinitions: [DescribeJobDefinitionsRequest, DescribeJobDefinitionsResponse];
  DescribeJobQueues: [DescribeJobQueuesRequest, DescribeJobQueuesResponse];
  DescribeComputeEnvironments: [DescribeComputeEnvironmentsRequest, DescribeComputeEnvironmentsResponse];
}
