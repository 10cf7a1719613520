// The shim over the executor's Common Compute and SaladCloud faces: what is emulated client-side (arrays,
// dependencies, evaluateOnExit, cancel/terminate) works end to end, what a target cannot honour is refused
// with a ClientException, and every response keeps botocore's shape.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SaladClient } from "../src/clients/salad.js";
import {
  BatchClient,
  CancelJobCommand,
  ClientException,
  DescribeJobDefinitionsCommand,
  DescribeJobQueuesCommand,
  DescribeJobsCommand,
  ListJobsCommand,
  RegisterJobDefinitionCommand,
  SubmitJobCommand,
  TerminateJobCommand,
  paginateListJobs,
  type JobDetail,
} from "../src/shim/client-batch.js";
import { temporaryDirectory } from "./helpers.js";
import {
  CC_WORKLOAD,
  SALAD_QUEUE,
  TERMINAL,
  expectShape,
  poll,
  shapeErrors,
  startShimExecutor,
  writeConfig,
  type ShimExecutor,
} from "./shim-helpers.js";

describe("the shape checker", () => {
  it("flags missing required members, wrong types, unknown members and values outside an enum", () => {
    const errors = shapeErrors("DescribeJobs", {
      jobs: [{ jobName: "x", jobId: 7, jobQueue: "q", status: "DONE", colour: "red" }],
    });
    expect(errors).toEqual([
      "DescribeJobs.jobs[0]: missing required member jobDefinition",
      "DescribeJobs.jobs[0].jobId: expected string, got 7",
      'DescribeJobs.jobs[0].status: "DONE" not in enum SUBMITTED|PENDING|RUNNABLE|STARTING|RUNNING|SUCCEEDED|FAILED',
      "DescribeJobs.jobs[0]: unknown member colour",
    ]);
  });
});

