import type { Finding } from "../../core/types.js";
import { mapSubmit, onlySaladQueue, type MigrateConfig, type SubmitMapping } from "../config.js";
import { indentationAt, lineStartOf, type TextEdit } from "../edits.js";
import { AWS_TO_TARGET_STATUS, TARGET_NAME, TARGET_STATUS_FIELD } from "../target-status.js";
import { SHIM_SERVED_OPERATIONS } from "../served.js";
import type { MigrationTarget } from "../transform.js";
import {
  enclosingScope,
  enclosingStatement,
  findAll,
  indexOfPosition,
  keywordArguments,
  nodeAt,
  stringValue,
  type SyntaxNode,
  type Tree,
} from "./syntax.js";

/** A rewrite of one site, or the reason it has to stay on the shim. */
type SitePlan = { edits: TextEdit[]; manual?: undefined } | { manual: string };

export interface NativePlan {
  edits: TextEdit[];
  /** Sites that cannot be converted: the file stays on the shim and each gets a marker. */
  manual: { index: number; why: string }[];
  /** The native client class the file now constructs. */
  clientClass: "CommonCompute" | "SaladCloud";
  /** Runtime helpers the rewritten calls use (`common_compute_route`, `salad_queue`). */
  helpers: Set<string>;
}

const CALL_KINDS = new Set(["py-call", "py-call-dynamic", "py-paginator", "py-waiter-custom"]);
const CLIENT_KINDS = new Set(["py-client", "py-client-indirect"]);

interface Site {
  code: string;
  tree: Tree;
  target: MigrationTarget;
  config: MigrateConfig | undefined;
  quote: string;
  helpers: Set<string>;
}

function spanNode(site: Site, finding: Finding): SyntaxNode | undefined {
  const start = indexOfPosition(site.code, finding.line, finding.column);
  const end = indexOfPosition(site.code, finding.endLine, finding.endColumn);
  return nodeAt(site.tree, start, end, "call");
}

/** Plans the native rewrite of every Batch site in a Python file from the scanner's findings. */
export function planPythonNative(
  code: string,
  tree: Tree,
  findings: readonly Finding[],
  target: MigrationTarget,
  config: MigrateConfig | undefined,
): NativePlan {
  const quote = code.split("'").length > code.split('"').length ? "'" : '"';
  const site: Site = { code, tree, target, config, quote, helpers: new Set() };
  const clientClass = target === "salad" ? "SaladCloud" : "CommonCompute";
  const plan: NativePlan = { edits: [], manual: [], clientClass, helpers: site.helpers };
  const add = (node: SyntaxNode | undefined, finding: Finding, result: SitePlan) => {
    if (result.manual !== undefined) {
      plan.manual.push({
        index: node ? enclosingStatement(node).startIndex : indexOfPosition(code, finding.line, finding.column),
        why: result.manual,
      });
    } else plan.edits.push(...result.edits);
  };
  const clients = findings.filter((finding) => CLIENT_KINDS.has(finding.kind));
  const calls = findings.filter((finding) => CALL_KINDS.has(finding.kind));
  for (const finding of clients) {
    const node = spanNode(site, finding);
    add(
      node,
      finding,
      node && finding.kind === "py-client"
        ? planClient(site, node, clientClass, target)
        : { manual: "the Batch client is made by a helper; replace it by hand" },
    );
  }
  const rewrittenCalls: SyntaxNode[] = [];
  for (const finding of calls) {
    const node = spanNode(site, finding);
    if (!node || finding.kind !== "py-call" || !finding.operation) {
      add(node, finding, { manual: noEquivalent(finding.operation, target, finding.kind === "py-paginator") });
      continue;
    }
    if (clients.length === 0) {
      add(node, finding, {
        manual: "the client comes from another module: convert the module that creates it together with this one",
      });
      continue;
    }
    const planned = planCall(site, node, finding.operation);
    if (planned.manual === undefined) rewrittenCalls.push(node);
    add(node, finding, planned);
  }
  if (plan.manual.length === 0) plan.manual.push(...otherUsesOfClients(site, clients, rewrittenCalls));
  return plan;
}

