// The executor's Common Compute face without the extension flag: only the routes and fields the real backend has
// (Ikaikaalika/commoncomputeai @44316a9 apps/api-v2; targets.md corrections of 2026-12-03). Every response the face
// can give is listed here field by field; a field the real API lacks fails the test unless the flag is on.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CommonComputeClient } from "../src/clients/common-compute.js";
import { REAL_JOB_FIELDS } from "../src/executor/faces/common-compute.js";
import { NODE, startTestExecutor, waitFor } from "./helpers.js";

type Executor = Awaited<ReturnType<typeof startTestExecutor>>;

// Reads the task input (the endpoint's JSON body) from stdin; `sleepMs`/`exit` script the run.
const WORKLOAD = `
const fs = require("fs");
const body = JSON.parse(fs.readFileSync(0, "utf8") || "null") || {};
const wait = Number((body.metadata || {}).sleepMs || 0);
setTimeout(() => {
  const input = [].concat(body.input || body.messages || []);
  console.log(JSON.stringify({ object: "list", data: input.map((_, index) => ({ index, embedding: [0.5] })) }));
  process.exit(Number((body.metadata || {}).exit || 0));
}, wait);
`;
const WORKLOADS = {
  coreml_embed: { command: [NODE, "-e", WORKLOAD] },
  mlx_llm: { command: [NODE, "-e", WORKLOAD] },
  whisper_ane: { command: [NODE, "-e", "process.stdout.write(JSON.stringify({ text: 'hello' }))"] },
};

/** Every field each kind of answer may carry on the real API. */
const REAL_FIELDS = {
  job: [...REAL_JOB_FIELDS],
  cancel: ["ok"],
  resultNotReady: ["error", "state"],
  processing: ["id", "status"],
  embeddingsProcessing: ["id", "status", "count"],
  error: ["error"],
};

const EXTENSION_JOB_FIELDS = [
  "job_id",
  "name",
  "workload",
  "model_id",
  "max_attempts",
  "started_at",
  "stopped_at",
  "error",
  "metadata",
  "lease_expires_at",
  "upload_url",
  "upload_expires_at",
  "locked_price_usd",
  "eta_seconds",
];

function expectOnlyFields(value: unknown, allowed: readonly string[], what: string): void {
  expect(typeof value === "object" && value !== null, what).toBe(true);
  const extra = Object.keys(value as object).filter((key) => !allowed.includes(key));
  expect(extra, `${what} carries fields the real Common Compute API does not have`).toEqual([]);
}

function expectRealJob(job: Record<string, unknown>, what: string): void {
  expectOnlyFields(job, REAL_FIELDS.job, what);
  expect(Object.keys(job).sort(), what).toEqual([...REAL_JOB_FIELDS].sort());
  expect(job.progress === null || typeof job.progress === "number", `${what}: progress is a number or null`).toBe(true);
}

