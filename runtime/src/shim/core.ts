// The operations of the AWS Batch shim, independent of the SDK surface that exposes them: each takes the
// operation's input object and returns its output object in botocore's shape (no metadata), or throws a
// ClientException / ServerException / ParameterValidationError. Same behaviour as the Python shim's client.
import { CommonComputeClient } from "../clients/common-compute.js";
import { ConnectionError, HttpError } from "../clients/http.js";
import { SaladClient } from "../clients/salad.js";
import { EmulatedBackend } from "./emulated.js";
import { BatchServiceException, clientException, serverException } from "./errors.js";
import { Journal } from "./journal.js";
import { LocalExecutorBackend } from "./local.js";
import {
  DESCRIBE_JOBS_MAX_IDS,
  JOB_STATUSES,
  LIST_JOBS_DEFAULT_PAGE,
  LIST_JOBS_FILTER_NAMES,
  LIST_JOBS_MAX_WITH_FILTERS,
  LIST_JOBS_MAX_WITH_STATUS,
  decodeNextToken,
  paginate,
  queryFingerprint,
  selectJobs,
  summaryFromDetail,
  type Json,
  type ListJobsFilter,
} from "./model.js";
import { Registry } from "./registry.js";
import { ShimTagging } from "./tags.js";
import { ConfigurationError, type ShimSettings } from "./settings.js";
import { CommonComputeTarget, SaladTarget, TargetMappingError } from "./targets.js";
import { checkParams, checkRegisterJobDefinition, checkSubmitJob } from "./validation.js";

/** The operations the shim serves, by their AWS names. */
export const SHIM_OPERATIONS = [
  "SubmitJob",
  "DescribeJobs",
  "ListJobs",
  "CancelJob",
  "TerminateJob",
  "RegisterJobDefinition",
  "DescribeJobDefinitions",
  "DescribeJobQueues",
  "DescribeComputeEnvironments",
  "TagResource",
  "UntagResource",
  "ListTagsForResource",
] as const;
export type ShimOperation = (typeof SHIM_OPERATIONS)[number];

/**
 * AWS Batch's admin operations, served on target `local` only: the local executor implements them with AWS's rules,
 * so test fixtures that create compute environments, queues and scheduling policies run there. Common Compute and
 * SaladCloud have no such resources (their queues and workloads are made with the files `migrate init` writes).
 */
export const LOCAL_ADMIN_OPERATIONS = [
  "CreateComputeEnvironment",
  "UpdateComputeEnvironment",
  "DeleteComputeEnvironment",
  "CreateJobQueue",
  "UpdateJobQueue",
  "DeleteJobQueue",
  "DeregisterJobDefinition",
  "CreateSchedulingPolicy",
  "UpdateSchedulingPolicy",
  "DeleteSchedulingPolicy",
  "DescribeSchedulingPolicies",
  "ListSchedulingPolicies",
] as const;
export type LocalAdminOperation = (typeof LOCAL_ADMIN_OPERATIONS)[number];

/** The operations the shim serves on a target (`aws` sends everything to the real SDK). */
export function servedOperations(target: string): readonly string[] {
  return target === "local" ? [...SHIM_OPERATIONS, ...LOCAL_ADMIN_OPERATIONS] : SHIM_OPERATIONS;
}

export function isLocalAdminOperation(operation: string): operation is LocalAdminOperation {
  return (LOCAL_ADMIN_OPERATIONS as readonly string[]).includes(operation);
}

const REGISTRY_PAGE_DEFAULT = 100;

type Backend = { kind: "local"; local: LocalExecutorBackend } | { kind: "emulated"; emulated: EmulatedBackend };

export class BatchShim {
  readonly registry: Registry;
  private backend: Backend | undefined;
  private tagging: ShimTagging | undefined;

  constructor(readonly settings: ShimSettings) {
    if (settings.target === "aws")
      throw new ConfigurationError("the shim core does not serve target aws; the real SDK does");
    this.registry = Registry.fromConfig(settings.config, settings.region, settings.accountId);
    this.registry.applyQueueMap(settings.queueMap, settings.target);
  }

