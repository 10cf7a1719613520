// One Batch job call → the target's own call: submit_job → jobs.submit / create_queue_job, describe_jobs → jobs.get /
// get_queue_job (one get per id for several), cancel/terminate → jobs.cancel / delete_queue_job, list_jobs → the
// queue's jobs on SaladCloud. The receiver is left as RECEIVER: which client object the call moves to is decided
// for the whole binding afterwards (native.ts).
import { mapSubmit, onlySaladQueue, type MigrateConfig, type SubmitMapping } from "../config.js";
import { indentationAt, lineStartOf, type TextEdit } from "../edits.js";
import { AWS_TO_TARGET_STATUS, TARGET_NAME, TARGET_STATUS_FIELD } from "../target-status.js";
import type { MigrationTarget } from "../transform.js";
import { rewriteResult, snippet, successStatusRead, usesOf, type ResultPlan } from "./native-response.js";
import { enclosingStatement, keywordArguments, stringValue, type SyntaxNode } from "./syntax.js";

/** Stands for the target client object in planned edits; native.ts puts the real name in. */
export const RECEIVER = "\u0000receiver\u0000";

export interface CallSite {
  code: string;
  target: MigrationTarget;
  config: MigrateConfig | undefined;
  quote: string;
  /** Runtime helpers the rewritten calls import (`common_compute_route`, …). */
  helpers: Set<string>;
}

export type SitePlan = ResultPlan & { helpers?: string[] };

const JOB_FIELDS: Record<MigrationTarget, Record<string, string>> = {
  "common-compute": { jobId: "id", jobName: "name", status: "state", createdAt: "created_at" },
  salad: { jobId: "id", status: "status" },
};
const SUBMITTED_FIELDS: Record<MigrationTarget, Record<string, string>> = {
  "common-compute": { jobId: "id", jobName: "name" },
  salad: { jobId: "id" },
};

function q(site: CallSite, value: string): string {
  return `${site.quote}${value}${site.quote}`;
}

/** Prints arguments the way the original call laid them out: on one line, or one per line with its indentation. */
function formatArguments(site: CallSite, call: SyntaxNode, args: string[]): string {
  const list = call.childForFieldName("arguments")!;
  const first = list.namedChildren[0];
  if (!first || !list.text.includes("\n")) return `(${args.join(", ")})`;
  const lineStart = site.code.lastIndexOf("\n", first.startIndex - 1) + 1;
  const indent = site.code.slice(lineStart, first.startIndex);
  const closingLineStart = site.code.lastIndexOf("\n", list.endIndex - 1) + 1;
  const closingIndent = /^[ \t]*/.exec(site.code.slice(closingLineStart))![0];
  const trailingComma = /,\s*\)$/.test(list.text);
  return `(\n${args.map((arg) => `${indent}${arg}`).join(",\n")}${trailingComma ? "," : ""}\n${closingIndent})`;
}

function dictionaryEntries(node: SyntaxNode): Map<string, SyntaxNode> | undefined {
  if (node.type !== "dictionary") return undefined;
  const entries = new Map<string, SyntaxNode>();
  for (const pair of node.namedChildren) {
    if (pair.type === "comment") continue;
    const key = stringValue(pair.childForFieldName("key"));
    if (pair.type !== "pair" || key === undefined) return undefined;
    entries.set(key, pair.childForFieldName("value")!);
  }
  return entries;
}

function note(site: CallSite, call: SyntaxNode, text: string): TextEdit {
  const start = lineStartOf(site.code, enclosingStatement(call).startIndex);
  return { start, end: start, text: `${indentationAt(site.code, start)}# migrate: review — ${text}\n` };
}

const SUBMIT_KEYS = new Set(["jobName", "jobQueue", "jobDefinition", "parameters", "retryStrategy", "timeout"]);

