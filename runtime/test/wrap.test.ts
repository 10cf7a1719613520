import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SaladClient, type QueueJob } from "../src/clients/salad.js";
import { startWrapper, type RunReport, type RunningWrapper } from "../src/wrap/index.js";
import { NODE, startTestExecutor, waitFor } from "./helpers.js";

type Executor = Awaited<ReturnType<typeof startTestExecutor>>;

const ORG = "acme-corp";
const PROJECT = "dev-env";
const QUEUE = "video-transcode";

// A stand-in for a Batch job's CLI entrypoint: `job.js <mode> <video>`; it records what it was given in the
// wrapper's output file, then fails or succeeds as `mode` says.
const JOB_SCRIPT = `
const fs = require("node:fs");
const [mode, video] = process.argv.slice(1);
const attempt = Number(process.env.AWS_BATCH_JOB_ATTEMPT);
const seen = { mode, video, attempt, env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("AWS_BATCH_") || k === "CODEC")) };
console.log("transcoding " + video + " attempt " + attempt);
if (mode === "fail" || (mode === "fail-once" && attempt < 2)) { console.error("boom on attempt " + attempt); process.exit(3); }
fs.writeFileSync(process.env.BATCH_MIGRATE_OUTPUT_PATH, JSON.stringify(seen));
`;

describe("the job wrapper behind the executor's Salad queue-worker emulation", () => {
  let executor: Executor;
  let wrapper: RunningWrapper;
  let salad: SaladClient;

  beforeAll(async () => {
    wrapper = await startWrapper({
      port: 0,
      host: "127.0.0.1",
      path: "/process",
      command: [NODE, "-e", JOB_SCRIPT, "Ref::mode", "Ref::video"],
      parameters: { mode: "ok", video: "sample" },
      jobQueue: "video-gpu-queue",
      computeEnvironment: "video-gpu-spot",
      passThrough: null,
    });
    executor = await startTestExecutor({
      config: { saladQueues: { [QUEUE]: { port: wrapper.port, path: "process" } } },
    });
    salad = new SaladClient({ baseUrl: executor.url, apiKey: executor.apiKey, retry: { maxRetries: 0 } });
    await salad.createQueue(ORG, PROJECT, { name: QUEUE, display_name: "Video transcode" });
  });
  afterAll(async () => {
    await executor.cleanup();
    await wrapper.close();
  });

  const settled = (id: string): Promise<QueueJob> =>
    waitFor(
      () => salad.getQueueJob(ORG, PROJECT, QUEUE, id),
      (job) => ["succeeded", "failed", "cancelled"].includes(job.status),
    );
  const starts = (job: QueueJob) => job.events.filter((event) => event.action === "started").length;

  it("runs the command with Ref:: parameters and AWS_BATCH_* variables, and completes the job with its report", async () => {
    const job = await salad.createQueueJob(ORG, PROJECT, QUEUE, {
      input: {
        parameters: { video: "cat.mp4" },
        environment: [{ name: "CODEC", value: "hevc" }],
        arrayProperties: { index: 2, size: 5 },
      },
    });
    const done = await settled(job.id);
    expect(done.status).toBe("succeeded");
    expect(starts(done)).toBe(1);
    const report = done.output as RunReport;
    expect(report).toMatchObject({
      exitCode: 0,
      attempt: 1,
      jobId: `${job.id}:2`,
      command: [NODE, "-e", JOB_SCRIPT, "ok", "cat.mp4"],
    });
    expect(report.stdoutTail).toBe("transcoding cat.mp4 attempt 1\n");
    expect(report.durationMs).toBeGreaterThanOrEqual(0);
    expect(report.output).toEqual({
      mode: "ok",
      video: "cat.mp4",
      attempt: 1,
      env: {
        AWS_BATCH_JOB_ID: `${job.id}:2`,
        AWS_BATCH_JOB_ATTEMPT: "1",
        AWS_BATCH_JQ_NAME: "video-gpu-queue",
        AWS_BATCH_CE_NAME: "video-gpu-spot",
        AWS_BATCH_JOB_ARRAY_INDEX: "2",
        AWS_BATCH_JOB_ARRAY_SIZE: "5",
        CODEC: "hevc",
      },
    });
  });

  it("answers 500 on a non-zero exit, so the queue retries, and succeeds on the second attempt", async () => {
    const job = await salad.createQueueJob(ORG, PROJECT, QUEUE, { input: { parameters: { mode: "fail-once" } } });
    const done = await settled(job.id);
    expect(done.status).toBe("succeeded");
    expect(starts(done)).toBe(2);
    expect(done.output).toMatchObject({
      exitCode: 0,
      attempt: 2,
      output: { mode: "fail-once", video: "sample", attempt: 2 },
    });
  });

  it("fails the job once its four attempts have all exited non-zero", async () => {
    const job = await salad.createQueueJob(ORG, PROJECT, QUEUE, { input: { parameters: { mode: "fail" } } });
    const done = await settled(job.id);
    expect(done.status).toBe("failed");
    expect(starts(done)).toBe(4);
    expect(done.output).toBeUndefined();
  });

  it("makes the input's maxAttempts the last: that failure completes the job with lastAttempt, and no more runs", async () => {
    const job = await salad.createQueueJob(ORG, PROJECT, QUEUE, { input: { parameters: { mode: "fail" }, maxAttempts: 2 } });
    const done = await settled(job.id);
    expect(done.status).toBe("succeeded");
    expect(starts(done)).toBe(2);
    expect(done.output).toMatchObject({ exitCode: 3, attempt: 2, lastAttempt: true });
  });

  it("takes the shim's envelope: its parameters, environment and attempt, but never its command", async () => {
    const job = await salad.createQueueJob(ORG, PROJECT, QUEUE, {
      input: {
        jobName: "transcode-1",
        jobQueue: "video-gpu-queue",
        jobDefinition: "video-transcode",
        parameters: { video: "dog.mp4" },
        command: [NODE, "-e", "process.exit(9)"],
        environment: {
          AWS_BATCH_JOB_ATTEMPT: "3",
          AWS_BATCH_JQ_NAME: "video-gpu-queue",
          NODE_OPTIONS: "--require /tmp/x.js",
        },
      },
    });
    const done = await settled(job.id);
    expect(done.output).toMatchObject({
      exitCode: 0,
      attempt: 3,
      command: [NODE, "-e", JOB_SCRIPT, "ok", "dog.mp4"],
      ignoredCommand: [NODE, "-e", "process.exit(9)"],
      ignoredEnvironment: ["NODE_OPTIONS"],
      output: { video: "dog.mp4", attempt: 3 },
    });
  });
});

