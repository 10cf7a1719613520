import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CommonComputeClient,
  HttpError,
  ResultNotReadyError,
  type CommonComputeJob,
} from "../src/clients/common-compute.js";
import { NODE, startTestExecutor, temporaryDirectory, waitFor } from "./helpers.js";

type Executor = Awaited<ReturnType<typeof startTestExecutor>>;

// Reads the job input from stdin; the input says what to do, so one workload covers every case.
const WORKLOAD_SCRIPT = `
const fs = require("fs");
const input = JSON.parse(fs.readFileSync(0, "utf8") || "null") || {};
if (input.orderFile) fs.appendFileSync(input.orderFile, input.label + "\\n");
setTimeout(() => {
  if (input.customResult) fs.writeFileSync(process.env.CC_RESULT_PATH, JSON.stringify({ custom: true }));
  else console.log(JSON.stringify({ echo: input, attempt: process.env.CC_JOB_ATTEMPT, workload: process.env.CC_WORKLOAD }));
  process.exit(input.exit ?? 0);
}, input.sleepMs ?? 0);
`;

const WORKLOADS = {
  echo: { command: [NODE, "-e", WORKLOAD_SCRIPT] },
  "read-upload": {
    command: [NODE, "-e", "process.stdout.write(require('fs').readFileSync(process.env.CC_INPUT_PATH))"],
  },
};

