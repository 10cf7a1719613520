import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import { parse as parseYaml } from "yaml";
import { ConfigError } from "../core/errors.js";
import { ESTIMATORS } from "./resources/index.js";
import type { UsageKey } from "./resources/estimator.js";

/** The keys every estimator reads: they make the billed job-hours of pricing.md §10. */
export const JOB_HOURS_USAGE: readonly UsageKey[] = [
  {
    key: "jobs_per_month",
    type: "number",
    minimum: 0,
    description: "Submissions of this job definition per month (an array job counts once)",
  },
  {
    key: "avg_runtime_minutes",
    type: "number",
    minimum: 0,
    description: "Average run time of one job (one array child), in minutes",
  },
  {
    key: "array_size",
    type: "integer",
    minimum: 1,
    default: 1,
    description: "Children per submission when it is submitted as an array job",
  },
];

/** Keys that pin what a workload runs on today, when the links leave a choice (or none). */
export const PIN_USAGE: readonly UsageKey[] = [
  { key: "queue", type: "string", description: "Job queue it is submitted to (name), when the report cannot tell" },
  {
    key: "compute_environment",
    type: "string",
    description: "Compute environment it runs on (name), when the report cannot tell",
  },
  {
    key: "instance_type",
    type: "string",
    description:
      "EC2 instance type (or Fargate) it runs on today, e.g. c5.2xlarge; prices AWS without a compute environment",
  },
];

export const DEFAULT_REGION = "us-east-1";

export type UsageValue = number | string;

/** The usage of one job definition, as written in the usage file (defaults are applied by the estimators). */
export type JobUsage = Record<string, UsageValue>;

export interface UsageFile {
  /** The file as given on the command line. */
  path: string;
  region: string;
  /** Keyed by job definition name or IaC address. */
  jobDefinitions: Record<string, JobUsage>;
}

/** Every usage key of every estimator, without duplicates, in declaration order. */
export function allUsageKeys(): UsageKey[] {
  const keys = new Map<string, UsageKey>();
  for (const key of [...JOB_HOURS_USAGE, ...PIN_USAGE, ...Object.values(ESTIMATORS).flatMap((e) => e.usage)])
    keys.set(key.key, key);
  return [...keys.values()];
}

function usageSchema() {
  const properties = Object.fromEntries(
    allUsageKeys().map((key) => [
      key.key,
      key.type === "string"
        ? { type: "string", ...(key.enum ? { enum: key.enum } : {}) }
        : {
            type: key.type,
            ...(key.minimum !== undefined ? { minimum: key.minimum } : {}),
            ...(key.maximum !== undefined ? { maximum: key.maximum } : {}),
          },
    ]),
  );
  return {
    type: "object",
    additionalProperties: false,
    required: ["job_definitions"],
    properties: {
      version: { const: 1 },
      region: { type: "string", pattern: "^[a-z]{2}-[a-z]+-\\d$" },
      job_definitions: {
        type: "object",
        additionalProperties: {
          anyOf: [{ type: "null" }, { type: "object", additionalProperties: false, properties }],
        },
      },
    },
  };
}

function fixFor(keyword: string, params: Record<string, unknown>): string {
  if (keyword === "additionalProperties") {
    return `remove "${String(params.additionalProperty)}" or correct its spelling; known keys: ${allUsageKeys()
      .map((k) => k.key)
      .join(", ")}`;
  }
  if (keyword === "enum") return `use one of: ${(params.allowedValues as unknown[]).join(", ")}`;
  if (keyword === "type") return `give a ${String(params.type)} there (see docs/report.md#usage-file)`;
  if (keyword === "required") return `add "${String(params.missingProperty)}:" (run \`migrate init\` for a template)`;
  return "see docs/report.md#usage-file, or run `migrate init` for a commented template";
}

/** Reads and validates `migrate-usage.yml`; every error names the file, the field and the fix (exit 2). */
export function loadUsageFile(file: string): UsageFile {
  let data: unknown;
  try {
    data = parseYaml(readFileSync(file, "utf8"));
  } catch (error) {
    const message = (error as Error).message;
    throw new ConfigError(
      `cannot read the usage file ${file}: ${message}`,
      /Map keys must be unique/.test(message)
        ? "two entries have one key: qualify one by its file (`path/main.tf#name`, as `migrate init` now writes), or regenerate it with `migrate init --force`"
        : "fix the YAML, or run `migrate init` for a template",
    );
  }
  const validate = new Ajv({ allErrors: true }).compile(usageSchema());
  if (!validate(data)) {
    const errors = validate.errors!;
    // The deepest error is the specific one: `jobs_per_month must be number`, not the `must be null` of the
    // other anyOf branch at its parent.
    const depth = (error: (typeof errors)[number]) => error.instancePath.split("/").length;
    const shown =
      errors
        .filter((e) => e.keyword !== "anyOf")
        .sort((a, b) => depth(b) - depth(a) || Number(a.keyword === "type") - Number(b.keyword === "type"))[0] ??
      errors[0]!;
    const field = shown.instancePath ? shown.instancePath.slice(1).replaceAll("/", ".") : "(top level)";
    throw new ConfigError(`${file}: ${field} ${shown.message ?? "is invalid"}`, fixFor(shown.keyword, shown.params));
  }
  const parsed = data as { region?: string; job_definitions: Record<string, JobUsage | null> };
  return {
    path: file,
    region: parsed.region ?? DEFAULT_REGION,
    jobDefinitions: Object.fromEntries(
      Object.entries(parsed.job_definitions).map(([name, usage]) => [name, usage ?? {}]),
    ),
  };
}
