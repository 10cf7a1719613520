// AWS Batch's admin operations on the executor's AWS face, driven by the real clients (@aws-sdk/client-batch v3,
// aws-sdk v2, boto3) with only the endpoint changed, then through both shims on target local: compute environments,
// job queues and scheduling policies with the service's rules, and jobs submitted to a queue made that way.
import { execFile, spawnSync } from "node:child_process";
import {
  BatchClient,
  CreateComputeEnvironmentCommand,
  CreateJobQueueCommand,
  CreateSchedulingPolicyCommand,
  DeleteComputeEnvironmentCommand,
  DeleteJobQueueCommand,
  DeleteSchedulingPolicyCommand,
  DeregisterJobDefinitionCommand,
  DescribeComputeEnvironmentsCommand,
  DescribeJobDefinitionsCommand,
  DescribeJobQueuesCommand,
  DescribeJobsCommand,
  DescribeSchedulingPoliciesCommand,
  ListSchedulingPoliciesCommand,
  RegisterJobDefinitionCommand,
  SubmitJobCommand,
  UpdateComputeEnvironmentCommand,
  UpdateJobQueueCommand,
  UpdateSchedulingPolicyCommand,
  paginateDescribeComputeEnvironments,
} from "@aws-sdk/client-batch";
import AWS from "aws-sdk";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as shimV3 from "../src/shim/client-batch.js";
import ShimV2 from "../src/shim/aws-sdk-v2.js";
import { NODE, aws, startTestExecutor, temporaryDirectory } from "./helpers.js";
import { PYTHON_ROOT, expectShape, poll } from "./shim-helpers.js";

type Executor = Awaited<ReturnType<typeof startTestExecutor>>;
// Any v3 command: BatchClient.send's overloads do not accept a union of them.
// oxlint-disable-next-line no-explicit-any
type AnyCommand = any;

const hasBoto3 = spawnSync("python3", ["-c", "import boto3"], { stdio: "ignore" }).status === 0;

const EC2_RESOURCES = {
  type: "EC2" as const,
  minvCpus: 0,
  maxvCpus: 16,
  instanceTypes: ["optimal"],
  subnets: ["subnet-0abc"],
  securityGroupIds: ["sg-0abc"],
  instanceRole: "arn:aws:iam::000000000000:instance-profile/ecsInstanceRole",
};

function rejection(promise: Promise<unknown>): Promise<{ name?: string; message?: string; $metadata?: object }> {
  return promise.then(
    () => ({ name: "resolved" }),
    (error: { name?: string; message?: string; $metadata?: object }) => error,
  );
}

