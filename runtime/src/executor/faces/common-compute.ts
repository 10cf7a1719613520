// The Common Compute jobs API (reference/targets.md A.2 real parts, A.4 assumed [ext] parts) over the job model.
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

export function commonComputeError(error: RequestError): Reply {
  return jsonReply(error.status, { error: error.message, code: error.code ?? "error" });
}

export function stateOf(job: Job): CommonComputeState {
  switch (job.status) {
    case "SUBMITTED":
    case "PENDING":
    case "RUNNABLE":
      return "queued";
    case "STARTING":
    case "RUNNING":
      return "leased";
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

export function renderCommonComputeJob(job: Job, publicUrl: string): Record<string, unknown> {
  const cc = job.cc;
  const state = stateOf(job);
  const uploadUrl = cc?.uploadToken
    ? `${publicUrl}/v1/uploads/${encodeURIComponent(job.id)}?token=${cc.uploadToken}`
    : null;
  return {
    id: job.id,
    job_id: job.id,
    name: job.name,
    type: cc?.workload,
    workload: cc?.workload,
    model_id: cc?.modelId ?? null,
    state,
    priority: cc?.priority,
    attempts: job.attempts.length,
    max_attempts: cc?.maxAttempts,
    input_uri: cc?.inputUri ?? null,
    result_uri: state === "completed" && cc?.resultFile ? pathToFileURL(cc.resultFile).href : null,
    parent_job_id: null,
    progress: null,
    created_at: job.createdAt,
    started_at: job.attempts[0]?.startedAt ?? null,
    completed_at:
      state === "completed" || state === "failed" || state === "dead_letter" ? (job.stoppedAt ?? null) : null,
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

export class CommonComputeFace {
  constructor(
    private readonly engine: Engine,
    private readonly publicUrl: () => string,
  ) {}

  /** Upload URLs carry their own token (like a presigned URL), so they skip the API key. */
  isUpload(request: ParsedRequest): boolean {
    return request.method === "PUT" && /^\/v1\/uploads\/[^/]+$/.test(request.url.pathname);
  }

  matches(pathname: string): boolean {
    return (
      pathname === "/v1/jobs" ||
      pathname.startsWith("/v1/jobs/") ||
      pathname.startsWith("/v1/me/") ||
      pathname.startsWith("/v1/uploads/")
    );
  }

  async handle(request: ParsedRequest): Promise<Reply> {
    try {
      return await this.route(request);
    } catch (error) {
      if (error instanceof RequestError) return commonComputeError(error);
      throw error;
    }
  }

  private async route(request: ParsedRequest): Promise<Reply> {
    const { method } = request;
    const parts = pathSegments(request.url);
    if (parts[1] === "jobs" && parts.length === 2) {
      if (method === "POST") return this.submit(request);
      if (method === "GET") return this.list(request);
    }
    if (parts[1] === "jobs" && parts.length === 3 && method === "GET") return this.get(parts[2] ?? "");
    if (parts[1] === "jobs" && parts.length === 4 && parts[3] === "cancel" && method === "POST") {
      return this.cancel(parts[2] ?? "", request);
    }
    if (parts[1] === "jobs" && parts.length === 4 && parts[3] === "result" && method === "GET")
      return this.result(parts[2] ?? "");
    if (parts[1] === "me" && parts[2] === "logs" && parts.length === 3 && method === "GET") return this.logs(request);
    if (parts[1] === "uploads" && parts.length === 3 && method === "PUT") return this.upload(parts[2] ?? "", request);
    throw new RequestError(404, "Not found", "not_found");
  }

  private findJob(id: string): Job {
    const job = this.engine.getJob(id);
    if (!job || job.face !== "cc") throw new RequestError(404, "Job not found", "not_found");
    return job;
  }

  private async submit(request: ParsedRequest): Promise<Reply> {
    const idempotencyKey = request.headers["idempotency-key"];
    const key = Array.isArray(idempotencyKey) ? idempotencyKey[0] : idempotencyKey;
    if (key) {
      const existing = this.engine.idempotencyKeys.get(key);
      if (existing) {
        const job = this.engine.getJobOrThrow(existing);
        // The first request may still be writing it; answer only once it is durable.
        await this.engine.store.flush();
        return jsonReply(200, renderCommonComputeJob(job, this.publicUrl()));
      }
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
    const id = randomUUID();
    const now = Date.now();
    const awaitingUpload = !hasInput && !inputUri;
    const job: Job = {
      id,
      seq: this.engine.newSeq(),
      face: "cc",
      name: optionalString(body, "name", 256) ?? id,
      status: "SUBMITTED",
      createdAt: now,
      attempts: [],
      retryStrategy: { attempts: maxAttempts },
      retryAfterTimeout: true,
      timeoutSeconds,
      dependsOn: [],
      waitFor: [],
      lane: `cc:${priority}:${workload}`,
      rank: PRIORITY_TIERS.indexOf(priority),
      run: { kind: "workload", workload },
      transitions: [{ status: "SUBMITTED", at: now }],
      cc: {
        workload,
        modelId: optionalString(body, "model_id", 256),
        priority,
        maxAttempts,
        input: hasInput ? body.input : undefined,
        inputUri,
        inputFilename: optionalString(body, "input_filename", 1024),
        metadata: optionalObject(body, "metadata"),
        webhook: optionalString(body, "webhook", 2048),
        maxSpendUsd: typeof maxSpend === "number" ? maxSpend : undefined,
        idempotencyKey: key,
        uploadToken: awaitingUpload ? randomBytes(24).toString("hex") : undefined,
        uploadExpiresAt: awaitingUpload ? now + UPLOAD_TTL_MS : undefined,
      },
    };
    const durable = this.engine.submit(job);
    const reply = jsonReply(201, renderCommonComputeJob(job, this.publicUrl()));
    await durable;
    return reply;
  }

  private get(id: string): Reply {
    return jsonReply(200, renderCommonComputeJob(this.findJob(id), this.publicUrl()));
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
      data: page.map((job) => renderCommonComputeJob(job, this.publicUrl())),
      next_cursor: nextCursor,
    });
  }

  private async cancel(id: string, request: ParsedRequest): Promise<Reply> {
    const job = this.findJob(id);
    const state = stateOf(job);
    if (state !== "queued" && state !== "leased") {
      throw new RequestError(404, "Job not found or already terminal", "not_found");
    }
    const body = request.body.length > 0 ? readJsonObject(request) : {};
    const reason = optionalString(body, "reason", 1024) ?? "Cancelled by user";
    // Common Compute fails a leased job too; in the job model that is TerminateJob.
    this.engine.terminate(job.id, reason);
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
