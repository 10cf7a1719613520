// AWS Batch's restJson1 wire format (botocore data/batch/2016-08-10/service-2.json): POST /v1/<operation>,
// JSON bodies, epoch-millisecond longs, errors as {"__type","message"} plus the x-amzn-ErrorType header.
// Semantics: reference/targets.md C.3–C.4 and D.1–D.5.
import { randomUUID } from "node:crypto";
import { findReservedEnvironmentName, substituteParameters } from "../batch-rules.js";
import type { Engine } from "../engine.js";
import { JobNotFoundError } from "../engine.js";
import { checkAdminInput } from "../admin-validation.js";
import { AwsAdmin } from "./aws-admin.js";
import { AwsTagging } from "./aws-tags.js";
import {
  RequestError,
  decodeToken,
  encodeToken,
  jsonReply,
  readJsonObject,
  type ParsedRequest,
  type Reply,
} from "../http-kit.js";
import {
  JOB_STATUSES,
  type Dependency,
  type EvaluateOnExit,
  type Job,
  type JobDefinition,
  type JobStatus,
  type RetryStrategy,
} from "../model.js";

const JOB_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
const RESOURCE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
const MAX_DESCRIBE_JOBS = 100;
const MAX_DEPENDENCIES = 20;

export interface AwsFaceOptions {
  region: string;
  accountId: string;
  minAttemptDurationSeconds: number;
  /** How long admin changes show CREATING / UPDATING / DELETING (default 0: done at once). */
  adminSettleMs?: number;
}

type Body = Record<string, unknown>;

function clientError(message: string): RequestError {
  return new RequestError(400, message, "ClientException");
}

export function awsError(error: RequestError): Reply {
  const code =
    error.status === 401
      ? "UnrecognizedClientException"
      : error.status >= 500
        ? "ServerException"
        : error.code && /^[A-Z]/.test(error.code)
          ? error.code
          : "ClientException";
  return jsonReply(
    error.status,
    { __type: code, message: error.message },
    { "x-amzn-errortype": code, "x-amzn-requestid": randomUUID() },
  );
}

function requireString(body: Body, field: string): string {
  const value = body[field];
  if (typeof value !== "string" || value === "")
    throw clientError(`${field} is required and must be a non-empty string`);
  return value;
}

function optionalString(body: Body, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw clientError(`${field} must be a string`);
  return value;
}

function optionalInteger(body: Body, field: string, min: number, max: number): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw clientError(`${field} must be an integer from ${min} to ${max}`);
  }
  return value;
}

function optionalObject(body: Body, field: string): Body | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) throw clientError(`${field} must be an object`);
  return value as Body;
}

function optionalArray(body: Body, field: string): unknown[] | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw clientError(`${field} must be a list`);
  return value;
}

function stringMap(body: Body, field: string): Record<string, string> | undefined {
  const value = optionalObject(body, field);
  if (!value) return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== "string") throw clientError(`${field}.${key} must be a string`);
  }
  return value as Record<string, string>;
}

function environmentList(value: unknown, field: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!Array.isArray(value)) throw clientError(`${field} must be a list of {name, value}`);
  const environment: Record<string, string> = {};
  for (const entry of value) {
    const pair = entry as { name?: unknown; value?: unknown };
    if (typeof pair?.name !== "string" || (pair.value !== undefined && typeof pair.value !== "string")) {
      throw clientError(`${field} entries need a string name and value`);
    }
    // The process environment is NAME=value strings ending in NUL: a name with "=" or NUL would define a
    // different variable than the one named, which is how a reserved name could slip past the check below.
    if (!/^[^=\0]+$/.test(pair.name) || (pair.value ?? "").includes("\0")) {
      throw clientError(`${field}: ${JSON.stringify(pair.name)} is not a valid environment variable`);
    }
    environment[pair.name] = pair.value ?? "";
  }
  const reserved = findReservedEnvironmentName(Object.keys(environment));
  if (reserved)
    throw clientError(`${field}: environment variable names starting with AWS_BATCH are reserved (${reserved})`);
  return environment;
}

