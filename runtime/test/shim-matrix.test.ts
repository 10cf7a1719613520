// One scenario through both shims (TypeScript client-batch, Python boto3) on the three targets (local, common-compute,
// salad), all against the executor's faces. Where a target supports a feature, every run gives the same AWS-shaped
// result; where it does not, every run gives a ClientException with the same specific message. Covered: success,
// retries with AWS_BATCH_JOB_ATTEMPT counting up, exhausted retries, AWS_BATCH_CE_NAME, timeouts, unknown job ids
// and queues, AWS_BATCH_* variables in a job definition, and a Kelpie-mapped definition on Salad.
// The Salad queue's app is the real job wrapper; the Common Compute workload runs the job document's command.
import { execFile } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SaladClient } from "../src/clients/salad.js";
import {
  BatchClient,
  CancelJobCommand,
  DescribeJobsCommand,
  ListJobsCommand,
  RegisterJobDefinitionCommand,
  SubmitJobCommand,
  TerminateJobCommand,
  type JobDetail,
} from "../src/shim/client-batch.js";
import { startWrapper, type RunningWrapper } from "../src/wrap/index.js";
import { NODE, startTestExecutor } from "./helpers.js";
import {
  TERMINAL,
  poll,
  writeConfig,
  PYTHON_ROOT,
  SHIM_TARGETS,
  UNKNOWN_JOB_ID,
  type ShimTarget,
} from "./shim-helpers.js";

const ORG = "acme-corp";
const PROJECT = "dev-env";
const QUEUE = "matrix-queue";

// Runs the job document's command with its environment, as a worker runs a container (the job's stdin is the document).
const RUN_DOCUMENT = `
const { spawnSync } = require("child_process");
const job = JSON.parse(require("fs").readFileSync(0, "utf8") || "{}");
const run = spawnSync(job.command[0], job.command.slice(1), { env: { ...process.env, ...job.environment }, stdio: "inherit" });
process.exit(run.status ?? 1);
`;

// Exits 0 when its condition (JS over process.env) holds, else its code (10 + the attempt number for "attempt").
// Each job chooses both through Ref:: parameters: Salad's wrapper always runs its own command, never the input's.
const CHECK = `const [condition, code] = process.argv.slice(1);
process.exit(eval(condition) ? 0 : code === "attempt" ? 10 + Number(process.env.AWS_BATCH_JOB_ATTEMPT) : Number(code));`;
const CHECK_COMMAND = [NODE, "-e", CHECK, "Ref::condition", "Ref::code"];
const DEFAULT_PARAMETERS = { condition: "true", code: "1" };

function check(condition: string, code: number | "attempt"): { parameters: { condition: string; code: string } } {
  return { parameters: { condition, code: String(code) } };
}

/** Each case: a SubmitJob (or another call), the same for every run. */
const JOBS = {
  plain: check("true", 1),
  retried: { retryStrategy: { attempts: 3 }, ...check('process.env.AWS_BATCH_JOB_ATTEMPT === "3"', "attempt") },
  exhausted: { retryStrategy: { attempts: 2 }, ...check("false", 5) },
  computeEnvironment: check('process.env.AWS_BATCH_CE_NAME === "matrix-ce"', 9),
  timeout: { timeout: { attemptDurationSeconds: 60 }, ...check("true", 1) },
} as const;

interface Outcome {
  status?: string;
  statusReason?: string;
  exitCodes?: (number | null)[];
  error?: { code: string; message: string };
}

