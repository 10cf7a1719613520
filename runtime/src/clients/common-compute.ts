// Common Compute jobs API. Facts: reference/targets.md A.2 (real) and A.4 (our proposal, marked [ext]).
//
// Real, verified from the vendor's backend source, used exactly:
//   Authorization: Bearer cc_(live|test)_…, the Idempotency-Key header, GET /v1/jobs/{id},
//   POST /v1/jobs/{id}/cancel → {"ok":true} (queued|leased only; the job becomes "failed"),
//   GET /v1/jobs/{id}/result (202 until completed), errors as {"error": "<message>"}.
//   Jobs are created by the workload endpoints (POST /v1/embeddings, /v1/audio/transcriptions, /v1/video/transcode,
//   /v1/images/*, /v1/chat/*): `workloads.create`.
// Assumed ([ext]: the real backend does not route them; the local executor serves them only with --cc-extensions):
//   POST /v1/jobs (generic submit), GET /v1/jobs (list with data/next_cursor), GET /v1/me/logs (the path is on the
//   docs page only), a {"reason"} body on cancel, upload URLs, and the job fields name, workload, model_id,
//   max_attempts, started_at, stopped_at, error, metadata, lease_expires_at.
import { randomUUID } from "node:crypto";
import { HttpClient, HttpError, type HttpClientOptions } from "./http.js";

export { HttpError, ConnectionError } from "./http.js";

export const DEFAULT_COMMON_COMPUTE_BASE_URL = "https://api.commoncompute.ai";

export type CommonComputeJobState = "queued" | "leased" | "completed" | "failed" | "dead_letter";
export type CommonComputePriority = "batch" | "standard" | "priority";
export const TERMINAL_COMMON_COMPUTE_STATES: readonly CommonComputeJobState[] = ["completed", "failed", "dead_letter"];

/** A job as GET /v1/jobs/{id} returns it: exactly the real row, then the assumed [ext] fields (optional). */
export interface CommonComputeJob {
  id: string;
  /** The real task type column (`coreml_embed`, `whisper_ane`, …). */
  type: string;
  state: CommonComputeJobState;
  priority: CommonComputePriority;
  /** Leases so far: a job that ran once has `attempts: 1`. */
  attempts: number;
  input_uri: string | null;
  result_uri: string | null;
  parent_job_id: string | null;
  customer_id: string;
  /** Epoch milliseconds. */
  created_at: number;
  /** Set only on completion (not when the job failed). */
  completed_at: number | null;
  /** Completed ÷ total sub-tasks of a sharded parent job, else null. */
  progress: number | null;
  /** Alias of `id` (the vendor SDK exposes `job_id`). [ext] */
  job_id?: string;
  /** Alias of `type` in the submit request. [ext] */
  workload?: string;
  /** [ext]; the real column exists with default 3 but is not returned. */
  max_attempts?: number;
  /** Epoch ms of the first lease. [ext] */
  started_at?: number | null;
  /** Epoch ms the job failed, was cancelled or completed. [ext] */
  stopped_at?: number | null;
  name?: string | null;
  model_id?: string | null;
  /** Why a failed or dead-lettered job stopped. [ext] */
  error?: { code: string; message: string } | null;
  metadata?: Record<string, unknown>;
  /** Epoch ms when the current lease runs out (only while leased). [ext] */
  lease_expires_at?: number | null;
  upload_url?: string | null;
  upload_expires_at?: number | null;
  locked_price_usd?: number | null;
  eta_seconds?: number | null;
}

/** The real workload endpoints; each creates a job of one task type. */
export type WorkloadEndpoint =
  | "/v1/embeddings"
  | "/v1/audio/transcriptions"
  | "/v1/video/transcode"
  | `/v1/images/${string}`
  | `/v1/chat/${string}`;

/** A workload endpoint's answer: the result when it finished within the endpoint's wait, else the job id. */
export type WorkloadAnswer =
  | { done: true; status: number; contentType: string; body: Uint8Array; json<T = unknown>(): T }
  | { done: false; id: string; status: "processing"; count?: number };

