import { execFile, spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NODE, aws, startTestExecutor } from "./helpers.js";

type Executor = Awaited<ReturnType<typeof startTestExecutor>>;

const hasBoto3 = spawnSync("python3", ["-c", "import boto3"], { stdio: "ignore" }).status === 0;

// Plain boto3, only endpoint_url changed; the access key id carries the executor's key.
const SCRIPT = String.raw`
import json, os, sys, time
import boto3
from botocore.exceptions import ClientError

url, key, node = sys.argv[1], sys.argv[2], sys.argv[3]
batch = boto3.client("batch", endpoint_url=url, region_name="us-east-1",
                     aws_access_key_id=key, aws_secret_access_key="not-checked")
out = {}
batch.create_compute_environment(computeEnvironmentName="boto-ce", type="MANAGED",
    computeResources={"type": "SPOT", "allocationStrategy": "SPOT_CAPACITY_OPTIMIZED", "minvCpus": 0, "maxvCpus": 16,
                      "subnets": ["subnet-1"], "instanceRole": "ecsInstanceRole"})
batch.create_job_queue(jobQueueName="boto-queue", priority=10,
    computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "boto-ce"}])
registered = batch.register_job_definition(jobDefinitionName="boto-def", type="container",
    parameters={"greeting": "hello"},
    containerProperties={"image": "python:3.12", "vcpus": 1, "memory": 512,
        "command": [node, "-e", "console.log(process.argv[1], process.env.AWS_BATCH_JOB_ARRAY_INDEX)", "Ref::greeting"]})
out["revision"] = registered["revision"]
submitted = batch.submit_job(jobName="boto-array", jobQueue="boto-queue", jobDefinition="boto-def",
    arrayProperties={"size": 3}, retryStrategy={"attempts": 2})
job_id = submitted["jobId"]
deadline = time.time() + 20
while True:
    job = batch.describe_jobs(jobs=[job_id])["jobs"][0]
    if job["status"] in ("SUCCEEDED", "FAILED") or time.time() > deadline:
        break
    time.sleep(0.05)
out["status"] = job["status"]
out["statusSummary"] = job["arrayProperties"]["statusSummary"]
out["createdAtType"] = type(job["createdAt"]).__name__
out["requestId"] = bool(batch.describe_jobs(jobs=[job_id])["ResponseMetadata"]["RequestId"])
child = batch.describe_jobs(jobs=[job_id + ":1"])["jobs"][0]
out["childIndex"] = child["arrayProperties"]["index"]
out["childStoppedAtType"] = type(child["stoppedAt"]).__name__
pages = batch.get_paginator("list_jobs").paginate(arrayJobId=job_id, jobStatus="SUCCEEDED",
    PaginationConfig={"PageSize": 2})
out["pageSizes"] = [len(page["jobSummaryList"]) for page in pages]
out["queues"] = [q["jobQueueName"] for q in batch.describe_job_queues()["jobQueues"]]
out["definitions"] = [d["jobDefinitionArn"] for d in batch.describe_job_definitions(jobDefinitionName="boto-def")["jobDefinitions"]]
try:
    batch.submit_job(jobName="bad", jobQueue="boto-queue", jobDefinition="boto-def",
        containerOverrides={"environment": [{"name": "AWS_BATCH_JOB_ID", "value": "x"}]})
    out["reserved"] = "accepted"
except batch.exceptions.ClientException as error:
    out["reserved"] = [error.response["Error"]["Code"], error.response["ResponseMetadata"]["HTTPStatusCode"]]
try:
    batch.describe_jobs(jobs=["id-%d" % index for index in range(101)])
except ClientError as error:
    out["tooMany"] = error.response["Error"]["Code"]
out["cancel"] = batch.cancel_job(jobId=job_id, reason="after the fact")["ResponseMetadata"]["HTTPStatusCode"]
stranger = boto3.client("batch", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="wrong-key", aws_secret_access_key="x")
try:
    stranger.list_jobs(jobQueue="boto-queue")
except ClientError as error:
    out["stranger"] = [error.response["Error"]["Code"], error.response["ResponseMetadata"]["HTTPStatusCode"]]
print(json.dumps(out))
`;

describe.skipIf(!hasBoto3)("plain boto3 against the AWS Batch face", () => {
  let executor: Executor;

  beforeAll(async () => {
    executor = await startTestExecutor();
  });
  afterAll(async () => {
    await executor.cleanup();
  });

  it("runs a whole array job through boto3.client('batch', endpoint_url=…)", async () => {
    // Asynchronous, so the executor in this process keeps answering while Python runs.
    const result = await new Promise<{ failed: boolean; stdout: string; stderr: string }>((resolve) => {
      execFile(
        "python3",
        ["-c", SCRIPT, executor.url, executor.apiKey, NODE],
        {
          env: { ...process.env, AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null" },
          timeout: 30_000,
        },
        (error, stdout, stderr) => resolve({ failed: error !== null, stdout, stderr }),
      );
    });
    expect(result.stderr).toBe("");
    expect(result.failed).toBe(false);
    const out = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({
      revision: 1,
      status: "SUCCEEDED",
      statusSummary: { SUCCEEDED: 3, FAILED: 0 },
      createdAtType: "int",
      requestId: true,
      childIndex: 1,
      childStoppedAtType: "int",
      pageSizes: [2, 1],
      queues: ["boto-queue"],
      definitions: ["arn:aws:batch:us-east-1:000000000000:job-definition/boto-def:1"],
      reserved: ["ClientException", 400],
      tooMany: "ClientException",
      cancel: 200,
      stranger: ["UnrecognizedClientException", 401],
    });
  });
});

describe("the AWS face's wire format", () => {
  it("answers errors with x-amzn-ErrorType and a __type body, and refuses oversized bodies", async () => {
    const executor = await startTestExecutor({ maxBodyBytes: 1024 });
    try {
      const unknown = await aws(executor, "DescribeJobQueuez", {});
      expect(unknown).toMatchObject({ status: 400, errorType: "ClientException", body: { __type: "ClientException" } });
      const oversized = await aws(executor, "SubmitJob", { jobName: "x".repeat(2048) });
      expect(oversized.status).toBe(413);
      const unsigned = await fetch(`${executor.url}/v1/listjobs`, { method: "POST", body: "{}" });
      expect(unsigned.status).toBe(401);
      expect(unsigned.headers.get("x-amzn-errortype")).toBe("UnrecognizedClientException");
    } finally {
      await executor.cleanup();
    }
  });
});
