// TagResource / UntagResource / ListTagsForResource on the executor's AWS Batch face, driven by the three real
// clients (boto3, @aws-sdk/client-batch v3, aws-sdk v2) with only the endpoint changed; and `timeout` given as a
// number, which is a 400 ClientException as on AWS.
import { execFile, spawnSync } from "node:child_process";
import {
  BatchClient,
  CreateJobQueueCommand,
  ListTagsForResourceCommand,
  RegisterJobDefinitionCommand,
  SubmitJobCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-batch";
import AWS from "aws-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NODE, aws, startTestExecutor } from "./helpers.js";

type Executor = Awaited<ReturnType<typeof startTestExecutor>>;

const hasBoto3 = spawnSync("python3", ["-c", "import boto3"], { stdio: "ignore" }).status === 0;

const BOTO3_SCRIPT = String.raw`
import json, sys
import boto3
from botocore.exceptions import ClientError
url, key, arn = sys.argv[1], sys.argv[2], sys.argv[3]
batch = boto3.client("batch", endpoint_url=url, region_name="us-east-1",
                     aws_access_key_id=key, aws_secret_access_key="not-checked")
out = {}
batch.tag_resource(resourceArn=arn, tags={"team": "data", "cost": "42"})
out["after_tag"] = batch.list_tags_for_resource(resourceArn=arn)["tags"]
batch.untag_resource(resourceArn=arn, tagKeys=["cost"])
out["after_untag"] = batch.list_tags_for_resource(resourceArn=arn)["tags"]
try:
    batch.list_tags_for_resource(resourceArn=arn.rsplit("/", 1)[0] + "/missing")
except ClientError as error:
    out["missing"] = [error.response["Error"]["Code"], error.response["ResponseMetadata"]["HTTPStatusCode"]]
try:
    batch.tag_resource(resourceArn=arn, tags={"aws:owner": "me"})
except ClientError as error:
    out["reserved"] = error.response["Error"]["Code"]
print(json.dumps(out))
`;

describe("tag operations on the AWS Batch face", () => {
  let executor: Executor;
  let v3: BatchClient;
  let v2: AWS.Batch;
  let queueArn: string;
  let definitionArn: string;
  let jobArn: string;

  beforeAll(async () => {
    executor = await startTestExecutor();
    const credentials = { accessKeyId: executor.apiKey, secretAccessKey: "not-checked" };
    v3 = new BatchClient({ endpoint: executor.url, region: "us-east-1", credentials, maxAttempts: 1 });
    v2 = new AWS.Batch({ endpoint: executor.url, region: "us-east-1", credentials, maxRetries: 0 });
    await aws(executor, "CreateComputeEnvironment", { computeEnvironmentName: "tag-ce", type: "UNMANAGED" });
    const queue = await v3.send(
      new CreateJobQueueCommand({
        jobQueueName: "tag-queue",
        priority: 1,
        computeEnvironmentOrder: [{ order: 1, computeEnvironment: "tag-ce" }],
        tags: { created: "yes" },
      }),
    );
    queueArn = queue.jobQueueArn ?? "";
    const definition = await v3.send(
      new RegisterJobDefinitionCommand({
        jobDefinitionName: "tag-def",
        type: "container",
        containerProperties: { image: "busybox", command: [NODE, "-e", ""], vcpus: 1, memory: 128 },
      }),
    );
    definitionArn = definition.jobDefinitionArn ?? "";
    const job = await v3.send(
      new SubmitJobCommand({ jobName: "tagged", jobQueue: "tag-queue", jobDefinition: "tag-def" }),
    );
    jobArn = job.jobArn ?? "";
  });
  afterAll(() => executor.cleanup());

  it("@aws-sdk/client-batch tags, lists and untags a job queue (tags given at creation included)", async () => {
    await v3.send(new TagResourceCommand({ resourceArn: queueArn, tags: { team: "data" } }));
    expect((await v3.send(new ListTagsForResourceCommand({ resourceArn: queueArn }))).tags).toEqual({
      created: "yes",
      team: "data",
    });
    await v3.send(new UntagResourceCommand({ resourceArn: queueArn, tagKeys: ["created"] }));
    expect((await v3.send(new ListTagsForResourceCommand({ resourceArn: queueArn }))).tags).toEqual({ team: "data" });
    const missing = await v3
      .send(new ListTagsForResourceCommand({ resourceArn: queueArn.replace("tag-queue", "nope") }))
      .catch((error: unknown) => error);
    expect(missing).toMatchObject({ name: "ClientException", $metadata: { httpStatusCode: 400 } });
  });

  it("aws-sdk v2 tags a job definition and a job", async () => {
    await v2.tagResource({ resourceArn: definitionArn, tags: { stage: "dev" } }).promise();
    expect((await v2.listTagsForResource({ resourceArn: definitionArn }).promise()).tags).toEqual({ stage: "dev" });
    await v2.tagResource({ resourceArn: jobArn, tags: { run: "1" } }).promise();
    await v2.untagResource({ resourceArn: jobArn, tagKeys: ["run"] }).promise();
    expect((await v2.listTagsForResource({ resourceArn: jobArn }).promise()).tags).toEqual({});
    const tooLong = await v2
      .tagResource({ resourceArn: jobArn, tags: { ["k".repeat(129)]: "v" } })
      .promise()
      .catch((error: { code?: string; statusCode?: number }) => error);
    expect(tooLong).toMatchObject({ code: "ClientException", statusCode: 400 });
  });

  it.skipIf(!hasBoto3)("boto3 tags and untags a job definition", async () => {
    const result = await new Promise<{ failed: boolean; stdout: string; stderr: string }>((resolve) => {
      execFile(
        "python3",
        ["-c", BOTO3_SCRIPT, executor.url, executor.apiKey, definitionArn],
        {
          env: { ...process.env, AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null" },
          timeout: 30_000,
        },
        (error, stdout, stderr) => resolve({ failed: error !== null, stdout, stderr }),
      );
    });
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual({
      after_tag: { stage: "dev", team: "data", cost: "42" },
      after_untag: { stage: "dev", team: "data" },
      missing: ["ClientException", 400],
      reserved: "ClientException",
    });
  });

  it('answers "timeout": 10 (a number, not a JobTimeout) with a 400 ClientException', async () => {
    for (const operation of ["RegisterJobDefinition", "SubmitJob"] as const) {
      const body =
        operation === "SubmitJob"
          ? { jobName: "t", jobQueue: "tag-queue", jobDefinition: "tag-def", timeout: 10 }
          : { jobDefinitionName: "t", type: "container", containerProperties: { image: "x" }, timeout: 10 };
      const answer = await aws(executor, operation, body);
      expect(answer.status, operation).toBe(400);
      expect(answer.body, operation).toMatchObject({ __type: "ClientException" });
    }
  });
});
