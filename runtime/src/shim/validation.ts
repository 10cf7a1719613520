// Request checks the shim makes before any target is called. Inputs that do not fit the operation's model
// (unknown or missing members, wrong types) raise ParameterValidationError; everything AWS Batch itself would
// reject, and everything the shim cannot honour, raises ClientException. Same rules as the Python shim.
import { ParameterValidationError, clientException, type ParameterProblem } from "./errors.js";
import type { Json } from "./model.js";

type MemberType = "string" | "integer" | "boolean" | "object" | "list";
type Members = Record<string, [MemberType, boolean]>;

/** Top-level input members of each served operation in botocore's batch 2016-08-10 model: [type, required]. */
export const OPERATION_INPUTS: Record<string, Members> = {
  SubmitJob: {
    jobName: ["string", true],
    jobQueue: ["string", true],
    jobDefinition: ["string", true],
    shareIdentifier: ["string", false],
    schedulingPriorityOverride: ["integer", false],
    arrayProperties: ["object", false],
    dependsOn: ["list", false],
    parameters: ["object", false],
    containerOverrides: ["object", false],
    nodeOverrides: ["object", false],
    retryStrategy: ["object", false],
    propagateTags: ["boolean", false],
    timeout: ["object", false],
    tags: ["object", false],
    eksPropertiesOverride: ["object", false],
    ecsPropertiesOverride: ["object", false],
    consumableResourcePropertiesOverride: ["object", false],
  },
  DescribeJobs: { jobs: ["list", true] },
  ListJobs: {
    jobQueue: ["string", false],
    arrayJobId: ["string", false],
    multiNodeJobId: ["string", false],
    jobStatus: ["string", false],
    maxResults: ["integer", false],
    nextToken: ["string", false],
    filters: ["list", false],
  },
  CancelJob: { jobId: ["string", true], reason: ["string", true] },
  TerminateJob: { jobId: ["string", true], reason: ["string", true] },
  RegisterJobDefinition: {
    jobDefinitionName: ["string", true],
    type: ["string", true],
    parameters: ["object", false],
    schedulingPriority: ["integer", false],
    containerProperties: ["object", false],
    nodeProperties: ["object", false],
    retryStrategy: ["object", false],
    propagateTags: ["boolean", false],
    timeout: ["object", false],
    tags: ["object", false],
    platformCapabilities: ["list", false],
    eksProperties: ["object", false],
    ecsProperties: ["object", false],
    consumableResourceProperties: ["object", false],
  },
  DescribeJobDefinitions: {
    jobDefinitions: ["list", false],
    maxResults: ["integer", false],
    jobDefinitionName: ["string", false],
    status: ["string", false],
    nextToken: ["string", false],
  },
  DescribeJobQueues: { jobQueues: ["list", false], maxResults: ["integer", false], nextToken: ["string", false] },
  DescribeComputeEnvironments: {
    computeEnvironments: ["list", false],
    maxResults: ["integer", false],
    nextToken: ["string", false],
  },
  TagResource: { resourceArn: ["string", true], tags: ["object", true] },
  UntagResource: { resourceArn: ["string", true], tagKeys: ["list", true] },
  ListTagsForResource: { resourceArn: ["string", true] },
  // Served on target local only (the executor implements them).
  CreateComputeEnvironment: {
    computeEnvironmentName: ["string", true],
    type: ["string", true],
    state: ["string", false],
    unmanagedvCpus: ["integer", false],
    computeResources: ["object", false],
    serviceRole: ["string", false],
    tags: ["object", false],
    eksConfiguration: ["object", false],
    context: ["string", false],
  },
  UpdateComputeEnvironment: {
    computeEnvironment: ["string", true],
    state: ["string", false],
    unmanagedvCpus: ["integer", false],
    computeResources: ["object", false],
    serviceRole: ["string", false],
    updatePolicy: ["object", false],
    context: ["string", false],
  },
  DeleteComputeEnvironment: {
    computeEnvironment: ["string", true],
  },
  CreateJobQueue: {
    jobQueueName: ["string", true],
    state: ["string", false],
    schedulingPolicyArn: ["string", false],
    priority: ["integer", true],
    computeEnvironmentOrder: ["list", false],
    serviceEnvironmentOrder: ["list", false],
    jobQueueType: ["string", false],
    tags: ["object", false],
    jobStateTimeLimitActions: ["list", false],
  },
  UpdateJobQueue: {
    jobQueue: ["string", true],
    state: ["string", false],
    schedulingPolicyArn: ["string", false],
    priority: ["integer", false],
    computeEnvironmentOrder: ["list", false],
    serviceEnvironmentOrder: ["list", false],
    jobStateTimeLimitActions: ["list", false],
  },
  DeleteJobQueue: {
    jobQueue: ["string", true],
  },
  DeregisterJobDefinition: {
    jobDefinition: ["string", true],
  },
  CreateSchedulingPolicy: {
    name: ["string", true],
    quotaSharePolicy: ["object", false],
    fairsharePolicy: ["object", false],
    tags: ["object", false],
  },
  UpdateSchedulingPolicy: {
    arn: ["string", true],
    quotaSharePolicy: ["object", false],
    fairsharePolicy: ["object", false],
  },
  DeleteSchedulingPolicy: {
    arn: ["string", true],
  },
  DescribeSchedulingPolicies: {
    arns: ["list", true],
  },
  ListSchedulingPolicies: {
    maxResults: ["integer", false],
    nextToken: ["string", false],
  },
};

