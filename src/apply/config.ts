import { readFileSync } from "node:fs";
import path from "node:path";
import { Ajv } from "ajv";
import { ConfigError } from "../core/errors.js";

export const CONFIG_FILE_NAME = "migrate.config.json";

const PRIORITIES = ["batch", "standard", "priority"];

/** The part of a job definition entry the native transforms read; the runtime reads the rest. */
export interface JobDefinitionMapping {
  commonCompute?: { workload?: string; model?: string };
  salad?: { queue?: string };
}

export interface JobQueueMapping {
  commonCompute?: { priority?: "batch" | "standard" | "priority" };
  salad?: { queue?: string };
}

/** `migrate.config.json`: the same file the runtime's shim and the local executor read. */
export interface MigrateConfig {
  /** Where the file was read from, for messages. */
  file: string;
  jobDefinitions: Map<string, JobDefinitionMapping>;
  jobQueues: Map<string, JobQueueMapping>;
  /**
   * The target the shims send calls to (`shim.target`, else `target`, as the runtime reads it; `migrate init --target`
   * writes it). Undefined when none is named: the shims then pass every call to the real AWS SDK.
   */
  shimTarget?: string;
}

const MAPPING_BLOCKS = {
  commonCompute: {
    type: "object",
    properties: {
      workload: { type: "string", minLength: 1 },
      model: { type: "string", minLength: 1 },
      priority: { enum: PRIORITIES },
    },
  },
  salad: { type: "object", properties: { queue: { type: "string", minLength: 1 } } },
};

const section = (nameKey: string) => ({
  anyOf: [
    { type: "object", additionalProperties: { type: "object", properties: MAPPING_BLOCKS } },
    {
      type: "array",
      items: {
        type: "object",
        required: [nameKey],
        properties: { [nameKey]: { type: "string", minLength: 1 }, ...MAPPING_BLOCKS },
      },
    },
  ],
});

const SCHEMA = {
  type: "object",
  properties: {
    jobDefinitions: section("jobDefinitionName"),
    jobQueues: section("jobQueueName"),
    computeEnvironments: { anyOf: [{ type: "object" }, { type: "array", items: { type: "object" } }] },
    shim: { type: "object" },
    executor: { type: "object" },
  },
};

const validate = new Ajv({ allErrors: true, strict: false }).compile(SCHEMA);

function entries<T>(raw: unknown, nameKey: string): Map<string, T> {
  if (Array.isArray(raw))
    return new Map(raw.map((entry: Record<string, unknown>) => [String(entry[nameKey]), entry as T]));
  return new Map(Object.entries((raw ?? {}) as Record<string, T>));
}

/** Reads and validates the config; a broken file is a ConfigError (exit 2) that says where. */
export function parseMigrateConfig(text: string, file: string): MigrateConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      `${file} is not valid JSON: ${(error as Error).message}`,
      "fix the syntax, or delete the file and run `migrate init`",
    );
  }
  if (!validate(raw)) {
    const problems = (validate.errors ?? [])
      .filter((error) => error.keyword !== "anyOf")
      .map(
        (error) =>
          `${error.instancePath || "/"} ${error.message}${error.keyword === "enum" ? ` (${PRIORITIES.join(", ")})` : ""}`,
      );
    throw new ConfigError(
      `${file} is not a valid migrate config: ${[...new Set(problems)].join("; ")}`,
      "see the runtime README for the shape of migrate.config.json",
    );
  }
  const source = raw as Record<string, unknown>;
  const shimTarget = configuredShimTarget(source);
  return {
    file,
    jobDefinitions: entries<JobDefinitionMapping>(source.jobDefinitions, "jobDefinitionName"),
    jobQueues: entries<JobQueueMapping>(source.jobQueues, "jobQueueName"),
    ...(shimTarget ? { shimTarget } : {}),
  };
}

const SHIM_TARGET_ALIASES: Record<string, string> = {
  cc: "common-compute",
  commoncompute: "common-compute",
  common_compute: "common-compute",
  saladcloud: "salad",
};

/** `shim.target`, else `target`, lower-cased as the runtime reads them (runtime/src/shim/settings.ts). */
function configuredShimTarget(source: Record<string, unknown>): string | undefined {
  const shim = source.shim as Record<string, unknown> | undefined;
  const named = [shim?.target, source.target].find((value) => typeof value === "string" && value !== "");
  if (typeof named !== "string") return undefined;
  const lowered = named.trim().toLowerCase();
  return SHIM_TARGET_ALIASES[lowered] ?? lowered;
}

/** The config at the root of the tree, if any. */
export function loadMigrateConfig(root: string): MigrateConfig | undefined {
  const file = path.join(root, CONFIG_FILE_NAME);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  return parseMigrateConfig(text, CONFIG_FILE_NAME);
}

/** `video-merge:1`, `arn:aws:batch:…:job-definition/video-merge:1` → `video-merge`. */
export function jobDefinitionName(reference: string): string {
  const afterSlash = reference.includes("/") ? reference.slice(reference.lastIndexOf("/") + 1) : reference;
  return afterSlash.replace(/:\d+$/, "");
}

export function jobQueueName(reference: string): string {
  return reference.includes("/") ? reference.slice(reference.lastIndexOf("/") + 1) : reference;
}

/** A native submit's destination, or why it cannot be known. */
export type SubmitMapping =
  | { ok: true; workload: string; model?: string; priority: string }
  | { ok: true; saladQueue: string }
  | { ok: false; why: string };

export function mapSubmit(
  config: MigrateConfig | undefined,
  target: "common-compute" | "salad",
  definition: string,
  queue: string,
): SubmitMapping {
  if (!config) return { ok: false, why: `no ${CONFIG_FILE_NAME} maps job definitions and queues to ${target}` };
  const definitionName = jobDefinitionName(definition);
  const queueName = jobQueueName(queue);
  const jobDefinition = config.jobDefinitions.get(definitionName);
  if (!jobDefinition) return { ok: false, why: `job definition ${definitionName} is not in ${config.file}` };
  const jobQueue = config.jobQueues.get(queueName);
  if (target === "salad") {
    const saladQueue = jobQueue?.salad?.queue ?? jobDefinition.salad?.queue;
    return saladQueue
      ? { ok: true, saladQueue }
      : { ok: false, why: `queue ${queueName} has no salad.queue in ${config.file}` };
  }
  const priority = jobQueue?.commonCompute?.priority;
  if (!priority) return { ok: false, why: `queue ${queueName} has no commonCompute.priority in ${config.file}` };
  const model = jobDefinition.commonCompute?.model;
  return {
    ok: true,
    workload: jobDefinition.commonCompute?.workload ?? definitionName,
    priority,
    ...(model ? { model } : {}),
  };
}

/** SaladCloud reads and cancels name the queue; Batch's describe/cancel do not, so only a single mapped queue will do. */
export function onlySaladQueue(config: MigrateConfig | undefined): string | undefined {
  if (!config) return undefined;
  const queues = new Set<string>();
  for (const entry of config.jobQueues.values()) if (entry.salad?.queue) queues.add(entry.salad.queue);
  for (const entry of config.jobDefinitions.values()) if (entry.salad?.queue) queues.add(entry.salad.queue);
  return queues.size === 1 ? [...queues][0] : undefined;
}
