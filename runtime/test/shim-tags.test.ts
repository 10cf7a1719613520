// TagResource / UntagResource / ListTagsForResource through both shims (TypeScript client-batch and aws-sdk v2,
// Python boto3) on local, common-compute and salad, against the executor's faces: on local the executor's AWS face
// keeps the tags, on the other two the shim does (a job's in its journal record, the registry's resources in the
// registry). Every run gives the same tags, the same refusals, and responses in botocore's output shapes.
import { execFile } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SaladClient } from "../src/clients/salad.js";
import { Batch as BatchV2 } from "../src/shim/aws-sdk-v2.js";
import {
  BatchClient,
  DescribeComputeEnvironmentsCommand,
  DescribeJobDefinitionsCommand,
  DescribeJobQueuesCommand,
  DescribeJobsCommand,
  ListTagsForResourceCommand,
  SubmitJobCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from "../src/shim/client-batch.js";
import {
  CC_WORKLOAD,
  SALAD_QUEUE,
  shapeErrors,
  startShimExecutor,
  writeConfig,
  type ShimExecutor,
  PYTHON_ROOT,
  SHIM_TARGETS,
  UNKNOWN_JOB_ID,
  type ShimTarget,
} from "./shim-helpers.js";

const QUEUE = "tag-queue";

/** One step: the operation, and its response body (no metadata) or its error. */
interface Step {
  operation: string;
  response?: Record<string, unknown>;
  error?: { code: string; message: string };
}

/** The scenario as data, so both languages run exactly the same calls; `$job` etc. stand for ARNs found on the way. */
const SCENARIO: [string, string, Record<string, unknown>][] = [
  ["jobTags", "ListTagsForResource", { resourceArn: "$job" }],
  ["tagJob", "TagResource", { resourceArn: "$job", tags: { cost: "42" } }],
  ["jobTagged", "ListTagsForResource", { resourceArn: "$job" }],
  ["untagJob", "UntagResource", { resourceArn: "$job", tagKeys: ["team"] }],
  ["jobUntagged", "ListTagsForResource", { resourceArn: "$job" }],
  ["tagQueue", "TagResource", { resourceArn: "$queue", tags: { env: "dev" } }],
  ["queueTagged", "ListTagsForResource", { resourceArn: "$queue" }],
  ["tagDefinition", "TagResource", { resourceArn: "$definition", tags: { owner: "ml" } }],
  ["definitionTagged", "ListTagsForResource", { resourceArn: "$definition" }],
  ["tagEnvironment", "TagResource", { resourceArn: "$environment", tags: { tier: "gpu" } }],
  ["environmentTagged", "ListTagsForResource", { resourceArn: "$environment" }],
  ["unknownJob", "ListTagsForResource", { resourceArn: "$unknownJob" }],
  ["reservedKey", "TagResource", { resourceArn: "$job", tags: { "aws:owner": "me" } }],
  ["emptyKeys", "UntagResource", { resourceArn: "$job", tagKeys: [] }],
  ["notAnArn", "ListTagsForResource", { resourceArn: "my-queue" }],
  ["arrayChild", "TagResource", { resourceArn: "$child", tags: { team: "data" } }],
];

const PYTHON_SCENARIO = String.raw`
import json, sys
from batch_migrate_runtime import boto3 as shim_boto3
from botocore.exceptions import ClientError
scenario, queue, unknown = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
client = shim_boto3.client("batch")
job = client.submit_job(jobName="tagged", jobQueue=queue, jobDefinition="tagdef", tags={"team": "data"})
arns = {
    "$job": job["jobArn"],
    "$queue": client.describe_job_queues(jobQueues=[queue])["jobQueues"][0]["jobQueueArn"],
    "$definition": client.describe_job_definitions(jobDefinitionName="tagdef", status="ACTIVE")["jobDefinitions"][0]["jobDefinitionArn"],
    "$environment": client.describe_compute_environments()["computeEnvironments"][0]["computeEnvironmentArn"],
}
arns["$unknownJob"] = job["jobArn"].rsplit("/", 1)[0] + "/" + unknown
arns["$child"] = client.submit_job(jobName="array", jobQueue=queue, jobDefinition="tagdef", arrayProperties={"size": 2})["jobArn"] + ":0"
steps = {}
snake = {"TagResource": "tag_resource", "UntagResource": "untag_resource", "ListTagsForResource": "list_tags_for_resource"}
for name, operation, params in scenario:
    params = {key: arns.get(value, value) if isinstance(value, str) else value for key, value in params.items()}
    try:
        response = getattr(client, snake[operation])(**params)
        response.pop("ResponseMetadata")
        steps[name] = {"operation": operation, "response": response}
    except ClientError as error:
        message = error.response["Error"]["Message"]
        for key, arn in arns.items():
            message = message.replace(arn, key)
        steps[name] = {"operation": operation, "error": {"code": error.response["Error"]["Code"], "message": message}}
described = client.describe_jobs(jobs=[job["jobId"]])["jobs"][0]
steps["describedJob"] = {"operation": "DescribeJobs", "response": {"tags": described.get("tags")}}
if len(sys.argv) > 4:
    # Another process's job, through the shared state directory.
    steps["otherProcess"] = {"operation": "ListTagsForResource", "response": client.list_tags_for_resource(resourceArn=sys.argv[4])["tags"]}
print(json.dumps(steps))
`;

describe("tag operations through both shims on local, common-compute and salad", () => {
  let executor: ShimExecutor;
  let configPath: string;
  const results: Record<string, Record<string, Step>> = {};
  const jobArns: Record<string, string> = {};
  const shared: Record<string, unknown> = {};

  function environment(target: ShimTarget, language: string): Record<string, string> {
    return {
      BATCH_MIGRATE_TARGET: target,
      BATCH_MIGRATE_CONFIG: configPath,
      BATCH_MIGRATE_STATE_DIR: path.join(path.dirname(configPath), `state-${target}-${language}`),
      BATCH_MIGRATE_ENDPOINT: executor.url,
      BATCH_MIGRATE_API_KEY: executor.apiKey,
      CC_BASE_URL: executor.url,
      CC_API_KEY: executor.apiKey,
      SALAD_BASE_URL: executor.url,
      SALAD_API_KEY: executor.apiKey,
      SALAD_ORGANIZATION_NAME: "acme-corp",
      SALAD_PROJECT_NAME: "dev-env",
    };
  }

  async function typescriptRun(target: ShimTarget, face: "v3" | "v2"): Promise<Record<string, Step>> {
    const env = environment(target, face);
    const v3 = new BatchClient({ batchMigrate: { env } });
    const v2 = new BatchV2({ batchMigrate: { env } });
    const job = await v3.send(
      new SubmitJobCommand({ jobName: "tagged", jobQueue: QUEUE, jobDefinition: "tagdef", tags: { team: "data" } }),
    );
    const arns: Record<string, string> = {
      $job: String(job.jobArn),
      $queue: (await v3.send(new DescribeJobQueuesCommand({ jobQueues: [QUEUE] }))).jobQueues![0]!.jobQueueArn,
      $definition: (await v3.send(new DescribeJobDefinitionsCommand({ jobDefinitionName: "tagdef", status: "ACTIVE" })))
        .jobDefinitions![0]!.jobDefinitionArn,
      $environment: (await v3.send(new DescribeComputeEnvironmentsCommand({}))).computeEnvironments![0]!
        .computeEnvironmentArn,
    };
    arns.$unknownJob = `${arns.$job!.slice(0, arns.$job!.lastIndexOf("/"))}/${UNKNOWN_JOB_ID}`;
    const array = await v3.send(
      new SubmitJobCommand({
        jobName: "array",
        jobQueue: QUEUE,
        jobDefinition: "tagdef",
        arrayProperties: { size: 2 },
      }),
    );
    arns.$child = `${String(array.jobArn)}:0`;
    jobArns[`${target}/${face}`] = arns.$job!;
    const steps: Record<string, Step> = {};
    for (const [name, operation, template] of SCENARIO) {
      const params = Object.fromEntries(
        Object.entries(template).map(([key, value]) => [
          key,
          typeof value === "string" ? (arns[value] ?? value) : value,
        ]),
      );
      try {
        let response: Record<string, unknown>;
        if (face === "v3") {
          const Command = { TagResource: TagResourceCommand, UntagResource: UntagResourceCommand }[operation as string];
          const command = Command
            ? new Command(params as never)
            : new ListTagsForResourceCommand(params as { resourceArn: string });
          const { $metadata: _metadata, ...body } = (await v3.send(command)) as unknown as Record<string, unknown>;
          response = body;
        } else {
          const method = { TagResource: "tagResource", UntagResource: "untagResource" }[operation as string];
          response = (await v2[(method ?? "listTagsForResource") as "tagResource"](
            params as never,
          ).promise()) as Record<string, unknown>;
        }
        steps[name] = { operation, response };
      } catch (error) {
        let { message } = error as Error;
        for (const [key, arn] of Object.entries(arns)) message = message.replaceAll(arn, key);
        steps[name] = {
          operation,
          error: { code: (error as { code?: string; name: string }).code ?? (error as Error).name, message },
        };
      }
    }
    const [described] = (await v3.send(new DescribeJobsCommand({ jobs: [job.jobId] }))).jobs ?? [];
    steps.describedJob = { operation: "DescribeJobs", response: { tags: described?.tags } };
    return steps;
  }

  function pythonRun(target: ShimTarget, stateOf = "py", otherJobArn?: string): Promise<Record<string, Step>> {
    return new Promise((resolve, reject) => {
      execFile(
        "python3",
        ["-c", PYTHON_SCENARIO, JSON.stringify(SCENARIO), QUEUE, UNKNOWN_JOB_ID, ...(otherJobArn ? [otherJobArn] : [])],
        { env: { ...process.env, ...environment(target, stateOf), PYTHONPATH: PYTHON_ROOT }, timeout: 60_000 },
        (error, stdout, stderr) => {
          if (error) reject(new Error(`python scenario on ${target} failed: ${stderr || error.message}`));
          else resolve(JSON.parse(stdout) as Record<string, Step>);
        },
      );
    });
  }

  beforeAll(async () => {
    executor = await startShimExecutor();
    configPath = writeConfig({
      computeEnvironments: { "tag-ce": { type: "MANAGED", state: "ENABLED" } },
      jobQueues: {
        [QUEUE]: {
          priority: 1,
          computeEnvironmentOrder: [{ order: 1, computeEnvironment: "tag-ce" }],
          salad: { queue: SALAD_QUEUE },
          commonCompute: { priority: "standard" },
        },
      },
      jobDefinitions: {
        tagdef: {
          type: "container",
          parameters: { code: "0", sleep: "0" },
          containerProperties: { image: "echo:1", command: ["echo", "Ref::code"] },
          commonCompute: { workload: CC_WORKLOAD },
        },
      },
    });
    await new SaladClient({ baseUrl: executor.url, apiKey: executor.apiKey }).createQueue("acme-corp", "dev-env", {
      name: SALAD_QUEUE,
      display_name: "Echo",
    });
    for (const target of SHIM_TARGETS) {
      // Sequential per target: the local runs share one executor, whose registry the first run seeds.
      results[`${target}/v3`] = await typescriptRun(target, "v3");
      results[`${target}/v2`] = await typescriptRun(target, "v2");
      results[`${target}/py`] = await pythonRun(target);
    }
    // A Python process sharing the TypeScript client's state directory sees the tags that client gave its job.
    for (const target of SHIM_TARGETS)
      shared[target] = (await pythonRun(target, "v3", jobArns[`${target}/v3`])).otherProcess?.response;
  }, 120_000);
  afterAll(async () => {
    await executor?.cleanup();
  });

  it("keeps a job's tags: those given at submit, then tagged and untagged, also in DescribeJobs", () => {
    for (const [run, steps] of Object.entries(results)) {
      expect(steps.jobTags?.response, run).toEqual({ tags: { team: "data" } });
      expect(steps.tagJob?.response, run).toEqual({});
      expect(steps.jobTagged?.response, run).toEqual({ tags: { team: "data", cost: "42" } });
      expect(steps.untagJob?.response, run).toEqual({});
      expect(steps.jobUntagged?.response, run).toEqual({ tags: { cost: "42" } });
      expect(steps.describedJob?.response, run).toEqual({ tags: { cost: "42" } });
    }
  });

  it("tags the job queue, job definition and compute environment of the config", () => {
    for (const [run, steps] of Object.entries(results)) {
      expect(steps.tagQueue?.response, run).toEqual({});
      expect(steps.queueTagged?.response?.tags, run).toMatchObject({ env: "dev" });
      expect(steps.tagDefinition?.response, run).toEqual({});
      expect(steps.definitionTagged?.response?.tags, run).toMatchObject({ owner: "ml" });
      expect(steps.tagEnvironment?.response, run).toEqual({});
      expect(steps.environmentTagged?.response?.tags, run).toMatchObject({ tier: "gpu" });
    }
  });

  it("refuses unknown resources and AWS's invalid tags with the same ClientException everywhere", () => {
    for (const [run, steps] of Object.entries(results)) {
      expect(steps.unknownJob?.error, run).toEqual({
        code: "ClientException",
        message: "resource $unknownJob does not exist",
      });
      expect(steps.reservedKey?.error, run).toEqual({
        code: "ClientException",
        message: "tag keys starting with aws: are reserved for AWS use",
      });
      expect(steps.emptyKeys?.error, run).toEqual({
        code: "ClientException",
        message: "tagKeys must list 1 to 50 tag keys",
      });
      expect(steps.notAnArn?.error, run).toEqual({
        code: "ClientException",
        message: "resourceArn my-queue is not a valid AWS Batch resource ARN",
      });
    }
  });

  it("refuses to tag an array child, as AWS does", () => {
    for (const [run, steps] of Object.entries(results))
      expect(steps.arrayChild?.error, run).toEqual({
        code: "ClientException",
        message: "array and multi-node child jobs cannot be tagged",
      });
  });

  it("shares a job's tags with other processes (the executor on local, the state directory elsewhere)", () => {
    for (const target of SHIM_TARGETS) expect(shared[target], target).toEqual({ cost: "42" });
  });

  it("answers in botocore's output shapes", () => {
    for (const [run, steps] of Object.entries(results))
      for (const [name, step] of Object.entries(steps))
        if (step.response && step.operation !== "DescribeJobs")
          expect(shapeErrors(step.operation, step.response), `${run} ${name}`).toEqual([]);
  });
});
