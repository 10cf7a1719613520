import { randomBytes } from "node:crypto";
import { createReadStream, statSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { availableParallelism } from "node:os";
import path from "node:path";
import { RESERVED_ENV_PREFIX } from "./batch-rules.js";
import { parseExecutorConfig, type ExecutorConfig } from "./config.js";
import { Engine } from "./engine.js";
import { AwsBatchFace, awsError } from "./faces/aws-batch.js";
import { CommonComputeFace, commonComputeError } from "./faces/common-compute.js";
import { SaladFace, saladProblem } from "./faces/salad.js";
import { RequestError, isAuthorised, jsonReply, pathSegments, type ParsedRequest, type Reply } from "./http-kit.js";
import { JournalStore, StorageError, isStorageFailure } from "./store.js";

export { parseExecutorConfig } from "./config.js";
export type { ExecutorConfig, SaladQueueConnection, WorkloadConfig } from "./config.js";

export const DEFAULT_STATE_DIR = path.join(".migrate", "executor");
export const DEFAULT_KILL_GRACE_MS = 30_000;
export const DEFAULT_LEASE_MS = 60_000;
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "::1", "localhost"]);
const EMPTY = Buffer.alloc(0);

/** 127.0.0.0/8, ::1 (also IPv4-mapped) and localhost: addresses no other machine can reach. */
export function isLoopback(host: string): boolean {
  const address = host.replace(/^\[|\]$/g, "").replace(/^::ffff:/i, "");
  return address === "localhost" || address === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address);
}

export interface ExecutorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /**
   * 127.0.0.1 unless given; any other address requires an explicit apiKey (option or MIGRATE_EXECUTOR_KEY), and
   * an address beyond loopback also `allowRemote`: anyone with the key runs commands as the executor's user.
   */
  host?: string;
  /** Permits a non-loopback host. The executor is a local test tool with no command allowlist. */
  allowRemote?: boolean;
  /** Where jobs, queues and logs are kept. Default `.migrate/executor` under the working directory. */
  stateDir?: string;
  /** Else MIGRATE_EXECUTOR_KEY, else a generated `cc_test_…` key (returned). */
  apiKey?: string;
  /** Attempts running at once, across all faces. Default: the number of CPUs, at least 2. */
  maxParallel?: number;
  /** Between SIGTERM and SIGKILL when a job times out, is terminated or the executor shuts down. */
  killGraceMs?: number;
  /** Common Compute lease length; the local runner heartbeats while its process lives. */
  leaseMs?: number;
  /** AWS requires timeout.attemptDurationSeconds ≥ 60; tests may lower this floor. */
  minAttemptDurationSeconds?: number;
  /** How long CREATING / UPDATING / DELETING stay visible on compute environments and queues (default 0). */
  adminSettleMs?: number;
  /** Working directory of jobs. Default: the executor's. */
  workDir?: string;
  /** Workloads (Common Compute) and queue connections (Salad). */
  config?: ExecutorConfig;
  maxBodyBytes?: number;
  /** Log bytes kept on disk per attempt (the newest half always); default 64 MB. */
  maxLogBytes?: number;
  /** Longest wait of a Common Compute workload endpoint before its 202 (default: the real endpoint's, 30–300 s). */
  commonComputeSyncWaitMs?: number;
  /** For ARNs on the AWS face. */
  region?: string;
  accountId?: string;
}

export interface RunningExecutor {
  url: string;
  host: string;
  port: number;
  apiKey: string;
  stateDir: string;
  /** Stops accepting requests, stops running jobs (SIGTERM, then SIGKILL) and flushes state. */
  close(): Promise<void>;
}

function jobEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value === undefined || name === "MIGRATE_EXECUTOR_KEY" || name.startsWith(RESERVED_ENV_PREFIX)) continue;
    env[name] = value;
  }
  return env;
}

