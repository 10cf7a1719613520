import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
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
import { RequestError, isAuthorised, jsonReply, type ParsedRequest, type Reply } from "./http-kit.js";
import { JournalStore } from "./store.js";

export { parseExecutorConfig } from "./config.js";
export type { ExecutorConfig, SaladQueueConnection, WorkloadConfig } from "./config.js";

export const DEFAULT_STATE_DIR = path.join(".migrate", "executor");
export const DEFAULT_KILL_GRACE_MS = 30_000;
export const DEFAULT_LEASE_MS = 60_000;
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "::1", "localhost"]);

export interface ExecutorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** 127.0.0.1 unless given; any other address requires an explicit apiKey (option or MIGRATE_EXECUTOR_KEY). */
  host?: string;
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
  /** Working directory of jobs. Default: the executor's. */
  workDir?: string;
  /** Workloads (Common Compute) and queue connections (Salad). */
  config?: ExecutorConfig;
  maxBodyBytes?: number;
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

function readBody(request: http.IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    request.on("end", () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

/** Starts the local executor: the Common Compute, SaladCloud and AWS Batch APIs over one job model. */
export async function startExecutor(options: ExecutorOptions = {}): Promise<RunningExecutor> {
  const host = options.host ?? "127.0.0.1";
  const explicitKey = options.apiKey ?? process.env.MIGRATE_EXECUTOR_KEY;
  if (!LOOPBACK_HOSTS.has(host) && !explicitKey) {
    throw new TypeError(`binding ${host} exposes the executor beyond this machine: give it an API key`);
  }
  const apiKey = explicitKey || `cc_test_${randomBytes(24).toString("hex")}`;
  const stateDir = path.resolve(options.stateDir ?? DEFAULT_STATE_DIR);
  const store = await JournalStore.open(stateDir);
  const engine = await Engine.open(store, {
    stateDir,
    maxParallel: options.maxParallel ?? Math.max(2, availableParallelism()),
    killGraceMs: options.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
    leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
    workDir: path.resolve(options.workDir ?? process.cwd()),
    config: parseExecutorConfig(options.config),
    baseEnv: jobEnvironment(),
  });
  let publicUrl = "";
  const commonCompute = new CommonComputeFace(engine, () => publicUrl);
  const salad = new SaladFace(engine);
  const aws = new AwsBatchFace(engine, {
    region: options.region ?? "us-east-1",
    accountId: options.accountId ?? "000000000000",
    minAttemptDurationSeconds: options.minAttemptDurationSeconds ?? 60,
  });
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  function errorFor(pathname: string, error: RequestError): Reply {
    if (aws.matches(pathname)) return awsError(error);
    if (salad.matches(pathname)) return saladProblem(error);
    return commonComputeError(error);
  }

  async function route(request: ParsedRequest): Promise<Reply> {
    const { pathname } = request.url;
    if (commonCompute.isUpload(request)) return commonCompute.handle(request);
    if (!isAuthorised(request.headers, apiKey)) {
      return errorFor(pathname, new RequestError(401, "Unauthorized", "UnrecognizedClientException"));
    }
    if (aws.matches(pathname)) return aws.handle(request);
    if (commonCompute.matches(pathname)) return commonCompute.handle(request);
    if (salad.matches(pathname)) return salad.handle(request);
    if (pathname.startsWith("/executor/v1/")) return internalRoute(request);
    return errorFor(pathname, new RequestError(404, "Not found", "not_found"));
  }

  /** The executor's own endpoints: health, a job's raw record (with its state history), its logs. */
  function internalRoute(request: ParsedRequest): Reply {
    const parts = request.url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    if (request.method === "GET" && parts[2] === "health" && parts.length === 3) {
      return jsonReply(200, { ok: true, jobs: engine.jobs.size, running: engine.running });
    }
    const job = parts[2] === "jobs" ? engine.getJob(parts[3] ?? "") : undefined;
    if (request.method === "GET" && job && parts.length === 4) return jsonReply(200, job);
    if (request.method === "GET" && job && parts.length === 5 && parts[4] === "logs") {
      const attempt = Number(request.url.searchParams.get("attempt") ?? job.attempts.length);
      const file = engine.logFile(job.id, attempt);
      return {
        status: 200,
        headers: { "content-type": "text/plain; charset=utf-8" },
        body: existsSync(file) ? readFileSync(file) : "",
      };
    }
    return jsonReply(404, { error: "Not found" });
  }

  const server = http.createServer((incoming, outgoing) => {
    void (async () => {
      const url = new URL(incoming.url ?? "/", "http://executor.local");
      let reply: Reply;
      try {
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
        const message = error instanceof Error ? error.message : String(error);
        reply = errorFor(url.pathname, new RequestError(500, `internal error: ${message}`, "ServerException"));
      }
      outgoing.writeHead(reply.status, reply.headers);
      outgoing.end(reply.body ?? "");
    })();
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
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
