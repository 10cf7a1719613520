// The Common Compute API over the job model. By default it serves only what the real backend routes
// (reference/targets.md, corrections of 2026-12-03: Ikaikaalika/commoncomputeai apps/api-v2): the workload endpoints
// that create jobs, GET /v1/jobs/:id with exactly the real row, /result and /cancel. The assumed generic API the
// Batch shim needs (POST/GET /v1/jobs, /v1/me/logs, upload URLs, extra job fields) is served only with the
// extension flag (`--cc-extensions`, config `commonComputeExtensions: true`); runtime/README.md lists it.
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Engine } from "../engine.js";
import {
  RequestError,
  decodeToken,
  encodeToken,
  jsonReply,
  keysMatch,
  optionalInteger,
  optionalObject,
  optionalString,
  pathSegments,
  queryInteger,
  readJsonObject,
  type ParsedRequest,
  type Reply,
} from "../http-kit.js";
import type { Job } from "../model.js";

export const PRIORITY_TIERS = ["batch", "standard", "priority"] as const;
type Priority = (typeof PRIORITY_TIERS)[number];
type CommonComputeState = "queued" | "leased" | "completed" | "failed" | "dead_letter";
const UPLOAD_TTL_MS = 60 * 60 * 1000;

/** Errors are `{"error": "…"}` only, as the real API sends them; the extension flag adds a `code`. */
export function commonComputeError(error: RequestError, extensions = false): Reply {
  return jsonReply(
    error.status,
    extensions ? { error: error.message, code: error.code ?? "error" } : { error: error.message },
  );
}

/** The fields the real GET /v1/jobs/:id returns, and nothing else. */
export const REAL_JOB_FIELDS = [
  "id",
  "type",
  "state",
  "priority",
  "attempts",
  "input_uri",
  "result_uri",
  "parent_job_id",
  "customer_id",
  "created_at",
  "completed_at",
  "progress",
] as const;

/** The account every local job belongs to (the real row carries the key owner's customer id). */
export const LOCAL_CUSTOMER_ID = "local";

/** Workload endpoints → task type, priority and how long the endpoint waits for the result before a 202. */
interface WorkloadRoute {
  type: string;
  /** In seconds, as the real endpoints poll. */
  syncWaitSeconds: number;
}

function workloadRoute(parts: string[]): WorkloadRoute | undefined {
  const route = parts.slice(1).join("/");
  if (route === "embeddings") return { type: "coreml_embed", syncWaitSeconds: 30 };
  if (route === "audio/transcriptions") return { type: "whisper_ane", syncWaitSeconds: 30 };
  if (route === "video/transcode") return { type: "vt_transcode", syncWaitSeconds: 300 };
  // Which /v1/images/* path creates which of the two image types is not in the source we read: generation is mlx.
  if (parts[1] === "images" && parts.length >= 3)
    return { type: parts[2] === "generations" ? "mlx_image" : "coreml_vision", syncWaitSeconds: 30 };
  if (parts[1] === "chat" && parts.length >= 3) return { type: "mlx_llm", syncWaitSeconds: 30 };
  return undefined;
}

export function stateOf(job: Job): CommonComputeState {
  switch (job.status) {
    case "SUBMITTED":
    case "PENDING":
    case "RUNNABLE":
      return "queued";
    case "STARTING":
    case "RUNNING":
      // Cancel sets state='failed' but keeps the lease: the attempt runs on, and may still complete or re-queue.
      return job.cc?.cancelledAttempt !== undefined && job.cc.cancelledAttempt === job.attempts.length
        ? "failed"
        : "leased";
    case "SUCCEEDED":
      return "completed";
    case "FAILED":
      return job.isCancelled || job.isTerminated ? "failed" : "dead_letter";
  }
}

function errorOf(job: Job): { code: string; message: string } | null {
  const state = stateOf(job);
  if (state === "failed") return { code: "cancelled", message: job.statusReason ?? "Cancelled" };
  if (state !== "dead_letter") return null;
  const last = job.attempts.at(-1);
  const code = last?.outcome === "timeout" ? "timeout" : last?.outcome === "lost" ? "lease_expired" : "runner_error";
  const detail =
    last?.reason ?? (last?.exitCode !== undefined ? `exit code ${last.exitCode}` : (last?.statusReason ?? "failed"));
  return { code, message: `Max attempts (${job.cc?.maxAttempts ?? job.attempts.length}) exhausted: ${detail}` };
}