async function call(
  executor: Executor,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(executor.url + path, {
    method,
    headers: { authorization: `Bearer ${executor.apiKey}`, "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

describe("the Common Compute face as the real backend is", () => {
  let executor: Executor;
  const getJob = async (id: string) => (await call(executor, "GET", `/v1/jobs/${id}`)).json;

  beforeAll(async () => {
    executor = await startTestExecutor({
      config: { workloads: WORKLOADS, commonComputeExtensions: false },
      leaseMs: 2_000,
      commonComputeSyncWaitMs: 1_000,
    });
  });
  afterAll(() => executor.cleanup());

  it("has no generic submit, no job list, no /v1/me/logs and no upload URLs", async () => {
    for (const [method, path] of [
      ["POST", "/v1/jobs"],
      ["GET", "/v1/jobs"],
      ["GET", "/v1/me/logs"],
      ["PUT", "/v1/uploads/x?token=y"],
    ] as const) {
      const answer = await call(executor, method, path, method === "GET" ? undefined : {});
      expect(answer.status, `${method} ${path}`).toBe(404);
      expectOnlyFields(answer.json, REAL_FIELDS.error, `${method} ${path} error`);
    }
  });

  it("POST /v1/embeddings (≤ 256 inputs) waits for the task and answers with its result; the job row is exact", async () => {
    const response = await fetch(`${executor.url}/v1/embeddings`, {
      method: "POST",
      headers: { authorization: `Bearer ${executor.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ input: ["a", "b"], model: "bge-small" }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ object: "list", data: [{ index: 0 }, { index: 1 }] });
  });

  it("answers 202 {id, status, count} past its wait, and more than 256 inputs go to the batch tier unawaited", async () => {
    const slow = await call(executor, "POST", "/v1/embeddings", { input: ["a"], metadata: { sleepMs: 3_000 } });
    expect(slow.status).toBe(202);
    expectOnlyFields(slow.json, REAL_FIELDS.embeddingsProcessing, "embeddings 202");
    expect(slow.json).toMatchObject({ status: "processing", count: 1 });
    const queued = await getJob(String(slow.json.id));
    expectRealJob(queued, "a leased job");
    expect(queued).toMatchObject({ type: "coreml_embed", priority: "standard", state: "leased", completed_at: null });

    const many = await call(executor, "POST", "/v1/embeddings", { input: Array.from({ length: 257 }, () => "x") });
    expect(many.status).toBe(202);
    expect(many.json).toMatchObject({ status: "processing", count: 257 });
    const batch = await getJob(String(many.json.id));
    expectRealJob(batch, "a batch-tier job");
    expect(batch.priority).toBe("batch");
    const done = await waitFor(
      () => getJob(String(many.json.id)),
      (job) => job.state === "completed",
    );
    expectRealJob(done, "a completed job");
    expect(typeof done.completed_at).toBe("number");
    expect(typeof done.result_uri).toBe("string");
  });

  it("honours Idempotency-Key on the workload endpoints", async () => {
    const headers = { "idempotency-key": "embed-once" };
    const body = { input: ["a"], metadata: { sleepMs: 3_000 } };
    const first = await call(executor, "POST", "/v1/embeddings", body, headers);
    const second = await call(executor, "POST", "/v1/embeddings", body, headers);
    expect(second.json.id).toBe(first.json.id);
  });

  it("serves /v1/chat/* and /v1/audio/transcriptions as tasks of their types", async () => {
    const chat = await fetch(`${executor.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${executor.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: "hi" }] }),
    });
    expect(chat.status).toBe(200);
    await chat.body?.cancel();
    const audio = await fetch(`${executor.url}/v1/audio/transcriptions`, {
      method: "POST",
      headers: { authorization: `Bearer ${executor.apiKey}`, "content-type": "multipart/form-data; boundary=x" },
      body: "--x\r\nContent-Disposition: form-data; name=file; filename=a.wav\r\n\r\nRIFF\r\n--x--\r\n",
    });
    expect(audio.status).toBe(200);
    expect(await audio.json()).toEqual({ text: "hello" });
  });

  it("cancel keeps the lease: the job shows failed, completes anyway, and completed_at is set only on completion", async () => {
    const slow = await call(executor, "POST", "/v1/embeddings", { input: ["a"], metadata: { sleepMs: 2_500 } });
    const id = String(slow.json.id);
    await waitFor(
      () => getJob(id),
      (job) => job.state === "leased",
    );
    const cancelled = await call(executor, "POST", `/v1/jobs/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    expectOnlyFields(cancelled.json, REAL_FIELDS.cancel, "cancel");
    const failed = await getJob(id);
    expectRealJob(failed, "a cancelled leased job");
    expect(failed).toMatchObject({ state: "failed", completed_at: null });
    const again = await call(executor, "POST", `/v1/jobs/${id}/cancel`);
    expect(again).toEqual({ status: 404, json: { error: "Job not found or already terminal" } });
    const notReady = await call(executor, "GET", `/v1/jobs/${id}/result`);
    expect(notReady.status).toBe(202);
    expectOnlyFields(notReady.json, REAL_FIELDS.resultNotReady, "result 202");
    const completed = await waitFor(
      () => getJob(id),
      (job) => job.state === "completed",
    );
    expect(typeof completed.completed_at).toBe("number");
  });

  it("a job that fails every attempt is dead_letter with no completed_at", async () => {
    const doomed = await call(executor, "POST", "/v1/chat/completions", { messages: [], metadata: { exit: 3 } });
    const id = String(doomed.json.id ?? "");
    expect(doomed.status).toBe(202);
    const dead = await waitFor(
      () => getJob(id),
      (job) => job.state === "dead_letter",
    );
    expectRealJob(dead, "a dead-lettered job");
    expect(dead).toMatchObject({ attempts: 3, completed_at: null, progress: null });
    const missing = await call(executor, "GET", "/v1/jobs/00000000-0000-0000-0000-000000000000");
    expect(missing).toEqual({ status: 404, json: { error: "Job not found" } });
  });

  it("the client's workloads.create reads both answers", async () => {
    const client = new CommonComputeClient({
      baseUrl: executor.url,
      apiKey: executor.apiKey,
      retry: { maxRetries: 0 },
    });
    const done = await client.workloads.create("/v1/embeddings", { input: ["a"] });
    expect(done.done && done.json()).toMatchObject({ object: "list" });
    const later = await client.workloads.create("/v1/embeddings", { input: ["a"], metadata: { sleepMs: 3_000 } });
    expect(later).toMatchObject({ done: false, status: "processing", count: 1 });
  });
});

describe("the Common Compute face with the extension flag", () => {
  it("adds the assumed routes and fields, and only those", async () => {
    const executor = await startTestExecutor({
      config: { workloads: WORKLOADS, commonComputeExtensions: true },
      commonComputeSyncWaitMs: 1_000,
    });
    try {
      const submitted = await call(executor, "POST", "/v1/jobs", { workload: "coreml_embed", input: { input: ["a"] } });
      expect(submitted.status).toBe(201);
      expectOnlyFields(submitted.json, [...REAL_JOB_FIELDS, ...EXTENSION_JOB_FIELDS], "an extended job");
      expect((await call(executor, "GET", "/v1/jobs")).status).toBe(200);
      expect((await call(executor, "GET", "/v1/me/logs")).status).toBe(200);
    } finally {
      await executor.cleanup();
    }
  });
});
