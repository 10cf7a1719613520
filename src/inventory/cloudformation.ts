import type { LiteralValue, ResourceKind } from "../core/types.js";
import {
  normalizeComputeEnvironment,
  normalizeJobDefinition,
  normalizeJobQueue,
  normalizeSchedulingPolicy,
} from "./normalize.js";
import type { Normalized } from "./types.js";
import { isExpression, isObject, type LiteralObject } from "./values.js";

export const CLOUDFORMATION_BATCH_TYPES: Record<string, ResourceKind | undefined> = {
  "AWS::Batch::ComputeEnvironment": "compute-environment",
  "AWS::Batch::JobQueue": "job-queue",
  "AWS::Batch::JobDefinition": "job-definition",
  "AWS::Batch::SchedulingPolicy": "scheduling-policy",
  "AWS::Batch::ConsumableResource": "consumable-resource",
  "AWS::Batch::ServiceEnvironment": undefined,
  "AWS::Batch::QuotaShare": undefined,
};

/** `!Ref X`, `!GetAtt X.Arn`, `!Sub …`: the short form a reader of the template recognises. */
function intrinsicText(name: string, argument: LiteralValue): string {
  const short = name === "Ref" ? "Ref" : name.replace(/^Fn::/, "");
  if (short === "GetAtt" && Array.isArray(argument))
    return `!GetAtt ${argument.map((part) => (typeof part === "string" ? part : JSON.stringify(part))).join(".")}`;
  if (typeof argument === "string") return `!${short} ${argument}`;
  return `!${short} ${JSON.stringify(argument)}`;
}

function isIntrinsic(value: LiteralObject): string | undefined {
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const key = keys[0]!;
  return key === "Ref" || key === "Condition" || key.startsWith("Fn::") ? key : undefined;
}

/**
 * Turns CloudFormation intrinsic functions (`{ Ref }`, `{ "Fn::GetAtt" }`, …) and Serverless Framework
 * variables (`${self:custom.x}`) into `{ $expr }`, the form the normalisers treat as known only at deploy time.
 */
export function resolveCloudFormationValue(value: LiteralValue): LiteralValue {
  if (Array.isArray(value)) return value.map(resolveCloudFormationValue);
  if (typeof value === "string")
    return /\$\{[^}]*\}/.test(value) && /\$\{(self|opt|env|file|cf|ssm|sls|param|aws):/.test(value)
      ? { $expr: value }
      : value;
  if (!isObject(value)) return value;
  const intrinsic = isIntrinsic(value);
  if (intrinsic) return { $expr: intrinsicText(intrinsic, value[intrinsic]!) };
  const out: LiteralObject = {};
  for (const [key, item] of Object.entries(value)) out[key] = resolveCloudFormationValue(item);
  return out;
}

/**
 * Normalises the `Properties` of an `AWS::Batch::*` resource (a template, CDK L1 props or a CFN dict built in
 * code). Unknown or unsupported types give `undefined`.
 */
export function normalizeCloudFormationResource(
  type: string,
  properties: LiteralValue | undefined,
): { kind: ResourceKind; normalized: Normalized<object> } | undefined {
  const kind = CLOUDFORMATION_BATCH_TYPES[type];
  if (!kind) return undefined;
  const resolved = properties === undefined ? {} : resolveCloudFormationValue(properties);
  const spec = isObject(resolved) ? resolved : {};
  const unreadable = isExpression(resolved) ? ["Properties"] : [];
  const normalized = normalizeByKind(kind, spec);
  return { kind, normalized: { ...normalized, unresolved: [...unreadable, ...normalized.unresolved] } };
}

export function normalizeByKind(kind: ResourceKind, spec: LiteralObject): Normalized<object> {
  switch (kind) {
    case "job-definition":
      return normalizeJobDefinition(spec);
    case "job-queue":
      return normalizeJobQueue(spec);
    case "compute-environment":
      return normalizeComputeEnvironment(spec);
    case "scheduling-policy":
      return normalizeSchedulingPolicy(spec);
    case "consumable-resource":
      return { properties: {}, unresolved: [] };
  }
}
