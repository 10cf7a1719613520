import type { Finding } from "../core/types.js";
import { indexOfPosition } from "./python/syntax.js";

/**
 * The AWS Batch operations the runtime's shim serves on Common Compute and SaladCloud (runtime/src/shim/core.ts
 * `SHIM_OPERATIONS`, and the Python shim's client); test/served-operations.test.ts holds the three equal.
 */
export const SHIM_SERVED_OPERATIONS: ReadonlySet<string> = new Set([
  "SubmitJob",
  "DescribeJobs",
  "ListJobs",
  "CancelJob",
  "TerminateJob",
  "RegisterJobDefinition",
  "DescribeJobDefinitions",
  "DescribeJobQueues",
  "DescribeComputeEnvironments",
  "TagResource",
  "UntagResource",
  "ListTagsForResource",
]);

/**
 * On target `local` the shim serves AWS Batch's admin operations too: the local executor implements them
 * (runtime/src/shim/core.ts `LOCAL_ADMIN_OPERATIONS`, the Python shim's LocalBatchShimClient).
 */
export const LOCAL_SERVED_OPERATIONS: ReadonlySet<string> = new Set([
  ...SHIM_SERVED_OPERATIONS,
  "CreateComputeEnvironment",
  "UpdateComputeEnvironment",
  "DeleteComputeEnvironment",
  "CreateJobQueue",
  "UpdateJobQueue",
  "DeleteJobQueue",
  "DeregisterJobDefinition",
  "CreateSchedulingPolicy",
  "UpdateSchedulingPolicy",
  "DeleteSchedulingPolicy",
  "DescribeSchedulingPolicies",
  "ListSchedulingPolicies",
]);

/**
 * What the shim serves on the target migrate.config.json names. With none named (the shims pass every call to AWS
 * until the cut-over) a file is held to what every migration target serves, so the cut-over breaks nothing.
 */
export function shimServedOperations(shimTarget: string | undefined): ReadonlySet<string> {
  return shimTarget === "local" ? LOCAL_SERVED_OPERATIONS : SHIM_SERVED_OPERATIONS;
}

const CALL_KINDS = new Set(["py-call", "py-paginator", "js-v2-call", "js-v3-command"]);

/** The resource an operation acts on, in words: DeregisterJobDefinition → "job definition". */
function resourceOf(operation: string): string {
  const noun = operation.replace(
    /^(Create|Update|Delete|Deregister|Register|Describe|List|Get|Tag|Untag|Cancel|Terminate|Submit)/,
    "",
  );
  return (
    noun
      .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
      .toLowerCase()
      .replace(/s$/, "") || "resource"
  );
}

function snakeCase(operation: string): string {
  return operation.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

const STAYS = "is not served by the batch-migrate shim, so this file stays on";

/** A file an earlier run kept on the real SDK for an unserved call keeps it until a person removes the marker. */
export function keptOffTheShim(code: string): boolean {
  return code.includes(STAYS);
}

/**
 * Calls in a file of operations the shim does not serve, each with the marker text a person acts on. The file then
 * stays on the real SDK: moving it would turn each of these calls into an error on the target.
 */
export function unservedCalls(
  code: string,
  findings: readonly Finding[],
  language: "python" | "javascript",
  stayingOn: string,
  shimTarget?: string,
): { index: number; why: string }[] {
  const served = shimServedOperations(shimTarget);
  return findings
    .filter((f) => CALL_KINDS.has(f.kind) && f.operation && !f.dynamic && !served.has(f.operation))
    .map((f) => {
      const op = f.operation!;
      const name =
        language === "python"
          ? `${snakeCase(op)}()`
          : f.kind === "js-v2-call"
            ? `${op[0]!.toLowerCase()}${op.slice(1)}()`
            : `${op}Command`;
      return {
        index: indexOfPosition(code, f.line, f.column),
        why:
          `${name} (${op}) ${STAYS} ${stayingOn}${shimTarget ? ` (target ${shimTarget})` : ""}: manage the ` +
          `${resourceOf(op)} with the files \`migrate init --target <target>\` writes, or move this call to a ` +
          `module that stays on AWS, then run apply again`,
      };
    });
}
