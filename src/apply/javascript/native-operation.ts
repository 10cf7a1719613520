// One Batch job operation (SubmitJob, DescribeJobs, CancelJob, TerminateJob, ListJobs), however the SDK spelled it
// (v3 `send(new XCommand(…))`, v2 `.promise()` or a callback) → the target client's own call, with the response
// reads mapped; or the exact reason it cannot be, for a marker.
import { mapSubmit, onlySaladQueue, type MigrateConfig } from "../config.js";
import { indentationAt, lineStartOf, type TextEdit } from "../edits.js";
import { TARGET_NAME } from "../target-status.js";
import type { MigrationTarget } from "../transform.js";
import { mapDestructuredJobs, mapReads } from "./native-reads.js";
import { literalString, readRequest, type BatchRequest } from "./native-request.js";
import { declaratorOf, referencesIn, scopeOf, statementOf } from "./scope.js";
import type { JsNode, JsStyle, ParsedJs } from "./syntax.js";

export const ROUTING_SOURCE = "batch-migrate-runtime/routing";
const SUBMIT_KEYS = new Set(["jobName", "jobQueue", "jobDefinition", "parameters", "retryStrategy", "timeout"]);

/** SaladCloud names the organization and project on every call; the runtime reads them from Salad's variables. */
function saladScope(routing: string[]): string {
  routing.push("saladOrganization", "saladProject");
  return "saladOrganization(), saladProject()";
}

export interface OperationContext {
  parsed: ParsedJs;
  code: string;
  style: JsStyle;
  target: MigrationTarget;
  config: MigrateConfig | undefined;
}

export interface OperationSite {
  /** `SubmitJob`, `DescribeJobs`, … */
  operation: string;
  /** The request argument's path (undefined when the call has none). */
  request: JsNode | undefined;
  /** The client expression's text. */
  receiver: string;
  /** The expression replaced: its value is (a promise of) the response. */
  call: JsNode;
  /** v2 callback form: the callback argument's path. */
  callback?: JsNode;
  /** Extra edits the site needs when it is rewritten (a command declaration to remove). */
  alsoEdits?: TextEdit[];
}

export interface OperationPlan {
  edits: TextEdit[];
  /** Names to import: from batch-migrate-runtime/routing, and `callbackify` from node:util. */
  routing: string[];
  callbackify: boolean;
}

const text = (code: string, node: JsNode) => code.slice(node.start, node.end);

/** Why a site cannot move, as opposed to the target call it becomes. */
class Refusal {
  constructor(readonly why: string) {}
}
const refuse = (why: string) => new Refusal(why);

export function planOperation(site: OperationSite, ctx: OperationContext): OperationPlan | string {
  const { operation } = site;
  const name = TARGET_NAME[ctx.target];
  if (operation === "ListJobs") {
    return ctx.target === "common-compute"
      ? "ListJobs: Common Compute has no job listing (its API routes no GET /v1/jobs): keep the job ids you submit and read each with jobs.get, or keep this file on the shim"
      : "ListJobs: SaladCloud's listQueueJobs pages a whole queue with no status filter, and Batch's ListJobs answers only RUNNING jobs unless jobStatus says otherwise: list the queue and filter item.status by hand";
  }
  if (!site.request) return `${operation} has no request argument to read`;
  const request = readRequest(ctx.parsed, ctx.code, site.request);
  const routing: string[] = [];
  const built =
    operation === "SubmitJob"
      ? submitCall(request, site.receiver, ctx, routing)
      : operation === "DescribeJobs"
        ? describeCall(request, site.receiver, ctx, routing)
        : cancelCall(operation, request, site.receiver, ctx, routing);
  if (built instanceof Refusal) return built.why;
  const answer = answerOf(site, operation, ctx, name);
  if (typeof answer === "string") return answer;
  let replacement = built;
  if (answer.adapt && operation === "SubmitJob") {
    routing.push("submitJobResponse");
    replacement = `${replacement}.then(submitJobResponse)`;
  } else if (answer.adapt) {
    // Batch answers CancelJob and TerminateJob with an empty object: so does the rewrite.
    replacement = `${replacement}.then(() => ({}))`;
  }
  const edits = [...answer.edits, ...(site.alsoEdits ?? [])];
  if (operation === "TerminateJob" && ctx.target === "salad") {
    const start = lineStartOf(ctx.code, statementOf(site.call).start);
    edits.push({
      start,
      end: start,
      text: `${indentationAt(ctx.code, start)}// migrate: review — TerminateJob → deleteQueueJob: SaladCloud documents the delete for a queued job; whether it stops a running one is not documented, so check the job's status afterwards\n`,
    });
  }
  if (operation === "SubmitJob" && request.kind === "opaque") {
    const statement = statementOf(site.call);
    const start = lineStartOf(ctx.code, statement.start);
    const helper = ctx.target === "salad" ? "saladQueueJob()" : "commonComputeSubmit()";
    edits.push({
      start,
      end: start,
      text: `${indentationAt(ctx.code, start)}// migrate: review — ${clip(request.text)} is built elsewhere: ${helper} maps it at run time and throws on a field ${name} has no counterpart for (containerOverrides, dependsOn, arrayProperties…)\n`,
    });
  }
  if (site.callback) {
    const callback = text(ctx.code, site.callback.node);
    edits.push({
      start: site.call.node.start,
      end: site.call.node.end,
      text: `callbackify(async () => ${replacement})(${callback})`,
    });
    // The callback's own text is kept (with its reads mapped): cut the outer edit around the inner ones.
    return { edits: spliceInner(edits, site, ctx.code), routing, callbackify: true };
  }
  edits.push({ start: site.call.node.start, end: site.call.node.end, text: replacement });
  return { edits, routing, callbackify: false };
}