function parseRetryStrategy(value: unknown): RetryStrategy | undefined {
  if (value === undefined || value === null) return undefined;
  const body = value as Body;
  if (typeof value !== "object") throw clientError("retryStrategy must be an object");
  const evaluateOnExit = optionalArray(body, "evaluateOnExit");
  const attempts = optionalInteger(body, "attempts", 1, 10);
  if (evaluateOnExit && attempts === undefined)
    throw clientError("retryStrategy.attempts is required with evaluateOnExit");
  if (evaluateOnExit && evaluateOnExit.length > 5)
    throw clientError("retryStrategy.evaluateOnExit takes at most 5 entries");
  const conditions: EvaluateOnExit[] = (evaluateOnExit ?? []).map((entry, index) => {
    const condition = entry as Body;
    const action = requireString(condition, "action");
    if (!/^(retry|exit)$/i.test(action)) throw clientError(`evaluateOnExit[${index}].action must be RETRY or EXIT`);
    const parsed: EvaluateOnExit = { action };
    for (const field of ["onStatusReason", "onReason", "onExitCode"] as const) {
      const pattern = optionalString(condition, field);
      if (pattern === undefined) continue;
      if (pattern.length > 512) throw clientError(`evaluateOnExit[${index}].${field} is longer than 512 characters`);
      if (pattern.slice(0, -1).includes("*"))
        throw clientError(`evaluateOnExit[${index}].${field} may only end with *`);
      if (field === "onExitCode" && !/^\d*\*?$/.test(pattern))
        throw clientError(`evaluateOnExit[${index}].onExitCode takes digits only`);
      parsed[field] = pattern;
    }
    return parsed;
  });
  return { attempts: attempts ?? 1, ...(conditions.length > 0 ? { evaluateOnExit: conditions } : {}) };
}

function isBefore(value: unknown): value is { before: number } {
  return typeof value === "object" && value !== null && typeof (value as { before?: unknown }).before === "number";
}

function isOffset(value: unknown): value is { offset: number } {
  return typeof value === "object" && value !== null && typeof (value as { offset?: unknown }).offset === "number";
}

/** One page of `items` from an offset token; the token is opaque to callers. */
function paginate<T>(items: T[], body: Body, maxCap: number): { page: T[]; nextToken?: string } {
  const maxResults = Math.min(optionalInteger(body, "maxResults", 1, Number.MAX_SAFE_INTEGER) ?? maxCap, maxCap);
  const token = optionalString(body, "nextToken");
  const start = token ? decodeToken(token, isOffset)?.offset : 0;
  if (start === undefined) throw clientError("nextToken is not valid");
  const page = items.slice(start, start + maxResults);
  return start + maxResults < items.length
    ? { page, nextToken: encodeToken({ offset: start + maxResults }) }
    : { page };
}

function nameFromArn(value: string): string {
  const slash = value.lastIndexOf("/");
  return value.startsWith("arn:") && slash >= 0 ? value.slice(slash + 1) : value;
}

export class AwsBatchFace {
  private readonly tagging: AwsTagging;
  private readonly admin: AwsAdmin;

  constructor(
    private readonly engine: Engine,
    private readonly options: AwsFaceOptions,
  ) {
    this.tagging = new AwsTagging(engine, `arn:aws:batch:${options.region}:${options.accountId}:`);
    this.admin = new AwsAdmin(engine, {
      region: options.region,
      accountId: options.accountId,
      settleMs: options.adminSettleMs ?? 0,
    });
  }

  matches(pathname: string): boolean {
    // /v1/jobs and /v1/embeddings are Common Compute's; every AWS Batch operation path is /v1/<lowercase name>.
    return pathname !== "/v1/jobs" && pathname !== "/v1/embeddings" && /^\/v1\/(?:[a-z]+|tags\/.+)$/.test(pathname);
  }

