// BATCH_MIGRATE_TARGET=local: the local executor's AWS Batch face (`POST /v1/<operation>`).
//
// The executor implements AWS Batch's job model itself (arrays, dependencies, retries with evaluateOnExit,
// timeouts, the job definition's command with `Ref::` parameters), so nothing is emulated here: requests go
// through in AWS's REST-JSON wire format and the answers come back in AWS's shapes. The project's registry
// (migrate.config.json) is copied into the executor on first use, so the jobs run the registered commands.
import { ConnectionError, HttpClient, HttpError } from "../clients/http.js";
import { exceptionForCode, serverException } from "./errors.js";
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
      this.seeding = undefined;
      throw error;
    });
    await this.seeding;
    return this.post(operation, params);
  }

  private async post(operation: string, params: Json): Promise<Json> {
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
      if (error instanceof ConnectionError)
        throw serverException(`the local executor is not reachable: ${error.message}`);
      throw error;
    }
  }

  /**
   * Creates on the executor the compute environments, queues and job definitions the config declares and the
   * executor lacks (matched by name), so a fresh executor runs the project's jobs.
   */
  private async seedRegistry(): Promise<void> {
    const existingEnvironments = new Set(
      (((await this.post("DescribeComputeEnvironments", {})).computeEnvironments as Json[] | undefined) ?? []).map(
        (item) => item.computeEnvironmentName,
      ),
    );
    for (const [name, environment] of this.registry.computeEnvironments) {
      if (existingEnvironments.has(name)) continue;
      const request: Json = {
        computeEnvironmentName: name,
        type: environment.type ?? "MANAGED",
        state: environment.state ?? "ENABLED",
      };
      for (const key of ["computeResources", "serviceRole", "unmanagedvCpus"])
        if (environment[key] !== undefined) request[key] = environment[key];
      await this.post("CreateComputeEnvironment", request);
    }
    const existingQueues = new Set(
      (((await this.post("DescribeJobQueues", {})).jobQueues as Json[] | undefined) ?? []).map(
        (item) => item.jobQueueName,
      ),
    );
    for (const [name, queue] of this.registry.jobQueues) {
      if (existingQueues.has(name)) continue;
      await this.post("CreateJobQueue", {
        jobQueueName: name,
        state: queue.state ?? "ENABLED",
        priority: queue.priority ?? 1,
        computeEnvironmentOrder: queue.computeEnvironmentOrder ?? [],
      });
    }
    for (const name of [...this.registry.jobDefinitions.keys()].sort()) {
      const existing = (await this.post("DescribeJobDefinitions", { jobDefinitionName: name, status: "ACTIVE" }))
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
        await this.post("RegisterJobDefinition", request);
      }
    }
  }
}
