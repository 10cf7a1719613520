// Input and output types of the served operations, named as @aws-sdk/client-batch names them, so code that
// annotates with `SubmitJobCommandInput` or `JobDetail` keeps compiling after the import swap. Members follow
// botocore's batch 2016-08-10 model; nested structures the shim passes through unchanged stay open.
import type { ResponseMetadata } from "./errors.js";

import type {
  ArrayJobDependency,
  CEStatus,
  JobStatus,
  JQStatus,
  OrchestrationType,
  PlatformCapability,
  ResourceType,
  RetryAction,
} from "./sdk-surface.js";

/** A nested structure the shim passes through unchanged: `any`, so it is no stricter than the SDK's shape for it. */
// oxlint-disable-next-line no-explicit-any
export type Unmodelled = any;

export interface MetadataBearer {
  $metadata: ResponseMetadata;
}

export interface KeyValuePair {
  name?: string | undefined;
  value?: string | undefined;
}

export interface ResourceRequirement {
  type: string | undefined;
  value: string | undefined;
}

export interface ResourceRequirementDetail {
  type: ResourceType;
  value: string;
}

// A request's members take what either SDK takes (v2 any string where v3 has an enum); a response's are the SDK's
// own, so a response stands where the SDK's type is declared. The `…Detail` shapes below are those responses.
export interface EvaluateOnExit {
  // aws-sdk v2 takes any string here.
  action: "RETRY" | "EXIT" | "retry" | "exit" | (string & {}) | undefined;
  onStatusReason?: string | undefined;
  onReason?: string | undefined;
  onExitCode?: string | undefined;
}

export interface RetryStrategy {
  attempts?: number | undefined;
  evaluateOnExit?: EvaluateOnExit[] | undefined;
}

export interface RetryStrategyDetail {
  attempts?: number | undefined;
  evaluateOnExit?: (Omit<EvaluateOnExit, "action"> & { action: RetryAction })[] | undefined;
}

export interface JobTimeout {
  attemptDurationSeconds?: number | undefined;
}

export interface JobDependency {
  jobId?: string | undefined;
  // aws-sdk v2 takes any string here; v3 its enum.
  type?: ArrayJobDependency | (string & {}) | undefined;
}

export interface JobDependencyDetail {
  jobId?: string | undefined;
  type?: ArrayJobDependency | undefined;
}

export interface ContainerOverrides {
  vcpus?: number | undefined;
  memory?: number | undefined;
  command?: string[] | undefined;
  instanceType?: string | undefined;
  environment?: KeyValuePair[] | undefined;
  resourceRequirements?: ResourceRequirement[] | undefined;
}

interface ContainerPropertiesMembers {
  image?: string | undefined;
  vcpus?: number | undefined;
  memory?: number | undefined;
  command?: string[] | undefined;
  jobRoleArn?: string | undefined;
  executionRoleArn?: string | undefined;
  environment?: KeyValuePair[] | undefined;
  instanceType?: string | undefined;
  [member: string]: Unmodelled;
}

export interface ContainerProperties extends ContainerPropertiesMembers {
  resourceRequirements?: ResourceRequirement[] | undefined;
}

export interface ContainerPropertiesDetail extends ContainerPropertiesMembers {
  resourceRequirements?: ResourceRequirementDetail[] | undefined;
}

export interface ContainerDetail extends ContainerPropertiesDetail {
  exitCode?: number | undefined;
  reason?: string | undefined;
  containerInstanceArn?: string | undefined;
  taskArn?: string | undefined;
  logStreamName?: string | undefined;
}

export interface AttemptDetail {
  container?: {
    exitCode?: number | undefined;
    reason?: string | undefined;
    containerInstanceArn?: string | undefined;
    taskArn?: string | undefined;
    logStreamName?: string | undefined;
    networkInterfaces?: Unmodelled[] | undefined;
  };
  startedAt?: number | undefined;
  stoppedAt?: number | undefined;
  statusReason?: string | undefined;
}

