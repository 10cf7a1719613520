// Support for the shim tests: botocore's Batch service model as a shape checker, an executor with the
// Common Compute workload and SaladCloud queue app the emulated targets need, and polling.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { expect } from "vitest";
import { NODE, startApp, startTestExecutor, temporaryDirectory } from "./helpers.js";

/** The targets a shim scenario runs on, each against one of the executor's faces. */
export const SHIM_TARGETS = ["local", "common-compute", "salad"] as const;
export type ShimTarget = (typeof SHIM_TARGETS)[number];
/** The Python half of the runtime, for PYTHONPATH. */
export const PYTHON_ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "python");
/** A well-formed job id no target knows. */
export const UNKNOWN_JOB_ID = "00000000-0000-4000-8000-000000000000";

const DEFAULT_MODEL_DIR = "/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/botocore/data/batch/2016-08-10";

function modelDirectory(): string {
  if (process.env.BOTOCORE_BATCH_MODEL_DIR) return process.env.BOTOCORE_BATCH_MODEL_DIR;
  if (existsSync(DEFAULT_MODEL_DIR)) return DEFAULT_MODEL_DIR;
  const botocore = execFileSync("python3", ["-c", "import botocore, os; print(os.path.dirname(botocore.__file__))"], {
    encoding: "utf8",
  }).trim();
  return path.join(botocore, "data", "batch", "2016-08-10");
}

interface Shape {
  type: string;
  members?: Record<string, { shape: string }>;
  required?: string[];
  member?: { shape: string };
  key?: { shape: string };
  value?: { shape: string };
  enum?: string[];
}
interface ServiceModel {
  operations: Record<string, { output?: { shape: string } }>;
  shapes: Record<string, Shape>;
}

let model: ServiceModel | undefined;

function serviceModel(): ServiceModel {
  if (!model) {
    const directory = modelDirectory();
    const plain = path.join(directory, "service-2.json");
    const text = existsSync(plain)
      ? readFileSync(plain, "utf8")
      : gunzipSync(readFileSync(`${plain}.gz`)).toString("utf8");
    model = JSON.parse(text) as ServiceModel;
  }
  return model;
}

// Modelled as required but absent on real AWS responses for jobs that have not started (targets.md C.3).
const REQUIRED_BUT_OMITTED_BY_AWS = new Set(["JobDetail.startedAt"]);

function check(shapeName: string, value: unknown, where: string, errors: string[]): void {
  const shape = serviceModel().shapes[shapeName];
  if (!shape) {
    errors.push(`${where}: unknown shape ${shapeName}`);
    return;
  }
  switch (shape.type) {
    case "structure": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        errors.push(`${where}: expected structure ${shapeName}, got ${JSON.stringify(value)}`);
        return;
      }
      const record = value as Record<string, unknown>;
      for (const name of shape.required ?? []) {
        if (record[name] === undefined && !REQUIRED_BUT_OMITTED_BY_AWS.has(`${shapeName}.${name}`))
          errors.push(`${where}: missing required member ${name}`);
      }
      for (const [name, item] of Object.entries(record)) {
        const member = shape.members?.[name];
        if (!member) errors.push(`${where}: unknown member ${name}`);
        else if (item !== undefined) check(member.shape, item, `${where}.${name}`, errors);
      }
      return;
    }
    case "list":
      if (!Array.isArray(value)) errors.push(`${where}: expected list, got ${typeof value}`);
      else value.forEach((item, index) => check(shape.member?.shape ?? "", item, `${where}[${index}]`, errors));
      return;
    case "map":
      if (typeof value !== "object" || value === null || Array.isArray(value))
        errors.push(`${where}: expected map, got ${typeof value}`);
      else
        for (const [key, item] of Object.entries(value)) {
          check(shape.key?.shape ?? "", key, `${where}<key>`, errors);
          check(shape.value?.shape ?? "", item, `${where}[${key}]`, errors);
        }
      return;
    case "string":
      if (typeof value !== "string") errors.push(`${where}: expected string, got ${JSON.stringify(value)}`);
      else if (shape.enum && !shape.enum.includes(value))
        errors.push(`${where}: ${JSON.stringify(value)} not in enum ${shape.enum.join("|")}`);
      return;
    case "integer":
    case "long":
      if (typeof value !== "number" || !Number.isInteger(value))
        errors.push(`${where}: expected ${shape.type}, got ${JSON.stringify(value)}`);
      return;
    case "boolean":
      if (typeof value !== "boolean") errors.push(`${where}: expected boolean, got ${JSON.stringify(value)}`);
      return;
    case "float":
    case "double":
      if (typeof value !== "number") errors.push(`${where}: expected number, got ${JSON.stringify(value)}`);
      return;
    default:
      errors.push(`${where}: ${shape.type} members are not expected in Batch job shapes`);
  }
}