const PYTHON_SCENARIO = String.raw`
import json, sys, time
from batch_migrate_runtime import boto3 as shim_boto3
from botocore.exceptions import ClientError

jobs, queue, unknown = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
client = shim_boto3.client("batch")
out = {}

def error_of(error):
    return {"error": {"code": error.response["Error"]["Code"], "message": error.response["Error"]["Message"]}}

for name, extra in jobs.items():
    try:
        job_id = client.submit_job(jobName=name, jobQueue=queue, jobDefinition="matrix", **extra)["jobId"]
    except ClientError as error:
        out[name] = error_of(error)
        continue
    deadline = time.time() + 40
    while True:
        job = client.describe_jobs(jobs=[job_id])["jobs"][0]
        if job["status"] in ("SUCCEEDED", "FAILED") or time.time() > deadline:
            break
        time.sleep(0.05)
    out[name] = {
        "status": job["status"],
        "statusReason": job.get("statusReason"),
        "exitCodes": [attempt.get("container", {}).get("exitCode") for attempt in job.get("attempts", [])],
    }

calls = {
    "cancelUnknown": lambda: client.cancel_job(jobId=unknown, reason="r"),
    "terminateUnknown": lambda: client.terminate_job(jobId=unknown, reason="r"),
    "listUnknownQueue": lambda: client.list_jobs(jobQueue="no-such-queue", jobStatus="SUCCEEDED"),
    "submitUnknownQueue": lambda: client.submit_job(jobName="x", jobQueue="no-such-queue", jobDefinition="matrix"),
    "reservedVariable": lambda: client.register_job_definition(
        jobDefinitionName="reserved", type="container",
        containerProperties={"image": "x", "command": ["true"], "environment": [{"name": "AWS_BATCH_FOO", "value": "1"}]}),
    "kelpie": lambda: client.submit_job(jobName="long", jobQueue=queue, jobDefinition="long-running"),
}
for name, call in calls.items():
    try:
        call()
        out[name] = {"status": "accepted"}
    except ClientError as error:
        out[name] = error_of(error)
print(json.dumps(out))
`;