/** `submit_job(**kwargs)`: the AWS-shaped arguments are turned into the target call's at run time. */
function planSubmitAtRunTime(site: CallSite, call: SyntaxNode): SitePlan {
  const list = call.childForFieldName("arguments")!;
  const parts = list.namedChildren
    .filter((argument) => argument.type !== "comment")
    .map((argument) =>
      argument.type === "dictionary_splat"
        ? argument.text
        : argument.type === "keyword_argument"
          ? `${q(site, argument.childForFieldName("name")!.text)}: ${argument.childForFieldName("value")!.text}`
          : undefined,
    );
  if (parts.some((part) => part === undefined))
    return { manual: "submit_job(*…): positional arguments are refused by boto3 itself; pass them by keyword" };
  const only = list.namedChildren.filter((a) => a.type !== "comment");
  const awsArguments =
    only.length === 1 && only[0]!.type === "dictionary_splat"
      ? only[0]!.namedChildren[0]!.text
      : `{${parts.join(", ")}}`;
  const helper = site.target === "salad" ? "salad_submit_arguments" : "common_compute_submit_arguments";
  site.helpers.add(helper);
  const replacement =
    site.target === "salad"
      ? `${RECEIVER}.create_queue_job(**${helper}(${awsArguments}))`
      : `${RECEIVER}.jobs.submit(**${helper}(${awsArguments}))`;
  const result = rewriteResult(
    { target: site.target, quote: site.quote, helpers: site.helpers, call: "submit_job(**…)" },
    call,
    replacement,
    [],
    { record: SUBMITTED_FIELDS[site.target], what: "submitted job" },
  );
  if (result.manual !== undefined) return result;
  result.edits.push(
    note(
      site,
      call,
      `the submit arguments are built at run time: ${helper} maps jobName, jobQueue, jobDefinition (through migrate.config.json), parameters, retryStrategy.attempts and timeout, and raises ConfigurationError naming any other field; check the arguments this call is given`,
    ),
  );
  return result;
}

export function planSubmit(site: CallSite, call: SyntaxNode): SitePlan {
  const { keywords, positional, splat } = keywordArguments(call);
  if (positional.length > 0)
    return { manual: "submit_job with positional arguments: boto3 refuses them; pass them by keyword" };
  if (splat) return site.config ? planSubmitAtRunTime(site, call) : { manual: noConfig(site) };
  const unsupported = [...keywords.keys()].filter((key) => !SUBMIT_KEYS.has(key));
  if (unsupported.length > 0)
    return {
      manual: `submit_job(${unsupported.map((key) => `${key}=…`).join(", ")}): ${TARGET_NAME[site.target]} has no counterpart for ${unsupported.join(", ")}; leave it on the Batch client, or drop ${unsupported.length > 1 ? "them" : "it"} and run apply again`,
    };
  const queueNode = keywords.get("jobQueue");
  const definitionNode = keywords.get("jobDefinition");
  if (!queueNode || !definitionNode)
    return { manual: "submit_job without jobQueue or jobDefinition: Batch itself refuses it; add them and run again" };
  const queue = stringValue(queueNode);
  const definition = stringValue(definitionNode);
  const resolvedLater = queue === undefined || definition === undefined;
  // A name known only at run time is mapped then, by the runtime helper that reads the same migrate.config.json.
  const mapping: SubmitMapping = resolvedLater
    ? site.config
      ? site.target === "salad"
        ? { ok: true, saladQueue: "" }
        : { ok: true, workload: "", priority: "" }
      : { ok: false, why: noConfig(site) }
    : mapSubmit(site.config, site.target, definition, queue);
  if (!mapping.ok)
    return { manual: `submit_job: ${mapping.why}; add it (\`migrate init --target ${site.target}\`) and run again` };
  const routeArguments = `${queueNode.text}, ${definitionNode.text}`;
  let maxAttempts: string | undefined;
  let timeoutSeconds: string | undefined;
  const retry = keywords.get("retryStrategy");
  if (retry) {
    const entries = dictionaryEntries(retry);
    if (!entries || [...entries.keys()].some((key) => key !== "attempts"))
      return {
        manual:
          'submit_job(retryStrategy=…) with evaluateOnExit (or not a literal) is not a plain attempt count on the target; keep this call on AWS or reduce it to {"attempts": n}',
      };
    maxAttempts = entries.get("attempts")?.text;
  }
  const timeout = keywords.get("timeout");
  if (timeout) {
    const entries = dictionaryEntries(timeout);
    if (!entries || [...entries.keys()].some((key) => key !== "attemptDurationSeconds"))
      return {
        manual: 'submit_job(timeout=…) is not a literal {"attemptDurationSeconds": n}; write it so and run again',
      };
    timeoutSeconds = entries.get("attemptDurationSeconds")?.text;
  }
  const input = keywords.get("parameters")?.text ?? "{}";
  const name = keywords.get("jobName")?.text;
  let replacement: string;
  if ("saladQueue" in mapping) {
    if (timeoutSeconds !== undefined)
      return {
        manual:
          "submit_job(timeout=…): SaladCloud cannot stop a running job, so the timeout cannot be kept; drop it or leave it on the Batch client",
      };
    if (maxAttempts !== undefined && !(/^\d+$/.test(maxAttempts) && Number(maxAttempts) <= 4)) {
      return {
        manual:
          "submit_job(retryStrategy=…): SaladCloud retries every job 4 times; a different attempt count cannot be kept",
      };
    }
    // The job queue worker hands `input` to the wrapper, which reads the Batch parameters from `input.parameters`.
    if (resolvedLater) site.helpers.add("salad_queue");
    const args = [
      resolvedLater ? `salad_queue(${routeArguments})` : q(site, mapping.saladQueue),
      `{${q(site, "parameters")}: ${input}}`,
      ...(name ? [`metadata={${q(site, "name")}: ${name}}`] : []),
    ];
    replacement = `${RECEIVER}.create_queue_job${formatArguments(site, call, args)}`;
  } else {
    if (resolvedLater) site.helpers.add("common_compute_route");
    const args = [
      ...(resolvedLater ? [`**common_compute_route(${routeArguments})`] : [`workload=${q(site, mapping.workload)}`]),
      `input=${input}`,
      ...(name ? [`name=${name}`] : []),
      ...(resolvedLater ? [] : [`priority=${q(site, mapping.priority)}`]),
      ...(mapping.model ? [`model=${q(site, mapping.model)}`] : []),
      ...(maxAttempts ? [`max_attempts=${maxAttempts}`] : []),
      ...(timeoutSeconds ? [`timeout_seconds=${timeoutSeconds}`] : []),
    ];
    replacement = `${RECEIVER}.jobs.submit${formatArguments(site, call, args)}`;
  }
  const result = rewriteResult(
    { target: site.target, quote: site.quote, helpers: site.helpers, call: "submit_job(…)" },
    call,
    replacement,
    [],
    {
      record: SUBMITTED_FIELDS[site.target],
      what: "submitted job",
    },
  );
  if (result.manual === undefined && !("saladQueue" in mapping))
    result.edits.push(assumedRouteNote(site, call, resolvedLater ? undefined : mapping.workload));
  return result;
}

