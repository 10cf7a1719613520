// BATCH_MIGRATE_TARGET=local: the local executor's AWS Batch face (`POST /v1/<operation>`).
//
// The executor implements AWS Batch's job model itself (arrays, dependencies, retries with evaluateOnExit,
// timeouts, the job definition's command with `Ref::` parameters), so nothing is emulated here: requests go
// through in AWS's REST-JSON wire format and the answers come back in AWS's shapes. The project's registry
// (migrate.config.json) is copied into the executor on first use, so the jobs run the registered commands.
import { ConnectionError, HttpClient, HttpError, type HttpRequest } from "../clients/http.js";
import { BatchServiceException, clientException, exceptionForCode, serverException } from "./errors.js";
import type { Json } from "./model.js";
import type { Registry } from "./registry.js";
import { ConfigurationError } from "./settings.js";

export class LocalExecutorBackend {
  private readonly http: HttpClient;
  private seeding: Promise<void> | undefined;

  constructor(
    baseUrl: string | undefined,
    apiKey: string | undefined,
    private readonly registry: Registry,
    options: { timeoutMs: number; maxRetries: number },
  ) {
    if (!baseUrl)
      throw new ConfigurationError(
        "BATCH_MIGRATE_TARGET=local needs the executor's address in CC_BASE_URL (or BATCH_MIGRATE_ENDPOINT)",
      );
    const root = baseUrl.replace(/\/+$/, "").replace(/\/v1$/, "");
    this.http = new HttpClient(root, apiKey ? { authorization: `Bearer ${apiKey}` } : {}, {
      timeoutMs: options.timeoutMs,
      retry: { maxRetries: options.maxRetries },
    });
  }

  async call(operation: string, params: Json): Promise<Json> {
    this.seeding ??= this.seedRegistry().catch((error: unknown) => {
      // Only a failure to reach or use the executor gets here; seeding is tried again on the next call.
      this.seeding = undefined;
      throw error;
    });
    try {
      await this.seeding;
    } catch (error) {
      if (error instanceof ConnectionError)
        throw serverException(`the local executor at ${this.http.baseUrl} is not reachable: ${error.message}`);
      throw error;
    }
    const refusal = this.refusalFor(operation, params);
    if (refusal) throw refusal;
    return this.send(operation, params);
  }

  /** AWS's wire form: the tag operations are REST paths on the resource's ARN, the others `POST /v1/<operation>`. */
  private send(operation: string, params: Json): Promise<Json> {
    const tagsPath = `/v1/tags/${encodeURIComponent(String(params.resourceArn))}`;
    if (operation === "TagResource")
      return this.request({ method: "POST", path: tagsPath, json: { tags: params.tags } });
    if (operation === "UntagResource") {
      const keys = (params.tagKeys as unknown[]).map((key) => `tagKeys=${encodeURIComponent(String(key))}`);
      return this.request({ method: "DELETE", path: `${tagsPath}?${keys.join("&")}` });
    }
    if (operation === "ListTagsForResource") return this.request({ method: "GET", path: tagsPath });
    return this.request({ method: "POST", path: `/v1/${operation.toLowerCase()}`, json: params });
  }

  /**
   * What the executor refused from migrate.config.json fails only the calls that use it (a SubmitJob naming the
   * job definition or the queue), with the executor's own reason, as AWS would answer for a broken resource.
   */
  private readonly refused = new Map<string, string>();

  private refusalFor(operation: string, params: Json): BatchServiceException | undefined {
    if (operation !== "SubmitJob") return undefined;
    const definition = definitionName(String(params.jobDefinition ?? ""));
    const queue = resourceName(String(params.jobQueue ?? ""));
    for (const key of [`job definition ${definition}`, `job queue ${queue}`]) {
      const reason = this.refused.get(key);
      if (reason !== undefined)
        return clientException(`${key} in migrate.config.json was refused by the local executor: ${reason}`);
    }
    return undefined;
  }