/** The body, or undefined as soon as it is known to exceed `limit` (from Content-Length or while reading). */
function readBody(request: http.IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = Number(request.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        // Stop buffering at once; the connection is closed after the 413, so the rest is never read.
        request.off("data", onData);
        request.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    request.on("data", onData);
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

const READ_ONLY_AWS_OPERATION = /^\/v1\/(?:describe|list)[a-z]*$/;

/** Requests that change state; they are refused up front while the state directory refuses writes. */
function changesState(method: string, pathname: string): boolean {
  if (method === "GET" || method === "HEAD") return false;
  return !READ_ONLY_AWS_OPERATION.test(pathname);
}

function errorStatusOf(error: unknown): RequestError {
  if (isStorageFailure(error)) {
    const storage = error instanceof StorageError ? error : undefined;
    const message = storage?.message ?? `the executor could not write its state: ${String(error)}`;
    return new RequestError(storage?.outOfSpace ? 507 : 503, message, "storage_unavailable");
  }
  const message = error instanceof Error ? error.message : String(error);
  return new RequestError(500, `internal error: ${message}`, "ServerException");
}

/** Starts the local executor: the Common Compute, SaladCloud and AWS Batch APIs over one job model. */
function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Writes a reply; files are streamed one after the other, so a large log never sits in memory. */
function sendReply(outgoing: http.ServerResponse, reply: Reply): void {
  outgoing.writeHead(reply.status, reply.headers);
  const files = [...(reply.files ?? [])];
  if (files.length === 0) {
    outgoing.end(reply.body ?? "");
    return;
  }
  const next = (): void => {
    const file = files.shift();
    if (file === undefined) {
      outgoing.end();
      return;
    }
    const stream = createReadStream(file);
    stream.on("error", () => outgoing.destroy());
    stream.on("end", next);
    stream.pipe(outgoing, { end: false });
  };
  next();
}

export async function startExecutor(options: ExecutorOptions = {}): Promise<RunningExecutor> {
  const host = options.host ?? "127.0.0.1";
  const explicitKey = options.apiKey ?? process.env.MIGRATE_EXECUTOR_KEY;
  if (!LOOPBACK_HOSTS.has(host) && !explicitKey) {
    throw new TypeError(`binding ${host} exposes the executor beyond this machine: give it an API key`);
  }
  if (!isLoopback(host) && !options.allowRemote) {
    throw new TypeError(
      `binding ${host} lets other machines run commands as this user (the executor has no command allowlist): pass --allow-remote (allowRemote) only on a network you trust`,
    );
  }
  const apiKey = explicitKey || `cc_test_${randomBytes(24).toString("hex")}`;
  const stateDir = path.resolve(options.stateDir ?? DEFAULT_STATE_DIR);
  let store: JournalStore;
  try {
    store = await JournalStore.open(stateDir);
  } catch (error) {
    if (!(error instanceof StorageError)) throw error;
    throw new StorageError(stateDir, error.cause, `the executor cannot start: its state directory ${stateDir} `);
  }
  const engine = await Engine.open(store, {
    stateDir,
    maxParallel: options.maxParallel ?? Math.max(2, availableParallelism()),
    killGraceMs: options.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
    leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
    workDir: path.resolve(options.workDir ?? process.cwd()),
    config: parseExecutorConfig(options.config),
    baseEnv: jobEnvironment(),
    maxLogBytes: options.maxLogBytes,
  });
  let publicUrl = "";
  const executorConfig = parseExecutorConfig(options.config);
  const commonCompute = new CommonComputeFace(engine, () => publicUrl, {
    extensions: executorConfig.commonComputeExtensions ?? false,
    maxSyncWaitMs: options.commonComputeSyncWaitMs,
  });
  const salad = new SaladFace(engine);
  const aws = new AwsBatchFace(engine, {
    region: options.region ?? "us-east-1",
    accountId: options.accountId ?? "000000000000",
    minAttemptDurationSeconds: options.minAttemptDurationSeconds ?? 60,
    adminSettleMs: options.adminSettleMs ?? 0,
  });
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  function errorFor(pathname: string, error: RequestError): Reply {
    if (aws.matches(pathname)) return awsError(error);
    if (salad.matches(pathname)) return saladProblem(error);
    return commonComputeError(error, commonCompute.extensions);
  }

  /** Whether a request may send its body: uploads carry their own token in the URL, the rest need the key. */
  function mayProceed(request: Omit<ParsedRequest, "body">): boolean {
    return commonCompute.isUpload({ ...request, body: EMPTY }) || isAuthorised(request.headers, apiKey);
  }

  async function route(request: ParsedRequest): Promise<Reply> {
    const { pathname } = request.url;
    if (commonCompute.isUpload(request)) return commonCompute.handle(request);
    if (!isAuthorised(request.headers, apiKey)) {
      return errorFor(pathname, new RequestError(401, "Unauthorized", "UnrecognizedClientException"));
    }
    const storageFailure = store.lastFailure;
    if (storageFailure && changesState(request.method, pathname))
      return errorFor(pathname, errorStatusOf(storageFailure));
    if (aws.matches(pathname)) return aws.handle(request);
    if (commonCompute.matches(pathname)) return commonCompute.handle(request);
    if (salad.matches(pathname)) return salad.handle(request);
    if (pathname.startsWith("/executor/v1/")) return internalRoute(request);
    return errorFor(pathname, new RequestError(404, "Not found", "not_found"));
  }

  /** The executor's own endpoints: health, a job's raw record (with its state history), its logs. */
  function internalRoute(request: ParsedRequest): Reply {
    const parts = pathSegments(request.url);
    if (request.method === "GET" && parts[2] === "health" && parts.length === 3) {
      const failure = store.lastFailure;
      const recovery = store.recovery;
      return jsonReply(failure ? 503 : 200, {
        ok: !failure,
        jobs: engine.jobs.size,
        running: engine.running,
        ...(failure ? { storage: failure.message } : {}),
        ...(recovery
          ? {
              recovery: {
                ...recovery,
                message: `${recovery.skippedRecords} stored record(s) could not be read at start-up and were left out; the files as they were are kept`,
              },
            }
          : {}),
      });
    }
    const job = parts[2] === "jobs" ? engine.getJob(parts[3] ?? "") : undefined;
    if (request.method === "GET" && job && parts.length === 4) return jsonReply(200, job);
    if (request.method === "GET" && job && parts.length === 5 && parts[4] === "logs") {
      const requested = request.url.searchParams.get("attempt");
      const attempt = requested === null ? job.attempts.length : Number(requested);
      if (requested !== null && !(/^[0-9]+$/.test(requested) && attempt >= 1 && attempt <= job.attempts.length)) {
        return jsonReply(404, { error: `attempt must be a number from 1 to ${job.attempts.length}` });
      }
      const file = engine.logFile(job.id, attempt);
      // The rotated segment first: the log reads in order, at most maxLogBytes of it.
      const files = [`${file}.1`, file].filter((candidate) => isFile(candidate));
      return { status: 200, headers: { "content-type": "text/plain; charset=utf-8" }, files };
    }
    return jsonReply(404, { error: "Not found" });
  }

  const server = http.createServer((incoming, outgoing) => {
    void (async () => {
      const url = new URL(incoming.url ?? "/", "http://executor.local");
      let reply: Reply;
      try {
        const head = { method: incoming.method ?? "GET", url, headers: incoming.headers };
        // The key is checked before a byte of the body is read: no one without it makes the executor buffer.
        if (!mayProceed(head)) {
          outgoing.setHeader("connection", "close");
          sendReply(outgoing, await route({ ...head, body: EMPTY }));
          incoming.resume();
          return;
        }
        const body = await readBody(incoming, maxBodyBytes);
        if (body === undefined) {
          reply = errorFor(
            url.pathname,
            new RequestError(413, `the request body is larger than ${maxBodyBytes} bytes`, "payload_too_large"),
          );
          outgoing.setHeader("connection", "close");
        } else {
          reply = await route({ method: incoming.method ?? "GET", url, headers: incoming.headers, body });
        }
      } catch (error) {
        reply = errorFor(url.pathname, error instanceof RequestError ? error : errorStatusOf(error));
      }
      sendReply(outgoing, reply);
    })();
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    // Room for a burst of connections beyond Node's default backlog of 511 (the kernel caps it at somaxconn).
    server.listen({ port: options.port ?? 0, host, backlog: 4096 }, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  publicUrl = `http://${urlHost}:${address.port}`;

  let closing: Promise<void> | undefined;
  return {
    url: publicUrl,
    host: address.address,
    port: address.port,
    apiKey,
    stateDir,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await engine.close();
        server.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}
