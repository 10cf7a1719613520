// batch-migrate-runtime/aws-sdk-v2 against the real executor: v2's callback and promise() forms, eachPage,
// plain data without metadata, and errors shaped like v2's AWSError.
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Batch,
  type AWSError,
  type BatchOptions,
  type JobDetail,
  type ListJobsResponse,
} from "../src/shim/aws-sdk-v2.js";
import type { Batch as AwsBatch } from "aws-sdk";
import { NODE } from "./helpers.js";
import { TERMINAL, expectShape, poll, startShimExecutor, writeConfig, type ShimExecutor } from "./shim-helpers.js";

const EXIT_WITH_CODE = [NODE, "-e", "process.exit(Number(process.argv[1]))", "Ref::code"];

function isInstalled(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
}

describe("aws-sdk-v2 Batch on the local executor", () => {
  let executor: ShimExecutor;
  let batch: Batch;
  let options: BatchOptions;
  const suffix = randomUUID().slice(0, 8);
  const queue = `v2-queue-${suffix}`;
  const definition = `v2-${suffix}`;

  beforeAll(async () => {
    executor = await startShimExecutor();
    const configPath = writeConfig({
      computeEnvironments: { [`v2-ce-${suffix}`]: { type: "UNMANAGED" } },
      jobQueues: { [queue]: { priority: 1, computeEnvironments: [`v2-ce-${suffix}`] } },
      jobDefinitions: {
        [definition]: {
          type: "container",
          parameters: { code: "0" },
          containerProperties: { image: "node", command: EXIT_WITH_CODE },
        },
      },
    });
    options = {
      region: "us-east-1",
      params: { jobQueue: queue },
      batchMigrate: {
        env: {
          BATCH_MIGRATE_TARGET: "local",
          CC_BASE_URL: executor.url,
          CC_API_KEY: executor.apiKey,
          BATCH_MIGRATE_CONFIG: configPath,
        },
      },
    };
    batch = new Batch(options);
  });
  afterAll(async () => {
    await executor.cleanup();
  });

  const settle = (jobId: string): Promise<JobDetail> =>
    poll(
      async () => {
        const data = await batch.describeJobs({ jobs: [jobId] }).promise();
        expectShape("DescribeJobs", data);
        return data.jobs?.[0] as JobDetail;
      },
      (job) => job !== undefined && TERMINAL.includes(job.status),
    );

  it("submits with promise() and with a callback; bound params fill jobQueue; data has no metadata", async () => {
    const viaPromise = await batch.submitJob({ jobName: "promised", jobDefinition: definition } as never).promise();
    expectShape("SubmitJob", viaPromise);
    expect(Object.keys(viaPromise).sort()).toEqual(["jobArn", "jobId", "jobName"]);
    const viaCallback = await new Promise<{ jobId: string }>((resolve, reject) => {
      const request = batch.submitJob(
        { jobName: "called-back", jobQueue: queue, jobDefinition: definition, parameters: { code: "4" } },
        (error, data) => (error ? reject(error) : resolve(data)),
      );
      expect(typeof request.promise).toBe("function");
    });
    expect(await settle(viaPromise.jobId)).toMatchObject({ status: "SUCCEEDED" });
    const failed = await settle(viaCallback.jobId);
    expect(failed).toMatchObject({ status: "FAILED", container: { exitCode: 4 } });
  });

  it("does not send a request until promise() or send() is called", async () => {
    const before = (await batch.listJobs({ jobQueue: queue, jobStatus: "SUCCEEDED" }).promise()).jobSummaryList.length;
    const request = batch.submitJob({ jobName: "lazy", jobQueue: queue, jobDefinition: definition });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = await batch
      .listJobs({ jobQueue: queue, filters: [{ name: "JOB_NAME", values: ["lazy"] }] })
      .promise();
    expect(after.jobSummaryList).toEqual([]);
    const { jobId } = await request.promise();
    await settle(jobId);
    expect((await batch.listJobs({ jobQueue: queue, jobStatus: "SUCCEEDED" }).promise()).jobSummaryList.length).toBe(
      before + 1,
    );
  });

  it("walks pages with eachPage and ends with a null page", async () => {
    const ids: string[] = [];
    for (let index = 0; index < 3; index++)
      ids.push(
        (await batch.submitJob({ jobName: `page-${index}`, jobQueue: queue, jobDefinition: definition }).promise())
          .jobId,
      );
    for (const jobId of ids) await settle(jobId);
    const pages = await new Promise<(ListJobsResponse | null)[]>((resolve, reject) => {
      const seen: (ListJobsResponse | null)[] = [];
      batch.listJobs({ jobQueue: queue, jobStatus: "SUCCEEDED", maxResults: 2 }).eachPage((error, data) => {
        if (error) reject(error);
        seen.push(data);
        if (data === null) resolve(seen);
        return true;
      });
    });
    expect(pages.at(-1)).toBeNull();
    const listed = pages.flatMap((page) => page?.jobSummaryList.map((job) => job.jobId) ?? []);
    for (const page of pages.slice(0, -1)) expectShape("ListJobs", page as object);
    expect(pages.slice(0, -1).every((page) => (page?.jobSummaryList.length ?? 0) <= 2)).toBe(true);
    expect(listed).toEqual(expect.arrayContaining(ids));
    expect(new Set(listed).size).toBe(listed.length);

    // With a done() parameter, the next page is fetched only once done() is called.
    const pagesWithDone = await new Promise<number>((resolve, reject) => {
      let count = 0;
      batch.listJobs({ jobQueue: queue, jobStatus: "SUCCEEDED", maxResults: 2 }).eachPage((error, data, done) => {
        if (error) reject(error);
        if (data === null) resolve(count);
        else {
          count++;
          setTimeout(() => done?.(), 10);
        }
        return true;
      });
    });
    expect(pagesWithDone).toBe(pages.length - 1);
  });

  it("reports errors as AWSError: the service's code and statusCode, v2's own validation codes", async () => {
    const unknownDefinition = (await batch
      .submitJob({ jobName: "x", jobQueue: queue, jobDefinition: "no-such-definition" })
      .promise()
      .catch((error: unknown) => error)) as AWSError;
    expect(unknownDefinition).toBeInstanceOf(Error);
    expect(unknownDefinition).toMatchObject({
      code: "ClientException",
      name: "ClientException",
      statusCode: 400,
      retryable: false,
    });
    expect(unknownDefinition.time).toBeInstanceOf(Date);

    const missing = await new Promise<AWSError>((resolve) =>
      batch.cancelJob({ jobId: "x" } as never, (error) => resolve(error as AWSError)),
    );
    expect(missing).toMatchObject({ code: "MissingRequiredParameter", retryable: false });
    const several = (await batch
      .cancelJob({ jobId: 5, colour: "red" } as never)
      .promise()
      .catch((error: unknown) => error)) as AWSError;
    expect(several.code).toBe("MultipleValidationErrors");
    expect(several.errors?.map((error) => error.code).sort()).toEqual([
      "InvalidParameterType",
      "MissingRequiredParameter",
      "UnexpectedParameter",
    ]);
  });

  it("answers the registry operations", async () => {
    const registered = await batch
      .registerJobDefinition({
        jobDefinitionName: definition,
        type: "container",
        containerProperties: { command: EXIT_WITH_CODE },
      })
      .promise();
    expectShape("RegisterJobDefinition", registered);
    expectShape(
      "DescribeJobDefinitions",
      await batch.describeJobDefinitions({ jobDefinitionName: definition }).promise(),
    );
    expectShape("DescribeJobQueues", await batch.describeJobQueues({ jobQueues: [queue] }).promise());
    expectShape("DescribeComputeEnvironments", await batch.describeComputeEnvironments().promise());
    const terminateUnknown = (await batch
      .terminateJob({ jobId: randomUUID(), reason: "r" })
      .promise()
      .catch((error: unknown) => error)) as AWSError;
    expect(terminateUnknown.code).toBe("ClientException");
  });
});