describe("Common Compute client against the executor's Common Compute face", () => {
  let executor: Executor;
  let client: CommonComputeClient;

  beforeAll(async () => {
    executor = await startTestExecutor({
      config: { workloads: WORKLOADS, commonComputeExtensions: true },
      leaseMs: 300,
    });
    client = new CommonComputeClient({
      baseUrl: `${executor.url}/v1`,
      apiKey: executor.apiKey,
      retry: { maxRetries: 0 },
    });
  });
  afterAll(async () => {
    await executor.cleanup();
  });

  const settled = (id: string): Promise<CommonComputeJob> =>
    client.jobs.wait(id, { pollIntervalMs: 20, timeoutMs: 15_000 });

  it("submits, leases, completes and returns the result, with epoch-ms times and the job_id alias", async () => {
    const submitted = await client.jobs.submit({
      workload: "echo",
      input: { hello: "world" },
      name: "lifecycle",
      priority: "standard",
    });
    expect(submitted).toMatchObject({
      state: "queued",
      attempts: 0,
      max_attempts: 3,
      priority: "standard",
      name: "lifecycle",
      type: "echo",
    });
    expect(submitted.job_id).toBe(submitted.id);
    const done = await settled(submitted.id);
    expect(done).toMatchObject({ state: "completed", attempts: 1, error: null });
    expect(done.completed_at).toBeGreaterThanOrEqual(done.started_at ?? Infinity);
    expect(done.started_at).toBeGreaterThanOrEqual(done.created_at);
    expect(done.result_uri).toMatch(/^file:\/\//);
    const result = await client.jobs.result(submitted.id);
    expect(result.contentType).toBe("application/json");
    expect(result.json()).toEqual({ echo: { hello: "world" }, attempt: "1", workload: "echo" });

    const logs = await client.jobs.logs(submitted.id);
    expect(logs.data.some((entry) => entry.source === "router" && entry.message.startsWith("leased"))).toBe(true);
    expect(logs.data.some((entry) => entry.source === "runner" && entry.message.includes('"hello":"world"'))).toBe(
      true,
    );
  });

  it("serves a result the workload wrote to CC_RESULT_PATH instead of its stdout", async () => {
    const job = await client.jobs.submit({ workload: "echo", input: { customResult: true } });
    await settled(job.id);
    expect((await client.jobs.result(job.id)).json()).toEqual({ custom: true });
  });

  it("answers 202 (ResultNotReadyError) until the job has completed", async () => {
    const job = await client.jobs.submit({ workload: "echo", input: { sleepMs: 600 } });
    await expect(client.jobs.result(job.id)).rejects.toBeInstanceOf(ResultNotReadyError);
    await settled(job.id);
    expect((await client.jobs.result(job.id)).json()).toMatchObject({ echo: { sleepMs: 600 } });
  });

  it("returns the same job for a repeated Idempotency-Key", async () => {
    const first = await client.jobs.submit({ workload: "echo", input: {} }, { idempotencyKey: "same-key-1" });
    const second = await client.jobs.submit(
      { workload: "echo", input: { different: true } },
      { idempotencyKey: "same-key-1" },
    );
    expect(second.id).toBe(first.id);
  });

  it("holds a lease while the runner works and renews it by heartbeat", async () => {
    const job = await client.jobs.submit({ workload: "echo", input: { sleepMs: 1200 } });
    const leased = await waitFor(
      () => client.jobs.get(job.id),
      (current) => current.state === "leased",
    );
    const firstExpiry = leased.lease_expires_at ?? 0;
    expect(firstExpiry).toBeGreaterThan(Date.now() - 100);
    await new Promise((resolve) => setTimeout(resolve, 450));
    const later = await client.jobs.get(job.id);
    expect(later.state).toBe("leased");
    expect(later.lease_expires_at ?? 0).toBeGreaterThan(firstExpiry);
    expect((await settled(job.id)).lease_expires_at).toBeNull();
  });

  it("re-queues a failed lease until max_attempts, then dead-letters the job", async () => {
    const limited = await client.jobs.submit({ workload: "echo", input: { exit: 4 }, max_attempts: 2 });
    const byDefault = await client.jobs.submit({ workload: "echo", input: { exit: 4 } });
    const [limitedDone, defaultDone] = await Promise.all([settled(limited.id), settled(byDefault.id)]);
    expect(limitedDone).toMatchObject({ state: "dead_letter", attempts: 2 });
    expect(limitedDone.error).toEqual({ code: "runner_error", message: "Max attempts (2) exhausted: exit code 4" });
    expect(defaultDone).toMatchObject({ state: "dead_letter", attempts: 3 });
    await expect(client.jobs.result(limited.id)).rejects.toMatchObject({ status: 202, state: "dead_letter" });
  });

  it("retries an attempt that overruns timeout_seconds (the fail path), then dead-letters it as a timeout", async () => {
    const job = await client.jobs.submit({
      workload: "echo",
      input: { sleepMs: 60_000 },
      timeout_seconds: 1,
      max_attempts: 2,
    });
    const done = await settled(job.id);
    expect(done).toMatchObject({ state: "dead_letter", attempts: 2 });
    expect(done.error?.code).toBe("timeout");
  });

  it("cancels queued and leased jobs into failed, and 404s once the job is terminal", async () => {
    const leased = await client.jobs.submit({ workload: "echo", input: { sleepMs: 60_000 } });
    await waitFor(
      () => client.jobs.get(leased.id),
      (job) => job.state === "leased",
    );
    const queued = await client.jobs.submit({ workload: "not-configured", input: {} });
    expect(await client.jobs.cancel(queued.id, "changed my mind")).toEqual({ ok: true });
    expect(await client.jobs.cancel(leased.id)).toEqual({ ok: true });
    expect(await client.jobs.get(queued.id)).toMatchObject({
      state: "failed",
      error: { code: "cancelled", message: "changed my mind" },
    });
    expect(await settled(leased.id)).toMatchObject({ state: "failed", error: { code: "cancelled" } });
    const again = await client.jobs.cancel(queued.id).catch((error: unknown) => error);
    expect(again).toBeInstanceOf(HttpError);
    expect(again).toMatchObject({ status: 404, serverMessage: "Job not found or already terminal" });
  });

  it("keeps a job of a workload with no local command queued", async () => {
    const job = await client.jobs.submit({ workload: "no-such-workload", input: {} });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await client.jobs.get(job.id)).state).toBe("queued");
  });

  it("accepts the input at upload_url when the submit carried none", async () => {
    const job = await client.jobs.submit({ workload: "read-upload", input_filename: "data.bin" });
    expect(job.state).toBe("queued");
    expect(job.upload_url).toMatch(/\/v1\/uploads\//);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await client.jobs.get(job.id)).attempts).toBe(0);
    const upload = await fetch(job.upload_url ?? "", { method: "PUT", body: "raw input bytes" });
    expect(upload.status).toBe(200);
    await settled(job.id);
    expect((await client.jobs.result(job.id)).text()).toBe("raw input bytes");
    const reused = await fetch(job.upload_url ?? "", { method: "PUT", body: "again" });
    expect(reused.status).toBe(403);
  });

  it("lists jobs newest first with filters and follows next_cursor", async () => {
    const ids: string[] = [];
    for (let index = 0; index < 5; index++) {
      ids.push((await client.jobs.submit({ workload: "listing-only", input: { index }, priority: "priority" })).id);
    }
    const firstPage = await client.jobs.list({ workload: "listing-only", limit: 2 });
    expect(firstPage.data.map((job) => job.id)).toEqual([ids[4], ids[3]]);
    expect(firstPage.next_cursor).toBeTruthy();
    const all: string[] = [];
    for await (const job of client.jobs.iterate({ workload: "listing-only", state: "queued", limit: 2 }))
      all.push(job.id);
    expect(all).toEqual([...ids].reverse());
    expect((await client.jobs.list({ workload: "listing-only", priority: "batch" })).data).toEqual([]);
  });

  it("rejects a bad key with 401 and a bad request with 400, as HttpError with the server's message", async () => {
    const stranger = new CommonComputeClient({
      baseUrl: executor.url,
      apiKey: "cc_test_wrong",
      retry: { maxRetries: 0 },
    });
    await expect(stranger.jobs.list()).rejects.toMatchObject({ status: 401, serverMessage: "Unauthorized" });
    await expect(client.jobs.submit({ workload: "echo", max_attempts: 11 })).rejects.toMatchObject({
      status: 400,
      serverMessage: "max_attempts must be an integer from 1 to 10",
    });
    await expect(client.jobs.get("missing")).rejects.toMatchObject({ status: 404, serverMessage: "Job not found" });
  });

  it("reads CC_BASE_URL and CC_API_KEY from the environment", async () => {
    const saved = { url: process.env.CC_BASE_URL, key: process.env.CC_API_KEY };
    process.env.CC_BASE_URL = executor.url;
    process.env.CC_API_KEY = executor.apiKey;
    try {
      const fromEnvironment = new CommonComputeClient();
      expect(fromEnvironment.baseUrl).toBe(executor.url);
      await expect(fromEnvironment.jobs.list({ limit: 1 })).resolves.toMatchObject({ data: expect.any(Array) });
    } finally {
      if (saved.url === undefined) delete process.env.CC_BASE_URL;
      else process.env.CC_BASE_URL = saved.url;
      if (saved.key === undefined) delete process.env.CC_API_KEY;
      else process.env.CC_API_KEY = saved.key;
    }
  });
});