  private async request(request: HttpRequest): Promise<Json> {
    let response;
    try {
      response = await this.http.request(request);
    } catch (error) {
      if (error instanceof HttpError) throw exceptionForCode(error.code, error.serverMessage, error.status);
      if (error instanceof ConnectionError)
        throw serverException(`the local executor is not reachable: ${error.message}`);
      throw error;
    }
    const body = response.json<unknown>();
    return typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Json) : {};
  }

  /** A seeding request: a connection failure stays a ConnectionError (reported against the user's call). */
  private async seedPost(operation: string, params: Json): Promise<Json> {
    try {
      const response = await this.http.request({
        method: "POST",
        path: `/v1/${operation.toLowerCase()}`,
        json: params,
      });
      const body = response.json<unknown>();
      return typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Json) : {};
    } catch (error) {
      if (error instanceof HttpError) throw exceptionForCode(error.code, error.serverMessage, error.status);
      throw error;
    }
  }

  /** Creates one resource; a ClientException refuses that resource only, anything else stops the seeding. */
  private async seedOne(key: string, operation: string, request: Json): Promise<boolean> {
    try {
      await this.seedPost(operation, request);
      return true;
    } catch (error) {
      if (error instanceof BatchServiceException && error.$fault === "client") this.refused.set(key, error.message);
      else throw error;
      return false;
    }
  }

  /**
   * Creates on the executor the compute environments, queues and job definitions the config declares and the
   * executor lacks (matched by name), so a fresh executor runs the project's jobs.
   */
  private async seedRegistry(): Promise<void> {
    this.refused.clear();
    const existingEnvironments = new Set(
      (((await this.seedPost("DescribeComputeEnvironments", {})).computeEnvironments as Json[] | undefined) ?? []).map(
        (item) => item.computeEnvironmentName,
      ),
    );
    // The config's computeResources describe capacity on AWS (and often lack members CreateComputeEnvironment
    // requires, such as subnets); on the executor the executor itself is the compute, so each is created UNMANAGED.
    for (const [name, environment] of this.registry.computeEnvironments) {
      if (existingEnvironments.has(name)) continue;
      const request: Json = { computeEnvironmentName: name, type: "UNMANAGED", state: environment.state ?? "ENABLED" };
      if (isTagMap(environment.tags)) request.tags = environment.tags;
      if (await this.seedOne(`compute environment ${name}`, "CreateComputeEnvironment", request))
        existingEnvironments.add(name);
    }
    const existingQueues = new Set(
      (((await this.seedPost("DescribeJobQueues", {})).jobQueues as Json[] | undefined) ?? []).map(
        (item) => item.jobQueueName,
      ),
    );
    for (const [name, queue] of this.registry.jobQueues) {
      if (existingQueues.has(name)) continue;
      let order = ((queue.computeEnvironmentOrder ?? []) as Json[])
        .map((entry) => ({ order: entry.order, computeEnvironment: resourceName(String(entry.computeEnvironment)) }))
        .filter((entry) => existingEnvironments.has(entry.computeEnvironment));
      if (order.length === 0) {
        // A queue whose compute environments the config does not name runs on one the executor stands for.
        if (!existingEnvironments.has(LOCAL_COMPUTE_ENVIRONMENT)) {
          await this.seedPost("CreateComputeEnvironment", {
            computeEnvironmentName: LOCAL_COMPUTE_ENVIRONMENT,
            type: "UNMANAGED",
          });
          existingEnvironments.add(LOCAL_COMPUTE_ENVIRONMENT);
        }
        order = [{ order: 1, computeEnvironment: LOCAL_COMPUTE_ENVIRONMENT }];
      }
      await this.seedOne(`job queue ${name}`, "CreateJobQueue", {
        jobQueueName: name,
        state: queue.state ?? "ENABLED",
        priority: queue.priority ?? 1,
        computeEnvironmentOrder: order,
      });
    }
    for (const name of [...this.registry.jobDefinitions.keys()].sort()) {
      const existing = (await this.seedPost("DescribeJobDefinitions", { jobDefinitionName: name, status: "ACTIVE" }))
        .jobDefinitions as Json[] | undefined;
      if (existing && existing.length > 0) continue;
      for (const definition of this.registry.jobDefinitions.get(name) ?? []) {
        const {
          jobDefinitionArn: _arn,
          revision: _revision,
          status: _status,
          containerOrchestrationType: _orchestration,
          ...request
        } = definition;
        await this.seedOne(`job definition ${name}`, "RegisterJobDefinition", request);
      }
    }
  }
}

/** The compute environment the executor stands for, for queues whose config names none. */
const LOCAL_COMPUTE_ENVIRONMENT = "batch-migrate-local";

function isTagMap(value: unknown): value is Record<string, string> {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length > 0 &&
    Object.values(value).every((item) => typeof item === "string")
  );
}

/** `name`, `name:3` or an ARN (`…:job-definition/name:3`) → `name`. */
function definitionName(reference: string): string {
  return resourceName(reference).split(":")[0] ?? "";
}

function resourceName(reference: string): string {
  return reference.startsWith("arn:") ? reference.slice(reference.lastIndexOf("/") + 1) : reference;
}