describe("the same scenario through both shims on local, common-compute and salad", () => {
  let executor: Awaited<ReturnType<typeof startTestExecutor>>;
  let wrapper: RunningWrapper;
  let configPath: string;
  const results: Record<string, Record<string, Outcome>> = {};

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
      SALAD_ORGANIZATION_NAME: ORG,
      SALAD_PROJECT_NAME: PROJECT,
    };
  }

  async function typescriptRun(target: ShimTarget): Promise<Record<string, Outcome>> {
    const client = new BatchClient({ batchMigrate: { env: environment(target, "ts") } });
    const out: Record<string, Outcome> = {};
    const errorOf = (error: unknown): Outcome => {
      const { name, message } = error as { name: string; message: string };
      return { error: { code: name, message } };
    };
    for (const [name, extra] of Object.entries(JOBS)) {
      let jobId: string;
      try {
        jobId = (
          await client.send(
            new SubmitJobCommand({
              jobName: name,
              jobQueue: QUEUE,
              jobDefinition: "matrix",
              ...structuredClone(extra),
            }),
          )
        ).jobId;
      } catch (error) {
        out[name] = errorOf(error);
        continue;
      }
      const job: JobDetail = await poll(
        async () => {
          const [detail] = (await client.send(new DescribeJobsCommand({ jobs: [jobId] }))).jobs ?? [];
          if (!detail) throw new Error(`${jobId} was not described`);
          return detail;
        },
        (detail) => TERMINAL.includes(detail.status),
        40_000,
      );
      out[name] = {
        status: job.status,
        statusReason: job.statusReason,
        exitCodes: (job.attempts ?? []).map((attempt) => attempt.container?.exitCode ?? null),
      };
    }
    const calls: Record<string, () => Promise<unknown>> = {
      cancelUnknown: () => client.send(new CancelJobCommand({ jobId: UNKNOWN_JOB_ID, reason: "r" })),
      terminateUnknown: () => client.send(new TerminateJobCommand({ jobId: UNKNOWN_JOB_ID, reason: "r" })),
      listUnknownQueue: () => client.send(new ListJobsCommand({ jobQueue: "no-such-queue", jobStatus: "SUCCEEDED" })),
      submitUnknownQueue: () =>
        client.send(new SubmitJobCommand({ jobName: "x", jobQueue: "no-such-queue", jobDefinition: "matrix" })),
      reservedVariable: () =>
        client.send(
          new RegisterJobDefinitionCommand({
            jobDefinitionName: "reserved",
            type: "container",
            containerProperties: {
              image: "x",
              command: ["true"],
              environment: [{ name: "AWS_BATCH_FOO", value: "1" }],
            },
          }),
        ),
      kelpie: () =>
        client.send(new SubmitJobCommand({ jobName: "long", jobQueue: QUEUE, jobDefinition: "long-running" })),
    };
    for (const [name, call] of Object.entries(calls)) {
      try {
        await call();
        out[name] = { status: "accepted" };
      } catch (error) {
        out[name] = errorOf(error);
      }
    }
    return out;
  }

  function pythonRun(target: ShimTarget): Promise<Record<string, Outcome>> {
    return new Promise((resolve, reject) => {
      execFile(
        "python3",
        ["-c", PYTHON_SCENARIO, JSON.stringify(JOBS), QUEUE, UNKNOWN_JOB_ID],
        {
          env: { ...process.env, ...environment(target, "py"), PYTHONPATH: PYTHON_ROOT },
          timeout: 120_000,
          maxBuffer: 1 << 20,
        },
        (error, stdout, stderr) => {
          if (error) reject(new Error(`python scenario on ${target} failed: ${stderr || error.message}`));
          else resolve(JSON.parse(stdout) as Record<string, Outcome>);
        },
      );
    });
  }

  beforeAll(async () => {
    wrapper = await startWrapper({
      port: 0,
      host: "127.0.0.1",
      path: "/run",
      command: CHECK_COMMAND,
      parameters: DEFAULT_PARAMETERS,
      passThrough: null,
      // The queue has two replicas and both shims run at once: the real group would have one wrapper per replica.
      maxConcurrent: 4,
    });
    executor = await startTestExecutor({
      minAttemptDurationSeconds: 60,
      config: {
        workloads: { "run-document": { command: [NODE, "-e", RUN_DOCUMENT] } },
        saladQueues: { [QUEUE]: { port: wrapper.port, path: "/run", replicas: 2 } },
        commonComputeExtensions: true,
      },
    });
    configPath = writeConfig({
      computeEnvironments: { "matrix-ce": { type: "MANAGED", state: "ENABLED" } },
      jobQueues: {
        [QUEUE]: {
          priority: 1,
          computeEnvironmentOrder: [{ order: 1, computeEnvironment: "matrix-ce" }],
          salad: { queue: QUEUE },
          commonCompute: { priority: "standard" },
        },
      },
      jobDefinitions: {
        matrix: {
          type: "container",
          parameters: DEFAULT_PARAMETERS,
          containerProperties: { image: "node:20", command: CHECK_COMMAND },
          commonCompute: { workload: "run-document" },
        },
        "long-running": {
          type: "container",
          timeout: { attemptDurationSeconds: 7200 },
          parameters: DEFAULT_PARAMETERS,
          containerProperties: { image: "node:20", command: CHECK_COMMAND },
          commonCompute: { workload: "run-document" },
          salad: { kelpieContainerGroup: "long-running" },
        },
      },
    });
    await new SaladClient({ baseUrl: executor.url, apiKey: executor.apiKey }).createQueue(ORG, PROJECT, {
      name: QUEUE,
      display_name: "Matrix queue",
    });
    for (const target of SHIM_TARGETS) {
      const [typescript, python] = await Promise.all([typescriptRun(target), pythonRun(target)]);
      results[`${target}/ts`] = typescript;
      results[`${target}/py`] = python;
    }
  }, 240_000);
  afterAll(async () => {
    await executor?.cleanup();
    await wrapper?.close();
  });

  const runs = () => Object.entries(results);
  const supported = (key: string, targets: readonly ShimTarget[]) =>
    targets.some((target) => key.startsWith(`${target}/`));

  it("runs a plain job to SUCCEEDED with AWS's statusReason everywhere", () => {
    for (const [run, out] of runs())
      expect(out.plain, run).toEqual({
        status: "SUCCEEDED",
        statusReason: "Essential container in task exited",
        exitCodes: [0],
      });
  });

  it("retries as retryStrategy.attempts says, with AWS_BATCH_JOB_ATTEMPT counting 1, 2, 3", () => {
    for (const [run, out] of runs()) {
      expect(out.retried?.status, run).toBe("SUCCEEDED");
      // SaladCloud's queue reports no exit code for an attempt it retried, only that it started.
      const codes = run.startsWith("salad/") ? [null, null, 0] : [11, 12, 0];
      expect(out.retried?.exitCodes, run).toEqual(codes);
    }
  });

  it("stops after the last attempt: FAILED, Essential container in task exited, no extra run", () => {
    for (const [run, out] of runs()) {
      expect(out.exhausted, run).toMatchObject({
        status: "FAILED",
        statusReason: "Essential container in task exited",
      });
      expect(out.exhausted?.exitCodes, run).toEqual(run.startsWith("salad/") ? [null, 5] : [5, 5]);
    }
  });

  it("sets AWS_BATCH_CE_NAME to the queue's compute environment", () => {
    for (const [run, out] of runs()) expect(out.computeEnvironment?.status, run).toBe("SUCCEEDED");
  });

  it("honours a timeout where the target can stop a job, and refuses it on SaladCloud with a specific message", () => {
    for (const [run, out] of runs()) {
      if (supported(run, ["local", "common-compute"])) expect(out.timeout?.status, run).toBe("SUCCEEDED");
      else
        expect(out.timeout, run).toEqual({
          error: {
            code: "ClientException",
            message: "timeout: target salad cannot stop a running job; enforce the time limit inside the application",
          },
        });
    }
  });

  it("refuses unknown job ids and queues as AWS does", () => {
    for (const [run, out] of runs()) {
      expect(out.cancelUnknown, run).toEqual({
        error: { code: "ClientException", message: `job ${UNKNOWN_JOB_ID} not found` },
      });
      expect(out.terminateUnknown, run).toEqual({
        error: { code: "ClientException", message: `job ${UNKNOWN_JOB_ID} not found` },
      });
      expect(out.listUnknownQueue, run).toEqual({
        error: { code: "ClientException", message: "job queue no-such-queue not found" },
      });
      expect(out.submitUnknownQueue, run).toEqual({
        error: { code: "ClientException", message: "job queue no-such-queue not found" },
      });
    }
  });

  it("refuses an AWS_BATCH_* variable in a job definition", () => {
    for (const [run, out] of runs())
      expect(out.reservedVariable, run).toEqual({
        error: {
          code: "ClientException",
          message:
            "containerProperties.environment: environment variable names starting with AWS_BATCH are reserved (AWS_BATCH_FOO)",
        },
      });
  });

  it("refuses a Kelpie-mapped job definition on SaladCloud, saying how to submit it", () => {
    for (const [run, out] of runs()) {
      if (!run.startsWith("salad/")) continue;
      expect(out.kelpie?.error?.code, run).toBe("ClientException");
      expect(out.kelpie?.error?.message, run).toMatch(/runs under Kelpie on SaladCloud.*Kelpie's API/);
    }
  });
});

