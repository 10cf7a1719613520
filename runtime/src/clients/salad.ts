// SaladCloud Job Queues. Facts: reference/targets.md B.2–B.4 (the OpenAPI spec salad-cloud.yaml 0.9.0-alpha.17).
// Method names follow the official Node SDK (createQueueJob, getQueueJob, …); arguments and results use
// the snake_case wire format, as the REST API does.
import { HttpClient, type HttpClientOptions } from "./http.js";

export { HttpError, ConnectionError } from "./http.js";

export const DEFAULT_SALAD_BASE_URL = "https://api.salad.com/api/public";
const NAME_PATTERN = /^[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

export type QueueJobStatus = "pending" | "running" | "succeeded" | "cancelled" | "failed";

export interface QueueJobEvent {
  action: "created" | "started" | "succeeded" | "cancelled" | "failed";
  /** RFC 3339 date-time. */
  time: string;
}

export interface QueueJob {
  id: string;
  input: unknown;
  metadata?: Record<string, unknown>;
  webhook?: string;
  status: QueueJobStatus;
  events: QueueJobEvent[];
  /** Present once the job succeeded. */
  output?: unknown;
  create_time: string;
  update_time: string;
}

export interface QueueJobPrototype {
  input: unknown;
  metadata?: Record<string, unknown>;
  webhook?: string;
}

export interface Queue {
  id: string;
  name: string;
  display_name: string;
  description?: string;
  container_groups: unknown[];
  current_queue_length: number;
  create_time: string;
  update_time: string;
}

export interface QueuePrototype {
  name: string;
  display_name?: string;
  description?: string;
}

export interface QueuePatch {
  display_name?: string | null;
  description?: string | null;
}

export interface Collection<T> {
  items: T[];
}

export interface SaladClientOptions extends HttpClientOptions {
  /** Defaults to SALAD_BASE_URL, then https://api.salad.com/api/public. */
  baseUrl?: string;
  /** Defaults to SALAD_API_KEY. Sent as the Salad-Api-Key header. */
  apiKey?: string;
}

function checkName(kind: string, value: string): string {
  if (!NAME_PATTERN.test(value)) {
    throw new TypeError(`${kind} ${JSON.stringify(value)} must match ${NAME_PATTERN} (2–63 lowercase characters)`);
  }
  return value;
}

export class SaladClient {
  readonly baseUrl: string;
  private readonly http: HttpClient;

  constructor(options: SaladClientOptions = {}) {
    const apiKey = options.apiKey ?? process.env.SALAD_API_KEY;
    if (!apiKey) throw new TypeError("SaladCloud needs an API key: pass apiKey or set SALAD_API_KEY");
    this.baseUrl = (options.baseUrl ?? process.env.SALAD_BASE_URL ?? DEFAULT_SALAD_BASE_URL).replace(/\/+$/, "");
    this.http = new HttpClient(this.baseUrl, { "Salad-Api-Key": apiKey }, options);
  }

  private projectPath(organizationName: string, projectName: string): string {
    return `/organizations/${checkName("organization name", organizationName)}/projects/${checkName("project name", projectName)}`;
  }

  private queuePath(organizationName: string, projectName: string, queueName: string): string {
    return `${this.projectPath(organizationName, projectName)}/queues/${checkName("queue name", queueName)}`;
  }

  async listQueues(organizationName: string, projectName: string): Promise<Collection<Queue>> {
    const path = `${this.projectPath(organizationName, projectName)}/queues`;
    return (await this.http.request({ method: "GET", path })).json<Collection<Queue>>();
  }

  async createQueue(organizationName: string, projectName: string, queue: QueuePrototype): Promise<Queue> {
    checkName("queue name", queue.name);
    const path = `${this.projectPath(organizationName, projectName)}/queues`;
    return (await this.http.request({ method: "POST", path, json: queue })).json<Queue>();
  }

  async getQueue(organizationName: string, projectName: string, queueName: string): Promise<Queue> {
    const path = this.queuePath(organizationName, projectName, queueName);
    return (await this.http.request({ method: "GET", path })).json<Queue>();
  }

  async updateQueue(
    organizationName: string,
    projectName: string,
    queueName: string,
    patch: QueuePatch,
  ): Promise<Queue> {
    const path = this.queuePath(organizationName, projectName, queueName);
    return (
      await this.http.request({ method: "PATCH", path, json: patch, contentType: "application/merge-patch+json" })
    ).json<Queue>();
  }

  async deleteQueue(organizationName: string, projectName: string, queueName: string): Promise<void> {
    await this.http.request({ method: "DELETE", path: this.queuePath(organizationName, projectName, queueName) });
  }

  async createQueueJob(
    organizationName: string,
    projectName: string,
    queueName: string,
    job: QueueJobPrototype,
  ): Promise<QueueJob> {
    if (!("input" in job)) throw new TypeError("a queue job needs an input");
    const path = `${this.queuePath(organizationName, projectName, queueName)}/jobs`;
    return (await this.http.request({ method: "POST", path, json: job })).json<QueueJob>();
  }

  async getQueueJob(
    organizationName: string,
    projectName: string,
    queueName: string,
    queueJobId: string,
  ): Promise<QueueJob> {
    const path = `${this.queuePath(organizationName, projectName, queueName)}/jobs/${encodeURIComponent(queueJobId)}`;
    return (await this.http.request({ method: "GET", path })).json<QueueJob>();
  }

  /** One page (page ≥ 1, pageSize 1–100). The API returns no total and no cursor: stop on a short page. */
  async listQueueJobs(
    organizationName: string,
    projectName: string,
    queueName: string,
    options: { page?: number; pageSize?: number } = {},
  ): Promise<Collection<QueueJob>> {
    const path = `${this.queuePath(organizationName, projectName, queueName)}/jobs`;
    const query = { page: options.page, page_size: options.pageSize };
    return (await this.http.request({ method: "GET", path, query })).json<Collection<QueueJob>>();
  }

  async *iterateQueueJobs(
    organizationName: string,
    projectName: string,
    queueName: string,
    pageSize = 100,
  ): AsyncGenerator<QueueJob> {
    for (let page = 1; ; page++) {
      const { items } = await this.listQueueJobs(organizationName, projectName, queueName, { page, pageSize });
      yield* items;
      if (items.length < pageSize) return;
    }
  }

  /** Cancels a job; SaladCloud only cancels jobs that are still pending. */
  async deleteQueueJob(
    organizationName: string,
    projectName: string,
    queueName: string,
    queueJobId: string,
  ): Promise<void> {
    const path = `${this.queuePath(organizationName, projectName, queueName)}/jobs/${encodeURIComponent(queueJobId)}`;
    await this.http.request({ method: "DELETE", path });
  }
}
