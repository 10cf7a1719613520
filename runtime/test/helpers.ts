import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { startExecutor, type ExecutorOptions, type RunningExecutor } from "../src/executor/index.js";

export const NODE = process.execPath;

export function temporaryDirectory(prefix = "bm-runtime-"): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** An executor on a random loopback port with a fresh state directory and test-sized timings. */
export async function startTestExecutor(
  options: ExecutorOptions = {},
): Promise<RunningExecutor & { cleanup(): Promise<void> }> {
  const stateDir = options.stateDir ?? temporaryDirectory();
  const executor = await startExecutor({
    stateDir,
    apiKey: "test-key",
    maxParallel: 8,
    killGraceMs: 300,
    minAttemptDurationSeconds: 1,
    ...options,
    // Most executor tests drive jobs through the assumed generic Common Compute API (POST /v1/jobs), so the test
    // executor serves it unless a test asks for the real face only (commonComputeExtensions: false).
    config: { commonComputeExtensions: true, ...options.config },
  });
  return {
    ...executor,
    async cleanup() {
      await executor.close();
      if (!options.stateDir) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

export interface AwsResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
  errorType: string | null;
}

/** One AWS Batch restJson1 call the way an SDK makes it: POST /v1/<operation> with a JSON body. */
export async function aws<T = Record<string, unknown>>(
  executor: { url: string; apiKey: string },
  operation: string,
  body: unknown = {},
): Promise<AwsResponse<T>> {
  const response = await fetch(`${executor.url}/v1/${operation.toLowerCase()}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `AWS4-HMAC-SHA256 Credential=${executor.apiKey}/20260101/us-east-1/batch/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as T,
    errorType: response.headers.get("x-amzn-errortype"),
  };
}

/** Like aws(), but throws on an error answer. */
export async function awsOk<T = Record<string, unknown>>(
  executor: { url: string; apiKey: string },
  operation: string,
  body: unknown = {},
): Promise<T> {
  const response = await aws<T>(executor, operation, body);
  if (response.status !== 200) throw new Error(`${operation} → ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

export interface JobDetail {
  jobId: string;
  jobName: string;
  status: string;
  statusReason?: string;
  attempts: {
    container: { exitCode?: number; reason?: string };
    statusReason?: string;
    startedAt?: number;
    stoppedAt?: number;
  }[];
  isCancelled: boolean;
  isTerminated: boolean;
  createdAt: number;
  startedAt?: number;
  stoppedAt?: number;
  arrayProperties?: { size?: number; index?: number; statusSummary?: Record<string, number> };
  container?: { exitCode?: number; command?: string[] };
}

export async function describeJob(executor: { url: string; apiKey: string }, jobId: string): Promise<JobDetail> {
  const { jobs } = await awsOk<{ jobs: JobDetail[] }>(executor, "DescribeJobs", { jobs: [jobId] });
  const job = jobs[0];
  if (!job) throw new Error(`job ${jobId} not described`);
  return job;
}

export async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function waitForJobStatus(
  executor: { url: string; apiKey: string },
  jobId: string,
  statuses: string[],
  timeoutMs?: number,
): Promise<JobDetail> {
  return waitFor(
    () => describeJob(executor, jobId),
    (job) => statuses.includes(job.status),
    timeoutMs,
  );
}

/** A queue, a compute environment and a job definition running `command`, ready for SubmitJob. */
export async function setUpBatch(
  executor: { url: string; apiKey: string },
  command: string[],
  extra: Record<string, unknown> = {},
  queueName = "local-queue",
): Promise<{ jobQueue: string; jobDefinition: string }> {
  const environments = await awsOk<{ computeEnvironments: unknown[] }>(executor, "DescribeComputeEnvironments", {
    computeEnvironments: ["local-ce"],
  });
  if (environments.computeEnvironments.length === 0) {
    await awsOk(executor, "CreateComputeEnvironment", { computeEnvironmentName: "local-ce", type: "UNMANAGED" });
  }
  const queues = await awsOk<{ jobQueues: unknown[] }>(executor, "DescribeJobQueues", { jobQueues: [queueName] });
  if (queues.jobQueues.length === 0) {
    await awsOk(executor, "CreateJobQueue", {
      jobQueueName: queueName,
      priority: 1,
      computeEnvironmentOrder: [{ order: 1, computeEnvironment: "local-ce" }],
    });
  }
  const definition = await awsOk<{ jobDefinitionArn: string }>(executor, "RegisterJobDefinition", {
    jobDefinitionName: "test-definition",
    type: "container",
    containerProperties: { image: "local", command },
    ...extra,
  });
  return { jobQueue: queueName, jobDefinition: definition.jobDefinitionArn };
}

/** A real HTTP app on loopback whose answers the test scripts, recording what it receives. */
export async function startApp(
  answer: (request: { body: string; headers: http.IncomingHttpHeaders; count: number }) => {
    status: number;
    body: string;
    delayMs?: number;
  },
): Promise<{
  port: number;
  requests: { url: string; body: string; headers: http.IncomingHttpHeaders }[];
  close(): Promise<void>;
}> {
  const requests: { url: string; body: string; headers: http.IncomingHttpHeaders }[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      requests.push({ url: request.url ?? "", body, headers: request.headers });
      const reply = answer({ body, headers: request.headers, count: requests.length });
      setTimeout(() => {
        response.writeHead(reply.status, { "content-type": "application/json" });
        response.end(reply.body);
      }, reply.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