/**
 * Every use of a re-created client must be one of the rewritten calls: `client.get_paginator`, `client.exceptions`,
 * or the client handed to another function would meet a native client that has none of them.
 */
function otherUsesOfClients(
  site: Site,
  clients: readonly Finding[],
  rewritten: readonly SyntaxNode[],
): NativePlan["manual"] {
  const manual: NativePlan["manual"] = [];
  const receivers = new Set(
    rewritten.map((call) => call.childForFieldName("function")?.childForFieldName("object")?.startIndex),
  );
  for (const finding of clients) {
    const made = spanNode(site, finding);
    const assignment = made?.parent;
    if (assignment?.type !== "assignment" || assignment.childForFieldName("right")?.id !== made!.id) continue;
    const variable = assignment.childForFieldName("left")!;
    const uses = findAll(
      site.tree.rootNode,
      (node) =>
        (node.type === "identifier" || node.type === "attribute") &&
        node.text === variable.text &&
        node.startIndex !== variable.startIndex &&
        !(node.parent?.type === "attribute" && node.parent.childForFieldName("attribute")?.id === node.id) &&
        node.parent?.type !== "keyword_argument",
    );
    for (const use of uses) {
      if (receivers.has(use.startIndex)) continue;
      const member = use.parent?.type === "attribute" ? use.parent.childForFieldName("attribute")?.text : undefined;
      manual.push({
        index: enclosingStatement(use).startIndex,
        why: member
          ? `\`${variable.text}.${member}\` is used here, and the ${TARGET_NAME[site.target]} client that replaces it has no \`${member}\`: rewrite this use by hand, or keep the file on the shim`
          : `\`${variable.text}\` is passed on or stored here as a Batch client; the ${TARGET_NAME[site.target]} client that replaces it answers differently: rewrite this use by hand, or keep the file on the shim`,
      });
    }
  }
  return manual;
}

/** Why a call cannot move, and where it goes instead: the shim when it serves the operation, else AWS. */
function noEquivalent(operation: string | undefined, target: MigrationTarget, paginator: boolean): string {
  if (!operation)
    return `this Batch call names its operation at run time, so it cannot be mapped to ${TARGET_NAME[target]}: the file moves to the shim instead`;
  const call = paginator ? `get_paginator("${snakeCase(operation)}")` : `${snakeCase(operation)}()`;
  return SHIM_SERVED_OPERATIONS.has(operation)
    ? `${call} (${operation}) has no ${TARGET_NAME[target]} call: the file moves to the shim instead, which answers it`
    : `${call} (${operation}) has no ${TARGET_NAME[target]} call and is not served by the batch-migrate shim, so this file stays on real boto3: move this call to a module that stays on AWS, then run apply again`;
}

