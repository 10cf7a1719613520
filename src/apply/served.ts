import type { Finding } from "../core/types.js";
import { indexOfPosition } from "./python/syntax.js";

/**
 * The AWS Batch operations the runtime's shim serves on a migration target (runtime/src/shim/core.ts
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
): { index: number; why: string }[] {
  return findings
    .filter((f) => CALL_KINDS.has(f.kind) && f.operation && !f.dynamic && !SHIM_SERVED_OPERATIONS.has(f.operation))
    .map((f) => {
      const op = f.operation!;
      const name = language === "python" ? `${snakeCase(op)}()` : `${op}Command`;
      return {
        index: indexOfPosition(code, f.line, f.column),
        why:
          `${name} (${op}) ${STAYS} ${stayingOn}: manage the ` +
          `${resourceOf(op)} with the files \`migrate init --target <target>\` writes, or move this call to a ` +
          `module that stays on AWS, then run apply again`,
      };
    });
}