const PYTHON_LOCAL = String.raw`
import json, sys
from batch_migrate_runtime import boto3 as shim_boto3
from botocore.exceptions import ClientError
client = shim_boto3.client("batch")
out = {}
for name, definition in (("good", "good-def"), ("bad", "bad-def")):
    try:
        client.submit_job(jobName=name, jobQueue="local-queue", jobDefinition=definition)
        out[name] = {"status": "accepted"}
    except ClientError as error:
        out[name] = {"code": error.response["Error"]["Code"], "message": error.response["Error"]["Message"], "operation": error.operation_name}
print(json.dumps(out))
`;

describe("the local target with a migrate.config.json the executor partly refuses", () => {
  let executor: Awaited<ReturnType<typeof startTestExecutor>>;
  let configPath: string;
  beforeAll(async () => {
    executor = await startTestExecutor();
    configPath = writeConfig({
      jobQueues: { "local-queue": { priority: 1, computeEnvironmentOrder: [] } },
      jobDefinitions: {
        "good-def": { type: "container", containerProperties: { image: "node:20", command: ["true"] } },
        // The executor refuses this one (a reserved variable), so only submits that use it fail.
        "bad-def": {
          type: "container",
          containerProperties: {
            image: "node:20",
            command: ["true"],
            environment: [{ name: "AWS_BATCH_OWN", value: "x" }],
          },
        },
      },
    });
  });
  afterAll(() => executor.cleanup());

  const env = (url: string) => ({
    BATCH_MIGRATE_TARGET: "local",
    BATCH_MIGRATE_CONFIG: configPath,
    BATCH_MIGRATE_ENDPOINT: url,
    BATCH_MIGRATE_API_KEY: executor.apiKey,
    BATCH_MIGRATE_HTTP_RETRIES: "0",
  });
  const refusal =
    "job definition bad-def in migrate.config.json was refused by the local executor: containerProperties.environment: " +
    "environment variable names starting with AWS_BATCH are reserved (AWS_BATCH_OWN)";

  it("TypeScript: one refused definition fails only the calls that use it", async () => {
    const client = new BatchClient({ batchMigrate: { env: env(executor.url) } });
    const good = await client.send(
      new SubmitJobCommand({ jobName: "good", jobQueue: "local-queue", jobDefinition: "good-def" }),
    );
    expect(good.jobId).toBeTruthy();
    const bad = await client
      .send(new SubmitJobCommand({ jobName: "bad", jobQueue: "local-queue", jobDefinition: "bad-def" }))
      .catch((error: unknown) => error);
    expect(bad).toMatchObject({ name: "ClientException", message: refusal });
    const again = await client.send(
      new SubmitJobCommand({ jobName: "good2", jobQueue: "local-queue", jobDefinition: "good-def" }),
    );
    expect(again.jobId).toBeTruthy();
  });

  it("Python: the same, with the ClientError raised by the user's own operation", async () => {
    const out = await new Promise<Record<string, unknown>>((resolve, reject) => {
      execFile(
        "python3",
        ["-c", PYTHON_LOCAL],
        { env: { ...process.env, ...env(executor.url), PYTHONPATH: PYTHON_ROOT }, timeout: 60_000 },
        (error, stdout, stderr) => (error ? reject(new Error(stderr || error.message)) : resolve(JSON.parse(stdout))),
      );
    });
    expect(out).toEqual({
      good: { status: "accepted" },
      bad: { code: "ClientException", message: refusal, operation: "SubmitJob" },
    });
  });

  it("reports an unreachable executor against the user's call, not the registry seeding", async () => {
    const client = new BatchClient({ batchMigrate: { env: env("http://127.0.0.1:9") } });
    const error = await client
      .send(new ListJobsCommand({ jobQueue: "local-queue" }))
      .catch((caught: unknown) => caught as Error);
    expect(error).toMatchObject({ name: "ServerException" });
    expect((error as Error).message).toMatch(/^the local executor at http:\/\/127\.0\.0\.1:9 is not reachable/);
    const python = await new Promise<string>((resolve) => {
      execFile(
        "python3",
        [
          "-c",
          "from batch_migrate_runtime import boto3 as b\nfrom botocore.exceptions import ClientError\ntry:\n    b.client('batch').list_jobs(jobQueue='local-queue')\nexcept ClientError as e:\n    print(e.operation_name, e.response['Error']['Code'])",
        ],
        { env: { ...process.env, ...env("http://127.0.0.1:9"), PYTHONPATH: PYTHON_ROOT }, timeout: 60_000 },
        (_error, stdout) => resolve(stdout.trim()),
      );
    });
    expect(python).toBe("ListJobs ServerException");
  });
});
