// The SaladCloud Job Queue API (reference/targets.md B.2–B.4) over the job model. Jobs on a queue are
// handed to the app named in the executor config's saladQueues, the way Salad's queue worker does (B.5).
import { randomUUID } from "node:crypto";
import type { Engine } from "../engine.js";
import {
  RequestError,
  jsonReply,
  optionalObject,
  optionalString,
  pathSegments,
  queryInteger,
  readJsonObject,
  type ParsedRequest,
  type Reply,
} from "../http-kit.js";
import type { Job, SaladQueue } from "../model.js";

const NAME_PATTERN = /^[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
const DISPLAY_NAME_PATTERN = /^[ ,-.0-9A-Za-z]{2,63}$/;
/** The queue allows 3 retries: 4 attempts in all, then `failed`. */
export const SALAD_ATTEMPTS = 4;

type QueueJobStatus = "pending" | "running" | "succeeded" | "cancelled" | "failed";

export function saladProblem(error: RequestError): Reply {
  const titles: Record<number, string> = {
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    409: "Conflict",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    500: "Internal Server Error",
    503: "Service Unavailable",
    507: "Insufficient Storage",
  };
  return jsonReply(
    error.status,
    { type: "about:blank", title: titles[error.status] ?? "Error", status: error.status, detail: error.message },
    { "content-type": "application/problem+json" },
  );
}

export function saladStatusOf(job: Job): QueueJobStatus {
  switch (job.status) {
    case "SUBMITTED":
    case "PENDING":
    case "RUNNABLE":
      return "pending";
    case "STARTING":
    case "RUNNING":
      return "running";
    case "SUCCEEDED":
      return "succeeded";
    case "FAILED":
      return job.isCancelled ? "cancelled" : "failed";
  }
}

const iso = (epochMs: number): string => new Date(epochMs).toISOString();

export function renderQueueJob(job: Job): Record<string, unknown> {
  const salad = job.salad;
  const status = saladStatusOf(job);
  const rendered: Record<string, unknown> = {
    id: job.id,
    input: salad?.input ?? null,
    metadata: salad?.metadata ?? {},
    status,
    events: (salad?.events ?? []).map((event) => ({ action: event.action, time: iso(event.time) })),
    create_time: iso(job.createdAt),
    update_time: iso(job.transitions.at(-1)?.at ?? job.createdAt),
  };
  if (salad?.webhook !== undefined) rendered.webhook = salad.webhook;
  if (status === "succeeded") rendered.output = salad?.output ?? null;
  return rendered;
}

function checkName(kind: string, value: string | undefined): string {
  if (value === undefined || !NAME_PATTERN.test(value)) {
    throw new RequestError(400, `${kind} must match ${NAME_PATTERN.source}`);
  }
  return value;
}

export class SaladFace {
  constructor(private readonly engine: Engine) {}

  matches(pathname: string): boolean {
    return pathname.startsWith("/organizations/") || pathname.startsWith("/api/public/organizations/");
  }

  async handle(request: ParsedRequest): Promise<Reply> {
    try {
      return await this.route(request);
    } catch (error) {
      if (error instanceof RequestError) return saladProblem(error);
      throw error;
    }
  }

  private async route(request: ParsedRequest): Promise<Reply> {
    const parts = pathSegments(request.url, "/api/public");
    // organizations/{o}/projects/{p}/queues[/{q}[/jobs[/{id}]]]
    if (parts[0] !== "organizations" || parts[2] !== "projects" || parts[4] !== "queues") {
      throw new RequestError(404, "Not found");
    }
    const organization = checkName("organization_name", parts[1]);
    const project = checkName("project_name", parts[3]);
    const { method } = request;
    if (parts.length === 5) {
      if (method === "GET") return this.listQueues(organization, project);
      if (method === "POST") return this.createQueue(organization, project, request);
    }
    const queueName = checkName("queue_name", parts[5]);
    if (parts.length === 6) {
      if (method === "GET") return jsonReply(200, this.renderQueue(this.findQueue(organization, project, queueName)));
      if (method === "PATCH") return this.updateQueue(this.findQueue(organization, project, queueName), request);
      if (method === "DELETE") return this.deleteQueue(this.findQueue(organization, project, queueName));
    }
    if (parts[6] === "jobs" && parts.length === 7) {
      const queue = this.findQueue(organization, project, queueName);
      if (method === "GET") return this.listJobs(queue, request);
      if (method === "POST") return this.createJob(queue, request);
    }
    if (parts[6] === "jobs" && parts.length === 8) {
      const queue = this.findQueue(organization, project, queueName);
      const job = this.findJob(queue, parts[7] ?? "");
      if (method === "GET") return jsonReply(200, renderQueueJob(job));
      if (method === "DELETE") return this.deleteJob(job);
    }
    throw new RequestError(404, "Not found");
  }

  private queueKey(organization: string, project: string, name: string): string {
    return `${organization}/${project}/${name}`;
  }

  private findQueue(organization: string, project: string, name: string): SaladQueue {
    const queue = this.engine.saladQueues.get(this.queueKey(organization, project, name));
    if (!queue) throw new RequestError(404, `queue ${name} not found`);
    return queue;
  }

  private findJob(queue: SaladQueue, id: string): Job {
    const job = this.engine.getJob(id);
    if (
      !job?.salad ||
      this.queueKey(job.salad.organizationName, job.salad.projectName, job.salad.queueName) !== this.queueKeyOf(queue)
    ) {
      throw new RequestError(404, `job ${id} not found`);
    }
    return job;
  }

  private queueKeyOf(queue: SaladQueue): string {
    return this.queueKey(queue.organizationName, queue.projectName, queue.name);
  }

  private jobsOf(queue: SaladQueue): Job[] {
    const key = this.queueKeyOf(queue);
    const jobs: Job[] = [];
    for (const job of this.engine.jobs.values()) {
      if (job.salad && this.queueKey(job.salad.organizationName, job.salad.projectName, job.salad.queueName) === key)
        jobs.push(job);
    }
    return jobs;
  }

  private renderQueue(queue: SaladQueue): Record<string, unknown> {
    const pending = this.jobsOf(queue).filter((job) => saladStatusOf(job) === "pending").length;
    const rendered: Record<string, unknown> = {
      id: queue.id,
      name: queue.name,
      display_name: queue.displayName,
      container_groups: [],
      current_queue_length: pending,
      create_time: iso(queue.createTime),
      update_time: iso(queue.updateTime),
    };
    // `description` is optional and a string when present: the official SDK's schema rejects `null`.
    if (typeof queue.description === "string") rendered.description = queue.description;
    return rendered;
  }

  private listQueues(organization: string, project: string): Reply {
    const items = [...this.engine.saladQueues.values()]
      .filter((queue) => queue.organizationName === organization && queue.projectName === project)
      .map((queue) => this.renderQueue(queue));
    return jsonReply(200, { items });
  }

  private readQueueFields(body: Record<string, unknown>): { displayName?: string; description?: string } {
    const displayName = optionalString(body, "display_name", 63);
    if (displayName !== undefined && !DISPLAY_NAME_PATTERN.test(displayName)) {
      throw new RequestError(400, `display_name must match ${DISPLAY_NAME_PATTERN.source}`);
    }
    const description = optionalString(body, "description", 500);
    if (description !== undefined && /[\r\n]/.test(description)) {
      throw new RequestError(400, "description must be a single line (pattern ^.*$)");
    }
    return { displayName, description };
  }

  private async createQueue(organization: string, project: string, request: ParsedRequest): Promise<Reply> {
    const body = readJsonObject(request);
    if (body.display_name === null || body.description === null) {
      throw new RequestError(400, "display_name and description must be strings when present");
    }
    const name = checkName("name", optionalString(body, "name", 63));
    const key = this.queueKey(organization, project, name);
    if (this.engine.saladQueues.has(key)) throw new RequestError(409, `queue ${name} already exists`);
    const fields = this.readQueueFields(body);
    const now = Date.now();
    const queue: SaladQueue = {
      id: randomUUID(),
      organizationName: organization,
      projectName: project,
      name,
      displayName: fields.displayName ?? name,
      description: fields.description,
      createTime: now,
      updateTime: now,
    };
    this.engine.saladQueues.set(key, queue);
    await this.engine.store.put("saladQueue", key, queue);
    return jsonReply(201, this.renderQueue(queue));
  }

  /** A JSON Merge Patch (RFC 7396): the API takes `application/merge-patch+json`; `null` removes a field. */
  private async updateQueue(queue: SaladQueue, request: ParsedRequest): Promise<Reply> {
    const contentType = String(request.headers["content-type"] ?? "")
      .split(";")[0]
      ?.trim()
      .toLowerCase();
    if (contentType !== "application/merge-patch+json") {
      throw new RequestError(415, "PATCH takes Content-Type: application/merge-patch+json");
    }
    const body = readJsonObject(request);
    const fields = this.readQueueFields(body);
    if (fields.displayName !== undefined) queue.displayName = fields.displayName;
    if ("description" in body) queue.description = fields.description;
    queue.updateTime = Date.now();
    await this.engine.store.put("saladQueue", this.queueKeyOf(queue), queue);
    return jsonReply(200, this.renderQueue(queue));
  }

  private async deleteQueue(queue: SaladQueue): Promise<Reply> {
    for (const job of this.jobsOf(queue)) {
      if (saladStatusOf(job) === "pending") this.engine.cancel(job.id, "The queue was deleted");
    }
    const key = this.queueKeyOf(queue);
    this.engine.saladQueues.delete(key);
    await this.engine.store.delete("saladQueue", key);
    return { status: 202, body: "" };
  }

  private async createJob(queue: SaladQueue, request: ParsedRequest): Promise<Reply> {
    const body = readJsonObject(request);
    if (!("input" in body)) throw new RequestError(400, "input is required");
    const metadata = optionalObject(body, "metadata");
    if (metadata && Object.keys(metadata).length > 20)
      throw new RequestError(400, "metadata may have at most 20 properties");
    const webhook = optionalString(body, "webhook", 2048);
    const id = randomUUID();
    const now = Date.now();
    const job: Job = {
      id,
      seq: this.engine.newSeq(),
      face: "salad",
      name: id,
      status: "SUBMITTED",
      createdAt: now,
      attempts: [],
      retryStrategy: { attempts: SALAD_ATTEMPTS },
      // A request that times out is a transport error to the worker: rejected, so retried.
      retryAfterTimeout: true,
      dependsOn: [],
      waitFor: [],
      lane: `salad:${this.queueKeyOf(queue)}`,
      rank: 0,
      run: { kind: "forward", queueName: queue.name },
      transitions: [{ status: "SUBMITTED", at: now }],
      salad: {
        organizationName: queue.organizationName,
        projectName: queue.projectName,
        queueName: queue.name,
        input: body.input,
        metadata,
        webhook,
        events: [{ action: "created", time: now }],
      },
    };
    const durable = this.engine.submit(job);
    const reply = jsonReply(201, renderQueueJob(job));
    await durable;
    return reply;
  }

  private listJobs(queue: SaladQueue, request: ParsedRequest): Reply {
    const page = queryInteger(request.url, "page", 1, Number.MAX_SAFE_INTEGER) ?? 1;
    const pageSize = queryInteger(request.url, "page_size", 1, 100) ?? 100;
    const jobs = this.jobsOf(queue).sort((a, b) => b.seq - a.seq);
    const items = jobs.slice((page - 1) * pageSize, page * pageSize).map(renderQueueJob);
    return jsonReply(200, { items });
  }

  /** Salad cancels only jobs that are still pending; for any other job this answers 409 (assumed status). */
  private async deleteJob(job: Job): Promise<Reply> {
    const status = saladStatusOf(job);
    if (status !== "pending")
      throw new RequestError(409, `job ${job.id} is ${status}; only pending jobs can be cancelled`);
    this.engine.cancel(job.id, "Cancelled by DELETE");
    await this.engine.store.flush();
    return { status: 202, body: "" };
  }
}
