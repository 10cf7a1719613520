import { setTimeout as sleep } from "node:timers/promises";

/**
 * How a client retries, with exponential backoff and full jitter. A repeatable request (GET, PUT, DELETE, or one
 * with an Idempotency-Key) is retried after 429, 5xx and connection errors; any other request (a POST creates a job,
 * and neither SaladCloud nor Common Compute's job lookups deduplicate it) only after answers that prove it was not
 * applied: 429, or a connection the server refused.
 */
export interface RetryPolicy {
  /** Retries after the first try (so `maxRetries: 3` means at most 4 requests). */
  maxRetries: number;
  /** Delay before the first retry, before jitter. */
  baseDelayMs: number;
  /** Upper bound for one delay, including a server's Retry-After. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 3, baseDelayMs: 200, maxDelayMs: 5_000 };
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Options shared by the Common Compute and SaladCloud clients. */
export interface HttpClientOptions {
  /** Per-request timeout; a timed-out request is retried only when repeating it is safe. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** A fetch implementation; defaults to the global one (Node 20+). */
  fetch?: typeof fetch;
}

export interface HttpRequest {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  query?: Record<string, string | number | boolean | undefined | null>;
  json?: unknown;
  /** The media type of `json`; defaults to application/json (SaladCloud's PATCH takes application/merge-patch+json). */
  contentType?: string;
  headers?: Record<string, string>;
  /** Statuses other than 2xx that are answers rather than errors (Common Compute's 202 "result not ready"). */
  acceptStatuses?: readonly number[];
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  body: Uint8Array;
  text(): string;
  json<T = unknown>(): T;
}

/** A request that got an error status; `serverMessage` is what the server said, in whatever format it uses. */
export class HttpError extends Error {
  override readonly name: string = "HttpError";
  constructor(
    readonly status: number,
    readonly serverMessage: string,
    readonly method: string,
    readonly url: string,
    readonly body: unknown,
    /** The machine-readable code when the server gave one (`code`, `__type`, ProblemDetails `type`). */
    readonly code?: string,
  ) {
    super(`${method} ${url} failed with HTTP ${status}: ${serverMessage}`);
  }
}

/** The request never got an HTTP answer (refused, reset, timed out), after all retries. */
export class ConnectionError extends Error {
  override readonly name = "ConnectionError";
  constructor(
    readonly method: string,
    readonly url: string,
    override readonly cause: unknown,
  ) {
    super(`${method} ${url} failed: ${describeCause(cause)}`);
  }
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = (cause as { cause?: unknown }).cause;
    return inner instanceof Error ? `${cause.message} (${inner.message})` : cause.message;
  }
  return String(cause);
}

const IDEMPOTENT_METHODS = new Set(["GET", "PUT", "DELETE"]);

/** fetch reports a refused connection as a TypeError whose cause carries the errno code. */
function isRefused(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  return cause?.code === "ECONNREFUSED";
}

function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Reads the human message out of the error bodies of all three APIs this package speaks. */
export function extractServerMessage(body: unknown, fallback: string): { message: string; code?: string } {
  if (body && typeof body === "object") {
    const record = body as Record<string, unknown>;
    const message =
      (typeof record.detail === "string" && record.detail) ||
      (typeof record.error === "string" && record.error) ||
      (typeof record.message === "string" && record.message) ||
      (typeof record.title === "string" && record.title) ||
      fallback;
    const code =
      (typeof record.code === "string" && record.code) ||
      (typeof record.__type === "string" && record.__type) ||
      (typeof record.type === "string" && record.type) ||
      undefined;
    return code === undefined ? { message } : { message, code };
  }
  if (typeof body === "string" && body.trim() !== "") return { message: body.trim().slice(0, 500) };
  return { message: fallback };
}

function parseRetryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** A small JSON-over-HTTP client: base URL, fixed headers, timeouts, bounded retries, typed errors. */
export class HttpClient {
  readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly fetchImpl: typeof fetch;

  constructor(
    baseUrl: string,
    private readonly defaultHeaders: Record<string, string>,
    options: HttpClientOptions = {},
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.fetchImpl = options.fetch ?? globalThis.fetch;
  }

  urlFor(path: string, query?: HttpRequest["query"]): string {
    const url = new URL(this.baseUrl + path);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null) url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  async request(request: HttpRequest): Promise<HttpResponse> {
    const url = this.urlFor(request.path, request.query);
    const headers: Record<string, string> = { accept: "application/json", ...this.defaultHeaders, ...request.headers };
    let body: string | undefined;
    if (request.json !== undefined) {
      body = JSON.stringify(request.json);
      headers["content-type"] = request.contentType ?? "application/json";
    }
    const repeatable =
      IDEMPOTENT_METHODS.has(request.method) ||
      Object.keys(headers).some((name) => name.toLowerCase() === "idempotency-key");

    for (let attempt = 0; ; attempt++) {
      const canRetry = attempt < this.retry.maxRetries;
      let response: Response;
      try {
        response = await this.fetchImpl(url, {
          method: request.method,
          headers,
          body,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (error) {
        // A POST that timed out or lost its connection may have been applied; repeat it only when the server can
        // deduplicate it, or when the connection was refused before anything was sent.
        if (canRetry && (repeatable || isRefused(error))) {
          await sleep(this.backoffMs(attempt));
          continue;
        }
        throw new ConnectionError(request.method, url, error);
      }
      const bytes = new Uint8Array(await response.arrayBuffer());
      const ok = response.ok || (request.acceptStatuses?.includes(response.status) ?? false);
      if (ok) return makeResponse(response.status, response.headers, bytes);
      if (canRetry && (repeatable ? isRetryableStatus(response.status) : response.status === 429)) {
        await sleep(this.backoffMs(attempt, parseRetryAfterMs(response.headers.get("retry-after"))));
        continue;
      }
      const parsed = makeResponse(response.status, response.headers, bytes);
      let errorBody: unknown;
      try {
        errorBody = parsed.json();
      } catch {
        errorBody = parsed.text();
      }
      const { message, code } = extractServerMessage(errorBody, response.statusText || `HTTP ${response.status}`);
      throw new HttpError(response.status, message, request.method, url, errorBody, code);
    }
  }

  private backoffMs(attempt: number, retryAfterMs?: number): number {
    const exponential = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** attempt);
    const jittered = Math.random() * exponential;
    return Math.min(this.retry.maxDelayMs, Math.max(jittered, retryAfterMs ?? 0));
  }
}

function makeResponse(status: number, headers: Headers, body: Uint8Array): HttpResponse {
  const decode = (): string => new TextDecoder().decode(body);
  return {
    status,
    headers,
    body,
    text: decode,
    json<T>(): T {
      const text = decode();
      return (text === "" ? undefined : JSON.parse(text)) as T;
    },
  };
}
