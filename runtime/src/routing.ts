// Where a Batch job queue and job definition go on the target, read from `migrate.config.json` at run time: the
// TypeScript twin of batch_migrate_runtime/routing.py. Code rewritten by `migrate apply --to native` calls these when
// the queue, the definition or the whole request is only known at run time:
//
//   batch.jobs.submit({ ...commonComputeRoute(queue, definition), input: params, name })
//   batch.createQueueJob(saladOrganization(), saladProject(), saladQueue(queue, definition), { input: params, … })
//   batch.jobs.submit(commonComputeSubmit(request))   // a SubmitJob request built elsewhere
//
// The mapping is the one `apply` uses for literal names: the definition's `commonCompute.workload` (else its name)
// and `commonCompute.model`, the queue's `commonCompute.priority`; on SaladCloud the queue's (else the definition's)
// `salad.queue`. A name the config does not map, or a request field the target has no counterpart for, throws a
// ConfigurationError that names what to change.
import type { CommonComputePriority, SubmitJobRequest } from "./clients/common-compute.js";
import type { QueueJobPrototype } from "./clients/salad.js";
import { Registry } from "./shim/registry.js";
import { CONFIG_FILE_NAME, ConfigurationError, findConfigFile, loadConfigDocument } from "./shim/settings.js";

export { ConfigurationError } from "./shim/settings.js";

export interface RoutingOptions {
  /** Defaults to BATCH_MIGRATE_CONFIG, then the nearest migrate.config.json from the working directory up. */
  configPath?: string;
}

/** The fields of a Batch SubmitJob request (aws-sdk v2 or v3) the targets have a counterpart for. */
export interface BatchSubmitRequest {
  jobName?: string | undefined;
  jobQueue?: string | undefined;
  jobDefinition?: string | undefined;
  parameters?: Record<string, string> | undefined;
  retryStrategy?: { attempts?: number | undefined } | undefined;
  timeout?: { attemptDurationSeconds?: number | undefined } | undefined;
}

export interface CommonComputeRoute {
  workload: string;
  priority: CommonComputePriority;
  model_id?: string;
}

function registry(options: RoutingOptions): { registry: Registry; source: string } {
  const explicit = options.configPath ?? process.env.BATCH_MIGRATE_CONFIG;
  const file = explicit ?? findConfigFile(process.cwd());
  if (file === undefined) {
    throw new ConfigurationError(
      `no ${CONFIG_FILE_NAME} found (looked in ${process.cwd()} and its parents); run \`migrate init --target …\` or set BATCH_MIGRATE_CONFIG`,
    );
  }
  const document = loadConfigDocument(file);
  return { registry: Registry.fromConfig(document, "us-east-1", "000000000000"), source: file };
}

/** `name`, `name:revision` or an ARN → the name; any revision maps the same way. */
function definitionName(registry: Registry, jobDefinition: string, source: string): string {
  const marker = "job-definition/";
  const text =
    jobDefinition.startsWith("arn:") && jobDefinition.includes(marker)
      ? jobDefinition.slice(jobDefinition.indexOf(marker) + marker.length)
      : jobDefinition;
  const name = text.split(":")[0] ?? text;
  if (!registry.jobDefinitions.has(name))
    throw new ConfigurationError(
      `job definition ${JSON.stringify(name)} is not in ${source}: add it under jobDefinitions`,
    );
  return name;
}

function required(value: string | undefined, field: string): string {
  if (typeof value !== "string" || value === "")
    throw new ConfigurationError(`the SubmitJob request has no ${field}: the target is chosen from it`);
  return value;
}

/** `workload`, `priority` and (when mapped) `model_id` for `new CommonComputeClient().jobs.submit`. */
export function commonComputeRoute(
  jobQueue: string | undefined,
  jobDefinition: string | undefined,
  options: RoutingOptions = {},
): CommonComputeRoute {
  const { registry: known, source } = registry(options);
  const name = definitionName(known, required(jobDefinition, "jobDefinition"), source);
  const queue = known.queueName(required(jobQueue, "jobQueue"));
  const priority = known.queueMappingFor(queue, "common-compute").priority;
  if (typeof priority !== "string" || !["batch", "standard", "priority"].includes(priority))
    throw new ConfigurationError(`job queue ${JSON.stringify(queue)} has no commonCompute.priority in ${source}`);
  const mapping = known.mappingFor(name, "common-compute");
  const route: CommonComputeRoute = {
    workload: typeof mapping.workload === "string" && mapping.workload ? mapping.workload : name,
    priority: priority as CommonComputePriority,
  };
  if (typeof mapping.model === "string" && mapping.model) route.model_id = mapping.model;
  return route;
}