describe("the job wrapper on its own", () => {
  let wrapper: RunningWrapper;
  beforeAll(async () => {
    wrapper = await startWrapper({
      port: 0,
      host: "127.0.0.1",
      path: "/run",
      command: [NODE, "-e", "setTimeout(() => console.log('late'), Number(process.argv[1]))", "Ref::sleepMs"],
      parameters: { sleepMs: "0" },
      timeoutSeconds: 1,
      killGraceMs: 200,
      passThrough: null,
    });
  });
  afterAll(() => wrapper.close());

  const post = async (pathname: string, body: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${wrapper.url}${pathname}`, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", ...headers },
    });
    return { status: response.status, body: (await response.json()) as RunReport & { error?: string } };
  };

  it("answers the probes on /health", async () => {
    const response = await fetch(`${wrapper.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ready" });
  });

  it("counts attempts per Salad-Job-Id when the input does not say", async () => {
    const first = await post("/run", "{}", { "salad-job-id": "job-a" });
    const second = await post("/run", "{}", { "salad-job-id": "job-a" });
    expect([first.body.attempt, second.body.attempt]).toEqual([1, 2]);
    expect(first.body.stdoutTail).toBe("late\n");
  });

  it("stops a command that outlives --timeout and answers 200 with lastAttempt: AWS does not retry a timeout", async () => {
    const { status, body } = await post("/run", JSON.stringify({ parameters: { sleepMs: "30000" } }));
    expect(status).toBe(200);
    expect(body).toMatchObject({ lastAttempt: true, timedOut: true });
    expect(body).toMatchObject({ exitCode: null, timedOut: true });
  });

  it("completes a job whose input cannot work with a 400 and the reason, since retrying cannot help", async () => {
    expect(await post("/run", "not json")).toMatchObject({
      status: 400,
      body: { error: "the job input is not valid JSON" },
    });
    expect(await post("/run", JSON.stringify({ parameters: ["x"] }))).toMatchObject({
      status: 400,
      body: { error: "parameters must be an object of strings" },
    });
  });

  it("fails a job sent to another path with a 5xx, so a misconfigured queue_connection.path shows", async () => {
    const { status, body } = await post("/elsewhere", "{}");
    expect(status).toBe(503);
    expect(body.error).toContain("queue_connection.path");
  });
});