export function renderCommonComputeJob(job: Job, publicUrl: string, extensions = false): Record<string, unknown> {
  const cc = job.cc;
  const state = stateOf(job);
  const real: Record<string, unknown> = {
    id: job.id,
    type: cc?.workload,
    state,
    priority: cc?.priority,
    attempts: job.attempts.length,
    input_uri: cc?.inputUri ?? null,
    result_uri: state === "completed" && cc?.resultFile ? pathToFileURL(cc.resultFile).href : null,
    parent_job_id: null,
    customer_id: LOCAL_CUSTOMER_ID,
    created_at: job.createdAt,
    completed_at: state === "completed" ? (job.stoppedAt ?? null) : null,
    // completed ÷ total over the sub-tasks of a sharded parent; no local job is sharded.
    progress: null,
  };
  if (!extensions) return real;
  const uploadUrl = cc?.uploadToken
    ? `${publicUrl}/v1/uploads/${encodeURIComponent(job.id)}?token=${cc.uploadToken}`
    : null;
  return {
    ...real,
    job_id: job.id,
    name: job.name,
    workload: cc?.workload,
    model_id: cc?.modelId ?? null,
    max_attempts: cc?.maxAttempts,
    started_at: job.attempts[0]?.startedAt ?? null,
    stopped_at: state === "failed" || state === "dead_letter" || state === "completed" ? (job.stoppedAt ?? null) : null,
    error: errorOf(job),
    metadata: cc?.metadata ?? {},
    lease_expires_at: state === "leased" ? (cc?.leaseExpiresAt ?? null) : null,
    upload_url: uploadUrl,
    upload_expires_at: uploadUrl ? (cc?.uploadExpiresAt ?? null) : null,
    locked_price_usd: null,
    eta_seconds: null,
  };
}

function isCursor(value: unknown): value is { seq: number } {
  return typeof value === "object" && value !== null && typeof (value as { seq?: unknown }).seq === "number";
}

function isOffset(value: unknown): value is { offset: number } {
  return typeof value === "object" && value !== null && typeof (value as { offset?: unknown }).offset === "number";
}

export interface CommonComputeFaceOptions {
  /** Serve the assumed API the Batch shim needs (see the file comment); off by default. */
  extensions?: boolean;
  /** Caps how long a workload endpoint waits for its result (tests shorten it); default the real endpoint's. */
  maxSyncWaitMs?: number;
}

export class CommonComputeFace {
  readonly extensions: boolean;

  constructor(
    private readonly engine: Engine,
    private readonly publicUrl: () => string,
    private readonly options: CommonComputeFaceOptions = {},
  ) {
    this.extensions = options.extensions ?? false;
  }

  /** Upload URLs carry their own token (like a presigned URL), so they skip the API key. */
  isUpload(request: ParsedRequest): boolean {
    return this.extensions && request.method === "PUT" && /^\/v1\/uploads\/[^/]+$/.test(request.url.pathname);
  }

  matches(pathname: string): boolean {
    return (
      pathname === "/v1/jobs" ||
      pathname.startsWith("/v1/jobs/") ||
      pathname.startsWith("/v1/me/") ||
      pathname.startsWith("/v1/uploads/") ||
      pathname === "/v1/embeddings" ||
      pathname.startsWith("/v1/audio/") ||
      pathname.startsWith("/v1/video/") ||
      pathname.startsWith("/v1/images/") ||
      pathname.startsWith("/v1/chat/")
    );
  }

  async handle(request: ParsedRequest): Promise<Reply> {
    try {
      return await this.route(request);
    } catch (error) {
      if (error instanceof RequestError) return commonComputeError(error, this.extensions);
      throw error;
    }
  }

  private async route(request: ParsedRequest): Promise<Reply> {
    const { method } = request;
    const parts = pathSegments(request.url);
    if (parts[1] === "jobs" && parts.length === 3 && method === "GET") return this.get(parts[2] ?? "");
    if (parts[1] === "jobs" && parts.length === 4 && parts[3] === "cancel" && method === "POST") {
      return this.cancel(parts[2] ?? "", request);
    }
    if (parts[1] === "jobs" && parts.length === 4 && parts[3] === "result" && method === "GET")
      return this.result(parts[2] ?? "");
    const workload = workloadRoute(parts);
    if (workload && method === "POST") return this.workloadSubmit(workload, request);
    if (this.extensions) {
      if (parts[1] === "jobs" && parts.length === 2) {
        if (method === "POST") return this.submit(request);
        if (method === "GET") return this.list(request);
      }
      if (parts[1] === "me" && parts[2] === "logs" && parts.length === 3 && method === "GET") return this.logs(request);
      if (parts[1] === "uploads" && parts.length === 3 && method === "PUT") return this.upload(parts[2] ?? "", request);
    }
    throw new RequestError(404, "Not found", "not_found");
  }