/** Every way `response` (without `$metadata`) differs from botocore's output shape of `operation`. */
export function shapeErrors(operation: string, response: object): string[] {
  const errors: string[] = [];
  const { $metadata: _metadata, ...body } = response as Record<string, unknown>;
  const output = serviceModel().operations[operation]?.output;
  if (!output) throw new Error(`botocore's model has no operation ${operation}`);
  check(output.shape, body, operation, errors);
  return errors;
}

export function expectShape(operation: string, response: object): void {
  expect(shapeErrors(operation, response), `${operation} response against botocore's output shape`).toEqual([]);
}

/** v3 outputs carry `$metadata` as the SDK fills it. */
export function expectV3Metadata(response: object): void {
  const metadata = (response as { $metadata?: Record<string, unknown> }).$metadata;
  expect(metadata).toMatchObject({ httpStatusCode: 200, attempts: 1, totalRetryDelay: 0 });
  expect(typeof metadata?.requestId).toBe("string");
}

// Reads the job document from stdin; its parameters say how long to take and how to exit.
const WORKLOAD_SCRIPT = `
const payload = JSON.parse(require("fs").readFileSync(0, "utf8") || "{}");
const parameters = payload.parameters || {};
setTimeout(() => {
  console.log(JSON.stringify({ echo: payload }));
  process.exit(Number(parameters.code || "0"));
}, Number(parameters.sleep || "0") * 1000);
`;

export const SALAD_QUEUE = "echo-queue";
export const CC_WORKLOAD = "echo-json";

/** The executor, with a Common Compute workload running the job document and a SaladCloud queue app. */
export async function startShimExecutor() {
  const app = await startApp(({ body }) => {
    const input = JSON.parse(body || "{}") as { parameters?: Record<string, string> };
    const parameters = input.parameters ?? {};
    const failing = String(parameters.code ?? "0") !== "0";
    return {
      status: failing ? 500 : 200,
      body: JSON.stringify({ echo: input }),
      delayMs: Number(parameters.sleep ?? "0") * 1000,
    };
  });
  const executor = await startTestExecutor({
    config: {
      workloads: { [CC_WORKLOAD]: { command: [NODE, "-e", WORKLOAD_SCRIPT] } },
      saladQueues: { [SALAD_QUEUE]: { port: app.port, path: "/run", replicas: 2 } },
      // The shim's Common Compute target uses the assumed generic job API (runtime/README.md).
      commonComputeExtensions: true,
    },
    leaseMs: 2_000,
  });
  return {
    ...executor,
    async cleanup() {
      await executor.cleanup();
      await app.close();
    },
  };
}

export type ShimExecutor = Awaited<ReturnType<typeof startShimExecutor>>;

/** A migrate.config.json in a fresh directory; returns its path. */
export function writeConfig(config: Record<string, unknown>): string {
  const file = path.join(temporaryDirectory("bm-shim-config-"), "migrate.config.json");
  writeFileSync(file, JSON.stringify(config));
  return file;
}

export async function poll<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export const TERMINAL = ["SUCCEEDED", "FAILED"];
export const CANONICAL_ORDER = ["SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED"];

export function movesForward(statuses: string[]): boolean {
  const positions = statuses.map((status) => CANONICAL_ORDER.indexOf(status));
  return positions.every(
    (position, index) => position >= 0 && (index === 0 || position >= (positions[index - 1] ?? 0)),
  );
}