  private arn(kind: string, name: string): string {
    return `arn:aws:batch:${this.options.region}:${this.options.accountId}:${kind}/${name}`;
  }

  async handle(request: ParsedRequest): Promise<Reply> {
    try {
      if (AwsTagging.matches(request.url.pathname)) {
        const result = await this.tagging.handle(request);
        return jsonReply(200, result, { "x-amzn-requestid": randomUUID() });
      }
      if (request.method !== "POST")
        throw clientError(`${request.method} ${request.url.pathname} is not an AWS Batch operation`);
      const operation = request.url.pathname.slice("/v1/".length);
      const body = readJsonObject(request);
      const result = await this.dispatch(operation, body);
      return jsonReply(200, result, { "x-amzn-requestid": randomUUID() });
    } catch (error) {
      if (error instanceof RequestError) return awsError(error);
      if (error instanceof JobNotFoundError) return awsError(clientError(error.message));
      throw error;
    }
  }

  private dispatch(operation: string, body: Body): unknown {
    if (AwsAdmin.serves(operation)) return this.admin.dispatch(operation, body);
    switch (operation) {
      case "submitjob":
        return this.submitJob(body);
      case "describejobs":
        return this.describeJobs(body);
      case "listjobs":
        return this.listJobs(body);
      case "canceljob":
        return this.cancelOrTerminate(body, "cancel");
      case "terminatejob":
        return this.cancelOrTerminate(body, "terminate");
      case "registerjobdefinition":
        return this.registerJobDefinition(body);
      case "deregisterjobdefinition":
        checkAdminInput("DeregisterJobDefinition", body);
        return this.deregisterJobDefinition(body);
      case "describejobdefinitions":
        return this.describeJobDefinitions(body);
      default:
        throw clientError(`the local executor does not implement ${operation}`);
    }
  }

  // ── Job definitions ────────────────────────────────────────────────────────────────────────────