/** The body of POST /v1/jobs. Assumed shape (targets.md A.4). */
export interface SubmitJobRequest {
  workload: string;
  model_id?: string;
  input?: unknown;
  input_uri?: string;
  input_filename?: string;
  /** Defaults to "batch" on the server. */
  priority?: CommonComputePriority;
  /** 1–10, default 3; after that many failed leases the job is dead-lettered. */
  max_attempts?: number;
  max_spend_usd?: number;
  timeout_seconds?: number;
  name?: string;
  metadata?: Record<string, unknown>;
  webhook?: string;
}

export interface ListJobsQuery {
  state?: CommonComputeJobState;
  workload?: string;
  priority?: CommonComputePriority;
  created_after?: number;
  created_before?: number;
  limit?: number;
  cursor?: string;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/** One line of GET /v1/me/logs. Assumed shape. */
export interface LogEntry {
  ts: number;
  job_id: string;
  attempt: number;
  level: string;
  source: string;
  message: string;
}

export interface LogQuery {
  job_id?: string;
  since?: number;
  until?: number;
  level?: string;
  limit?: number;
  cursor?: string;
}

export interface JobResult {
  contentType: string;
  body: Uint8Array;
  text(): string;
  json<T = unknown>(): T;
}

/** GET /v1/jobs/{id}/result answered 202: the job is not completed (yet). */
export class ResultNotReadyError extends HttpError {
  override readonly name = "ResultNotReadyError";
  constructor(
    readonly state: CommonComputeJobState | undefined,
    method: string,
    url: string,
    body: unknown,
  ) {
    super(202, "Result not ready", method, url, body);
  }
}

export interface CommonComputeClientOptions extends HttpClientOptions {
  /** Defaults to CC_BASE_URL, then https://api.commoncompute.ai; a trailing /v1 is accepted. */
  baseUrl?: string;
  /** Defaults to CC_API_KEY. */
  apiKey?: string;
}

function apiRoot(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, "").replace(/\/v1$/, "");
}

const segment = encodeURIComponent;

function withJobIdAlias(job: CommonComputeJob): CommonComputeJob {
  return job.job_id === undefined ? { ...job, job_id: job.id } : job;
}

export class WorkloadsApi {
  constructor(private readonly http: HttpClient) {}

  /**
   * POST to a workload endpoint with a JSON body. Always sends an Idempotency-Key (a fresh UUID unless given):
   * the workload endpoints honour it, so a retry cannot create a second job. Follow a `done: false` answer with
   * `jobs.wait(id)` and `jobs.result(id)`.
   */
  async create(
    endpoint: WorkloadEndpoint,
    body: Record<string, unknown>,
    options: { idempotencyKey?: string } = {},
  ): Promise<WorkloadAnswer> {
    const response = await this.http.request({
      method: "POST",
      path: endpoint,
      json: body,
      headers: { "Idempotency-Key": options.idempotencyKey ?? randomUUID() },
    });
    if (response.status === 202) {
      const processing = response.json<{ id: string; status: "processing"; count?: number }>();
      return { done: false, ...processing };
    }
    return {
      done: true,
      status: response.status,
      contentType: response.headers.get("content-type") ?? "application/octet-stream",
      body: response.body,
      json: <T>() => response.json<T>(),
    };
  }
}

export class JobsApi {
  constructor(private readonly http: HttpClient) {}

  /**
   * POST /v1/jobs (assumed). Always sends an Idempotency-Key (a fresh UUID unless given), so the
   * client's own retries can never create a second job.
   */
  async submit(request: SubmitJobRequest, options: { idempotencyKey?: string } = {}): Promise<CommonComputeJob> {
    if (!request.workload) throw new TypeError("workload is required");
    const response = await this.http.request({
      method: "POST",
      path: "/v1/jobs",
      json: request,
      headers: { "Idempotency-Key": options.idempotencyKey ?? randomUUID() },
    });
    return withJobIdAlias(response.json<CommonComputeJob>());
  }

  /** GET /v1/jobs/{id} (real). */
  async get(jobId: string): Promise<CommonComputeJob> {
    const response = await this.http.request({ method: "GET", path: `/v1/jobs/${segment(jobId)}` });
    return withJobIdAlias(response.json<CommonComputeJob>());
  }

