import { readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  NODE,
  aws,
  awsOk,
  describeJob,
  setUpBatch,
  startTestExecutor,
  temporaryDirectory,
  waitForJobStatus,
  type JobDetail,
} from "./helpers.js";

type Executor = Awaited<ReturnType<typeof startTestExecutor>>;

const node = (script: string, ...args: string[]): string[] => [NODE, "-e", script, ...args];
const SLEEP_FOREVER = node("setInterval(() => {}, 1000)");

describe("AWS Batch semantics on the local executor", () => {
  let executor: Executor;
  let work: string;
  let jobQueue: string;

  beforeAll(async () => {
    executor = await startTestExecutor();
    work = temporaryDirectory("bm-aws-work-");
    ({ jobQueue } = await setUpBatch(executor, node("")));
  });
  afterAll(async () => {
    await executor.cleanup();
  });

  async function definition(command: string[], extra: Record<string, unknown> = {}): Promise<string> {
    const { jobDefinitionArn } = await awsOk<{ jobDefinitionArn: string }>(executor, "RegisterJobDefinition", {
      jobDefinitionName: "semantics",
      type: "container",
      containerProperties: { image: "local", command },
      ...extra,
    });
    return jobDefinitionArn;
  }

  async function submit(
    command: string[],
    request: Record<string, unknown> = {},
    definitionExtra: Record<string, unknown> = {},
  ): Promise<string> {
    const jobDefinition = await definition(command, definitionExtra);
    const { jobId } = await awsOk<{ jobId: string }>(executor, "SubmitJob", {
      jobName: "job",
      jobQueue,
      jobDefinition,
      ...request,
    });
    return jobId;
  }

  async function transitions(jobId: string): Promise<string[]> {
    const response = await fetch(`${executor.url}/executor/v1/jobs/${encodeURIComponent(jobId)}`, {
      headers: { authorization: `Bearer ${executor.apiKey}` },
    });
    const record = (await response.json()) as { transitions: { status: string }[] };
    return record.transitions.map((transition) => transition.status);
  }

  it("moves a job through SUBMITTED, RUNNABLE, STARTING, RUNNING to SUCCEEDED with epoch-ms times", async () => {
    const jobId = await submit(node("setTimeout(() => {}, 150)"));
    const job = await waitForJobStatus(executor, jobId, ["SUCCEEDED", "FAILED"]);
    expect(job.status).toBe("SUCCEEDED");
    expect(await transitions(jobId)).toEqual(["SUBMITTED", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED"]);
    expect(Number.isInteger(job.createdAt) && job.createdAt > 1.6e12).toBe(true);
    expect(job.startedAt).toBeGreaterThanOrEqual(job.createdAt);
    expect(job.stoppedAt).toBeGreaterThanOrEqual(job.startedAt ?? Infinity);
    expect(job.statusReason).toBe("Essential container in task exited");
    expect(job.attempts).toHaveLength(1);
    expect(job.attempts[0]?.container.exitCode).toBe(0);
  });

  it("runs argv without a shell, substitutes Ref:: parameters and injects the AWS_BATCH_* variables", async () => {
    const output = path.join(work, "env.json");
    const script =
      "const fs = require('fs'); const env = {}; for (const [k, v] of Object.entries(process.env)) if (k.startsWith('AWS_BATCH') || k === 'GREETING') env[k] = v;" +
      "fs.writeFileSync(process.argv[1], JSON.stringify({ env, argv: process.argv.slice(2) }))";
    const jobId = await submit(
      node(script, output, "Ref::word", "pre-Ref::word-post", "Ref::unknown", "$HOME;echo hi"),
      { parameters: { word: "override" }, containerOverrides: { environment: [{ name: "GREETING", value: "hi" }] } },
      { parameters: { word: "default" } },
    );
    await waitForJobStatus(executor, jobId, ["SUCCEEDED"]);
    const written = JSON.parse(readFileSync(output, "utf8")) as { env: Record<string, string>; argv: string[] };
    expect(written.argv).toEqual(["override", "pre-override-post", "Ref::unknown", "$HOME;echo hi"]);
    expect(written.env).toEqual({
      AWS_BATCH_JOB_ID: jobId,
      AWS_BATCH_JOB_ATTEMPT: "1",
      AWS_BATCH_JQ_NAME: jobQueue,
      AWS_BATCH_CE_NAME: "local-ce",
      GREETING: "hi",
    });
  });

  it("refuses environment names starting with AWS_BATCH, in overrides and in job definitions", async () => {
    const jobDefinition = await definition(node(""));
    const override = await aws(executor, "SubmitJob", {
      jobName: "reserved",
      jobQueue,
      jobDefinition,
      containerOverrides: { environment: [{ name: "AWS_BATCH_JOB_ID", value: "spoofed" }] },
    });
    expect(override.status).toBe(400);
    expect(override.errorType).toBe("ClientException");
    expect(override.body).toMatchObject({
      __type: "ClientException",
      message: expect.stringContaining("AWS_BATCH_JOB_ID"),
    });
    const registered = await aws(executor, "RegisterJobDefinition", {
      jobDefinitionName: "reserved",
      type: "container",
      containerProperties: { image: "x", command: ["true"], environment: [{ name: "AWS_BATCH_CE_NAME", value: "x" }] },
    });
    expect(registered.errorType).toBe("ClientException");
  });

  it("runs array children as parent:i with ARRAY_INDEX and ARRAY_SIZE, and sums them up in statusSummary", async () => {
    const directory = temporaryDirectory("bm-array-");
    const script =
      "require('fs').writeFileSync(require('path').join(process.argv[1], process.env.AWS_BATCH_JOB_ARRAY_INDEX), " +
      "JSON.stringify([process.env.AWS_BATCH_JOB_ID, process.env.AWS_BATCH_JOB_ARRAY_SIZE]))";
    const parentId = await submit(node(script, directory), { arrayProperties: { size: 3 } });
    const parent = await waitForJobStatus(executor, parentId, ["SUCCEEDED", "FAILED"]);
    expect(parent.status).toBe("SUCCEEDED");
    expect(parent.arrayProperties).toMatchObject({ size: 3, statusSummary: { SUCCEEDED: 3, FAILED: 0, RUNNING: 0 } });
    expect(new Set(await transitions(parentId))).toEqual(new Set(["SUBMITTED", "PENDING", "SUCCEEDED"]));
    for (const index of [0, 1, 2]) {
      expect(JSON.parse(readFileSync(path.join(directory, String(index)), "utf8"))).toEqual([
        `${parentId}:${index}`,
        "3",
      ]);
      const child = await describeJob(executor, `${parentId}:${index}`);
      expect(child.arrayProperties).toEqual({ index });
    }
    const listed = await awsOk<{ jobSummaryList: { jobId: string }[] }>(executor, "ListJobs", {
      arrayJobId: parentId,
      jobStatus: "SUCCEEDED",
    });
    expect(listed.jobSummaryList.map((summary) => summary.jobId).sort()).toEqual(
      [0, 1, 2].map((index) => `${parentId}:${index}`),
    );
  });

  it("fails the array parent when any child fails, once all children are done", async () => {
    const parentId = await submit(node("process.exit(process.env.AWS_BATCH_JOB_ARRAY_INDEX === '1' ? 3 : 0)"), {
      arrayProperties: { size: 3 },
    });
    const parent = await waitForJobStatus(executor, parentId, ["SUCCEEDED", "FAILED"]);
    expect(parent.status).toBe("FAILED");
    expect(parent.arrayProperties?.statusSummary).toMatchObject({ SUCCEEDED: 2, FAILED: 1 });
    expect((await describeJob(executor, `${parentId}:1`)).container?.exitCode).toBe(3);
  });

  it("keeps a dependent job PENDING until its dependency succeeds, and fails it without running when the dependency fails", async () => {
    const order = path.join(work, "order.txt");
    const append = (label: string, delayMs: number) =>
      node(`setTimeout(() => require('fs').appendFileSync(process.argv[1], '${label}\\n'), ${delayMs})`, order);
    const first = await submit(append("first", 300));
    const second = await submit(append("second", 0), { dependsOn: [{ jobId: first }] });
    expect((await describeJob(executor, second)).status).toBe("PENDING");
    await waitForJobStatus(executor, second, ["SUCCEEDED"]);
    expect(readFileSync(order, "utf8")).toBe("first\nsecond\n");

    const failing = await submit(node("process.exit(1)"));
    const blocked = await submit(append("never", 0), { dependsOn: [{ jobId: failing }] });
    const failed = await waitForJobStatus(executor, blocked, ["FAILED", "SUCCEEDED"]);
    expect(failed.status).toBe("FAILED");
    expect(failed.statusReason).toBe("Dependent Job failed");
    expect(failed.attempts).toEqual([]);
    expect(readFileSync(order, "utf8")).not.toContain("never");
  });

  it("N_TO_N: child i waits only for the dependency's child i", async () => {
    // Child i of the first array takes longer the lower its index, so child 2 is done long before child 0.
    const upstream = await submit(
      node("setTimeout(() => {}, (2 - Number(process.env.AWS_BATCH_JOB_ARRAY_INDEX)) * 400)"),
      {
        arrayProperties: { size: 3 },
      },
    );
    const downstream = await submit(node(""), {
      arrayProperties: { size: 3 },
      dependsOn: [{ jobId: upstream, type: "N_TO_N" }],
    });
    await waitForJobStatus(executor, downstream, ["SUCCEEDED", "FAILED"]);
    const up = await Promise.all([0, 1, 2].map((index) => describeJob(executor, `${upstream}:${index}`)));
    const down = await Promise.all([0, 1, 2].map((index) => describeJob(executor, `${downstream}:${index}`)));
    for (const index of [0, 1, 2]) {
      expect(down[index]?.startedAt).toBeGreaterThanOrEqual(up[index]?.stoppedAt ?? Infinity);
    }
    expect(down[2]?.startedAt).toBeLessThan(up[0]?.stoppedAt ?? 0);

    const wrongSize = await aws(executor, "SubmitJob", {
      jobName: "wrong-size",
      jobQueue,
      jobDefinition: await definition(node("")),
      arrayProperties: { size: 2 },
      dependsOn: [{ jobId: upstream, type: "N_TO_N" }],
    });
    expect(wrongSize.errorType).toBe("ClientException");
  });

  it("SEQUENTIAL: child i+1 starts only after child i has stopped", async () => {
    const parentId = await submit(node("setTimeout(() => {}, 100)"), {
      arrayProperties: { size: 3 },
      dependsOn: [{ type: "SEQUENTIAL" }],
    });
    await waitForJobStatus(executor, parentId, ["SUCCEEDED", "FAILED"]);
    const children = await Promise.all([0, 1, 2].map((index) => describeJob(executor, `${parentId}:${index}`)));
    expect(children[1]?.startedAt).toBeGreaterThanOrEqual(children[0]?.stoppedAt ?? Infinity);
    expect(children[2]?.startedAt).toBeGreaterThanOrEqual(children[1]?.stoppedAt ?? Infinity);
  });

  it("retries a failed attempt up to retryStrategy.attempts, with AWS_BATCH_JOB_ATTEMPT counting from 1", async () => {
    const jobId = await submit(node("process.exit(process.env.AWS_BATCH_JOB_ATTEMPT === '3' ? 0 : 1)"), {
      retryStrategy: { attempts: 3 },
    });
    const job = await waitForJobStatus(executor, jobId, ["SUCCEEDED", "FAILED"]);
    expect(job.status).toBe("SUCCEEDED");
    expect(job.attempts.map((attempt) => attempt.container.exitCode)).toEqual([1, 1, 0]);
  });

  it("evaluateOnExit: the first matching entry decides, a trailing * is a prefix, and no match means retry", async () => {
    const cases: { exitCode: number; evaluateOnExit: Record<string, string>[]; attempts: number }[] = [
      {
        exitCode: 7,
        evaluateOnExit: [
          { onExitCode: "7", action: "EXIT" },
          { onExitCode: "*", action: "RETRY" },
        ],
        attempts: 1,
      },
      {
        exitCode: 42,
        evaluateOnExit: [
          { onExitCode: "4*", action: "retry" },
          { onReason: "*", action: "EXIT" },
        ],
        attempts: 3,
      },
      { exitCode: 5, evaluateOnExit: [{ onExitCode: "9", action: "EXIT" }], attempts: 3 },
      { exitCode: 5, evaluateOnExit: [{ onStatusReason: "Essential*", action: "EXIT" }], attempts: 1 },
    ];
    const jobIds = await Promise.all(
      cases.map((testCase) =>
        submit(node(`process.exit(${testCase.exitCode})`), {
          retryStrategy: { attempts: 3, evaluateOnExit: testCase.evaluateOnExit },
        }),
      ),
    );
    const jobs = await Promise.all(jobIds.map((jobId) => waitForJobStatus(executor, jobId, ["FAILED", "SUCCEEDED"])));
    expect(jobs.map((job) => job.attempts.length)).toEqual(cases.map((testCase) => testCase.attempts));
    expect(jobs.every((job) => job.status === "FAILED")).toBe(true);
  });

  it("times an attempt out with SIGTERM, SIGKILL after the grace period, and does not retry it", async () => {
    const marker = path.join(work, "sigterm.txt");
    const ignoresSigterm = node(
      "process.on('SIGTERM', () => require('fs').appendFileSync(process.argv[1], 'TERM\\n')); setInterval(() => {}, 1000)",
      marker,
    );
    // Two seconds leave a loaded machine time to start node and install the handler before the SIGTERM.
    const jobId = await submit(ignoresSigterm, {
      timeout: { attemptDurationSeconds: 2 },
      retryStrategy: { attempts: 3 },
    });
    const job = await waitForJobStatus(executor, jobId, ["FAILED", "SUCCEEDED"]);
    expect(job.status).toBe("FAILED");
    expect(job.statusReason).toBe("Job attempt duration exceeded timeout");
    expect(job.attempts).toHaveLength(1);
    expect(job.attempts[0]?.container).toMatchObject({ exitCode: 137, reason: "Process terminated by SIGKILL" });
    expect(readFileSync(marker, "utf8")).toBe("TERM\n");
    const short = await aws(executor, "SubmitJob", {
      jobName: "t",
      jobQueue,
      jobDefinition: await definition(node("")),
      timeout: { attemptDurationSeconds: 0 },
    });
    expect(short.errorType).toBe("ClientException");
  });

  it("CancelJob only cancels jobs that have not started; TerminateJob stops running ones", async () => {
    const running = await submit(SLEEP_FOREVER);
    await waitForJobStatus(executor, running, ["RUNNING"]);
    const waiting = await submit(node(""), { dependsOn: [{ jobId: running }] });

    expect((await aws(executor, "CancelJob", { jobId: running, reason: "too late" })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await describeJob(executor, running)).status).toBe("RUNNING");

    await awsOk(executor, "CancelJob", { jobId: waiting, reason: "not needed" });
    const cancelled = await describeJob(executor, waiting);
    expect(cancelled).toMatchObject({
      status: "FAILED",
      statusReason: "not needed",
      isCancelled: true,
      isTerminated: false,
      attempts: [],
    });

    await awsOk(executor, "TerminateJob", { jobId: running, reason: "stop it" });
    const terminated = await waitForJobStatus(executor, running, ["FAILED"]);
    expect(terminated).toMatchObject({ statusReason: "stop it", isTerminated: true, isCancelled: false });
    expect(terminated.attempts[0]?.container.exitCode).toBe(143);

    const missingReason = await aws(executor, "CancelJob", { jobId: running });
    expect(missingReason.errorType).toBe("ClientException");
  });

  it("ListJobs returns only RUNNING jobs by default and pages with an opaque nextToken, newest first", async () => {
    const { jobQueue: listQueue, jobDefinition } = await setUpBatch(executor, node(""), {}, "listing-queue");
    const finished: string[] = [];
    for (let index = 0; index < 5; index++) {
      const { jobId } = await awsOk<{ jobId: string }>(executor, "SubmitJob", {
        jobName: `quick-${index}`,
        jobQueue: listQueue,
        jobDefinition,
      });
      finished.push(jobId);
    }
    const longRunning = await awsOk<{ jobId: string }>(executor, "SubmitJob", {
      jobName: "long",
      jobQueue: listQueue,
      jobDefinition,
      containerOverrides: { command: SLEEP_FOREVER },
    });
    await Promise.all(finished.map((jobId) => waitForJobStatus(executor, jobId, ["SUCCEEDED"])));
    await waitForJobStatus(executor, longRunning.jobId, ["RUNNING"]);

    const byDefault = await awsOk<{ jobSummaryList: JobDetail[] }>(executor, "ListJobs", { jobQueue: listQueue });
    expect(byDefault.jobSummaryList.map((job) => job.jobId)).toEqual([longRunning.jobId]);

    const pages: string[][] = [];
    let nextToken: string | undefined;
    do {
      const page = await awsOk<{ jobSummaryList: JobDetail[]; nextToken?: string }>(executor, "ListJobs", {
        jobQueue: listQueue,
        jobStatus: "SUCCEEDED",
        maxResults: 2,
        nextToken,
      });
      pages.push(page.jobSummaryList.map((job) => job.jobId));
      nextToken = page.nextToken;
      if (nextToken) expect(nextToken).not.toMatch(/^\d+$/);
    } while (nextToken);
    expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
    expect(pages.flat()).toEqual([...finished].reverse());

    const byName = await awsOk<{ jobSummaryList: JobDetail[] }>(executor, "ListJobs", {
      jobQueue: listQueue,
      filters: [{ name: "JOB_NAME", values: ["QUICK-*"] }],
    });
    expect(byName.jobSummaryList).toHaveLength(5);
    expect((await aws(executor, "ListJobs", { jobQueue: listQueue, nextToken: "garbage" })).errorType).toBe(
      "ClientException",
    );
    await awsOk(executor, "TerminateJob", { jobId: longRunning.jobId, reason: "done" });
  });

  it("DescribeJobs drops unknown ids and refuses more than 100", async () => {
    const jobId = await submit(node(""));
    const { jobs } = await awsOk<{ jobs: JobDetail[] }>(executor, "DescribeJobs", { jobs: [jobId, "no-such-job"] });
    expect(jobs.map((job) => job.jobId)).toEqual([jobId]);
    const tooMany = await aws(executor, "DescribeJobs", {
      jobs: Array.from({ length: 101 }, (_, index) => `id-${index}`),
    });
    expect(tooMany).toMatchObject({ status: 400, errorType: "ClientException", body: { __type: "ClientException" } });
  });

  it("keeps stdout and stderr of each attempt as a log served per job", async () => {
    const jobId = await submit(node("console.log('to stdout'); console.error('to stderr')"));
    await waitForJobStatus(executor, jobId, ["SUCCEEDED"]);
    const response = await fetch(`${executor.url}/executor/v1/jobs/${jobId}/logs`, {
      headers: { authorization: `Bearer ${executor.apiKey}` },
    });
    const text = await response.text();
    expect(text).toContain("to stdout\n");
    expect(text).toContain("to stderr\n");
    expect(existsSync(path.join(executor.stateDir, "logs", jobId, "1.log"))).toBe(true);
  });
});

describe("AWS job queue priority", () => {
  it("dispatches from the higher-priority queue first, and follows UpdateJobQueue", async () => {
    const executor = await startTestExecutor({ maxParallel: 1 });
    try {
      const order = path.join(temporaryDirectory("bm-queue-priority-"), "order.txt");
      const append = node(
        "require('fs').appendFileSync(process.argv[1], process.argv[2] + '\\n')",
        order,
        "Ref::label",
      );
      const { jobDefinition } = await setUpBatch(executor, append, {}, "low-queue");
      await setUpBatch(executor, append, {}, "high-queue");
      await awsOk(executor, "UpdateJobQueue", { jobQueue: "high-queue", priority: 100 });
      const blocker = await awsOk<{ jobId: string }>(executor, "SubmitJob", {
        jobName: "blocker",
        jobQueue: "low-queue",
        jobDefinition,
        containerOverrides: { command: node("setTimeout(() => {}, 400)") },
      });
      await waitForJobStatus(executor, blocker.jobId, ["RUNNING"]);
      const submit = (label: string, jobQueue: string) =>
        awsOk<{ jobId: string }>(executor, "SubmitJob", {
          jobName: label,
          jobQueue,
          jobDefinition,
          parameters: { label },
        });
      const jobs = [
        await submit("low-1", "low-queue"),
        await submit("high-1", "high-queue"),
        await submit("low-2", "low-queue"),
      ];
      await Promise.all(jobs.map((job) => waitForJobStatus(executor, job.jobId, ["SUCCEEDED"])));
      expect(readFileSync(order, "utf8")).toBe("high-1\nlow-1\nlow-2\n");
    } finally {
      await executor.cleanup();
    }
  });
});