  /** Built on first use, so creating a client never fails for want of a key, as with the real SDK. */
  private resolveBackend(): Backend {
    if (this.backend) return this.backend;
    const { settings } = this;
    const httpOptions = { timeoutMs: settings.httpTimeoutMs, retry: { maxRetries: settings.maxRetries } };
    if (settings.target === "local") {
      this.backend = {
        kind: "local",
        local: new LocalExecutorBackend(settings.localBaseUrl, settings.localApiKey, this.registry, {
          timeoutMs: settings.httpTimeoutMs,
          maxRetries: settings.maxRetries,
        }),
      };
      return this.backend;
    }
    const journal = new Journal(settings.stateDir);
    if (settings.target === "common-compute") {
      if (!settings.ccApiKey) throw new ConfigurationError("BATCH_MIGRATE_TARGET=common-compute needs CC_API_KEY");
      const client = new CommonComputeClient({
        baseUrl: settings.ccBaseUrl,
        apiKey: settings.ccApiKey,
        ...httpOptions,
      });
      this.backend = {
        kind: "emulated",
        emulated: new EmulatedBackend(
          new CommonComputeTarget(client),
          this.registry,
          journal,
          settings.emulateDependencies,
        ),
      };
      return this.backend;
    }
    if (!settings.saladApiKey) throw new ConfigurationError("BATCH_MIGRATE_TARGET=salad needs SALAD_API_KEY");
    if (!settings.saladOrganization || !settings.saladProject) {
      throw new ConfigurationError(
        "BATCH_MIGRATE_TARGET=salad needs SALAD_ORGANIZATION_NAME and SALAD_PROJECT_NAME (or shim.saladOrganization/saladProject)",
      );
    }
    const client = new SaladClient({ baseUrl: settings.saladBaseUrl, apiKey: settings.saladApiKey, ...httpOptions });
    const knownQueues = new Set(Object.values(settings.queueMap));
    for (const name of this.registry.jobQueues.keys()) {
      const mapped = this.registry.queueMappingFor(name, "salad").queue;
      if (typeof mapped === "string") knownQueues.add(mapped);
    }
    const target = new SaladTarget(client, settings.saladOrganization, settings.saladProject, knownQueues);
    this.backend = {
      kind: "emulated",
      emulated: new EmulatedBackend(target, this.registry, journal, settings.emulateDependencies),
    };
    return this.backend;
  }

  /** Runs one operation; target failures become ClientException (the target refused) or ServerException. */
  async call(operation: ShimOperation | LocalAdminOperation, input: Json): Promise<Json> {
    try {
      if (isLocalAdminOperation(operation)) return await this.adminOperation(operation, input);
      return await this.dispatch(operation, input);
    } catch (error) {
      throw this.asServiceError(error);
    }
  }

  private asServiceError(error: unknown): unknown {
    if (error instanceof BatchServiceException) return error;
    const label = this.settings.target;
    if (error instanceof TargetMappingError) return clientException(error.message);
    if (error instanceof HttpError) {
      if (error.status >= 400 && error.status < 500 && error.status !== 429) {
        return clientException(`target ${label} rejected the request: ${error.serverMessage}`);
      }
      return serverException(`target ${label} failed: ${error.serverMessage}`);
    }
    if (error instanceof ConnectionError) return serverException(`target ${label} is not reachable: ${error.message}`);
    return error;
  }

  private dispatch(operation: ShimOperation, input: Json): Promise<Json> {
    switch (operation) {
      case "SubmitJob":
        return this.submitJob(input);
      case "DescribeJobs":
        return this.describeJobs(input);
      case "ListJobs":
        return this.listJobs(input);
      case "CancelJob":
      case "TerminateJob":
        return this.stop(operation, input);
      case "RegisterJobDefinition":
        return this.registerJobDefinition(input);
      case "DescribeJobDefinitions":
        return this.describeJobDefinitions(input);
      case "DescribeJobQueues":
        return this.describeJobQueues(input);
      case "DescribeComputeEnvironments":
        return this.describeComputeEnvironments(input);
      case "TagResource":
      case "UntagResource":
      case "ListTagsForResource":
        return this.tagOperation(operation, input);
    }
  }

  /** Target local only: checked against the operation's model here, against AWS's rules by the executor. */
  private async adminOperation(operation: LocalAdminOperation, params: Json): Promise<Json> {
    if (this.settings.target !== "local") {
      throw clientException(
        `${operation} is not served by the batch-migrate shim on target ${this.settings.target}; ` +
          `manage the resource with the files \`migrate init --target ${this.settings.target}\` writes`,
      );
    }
    checkParams(operation, params);
    const backend = this.resolveBackend();
    if (backend.kind !== "local") throw new Error("target local without the local backend");
    return backend.local.call(operation, params);
  }

