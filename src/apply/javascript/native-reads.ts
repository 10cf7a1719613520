// The reads of a SubmitJob or DescribeJobs response, mapped to the target's answer: `r.jobId` → `r.id`,
// `r.jobs[0].status === "SUCCEEDED"` → `r.state === "completed"`. A one-job DescribeJobs is followed through the
// names and forms code gives its job (`const job = r.jobs[0]`, `r.jobs.find((j) => j.jobId === id)`, `if (!r.jobs)`);
// any other read is the exact reason the site cannot move.
import type { TextEdit } from "../edits.js";
import { AWS_TO_TARGET_STATUS, TARGET_NAME, TARGET_STATUS_FIELD } from "../target-status.js";
import type { MigrationTarget } from "../transform.js";
import type { OperationContext } from "./native-operation.js";
import { literalString } from "./native-request.js";
import { referencesIn, scopeOf } from "./scope.js";
import type { JsNode } from "./syntax.js";

function clip(value: string): string {
  const flat = value.replace(/\s+/g, " ");
  return flat.length > 60 ? `${flat.slice(0, 57)}…` : flat;
}

const isMemberOf = (parent: JsNode | undefined, node: JsNode): boolean =>
  !!parent && parent.type.endsWith("MemberExpression") && parent.object === node;
const keyOf = (member: JsNode): string | number | undefined =>
  member.computed ? member.property.value : member.property?.name;
/** Job fields the target answers under Batch's name with another meaning (targets.md: GET /v1/jobs/:id). */
const SAME_NAME_OTHER_MEANING: Record<MigrationTarget, Record<string, string>> = {
  "common-compute": { attempts: "is a count, not Batch's list of attempts (no container, exitCode or reason)" },
  salad: {},
};
/** A read that only logs the response: its shape is no behaviour the code depends on. */
const LOGGED = /^console\.\w+$/;

/** Edits for every read of `binding`; "whole" when a SubmitJob response is used as a value (the rewrite adapts it). */
export function mapReads(
  binding: JsNode,
  scope: JsNode,
  operation: string,
  ctx: OperationContext,
): TextEdit[] | string {
  const edits: TextEdit[] = [];
  const uses = referencesIn(ctx.parsed, scope, binding.name).filter((use) => use.node !== binding);
  for (const use of uses) {
    const parent = use.parent?.node as JsNode;
    // `let r = false` before its one assignment `r = await …`, and `if (!r)`: no read of the response's shape.
    if (logged(use, ctx) || truthTest(use) || (parent?.type === "VariableDeclarator" && parent.id === use.node))
      continue;
    const why =
      operation === "DescribeJobs" ? describeRead(use, binding.name, edits, ctx) : submitRead(use, edits, ctx);
    if (why) return why;
  }
  return edits;
}

function logged(use: JsNode, ctx: OperationContext): boolean {
  const call = use.parent?.node as JsNode;
  return (
    call?.type === "CallExpression" &&
    call.arguments.includes(use.node) &&
    LOGGED.test(ctx.code.slice(call.callee.start, call.callee.end))
  );
}

function submitRead(use: JsNode, edits: TextEdit[], ctx: OperationContext): string | undefined {
  const member = use.parent?.node as JsNode;
  if (!isMemberOf(member, use.node) || member.computed) return "whole";
  const field = member.property.name as string;
  const mapped = fieldOf(field, "SubmitJob", ctx);
  if (mapped) {
    edits.push({ start: member.property.start, end: member.property.end, text: mapped });
    return undefined;
  }
  if (field !== "jobArn") return "whole";
  return `SubmitJob: the response field jobArn has no ${TARGET_NAME[ctx.target]} counterpart (jobs have no ARN): use the job id: rewrite that read by hand`;
}

function fieldOf(field: string, operation: string, ctx: OperationContext): string | undefined {
  const keys: Record<string, string> = {
    jobId: "id",
    jobName: ctx.target === "salad" ? "metadata?.name" : "name",
    ...(operation === "DescribeJobs" ? { status: TARGET_STATUS_FIELD[ctx.target] } : {}),
  };
  return Object.hasOwn(keys, field) ? keys[field] : undefined;
}

