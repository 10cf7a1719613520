// Native JS rewrites run for real: the aws-sdk-to-native fixture outputs execute in a project that installed the
// packed runtime, against the local executor's Common Compute and SaladCloud faces; what they submit is read back
// through the official SaladCloud Node SDK, whose schemas validate every response.
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { SaladCloudSdk } from "@saladtechnologies-oss/salad-cloud-sdk";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NODE, startApp, startTestExecutor } from "../runtime/test/helpers.js";
import { ROOT, installIntoEmptyProject, npmPack, temporary } from "./support/pack.js";

const run = promisify(execFile);
const FIXTURES = path.join(ROOT, "fixtures/transforms/aws-sdk-to-native");
const ORG = "acme-corp";
const PROJECT = "dev-env";

type Executor = Awaited<ReturnType<typeof startTestExecutor>>;
type App = Awaited<ReturnType<typeof startApp>>;

let project: string;
let executor: Executor;
let app: App;

beforeAll(async () => {
  const tarball = npmPack(path.join(ROOT, "runtime"), temporary("bm-native-run-"), "dist/cjs/index.js");
  project = installIntoEmptyProject(tarball, ["aws-sdk@2"]);
  const options = JSON.parse(readFileSync(path.join(FIXTURES, "v2-clients-batch-promise.options.json"), "utf8"));
  writeFileSync(path.join(project, "migrate.config.json"), JSON.stringify(options.config));
  app = await startApp(({ body }) => ({ status: 200, body: JSON.stringify({ done: JSON.parse(body) }) }));
  executor = await startTestExecutor({
    config: {
      workloads: { vt_transcode: { command: [NODE, "-e", "process.stdin.pipe(process.stdout)"] } },
      saladQueues: { "gpu-jobs": { port: app.port, path: "/run" } },
    },
  });
  await sdk().queues.createQueue(ORG, PROJECT, { name: "gpu-jobs", displayName: "GPU jobs" });
}, 180_000);

afterAll(async () => {
  await executor?.cleanup();
  await app?.close();
});

/** Runs `script` (CommonJS) in the consumer project next to a copy of the fixture output, with target settings. */
async function drive(fixture: string, script: string, env: Record<string, string> = {}): Promise<unknown> {
  copyFileSync(path.join(FIXTURES, fixture), path.join(project, "rewritten.js"));
  writeFileSync(path.join(project, "driver.cjs"), script);
  const { stdout } = await run(NODE, ["driver.cjs"], {
    cwd: project,
    timeout: 60_000,
    env: {
      PATH: process.env.PATH ?? "",
      CC_BASE_URL: executor.url,
      CC_API_KEY: executor.apiKey,
      SALAD_BASE_URL: executor.url,
      SALAD_API_KEY: executor.apiKey,
      SALAD_ORGANIZATION_NAME: ORG,
      SALAD_PROJECT_NAME: PROJECT,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      ...env,
    },
  });
  return JSON.parse(stdout.trim().split("\n").at(-1)!);
}

const sdk = () => new SaladCloudSdk({ apiKey: executor.apiKey, baseUrl: executor.url, retry: { attempts: 1 } });

