// Runs an AWS Batch container's command under SaladCloud's queue worker (reference/targets.md B.5, E.5): the
// worker POSTs each job's input here; 200 completes the job with our JSON as its output, 500 rejects it so the
// queue retries it (4 attempts in all). A failure AWS would not retry (the input's maxAttempts reached, or a
// timeout) is answered 200 with `lastAttempt: true`, which the shim reads as FAILED.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { constants as osConstants, tmpdir } from "node:os";
import path from "node:path";
import { JobInputError, prepareRun, type PreparedRun, type WrappedCommand } from "./job-input.js";

/** The worker rejects outputs over 10 MB; stay under it with room for the tails. */
export const MAX_OUTPUT_FILE_BYTES = 8 * 1024 * 1024;
export const DEFAULT_TAIL_BYTES = 4096;
export const DEFAULT_MAX_INPUT_BYTES = 16 * 1024 * 1024;
export const OUTPUT_PATH_VARIABLE = "BATCH_MIGRATE_OUTPUT_PATH";
/** Salad's queue worker sends one job at a time; more at once is not the worker. */
export const DEFAULT_MAX_CONCURRENT = 1;

export interface WrapperOptions extends WrappedCommand {
  port: number;
  /** 127.0.0.1 by default: the queue worker runs in the same container and POSTs to localhost. */
  host?: string;
  /** Runs at once; a job past the cap answers 503 (the queue retries it). 1 by default, as the worker sends. */
  maxConcurrent?: number;
  /** Where the queue worker POSTs jobs (`queue_connection.path`). */
  path: string;
  healthPath?: string;
  /** Stop the command after this long (SIGTERM, then SIGKILL after killGraceMs); the attempt is final (200, lastAttempt). */
  timeoutSeconds?: number;
  killGraceMs?: number;
  /** A fixed file the command writes its result to; default a fresh file per run, named in BATCH_MIGRATE_OUTPUT_PATH. */
  outputFile?: string;
  tailBytes?: number;
  maxInputBytes?: number;
  /** The command's working directory; the wrapper's by default (the image's WORKDIR). */
  cwd?: string;
  /** Where the command's output goes as well as into the tails; the wrapper's own streams by default. */
  passThrough?: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } | null;
  /** Base environment of the command; the wrapper's by default. */
  env?: NodeJS.ProcessEnv;
}

/** The JSON a run answers with: the job's output in Salad. */
export interface RunReport {
  jobId: string;
  attempt: number;
  command: string[];
  exitCode: number | null;
  signal?: string;
  timedOut?: boolean;
  durationMs: number;
  stdoutTail: string;
  stderrTail: string;
  /** What the command wrote to its output file: parsed when it is JSON, else the text. */
  output?: unknown;
  outputTruncated?: boolean;
  /** The input's own command, which the wrapper does not run (it runs the command it was started with). */
  ignoredCommand?: string[];
  /** Variables of the input left out because they would choose the program (PATH, LD_PRELOAD…). */
  ignoredEnvironment?: string[];
  error?: string;
}

export interface RunningWrapper {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Keeps the last `limit` bytes of a stream. */
class Tail {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - (this.chunks[0]?.length ?? 0) >= this.limit && this.chunks.length > 1)
      this.size -= this.chunks.shift()!.length;
  }

  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.limit)).toString("utf8");
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(process.platform === "win32" ? pid : -pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

function readOutputFile(file: string): Pick<RunReport, "output" | "outputTruncated"> {
  if (!existsSync(file)) return {};
  if (statSync(file).size > MAX_OUTPUT_FILE_BYTES) return { outputTruncated: true };
  const text = readFileSync(file, "utf8");
  try {
    return { output: JSON.parse(text) };
  } catch {
    return { output: text };
  }
}

function runCommand(run: PreparedRun, options: WrapperOptions): Promise<RunReport> {
  const started = Date.now();
  const tailBytes = options.tailBytes ?? DEFAULT_TAIL_BYTES;
  const stdout = new Tail(tailBytes);
  const stderr = new Tail(tailBytes);
  const scratch = options.outputFile ? undefined : mkdtempSync(path.join(tmpdir(), "batch-migrate-wrap-"));
  const outputFile = options.outputFile ?? path.join(scratch!, "output");
  if (options.outputFile) rmSync(options.outputFile, { force: true });
  const env = { ...(options.env ?? process.env), ...run.env, [OUTPUT_PATH_VARIABLE]: outputFile };
  const passThrough =
    options.passThrough === undefined ? { stdout: process.stdout, stderr: process.stderr } : options.passThrough;
  const [executable, ...args] = run.argv;
  const base = {
    jobId: run.jobId,
    attempt: run.attempt,
    command: run.argv,
    ...(run.ignoredCommand ? { ignoredCommand: run.ignoredCommand } : {}),
    ...(run.ignoredEnvironment ? { ignoredEnvironment: run.ignoredEnvironment } : {}),
  };
  return new Promise((resolve) => {
    const finish = (report: Omit<RunReport, keyof typeof base | "durationMs" | "stdoutTail" | "stderrTail">): void => {
      const output = report.exitCode === 0 ? readOutputFile(outputFile) : {};
      if (scratch) rmSync(scratch, { recursive: true, force: true });
      resolve({
        ...base,
        ...report,
        durationMs: Date.now() - started,
        stdoutTail: stdout.text(),
        stderrTail: stderr.text(),
        ...output,
      });
    };
    if (executable === undefined) {
      finish({ exitCode: null, error: "there is no command to run" });
      return;
    }
    const child = spawn(executable, args, {
      cwd: options.cwd,
      env,
      detached: process.platform !== "win32",
      stdio: ["ignore", "pipe", "pipe"],
      windowsHide: true,
    });
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const timer =
      options.timeoutSeconds === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            if (child.pid === undefined) return;
            signalGroup(child.pid, "SIGTERM");
            killTimer = setTimeout(() => signalGroup(child.pid!, "SIGKILL"), options.killGraceMs ?? 10_000);
          }, options.timeoutSeconds * 1000);
    child.stdout.on("data", (chunk: Buffer) => {
      stdout.push(chunk);
      passThrough?.stdout.write(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr.push(chunk);
      passThrough?.stderr.write(chunk);
    });
    child.once("error", (error) => {
      if (timer) clearTimeout(timer);
      finish({ exitCode: null, error: `the command could not start: ${error.message}` });
    });
    child.once("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      if (timedOut) {
        finish({
          exitCode: null,
          timedOut: true,
          ...(signal ? { signal } : {}),
          error: `the command ran longer than ${options.timeoutSeconds} s`,
        });
      } else if (signal) {
        finish({
          exitCode: 128 + (osConstants.signals[signal] ?? 0),
          signal,
          error: `the command was ended by ${signal}`,
        });
      } else {
        finish({ exitCode: code ?? null, ...(code === 0 ? {} : { error: `the command exited with ${code}` }) });
      }
    });
  });
}