/** A callback rewrite wraps the callback's text, in which read edits sit: apply those inside the wrapper's text. */
function spliceInner(edits: TextEdit[], site: OperationSite, code: string): TextEdit[] {
  const outer = edits.at(-1)!;
  const callback = site.callback.node as JsNode;
  const inner = edits.slice(0, -1).filter((edit) => edit.start >= callback.start && edit.end <= callback.end);
  const others = edits.slice(0, -1).filter((edit) => !inner.includes(edit));
  let body = code.slice(callback.start, callback.end);
  // Last first; at one offset, a replacement before an insertion there, so the insertion lands in front of it.
  for (const edit of [...inner].sort((a, b) => b.start - a.start || b.end - a.end))
    body = body.slice(0, edit.start - callback.start) + edit.text + body.slice(edit.end - callback.start);
  const prefix = outer.text.slice(0, outer.text.lastIndexOf(`(${code.slice(callback.start, callback.end)})`));
  return [...others, { start: outer.start, end: outer.end, text: `${prefix}(${body})` }];
}

function quoteWith(ctx: OperationContext, value: string): string {
  const q = ctx.style.quote;
  return `${q}${value.replace(/\\/g, "\\\\").replace(new RegExp(q, "g"), `\\${q}`)}${q}`;
}

function submitCall(
  request: BatchRequest,
  receiver: string,
  ctx: OperationContext,
  routing: string[],
): string | Refusal {
  const { target } = ctx;
  const name = TARGET_NAME[target];
  if (request.kind === "opaque") {
    if (target === "common-compute") {
      routing.push("commonComputeSubmit");
      return `${receiver}.jobs.submit(commonComputeSubmit(${request.text}))`;
    }
    if (!request.rereadable)
      return refuse(
        `SubmitJob: the request is computed in the call (${clip(request.text)}): bind it to a const first, so its jobQueue and jobDefinition can be read for saladQueue()`,
      );
    routing.push("saladQueue", "saladQueueJob");
    return `${receiver}.createQueueJob(${saladScope(routing)}, saladQueue(${request.text}.jobQueue, ${request.text}.jobDefinition), saladQueueJob(${request.text}))`;
  }
  const { entries, read } = request;
  const unsupported = [...entries.keys()].filter((key) => !SUBMIT_KEYS.has(key));
  if (unsupported.length > 0) {
    const fields = unsupported.map((key) => fieldDetail(key, entries.get(key))).join(", ");
    const why = [...new Set(unsupported.map((key) => missingBecause(key, target)).filter(Boolean))].join("; ");
    return refuse(
      `SubmitJob ${fields} has no ${name} counterpart${why ? ` (${why})` : ""}: move what it sets into parameters (the job's input, which the worker reads), or keep this file on the shim`,
    );
  }
  if (!entries.has("jobQueue") || !entries.has("jobDefinition"))
    return refuse(
      `SubmitJob has no ${entries.has("jobQueue") ? "jobDefinition" : "jobQueue"}: Batch requires it, and the ${name} destination is chosen from it`,
    );
  const retry = entries.get("retryStrategy");
  const retryKeys = retry?.type === "ObjectExpression" ? retry.properties.map((p: JsNode) => p.key?.name) : undefined;
  if (retry && (!retryKeys || retryKeys.some((key: string | undefined) => key !== "attempts")))
    return refuse(
      "SubmitJob retryStrategy: only a literal { attempts } maps to the target (evaluateOnExit has no counterpart)",
    );
  const timeout = entries.get("timeout");
  const timeoutKeys =
    timeout?.type === "ObjectExpression" ? timeout.properties.map((p: JsNode) => p.key?.name) : undefined;
  if (timeout && (!timeoutKeys || timeoutKeys.some((key: string | undefined) => key !== "attemptDurationSeconds")))
    return refuse("SubmitJob timeout: only a literal { attemptDurationSeconds } maps to the target");
  const queue = literalString(entries.get("jobQueue"));
  const definition = literalString(entries.get("jobDefinition"));
  const input = entries.has("parameters") ? read("parameters") : "{}";
  const jobName = entries.has("jobName") ? read("jobName") : undefined;
  if (target === "salad") {
    if (timeout || retry)
      return refuse(
        `SubmitJob ${timeout ? "timeout" : "retryStrategy"}: SaladCloud keeps neither a timeout nor a retry count per job (the queue retries 3 times): drop it, or keep this file on the shim`,
      );
    let destination: string;
    if (queue !== undefined && definition !== undefined) {
      const mapping = mapSubmit(ctx.config, target, definition, queue);
      if (!mapping.ok) return refuse(`SubmitJob: ${mapping.why}: add it, then run apply again`);
      destination = quoteWith(ctx, (mapping as { saladQueue: string }).saladQueue);
    } else {
      routing.push("saladQueue");
      destination = `saladQueue(${read("jobQueue")}, ${read("jobDefinition")})`;
    }
    return `${receiver}.createQueueJob(${saladScope(routing)}, ${destination}, { input: ${input}${jobName ? `, metadata: { name: ${jobName} }` : ""} })`;
  }
  let route: string[];
  if (queue !== undefined && definition !== undefined) {
    const mapping = mapSubmit(ctx.config, target, definition, queue);
    if (!mapping.ok) return refuse(`SubmitJob: ${mapping.why}: add it, then run apply again`);
    const cc = mapping as { workload: string; priority: string; model?: string };
    route = [
      `workload: ${quoteWith(ctx, cc.workload)}`,
      `priority: ${quoteWith(ctx, cc.priority)}`,
      ...(cc.model ? [`model_id: ${quoteWith(ctx, cc.model)}`] : []),
    ];
  } else {
    routing.push("commonComputeRoute");
    route = [`...commonComputeRoute(${read("jobQueue")}, ${read("jobDefinition")})`];
  }
  const attempts = retry ? `${read("retryStrategy")}.attempts` : undefined;
  const seconds = timeout ? `${read("timeout")}.attemptDurationSeconds` : undefined;
  const fields = [
    ...route.slice(0, 1),
    `input: ${input}`,
    ...(jobName ? [`name: ${jobName}`] : []),
    ...route.slice(1),
    ...(attempts ? [`max_attempts: ${request.through ? attempts : literalMember(retry, "attempts", ctx.code)}`] : []),
    ...(seconds
      ? [`timeout_seconds: ${request.through ? seconds : literalMember(timeout, "attemptDurationSeconds", ctx.code)}`]
      : []),
  ];
  return `${receiver}.jobs.submit({ ${fields.join(", ")} })`;
}