export interface ArrayPropertiesDetail {
  statusSummary?: Record<string, number> | undefined;
  size?: number | undefined;
  index?: number | undefined;
  statusSummaryLastUpdatedAt?: number | undefined;
}

export interface JobDetail {
  jobArn?: string | undefined;
  jobName: string;
  jobId: string;
  jobQueue: string;
  status: JobStatus;
  shareIdentifier?: string | undefined;
  schedulingPriority?: number | undefined;
  attempts?: AttemptDetail[] | undefined;
  statusReason?: string | undefined;
  createdAt?: number | undefined;
  retryStrategy?: RetryStrategyDetail | undefined;
  // Absent until the job starts, but a member of the SDK's JobDetail all the same.
  startedAt: number | undefined;
  stoppedAt?: number | undefined;
  dependsOn?: JobDependencyDetail[] | undefined;
  jobDefinition: string;
  parameters?: Record<string, string> | undefined;
  container?: ContainerDetail | undefined;
  arrayProperties?: ArrayPropertiesDetail | undefined;
  timeout?: JobTimeout | undefined;
  tags?: Record<string, string> | undefined;
  propagateTags?: boolean | undefined;
  platformCapabilities?: PlatformCapability[] | undefined;
  isCancelled?: boolean | undefined;
  isTerminated?: boolean | undefined;
}

export interface JobSummary {
  jobArn?: string | undefined;
  jobId: string;
  jobName: string;
  createdAt?: number | undefined;
  status?: JobStatus | undefined;
  statusReason?: string | undefined;
  startedAt?: number | undefined;
  stoppedAt?: number | undefined;
  container?: { exitCode?: number | undefined; reason?: string | undefined } | undefined;
  arrayProperties?: ArrayPropertiesDetail | undefined;
  jobDefinition?: string | undefined;
  shareIdentifier?: string | undefined;
}

export interface KeyValuesPair {
  name?:
    | "JOB_NAME"
    | "JOB_DEFINITION"
    | "BEFORE_CREATED_AT"
    | "AFTER_CREATED_AT"
    | "SHARE_IDENTIFIER"
    | (string & {})
    | undefined;
  values?: string[] | undefined;
}

export interface SubmitJobRequest {
  jobName: string | undefined;
  jobQueue: string | undefined;
  jobDefinition: string | undefined;
  shareIdentifier?: string | undefined;
  schedulingPriorityOverride?: number | undefined;
  arrayProperties?: { size?: number | undefined } | undefined;
  dependsOn?: JobDependency[] | undefined;
  parameters?: Record<string, string> | undefined;
  containerOverrides?: ContainerOverrides | undefined;
  nodeOverrides?: Unmodelled;
  retryStrategy?: RetryStrategy | undefined;
  propagateTags?: boolean | undefined;
  timeout?: JobTimeout | undefined;
  tags?: Record<string, string> | undefined;
  eksPropertiesOverride?: Unmodelled;
  ecsPropertiesOverride?: Unmodelled;
  consumableResourcePropertiesOverride?: Unmodelled;
}
export interface SubmitJobResponse {
  jobArn?: string | undefined;
  jobName: string;
  jobId: string;
}

export interface DescribeJobsRequest {
  jobs: string[] | undefined;
}
export interface DescribeJobsResponse {
  jobs?: JobDetail[] | undefined;
}

export interface ListJobsRequest {
  jobQueue?: string | undefined;
  arrayJobId?: string | undefined;
  multiNodeJobId?: string | undefined;
  jobStatus?: JobStatus | (string & {}) | undefined;
  maxResults?: number | undefined;
  nextToken?: string | undefined;
  filters?: KeyValuesPair[] | undefined;
}
export interface ListJobsResponse {
  jobSummaryList: JobSummary[];
  nextToken?: string | undefined;
}

export interface CancelJobRequest {
  jobId: string | undefined;
  reason: string | undefined;
}
export type CancelJobResponse = Record<string, never>;
export type TerminateJobRequest = CancelJobRequest;
export type TerminateJobResponse = Record<string, never>;