const JOB_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
const JOB_DEFINITION_NAME_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

function hasType(value: unknown, type: MemberType): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "boolean":
      return typeof value === "boolean";
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    case "list":
      return Array.isArray(value);
  }
}

/** Members set to `undefined` count as absent, as the SDKs' serializers treat them. */
export function checkParams(operation: string, params: Json): void {
  const members = OPERATION_INPUTS[operation];
  if (!members) throw new Error(`no input model for ${operation}`);
  const problems: ParameterProblem[] = [];
  for (const name of Object.keys(params)) {
    if (!(name in members) && params[name] !== undefined) {
      problems.push({
        code: "UnexpectedParameter",
        message: `Unexpected key '${name}' found in params; ${operation} takes ${Object.keys(members).join(", ")}`,
      });
    }
  }
  for (const [name, [type, required]] of Object.entries(members)) {
    const value = params[name];
    if (value === undefined || value === null) {
      if (required)
        problems.push({ code: "MissingRequiredParameter", message: `Missing required key '${name}' in params` });
      continue;
    }
    if (!hasType(value, type)) {
      problems.push({
        code: "InvalidParameterType",
        message: `Expected params.${name} to be ${type === "integer" ? "an integer" : `a ${type}`}`,
      });
    }
  }
  if (problems.length > 0) throw new ParameterValidationError(operation, problems);
}

function globOk(pattern: unknown): boolean {
  return typeof pattern === "string" && pattern.length <= 512 && !pattern.slice(0, -1).includes("*");
}

const UNSUPPORTED_SUBMIT_MEMBERS: [string, string][] = [
  ["nodeOverrides", "multi-node parallel jobs are not supported"],
  ["eksPropertiesOverride", "EKS job properties are not supported"],
  ["ecsPropertiesOverride", "ECS task properties overrides are not supported"],
  ["consumableResourcePropertiesOverride", "consumable resources are not supported"],
  ["shareIdentifier", "fair-share scheduling is not supported (no queue here has a scheduling policy)"],
  ["schedulingPriorityOverride", "fair-share scheduling priorities are not supported"],
];

const FAIR_SHARE_MEMBERS = ["shareIdentifier", "schedulingPriorityOverride"];