function literalMember(object: JsNode, key: string, code: string): string {
  const property = object.properties.find((p: JsNode) => p.key?.name === key);
  return text(code, property.value);
}

/** What the target has instead of a SubmitJob field (targets.md: jobs carry an input, little else). */
function missingBecause(key: string, target: MigrationTarget): string | undefined {
  const name = TARGET_NAME[target];
  if (key === "containerOverrides" || key === "nodeOverrides" || key.endsWith("PropertiesOverride"))
    return target === "salad"
      ? "a SaladCloud queue job carries only its input and metadata: command, environment and resources are set once per container group"
      : "a Common Compute job carries only its input: the workload fixes the command, environment and resources";
  if (key === "dependsOn") return `${name} has no job dependencies: submit the next job once the first one completes`;
  if (key === "arrayProperties") return `${name} has no array jobs: submit one job per index`;
  if (key === "tags" || key === "propagateTags") return `${name} jobs carry no tags`;
  if (key === "shareIdentifier" || key === "schedulingPriorityOverride") return `${name} has no fair-share scheduling`;
  return undefined;
}

function fieldDetail(key: string, value: JsNode | undefined): string {
  if (value?.type !== "ObjectExpression") return key;
  const inner = value.properties.map((p: JsNode) => p.key?.name ?? p.key?.value).filter(Boolean);
  return inner.length > 0 ? inner.map((k: string) => `${key}.${k}`).join(", ") : key;
}