/** The SaladCloud queue name for `new SaladClient().createQueueJob`. */
export function saladQueue(
  jobQueue: string | undefined,
  jobDefinition: string | undefined,
  options: RoutingOptions = {},
): string {
  const { registry: known, source } = registry(options);
  const name = definitionName(known, required(jobDefinition, "jobDefinition"), source);
  const queue = known.queueName(required(jobQueue, "jobQueue"));
  const salad = known.queueMappingFor(queue, "salad").queue ?? known.mappingFor(name, "salad").queue;
  if (typeof salad !== "string" || !salad)
    throw new ConfigurationError(`job queue ${JSON.stringify(queue)} has no salad.queue in ${source}`);
  return salad;
}

const COMMON_COMPUTE_FIELDS = new Set([
  "jobName",
  "jobQueue",
  "jobDefinition",
  "parameters",
  "retryStrategy",
  "timeout",
]);
const SALAD_FIELDS = new Set(["jobName", "jobQueue", "jobDefinition", "parameters"]);

/** A request field the target cannot carry is an error, never dropped: it would change what the job does. */
function refuseUnmapped(request: object, known: ReadonlySet<string>, target: string): void {
  const extra = Object.entries(request)
    .filter(([key, value]) => value !== undefined && !known.has(key))
    .map(([key]) => key);
  const retry = (request as BatchSubmitRequest).retryStrategy;
  if (retry && known.has("retryStrategy"))
    extra.push(
      ...Object.keys(retry)
        .filter((key) => key !== "attempts")
        .map((key) => `retryStrategy.${key}`),
    );
  const timeout = (request as BatchSubmitRequest).timeout;
  if (timeout && known.has("timeout"))
    extra.push(
      ...Object.keys(timeout)
        .filter((key) => key !== "attemptDurationSeconds")
        .map((key) => `timeout.${key}`),
    );
  if (extra.length > 0) {
    throw new ConfigurationError(
      `SubmitJob ${extra.join(", ")} has no ${target} counterpart: move what it sets into parameters (the job's input), or keep this call on the batch-migrate shim`,
    );
  }
}

/** A whole Batch SubmitJob request → the body of `new CommonComputeClient().jobs.submit`. */
export function commonComputeSubmit(request: BatchSubmitRequest, options: RoutingOptions = {}): SubmitJobRequest {
  refuseUnmapped(request, COMMON_COMPUTE_FIELDS, "Common Compute");
  const body: SubmitJobRequest = {
    ...commonComputeRoute(request.jobQueue, request.jobDefinition, options),
    input: request.parameters ?? {},
  };
  if (request.jobName !== undefined) body.name = request.jobName;
  if (request.retryStrategy?.attempts !== undefined) body.max_attempts = request.retryStrategy.attempts;
  if (request.timeout?.attemptDurationSeconds !== undefined)
    body.timeout_seconds = request.timeout.attemptDurationSeconds;
  return body;
}

/** A whole Batch SubmitJob request → the job of `new SaladClient().createQueueJob` (its queue: `saladQueue`). */
export function saladQueueJob(request: BatchSubmitRequest): QueueJobPrototype {
  refuseUnmapped(request, SALAD_FIELDS, "SaladCloud");
  return {
    input: request.parameters ?? {},
    ...(request.jobName !== undefined ? { metadata: { name: request.jobName } } : {}),
  };
}

function fromEnvironment(variable: string, what: string): string {
  const value = process.env[variable];
  if (!value)
    throw new ConfigurationError(
      `${variable} is not set: SaladCloud names the ${what} on every call (Salad sets it inside a container)`,
    );
  return value;
}

/** The SaladCloud organization of every queue call: SALAD_ORGANIZATION_NAME. */
export function saladOrganization(): string {
  return fromEnvironment("SALAD_ORGANIZATION_NAME", "organization");
}

/** The SaladCloud project of every queue call: SALAD_PROJECT_NAME. */
export function saladProject(): string {
  return fromEnvironment("SALAD_PROJECT_NAME", "project");
}

/**
 * A target job → Batch's SubmitJob answer `{ jobId, jobName }`, for code that hands the response on whole (returns
 * it, logs it, passes it to a callback). The name is the one submitted: Common Compute's `name`, SaladCloud's
 * `metadata.name`.
 */
export function submitJobResponse(job: {
  id: string;
  name?: string | null | undefined;
  metadata?: Record<string, unknown> | undefined;
}): { jobId: string; jobName: string } {
  const name = job.name ?? job.metadata?.name;
  return { jobId: job.id, jobName: typeof name === "string" ? name : "" };
}