  private validateTimeout(value: unknown, field: string): { attemptDurationSeconds?: number } | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "object" || Array.isArray(value))
      throw clientError(`${field} must be a JobTimeout object such as {"attemptDurationSeconds": 60}`);
    const timeout = value as Body;
    const seconds = optionalInteger(
      timeout,
      "attemptDurationSeconds",
      this.options.minAttemptDurationSeconds,
      Number.MAX_SAFE_INTEGER,
    );
    if (seconds === undefined && "attemptDurationSeconds" in timeout) {
      throw clientError(`${field}.attemptDurationSeconds must be at least ${this.options.minAttemptDurationSeconds}`);
    }
    return seconds === undefined ? {} : { attemptDurationSeconds: seconds };
  }

  private async registerJobDefinition(body: Body): Promise<unknown> {
    const name = requireString(body, "jobDefinitionName");
    if (!RESOURCE_NAME_PATTERN.test(name))
      throw clientError("jobDefinitionName may contain up to 128 letters, numbers, hyphens and underscores");
    const type = requireString(body, "type");
    if (type !== "container" && type !== "multinode") throw clientError("type must be container or multinode");
    const containerProperties = optionalObject(body, "containerProperties");
    if (containerProperties) {
      environmentList(containerProperties.environment, "containerProperties.environment");
      const command = containerProperties.command;
      if (command !== undefined && !(Array.isArray(command) && command.every((item) => typeof item === "string"))) {
        throw clientError("containerProperties.command must be a list of strings");
      }
    }
    const retryStrategy = parseRetryStrategy(body.retryStrategy);
    const timeout = this.validateTimeout(body.timeout, "timeout");
    const parameters = stringMap(body, "parameters");
    let revision = 1;
    for (const existing of this.engine.jobDefinitions.values()) {
      if (existing.jobDefinitionName === name) revision = Math.max(revision, existing.revision + 1);
    }
    const arn = this.arn("job-definition", `${name}:${revision}`);
    const definition: JobDefinition = {
      ...body,
      jobDefinitionName: name,
      jobDefinitionArn: arn,
      revision,
      status: "ACTIVE",
      type,
      ...(parameters ? { parameters } : {}),
      ...(retryStrategy ? { retryStrategy } : {}),
      ...(timeout ? { timeout } : {}),
    };
    this.engine.jobDefinitions.set(arn, definition);
    await this.engine.store.put("jobDefinition", arn, definition);
    return { jobDefinitionName: name, jobDefinitionArn: arn, revision };
  }

  /** name (latest ACTIVE revision), name:revision, or an ARN. */
  private resolveJobDefinition(reference: string): JobDefinition | undefined {
    const direct = this.engine.jobDefinitions.get(reference);
    if (direct) return direct;
    const shortName = nameFromArn(reference);
    const [name, revisionText] = shortName.split(":");
    let latest: JobDefinition | undefined;
    for (const definition of this.engine.jobDefinitions.values()) {
      if (definition.jobDefinitionName !== name) continue;
      if (revisionText !== undefined) {
        if (String(definition.revision) === revisionText) return definition;
      } else if (definition.status === "ACTIVE" && (!latest || definition.revision > latest.revision)) {
        latest = definition;
      }
    }
    return latest;
  }

  private async deregisterJobDefinition(body: Body): Promise<unknown> {
    const reference = requireString(body, "jobDefinition");
    const definition = this.resolveJobDefinition(reference);
    if (!definition) throw clientError(`job definition ${reference} not found`);
    definition.status = "INACTIVE";
    await this.engine.store.put("jobDefinition", definition.jobDefinitionArn, definition);
    return {};
  }

  private describeJobDefinitions(body: Body): unknown {
    const references = optionalArray(body, "jobDefinitions") as string[] | undefined;
    if (references && references.length > 100) throw clientError("jobDefinitions takes at most 100 entries");
    const name = optionalString(body, "jobDefinitionName");
    const status = optionalString(body, "status");
    let definitions = [...this.engine.jobDefinitions.values()];
    if (references) {
      const wanted = new Set<JobDefinition>();
      for (const reference of references) {
        if (reference.includes(":") || this.engine.jobDefinitions.has(reference)) {
          const definition = this.resolveJobDefinition(reference);
          if (definition) wanted.add(definition);
        } else {
          for (const definition of definitions) if (definition.jobDefinitionName === reference) wanted.add(definition);
        }
      }
      definitions = [...wanted];
    }
    if (name) definitions = definitions.filter((definition) => definition.jobDefinitionName === name);
    if (status) definitions = definitions.filter((definition) => definition.status === status);
    definitions.sort((a, b) => a.jobDefinitionName.localeCompare(b.jobDefinitionName) || a.revision - b.revision);
    const { page, nextToken } = paginate(definitions, body, 100);
    return { jobDefinitions: page, ...(nextToken ? { nextToken } : {}) };
  }

  // ── Jobs ───────────────────────────────────────────────────────────────────────────────────────

  private parseDependencies(body: Body, arraySize: number | undefined): Dependency[] {
    const entries = optionalArray(body, "dependsOn") ?? [];
    if (entries.length > MAX_DEPENDENCIES) throw clientError(`dependsOn takes at most ${MAX_DEPENDENCIES} entries`);
    return entries.map((entry) => {
      const dependency = entry as Body;
      const jobId = optionalString(dependency, "jobId");
      const type = optionalString(dependency, "type");
      if (type !== undefined && type !== "N_TO_N" && type !== "SEQUENTIAL")
        throw clientError("dependsOn type must be N_TO_N or SEQUENTIAL");
      if (type && arraySize === undefined) throw clientError(`a ${type} dependency needs an array job`);
      if (type === "SEQUENTIAL") {
        if (jobId) throw clientError("a SEQUENTIAL dependency takes no jobId");
        return { type };
      }
      if (!jobId) throw clientError("dependsOn entries need a jobId");
      const target = this.engine.getJob(jobId);
      if (!target) throw clientError(`dependent job ${jobId} does not exist`);
      if (type === "N_TO_N" && target.arraySize !== arraySize) {
        throw clientError(
          `an N_TO_N dependency needs an array job of the same size (${jobId} has size ${target.arraySize ?? "none"})`,
        );
      }
      return type ? { jobId, type } : { jobId };
    });
  }

  private async submitJob(body: Body): Promise<unknown> {
    const jobName = requireString(body, "jobName");
    if (!JOB_NAME_PATTERN.test(jobName)) {
      throw clientError(
        "jobName must start with a letter or number and contain up to 128 letters, numbers, hyphens and underscores",
      );
    }
    const queueReference = requireString(body, "jobQueue");
    await this.admin.settle();
    const queue = this.admin.findJobQueue(queueReference);
    if (!queue || queue.status === "DELETING") throw clientError(`job queue ${queueReference} not found`);
    if (queue.state !== "ENABLED") throw clientError(`job queue ${queue.jobQueueName} is DISABLED`);
    const shareIdentifier = optionalString(body, "shareIdentifier");
    if (queue.schedulingPolicyArn !== undefined && shareIdentifier === undefined)
      throw clientError(
        `job queue ${queue.jobQueueName} has a fair-share scheduling policy: shareIdentifier is required`,
      );
    if (queue.schedulingPolicyArn === undefined && shareIdentifier !== undefined)
      throw clientError(
        `shareIdentifier applies to fair-share job queues only; job queue ${queue.jobQueueName} has no scheduling policy`,
      );
    if (queue.schedulingPolicyArn === undefined && body.schedulingPriorityOverride !== undefined)
      throw clientError(
        `schedulingPriorityOverride applies to fair-share job queues only; job queue ${queue.jobQueueName} has no scheduling policy`,
      );
    const definitionReference = requireString(body, "jobDefinition");
    const definition = this.resolveJobDefinition(definitionReference);
    if (!definition || definition.status !== "ACTIVE")
      throw clientError(`job definition ${definitionReference} not found or not ACTIVE`);
    for (const unsupported of ["nodeOverrides", "eksPropertiesOverride", "ecsPropertiesOverride"]) {
      if (body[unsupported] !== undefined) throw clientError(`the local executor does not run ${unsupported}`);
    }
    if (definition.type !== "container" || !definition.containerProperties) {
      throw clientError("the local executor runs container job definitions (containerProperties) only");
    }
    const arrayProperties = optionalObject(body, "arrayProperties");
    const arraySize = arrayProperties ? optionalInteger(arrayProperties, "size", 2, 10_000) : undefined;
    if (arrayProperties && arraySize === undefined) throw clientError("arrayProperties.size must be from 2 to 10000");
    const dependsOn = this.parseDependencies(body, arraySize);
    const overrides = optionalObject(body, "containerOverrides") ?? {};
    const container = definition.containerProperties;
    const parameters = { ...definition.parameters, ...stringMap(body, "parameters") };
    const baseCommand = (overrides.command ?? container.command) as unknown;
    if (
      !Array.isArray(baseCommand) ||
      baseCommand.length === 0 ||
      !baseCommand.every((item) => typeof item === "string")
    ) {
      throw clientError(
        "the job needs a command (containerProperties.command or containerOverrides.command) to run locally",
      );
    }
    const command = substituteParameters(baseCommand as string[], parameters);
    if (command.some((item) => item.includes("\0"))) throw clientError("command items cannot contain NUL characters");
    const environment = {
      ...environmentList(container.environment, "containerProperties.environment"),
      ...environmentList(overrides.environment, "containerOverrides.environment"),
    };
    const retryStrategy = parseRetryStrategy(body.retryStrategy) ?? definition.retryStrategy ?? { attempts: 1 };
    const timeout = this.validateTimeout(body.timeout, "timeout") ?? definition.timeout;
    const computeEnvironments = [...queue.computeEnvironmentOrder].sort((a, b) => a.order - b.order);
    const firstEnvironment = computeEnvironments[0]?.computeEnvironment;
    const id = randomUUID();
    const now = Date.now();
    const tags = {
      ...(definition.propagateTags || body.propagateTags ? definition.tags : {}),
      ...stringMap(body, "tags"),
    };
    const job: Job = {
      id,
      seq: this.engine.newSeq(),
      face: "aws",
      name: jobName,
      status: "SUBMITTED",
      createdAt: now,
      attempts: [],
      retryStrategy,
      retryAfterTimeout: false,
      timeoutSeconds: timeout?.attemptDurationSeconds,
      dependsOn,
      waitFor: arraySize === undefined ? dependsOn.map((dependency) => dependency.jobId ?? "").filter(Boolean) : [],
      arraySize,
      lane: `aws:${queue.jobQueueName}`,
      rank: queue.priority,
      run: { kind: "process", command, environment },
      transitions: [{ status: "SUBMITTED", at: now }],
      aws: {
        jobQueue: queue.jobQueueName,
        jobQueueArn: queue.jobQueueArn,
        computeEnvironment: firstEnvironment ? nameFromArn(firstEnvironment) : "local",
        jobDefinitionArn: definition.jobDefinitionArn,
        parameters,
        tags: Object.keys(tags).length > 0 ? tags : undefined,
        propagateTags: (body.propagateTags as boolean | undefined) ?? definition.propagateTags,
        shareIdentifier,
        schedulingPriority:
          optionalInteger(body, "schedulingPriorityOverride", 0, 9999) ?? definition.schedulingPriority,
        image: typeof container.image === "string" ? container.image : undefined,
        vcpus: (overrides.vcpus ?? container.vcpus) as number | undefined,
        memory: (overrides.memory ?? container.memory) as number | undefined,
        resourceRequirements: (overrides.resourceRequirements ?? container.resourceRequirements) as
          | AwsResource[]
          | undefined,
        platformCapabilities: definition.platformCapabilities,
      },
    };
    await this.engine.submit(job);
    return { jobArn: this.arn("job", id), jobName, jobId: id };
  }

  private renderJobDetail(job: Job): Body {
    const aws = job.aws;
    const last = job.attempts.at(-1);
    const finishedAttempts = job.attempts.filter((attempt) => attempt.stoppedAt !== undefined);
    const detail: Body = {
      jobArn: this.arn("job", job.id),
      jobName: job.name,
      jobId: job.id,
      jobQueue: aws?.jobQueueArn,
      status: job.status,
      attempts: finishedAttempts.map((attempt) => ({
        container: {
          containerInstanceArn: "local-executor",
          taskArn: `local-executor/${job.id}/${attempt.number}`,
          ...(attempt.exitCode !== undefined ? { exitCode: attempt.exitCode } : {}),
          ...(attempt.reason !== undefined ? { reason: attempt.reason } : {}),
          logStreamName: attempt.logStreamName,
          networkInterfaces: [],
        },
        ...(attempt.startedAt !== undefined ? { startedAt: attempt.startedAt } : {}),
        stoppedAt: attempt.stoppedAt,
        ...(attempt.statusReason !== undefined ? { statusReason: attempt.statusReason } : {}),
      })),
      createdAt: job.createdAt,
      retryStrategy: job.retryStrategy,
      dependsOn: job.dependsOn,
      jobDefinition: aws?.jobDefinitionArn,
      parameters: aws?.parameters ?? {},
      tags: aws?.tags,
      propagateTags: aws?.propagateTags,
      platformCapabilities: aws?.platformCapabilities,
      shareIdentifier: aws?.shareIdentifier,
      schedulingPriority: aws?.schedulingPriority,
      isCancelled: job.isCancelled === true,
      isTerminated: job.isTerminated === true,
    };
    if (job.statusReason !== undefined) detail.statusReason = job.statusReason;
    if (job.startedAt !== undefined) detail.startedAt = job.startedAt;
    if (job.stoppedAt !== undefined) detail.stoppedAt = job.stoppedAt;
    if (job.timeoutSeconds !== undefined) detail.timeout = { attemptDurationSeconds: job.timeoutSeconds };
    if (!job.arraySize && job.run.kind === "process") {
      detail.container = {
        image: aws?.image,
        vcpus: aws?.vcpus,
        memory: aws?.memory,
        resourceRequirements: aws?.resourceRequirements,
        command: job.run.command,
        environment: Object.entries(job.run.environment).map(([name, value]) => ({ name, value })),
        ...(last?.exitCode !== undefined && last.stoppedAt !== undefined ? { exitCode: last.exitCode } : {}),
        ...(last?.reason !== undefined && last.stoppedAt !== undefined ? { reason: last.reason } : {}),
        ...(last ? { logStreamName: last.logStreamName } : {}),
        networkInterfaces: [],
      };
    }
    if (job.arraySize) {
      detail.arrayProperties = {
        statusSummary: this.engine.statusSummary(job),
        size: job.arraySize,
        statusSummaryLastUpdatedAt: Date.now(),
      };
    } else if (job.arrayIndex !== undefined) {
      detail.arrayProperties = { index: job.arrayIndex };
    }
    return withoutUndefined(detail);
  }

  private describeJobs(body: Body): unknown {
    const ids = optionalArray(body, "jobs");
    if (!ids) throw clientError("jobs is required");
    if (ids.length > MAX_DESCRIBE_JOBS) throw clientError(`jobs takes at most ${MAX_DESCRIBE_JOBS} job ids`);
    const jobs: Body[] = [];
    for (const id of ids) {
      const job = typeof id === "string" ? this.engine.getJob(id) : undefined;
      if (job?.face === "aws") jobs.push(this.renderJobDetail(job));
    }
    return { jobs };
  }

  private renderJobSummary(job: Job): Body {
    const last = job.attempts.at(-1);
    const summary: Body = {
      jobArn: this.arn("job", job.id),
      jobId: job.id,
      jobName: job.name,
      createdAt: job.createdAt,
      status: job.status,
      statusReason: job.statusReason,
      startedAt: job.startedAt,
      stoppedAt: job.stoppedAt,
      jobDefinition: job.aws?.jobDefinitionArn,
      shareIdentifier: job.aws?.shareIdentifier,
    };
    if (last?.stoppedAt !== undefined && (last.exitCode !== undefined || last.reason !== undefined)) {
      summary.container = withoutUndefined({ exitCode: last.exitCode, reason: last.reason });
    }
    if (job.arraySize) summary.arrayProperties = { size: job.arraySize, statusSummary: this.engine.statusSummary(job) };
    else if (job.arrayIndex !== undefined) summary.arrayProperties = { index: job.arrayIndex };
    return withoutUndefined(summary);
  }

  private listJobs(body: Body): unknown {
    const queueReference = optionalString(body, "jobQueue");
    const arrayJobId = optionalString(body, "arrayJobId");
    const multiNodeJobId = optionalString(body, "multiNodeJobId");
    const scopes = [queueReference, arrayJobId, multiNodeJobId].filter((value) => value !== undefined);
    if (scopes.length !== 1) throw clientError("give exactly one of jobQueue, arrayJobId or multiNodeJobId");
    const jobStatus = optionalString(body, "jobStatus") as JobStatus | undefined;
    if (jobStatus !== undefined && !JOB_STATUSES.includes(jobStatus))
      throw clientError(`jobStatus must be one of ${JOB_STATUSES.join(", ")}`);
    const filters = (optionalArray(body, "filters") ?? []) as { name?: string; values?: string[] }[];
    if (filters.length > 1) throw clientError("ListJobs takes one filter at a time");
    const filter = filters[0];
    // AWS: with neither a status nor a filter, only RUNNING jobs are listed.
    const statusWanted =
      filter && filter.name !== "SHARE_IDENTIFIER" ? undefined : (jobStatus ?? (filter ? undefined : "RUNNING"));
    let candidates: Job[];
    if (arrayJobId !== undefined) {
      const parent = this.engine.getJob(arrayJobId);
      candidates = parent?.arraySize ? this.engine.childrenOf(parent) : [];
    } else if (multiNodeJobId !== undefined) {
      candidates = [];
    } else {
      const queue = this.admin.findJobQueue(queueReference ?? "");
      if (!queue) throw clientError(`job queue ${queueReference} not found`);
      candidates = [];
      for (const job of this.engine.jobs.values()) {
        if (job.aws?.jobQueue === queue.jobQueueName && job.parentId === undefined) candidates.push(job);
      }
    }
    const matchesFilter = filter && arrayJobId === undefined ? this.filterPredicate(filter) : () => true;
    const token = optionalString(body, "nextToken");
    const cursor = token ? decodeToken(token, isBefore) : undefined;
    if (token && !cursor) throw clientError("nextToken is not valid");
    const cap = filter ? 100 : 1000;
    const maxResults = Math.min(optionalInteger(body, "maxResults", 1, Number.MAX_SAFE_INTEGER) ?? cap, cap);
    const matching = candidates
      .filter((job) => (statusWanted === undefined || job.status === statusWanted) && matchesFilter(job))
      .filter((job) => cursor === undefined || job.seq < cursor.before)
      .sort((a, b) => b.seq - a.seq);
    const page = matching.slice(0, maxResults);
    const last = page.at(-1);
    const result: Body = { jobSummaryList: page.map((job) => this.renderJobSummary(job)) };
    if (matching.length > maxResults && last) result.nextToken = encodeToken({ before: last.seq });
    return result;
  }

  private filterPredicate(filter: { name?: string; values?: string[] }): (job: Job) => boolean {
    const value = filter.values?.[0];
    if (typeof value !== "string") throw clientError("a ListJobs filter needs one value");
    switch (filter.name) {
      case "JOB_NAME": {
        const wanted = value.toLowerCase();
        return (job) =>
          wanted.endsWith("*")
            ? job.name.toLowerCase().startsWith(wanted.slice(0, -1))
            : job.name.toLowerCase() === wanted;
      }
      case "JOB_DEFINITION":
        return (job) => {
          const arn = job.aws?.jobDefinitionArn ?? "";
          const nameAndRevision = nameFromArn(arn);
          const name = nameAndRevision.split(":")[0] ?? "";
          if (value.endsWith("*")) return name.startsWith(value.slice(0, -1));
          return value === arn || value === nameAndRevision || value === name;
        };
      case "BEFORE_CREATED_AT":
        return (job) => job.createdAt < Number(value);
      case "AFTER_CREATED_AT":
        return (job) => job.createdAt > Number(value);
      case "SHARE_IDENTIFIER":
        return (job) => job.aws?.shareIdentifier === value;
      default:
        throw clientError(
          "filter name must be JOB_NAME, JOB_DEFINITION, BEFORE_CREATED_AT, AFTER_CREATED_AT or SHARE_IDENTIFIER",
        );
    }
  }

  private async cancelOrTerminate(body: Body, verb: "cancel" | "terminate"): Promise<unknown> {
    const jobId = requireString(body, "jobId");
    const reason = requireString(body, "reason");
    if (reason.length > 1024) throw clientError("reason is longer than 1024 characters");
    const job = this.engine.getJob(jobId);
    if (!job || job.face !== "aws") throw clientError(`job ${jobId} not found`);
    if (verb === "cancel") this.engine.cancel(jobId, reason);
    else this.engine.terminate(jobId, reason);
    await this.engine.store.flush();
    return {};
  }
}

type AwsResource = { type: string; value: string };

function withoutUndefined(record: Body): Body {
  for (const key of Object.keys(record)) if (record[key] === undefined) delete record[key];
  return record;
}
