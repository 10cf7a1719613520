import type { LiteralValue, ResourceKind } from "../core/types.js";
import { normalizeByKind } from "./cloudformation.js";
import type { Normalized } from "./types.js";
import { isExpression, isObject, type LiteralObject } from "./values.js";

export const TERRAFORM_BATCH_TYPES: Record<string, ResourceKind | undefined> = {
  aws_batch_compute_environment: "compute-environment",
  aws_batch_job_queue: "job-queue",
  aws_batch_job_definition: "job-definition",
  aws_batch_scheduling_policy: "scheduling-policy",
};

/** Attributes whose value is a JSON document of camelCase API properties. */
const JSON_DOCUMENT_ATTRIBUTES = new Set(["container_properties", "node_properties", "ecs_properties"]);

/** `"${aws_batch_compute_environment.x.arn}"` → the reference; any other interpolation → the whole string. */
function interpolation(value: string): LiteralValue {
  const whole = /^\$\{([^{}]*)\}$/.exec(value.trim());
  return { $expr: whole ? whole[1]!.trim() : value };
}

/**
 * Turns values of a Terraform configuration (as hcl2json writes them, or as read from a JSON document inside it)
 * into the normalisers' input: strings with `${…}` become `{ $expr }`.
 */
export function resolveTerraformValue(value: LiteralValue): LiteralValue {
  if (typeof value === "string") return value.includes("${") ? interpolation(value) : value;
  if (Array.isArray(value)) return value.map(resolveTerraformValue);
  if (!isObject(value)) return value;
  const out: LiteralObject = {};
  for (const [key, item] of Object.entries(value)) out[key] = resolveTerraformValue(item);
  return out;
}

/** A JSON document attribute given as a string (heredoc, `file()` content already read) or as an object. */
function readDocument(value: LiteralValue): LiteralValue {
  if (typeof value !== "string") return resolveTerraformValue(value);
  try {
    return resolveTerraformValue(JSON.parse(value) as LiteralValue);
  } catch {
    return { $expr: value };
  }
}

/**
 * Normalises the attributes of an `aws_batch_*` resource or data source. JSON-document attributes
 * (`container_properties`…) may be strings of JSON or values already read from `jsonencode({…})`.
 */
export function normalizeTerraformResource(
  type: string,
  attributes: LiteralObject,
): { kind: ResourceKind; normalized: Normalized<object> } | undefined {
  const kind = TERRAFORM_BATCH_TYPES[type];
  if (!kind) return undefined;
  const spec: LiteralObject = {};
  for (const [key, value] of Object.entries(attributes)) {
    spec[key] = JSON_DOCUMENT_ATTRIBUTES.has(key) ? readDocument(value) : resolveTerraformValue(value);
  }
  const normalized = normalizeByKind(kind, spec);
  for (const key of JSON_DOCUMENT_ATTRIBUTES) {
    if (isExpression(spec[key])) normalized.unresolved = [...new Set([...normalized.unresolved, camel(key)])].sort();
  }
  return { kind, normalized };
}

function camel(snake: string): string {
  return snake.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}
