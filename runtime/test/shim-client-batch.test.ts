// batch-migrate-runtime/client-batch with BATCH_MIGRATE_TARGET=local, against the real executor over loopback:
// every served operation, botocore's output shapes, and the scenario the Python shim's differential test runs.
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Batch,
  BatchClient,
  BatchServiceException,
  CancelJobCommand,
  ClientException,
  DescribeComputeEnvironmentsCommand,
  DescribeJobQueuesCommand,
  DescribeJobsCommand,
  ListJobsCommand,
  RegisterJobDefinitionCommand,
  ServerException,
  SubmitJobCommand,
  TerminateJobCommand,
  paginateDescribeJobDefinitions,
  paginateListJobs,
  type JobDetail,
} from "../src/shim/client-batch.js";
import { NODE } from "./helpers.js";
import {
  TERMINAL,
  expectShape,
  expectV3Metadata,
  movesForward,
  poll,
  startShimExecutor,
  writeConfig,
  type ShimExecutor,
} from "./shim-helpers.js";

const EXIT_WITH_CODE = [
  NODE,
  "-e",
  "setTimeout(() => process.exit(Number(process.argv[1])), Number(process.argv[2]) * 1000)",
  "Ref::code",
  "Ref::sleep",
];

function isInstalled(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
}

describe("client-batch (v3 names) on the local executor", () => {
  let executor: ShimExecutor;
  let client: BatchClient;
  const suffix = randomUUID().slice(0, 8);
  const queue = `scenario-queue-${suffix}`;
  const environment = `local-ce-${suffix}`;
  const okDefinition = `scenario-${suffix}-ok`;
  const failingDefinition = `scenario-${suffix}-fails`;
  const responses: [string, object][] = [];

  /** Sends through the client and keeps the response for the shape check at the end. */
  async function send<T extends object>(operation: string, command: Parameters<BatchClient["send"]>[0]): Promise<T> {
    const response = (await client.send(command)) as unknown as T;
    responses.push([operation, response]);
    return response;
  }

  async function describe(jobId: string): Promise<JobDetail> {
    const { jobs } = await send<{ jobs: JobDetail[] }>("DescribeJobs", new DescribeJobsCommand({ jobs: [jobId] }));
    const job = jobs[0];
    if (!job) throw new Error(`${jobId} not described`);
    return job;
  }

  /** The statuses a poller sees until `until` holds, without repeats. */
  async function statusesUntil(jobId: string, until: (job: JobDetail) => boolean): Promise<string[]> {
    const seen: string[] = [];
    await poll(
      () => describe(jobId),
      (job) => {
        if (seen.at(-1) !== job.status) seen.push(job.status);
        return until(job);
      },
    );
    return seen;
  }
  const terminal = (job: JobDetail): boolean => TERMINAL.includes(job.status);

  beforeAll(async () => {
    executor = await startShimExecutor();
    const configPath = writeConfig({
      computeEnvironments: { [environment]: { type: "UNMANAGED" } },
      jobQueues: { [queue]: { priority: 1, computeEnvironments: [environment] } },
    });
    client = new BatchClient({
      region: "us-east-1",
      batchMigrate: {
        env: {
          BATCH_MIGRATE_TARGET: "local",
          CC_BASE_URL: executor.url,
          CC_API_KEY: executor.apiKey,
          BATCH_MIGRATE_CONFIG: configPath,
        },
      },
    });
  });
  afterAll(async () => {
    await executor.cleanup();
  });

  it("seeds the executor from migrate.config.json and describes queues and compute environments", async () => {
    expect(client.target).toBe("local");
    const queues = await send<{ jobQueues: { jobQueueName: string; priority: number }[] }>(
      "DescribeJobQueues",
      new DescribeJobQueuesCommand({ jobQueues: [queue] }),
    );
    expectV3Metadata(queues);
    expect(queues.jobQueues.map((item) => item.jobQueueName)).toEqual([queue]);
    const environments = await send<{ computeEnvironments: { computeEnvironmentName: string }[] }>(
      "DescribeComputeEnvironments",
      new DescribeComputeEnvironmentsCommand({ computeEnvironments: [environment] }),
    );
    expect(environments.computeEnvironments.map((item) => item.computeEnvironmentName)).toEqual([environment]);
  });

  it(
    "runs the scenario: submit, array, dependency, retried failure, cancel, terminate, list, paginate",
    { timeout: 30_000 },
    async () => {
      for (const [name, code, retryStrategy] of [
        [okDefinition, "0", undefined],
        [failingDefinition, "3", { attempts: 2 }],
      ] as const) {
        const registered = await send<{ revision: number; jobDefinitionName: string }>(
          "RegisterJobDefinition",
          new RegisterJobDefinitionCommand({
            jobDefinitionName: name,
            type: "container",
            parameters: { code, sleep: "0" },
            containerProperties: { image: "alpine:3", vcpus: 1, memory: 128, command: EXIT_WITH_CODE },
            ...(retryStrategy ? { retryStrategy } : {}),
          }),
        );
        expect(registered).toMatchObject({ jobDefinitionName: name, revision: 1 });
      }

      const simple = await send<{ jobId: string; jobName: string; jobArn: string }>(
        "SubmitJob",
        new SubmitJobCommand({ jobName: "simple", jobQueue: queue, jobDefinition: okDefinition }),
      );
      expect(Object.keys(simple).sort()).toEqual(["$metadata", "jobArn", "jobId", "jobName"]);
      const simpleStatuses = await statusesUntil(simple.jobId, terminal);
      expect(movesForward(simpleStatuses)).toBe(true);
      expect(simpleStatuses.at(-1)).toBe("SUCCEEDED");
      const simpleDetail = await describe(simple.jobId);
      expect(simpleDetail.statusReason).toBe("Essential container in task exited");
      expect(Number.isInteger(simpleDetail.createdAt) && (simpleDetail.createdAt ?? 0) > 1.6e12).toBe(true);
      expect(simpleDetail.stoppedAt).toBeGreaterThanOrEqual(simpleDetail.startedAt ?? Infinity);

      const array = await send<{ jobId: string }>(
        "SubmitJob",
        new SubmitJobCommand({
          jobName: "frames",
          jobQueue: queue,
          jobDefinition: okDefinition,
          arrayProperties: { size: 3 },
        }),
      );
      const arrayStatuses = await statusesUntil(array.jobId, terminal);
      expect(movesForward(arrayStatuses) && arrayStatuses.at(-1) === "SUCCEEDED").toBe(true);
      const children = await send<{ jobSummaryList: { jobId: string }[] }>(
        "ListJobs",
        new ListJobsCommand({ arrayJobId: array.jobId, jobStatus: "SUCCEEDED" }),
      );
      expect(children.jobSummaryList.map((job) => job.jobId).sort()).toEqual(
        [0, 1, 2].map((index) => `${array.jobId}:${index}`),
      );
      const arrayDetail = await describe(array.jobId);
      expect(arrayDetail.arrayProperties).toMatchObject({ size: 3, statusSummary: { SUCCEEDED: 3 } });

      const dependent = await send<{ jobId: string }>(
        "SubmitJob",
        new SubmitJobCommand({
          jobName: "merge",
          jobQueue: queue,
          jobDefinition: okDefinition,
          dependsOn: [{ jobId: array.jobId }],
        }),
      );
      const dependentStatuses = await statusesUntil(dependent.jobId, terminal);
      expect(movesForward(dependentStatuses) && dependentStatuses.at(-1) === "SUCCEEDED").toBe(true);
      const dependentDetail = await describe(dependent.jobId);
      expect(dependentDetail.dependsOn).toEqual([{ jobId: array.jobId }]);
      expect(dependentDetail.startedAt).toBeGreaterThanOrEqual(arrayDetail.stoppedAt ?? Infinity);

      const flaky = await send<{ jobId: string }>(
        "SubmitJob",
        new SubmitJobCommand({ jobName: "flaky", jobQueue: queue, jobDefinition: failingDefinition }),
      );
      await statusesUntil(flaky.jobId, terminal);
      const retried = await describe(flaky.jobId);
      expect(retried.status).toBe("FAILED");
      expect(retried.attempts?.map((attempt) => attempt.container?.exitCode)).toEqual([3, 3]);
      expect(retried.statusReason).toEqual(expect.any(String));

      const sleeper = await send<{ jobId: string }>(
        "SubmitJob",
        new SubmitJobCommand({
          jobName: "sleeper",
          jobQueue: queue,
          jobDefinition: okDefinition,
          parameters: { sleep: "30" },
        }),
      );
      const waiting = await send<{ jobId: string }>(
        "SubmitJob",
        new SubmitJobCommand({
          jobName: "waiting",
          jobQueue: queue,
          jobDefinition: okDefinition,
          dependsOn: [{ jobId: sleeper.jobId }],
        }),
      );
      const beforeCancel = await statusesUntil(waiting.jobId, (job) => job.status === "PENDING" || terminal(job));
      const cancelled = await send<object>(
        "CancelJob",
        new CancelJobCommand({ jobId: waiting.jobId, reason: "not needed any more" }),
      );
      expect(Object.keys(cancelled)).toEqual(["$metadata"]);
      const afterCancel = await statusesUntil(waiting.jobId, terminal);
      expect([...beforeCancel, ...afterCancel.filter((status) => status !== beforeCancel.at(-1))]).toEqual([
        "PENDING",
        "FAILED",
      ]);
      expect(await describe(waiting.jobId)).toMatchObject({
        status: "FAILED",
        statusReason: "not needed any more",
        isCancelled: true,
      });

      const beforeTerminate = await statusesUntil(sleeper.jobId, (job) => job.status === "RUNNING" || terminal(job));
      expect(beforeTerminate.at(-1)).toBe("RUNNING");
      // AWS: CancelJob on a running job succeeds and changes nothing.
      await send("CancelJob", new CancelJobCommand({ jobId: sleeper.jobId, reason: "too late to cancel" }));
      expect((await describe(sleeper.jobId)).status).toBe("RUNNING");
      // ListJobs with neither jobStatus nor filters lists RUNNING jobs only.
      const listedDefault = await send<{ jobSummaryList: { jobId: string }[] }>(
        "ListJobs",
        new ListJobsCommand({ jobQueue: queue }),
      );
      expect(listedDefault.jobSummaryList.map((job) => job.jobId)).toEqual([sleeper.jobId]);
      await send("TerminateJob", new TerminateJobCommand({ jobId: sleeper.jobId, reason: "taking too long" }));
      const afterTerminate = await statusesUntil(sleeper.jobId, terminal);
      expect(afterTerminate.at(-1)).toBe("FAILED");
      expect(await describe(sleeper.jobId)).toMatchObject({
        status: "FAILED",
        statusReason: "taking too long",
        isTerminated: true,
      });

      const succeeded = await send<{ jobSummaryList: { jobId: string }[] }>(
        "ListJobs",
        new ListJobsCommand({ jobQueue: queue, jobStatus: "SUCCEEDED" }),
      );
      const succeededIds = succeeded.jobSummaryList.map((job) => job.jobId);
      expect(new Set(succeededIds)).toEqual(new Set([simple.jobId, array.jobId, dependent.jobId]));
      const firstPage = await send<{ jobSummaryList: unknown[]; nextToken?: string }>(
        "ListJobs",
        new ListJobsCommand({ jobQueue: queue, jobStatus: "SUCCEEDED", maxResults: 1 }),
      );
      expect(firstPage.jobSummaryList).toHaveLength(1);
      expect(firstPage.nextToken).toEqual(expect.any(String));
      const paginated: string[] = [];
      for await (const page of paginateListJobs({ client, pageSize: 1 }, { jobQueue: queue, jobStatus: "SUCCEEDED" })) {
        responses.push(["ListJobs", page]);
        expectV3Metadata(page);
        paginated.push(...page.jobSummaryList.map((job) => job.jobId));
      }
      expect(paginated).toEqual(succeededIds);

      const unknown = await send<{ jobs: unknown[] }>(
        "DescribeJobs",
        new DescribeJobsCommand({ jobs: [randomUUID(), simple.jobId] }),
      );
      expect(unknown.jobs.map((job) => (job as JobDetail).jobId)).toEqual([simple.jobId]);

      for (const [operation, response] of responses) expectShape(operation, response);
    },
  );

  it("answers errors as @aws-sdk/client-batch does: ClientException with name, $fault and $metadata", async () => {
    const failures = {
      unknownQueue: new SubmitJobCommand({ jobName: "x", jobQueue: "no-such-queue", jobDefinition: okDefinition }),
      unknownDefinition: new SubmitJobCommand({ jobName: "x", jobQueue: queue, jobDefinition: "no-such-definition" }),
      emptyReason: new CancelJobCommand({ jobId: randomUUID(), reason: "" }),
      missingReason: new CancelJobCommand({ jobId: randomUUID() } as never),
      tooManyIds: new DescribeJobsCommand({ jobs: Array.from({ length: 101 }, () => randomUUID()) }),
      maxResultsAboveCap: new ListJobsCommand({ jobQueue: queue, jobStatus: "SUCCEEDED", maxResults: 1001 }),
      filteredAboveCap: new ListJobsCommand({
        jobQueue: queue,
        filters: [{ name: "JOB_NAME", values: ["x"] }],
        maxResults: 101,
      }),
      twoOwners: new ListJobsCommand({ jobQueue: queue, arrayJobId: "a" }),
      multiNode: new SubmitJobCommand({
        jobName: "x",
        jobQueue: queue,
        jobDefinition: okDefinition,
        nodeOverrides: { numNodes: 2 },
      }),
      unknownMember: new SubmitJobCommand({
        jobName: "x",
        jobQueue: queue,
        jobDefinition: okDefinition,
        color: "red",
      } as never),
      badToken: new ListJobsCommand({ jobQueue: queue, jobStatus: "SUCCEEDED", nextToken: "not-a-token" }),
    };
    for (const [label, command] of Object.entries(failures)) {
      const error = await client.send(command as SubmitJobCommand).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error, label).toBeInstanceOf(ClientException);
      expect(error, label).toBeInstanceOf(BatchServiceException);
      expect(error, label).not.toBeInstanceOf(ServerException);
      expect(error, label).toMatchObject({
        name: "ClientException",
        $fault: "client",
        $metadata: { httpStatusCode: 400 },
      });
      expect((error as Error).message.length, label).toBeGreaterThan(0);
    }
    // The modelled classes also recognise the real SDK's errors by name and fault.
    expect({ name: "ClientException", $fault: "client", $metadata: {} }).toBeInstanceOf(ClientException);
    expect({ name: "ServerException", $fault: "server", $metadata: {} }).not.toBeInstanceOf(ClientException);
  });

  it("pages the registry operations and serves the aggregated Batch client", async () => {
    const batch = new Batch({
      batchMigrate: {
        env: {
          BATCH_MIGRATE_TARGET: "local",
          CC_BASE_URL: executor.url,
          CC_API_KEY: executor.apiKey,
          BATCH_MIGRATE_CONFIG: writeConfig({}),
        },
      },
    });
    const registered = await batch.registerJobDefinition({
      jobDefinitionName: okDefinition,
      type: "container",
      containerProperties: { command: EXIT_WITH_CODE },
    });
    expectShape("RegisterJobDefinition", registered);
    expect(registered.revision).toBeGreaterThanOrEqual(2);
    const revisions: number[] = [];
    for await (const page of paginateDescribeJobDefinitions(
      { client: batch, pageSize: 1 },
      { jobDefinitionName: okDefinition },
    )) {
      expectShape("DescribeJobDefinitions", page);
      revisions.push(...(page.jobDefinitions ?? []).map((definition) => definition.revision));
    }
    expect(revisions).toEqual([1, 2]);
    const viaCallback = await new Promise<unknown>((resolve, reject) =>
      batch.describeJobs({ jobs: [] }, (error, data) => (error ? reject(error) : resolve(data))),
    );
    expect(viaCallback).toMatchObject({ jobs: [], $metadata: { httpStatusCode: 200 } });
    const queues = await batch.describeJobQueues({ jobQueues: [queue] });
    expectShape("DescribeJobQueues", queues);
    const environments = await batch.describeComputeEnvironments({});
    expectShape("DescribeComputeEnvironments", environments);
  });

  it("reports an executor that is not there as a ServerException", async () => {
    const offline = new BatchClient({
      batchMigrate: {
        env: {
          BATCH_MIGRATE_TARGET: "local",
          CC_BASE_URL: "http://127.0.0.1:9",
          CC_API_KEY: "k",
          BATCH_MIGRATE_CONFIG: writeConfig({}),
          BATCH_MIGRATE_HTTP_RETRIES: "0",
        },
      },
    });
    const error = await offline.send(new DescribeJobsCommand({ jobs: [] })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ServerException);
    expect(error).toMatchObject({ $fault: "server", name: "ServerException" });
  });
});