export interface RegisterJobDefinitionRequest {
  jobDefinitionName: string | undefined;
  type: "container" | "multinode" | (string & {}) | undefined;
  parameters?: Record<string, string> | undefined;
  schedulingPriority?: number | undefined;
  containerProperties?: ContainerProperties | undefined;
  nodeProperties?: Unmodelled;
  retryStrategy?: RetryStrategy | undefined;
  propagateTags?: boolean | undefined;
  timeout?: JobTimeout | undefined;
  tags?: Record<string, string> | undefined;
  platformCapabilities?: string[] | undefined;
  eksProperties?: Unmodelled;
  ecsProperties?: Unmodelled;
  consumableResourceProperties?: Unmodelled;
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
  status?: string | undefined;
  type: string;
  parameters?: Record<string, string> | undefined;
  containerProperties?: ContainerPropertiesDetail | undefined;
  retryStrategy?: RetryStrategyDetail | undefined;
  timeout?: JobTimeout | undefined;
  tags?: Record<string, string> | undefined;
  propagateTags?: boolean | undefined;
  platformCapabilities?: PlatformCapability[] | undefined;
  containerOrchestrationType?: OrchestrationType | undefined;
  [member: string]: Unmodelled;
}
export interface DescribeJobDefinitionsRequest {
  jobDefinitions?: string[] | undefined;
  maxResults?: number | undefined;
  jobDefinitionName?: string | undefined;
  status?: string | undefined;
  nextToken?: string | undefined;
}
export interface DescribeJobDefinitionsResponse {
  jobDefinitions?: JobDefinition[] | undefined;
  nextToken?: string | undefined;
}

export interface JobQueueDetail {
  jobQueueName: string;
  jobQueueArn: string;
  state: "ENABLED" | "DISABLED";
  status?: JQStatus | undefined;
  statusReason?: string | undefined;
  priority: number;
  computeEnvironmentOrder: { order: number; computeEnvironment: string }[];
  tags?: Record<string, string> | undefined;
  [member: string]: Unmodelled;
}
export interface DescribeJobQueuesRequest {
  jobQueues?: string[] | undefined;
  maxResults?: number | undefined;
  nextToken?: string | undefined;
}
export interface DescribeJobQueuesResponse {
  jobQueues?: JobQueueDetail[] | undefined;
  nextToken?: string | undefined;
}

export interface ComputeEnvironmentDetail {
  computeEnvironmentName: string;
  computeEnvironmentArn: string;
  type?: "MANAGED" | "UNMANAGED" | undefined;
  state?: "ENABLED" | "DISABLED" | undefined;
  status?: CEStatus | undefined;
  statusReason?: string | undefined;
  computeResources?: Unmodelled;
  tags?: Record<string, string> | undefined;
  [member: string]: Unmodelled;
}
export interface DescribeComputeEnvironmentsRequest {
  computeEnvironments?: string[] | undefined;
  maxResults?: number | undefined;
  nextToken?: string | undefined;
}
export interface DescribeComputeEnvironmentsResponse {
  computeEnvironments?: ComputeEnvironmentDetail[] | undefined;
  nextToken?: string | undefined;
}

/** Operation name → [input, output], for the generic plumbing of both SDK surfaces. */
export interface TagResourceRequest {
  resourceArn: string | undefined;
  tags: Record<string, string> | undefined;
}
export type TagResourceResponse = Record<string, never>;
export interface UntagResourceRequest {
  resourceArn: string | undefined;
  tagKeys: string[] | undefined;
}
export type UntagResourceResponse = Record<string, never>;
export interface ListTagsForResourceRequest {
  resourceArn: string | undefined;
}
export interface ListTagsForResourceResponse {
  tags?: Record<string, string> | undefined;
}

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
  TagResource: [TagResourceRequest, TagResourceResponse];
  UntagResource: [UntagResourceRequest, UntagResourceResponse];
  ListTagsForResource: [ListTagsForResourceRequest, ListTagsForResourceResponse];
}