function snakeCase(operation: string): string {
  return operation.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

const AWS_ONLY_CLIENT_ARGUMENTS = new Set([
  "region_name",
  "aws_access_key_id",
  "aws_secret_access_key",
  "aws_session_token",
]);

function planClient(site: Site, call: SyntaxNode, clientClass: string, target: MigrationTarget): SitePlan {
  const fn = call.childForFieldName("function");
  const named = fn?.type === "attribute" ? fn.childForFieldName("attribute")?.text : fn?.text;
  if (named !== "client") return { manual: 'the Batch client is not made by `client("batch")`' };
  const { keywords, positional, splat } = keywordArguments(call);
  // Region and AWS credentials mean nothing to the target: dropped, with a note. Anything else changes behaviour.
  const noted = [...keywords.keys()].filter((key) => AWS_ONLY_CLIENT_ARGUMENTS.has(key));
  const dropped = [
    ...[...keywords.keys()].filter((key) => !AWS_ONLY_CLIENT_ARGUMENTS.has(key)),
    ...(positional.length > 1 || splat ? ["more arguments"] : []),
  ];
  const from =
    target === "salad" ? "SALAD_API_KEY, SALAD_ORGANIZATION_NAME and SALAD_PROJECT_NAME" : "CC_API_KEY and CC_BASE_URL";
  if (dropped.length > 0) {
    return {
      manual: `${clientClass}() takes its address and key from ${from}, so ${dropped.join(", ")} of this client would be dropped: remove them (the shim ignores them too) or keep the file on the shim`,
    };
  }
  if (noted.length > 0) {
    const start = lineStartOf(site.code, enclosingStatement(call).startIndex);
    return {
      edits: [
        {
          start,
          end: start,
          text: `${indentationAt(site.code, start)}# migrate: review — ${noted.join(", ")} dropped: ${clientClass}() has no AWS region or credentials; it reads ${from}\n`,
        },
        { start: call.startIndex, end: call.endIndex, text: `${clientClass}()` },
      ],
    };
  }
  return { edits: [{ start: call.startIndex, end: call.endIndex, text: `${clientClass}()` }] };
}

function planCall(site: Site, call: SyntaxNode, operation: string): SitePlan {
  const fn = call.childForFieldName("function");
  if (fn?.type !== "attribute") return { manual: "the call does not go through a client object" };
  const receiver = fn.childForFieldName("object")!.text;
  switch (operation) {
    case "SubmitJob":
      return planSubmit(site, call, receiver);
    case "DescribeJobs":
      return planDescribe(site, call, receiver);
    case "CancelJob":
    case "TerminateJob":
      return planCancel(site, call, receiver);
    default:
      return { manual: noEquivalent(operation, site.target, false) };
  }
}

function q(site: Site, value: string): string {
  return `${site.quote}${value}${site.quote}`;
}

/** Prints arguments the way the original call laid them out: on one line, or one per line with its indentation. */
function formatArguments(site: Site, call: SyntaxNode, args: string[]): string {
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

const SUBMIT_KEYS = new Set(["jobName", "jobQueue", "jobDefinition", "parameters", "retryStrategy", "timeout"]);

function planSubmit(site: Site, call: SyntaxNode, receiver: string): SitePlan {
  const { keywords, positional, splat } = keywordArguments(call);
  if (splat || positional.length > 0)
    return {
      manual:
        "submit_job(**…): the arguments are built elsewhere, so queue and definition cannot be read here; the file moves to the shim instead (or pass jobQueue and jobDefinition by keyword and run again)",
    };
  const unsupported = [...keywords.keys()].filter((key) => !SUBMIT_KEYS.has(key));
  if (unsupported.length > 0)
    return {
      manual: `submit_job(${unsupported.map((key) => `${key}=…`).join(", ")}): ${TARGET_NAME[site.target]} has no counterpart for ${unsupported.join(", ")}, so the file moves to the shim instead, which serves them`,
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
      : { ok: false, why: `no migrate.config.json maps job definitions and queues to ${TARGET_NAME[site.target]}` }
    : mapSubmit(site.config, site.target, definition, queue);
  if (!mapping.ok) return { manual: mapping.why };
  const routeArguments = `${queueNode.text}, ${definitionNode.text}`;
  let maxAttempts: string | undefined;
  let timeoutSeconds: string | undefined;
  const retry = keywords.get("retryStrategy");
  if (retry) {
    const entries = dictionaryEntries(retry);
    if (!entries || [...entries.keys()].some((key) => key !== "attempts"))
      return { manual: "retryStrategy with evaluateOnExit is not a plain attempt count on the target" };
    maxAttempts = entries.get("attempts")?.text;
  }
  const timeout = keywords.get("timeout");
  if (timeout) {
    const entries = dictionaryEntries(timeout);
    if (!entries || [...entries.keys()].some((key) => key !== "attemptDurationSeconds"))
      return { manual: "timeout is not a literal attemptDurationSeconds" };
    timeoutSeconds = entries.get("attemptDurationSeconds")?.text;
  }
  const input = keywords.get("parameters")?.text ?? "{}";
  const name = keywords.get("jobName")?.text;
  let replacement: string;
  if ("saladQueue" in mapping) {
    if (timeoutSeconds !== undefined)
      return { manual: "SaladCloud cannot stop a running job, so a timeout cannot be kept" };
    if (maxAttempts !== undefined && !(/^\d+$/.test(maxAttempts) && Number(maxAttempts) <= 4)) {
      return { manual: "SaladCloud retries every job 4 times; a different retryStrategy cannot be kept" };
    }
    // The job queue worker hands `input` to the wrapper, which reads the Batch parameters from `input.parameters`.
    if (resolvedLater) site.helpers.add("salad_queue");
    const args = [
      resolvedLater ? `salad_queue(${routeArguments})` : q(site, mapping.saladQueue),
      `{${q(site, "parameters")}: ${input}}`,
      ...(name ? [`metadata={${q(site, "name")}: ${name}}`] : []),
    ];
    replacement = `${receiver}.create_queue_job${formatArguments(site, call, args)}`;
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
    replacement = `${receiver}.jobs.submit${formatArguments(site, call, args)}`;
  }
  const result = rewriteResult(site, call, replacement, [], { jobId: "id", jobName: "name" });
  if (result.manual === undefined && !("saladQueue" in mapping))
    result.edits.push(assumedRouteNote(site, call, resolvedLater ? undefined : mapping.workload));
  return result;
}

/** Common Compute's workload endpoints are not all confirmed (runtime/README.md): the rewrite says which it assumes. */
function assumedRouteNote(site: Site, call: SyntaxNode, workload: string | undefined): TextEdit {
  const start = lineStartOf(site.code, enclosingStatement(call).startIndex);
  return {
    start,
    end: start,
    text: `${indentationAt(site.code, start)}# migrate: review — assumed Common Compute route: ${workload === undefined ? "the workload common_compute_route picks from migrate.config.json" : `workload ${JSON.stringify(workload)}`} is submitted to its workload endpoint (runtime/README.md, "Common Compute: what is real and what is assumed"); confirm the endpoint and its input fields before merging\n`,
  };
}

function planDescribe(site: Site, call: SyntaxNode, receiver: string): SitePlan {
  const { keywords, positional, splat } = keywordArguments(call);
  const jobs = keywords.get("jobs");
  if (
    splat ||
    positional.length > 0 ||
    keywords.size !== 1 ||
    jobs?.type !== "list" ||
    jobs.namedChildren.length !== 1
  ) {
    return { manual: `describe_jobs of several jobs has no single ${TARGET_NAME[site.target]} call` };
  }
  const jobId = jobs.namedChildren[0]!;
  if (jobId.type === "list_splat")
    return { manual: `describe_jobs of several jobs has no single ${TARGET_NAME[site.target]} call` };
  let replacement: string;
  if (site.target === "salad") {
    const queue = onlySaladQueue(site.config);
    if (!queue) return { manual: "SaladCloud reads a job through its queue, and the config does not map exactly one" };
    replacement = `${receiver}.get_queue_job(${q(site, queue)}, ${jobId.text})`;
  } else {
    replacement = `${receiver}.jobs.get(${jobId.text})`;
  }
  return rewriteResult(site, call, replacement, ["jobs", 0], {
    jobId: "id",
    jobName: "name",
    status: TARGET_STATUS_FIELD[site.target],
  });
}

function planCancel(site: Site, call: SyntaxNode, receiver: string): SitePlan {
  const { keywords, positional, splat } = keywordArguments(call);
  const jobId = keywords.get("jobId");
  if (
    splat ||
    positional.length > 0 ||
    !jobId ||
    [...keywords.keys()].some((key) => key !== "jobId" && key !== "reason")
  ) {
    return { manual: "cancel arguments are passed indirectly" };
  }
  if (call.parent?.type !== "expression_statement")
    return { manual: "the cancel response is used; the target answers differently" };
  if (site.target === "salad") {
    const queue = onlySaladQueue(site.config);
    if (!queue)
      return { manual: "SaladCloud cancels a job through its queue, and the config does not map exactly one" };
    return {
      edits: [
        {
          start: call.startIndex,
          end: call.endIndex,
          text: `${receiver}.delete_queue_job(${q(site, queue)}, ${jobId.text})`,
        },
      ],
    };
  }
  const reason = keywords.get("reason");
  const text = `${receiver}.jobs.cancel(${jobId.text}${reason ? `, reason=${reason.text}` : ""})`;
  return { edits: [{ start: call.startIndex, end: call.endIndex, text }] };
}

/** The literal key of a subscript (`x["jobs"]` → "jobs", `x[0]` → 0), or undefined. */
function subscriptKey(node: SyntaxNode): string | number | undefined {
  const key = node.childForFieldName("subscript");
  if (!key) return undefined;
  if (key.type === "integer") return Number(key.text);
  return stringValue(key);
}

function quoteOf(node: SyntaxNode, fallback: string): string {
  const subscript = node.childForFieldName("subscript");
  return subscript?.type === "string" ? (subscript.text.match(/["']/)?.[0] ?? fallback) : fallback;
}

/**
 * Rewrites how the response is read: `resp["jobs"][0]["status"]` → `resp["state"]` for describe, `resp["jobId"]` →
 * `resp["id"]` for submit, through variables too. Any other use of the response stays on the shim.
 */
function rewriteResult(
  site: Site,
  call: SyntaxNode,
  replacement: string,
  prefix: (string | number)[],
  keys: Record<string, string>,
): SitePlan {
  const edits: TextEdit[] = [];
  const visit = (
    start: SyntaxNode,
    base: string,
    remaining: (string | number)[],
    replaceStart: boolean,
  ): string | undefined => {
    let expr = start;
    let consumed = 0;
    while (
      consumed < remaining.length &&
      expr.parent?.type === "subscript" &&
      expr.parent.childForFieldName("value")?.id === expr.id
    ) {
      if (subscriptKey(expr.parent) !== remaining[consumed])
        return "the response is read in a way the target does not answer";
      expr = expr.parent;
      consumed++;
    }
    const parent = expr.parent;
    if (
      consumed === remaining.length &&
      parent?.type === "subscript" &&
      parent.childForFieldName("value")?.id === expr.id
    ) {
      const key = subscriptKey(parent);
      const mapped = typeof key === "string" ? keys[key] : undefined;
      if (!mapped) return `the response field ${String(key)} has no ${TARGET_NAME[site.target]} counterpart`;
      edits.push({
        start: parent.startIndex,
        end: parent.endIndex,
        text: `${base}[${q({ ...site, quote: quoteOf(parent, site.quote) }, mapped)}]`,
      });
      return key === "status" ? rewriteStatusUse(site, parent, edits) : undefined;
    }
    if (replaceStart) edits.push({ start: start.startIndex, end: expr.endIndex, text: base });
    else if (consumed > 0) edits.push({ start: start.endIndex, end: expr.endIndex, text: "" });
    if (replaceStart && consumed === 0 && parent?.type === "expression_statement") return undefined;
    if (parent?.type === "assignment" && parent.childForFieldName("right")?.id === expr.id) {
      const variable = parent.childForFieldName("left")!;
      if (variable.type !== "identifier") return "the response is unpacked; its shape differs on the target";
      const uses = usesOf(variable);
      if (!uses) return `${variable.text} is assigned more than once`;
      for (const use of uses) {
        const why = visit(use, variable.text, remaining.slice(consumed), false);
        if (why) return why;
      }
      return undefined;
    }
    return "the response is used as a whole; its shape differs on the target";
  };
  const why = visit(call, replacement, prefix, true);
  return why ? { manual: why } : { edits };
}

/** Every read of a variable after its one assignment, or undefined when it is assigned again. */
function usesOf(variable: SyntaxNode): SyntaxNode[] | undefined {
  const scope = enclosingScope(variable);
  const same = findAll(scope, (node) => node.type === "identifier" && node.text === variable.text);
  const assignments = same.filter((node) => {
    const parent = node.parent;
    return (
      (parent?.type === "assignment" || parent?.type === "augmented_assignment" || parent?.type === "for_statement") &&
      parent.childForFieldName("left")?.id === node.id
    );
  });
  if (assignments.length !== 1) return undefined;
  return same.filter((node) => node.id !== variable.id && node.startIndex > variable.endIndex);
}

const COMPARISONS = new Set(["==", "!=", "in", "not in"]);

/** A status read must only be compared with literal statuses; the literals become the target's states. */
function rewriteStatusUse(site: Site, read: SyntaxNode, edits: TextEdit[]): string | undefined {
  const parent = read.parent;
  if (parent?.type === "assignment" && parent.childForFieldName("right")?.id === read.id) {
    const variable = parent.childForFieldName("left")!;
    const uses = variable.type === "identifier" ? usesOf(variable) : undefined;
    if (!uses) return "the status is stored in a way that cannot be followed";
    for (const use of uses) {
      const why = rewriteComparison(site, use, edits);
      if (why) return why;
    }
    return undefined;
  }
  return rewriteComparison(site, read, edits);
}

function rewriteComparison(site: Site, read: SyntaxNode, edits: TextEdit[]): string | undefined {
  const comparison = read.parent;
  const table = AWS_TO_TARGET_STATUS[site.target];
  if (comparison?.type !== "comparison_operator" || comparison.namedChildren.length !== 2) {
    return `the status is used beyond a comparison; ${TARGET_NAME[site.target]} states differ from Batch's`;
  }
  const operator = comparison.children
    .slice(1, -1)
    .map((child) => child.text)
    .join(" ");
  if (!COMPARISONS.has(operator)) return "the status is compared in a way that cannot be mapped";
  const other = comparison.namedChildren.find((child) => child.id !== read.id)!;
  if ((operator === "in" || operator === "not in") && other.id === comparison.namedChildren[0]!.id)
    return "the status is searched for, not compared";
  const literals =
    other.type === "string" ? [other] : ["tuple", "list", "set"].includes(other.type) ? other.namedChildren : undefined;
  const statuses = literals?.map((literal) => stringValue(literal));
  if (!literals || !statuses || statuses.some((status) => status === undefined || !table[status])) {
    return "the status is compared with something other than literal Batch statuses";
  }
  const mapped = [...new Set(statuses.flatMap((status) => table[status!]!))];
  const quote = other.text.match(/["']/)?.[0] ?? site.quote;
  const quoted = mapped.map((state) => `${quote}${state}${quote}`);
  if (other.type === "string" && mapped.length === 1) {
    edits.push({ start: other.startIndex, end: other.endIndex, text: quoted[0]! });
    return undefined;
  }
  if (other.type === "string") {
    const operatorNodes = comparison.children.slice(1, -1);
    const negated = operator === "!=";
    edits.push({
      start: operatorNodes[0]!.startIndex,
      end: operatorNodes.at(-1)!.endIndex,
      text: negated ? "not in" : "in",
    });
    if (other.id === comparison.namedChildren[0]!.id)
      return "a status on the left of the comparison becomes several states; rewrite it by hand";
    edits.push({ start: other.startIndex, end: other.endIndex, text: `(${quoted.join(", ")})` });
    return undefined;
  }
  const [open, close] = other.type === "list" ? ["[", "]"] : other.type === "set" ? ["{", "}"] : ["(", ")"];
  const body = quoted.join(", ") + (other.type === "tuple" && quoted.length === 1 ? "," : "");
  edits.push({ start: other.startIndex, end: other.endIndex, text: `${open}${body}${close}` });
  return undefined;
}