function noConfig(site: CallSite): string {
  return `no migrate.config.json maps job definitions and queues to ${TARGET_NAME[site.target]}: run \`migrate init --target ${site.target}\`, then apply again`;
}

/** Common Compute's workload endpoints are not all confirmed (runtime/README.md): the rewrite says which it assumes. */
function assumedRouteNote(site: CallSite, call: SyntaxNode, workload: string | undefined): TextEdit {
  return note(
    site,
    call,
    `assumed Common Compute route: ${workload === undefined ? "the workload common_compute_route picks from migrate.config.json" : `workload ${JSON.stringify(workload)}`} is submitted to its workload endpoint (runtime/README.md, "Common Compute: what is real and what is assumed"); confirm the endpoint and its input fields before merging`,
  );
}

/** The queue argument of a SaladCloud job call: the one mapped queue, else looked up at run time by job id. */
function saladQueueOf(site: CallSite, operation: string): { queue: (jobId: string) => string } | { manual: string } {
  const queue = onlySaladQueue(site.config);
  if (queue) return { queue: () => q(site, queue) };
  if (!site.config) return { manual: `${operation}: ${noConfig(site)}` };
  return { queue: (jobId) => `salad_queue_of_job(${RECEIVER}, ${jobId})` };
}

function lookupNote(site: CallSite, call: SyntaxNode, planned: SitePlan): SitePlan {
  if (planned.manual !== undefined || !planned.edits.some((edit) => edit.text.includes("salad_queue_of_job(")))
    return planned;
  planned.edits.push(
    note(
      site,
      call,
      "SaladCloud reaches a job through its queue: salad_queue_of_job looks the job up in each queue migrate.config.json maps (one GET per queue, remembered); pass the queue instead where this code knows it",
    ),
  );
  return planned;
}

function getOne(site: CallSite, jobId: string, queue: (jobId: string) => string): string {
  return site.target === "salad"
    ? `${RECEIVER}.get_queue_job(${queue(jobId)}, ${jobId})`
    : `${RECEIVER}.jobs.get(${jobId})`;
}