  /** One page of GET /v1/jobs (assumed). */
  async list(query: ListJobsQuery = {}): Promise<Page<CommonComputeJob>> {
    const response = await this.http.request({ method: "GET", path: "/v1/jobs", query: { ...query } });
    const page = response.json<Partial<Page<CommonComputeJob>>>() ?? {};
    return { data: (page.data ?? []).map(withJobIdAlias), next_cursor: page.next_cursor ?? null };
  }

  /** Every job matching the filters, following next_cursor. */
  async *iterate(query: Omit<ListJobsQuery, "cursor"> = {}): AsyncGenerator<CommonComputeJob> {
    let cursor: string | undefined;
    do {
      const page = await this.list({ ...query, cursor });
      yield* page.data;
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
  }

  /** POST /v1/jobs/{id}/cancel (real; the reason body is assumed). 404 once the job is terminal. */
  async cancel(jobId: string, reason?: string): Promise<{ ok: boolean }> {
    const response = await this.http.request({
      method: "POST",
      path: `/v1/jobs/${segment(jobId)}/cancel`,
      json: reason === undefined ? undefined : { reason },
    });
    return response.json<{ ok: boolean }>() ?? { ok: true };
  }

  /** GET /v1/jobs/{id}/result (real). Throws ResultNotReadyError while the job is not completed. */
  async result(jobId: string): Promise<JobResult> {
    const path = `/v1/jobs/${segment(jobId)}/result`;
    const response = await this.http.request({ method: "GET", path, acceptStatuses: [202] });
    if (response.status === 202) {
      let body: unknown;
      try {
        body = response.json();
      } catch {
        body = response.text();
      }
      const state = (body as { state?: CommonComputeJobState } | undefined)?.state;
      throw new ResultNotReadyError(state, "GET", this.http.urlFor(path), body);
    }
    return {
      contentType: response.headers.get("content-type") ?? "application/octet-stream",
      body: response.body,
      text: () => response.text(),
      json: <T>() => response.json<T>(),
    };
  }

  /** Polls get() until the job is completed, failed or dead_letter. */
  async wait(jobId: string, options: { timeoutMs?: number; pollIntervalMs?: number } = {}): Promise<CommonComputeJob> {
    const deadline = Date.now() + (options.timeoutMs ?? 600_000);
    for (;;) {
      const job = await this.get(jobId);
      if (TERMINAL_COMMON_COMPUTE_STATES.includes(job.state)) return job;
      if (Date.now() >= deadline) throw new Error(`job ${jobId} is still ${job.state} after ${options.timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, options.pollIntervalMs ?? 1_000));
    }
  }

  /** This job's log lines (GET /v1/me/logs?job_id=…; the shape is assumed). */
  logs(jobId: string, query: Omit<LogQuery, "job_id"> = {}): Promise<Page<LogEntry>> {
    return new LogsApi(this.http).list({ ...query, job_id: jobId });
  }
}

export class LogsApi {
  constructor(private readonly http: HttpClient) {}

  /** GET /v1/me/logs: the path is documented by Common Compute, the response shape is assumed. */
  async list(query: LogQuery = {}): Promise<Page<LogEntry>> {
    const response = await this.http.request({ method: "GET", path: "/v1/me/logs", query: { ...query } });
    const page = response.json<Partial<Page<LogEntry>>>() ?? {};
    return { data: page.data ?? [], next_cursor: page.next_cursor ?? null };
  }
}

/** `new CommonComputeClient().jobs.submit({ workload: "coreml_embed", input })`. */
export class CommonComputeClient {
  readonly baseUrl: string;
  readonly jobs: JobsApi;
  /** [ext]: GET /v1/me/logs is on the docs page only. */
  readonly logs: LogsApi;
  readonly workloads: WorkloadsApi;

  constructor(options: CommonComputeClientOptions = {}) {
    const apiKey = options.apiKey ?? process.env.CC_API_KEY;
    if (!apiKey) throw new TypeError("Common Compute needs an API key: pass apiKey or set CC_API_KEY");
    this.baseUrl = apiRoot(options.baseUrl ?? process.env.CC_BASE_URL ?? DEFAULT_COMMON_COMPUTE_BASE_URL);
    const http = new HttpClient(this.baseUrl, { authorization: `Bearer ${apiKey}` }, options);
    this.jobs = new JobsApi(http);
    this.logs = new LogsApi(http);
    this.workloads = new WorkloadsApi(http);
  }
}