  private findJob(id: string): Job {
    const job = this.engine.getJob(id);
    if (!job || job.face !== "cc") throw new RequestError(404, "Job not found", "not_found");
    return job;
  }

  private render(job: Job): Record<string, unknown> {
    return renderCommonComputeJob(job, this.publicUrl(), this.extensions);
  }

  private idempotentJob(request: ParsedRequest): { key?: string; job?: Job } {
    const header = request.headers["idempotency-key"];
    const key = Array.isArray(header) ? header[0] : header;
    // The real lookup is global (not per customer); the executor has one customer, so the difference cannot show.
    const existing = key ? this.engine.idempotencyKeys.get(key) : undefined;
    return { key, job: existing ? this.engine.getJobOrThrow(existing) : undefined };
  }

  /**
   * POST /v1/embeddings, /v1/audio/transcriptions, /v1/video/transcode, /v1/images/*, /v1/chat/*: each enqueues a
   * task of its type, waits for it as the real endpoint polls, and answers with the result, or
   * `202 {"id","status":"processing"}` (embeddings add `count`). A JSON body is the task's input (on stdin); any
   * other body (multipart audio and video) is stored as the input file (CC_INPUT_PATH, `input_uri`).
   */
  private async workloadSubmit(route: WorkloadRoute, request: ParsedRequest): Promise<Reply> {
    const { key, job: existing } = this.idempotentJob(request);
    let job = existing;
    let count: number | undefined;
    let priority: Priority = "standard";
    if (!job) {
      const contentType = String(request.headers["content-type"] ?? "").toLowerCase();
      const isJson = contentType.startsWith("application/json");
      const body = isJson ? readJsonObject(request) : undefined;
      if (route.type === "coreml_embed") {
        if (body?.input === undefined) throw new RequestError(400, "input is required", "invalid_request");
        count = Array.isArray(body.input) ? body.input.length : 1;
        if (count > 256) priority = "batch";
      }
      job = this.newJob({
        workload: route.type,
        priority,
        maxAttempts: 3,
        idempotencyKey: key,
        input: body,
        modelId: typeof body?.model === "string" ? body.model : undefined,
      });
      if (!isJson) {
        const file = this.engine.inputFile(job.id);
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, request.body, { flush: true });
        if (job.cc) job.cc.inputUri = pathToFileURL(file).href;
      }
      await this.engine.submit(job);
    } else if (job.cc?.workload === "coreml_embed") {
      const input = (job.cc.input as { input?: unknown } | undefined)?.input;
      count = Array.isArray(input) ? input.length : 1;
    }
    // More than 256 embeddings go to the batch tier and are not waited for.
    const waits = !(route.type === "coreml_embed" && (count ?? 0) > 256);
    const waitMs = Math.min(route.syncWaitSeconds * 1000, this.options.maxSyncWaitMs ?? Infinity);
    const deadline = Date.now() + (waits ? waitMs : 0);
    while (stateOf(job) !== "completed" && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      job = this.engine.getJobOrThrow(job.id);
    }
    if (stateOf(job) === "completed" && job.cc?.resultFile) {
      return {
        status: 200,
        headers: { "content-type": job.cc.resultContentType ?? "application/octet-stream" },
        files: [job.cc.resultFile],
      };
    }
    return jsonReply(
      202,
      count === undefined ? { id: job.id, status: "processing" } : { id: job.id, status: "processing", count },
    );
  }

  private newJob(fields: {
    workload: string;
    priority: Priority;
    maxAttempts: number;
    idempotencyKey?: string;
    input?: unknown;
    modelId?: string;
    name?: string;
    timeoutSeconds?: number;
    extra?: Partial<Job["cc"]>;
  }): Job {
    const id = randomUUID();
    const now = Date.now();
    return {
      id,
      seq: this.engine.newSeq(),
      face: "cc",
      name: fields.name ?? id,
      status: "SUBMITTED",
      createdAt: now,
      attempts: [],
      retryStrategy: { attempts: fields.maxAttempts },
      retryAfterTimeout: true,
      timeoutSeconds: fields.timeoutSeconds,
      dependsOn: [],
      waitFor: [],
      lane: `cc:${fields.priority}:${fields.workload}`,
      rank: PRIORITY_TIERS.indexOf(fields.priority),
      run: { kind: "workload", workload: fields.workload },
      transitions: [{ status: "SUBMITTED", at: now }],
      cc: {
        workload: fields.workload,
        modelId: fields.modelId,
        priority: fields.priority,
        maxAttempts: fields.maxAttempts,
        input: fields.input,
        idempotencyKey: fields.idempotencyKey,
        ...fields.extra,
      },
    };
  }

  /** POST /v1/jobs [ext]: the generic submit the Batch shim uses (targets.md A.4). */
  private async submit(request: ParsedRequest): Promise<Reply> {
    const { key, job: existing } = this.idempotentJob(request);
    if (existing) {
      // The first request may still be writing it; answer only once it is durable.
      await this.engine.store.flush();
      return jsonReply(200, this.render(existing));
    }
    const body = readJsonObject(request);
    const workload = optionalString(body, "workload", 128);
    if (!workload) throw new RequestError(400, "workload is required", "invalid_request");
    const priority = (optionalString(body, "priority") ?? "batch") as Priority;
    if (!PRIORITY_TIERS.includes(priority)) {
      throw new RequestError(400, `priority must be one of ${PRIORITY_TIERS.join(", ")}`, "invalid_request");
    }
    const maxAttempts = optionalInteger(body, "max_attempts", 1, 10) ?? 3;
    const timeoutSeconds = optionalInteger(body, "timeout_seconds", 1, 7 * 24 * 3600);
    const maxSpend = body.max_spend_usd;
    if (maxSpend !== undefined && maxSpend !== null && typeof maxSpend !== "number") {
      throw new RequestError(400, "max_spend_usd must be a number", "invalid_request");
    }
    const inputUri = optionalString(body, "input_uri", 2048);
    const hasInput = body.input !== undefined && body.input !== null;
    const awaitingUpload = !hasInput && !inputUri;
    const job = this.newJob({
      workload,
      priority,
      maxAttempts,
      idempotencyKey: key,
      input: hasInput ? body.input : undefined,
      modelId: optionalString(body, "model_id", 256),
      name: optionalString(body, "name", 256),
      timeoutSeconds,
      extra: {
        inputUri,
        inputFilename: optionalString(body, "input_filename", 1024),
        metadata: optionalObject(body, "metadata"),
        webhook: optionalString(body, "webhook", 2048),
        maxSpendUsd: typeof maxSpend === "number" ? maxSpend : undefined,
        uploadToken: awaitingUpload ? randomBytes(24).toString("hex") : undefined,
        uploadExpiresAt: awaitingUpload ? Date.now() + UPLOAD_TTL_MS : undefined,
      },
    });
    const durable = this.engine.submit(job);
    const reply = jsonReply(201, this.render(job));
    await durable;
    return reply;
  }

  private get(id: string): Reply {
    return jsonReply(200, this.render(this.findJob(id)));
  }

  private list(request: ParsedRequest): Reply {
    const { url } = request;
    const state = url.searchParams.get("state");
    const workload = url.searchParams.get("workload");
    const priority = url.searchParams.get("priority");
    const createdAfter = queryInteger(url, "created_after", 0, Number.MAX_SAFE_INTEGER);
    const createdBefore = queryInteger(url, "created_before", 0, Number.MAX_SAFE_INTEGER);
    const limit = queryInteger(url, "limit", 1, 1000) ?? 100;
    const cursorText = url.searchParams.get("cursor");
    const cursor = cursorText ? decodeToken(cursorText, isCursor) : undefined;
    if (cursorText && !cursor) throw new RequestError(400, "cursor is not valid", "invalid_request");
    const matching: Job[] = [];
    for (const job of this.engine.jobs.values()) {
      if (job.face !== "cc" || (cursor && job.seq >= cursor.seq)) continue;
      if (state && stateOf(job) !== state) continue;
      if (workload && job.cc?.workload !== workload) continue;
      if (priority && job.cc?.priority !== priority) continue;
      if (createdAfter !== undefined && job.createdAt <= createdAfter) continue;
      if (createdBefore !== undefined && job.createdAt >= createdBefore) continue;
      matching.push(job);
    }
    matching.sort((a, b) => b.seq - a.seq);
    const page = matching.slice(0, limit);
    const last = page.at(-1);
    const nextCursor = matching.length > limit && last ? encodeToken({ seq: last.seq }) : null;
    return jsonReply(200, {
      data: page.map((job) => this.render(job)),
      next_cursor: nextCursor,
    });
  }

  /**
   * POST /v1/jobs/:id/cancel → `{"ok":true}` from queued or leased. A queued job is failed at once; a leased one
   * shows `failed` but keeps its lease, as in the real router: the attempt runs on and can still complete (or,
   * if it fails, be re-queued while attempts remain).
   */
  private async cancel(id: string, request: ParsedRequest): Promise<Reply> {
    const job = this.findJob(id);
    const state = stateOf(job);
    if (state !== "queued" && state !== "leased") {
      throw new RequestError(404, "Job not found or already terminal", "not_found");
    }
    const body = this.extensions && request.body.length > 0 ? readJsonObject(request) : {};
    const reason = optionalString(body, "reason", 1024) ?? "Cancelled by user";
    if (state === "queued") this.engine.cancel(job.id, reason);
    else if (job.cc) {
      job.cc.cancelledAttempt = job.attempts.length;
      await this.engine.persistJob(job);
    }
    await this.engine.store.flush();
    return jsonReply(200, { ok: true });
  }

  private result(id: string): Reply {
    const job = this.findJob(id);
    const state = stateOf(job);
    if (state !== "completed" || !job.cc?.resultFile) return jsonReply(202, { error: "Result not ready", state });
    return {
      status: 200,
      headers: { "content-type": job.cc.resultContentType ?? "application/octet-stream" },
      files: [job.cc.resultFile],
    };
  }

  private async upload(id: string, request: ParsedRequest): Promise<Reply> {
    const job = this.engine.getJob(id);
    const token = request.url.searchParams.get("token") ?? undefined;
    const expected = job?.cc?.uploadToken;
    if (!job?.cc || !expected || !keysMatch(token, expected))
      throw new RequestError(403, "Forbidden", "invalid_upload_token");
    if ((job.cc.uploadExpiresAt ?? 0) < Date.now())
      throw new RequestError(403, "The upload URL has expired", "upload_expired");
    const file = this.engine.inputFile(job.id);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, request.body, { flush: true });
    job.cc.uploadToken = undefined;
    job.cc.uploadExpiresAt = undefined;
    job.cc.inputUri = pathToFileURL(file).href;
    this.engine.persistJob(job);
    this.engine.inputArrived(job);
    await this.engine.store.flush();
    return { status: 200, body: "" };
  }

  /** GET /v1/me/logs: state changes (source "router") and the job's output lines (source "runner"). */
  private logs(request: ParsedRequest): Reply {
    const { url } = request;
    const jobId = url.searchParams.get("job_id");
    const since = queryInteger(url, "since", 0, Number.MAX_SAFE_INTEGER);
    const until = queryInteger(url, "until", 0, Number.MAX_SAFE_INTEGER);
    const level = url.searchParams.get("level");
    const limit = queryInteger(url, "limit", 1, 10_000) ?? 1000;
    const cursorText = url.searchParams.get("cursor");
    const cursor = cursorText ? decodeToken(cursorText, isOffset) : { offset: 0 };
    if (!cursor) throw new RequestError(400, "cursor is not valid", "invalid_request");
    const jobs = jobId ? [this.findJob(jobId)] : [...this.engine.jobs.values()].filter((job) => job.face === "cc");
    const entries: Record<string, unknown>[] = [];
    for (const job of jobs) {
      let attemptNumber = 0;
      for (const transition of job.transitions) {
        if (transition.status === "STARTING") attemptNumber++;
        const message =
          transition.status === "STARTING"
            ? `leased (attempt ${attemptNumber})`
            : `state ${stateOfStatus(transition.status, job)}`;
        entries.push({
          ts: transition.at,
          job_id: job.id,
          attempt: attemptNumber,
          level: "info",
          source: "router",
          message,
        });
      }
      for (const attempt of job.attempts) {
        const file = this.engine.logFile(job.id, attempt.number);
        if (!existsSync(file)) continue;
        const lines = readFileSync(file, "utf8").split("\n");
        if (lines.at(-1) === "") lines.pop();
        for (const line of lines) {
          entries.push({
            ts: attempt.startedAt ?? job.createdAt,
            job_id: job.id,
            attempt: attempt.number,
            level: "info",
            source: "runner",
            message: line,
          });
        }
      }
    }
    const filtered = entries.filter(
      (entry) =>
        (since === undefined || (entry.ts as number) >= since) &&
        (until === undefined || (entry.ts as number) < until) &&
        (!level || entry.level === level),
    );
    filtered.sort((a, b) => (a.ts as number) - (b.ts as number));
    const page = filtered.slice(cursor.offset, cursor.offset + limit);
    const nextOffset = cursor.offset + limit;
    return jsonReply(200, {
      data: page,
      next_cursor: nextOffset < filtered.length ? encodeToken({ offset: nextOffset }) : null,
    });
  }
}

function stateOfStatus(status: Job["status"], job: Job): string {
  return stateOf({ ...job, status });
}