function runPython(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "python3",
      ["-c", script, ...args],
      {
        env: { ...process.env, AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null", ...env },
        timeout: 60_000,
      },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
}

describe("admin operations through @aws-sdk/client-batch on the AWS face", () => {
  let executor: Executor;
  let v3: BatchClient;
  const responses: [string, object][] = [];

  async function send<T extends object>(operation: string, command: AnyCommand): Promise<T> {
    const response = (await v3.send(command as SubmitJobCommand)) as unknown as T;
    const { $metadata: _metadata, ...body } = response as { $metadata?: unknown };
    responses.push([operation, body]);
    return response;
  }

  beforeAll(async () => {
    executor = await startTestExecutor();
    const credentials = { accessKeyId: executor.apiKey, secretAccessKey: "not-checked" };
    v3 = new BatchClient({ endpoint: executor.url, region: "us-east-1", credentials, maxAttempts: 1 });
  });
  afterAll(() => executor.cleanup());

  it("creates compute environments and a queue, runs a job on it, and deletes them in AWS's order", async () => {
    const unmanaged = await send<{ computeEnvironmentArn: string; computeEnvironmentName: string }>(
      "CreateComputeEnvironment",
      new CreateComputeEnvironmentCommand({ computeEnvironmentName: "admin-ce", type: "UNMANAGED", unmanagedvCpus: 4 }),
    );
    expect(unmanaged).toMatchObject({
      computeEnvironmentName: "admin-ce",
      computeEnvironmentArn: "arn:aws:batch:us-east-1:000000000000:compute-environment/admin-ce",
    });
    await send(
      "CreateComputeEnvironment",
      new CreateComputeEnvironmentCommand({
        computeEnvironmentName: "admin-managed",
        type: "MANAGED",
        state: "ENABLED",
        computeResources: EC2_RESOURCES,
        tags: { team: "data" },
      }),
    );
    const described = await send<{ computeEnvironments: Record<string, unknown>[] }>(
      "DescribeComputeEnvironments",
      new DescribeComputeEnvironmentsCommand({
        computeEnvironments: ["admin-managed", unmanaged.computeEnvironmentArn],
      }),
    );
    expect(described.computeEnvironments).toHaveLength(2);
    expect(described.computeEnvironments.find((item) => item.type === "MANAGED")).toMatchObject({
      state: "ENABLED",
      status: "VALID",
      statusReason: "ComputeEnvironment Healthy",
      computeResources: EC2_RESOURCES,
      tags: { team: "data" },
      containerOrchestrationType: "ECS",
      ecsClusterArn: expect.stringMatching(/^arn:aws:ecs:us-east-1:000000000000:cluster\/admin-managed_Batch_/),
    });
    const pages = [];
    for await (const page of paginateDescribeComputeEnvironments({ client: v3, pageSize: 1 }, {}))
      pages.push(page.computeEnvironments?.map((item) => item.computeEnvironmentName));
    expect(pages).toEqual([["admin-ce"], ["admin-managed"]]);

    const queue = await send<{ jobQueueArn: string }>(
      "CreateJobQueue",
      new CreateJobQueueCommand({
        jobQueueName: "admin-queue",
        priority: 5,
        computeEnvironmentOrder: [
          { order: 1, computeEnvironment: "admin-managed" },
          { order: 2, computeEnvironment: unmanaged.computeEnvironmentArn },
        ],
      }),
    );
    expect(queue.jobQueueArn).toBe("arn:aws:batch:us-east-1:000000000000:job-queue/admin-queue");
    const queues = await send<{ jobQueues: Record<string, unknown>[] }>(
      "DescribeJobQueues",
      new DescribeJobQueuesCommand({ jobQueues: [queue.jobQueueArn] }),
    );
    expect(queues.jobQueues[0]).toMatchObject({
      jobQueueName: "admin-queue",
      state: "ENABLED",
      status: "VALID",
      priority: 5,
      computeEnvironmentOrder: [
        { order: 1, computeEnvironment: "arn:aws:batch:us-east-1:000000000000:compute-environment/admin-managed" },
        { order: 2, computeEnvironment: unmanaged.computeEnvironmentArn },
      ],
    });

    const definition = await send<{ jobDefinitionArn: string }>(
      "RegisterJobDefinition",
      new RegisterJobDefinitionCommand({
        jobDefinitionName: "admin-def",
        type: "container",
        containerProperties: { image: "busybox", command: [NODE, "-e", "console.log(process.env.AWS_BATCH_CE_NAME)"] },
      }),
    );
    const submitted = await send<{ jobId: string }>(
      "SubmitJob",
      new SubmitJobCommand({ jobName: "on-admin-queue", jobQueue: "admin-queue", jobDefinition: "admin-def" }),
    );
    const done = await poll(
      () => send<{ jobs: { status: string }[] }>("DescribeJobs", new DescribeJobsCommand({ jobs: [submitted.jobId] })),
      (answer) => ["SUCCEEDED", "FAILED"].includes(answer.jobs[0]?.status ?? ""),
    );
    expect(done.jobs[0]).toMatchObject({ status: "SUCCEEDED", jobQueue: queue.jobQueueArn });

    // Deleting takes AWS's order: disable the queue, delete it, disable the environments, delete them.
    expect(await rejection(v3.send(new DeleteJobQueueCommand({ jobQueue: "admin-queue" })))).toMatchObject({
      name: "ClientException",
      message: expect.stringMatching(/must be DISABLED/),
    });
    expect(
      await rejection(
        v3
          .send(new UpdateComputeEnvironmentCommand({ computeEnvironment: "admin-managed", state: "DISABLED" }))
          .then(() => v3.send(new DeleteComputeEnvironmentCommand({ computeEnvironment: "admin-managed" }))),
      ),
    ).toMatchObject({
      name: "ClientException",
      message: expect.stringMatching(/associated with job queue admin-queue/),
    });
    await send("UpdateJobQueue", new UpdateJobQueueCommand({ jobQueue: "admin-queue", state: "DISABLED" }));
    await send("DeleteJobQueue", new DeleteJobQueueCommand({ jobQueue: "admin-queue" }));
    expect((await v3.send(new DescribeJobQueuesCommand({ jobQueues: ["admin-queue"] }))).jobQueues).toEqual([]);
    await send(
      "DeleteComputeEnvironment",
      new DeleteComputeEnvironmentCommand({ computeEnvironment: "admin-managed" }),
    );
    expect(
      await rejection(v3.send(new DeleteComputeEnvironmentCommand({ computeEnvironment: "admin-ce" }))),
    ).toMatchObject({ name: "ClientException", $metadata: { httpStatusCode: 400 } });
    await send(
      "UpdateComputeEnvironment",
      new UpdateComputeEnvironmentCommand({ computeEnvironment: "admin-ce", state: "DISABLED" }),
    );
    await send("DeleteComputeEnvironment", new DeleteComputeEnvironmentCommand({ computeEnvironment: "admin-ce" }));
    expect((await v3.send(new DescribeComputeEnvironmentsCommand({}))).computeEnvironments).toEqual([]);

    await send(
      "DeregisterJobDefinition",
      new DeregisterJobDefinitionCommand({ jobDefinition: definition.jobDefinitionArn }),
    );
    const definitions = await send<{ jobDefinitions: { status: string }[] }>(
      "DescribeJobDefinitions",
      new DescribeJobDefinitionsCommand({ jobDefinitions: [definition.jobDefinitionArn] }),
    );
    expect(definitions.jobDefinitions[0]?.status).toBe("INACTIVE");
  });

  it("refuses what AWS Batch refuses, with a ClientException", async () => {
    const refused = async (command: AnyCommand, message: RegExp) =>
      expect(await rejection(v3.send(command as SubmitJobCommand))).toMatchObject({
        name: "ClientException",
        $metadata: { httpStatusCode: 400 },
        message: expect.stringMatching(message),
      });
    await refused(
      new CreateComputeEnvironmentCommand({ computeEnvironmentName: "no-resources", type: "MANAGED" }),
      /computeResources must be specified/,
    );
    await refused(
      new CreateComputeEnvironmentCommand({
        computeEnvironmentName: "no-role",
        type: "MANAGED",
        computeResources: { ...EC2_RESOURCES, instanceRole: undefined },
      }),
      /Instance role is required/,
    );
    await refused(
      new CreateComputeEnvironmentCommand({
        computeEnvironmentName: "fargate-types",
        type: "MANAGED",
        computeResources: { type: "FARGATE", maxvCpus: 4, subnets: ["subnet-1"], instanceTypes: ["m5.large"] },
      }),
      /instanceTypes isn't applicable to Fargate/,
    );
    await refused(
      new CreateComputeEnvironmentCommand({ computeEnvironmentName: "-leading-hyphen", type: "UNMANAGED" }),
      /Compute environment name does not match/,
    );
    await v3.send(new CreateComputeEnvironmentCommand({ computeEnvironmentName: "rules-ec2", type: "UNMANAGED" }));
    await v3.send(
      new CreateComputeEnvironmentCommand({
        computeEnvironmentName: "rules-fargate",
        type: "MANAGED",
        computeResources: { type: "FARGATE", maxvCpus: 4, subnets: ["subnet-1"] },
      }),
    );
    await refused(
      new CreateComputeEnvironmentCommand({ computeEnvironmentName: "rules-ec2", type: "UNMANAGED" }),
      /already exists/,
    );
    await refused(
      new CreateJobQueueCommand({
        jobQueueName: "mixed",
        priority: 1,
        computeEnvironmentOrder: [
          { order: 1, computeEnvironment: "rules-ec2" },
          { order: 2, computeEnvironment: "rules-fargate" },
        ],
      }),
      /can't be mixed/,
    );
    await refused(
      new CreateJobQueueCommand({
        jobQueueName: "missing-ce",
        priority: 1,
        computeEnvironmentOrder: [{ order: 1, computeEnvironment: "nope" }],
      }),
      /compute environment nope does not exist/,
    );
    await refused(
      new CreateJobQueueCommand({ jobQueueName: "no-ce", priority: 1, computeEnvironmentOrder: [] }),
      /at least 1 compute environment/,
    );
    await refused(
      new UpdateComputeEnvironmentCommand({ computeEnvironment: "rules-ec2", computeResources: { maxvCpus: 4 } }),
      /UNMANAGED/,
    );
    await v3.send(
      new CreateJobQueueCommand({
        jobQueueName: "fifo",
        priority: 1,
        computeEnvironmentOrder: [{ order: 1, computeEnvironment: "rules-ec2" }],
      }),
    );
    const policy = await v3.send(
      new CreateSchedulingPolicyCommand({
        name: "fair",
        fairsharePolicy: {
          shareDecaySeconds: 3600,
          shareDistribution: [{ shareIdentifier: "teamA", weightFactor: 1 }],
        },
      }),
    );
    const policyArn = policy.arn ?? "";
    expect(policyArn).toBe("arn:aws:batch:us-east-1:000000000000:scheduling-policy/fair");
    await refused(
      new UpdateJobQueueCommand({ jobQueue: "fifo", schedulingPolicyArn: policyArn }),
      /first-in, first-out/,
    );
    await v3.send(
      new CreateJobQueueCommand({
        jobQueueName: "fair-queue",
        priority: 1,
        schedulingPolicyArn: policyArn,
        computeEnvironmentOrder: [{ order: 1, computeEnvironment: "rules-ec2" }],
      }),
    );
    await v3.send(
      new RegisterJobDefinitionCommand({
        jobDefinitionName: "rules-def",
        type: "container",
        containerProperties: { image: "busybox", command: [NODE, "-e", ""] },
      }),
    );
    await refused(
      new SubmitJobCommand({ jobName: "j", jobQueue: "fair-queue", jobDefinition: "rules-def" }),
      /shareIdentifier is required/,
    );
    await refused(
      new SubmitJobCommand({ jobName: "j", jobQueue: "fifo", jobDefinition: "rules-def", shareIdentifier: "teamA" }),
      /fair-share job queues only/,
    );
    const fairJob = await v3.send(
      new SubmitJobCommand({
        jobName: "j",
        jobQueue: "fair-queue",
        jobDefinition: "rules-def",
        shareIdentifier: "teamA",
      }),
    );
    expect(fairJob.jobId).toMatch(/^[0-9a-f-]{36}$/);
    await refused(new DeleteSchedulingPolicyCommand({ arn: policyArn }), /used by job queue fair-queue/);
    await v3.send(new UpdateSchedulingPolicyCommand({ arn: policyArn, fairsharePolicy: { computeReservation: 50 } }));
    const policies = await v3.send(new DescribeSchedulingPoliciesCommand({ arns: [policyArn] }));
    expectShape("DescribeSchedulingPolicies", { schedulingPolicies: policies.schedulingPolicies });
    expect(policies.schedulingPolicies?.[0]).toMatchObject({
      name: "fair",
      fairsharePolicy: { computeReservation: 50 },
    });
    expect((await v3.send(new ListSchedulingPoliciesCommand({}))).schedulingPolicies).toEqual([{ arn: policyArn }]);
  });

  it("refuses members the model lacks and wrong types, which the SDKs would never send", async () => {
    const unknown = await aws(executor, "CreateComputeEnvironment", {
      computeEnvironmentName: "typo",
      type: "MANAGED",
      computeResources: { ...EC2_RESOURCES, maxVcpus: 4 },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ __type: "ClientException", message: expect.stringMatching(/maxVcpus/) });
    const wrongType = await aws(executor, "CreateJobQueue", { jobQueueName: "q", priority: "high" });
    expect(wrongType.body).toMatchObject({
      __type: "ClientException",
      message: 'priority must be an integer, not string "high"',
    });
    const missing = await aws(executor, "CreateJobQueue", { jobQueueName: "q" });
    expect(missing.body).toMatchObject({ message: "priority is required" });
  });

  it("answers in the model's shapes", () => {
    expect(responses.length).toBeGreaterThan(10);
    for (const [operation, response] of responses) expectShape(operation, response);
  });
});

describe("CREATING and DELETING stay visible for the settle time", () => {
  let executor: Executor;
  beforeAll(async () => {
    executor = await startTestExecutor({ adminSettleMs: 400 });
  });
  afterAll(() => executor.cleanup());

  it("refuses a queue on a compute environment that is not VALID yet, then accepts it", async () => {
    await aws(executor, "CreateComputeEnvironment", { computeEnvironmentName: "slow-ce", type: "UNMANAGED" });
    const creating = await aws<{ computeEnvironments: { status: string }[] }>(executor, "DescribeComputeEnvironments", {
      computeEnvironments: ["slow-ce"],
    });
    expect(creating.body.computeEnvironments[0]?.status).toBe("CREATING");
    const early = await aws(executor, "CreateJobQueue", {
      jobQueueName: "slow-queue",
      priority: 1,
      computeEnvironmentOrder: [{ order: 1, computeEnvironment: "slow-ce" }],
    });
    expect(early.body).toMatchObject({ __type: "ClientException", message: expect.stringMatching(/must be VALID/) });
    await poll(
      () => aws<{ computeEnvironments: { status: string }[] }>(executor, "DescribeComputeEnvironments", {}),
      (answer) => answer.body.computeEnvironments[0]?.status === "VALID",
    );
    await aws(executor, "UpdateComputeEnvironment", { computeEnvironment: "slow-ce", state: "DISABLED" });
    await poll(
      () => aws<{ computeEnvironments: { status: string }[] }>(executor, "DescribeComputeEnvironments", {}),
      (answer) => answer.body.computeEnvironments[0]?.status === "VALID",
    );
    expect((await aws(executor, "DeleteComputeEnvironment", { computeEnvironment: "slow-ce" })).status).toBe(200);
    const deleting = await aws<{ computeEnvironments: { status: string }[] }>(
      executor,
      "DescribeComputeEnvironments",
      {},
    );
    expect(deleting.body.computeEnvironments.map((item) => item.status)).toEqual(["DELETING"]);
    await poll(
      () => aws<{ computeEnvironments: unknown[] }>(executor, "DescribeComputeEnvironments", {}),
      (answer) => answer.body.computeEnvironments.length === 0,
    );
  });
});

describe("aws-sdk v2 and boto3 against the AWS face", () => {
  let executor: Executor;
  beforeAll(async () => {
    executor = await startTestExecutor();
  });
  afterAll(() => executor.cleanup());

  it("aws-sdk v2 creates, updates and deletes a compute environment and a queue", async () => {
    const credentials = { accessKeyId: executor.apiKey, secretAccessKey: "not-checked" };
    const v2 = new AWS.Batch({ endpoint: executor.url, region: "us-east-1", credentials, maxRetries: 0 });
    const environment = await v2
      .createComputeEnvironment({ computeEnvironmentName: "v2-ce", type: "MANAGED", computeResources: EC2_RESOURCES })
      .promise();
    expect(environment.computeEnvironmentName).toBe("v2-ce");
    await v2
      .createJobQueue({
        jobQueueName: "v2-queue",
        priority: 1,
        computeEnvironmentOrder: [{ order: 1, computeEnvironment: environment.computeEnvironmentArn ?? "" }],
      })
      .promise();
    const queues = await v2.describeJobQueues({ jobQueues: ["v2-queue"] }).promise();
    expect(queues.jobQueues?.[0]).toMatchObject({ status: "VALID", state: "ENABLED" });
    await v2.updateJobQueue({ jobQueue: "v2-queue", state: "DISABLED", priority: 9 }).promise();
    await v2.deleteJobQueue({ jobQueue: "v2-queue" }).promise();
    await v2
      .updateComputeEnvironment({ computeEnvironment: "v2-ce", state: "DISABLED", computeResources: { maxvCpus: 32 } })
      .promise();
    const updated = await v2.describeComputeEnvironments({ computeEnvironments: ["v2-ce"] }).promise();
    expect(updated.computeEnvironments?.[0]).toMatchObject({ state: "DISABLED", computeResources: { maxvCpus: 32 } });
    await v2.deleteComputeEnvironment({ computeEnvironment: "v2-ce" }).promise();
    const gone = await v2
      .deleteComputeEnvironment({ computeEnvironment: "v2-ce" })
      .promise()
      .catch((error) => error);
    expect(gone).toMatchObject({ code: "ClientException", statusCode: 400 });
  });

  it.skipIf(!hasBoto3)("boto3 creates a compute environment and a queue, runs a job, and deletes them", async () => {
    const out = JSON.parse(await runPython(BOTO3_FLOW, [executor.url, executor.apiKey, NODE])) as Record<
      string,
      unknown
    >;
    expect(out).toEqual(BOTO3_EXPECTED);
  });
});

/** One script for real boto3 (endpoint_url) and for the shim's boto3 on target local: the same calls, the same answers. */
const BOTO3_FLOW = String.raw`
import json, sys, time
url, key, node = sys.argv[1], sys.argv[2], sys.argv[3]
if len(sys.argv) > 4:
    from batch_migrate_runtime import boto3
    batch = boto3.client("batch", region_name="us-east-1")
else:
    import boto3
    batch = boto3.client("batch", endpoint_url=url, region_name="us-east-1", aws_access_key_id=key, aws_secret_access_key="x")
from botocore.exceptions import ClientError
out = {}
ce = batch.create_compute_environment(computeEnvironmentName="py-ce", type="UNMANAGED", serviceRole="arn:aws:iam::000000000000:role/batch")
out["ce_arn"] = ce["computeEnvironmentArn"]
out["ce_status"] = batch.describe_compute_environments(computeEnvironments=["py-ce"])["computeEnvironments"][0]["status"]
queue = batch.create_job_queue(jobQueueName="py-queue", state="ENABLED", priority=1,
                               computeEnvironmentOrder=[{"order": 1, "computeEnvironment": ce["computeEnvironmentArn"]}])
out["queue_arn"] = queue["jobQueueArn"]
definition = batch.register_job_definition(jobDefinitionName="py-def", type="container",
    containerProperties={"image": "busybox", "vcpus": 1, "memory": 128, "command": [node, "-e", ""]})
job = batch.submit_job(jobName="py-job", jobQueue=queue["jobQueueArn"], jobDefinition=definition["jobDefinitionArn"])
deadline = time.time() + 30
while True:
    status = batch.describe_jobs(jobs=[job["jobId"]])["jobs"][0]["status"]
    if status in ("SUCCEEDED", "FAILED") or time.time() > deadline:
        break
    time.sleep(0.05)
out["job"] = status
try:
    batch.delete_compute_environment(computeEnvironment="py-ce")
except ClientError as error:
    out["delete_enabled"] = error.response["Error"]["Code"]
batch.update_job_queue(jobQueue="py-queue", state="DISABLED")
batch.delete_job_queue(jobQueue="py-queue")
batch.update_compute_environment(computeEnvironment="py-ce", state="DISABLED")
batch.delete_compute_environment(computeEnvironment="py-ce")
out["left"] = [len(batch.describe_job_queues(jobQueues=["py-queue"])["jobQueues"]),
               len(batch.describe_compute_environments(computeEnvironments=["py-ce"])["computeEnvironments"])]
policy = batch.create_scheduling_policy(name="py-policy", fairsharePolicy={"shareDecaySeconds": 60})
out["policies"] = [p["arn"] for p in batch.get_paginator("list_scheduling_policies").paginate().build_full_result()["schedulingPolicies"]]
batch.delete_scheduling_policy(arn=policy["arn"])
batch.deregister_job_definition(jobDefinition=definition["jobDefinitionArn"])
print(json.dumps(out))
`;

const BOTO3_EXPECTED = {
  ce_arn: "arn:aws:batch:us-east-1:000000000000:compute-environment/py-ce",
  ce_status: "VALID",
  queue_arn: "arn:aws:batch:us-east-1:000000000000:job-queue/py-queue",
  job: "SUCCEEDED",
  delete_enabled: "ClientException",
  left: [0, 0],
  policies: ["arn:aws:batch:us-east-1:000000000000:scheduling-policy/py-policy"],
};

describe("both shims serve the admin operations on target local, and only there", () => {
  let executor: Executor;
  beforeAll(async () => {
    executor = await startTestExecutor();
  });
  afterAll(() => executor.cleanup());
  const localEnv = () => ({ BATCH_MIGRATE_TARGET: "local", CC_BASE_URL: executor.url, CC_API_KEY: executor.apiKey });

  it("client-batch: a test fixture's compute environment, queue and job run on the executor", async () => {
    const client = new shimV3.BatchClient({ region: "us-east-1", batchMigrate: { env: localEnv() } });
    const environment = await client.send(
      new shimV3.CreateComputeEnvironmentCommand({ computeEnvironmentName: "shim-ce", type: "UNMANAGED" }),
    );
    expect(environment).toMatchObject({ computeEnvironmentName: "shim-ce", $metadata: { httpStatusCode: 200 } });
    await client.send(
      new shimV3.CreateJobQueueCommand({
        jobQueueName: "shim-queue",
        priority: 1,
        computeEnvironmentOrder: [{ order: 1, computeEnvironment: environment.computeEnvironmentArn }],
      }),
    );
    await client.send(
      new shimV3.RegisterJobDefinitionCommand({
        jobDefinitionName: "shim-def",
        type: "container",
        containerProperties: { image: "busybox", command: [NODE, "-e", ""] },
      }),
    );
    const job = await client.send(
      new shimV3.SubmitJobCommand({ jobName: "shim-job", jobQueue: "shim-queue", jobDefinition: "shim-def" }),
    );
    await poll(
      () => client.send(new shimV3.DescribeJobsCommand({ jobs: [job.jobId] })),
      (answer) => answer.jobs?.[0]?.status === "SUCCEEDED",
    );
    const unexpected = await rejection(
      client.send(
        new shimV3.CreateJobQueueCommand({
          jobQueueName: "x",
          priority: 1,
          computeEnvironmentOrder: [],
          colour: "red",
        }),
      ),
    );
    expect(unexpected).toMatchObject({
      name: "ClientException",
      message: expect.stringMatching(/Unexpected key 'colour'/),
    });
    await client.send(new shimV3.UpdateJobQueueCommand({ jobQueue: "shim-queue", state: "DISABLED" }));
    await client.send(new shimV3.DeleteJobQueueCommand({ jobQueue: "shim-queue" }));
    const v2 = new ShimV2({ region: "us-east-1", batchMigrate: { env: localEnv() } });
    await v2.updateComputeEnvironment({ computeEnvironment: "shim-ce", state: "DISABLED" }).promise();
    await v2.deleteComputeEnvironment({ computeEnvironment: "shim-ce" }).promise();
    expect(
      (await v2.describeComputeEnvironments({ computeEnvironments: ["shim-ce"] }).promise()).computeEnvironments,
    ).toEqual([]);
  });

  it("client-batch and aws-sdk v2 refuse them on Common Compute with a ClientException that says why", async () => {
    const env = { BATCH_MIGRATE_TARGET: "common-compute", CC_BASE_URL: executor.url, CC_API_KEY: executor.apiKey };
    const client = new shimV3.BatchClient({ region: "us-east-1", batchMigrate: { env } });
    expect(
      await rejection(
        client.send(new shimV3.CreateComputeEnvironmentCommand({ computeEnvironmentName: "x", type: "UNMANAGED" })),
      ),
    ).toMatchObject({
      name: "ClientException",
      message: expect.stringMatching(
        /CreateComputeEnvironment is not served by the batch-migrate shim on target common-compute/,
      ),
    });
    const v2 = new ShimV2({ region: "us-east-1", batchMigrate: { env } });
    const refused = await v2
      .createJobQueue({ jobQueueName: "q", priority: 1 })
      .promise()
      .catch((error: { code?: string; message?: string }) => error);
    expect(refused).toMatchObject({ code: "ClientException", message: expect.stringMatching(/not served/) });
  });

  it.skipIf(!hasBoto3)("the Python shim on target local answers the boto3 flow as real boto3 does", async () => {
    const out = JSON.parse(
      await runPython(BOTO3_FLOW, [executor.url, executor.apiKey, NODE, "shim"], {
        ...localEnv(),
        PYTHONPATH: PYTHON_ROOT,
      }),
    ) as Record<string, unknown>;
    expect(out).toEqual(BOTO3_EXPECTED);
  });
});

describe("with no target configured the admin calls go to the real SDKs, as every other call does", () => {
  let executor: Executor;
  beforeAll(async () => {
    executor = await startTestExecutor();
  });
  afterAll(() => executor.cleanup());

  it("client-batch, aws-sdk v2 and the Python shim hand them to the real client (here pointed at the executor)", async () => {
    const config = path.join(temporaryDirectory(), "migrate.config.json");
    writeFileSync(config, JSON.stringify({}));
    const env = { BATCH_MIGRATE_CONFIG: config };
    const credentials = { accessKeyId: executor.apiKey, secretAccessKey: "not-checked" };
    const v3 = new shimV3.BatchClient({
      endpoint: executor.url,
      region: "us-east-1",
      credentials,
      maxAttempts: 1,
      batchMigrate: { env },
    });
    expect(v3).toBeInstanceOf(BatchClient);
    await v3.send(new shimV3.CreateComputeEnvironmentCommand({ computeEnvironmentName: "aws-ce", type: "UNMANAGED" }));
    const v2 = new ShimV2({ endpoint: executor.url, region: "us-east-1", credentials, batchMigrate: { env } });
    await v2
      .createJobQueue({
        jobQueueName: "aws-queue",
        priority: 1,
        computeEnvironmentOrder: [{ order: 1, computeEnvironment: "aws-ce" }],
      })
      .promise();
    const script = [
      "import sys",
      "from batch_migrate_runtime import boto3",
      'batch = boto3.client("batch", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id=sys.argv[2], aws_secret_access_key="x")',
      'print(type(batch).__module__.split(".")[0], batch.describe_job_queues(jobQueues=["aws-queue"])["jobQueues"][0]["status"])',
    ].join("\n");
    if (hasBoto3)
      expect(
        (await runPython(script, [executor.url, executor.apiKey], { ...env, PYTHONPATH: PYTHON_ROOT })).trim(),
      ).toBe("botocore VALID");
    const queues = await aws<{ jobQueues: { jobQueueName: string }[] }>(executor, "DescribeJobQueues", {});
    expect(queues.body.jobQueues.map((queue) => queue.jobQueueName)).toEqual(["aws-queue"]);
  });
});