  private async submitJob(params: Json): Promise<Json> {
    checkParams("SubmitJob", params);
    checkSubmitJob(params, this.settings.target);
    const backend = this.resolveBackend();
    if (backend.kind === "local") return backend.local.call("SubmitJob", params);
    return backend.emulated.submitJob(params);
  }

  private async describeJobs(params: Json): Promise<Json> {
    checkParams("DescribeJobs", params);
    const jobIds = (params.jobs as unknown[]).map(String);
    if (jobIds.length > DESCRIBE_JOBS_MAX_IDS)
      throw clientException(`jobs accepts at most ${DESCRIBE_JOBS_MAX_IDS} job IDs`);
    const backend = this.resolveBackend();
    if (backend.kind === "local") return backend.local.call("DescribeJobs", { jobs: jobIds });
    return { jobs: await backend.emulated.describeJobs(jobIds) };
  }

  private async listJobs(params: Json): Promise<Json> {
    checkParams("ListJobs", params);
    const owners = ["jobQueue", "arrayJobId", "multiNodeJobId"].filter((key) => params[key]);
    if (owners.length !== 1)
      throw clientException("exactly one of jobQueue, arrayJobId or multiNodeJobId must be given");
    if (owners[0] === "multiNodeJobId") {
      throw clientException(
        `multiNodeJobId: multi-node parallel jobs are not supported on target ${this.settings.target}`,
      );
    }
    const status = params.jobStatus as string | undefined;
    if (status !== undefined && !(JOB_STATUSES as readonly string[]).includes(status)) {
      throw clientException(`jobStatus must be one of ${JOB_STATUSES.join(", ")}`);
    }
    const filters = (params.filters ?? []) as ListJobsFilter[];
    if (filters.length > 1) throw clientException("only one filter may be given");
    for (const filter of filters) {
      if (!LIST_JOBS_FILTER_NAMES.includes(String(filter?.name)))
        throw clientException(`filter name must be one of ${LIST_JOBS_FILTER_NAMES.join(", ")}`);
    }
    const maxResults = params.maxResults as number | undefined;
    const ceiling = filters.length > 0 ? LIST_JOBS_MAX_WITH_FILTERS : LIST_JOBS_MAX_WITH_STATUS;
    if (maxResults !== undefined && (maxResults < 1 || maxResults > ceiling))
      throw clientException(`maxResults must be between 1 and ${ceiling}`);
    const backend = this.resolveBackend();
    if (backend.kind === "local") return backend.local.call("ListJobs", params);
    const details = await backend.emulated.listJobDetails(
      params.jobQueue as string | undefined,
      params.arrayJobId as string | undefined,
    );
    const summaries = selectJobs(details.map(summaryFromDetail), status, filters);
    const fingerprint = queryFingerprint({
      jobQueue: params.jobQueue ?? null,
      arrayJobId: params.arrayJobId ?? null,
      jobStatus: params.jobStatus ?? null,
      filters: params.filters ?? null,
    });
    const offset = this.offset(params.nextToken as string | undefined, fingerprint);
    const { page, nextToken } = paginate(summaries, offset, maxResults ?? LIST_JOBS_DEFAULT_PAGE, fingerprint);
    return nextToken ? { jobSummaryList: page, nextToken } : { jobSummaryList: page };
  }

  private async stop(operation: "CancelJob" | "TerminateJob", params: Json): Promise<Json> {
    checkParams(operation, params);
    const jobId = String(params.jobId);
    const reason = String(params.reason);
    if (!jobId || !reason) throw clientException("jobId and reason must not be empty");
    if (reason.length > 1024) throw clientException("reason is at most 1024 characters");
    const backend = this.resolveBackend();
    if (backend.kind === "local") return backend.local.call(operation, params);
    if (operation === "CancelJob") await backend.emulated.cancelJob(jobId, reason);
    else await backend.emulated.terminateJob(jobId, reason);
    return {};
  }