function reply(response: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  response.end(text);
}

function readBody(request: http.IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    request.on("end", () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

function withLeadingSlash(value: string): string {
  return value.startsWith("/") ? value : `/${value}`;
}

/** Starts the wrapper's HTTP server. Each POST runs the command once; requests are independent of each other. */
export async function startWrapper(options: WrapperOptions): Promise<RunningWrapper> {
  const jobPath = withLeadingSlash(options.path);
  const healthPath = withLeadingSlash(options.healthPath ?? "/health");
  const deliveries = new Map<string, number>();
  const maxConcurrent = options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT;
  let running = 0;
  const server = http.createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      if (!response.headersSent)
        reply(response, 500, { error: `wrapper error: ${error instanceof Error ? error.message : String(error)}` });
    });
  });

  async function handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const pathname = new URL(request.url ?? "/", "http://wrapper").pathname;
    if (request.method === "GET" && pathname === healthPath) {
      reply(response, 200, { status: "ready" });
      return;
    }
    if (request.method !== "POST") {
      reply(response, 405, { error: `only POST ${jobPath} and GET ${healthPath} are served` });
      return;
    }
    if (pathname !== jobPath) {
      // A 4xx would complete the job in Salad; a misrouted job should fail where someone sees it.
      reply(response, 503, { error: `jobs are served at ${jobPath}, not ${pathname}: check queue_connection.path` });
      return;
    }
    const maxInputBytes = options.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES;
    if (Number(request.headers["content-length"] ?? 0) > maxInputBytes) {
      response.setHeader("connection", "close");
      reply(response, 413, { error: "the job input is too large" });
      request.destroy();
      return;
    }
    if (running >= maxConcurrent) {
      // 503 makes the queue retry the job later; the run in progress is not disturbed.
      response.setHeader("retry-after", "5");
      reply(response, 503, { error: `the wrapper already runs ${running} job(s), its --max-concurrent` });
      request.resume();
      return;
    }
    running++;
    try {
      await serveJob(request, response, maxInputBytes);
    } finally {
      running--;
    }
  }

  async function serveJob(
    request: http.IncomingMessage,
    response: http.ServerResponse,
    maxInputBytes: number,
  ): Promise<void> {
    const body = await readBody(request, maxInputBytes);
    if (body === undefined) {
      reply(response, 413, { error: "the job input is too large" });
      return;
    }
    let parsed: unknown;
    try {
      parsed = body.length === 0 ? null : JSON.parse(body.toString("utf8"));
    } catch {
      reply(response, 400, { error: "the job input is not valid JSON" });
      return;
    }
    const saladJobId =
      typeof request.headers["salad-job-id"] === "string" ? request.headers["salad-job-id"] : undefined;
    const deliveryKey = saladJobId ?? randomUUID();
    const countedAttempt = (deliveries.get(deliveryKey) ?? 0) + 1;
    deliveries.set(deliveryKey, countedAttempt);
    let run: PreparedRun;
    try {
      run = prepareRun(parsed, options, { ...(saladJobId ? { saladJobId } : {}), countedAttempt });
    } catch (error) {
      if (!(error instanceof JobInputError)) throw error;
      // Retrying cannot fix the input: complete the job with the reason as its output.
      reply(response, 400, { error: error.message });
      return;
    }
    if (run.ignoredCommand)
      process.stderr.write(
        `wrap: ignored the input's command ${JSON.stringify(run.ignoredCommand)}; running the wrapped command\n`,
      );
    if (run.ignoredEnvironment)
      process.stderr.write(
        `wrap: ignored the input's ${run.ignoredEnvironment.join(", ")}: they would choose the program\n`,
      );
    const report = await runCommand(run, options);
    // A failure is retried by answering 500, unless AWS would not retry it: the job's last attempt, or a timeout.
    // Then the answer is 200 with `lastAttempt: true`, the queue job completes, and the shim reads it as FAILED.
    const final = report.exitCode !== 0 && (run.lastAttempt || report.timedOut === true);
    reply(response, report.exitCode === 0 || final ? 200 : 500, final ? { ...report, lastAttempt: true } : report);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host =
    address.family === "IPv6" ? `[${address.address}]` : address.address === "0.0.0.0" ? "127.0.0.1" : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