export function planDescribe(site: CallSite, call: SyntaxNode): SitePlan {
  const { keywords, positional, splat } = keywordArguments(call);
  const jobs = keywords.get("jobs");
  if (splat || positional.length > 0 || keywords.size !== 1 || !jobs)
    return { manual: "describe_jobs(…): the job ids are not passed as `jobs=`; pass them so and run again" };
  let queue: (jobId: string) => string = () => "";
  if (site.target === "salad") {
    const found = saladQueueOf(site, "describe_jobs");
    if ("manual" in found) return found;
    queue = found.queue;
  }
  const context = { target: site.target, quote: site.quote, helpers: site.helpers, call: "describe_jobs(…)" };
  const fields = JOB_FIELDS[site.target];
  const single =
    jobs.type === "list" && jobs.namedChildren.length === 1 && jobs.namedChildren[0]!.type !== "list_splat";
  if (single) {
    const jobId = jobs.namedChildren[0]!.text;
    const one = rewriteResult(context, call, getOne(site, jobId, queue), ["jobs", 0], { record: fields, what: "job" });
    if (one.manual === undefined) return lookupNote(site, call, one);
  }
  // The jobs as a list: one get per id, in the order asked, leaving out the ids the target does not know (404),
  // as Batch leaves them out.
  const each = /\bjob_id\b/.test(jobs.text) ? "each_id" : "job_id";
  site.helpers.add("described_jobs");
  const replacement = `described_jobs(lambda ${each}: ${getOne(site, each, queue)}, ${jobs.text})`;
  return lookupNote(site, call, rewriteResult(context, call, replacement, ["jobs"], { listOf: fields, what: "job" }));
}

export function planCancel(site: CallSite, call: SyntaxNode, operation: string): SitePlan {
  const method = operation === "CancelJob" ? "cancel_job" : "terminate_job";
  const { keywords, positional, splat } = keywordArguments(call);
  const jobId = keywords.get("jobId");
  if (
    splat ||
    positional.length > 0 ||
    !jobId ||
    [...keywords.keys()].some((key) => key !== "jobId" && key !== "reason")
  )
    return {
      manual: `${method}(…): the job id is not passed as \`jobId=\` (arguments built elsewhere); pass jobId= and reason= by keyword and run again`,
    };
  const used = cancelResponseUse(site, call, method);
  if (used?.manual !== undefined) return used;
  const withNote = (planned: SitePlan): SitePlan => {
    if (used && planned.manual === undefined) planned.edits.push(...used.edits);
    return planned;
  };
  if (site.target === "salad") {
    const found = saladQueueOf(site, method);
    if ("manual" in found) return found;
    return withNote(
      lookupNote(site, call, {
        edits: [
          {
            start: call.startIndex,
            end: call.endIndex,
            text: `${RECEIVER}.delete_queue_job(${found.queue(jobId.text)}, ${jobId.text})`,
          },
        ],
      }),
    );
  }
  const reason = keywords.get("reason");
  const text = `${RECEIVER}.jobs.cancel(${jobId.text}${reason ? `, reason=${reason.text}` : ""})`;
  return withNote({ edits: [{ start: call.startIndex, end: call.endIndex, text }] });
}

/** What the target's cancel answers where Batch answers `{}` (with ResponseMetadata). */
const CANCEL_ANSWER: Record<MigrationTarget, string> = {
  "common-compute": '`{"ok": True}`',
  salad: "None (its DELETE answers 202 with no body)",
};

const SHOWN_BY = /^(print|str|repr|(logger|logging|log|LOG|self\.logger|self\.log|self\._logger)\.\w+)$/;

/**
 * How a cancel/terminate response is used, when it is: unused after its assignment, or only printed or logged,
 * the call moves (a note says the printed value is now the target's); tested for truth, it moves where the
 * target's answer is truthy too (Common Compute). Any other use, a field read above all, keeps it with that use named.
 */