describe("Common Compute priority tiers", () => {
  it("dispatches priority before standard before batch, FIFO within a tier", async () => {
    const executor = await startTestExecutor({
      maxParallel: 1,
      config: { workloads: WORKLOADS, commonComputeExtensions: true },
    });
    try {
      const client = new CommonComputeClient({ baseUrl: executor.url, apiKey: executor.apiKey });
      const orderFile = path.join(temporaryDirectory("bm-priority-"), "order.txt");
      const submit = (label: string, priority: "batch" | "standard" | "priority", sleepMs = 0) =>
        client.jobs.submit({ workload: "echo", priority, input: { orderFile, label, sleepMs } });
      const blocker = await submit("blocker", "batch", 500);
      await waitFor(
        () => client.jobs.get(blocker.id),
        (job) => job.state === "leased",
      );
      const jobs = [
        await submit("batch-1", "batch"),
        await submit("standard-1", "standard"),
        await submit("priority-1", "priority"),
        await submit("batch-2", "batch"),
        await submit("standard-2", "standard"),
      ];
      await Promise.all(jobs.map((job) => client.jobs.wait(job.id, { pollIntervalMs: 20 })));
      expect(readFileSync(orderFile, "utf8").trim().split("\n")).toEqual([
        "blocker",
        "priority-1",
        "standard-1",
        "standard-2",
        "batch-1",
        "batch-2",
      ]);
    } finally {
      await executor.cleanup();
    }
  });
});