/** `r.jobs[0]…`, `r.jobs.find(…)…`, `!r.jobs`: the response of a one-job DescribeJobs, which the target answers with the job. */
function describeRead(use: JsNode, name: string, edits: TextEdit[], ctx: OperationContext): string | undefined {
  const target = TARGET_NAME[ctx.target];
  const code = ctx.code;
  const jobs = use.parent as JsNode;
  const unmapped = (end: number) =>
    `DescribeJobs: the response is read as ${clip(code.slice(use.node.start, end))}: only ${name}.jobs[0], ${name}.jobs.find((j) => j.jobId === id) and a test of ${name}.jobs map to the one ${target} job it answers; rewrite that read by hand`;
  if (!isMemberOf(jobs?.node, use.node) || keyOf(jobs.node) !== "jobs") {
    if (isMemberOf(jobs?.node, use.node)) return unmapped(jobs.node.end);
    return `DescribeJobs: ${clip(code.slice(use.node.start, use.node.end))} is used whole, and a ${target} job has another shape than Batch's DescribeJobs response: read the fields you need instead`;
  }
  return jobsRead(jobs, use.node.start, name, edits, ctx);
}

/**
 * The reads of a one-job list (`r.jobs`, or `jobs` destructured from the response), each rewritten from `start` to
 * the job read as `name`, the target's answer: `r.jobs[0]` → `r`, `jobs.find(…)` → `jobs`.
 */
function jobsRead(
  jobs: JsNode,
  start: number,
  name: string,
  edits: TextEdit[],
  ctx: OperationContext,
): string | undefined {
  const outer = jobs.parent?.node as JsNode;
  // `if (!r.jobs)`: the job is there (the target answers 404 otherwise), and the rewritten value is truthy too.
  if (truthTest(jobs)) {
    edits.push({ start, end: jobs.node.end, text: name });
    return undefined;
  }
  let job: JsNode | undefined;
  if (isMemberOf(outer, jobs.node) && outer.computed && keyOf(outer) === 0) job = jobs.parent;
  else if (isMemberOf(outer, jobs.node) && keyOf(outer) === "find" && findsById(jobs.parent.parent?.node, jobs.parent))
    job = jobs.parent.parent;
  if (!job) {
    const end = (isMemberOf(outer, jobs.node) ? outer : jobs.node).end;
    return `DescribeJobs: the response is read as ${clip(ctx.code.slice(start, end))}: only jobs[0], jobs.find((j) => j.jobId === id) and a test of jobs map to the one ${TARGET_NAME[ctx.target]} job it answers; rewrite that read by hand`;
  }
  edits.push({ start, end: job.node.end, text: name });
  return jobRead(job, edits, ctx, 0);
}

/** `const { jobs } = await …`: the list, renamed to hold the one job the target answers. */
export function mapDestructuredJobs(pattern: JsNode, scope: JsNode, ctx: OperationContext): TextEdit[] | string {
  const property = pattern.properties.length === 1 ? (pattern.properties[0] as JsNode) : undefined;
  const local = property?.value as JsNode | undefined;
  if (
    property?.type !== "ObjectProperty" ||
    property.computed ||
    (property.key.name ?? property.key.value) !== "jobs" ||
    local?.type !== "Identifier"
  )
    return `DescribeJobs: the response is destructured (${clip(ctx.code.slice(pattern.start, pattern.end))}): only const { jobs } = … maps to the one ${TARGET_NAME[ctx.target]} job it answers; rewrite it by hand`;
  const edits: TextEdit[] = [{ start: pattern.start, end: pattern.end, text: local.name }];
  for (const use of referencesIn(ctx.parsed, scope, local.name)) {
    if (use.node === local || use.node === property.key || logged(use, ctx)) continue;
    const why = jobsRead(use, use.node.start, local.name, edits, ctx);
    if (why) return why;
  }
  return edits;
}

/** `!x`, `if (x)`, `x && …`, `x ? … : …`: a value tested for being there, not read. */
function truthTest(path: JsNode): boolean {
  const outer = path.parent?.node as JsNode | undefined;
  return (
    (outer?.type === "UnaryExpression" && outer.operator === "!") ||
    (outer?.type === "IfStatement" && outer.test === path.node) ||
    (outer?.type === "LogicalExpression" && outer.left === path.node) ||
    (outer?.type === "ConditionalExpression" && outer.test === path.node)
  );
}