function clip(value: string): string {
  const flat = value.replace(/\s+/g, " ");
  return flat.length > 60 ? `${flat.slice(0, 57)}…` : flat;
}

function saladQueueOf(ctx: OperationContext): string | undefined {
  return onlySaladQueue(ctx.config);
}

function describeCall(
  request: BatchRequest,
  receiver: string,
  ctx: OperationContext,
  routing: string[],
): string | Refusal {
  const name = TARGET_NAME[ctx.target];
  if (request.kind === "opaque")
    return refuse(
      `DescribeJobs: the request (${clip(request.text)}) is built elsewhere, so how many jobs it names is unknown here: pass { jobs: [jobId] } inline for one job, or keep this file on the shim`,
    );
  const jobs = request.entries.get("jobs");
  if (request.entries.size !== 1 || jobs?.type !== "ArrayExpression") {
    const extra = [...request.entries.keys()].filter((key) => key !== "jobs");
    return refuse(
      jobs && jobs.type !== "ArrayExpression"
        ? `DescribeJobs: the job ids are a list made at run time (jobs: ${clip(ctx.code.slice(jobs.start, jobs.end))}), and ${name} reads one job per call: call ${name === "SaladCloud" ? "getQueueJob" : "jobs.get"} for each id (Promise.all), or keep this file on the shim`
        : `DescribeJobs: only { jobs: [jobId] } maps to one ${name} call${extra.length > 0 ? ` (${extra.join(", ")} does not)` : ""}`,
    );
  }
  if (jobs.elements.length !== 1 || jobs.elements[0]?.type === "SpreadElement")
    return refuse(
      `DescribeJobs of ${jobs.elements.length === 1 ? "a spread list of" : "several"} jobs has no single ${name} call: read each job on its own (one call per id)`,
    );
  // Through a bound literal, a name that is never reassigned reads the same id (and keeps its type: `jobs[0]` would
  // be `string | undefined` under noUncheckedIndexedAccess).
  const element = jobs.elements[0] as JsNode;
  const id =
    !request.through || (element.type === "Identifier" && neverAssigned(ctx, element.name))
      ? text(ctx.code, element)
      : `${request.read("jobs")}[0]`;
  if (ctx.target === "common-compute") return `${receiver}.jobs.get(${id})`;
  const queue = saladQueueOf(ctx);
  if (!queue)
    return refuse(
      "DescribeJobs: a SaladCloud job is read through its queue, and migrate.config.json does not map exactly one salad.queue: pass the queue by hand",
    );
  return `${receiver}.getQueueJob(${saladScope(routing)}, ${quoteWith(ctx, queue)}, ${id})`;
}

function neverAssigned(ctx: OperationContext, name: string): boolean {
  return referencesIn(ctx.parsed, ctx.parsed.root.get(), name).every((use) => {
    const parent = use.parent.node as JsNode;
    return !(parent.type === "AssignmentExpression" && parent.left === use.node) && parent.type !== "UpdateExpression";
  });
}

function cancelCall(
  operation: string,
  request: BatchRequest,
  receiver: string,
  ctx: OperationContext,
  routing: string[],
): string | Refusal {
  let jobId: string;
  let reason: string | undefined;
  if (request.kind === "opaque") {
    if (!request.rereadable)
      return refuse(
        `${operation}: the request is computed in the call (${clip(request.text)}): bind it to a const first`,
      );
    jobId = `${request.text}.jobId`;
    reason = `${request.text}.reason`;
  } else {
    const extra = [...request.entries.keys()].filter((key) => key !== "jobId" && key !== "reason");
    if (!request.entries.has("jobId") || extra.length > 0)
      return refuse(
        `${operation}: only { jobId, reason } maps to the target${extra.length ? ` (${extra.join(", ")} does not)` : ""}`,
      );
    jobId = request.read("jobId");
    reason = request.entries.has("reason") ? request.read("reason") : undefined;
  }
  if (ctx.target === "common-compute") return `${receiver}.jobs.cancel(${jobId}${reason ? `, ${reason}` : ""})`;
  const queue = saladQueueOf(ctx);
  if (!queue)
    return refuse(
      `${operation}: a SaladCloud job is deleted through its queue, and migrate.config.json does not map exactly one salad.queue: pass the queue by hand`,
    );
  return `${receiver}.deleteQueueJob(${saladScope(routing)}, ${quoteWith(ctx, queue)}, ${jobId})`;
}