describe("aws-sdk-v2 Batch: every method of the real AWS.Batch", () => {
  const onTarget = (target: string): Batch => new Batch({ batchMigrate: { env: { BATCH_MIGRATE_TARGET: target } } });

  it.runIf(isInstalled("aws-sdk/clients/batch"))("has each operation the real aws-sdk v2 client has", () => {
    const RealBatch = createRequire(import.meta.url)("aws-sdk/clients/batch") as new (options: object) => {
      api: { operations: Record<string, unknown> };
    };
    const operations = Object.keys(new RealBatch({ region: "us-east-1" }).api.operations);
    expect(operations).toContain("getJobQueueSnapshot");
    const shim = onTarget("salad") as unknown as Record<string, unknown>;
    expect(operations.filter((name) => typeof shim[name] !== "function")).toEqual([]);
  });

  it("rejects an unserved method with a ClientException naming the operation and the target", async () => {
    const batch = onTarget("salad");
    const error = (await batch
      .getJobQueueSnapshot({ jobQueue: "q" })
      .promise()
      .catch((e: unknown) => e)) as AWSError;
    expect(error).toMatchObject({ code: "ClientException", name: "ClientException", statusCode: 400 });
    expect(error.message).toMatch(
      /^GetJobQueueSnapshot is not served by the batch-migrate shim on target salad; it serves SubmitJob/,
    );
    const viaCallback = await new Promise<AWSError | null>((resolve) => {
      onTarget("local").getJobQueueSnapshot({ jobQueue: "q" }, (failure) => resolve(failure));
    });
    expect(viaCallback?.code).toBe("ClientException");
    expect(viaCallback?.message).toMatch(/on target local/);
    const viaMakeRequest = (await batch
      .makeRequest("getJobQueueSnapshot", { jobQueue: "q" })
      .promise()
      .catch((e: unknown) => e)) as AWSError;
    expect(viaMakeRequest.message).toMatch(/^GetJobQueueSnapshot is not served/);
  });

  it("gives requests v2's members: listeners, abort, isPageable, $response, and the callback-only form", async () => {
    const batch = onTarget("salad");
    const events: string[] = [];
    const request = batch
      .getJobQueueSnapshot({ jobQueue: "q" })
      .on("error", (error: AWSError) => events.push(`error ${error.code}`))
      .on("complete", () => events.push("complete"));
    expect(request.isPageable()).toBe(false);
    expect(request.httpRequest).toMatchObject({ method: "POST", path: "/v1/getjobqueuesnapshot" });
    await expect(request.promise()).rejects.toMatchObject({ code: "ClientException" });
    expect(events).toEqual(["error ClientException", "complete"]);
    const aborted = batch.listSchedulingPolicies().abort();
    await expect(aborted.promise()).rejects.toMatchObject({ code: "RequestAbortedError" });
    const viaCallbackOnly = await new Promise<AWSError>((resolve) =>
      batch.createJobQueue((error: AWSError) => resolve(error)),
    );
    expect(viaCallbackOnly.code).toBe("ClientException");
    expect(batch.config.region).toBeUndefined();
    batch.config.update({ region: "eu-west-1" });
    expect(batch.config.region).toBe("eu-west-1");
    await new Promise<void>((resolve) =>
      batch.config.getCredentials((error) => {
        expect(error?.code).toBe("CredentialsError");
        resolve();
      }),
    );
  });

  it("stands where an AWS.Batch is declared (checked by tsc -p runtime/tsconfig.test.json)", () => {
    const declared: AwsBatch = onTarget("salad");
    expect(typeof declared.getJobQueueSnapshot).toBe("function");
  });

  it("carries v2's Service members: apiVersions, endpoint, waitFor without waiters", () => {
    const batch = new Batch({ region: "eu-west-1", batchMigrate: { env: { BATCH_MIGRATE_TARGET: "salad" } } });
    expect(batch.apiVersions).toEqual(["2016-08-10"]);
    expect(batch.endpoint).toMatchObject({ host: "batch.eu-west-1.amazonaws.com", port: 443, protocol: "https:" });
    expect(() => batch.waitFor("jobComplete")).toThrow(expect.objectContaining({ code: "StateNotFoundError" }));
  });
});
