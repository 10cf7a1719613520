import type { Category, EffortPoints } from "./types.js";

// Source: botocore 1.43.11, botocore/data/batch/2016-08-10/service-2.json (45 operations),
// plus CancelJobs/TerminateJobs, which newer @aws-sdk/client-batch releases carry.
const BATCH_OPERATION_NAMES = [
  "CancelJob",
  "CancelJobs",
  "CreateComputeEnvironment",
  "CreateConsumableResource",
  "CreateJobQueue",
  "CreateQuotaShare",
  "CreateSchedulingPolicy",
  "CreateServiceEnvironment",
  "DeleteComputeEnvironment",
  "DeleteConsumableResource",
  "DeleteJobQueue",
  "DeleteQuotaShare",
  "DeleteSchedulingPolicy",
  "DeleteServiceEnvironment",
  "DeregisterJobDefinition",
  "DescribeComputeEnvironments",
  "DescribeConsumableResource",
  "DescribeJobDefinitions",
  "DescribeJobQueues",
  "DescribeJobs",
  "DescribeQuotaShare",
  "DescribeSchedulingPolicies",
  "DescribeServiceEnvironments",
  "DescribeServiceJob",
  "GetJobQueueSnapshot",
  "ListConsumableResources",
  "ListJobs",
  "ListJobsByConsumableResource",
  "ListQuotaShares",
  "ListSchedulingPolicies",
  "ListServiceJobs",
  "ListTagsForResource",
  "RegisterJobDefinition",
  "SubmitJob",
  "SubmitServiceJob",
  "TagResource",
  "TerminateJob",
  "TerminateJobs",
  "TerminateServiceJob",
  "UntagResource",
  "UpdateComputeEnvironment",
  "UpdateConsumableResource",
  "UpdateJobQueue",
  "UpdateQuotaShare",
  "UpdateSchedulingPolicy",
  "UpdateServiceEnvironment",
  "UpdateServiceJob",
] as const;

export type BatchOperation = (typeof BATCH_OPERATION_NAMES)[number];

/** What part of Batch an operation touches; decides how a migration treats it. */
export type OperationGroup =
  | "job"
  | "job-definition"
  | "job-queue"
  | "compute-environment"
  | "fair-share"
  | "tagging"
  | "service-job";

export interface OperationInfo {
  name: BatchOperation;
  /** boto3 method name. */
  snake: string;
  /** aws-sdk v2 method / v3 aggregated-client method name. */
  camel: string;
  /** aws-sdk v3 command class name. */
  command: string;
  group: OperationGroup;
  /** Whether the runtime shim answers this operation. */
  shimmed: boolean;
  category: Category;
  effort: EffortPoints;
}

const SHIMMED: ReadonlySet<string> = new Set([
  "SubmitJob",
  "DescribeJobs",
  "ListJobs",
  "CancelJob",
  "TerminateJob",
  "RegisterJobDefinition",
  "DescribeJobDefinitions",
  "DescribeJobQueues",
  "DescribeComputeEnvironments",
]);

function groupOf(name: string): OperationGroup {
  if (/ServiceJob|ServiceEnvironment/.test(name)) return "service-job";
  if (/Tag|^Untag/.test(name)) return "tagging";
  if (/SchedulingPolic|QuotaShare|ConsumableResource/.test(name)) return "fair-share";
  if (/ComputeEnvironment/.test(name)) return "compute-environment";
  if (/JobQueue/.test(name)) return "job-queue";
  if (/JobDefinition/.test(name)) return "job-definition";
  return "job";
}

function weigh(name: string, group: OperationGroup): Pick<OperationInfo, "category" | "effort"> {
  if (group === "job") return { category: "mandatory", effort: name === "SubmitJob" ? 3 : 1 };
  if (SHIMMED.has(name)) return { category: "optional", effort: 1 };
  if (group === "tagging") return { category: "optional", effort: 1 };
  if (group === "job-definition") return { category: "optional", effort: 1 };
  if (group === "fair-share" || group === "service-job") return { category: "mandatory", effort: 7 };
  return { category: "mandatory", effort: 5 };
}

export function toSnakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

function describe(name: BatchOperation): OperationInfo {
  const group = groupOf(name);
  return {
    name,
    snake: toSnakeCase(name),
    camel: name[0]!.toLowerCase() + name.slice(1),
    command: `${name}Command`,
    group,
    shimmed: SHIMMED.has(name),
    ...weigh(name, group),
  };
}

export const BATCH_OPERATIONS: readonly OperationInfo[] = BATCH_OPERATION_NAMES.map(describe);

const BY_SNAKE = new Map(BATCH_OPERATIONS.map((op) => [op.snake, op]));
const BY_CAMEL = new Map(BATCH_OPERATIONS.map((op) => [op.camel, op]));
const BY_COMMAND = new Map(BATCH_OPERATIONS.map((op) => [op.command, op]));
const BY_NAME = new Map(BATCH_OPERATIONS.map((op) => [op.name, op]));

export const getOperationBySnake = (snake: string) => BY_SNAKE.get(snake);
export const getOperationByCamel = (camel: string) => BY_CAMEL.get(camel);
export const getOperationByCommand = (command: string) => BY_COMMAND.get(command);
export const getOperation = (name: string) => BY_NAME.get(name as BatchOperation);
