// The scanner's own reason a Python site's Batch client could not be placed (a framework makes it, its service is
// read at run time), with what a person can do: a generic "made in another module" would hide the one fact that
// tells them where to act.
import type { Finding } from "../../core/types.js";

/** boto3 method name of an API operation: SubmitJob → submit_job. */
function snakeCase(operation: string): string {
  return operation.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

/**
 * The reason a site stays on AWS, from its `origin.reason`; undefined when the scanner gave none. `where: false`
 * leaves out that the call stays on AWS, for a marker that says where it stays itself.
 */
export function reasonFromOrigin(finding: Finding, { where = true }: { where?: boolean } = {}): string | undefined {
  const origin = finding.origin;
  if (!origin?.reason) return undefined;
  const operation = finding.operation ? `${snakeCase(finding.operation)}()` : "this Batch call";
  const reason = origin.reason.replace(/; the scan cannot see or change where$/, "");
  const hook = /^airflow:(.+)$/.exec(origin.via)?.[1];
  if (hook)
    return `${operation}: ${reason}, here \`${hook}\`, which apply cannot move${where ? ", so this call stays on AWS" : ""}: keep it there until the task is replaced by code that makes its client with \`from batch_migrate_runtime import boto3\`, or override the hook's client (\`conn\` / \`client\`) to return \`batch_migrate_runtime.boto3.client("batch")\``;
  return `${operation}: ${reason}${where ? ", so this call stays on AWS" : ""}: make its client with \`from batch_migrate_runtime import boto3\` where it is created, then run apply again`;
}