function cancelResponseUse(site: CallSite, call: SyntaxNode, method: string): SitePlan | undefined {
  const parent = call.parent;
  if (parent?.type === "expression_statement") return undefined;
  const target = TARGET_NAME[site.target];
  const refuse = (use: string) => ({
    manual: `${method}(…): the response is used (\`${snippet(use)}\`); Batch answers an empty object (with ResponseMetadata) and ${target} answers ${CANCEL_ANSWER[site.target]}: stop using it and run again`,
  });
  let reads: SyntaxNode[] = [call];
  if (parent?.type === "assignment" && parent.childForFieldName("right")?.id === call.id) {
    const variable = parent.childForFieldName("left")!;
    const uses = variable.type === "identifier" ? usesOf(variable) : undefined;
    if (!uses) return refuse(parent.text);
    if (uses.length === 0) return { edits: [] };
    reads = uses;
  }
  let shown = false;
  const edits: TextEdit[] = [];
  for (const read of reads) {
    const around = read.parent;
    // Read for its HTTP status: every response the code holds answered 200 (an error answer raises, on both).
    const status = read.type === "identifier" ? successStatusRead(read) : undefined;
    if (status) {
      edits.push({ start: read.startIndex, end: status.endIndex, text: "200" });
      continue;
    }
    const truth =
      around?.type === "not_operator" ||
      around?.type === "assert_statement" ||
      ((around?.type === "if_statement" || around?.type === "while_statement") &&
        around.childForFieldName("condition")?.id === read.id);
    if (truth && site.target === "common-compute") continue;
    if (truth)
      return {
        manual: `${method}(…): the response is tested for truth (\`${snippet(around!.text)}\`); ${target} answers ${CANCEL_ANSWER[site.target]}, falsy where Batch's {} with ResponseMetadata is truthy: stop testing it and run again`,
      };
    const field =
      around?.type === "subscript" && around.childForFieldName("value")?.id === read.id
        ? stringValue(around.childForFieldName("subscript"))
        : around?.type === "attribute" && around.childForFieldName("attribute")?.text === "get"
          ? stringValue(around.parent?.childForFieldName("arguments")?.namedChildren[0])
          : undefined;
    if (field !== undefined)
      return {
        manual: `${method}(…): the code reads \`${field}\` of the response, which ${target} does not answer (Batch answers {} with ResponseMetadata; ${target} answers ${CANCEL_ANSWER[site.target]}): drop that read and run again, or leave it on the Batch client`,
      };
    const printed =
      around?.type === "interpolation" ||
      (around?.type === "argument_list" && SHOWN_BY.test(around.parent?.childForFieldName("function")?.text ?? ""));
    if (!printed) return refuse(around?.text ?? read.text);
    shown = true;
  }
  if (shown)
    edits.push(
      note(
        site,
        call,
        `${method}'s response is printed here: it is now ${target}'s answer, ${CANCEL_ANSWER[site.target]}, not Batch's {} with ResponseMetadata`,
      ),
    );
  return { edits };
}

/** `list_jobs(jobQueue=…, jobStatus=…)` → the queue's jobs in that state (Batch's default: RUNNING only). */
export function planList(site: CallSite, call: SyntaxNode): SitePlan {
  if (site.target !== "salad")
    return {
      manual:
        "list_jobs(…): Common Compute has no endpoint that lists jobs (only GET /v1/jobs/:id): keep the ids of the jobs you submit and read each with jobs.get(id), or leave it on the Batch client",
    };
  const { keywords, positional, splat } = keywordArguments(call);
  const other = [...keywords.keys()].filter((key) => key !== "jobQueue" && key !== "jobStatus");
  if (splat || positional.length > 0 || other.length > 0)
    return {
      manual: `list_jobs(${other.length > 0 ? other.map((k) => `${k}=…`).join(", ") : "**…"}): SaladCloud lists a queue's jobs by page only (no ${other.length > 0 ? other.join(", ") : "filters built elsewhere"}): leave it on the Batch client, or list with iterate_queue_jobs(<queue>) by hand`,
    };
  const queueNode = keywords.get("jobQueue");
  if (!queueNode) return { manual: "list_jobs without jobQueue: Batch itself refuses it; add it and run again" };
  const statusNode = keywords.get("jobStatus");
  const status = statusNode ? stringValue(statusNode) : "RUNNING";
  const states = status ? AWS_TO_TARGET_STATUS.salad[status] : undefined;
  if (!states)
    return {
      manual: `list_jobs(jobStatus=${statusNode?.text ?? ""}): the status is not a literal Batch status; SaladCloud states differ: write it as one and run again`,
    };
  const literal = stringValue(queueNode);
  let queue: string;
  if (literal !== undefined) {
    const mapped = site.config?.jobQueues.get(literal.slice(literal.lastIndexOf("/") + 1))?.salad?.queue;
    if (!mapped)
      return { manual: `list_jobs: queue ${literal} has no salad.queue in migrate.config.json; add it and run again` };
    queue = q(site, mapped);
  } else {
    if (!site.config) return { manual: noConfig(site) };
    site.helpers.add("salad_queue_of");
    queue = `salad_queue_of(${queueNode.text})`;
  }
  const wanted = states.map((state) => q(site, state));
  const test = wanted.length === 1 ? `== ${wanted[0]}` : `in (${wanted.join(", ")})`;
  const replacement = `[job for job in ${RECEIVER}.iterate_queue_jobs(${queue}) if job[${q(site, TARGET_STATUS_FIELD.salad)}] ${test}]`;
  return rewriteResult(
    { target: site.target, quote: site.quote, helpers: site.helpers, call: "list_jobs(…)" },
    call,
    replacement,
    ["jobSummaryList"],
    {
      listOf: JOB_FIELDS.salad,
      what: "job summary",
    },
  );
}