/** AWS Batch's own SubmitJob rules (targets.md C.3/C.4), then what no shim target can do. */
export function checkSubmitJob(params: Json, targetLabel: string): void {
  const jobName = String(params.jobName);
  if (!JOB_NAME_PATTERN.test(jobName)) {
    throw clientException(
      "jobName must be 1-128 characters of letters, digits, '-' and '_', starting with a letter or digit",
    );
  }
  for (const [member, why] of UNSUPPORTED_SUBMIT_MEMBERS) {
    // On local the executor has scheduling policies, and decides per queue as AWS does.
    if (targetLabel === "local" && FAIR_SHARE_MEMBERS.includes(member)) continue;
    if (params[member] !== undefined) throw clientException(`${member}: ${why} on target ${targetLabel}`);
  }
  const array = params.arrayProperties as Json | undefined;
  if (array !== undefined) {
    const size = array.size;
    if (typeof size !== "number" || !Number.isInteger(size) || size < 2 || size > 10_000) {
      throw clientException("arrayProperties.size must be between 2 and 10000");
    }
  }
  const dependsOn = (params.dependsOn ?? []) as Json[];
  if (dependsOn.length > 20) throw clientException("dependsOn accepts at most 20 jobs");
  for (const dependency of dependsOn) {
    const kind = dependency?.type;
    if (kind !== undefined && kind !== "N_TO_N" && kind !== "SEQUENTIAL") {
      throw clientException(`dependsOn type must be N_TO_N or SEQUENTIAL, not ${JSON.stringify(kind)}`);
    }
    if (kind === "SEQUENTIAL") {
      if (array === undefined) throw clientException("a SEQUENTIAL dependency is only valid on an array job");
      if (dependency.jobId) throw clientException("a SEQUENTIAL dependency takes no jobId");
    } else if (!dependency?.jobId) {
      throw clientException("each dependsOn entry needs a jobId");
    }
    if (kind === "N_TO_N" && array === undefined)
      throw clientException("an N_TO_N dependency is only valid on an array job");
  }
  checkRetryStrategy(params.retryStrategy);
  checkTimeout(params.timeout);
  const overrides = (params.containerOverrides ?? {}) as Json;
  checkReservedEnvironment(overrides.environment, "containerOverrides.environment");
  if (Object.keys((params.tags ?? {}) as Json).length > 50) throw clientException("at most 50 tags");
}

/** AWS refuses environment variable names starting with AWS_BATCH, in a job definition and in overrides alike. */
export function checkReservedEnvironment(environment: unknown, field: string): void {
  for (const variable of Array.isArray(environment) ? (environment as Json[]) : []) {
    const name = String(variable?.name ?? "");
    if (name.startsWith("AWS_BATCH"))
      throw clientException(`${field}: environment variable names starting with AWS_BATCH are reserved (${name})`);
  }
}

export function checkRetryStrategy(strategy: unknown): void {
  if (strategy === undefined || strategy === null) return;
  const { attempts, evaluateOnExit } = strategy as { attempts?: unknown; evaluateOnExit?: unknown };
  const rules = Array.isArray(evaluateOnExit) ? (evaluateOnExit as Json[]) : undefined;
  if (attempts === undefined && rules && rules.length > 0)
    throw clientException("retryStrategy.attempts is required when evaluateOnExit is given");
  if (
    attempts !== undefined &&
    (typeof attempts !== "number" || !Number.isInteger(attempts) || attempts < 1 || attempts > 10)
  ) {
    throw clientException("retryStrategy.attempts must be between 1 and 10");
  }
  for (const rule of rules ?? []) {
    if (!["RETRY", "EXIT"].includes(String(rule.action ?? "").toUpperCase()))
      throw clientException("evaluateOnExit.action must be RETRY or EXIT");
    for (const key of ["onStatusReason", "onReason", "onExitCode"]) {
      if (key in rule && !globOk(rule[key])) {
        throw clientException(`evaluateOnExit.${key} must be at most 512 characters with '*' only at the end`);
      }
    }
    if ("onExitCode" in rule && !/^(\d+\*?|\*)$/.test(String(rule.onExitCode))) {
      throw clientException("evaluateOnExit.onExitCode may contain only digits and a trailing '*'");
    }
  }
  if (rules && rules.length > 5) throw clientException("evaluateOnExit accepts at most 5 conditions");
}

export function checkTimeout(timeout: unknown): void {
  if (timeout === undefined || timeout === null) return;
  const seconds = (timeout as Json).attemptDurationSeconds;
  if (seconds !== undefined && (typeof seconds !== "number" || !Number.isInteger(seconds) || seconds < 60)) {
    throw clientException("timeout.attemptDurationSeconds must be at least 60");
  }
}

export function checkRegisterJobDefinition(params: Json): void {
  if (!JOB_DEFINITION_NAME_PATTERN.test(String(params.jobDefinitionName))) {
    throw clientException("jobDefinitionName must be 1-128 characters of letters, digits, '-' and '_'");
  }
  if (params.type !== "container" && params.type !== "multinode")
    throw clientException("type must be container or multinode");
  checkRetryStrategy(params.retryStrategy);
  checkTimeout(params.timeout);
  checkReservedEnvironment(((params.containerProperties ?? {}) as Json).environment, "containerProperties.environment");
}