describe("client-batch on the emulated targets", () => {
  let executor: ShimExecutor;
  const queue = `q-${randomUUID().slice(0, 8)}`;
  let configPath: string;

  beforeAll(async () => {
    executor = await startShimExecutor();
    configPath = writeConfig({
      jobQueues: { [queue]: { priority: 1, salad: { queue: SALAD_QUEUE }, commonCompute: { priority: "standard" } } },
      jobDefinitions: {
        echo: {
          type: "container",
          parameters: { code: "0", sleep: "0" },
          containerProperties: { image: "echo:1", command: ["echo", "Ref::code"] },
          commonCompute: { workload: CC_WORKLOAD },
        },
      },
    });
    const salad = new SaladClient({ baseUrl: executor.url, apiKey: executor.apiKey });
    await salad.createQueue("acme-corp", "dev-env", { name: SALAD_QUEUE, display_name: "Echo" });
  });
  afterAll(async () => {
    await executor.cleanup();
  });

  function clientFor(target: "common-compute" | "salad", extra: Record<string, string> = {}): BatchClient {
    return new BatchClient({
      batchMigrate: {
        env: {
          BATCH_MIGRATE_TARGET: target,
          BATCH_MIGRATE_CONFIG: configPath,
          CC_BASE_URL: executor.url,
          CC_API_KEY: executor.apiKey,
          SALAD_BASE_URL: executor.url,
          SALAD_API_KEY: executor.apiKey,
          SALAD_ORGANIZATION_NAME: "acme-corp",
          SALAD_PROJECT_NAME: "dev-env",
          ...extra,
        },
      },
    });
  }

  async function describeJob(client: BatchClient, jobId: string): Promise<JobDetail> {
    const response = await client.send(new DescribeJobsCommand({ jobs: [jobId] }));
    expectShape("DescribeJobs", response);
    const job = response.jobs?.[0];
    if (!job) throw new Error(`${jobId} not described`);
    return job;
  }

  const settle = (client: BatchClient, jobId: string): Promise<JobDetail> =>
    poll(
      () => describeJob(client, jobId),
      (job) => TERMINAL.includes(job.status),
    );

  it("Common Compute: plain, array, dependent and evaluateOnExit-retried jobs", { timeout: 30_000 }, async () => {
    const client = clientFor("common-compute");
    const submit = async (
      input: Omit<ConstructorParameters<typeof SubmitJobCommand>[0], "jobQueue" | "jobDefinition">,
    ) => {
      const response = await client.send(new SubmitJobCommand({ jobQueue: queue, jobDefinition: "echo", ...input }));
      expectShape("SubmitJob", response);
      return response.jobId;
    };
    const plain = await submit({ jobName: "plain" });
    const array = await submit({ jobName: "frames", arrayProperties: { size: 2 } });
    const merge = await submit({ jobName: "merge", dependsOn: [{ jobId: array }] });
    const flaky = await submit({
      jobName: "flaky",
      parameters: { code: "5" },
      retryStrategy: {
        attempts: 2,
        evaluateOnExit: [
          { action: "RETRY", onExitCode: "5" },
          { action: "EXIT", onReason: "*" },
        ],
      },
    });
    const afterFlaky = await submit({ jobName: "after-flaky", dependsOn: [{ jobId: flaky }] });

    expect(await settle(client, plain)).toMatchObject({
      status: "SUCCEEDED",
      statusReason: "Essential container in task exited",
    });
    const parent = await settle(client, array);
    expect(parent).toMatchObject({
      status: "SUCCEEDED",
      arrayProperties: { size: 2, statusSummary: { SUCCEEDED: 2 } },
    });
    const dependent = await settle(client, merge);
    expect(dependent.status).toBe("SUCCEEDED");
    expect(dependent.startedAt).toBeGreaterThanOrEqual(parent.stoppedAt ?? Infinity);
    const retried = await settle(client, flaky);
    expect(retried.status).toBe("FAILED");
    expect(retried.attempts?.map((attempt) => attempt.container?.exitCode)).toEqual([5, 5]);
    expect(await settle(client, afterFlaky)).toMatchObject({ status: "FAILED", statusReason: "Dependent Job failed" });

    const children = await client.send(new ListJobsCommand({ arrayJobId: array, jobStatus: "SUCCEEDED" }));
    expectShape("ListJobs", children);
    expect(children.jobSummaryList.map((job) => job.jobId).sort()).toEqual([`${array}:0`, `${array}:1`]);
    const listed: string[] = [];
    for await (const page of paginateListJobs({ client, pageSize: 2 }, { jobQueue: queue, jobStatus: "SUCCEEDED" })) {
      expectShape("ListJobs", page);
      expect(page.jobSummaryList.length).toBeLessThanOrEqual(2);
      listed.push(...page.jobSummaryList.map((job) => job.jobId));
    }
    expect(new Set(listed)).toEqual(new Set([plain, array, merge]));
    expect(listed).toHaveLength(3);

    // Another client sharing the state directory sees nothing it did not submit; with the directory it sees all.
    const stranger = clientFor("common-compute");
    expect((await stranger.send(new DescribeJobsCommand({ jobs: [array, `${array}:0`] }))).jobs).toEqual([]);
    expect((await stranger.send(new DescribeJobsCommand({ jobs: [plain] }))).jobs?.[0]).toMatchObject({
      jobId: plain,
      status: "SUCCEEDED",
    });
  });

  it("Common Compute: a state directory shares emulated jobs between clients", { timeout: 20_000 }, async () => {
    const stateDir = temporaryDirectory("bm-shim-state-");
    const first = clientFor("common-compute", { BATCH_MIGRATE_STATE_DIR: stateDir });
    const { jobId } = await first.send(
      new SubmitJobCommand({ jobName: "shared", jobQueue: queue, jobDefinition: "echo", arrayProperties: { size: 2 } }),
    );
    const second = clientFor("common-compute", { BATCH_MIGRATE_STATE_DIR: stateDir });
    expect(await settle(second, jobId)).toMatchObject({
      jobId,
      status: "SUCCEEDED",
      arrayProperties: { statusSummary: { SUCCEEDED: 2 } },
    });
  });

  it(
    "Common Compute: cancel holds on a running job, terminate stops it; a held job is cancelled in the shim",
    { timeout: 20_000 },
    async () => {
      const client = clientFor("common-compute");
      const { jobId: sleeper } = await client.send(
        new SubmitJobCommand({
          jobName: "sleeper",
          jobQueue: queue,
          jobDefinition: "echo",
          parameters: { sleep: "20" },
        }),
      );
      const { jobId: held } = await client.send(
        new SubmitJobCommand({
          jobName: "held",
          jobQueue: queue,
          jobDefinition: "echo",
          dependsOn: [{ jobId: sleeper }],
        }),
      );
      expect((await describeJob(client, held)).status).toBe("PENDING");
      expectShape("CancelJob", await client.send(new CancelJobCommand({ jobId: held, reason: "no longer wanted" })));
      expect(await describeJob(client, held)).toMatchObject({
        status: "FAILED",
        statusReason: "no longer wanted",
        isCancelled: true,
      });

      await poll(
        () => describeJob(client, sleeper),
        (job) => job.status === "RUNNING",
      );
      const running = await client.send(new ListJobsCommand({ jobQueue: queue }));
      expect(running.jobSummaryList.map((job) => job.jobId)).toEqual([sleeper]);
      await client.send(new CancelJobCommand({ jobId: sleeper, reason: "cancel does not stop a running job" }));
      expect((await describeJob(client, sleeper)).status).toBe("RUNNING");
      expectShape("TerminateJob", await client.send(new TerminateJobCommand({ jobId: sleeper, reason: "stop now" })));
      expect(await settle(client, sleeper)).toMatchObject({
        status: "FAILED",
        statusReason: "stop now",
        isTerminated: true,
      });
    },
  );

  it("answers the registry operations from migrate.config.json and RegisterJobDefinition", async () => {
    const client = clientFor("common-compute");
    const registered = await client.send(
      new RegisterJobDefinitionCommand({
        jobDefinitionName: "echo",
        type: "container",
        containerProperties: { image: "echo:2", command: ["echo"] },
      }),
    );
    expectShape("RegisterJobDefinition", registered);
    expect(registered.revision).toBe(2);
    const definitions = await client.send(new DescribeJobDefinitionsCommand({ jobDefinitionName: "echo" }));
    expectShape("DescribeJobDefinitions", definitions);
    expect(definitions.jobDefinitions?.map((definition) => definition.revision)).toEqual([1, 2]);
    const queues = await client.send(new DescribeJobQueuesCommand({}));
    expectShape("DescribeJobQueues", queues);
    expect(queues.jobQueues?.map((item) => item.jobQueueName)).toEqual([queue]);
    // Target mappings never leak into responses.
    expect(JSON.stringify(queues)).not.toMatch(/commonCompute|salad/);
    const unknownQueue = await client
      .send(new SubmitJobCommand({ jobName: "x", jobQueue: "undeclared", jobDefinition: "echo" }))
      .catch((error: unknown) => error);
    expect(unknownQueue).toBeInstanceOf(ClientException);
  });

  it("SaladCloud: plain and array jobs, with times from the job events", { timeout: 20_000 }, async () => {
    const client = clientFor("salad");
    const { jobId: plain } = await client.send(
      new SubmitJobCommand({ jobName: "plain", jobQueue: queue, jobDefinition: "echo" }),
    );
    const { jobId: array } = await client.send(
      new SubmitJobCommand({ jobName: "frames", jobQueue: queue, jobDefinition: "echo", arrayProperties: { size: 2 } }),
    );
    const done = await settle(client, plain);
    expect(done.status).toBe("SUCCEEDED");
    expect(Number.isInteger(done.startedAt) && (done.stoppedAt ?? 0) >= (done.startedAt ?? Infinity)).toBe(true);
    expect((await settle(client, array)).status).toBe("SUCCEEDED");
    const children = await client.send(new ListJobsCommand({ arrayJobId: array, jobStatus: "SUCCEEDED" }));
    expectShape("ListJobs", children);
    expect(children.jobSummaryList.map((job) => job.jobId).sort()).toEqual([`${array}:0`, `${array}:1`]);
  });

  it(
    "SaladCloud: terminate records AWS's outcome for a job the platform cannot stop",
    { timeout: 20_000 },
    async () => {
      const client = clientFor("salad");
      const { jobId } = await client.send(
        new SubmitJobCommand({ jobName: "slow", jobQueue: queue, jobDefinition: "echo", parameters: { sleep: "2" } }),
      );
      await poll(
        () => describeJob(client, jobId),
        (job) => job.status === "RUNNING",
      );
      await client.send(new TerminateJobCommand({ jobId, reason: "stop" }));
      expect(await describeJob(client, jobId)).toMatchObject({
        status: "FAILED",
        statusReason: "stop",
        isTerminated: true,
      });
    },
  );

  it("SaladCloud: refuses what the platform cannot honour, saying why", async () => {
    const client = clientFor("salad");
    const refused: [string, ConstructorParameters<typeof SubmitJobCommand>[0], RegExp][] = [
      [
        "dependsOn",
        { jobName: "x", jobQueue: queue, jobDefinition: "echo", dependsOn: [{ jobId: randomUUID() }] },
        /dependsOn: target salad has no job dependencies/,
      ],
      [
        "timeout",
        { jobName: "x", jobQueue: queue, jobDefinition: "echo", timeout: { attemptDurationSeconds: 60 } },
        /cannot stop a running job/,
      ],
      [
        "attempts",
        { jobName: "x", jobQueue: queue, jobDefinition: "echo", retryStrategy: { attempts: 5 } },
        /at most 4 attempts/,
      ],
      [
        "evaluateOnExit",
        {
          jobName: "x",
          jobQueue: queue,
          jobDefinition: "echo",
          retryStrategy: { attempts: 2, evaluateOnExit: [{ action: "EXIT", onExitCode: "1" }] },
        },
        /evaluateOnExit: target salad reports neither exit codes nor reasons/,
      ],
      [
        "fair share",
        { jobName: "x", jobQueue: queue, jobDefinition: "echo", shareIdentifier: "a" },
        /fair-share scheduling is not supported/,
      ],
    ];
    for (const [label, input, message] of refused) {
      const error = await client.send(new SubmitJobCommand(input)).catch((caught: unknown) => caught);
      expect(error, label).toBeInstanceOf(ClientException);
      expect((error as Error).message, label).toMatch(message);
    }
  });
});