  private async registerJobDefinition(params: Json): Promise<Json> {
    checkParams("RegisterJobDefinition", params);
    checkRegisterJobDefinition(params);
    if (params.type === "multinode" || params.nodeProperties !== undefined) {
      throw clientException(`multi-node parallel job definitions are not supported on target ${this.settings.target}`);
    }
    const backend = this.resolveBackend();
    if (backend.kind === "local") return backend.local.call("RegisterJobDefinition", params);
    const definition = this.registry.registerJobDefinition(params);
    return {
      jobDefinitionName: definition.jobDefinitionName,
      jobDefinitionArn: definition.jobDefinitionArn,
      revision: definition.revision,
    };
  }

  private async describeJobDefinitions(params: Json): Promise<Json> {
    checkParams("DescribeJobDefinitions", params);
    const backend = this.resolveBackend();
    if (backend.kind === "local") return backend.local.call("DescribeJobDefinitions", params);
    let definitions = this.registry.allJobDefinitions();
    const wanted = params.jobDefinitions as string[] | undefined;
    if (wanted && wanted.length > 0) {
      const arns = new Set(
        wanted.map((reference) => this.registry.findJobDefinition(String(reference))?.jobDefinitionArn).filter(Boolean),
      );
      definitions = definitions.filter((definition) => arns.has(definition.jobDefinitionArn));
    }
    if (params.jobDefinitionName)
      definitions = definitions.filter((definition) => definition.jobDefinitionName === params.jobDefinitionName);
    if (params.status) definitions = definitions.filter((definition) => definition.status === params.status);
    return this.registryPage("jobDefinitions", definitions, params);
  }

  private async describeJobQueues(params: Json): Promise<Json> {
    checkParams("DescribeJobQueues", params);
    const backend = this.resolveBackend();
    if (backend.kind === "local") return backend.local.call("DescribeJobQueues", params);
    let queues = [...this.registry.jobQueues.keys()].sort().map((name) => this.registry.jobQueues.get(name) as Json);
    const wanted = params.jobQueues as string[] | undefined;
    if (wanted && wanted.length > 0) {
      const names = new Set(wanted.map((reference) => this.registry.queueName(String(reference))));
      queues = queues.filter((queue) => names.has(String(queue.jobQueueName)));
    }
    return this.registryPage("jobQueues", queues, params);
  }

  private async describeComputeEnvironments(params: Json): Promise<Json> {
    checkParams("DescribeComputeEnvironments", params);
    const backend = this.resolveBackend();
    if (backend.kind === "local") return backend.local.call("DescribeComputeEnvironments", params);
    let environments = [...this.registry.computeEnvironments.keys()]
      .sort()
      .map((name) => this.registry.computeEnvironments.get(name) as Json);
    const wanted = params.computeEnvironments as string[] | undefined;
    if (wanted && wanted.length > 0) {
      const names = new Set(wanted.map((reference) => String(reference).split("compute-environment/").at(-1)));
      environments = environments.filter((environment) => names.has(String(environment.computeEnvironmentName)));
    }
    return this.registryPage("computeEnvironments", environments, params);
  }

  private async tagOperation(
    operation: "TagResource" | "UntagResource" | "ListTagsForResource",
    params: Json,
  ): Promise<Json> {
    checkParams(operation, params);
    const backend = this.resolveBackend();
    if (backend.kind === "local") return backend.local.call(operation, params);
    this.tagging ??= new ShimTagging(this.registry, backend.emulated.journal);
    if (operation === "TagResource") return this.tagging.tagResource(params);
    if (operation === "UntagResource") return this.tagging.untagResource(params);
    return this.tagging.listTags(params);
  }

  private registryPage(key: string, items: Json[], params: Json): Json {
    const maxResults = params.maxResults as number | undefined;
    if (maxResults !== undefined && (maxResults < 1 || maxResults > 100))
      throw clientException("maxResults must be between 1 and 100");
    const query: Json = {};
    for (const [name, value] of Object.entries(params))
      if (name !== "nextToken" && name !== "maxResults") query[name] = value;
    const fingerprint = queryFingerprint(query);
    const offset = this.offset(params.nextToken as string | undefined, fingerprint);
    const { page, nextToken } = paginate(items, offset, maxResults ?? REGISTRY_PAGE_DEFAULT, fingerprint);
    const result: Json = { [key]: structuredClone(page) };
    if (nextToken) result.nextToken = nextToken;
    return result;
  }

  private offset(token: string | undefined, fingerprint: string): number {
    if (!token) return 0;
    try {
      return decodeNextToken(token, fingerprint);
    } catch (error) {
      throw clientException(`Invalid nextToken: ${(error as Error).message}`);
    }
  }
}