describe("rewritten aws-sdk v2 code on the targets", () => {
  it("submits and polls through CommonComputeClient (.promise() form) until the job completes", async () => {
    const result = (await drive(
      "v2-clients-batch-promise.output.js",
      `const m = require("./rewritten.js");
(async () => {
  const id = await m.render("a");
  let done = false;
  for (let i = 0; i < 100 && !done; i++) { done = await m.done(id); if (!done) await new Promise((r) => setTimeout(r, 100)); }
  console.log(JSON.stringify({ id, done }));
})().catch((e) => { console.error(e); process.exit(1); });`,
    )) as { id: string; done: boolean };
    expect(result.done).toBe(true);
    const job = (await (
      await fetch(`${executor.url}/v1/jobs/${result.id}`, { headers: { authorization: `Bearer ${executor.apiKey}` } })
    ).json()) as Record<string, unknown>;
    expect(job).toMatchObject({ id: result.id, state: "completed", priority: "standard" });
  });

  it("submits through SaladClient with a callback, the queue resolved at run time, read back by the official SDK", async () => {
    const answer = (await drive(
      "v2-callback-runtime-route-salad.output.js",
      `const m = require("./rewritten.js");
m.schedule({ hello: "salad" }, {}, (error, response) => {
  if (error) { console.error(error); process.exit(1); }
  console.log(JSON.stringify(response));
  process.exit(0);
});`,
      {
        JOB_DEFINITION_ARN: "arn:aws:batch:us-east-1:111122223333:job-definition/render:4",
        JOB_QUEUE_ARN: "gpu-queue",
        FUNCTION_NAME: "scheduler",
      },
    )) as { statusCode: number; body: string };
    expect(answer).toMatchObject({ statusCode: 200 });
    const { data } = JSON.parse(answer.body) as { data: { jobId: string; jobName: string } };
    expect(data.jobName).toMatch(/^scheduler-\d+$/);
    const read = await sdk().queues.getQueueJob(ORG, PROJECT, "gpu-jobs", data.jobId);
    expect(read.data).toMatchObject({ id: data.jobId, input: { event: JSON.stringify({ hello: "salad" }) } });
    expect(read.data?.metadata).toEqual({ name: data.jobName });
  });

  it("moves a client held in a private #field whole: submits and polls through CommonComputeClient", async () => {
    const result = (await drive(
      "v2-private-hash-field-client.output.js",
      `const renderer = require("./rewritten.js");
(async () => {
  const id = await renderer.render("field");
  let done = false;
  for (let i = 0; i < 100 && !done; i++) { done = await renderer.done(id); if (!done) await new Promise((r) => setTimeout(r, 100)); }
  console.log(JSON.stringify({ id, done }));
})().catch((e) => { console.error(e); process.exit(1); });`,
    )) as { id: string; done: boolean };
    expect(result.done).toBe(true);
  });

  it("moves the clients a module-private factory returns: SaladClient, read back by the official SDK", async () => {
    const result = (await drive(
      "v2-factory-client-salad.output.js",
      `const m = require("./rewritten.js");
(async () => {
  const id = await m.render("factory");
  let done = false;
  for (let i = 0; i < 100 && !done; i++) { done = await m.done(id); if (!done) await new Promise((r) => setTimeout(r, 100)); }
  console.log(JSON.stringify({ id, done }));
})().catch((e) => { console.error(e); process.exit(1); });`,
    )) as { id: string; done: boolean };
    expect(result.done).toBe(true);
    const read = await sdk().queues.getQueueJob(ORG, PROJECT, "gpu-jobs", result.id);
    expect(read.data).toMatchObject({ id: result.id, input: { scene: "factory" }, status: "succeeded" });
    expect(read.data?.metadata).toEqual({ name: "render-factory" });
  });

  it("follows a described job through the names the code gives it, on both targets", async () => {
    const script = `const m = require("./rewritten.js");
(async () => {
  const id = await m.render("renamed");
  let state = { done: false };
  for (let i = 0; i < 100 && !state.done; i++) { state = await m.state(id); if (!state.done) await new Promise((r) => setTimeout(r, 100)); }
  console.log(JSON.stringify({ id, ...state }));
})().catch((e) => { console.error(e); process.exit(1); });`;
    const onCommonCompute = (await drive("v2-describe-job-renamed.output.js", script)) as Record<string, unknown>;
    expect(onCommonCompute).toMatchObject({ done: true, name: "render-renamed" });
    const onSalad = (await drive("v2-describe-job-renamed-salad.output.js", script)) as Record<string, unknown>;
    expect(onSalad).toMatchObject({ done: true, name: "render-renamed" });
    const read = await sdk().queues.getQueueJob(ORG, PROJECT, "gpu-jobs", onSalad.id as string);
    expect(read.data).toMatchObject({ status: "succeeded", metadata: { name: "render-renamed" } });
  });

  it("maps a status with two target states to a test of both, through a callback, on both targets", async () => {
    const script = `const m = require("./rewritten.js");
const outcome = (id) => new Promise((resolve, reject) => m.outcome(id, (e, r) => (e ? reject(e) : resolve(r))));
(async () => {
  const id = await m.render("two-states");
  let state = { settled: false };
  for (let i = 0; i < 100 && !state.settled; i++) { state = await outcome(id); if (!state.settled) await new Promise((r) => setTimeout(r, 100)); }
  console.log(JSON.stringify(state));
})().catch((e) => { console.error(e); process.exit(1); });`;
    expect(await drive("v2-status-with-two-target-states.output.js", script)).toEqual({ failed: false, settled: true });
    expect(await drive("v2-status-with-two-target-states-salad.output.js", script)).toEqual({
      failed: false,
      settled: true,
    });
  });

  it("type-checks the native TypeScript outputs against the packed runtime (strict, exactOptionalPropertyTypes)", () => {
    const typed = path.join(project, "typed");
    mkdirSync(typed, { recursive: true });
    const files = readdirSync(FIXTURES)
      .filter((name) => name.endsWith(".output.ts"))
      .filter(
        (name) =>
          // Only files wholly on a target: the others keep AWS imports the project does not install.
          !/["'](aws-sdk|@aws-sdk\/[\w-]+|batch-migrate-runtime\/(aws-sdk-v2|client-batch))["']/.test(
            readFileSync(path.join(FIXTURES, name), "utf8"),
          ),
      )
      .map((name) => {
        const copy = path.join(typed, name);
        copyFileSync(path.join(FIXTURES, name), copy);
        return copy;
      });
    expect(files.map((file) => path.basename(file))).toEqual(
      expect.arrayContaining(["v3-private-field-client.output.ts", "v3-factory-return-type.output.ts"]),
    );
    const program = ts.createProgram(files, {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      exactOptionalPropertyTypes: true,
      skipLibCheck: true,
      noEmit: true,
      types: ["node"],
      typeRoots: [path.join(ROOT, "node_modules", "@types")],
    });
    const problems = ts
      .getPreEmitDiagnostics(program)
      .map(
        (d) =>
          `${d.file ? path.basename(d.file.fileName) : ""}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`,
      );
    expect(problems).toEqual([]);
  });

  it("fails loudly, naming the key to add, when the run-time route is not in migrate.config.json", async () => {
    const answer = (await drive(
      "v2-callback-runtime-route.output.js",
      `const m = require("./rewritten.js");
m.schedule({}, {}, (error, response) => { console.log(JSON.stringify(error ? { error: String(error) } : response)); process.exit(0); });`,
      { JOB_DEFINITION_ARN: "unmapped-definition", JOB_QUEUE_ARN: "gpu-queue", FUNCTION_NAME: "scheduler" },
    )) as { statusCode: number; body: string };
    expect(answer.statusCode).toBe(500);
    expect((JSON.parse(answer.body) as { error: string }).error).toMatch(
      /job definition "unmapped-definition" is not in .*migrate\.config\.json: add it under jobDefinitions/,
    );
  });
});
