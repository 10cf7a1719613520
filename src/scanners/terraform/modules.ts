import path from "node:path";
import type { LiteralValue } from "../../core/types.js";
import { isObject, type LiteralObject } from "../../inventory/index.js";

const REGISTRY_BATCH_MODULE = /^(?:registry\.terraform\.io\/)?terraform-aws-modules\/batch\/aws(?:\/\/.*)?$/;
const GIT_BATCH_MODULE = /terraform-aws-modules\/terraform-aws-batch(?:\.git)?(?:[/?]|$)/;

export function isRegistryBatchModule(source: string): boolean {
  return REGISTRY_BATCH_MODULE.test(source) || GIT_BATCH_MODULE.test(source);
}

/** The folder (relative to the scan root, `.` for the root) a local module source points at. */
export function localModuleDir(fileDir: string, source: string): string | undefined {
  if (!source.startsWith("./") && !source.startsWith("../") && source !== "." && source !== "..") return undefined;
  const joined = path.posix.normalize(path.posix.join(fileDir, source.split("//")[0]!));
  return joined.replace(/\/$/, "") || ".";
}

/** A map input of the terraform-aws-modules/batch module (`compute_environments = { key = {…} }`). */
function entries(value: LiteralValue | undefined): [string, LiteralObject][] {
  return value !== undefined && isObject(value)
    ? Object.entries(value).filter((entry): entry is [string, LiteralObject] => isObject(entry[1]))
    : [];
}

function mapValues(value: LiteralValue | undefined): LiteralValue | undefined {
  if (isObject(value) && Object.values(value).every(isObject)) return Object.values(value);
  return value;
}

export interface ModuleDeclaration {
  type:
    | "aws_batch_compute_environment"
    | "aws_batch_job_queue"
    | "aws_batch_job_definition"
    | "aws_batch_scheduling_policy";
  address: string;
  attributes: LiteralObject;
}

/**
 * Turns the inputs of a terraform-aws-modules/batch module call into the resource attributes the module
 * creates from them, so that they can be normalised like resources. Compute environments are referred to by
 * their key in the module's map, which becomes a reference to the module's own instance.
 */
export function declarationsFromModuleInputs(moduleName: string, inputs: LiteralObject): ModuleDeclaration[] {
  const declarations: ModuleDeclaration[] = [];
  const address = (input: string, key: string) => `module.${moduleName}.${input}["${key}"]`;
  for (const [key, value] of entries(inputs.compute_environments)) {
    declarations.push({
      type: "aws_batch_compute_environment",
      address: address("compute_environments", key),
      attributes: value,
    });
  }
  for (const [key, value] of entries(inputs.job_queues)) {
    const order = entries(value.compute_environment_order).map(([position, entry]) => {
      const computeKey = entry.compute_environment_key;
      return {
        order: Number(position),
        compute_environment:
          typeof computeKey === "string"
            ? { $expr: address("compute_environments", computeKey) }
            : (entry.compute_environment ?? null),
      };
    });
    const { compute_environment_order: _order, fair_share_policy: _policy, ...rest } = value;
    declarations.push({
      type: "aws_batch_job_queue",
      address: address("job_queues", key),
      attributes: {
        ...rest,
        compute_environment_order: order,
        ...(value.fair_share_policy !== undefined || value.scheduling_policy_arn !== undefined
          ? { scheduling_policy_arn: value.scheduling_policy_arn ?? { $expr: address("scheduling_policies", key) } }
          : {}),
      },
    });
    if (value.fair_share_policy !== undefined) {
      declarations.push({
        type: "aws_batch_scheduling_policy",
        address: address("scheduling_policies", key),
        attributes: { name: value.name ?? null, fair_share_policy: value.fair_share_policy },
      });
    }
  }
  for (const [key, value] of entries(inputs.job_definitions)) {
    const { attempt_duration_seconds: duration, retry_strategy: retry, ...rest } = value;
    declarations.push({
      type: "aws_batch_job_definition",
      address: address("job_definitions", key),
      attributes: {
        ...rest,
        ...(duration !== undefined ? { timeout: { attempt_duration_seconds: duration } } : {}),
        ...(isObject(retry)
          ? { retry_strategy: { ...retry, evaluate_on_exit: mapValues(retry.evaluate_on_exit) ?? null } }
          : {}),
      },
    });
  }
  return declarations;
}