interface Answer {
  edits: TextEdit[];
  /** Hand the response on in Batch's SubmitJob shape (the code uses it whole). */
  adapt: boolean;
}

/** How the response is used: discarded, read field by field (mapped), or whole (adapted for SubmitJob, else a reason). */
function answerOf(site: OperationSite, operation: string, ctx: OperationContext, name: string): Answer | string {
  let binding: JsNode | undefined;
  let scope: JsNode | undefined;
  if (site.callback) {
    const callback = site.callback.node as JsNode;
    if (!callback.type.endsWith("FunctionExpression")) return whole(operation, "the callback is passed on", name);
    const [error, data] = callback.params as JsNode[];
    if (error?.type === "Identifier") {
      for (const use of referencesIn(ctx.parsed, site.callback, error.name)) {
        const member = use.parent.node as JsNode;
        if (member.type.endsWith("MemberExpression") && member.object === use.node && !member.computed)
          if (["code", "statusCode", "retryable", "requestId"].includes(member.property.name))
            return `${operation}: the callback reads ${error.name}.${member.property.name}, an AWSError field: ${name} errors are HttpError (status, message, body): read those instead`;
      }
    }
    if (!data) return { edits: [], adapt: false };
    if (data.type !== "Identifier") return whole(operation, "the callback destructures the response", name);
    binding = data;
    scope = site.callback;
  } else {
    let holder = site.call.parent;
    const awaited = holder?.node.type === "AwaitExpression";
    if (awaited) holder = holder.parent;
    if (holder?.node.type === "ExpressionStatement") return { edits: [], adapt: false };
    const declarator = holder?.node as JsNode;
    const assigned = awaited ? assignedOnce(holder, ctx) : undefined;
    if (awaited && operation === "DescribeJobs" && declarator?.type === "VariableDeclarator") {
      if (declarator.id.type === "ObjectPattern") {
        const reads = mapDestructuredJobs(declarator.id, scopeOf(holder), ctx);
        return typeof reads === "string" ? reads : { edits: reads, adapt: false };
      }
    }
    if (assigned) {
      binding = assigned.node.left;
      scope = assigned.scope;
    } else if (!awaited || declarator?.type !== "VariableDeclarator" || declarator.id.type !== "Identifier") {
      return whole(operation, "the response is handed on whole", name);
    } else {
      binding = declarator.id;
      scope = scopeOf(holder);
    }
  }
  if (operation !== "SubmitJob" && operation !== "DescribeJobs") return { edits: [], adapt: true };
  const reads = mapReads(binding, scope, operation, ctx);
  if (reads !== "whole") return typeof reads === "string" ? reads : { edits: reads, adapt: false };
  return whole(operation, "the response is used whole", name);
}

/** `let r = false; … r = await …`: the one assignment of a variable declared with no value (or a falsy literal). */
function assignedOnce(holder: JsNode, ctx: OperationContext): { node: JsNode; scope: JsNode } | undefined {
  const node = holder?.node as JsNode;
  if (node?.type !== "AssignmentExpression" || node.operator !== "=" || node.left.type !== "Identifier")
    return undefined;
  const declarator = declaratorOf(ctx.parsed, holder, node.left.name);
  const init = declarator?.node.init as JsNode | undefined;
  const empty =
    !init ||
    init.type === "NullLiteral" ||
    (init.type === "BooleanLiteral" && init.value === false) ||
    (init.type === "Identifier" && init.name === "undefined");
  if (!declarator || !empty) return undefined;
  const scope = scopeOf(declarator);
  const writes = referencesIn(ctx.parsed, scope, node.left.name).filter((use) => {
    const parent = use.parent.node as JsNode;
    return (parent.type === "AssignmentExpression" && parent.left === use.node) || parent.type === "UpdateExpression";
  });
  return writes.length === 1 && writes[0].node === node.left ? { node, scope } : undefined;
}

function whole(operation: string, how: string, name: string): Answer | string {
  if (operation !== "DescribeJobs") return { edits: [], adapt: true };
  return `DescribeJobs: ${how}, and a ${name} job has another shape than Batch's JobDetail (jobId → id, status → state): read the fields you need from it instead`;
}