/** `.find((j) => j.jobId === id)` (either side): in a one-job answer, the job. */
function findsById(call: JsNode | undefined, callee: JsNode): boolean {
  if (!/^(Optional)?CallExpression$/.test(call?.type ?? "") || call!.callee !== callee.node) return false;
  if (call!.arguments.length !== 1) return false;
  const predicate = call.arguments[0] as JsNode;
  if (predicate.type !== "ArrowFunctionExpression" || predicate.params.length !== 1) return false;
  const param = predicate.params[0] as JsNode;
  const test = predicate.body as JsNode;
  if (param.type !== "Identifier" || test.type !== "BinaryExpression" || !["===", "=="].includes(test.operator))
    return false;
  const isId = (side: JsNode) =>
    side.type === "MemberExpression" &&
    !side.computed &&
    side.object.type === "Identifier" &&
    side.object.name === param.name &&
    side.property.name === "jobId";
  return isId(test.left) || isId(test.right);
}

/** The reads of a job (an expression path, or a const that holds it): fields mapped, the const followed. */
function jobRead(job: JsNode, edits: TextEdit[], ctx: OperationContext, depth: number): string | undefined {
  const target = TARGET_NAME[ctx.target];
  const code = ctx.code;
  const parent = job.parent?.node as JsNode;
  if (parent?.type === "VariableDeclarator" && parent.init === job.node && parent.id.type === "Identifier") {
    if (depth > 3) return `DescribeJobs: the job is renamed too many times to follow: read it directly`;
    for (const alias of referencesIn(ctx.parsed, scopeOf(job.parent), parent.id.name)) {
      if (alias.node === parent.id || logged(alias, ctx)) continue;
      const why = jobRead(alias, edits, ctx, depth + 1);
      if (why) return why;
    }
    return undefined;
  }
  if (truthTest(job)) return undefined;
  if (!isMemberOf(parent, job.node) || parent.computed)
    return `DescribeJobs: the job ${clip(code.slice(job.node.start, job.node.end))} is used whole, and a ${target} job has another shape than Batch's JobDetail (jobId → id, status → ${TARGET_STATUS_FIELD[ctx.target]}): read the fields you need instead`;
  const field = parent.property.name as string;
  const mapped = fieldOf(field, "DescribeJobs", ctx);
  if (!mapped) {
    const other = Object.hasOwn(SAME_NAME_OTHER_MEANING[ctx.target], field)
      ? `: ${target}'s ${field} ${SAME_NAME_OTHER_MEANING[ctx.target][field]}`
      : ` has no ${target} counterpart${field === "jobArn" ? " (jobs have no ARN): use the job id" : ""}`;
    return `DescribeJobs: the job field ${field} (${clip(code.slice(job.node.start, parent.end))})${other}: rewrite that read by hand, or keep this file on the shim`;
  }
  edits.push({ start: parent.property.start, end: parent.property.end, text: mapped });
  return field === "status" ? mapStatusComparison(job.parent, edits, ctx) : undefined;
}

function mapStatusComparison(read: JsNode, edits: TextEdit[], ctx: OperationContext): string | undefined {
  const { target, code } = ctx;
  const comparison = read.parent?.node as JsNode;
  const table = AWS_TO_TARGET_STATUS[target];
  const name = TARGET_NAME[target];
  if (comparison?.type !== "BinaryExpression" || !["===", "!==", "==", "!="].includes(comparison.operator))
    return `DescribeJobs: status is used beyond an equality test, and ${name} states differ from Batch's (${Object.entries(
      table,
    )
      .map(([aws, states]) => `${aws} → ${states.join("/")}`)
      .join(", ")}): map it by hand`;
  const other = comparison.left === read.node ? comparison.right : comparison.left;
  const value = literalString(other);
  const mapped = value !== undefined && Object.hasOwn(table, value) ? table[value] : undefined;
  if (!mapped)
    return "DescribeJobs: status is compared with something other than a literal Batch status: map it by hand";
  const quote = code[other.start];
  if (mapped.length === 1) {
    edits.push({ start: other.start, end: other.end, text: `${quote}${mapped[0]}${quote}` });
    return undefined;
  }
  // FAILED is two target states: `s === "FAILED"` → `["failed", "dead_letter"].includes(s)`, the read left in place.
  const states = `${comparison.operator.startsWith("!") ? "!" : ""}[${mapped.map((state) => `${quote}${state}${quote}`).join(", ")}].includes(`;
  if (comparison.left === read.node) {
    edits.push({ start: read.node.start, end: read.node.start, text: states });
    edits.push({ start: read.node.end, end: comparison.end, text: ")" });
  } else {
    edits.push({ start: comparison.start, end: read.node.start, text: states });
    edits.push({ start: read.node.end, end: read.node.end, text: ")" });
  }
  return undefined;
}
