import type { Finding } from "../../core/types.js";
import { reasonFromOrigin } from "./origin-reason.js";
import type { MigrateConfig } from "../config.js";
import { lineStartOf, indentationAt, type TextEdit } from "../edits.js";
import { TARGET_NAME } from "../target-status.js";
import type { MigrationTarget } from "../transform.js";
import { bindingOf, groupBindings, handOffs, usesOfBinding, type ClientBinding } from "./native-bindings.js";
import {
  planCancel,
  planDescribe,
  planList,
  planSubmit,
  RECEIVER,
  type CallSite,
  type SitePlan,
} from "./native-calls.js";
import { API_ERROR, planCaughtErrors } from "./native-errors.js";
import { stayingReason } from "./native-reasons.js";
import { snippet } from "./native-response.js";
import {
  enclosingStatement,
  findAll,
  indexOfPosition,
  keywordArguments,
  nodeAt,
  type SyntaxNode,
  type Tree,
} from "./syntax.js";

/** A call left on the AWS client object: a job call that could not move, or an operation the target lacks. */
export interface LeftCall {
  index: number;
  operation?: string;
  /** `line:column` of the constructor the scanner traced its client to, when in this file. */
  origin?: string;
  /** Why it stays (without where: the transform adds whether the file is on the shim or on real boto3). */
  why: string;
  job: boolean;
}

export interface NativePlan {
  /** The rewrite of every job call that moves, and the target clients they move to. */
  edits: TextEdit[];
  /** Calls that stay on the Batch client object. */
  left: LeftCall[];
  /** Uses of a client that need a person whatever happens (a client handed on while its job calls moved). */
  notes: { index: number; why: string }[];
  clientClass: "CommonCompute" | "SaladCloud";
  /** Runtime helpers the rewritten calls use (`common_compute_route`, `salad_queue`, …). */
  helpers: Set<string>;
  /** Whether any Batch client constructor of this file was replaced (nothing else uses it). */
  moved: number;
}

const CALL_KINDS = new Set(["py-call", "py-call-dynamic", "py-paginator", "py-waiter-custom"]);
const CLIENT_KINDS = new Set(["py-client", "py-client-indirect"]);
export const JOB_OPERATIONS = new Set(["SubmitJob", "DescribeJobs", "ListJobs", "CancelJob", "TerminateJob"]);

function spanNode(code: string, tree: Tree, finding: Finding): SyntaxNode | undefined {
  const start = indexOfPosition(code, finding.line, finding.column);
  const end = indexOfPosition(code, finding.endLine, finding.endColumn);
  return nodeAt(tree, start, end, "call");
}

interface PlannedCall {
  finding: Finding;
  node?: SyntaxNode;
  binding?: ClientBinding;
  job: boolean;
  plan: SitePlan;
}

function snakeCase(operation: string): string {
  return operation.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

function planJobCall(site: CallSite, node: SyntaxNode, operation: string): SitePlan {
  switch (operation) {
    case "SubmitJob":
      return planSubmit(site, node);
    case "DescribeJobs":
      return planDescribe(site, node);
    case "CancelJob":
    case "TerminateJob":
      return planCancel(site, node, operation);
    default:
      return planList(site, node);
  }
}

const AWS_ONLY_CLIENT_ARGUMENTS = new Set([
  "region_name",
  "aws_access_key_id",
  "aws_secret_access_key",
  "aws_session_token",
]);

function credentialsFrom(target: MigrationTarget): string {
  return target === "salad"
    ? "SALAD_API_KEY, SALAD_ORGANIZATION_NAME and SALAD_PROJECT_NAME"
    : "CC_API_KEY and CC_BASE_URL";
}

/** `boto3.client("batch", region_name=…)` → `CommonCompute()`, or undefined when an argument would be lost. */
function replaceConstructor(site: CallSite, call: SyntaxNode, clientClass: string): TextEdit[] | undefined {
  const fn = call.childForFieldName("function");
  const named = fn?.type === "attribute" ? fn.childForFieldName("attribute")?.text : fn?.text;
  if (named !== "client") return undefined;
  const { keywords, positional, splat } = keywordArguments(call);
  if (splat || positional.length > 1 || [...keywords.keys()].some((key) => !AWS_ONLY_CLIENT_ARGUMENTS.has(key)))
    return undefined;
  const edits: TextEdit[] = [{ start: call.startIndex, end: call.endIndex, text: `${clientClass}()` }];
  const noted = [...keywords.keys()];
  if (noted.length > 0) {
    const start = lineStartOf(site.code, enclosingStatement(call).startIndex);
    edits.push({
      start,
      end: start,
      text: `${indentationAt(site.code, start)}# migrate: review — ${noted.join(", ")} dropped: ${clientClass}() has no AWS region or credentials; it reads ${credentialsFrom(site.target)}\n`,
    });
  }
  return edits;
}

function constructorArguments(call: SyntaxNode): string {
  const { keywords, positional, splat } = keywordArguments(call);
  const names = [...keywords.keys()].map((key) => `${key}=`);
  if (positional.length > 1 || splat) names.push("other arguments");
  return names.join(", ") || "arguments";
}

/**
 * A constructor in this file (`return boto3.client("batch")` in a factory, `client = …`) whose every Batch call —
 * followed by the scanner through returns and parameters — moves: it becomes the target client and the calls keep
 * their receivers. Returns the bindings whose calls now run on it.
 */
function factoryReplacements(
  site: CallSite,
  tree: Tree,
  constructors: readonly SyntaxNode[],
  madeAt: ReadonlyMap<number, string>,
  moving: ReadonlyMap<string, PlannedCall[]>,
  plan: NativePlan,
): Set<string> {
  const replaced = new Set<string>();
  // A client read other than by a call (`client.exceptions.…`, `client.meta`) would meet the target client.
  if (/\.(exceptions|meta|get_waiter|get_paginator|can_paginate)\b/.test(site.code)) return replaced;
  const movingCalls = new Set([...moving.values()].flat());
  for (const constructor of constructors) {
    const at = madeAt.get(constructor.id);
    const made = [...movingCalls].filter(
      (call) =>
        call.finding.origin?.path === call.finding.path &&
        `${call.finding.origin.line}:${call.finding.origin.column}` === at,
    );
    if (made.length === 0) continue;
    const keys = new Set(made.map((call) => call.binding!.key));
    const allMove = [...keys].every((key) => {
      const calls = moving.get(key)!;
      if (calls.some((call) => !made.includes(call))) return false;
      const binding = calls[0]!.binding!;
      const receivers = new Set(
        calls.map((c) => c.node!.childForFieldName("function")!.childForFieldName("object")!.id),
      );
      return usesOfBinding(binding)
        .filter((use) => !receivers.has(use.id))
        .every((use) =>
          handOffs(binding, tree.rootNode).some(
            (h) => h.callee && h.call.startIndex <= use.startIndex && h.call.endIndex >= use.endIndex,
          ),
        );
    });
    // Every Batch call this constructor's client reaches must be among the moving ones.
    const reached = plan.left.some((left) => left.origin === at);
    if (!allMove || reached) continue;
    const edits = replaceConstructor(site, constructor, site.target === "salad" ? "SaladCloud" : "CommonCompute");
    if (!edits) continue;
    plan.edits.push(...edits);
    plan.moved++;
    for (const key of keys) replaced.add(key);
  }
  return replaced;
}

/** Where a new target client goes for a binding: right after the statement that binds it, or first in the function. */
function besideEdit(site: CallSite, binding: ClientBinding, name: string, clientClass: string): TextEdit | undefined {
  const statement = binding.statement;
  if (statement && (statement.type === "with_statement" || statement.type === "for_statement")) {
    const first = statement.childForFieldName("body")?.namedChildren.find((n) => n.type !== "comment");
    return first ? insertBefore(site, first, name, clientClass) : undefined;
  }
  if (statement) {
    if (statement.parent?.type !== "block" && statement.parent?.type !== "module") return undefined;
    const lineEnd = site.code.indexOf("\n", statement.endIndex);
    const at = lineEnd === -1 ? site.code.length : lineEnd;
    return {
      start: at,
      end: at,
      text: `\n${indentationAt(site.code, statement.startIndex)}${name} = ${clientClass}()`,
    };
  }
  const body = binding.parameterOf?.childForFieldName("body");
  const statements = body?.namedChildren.filter((n) => n.type !== "comment") ?? [];
  const docstring = statements[0]?.type === "expression_statement" && statements[0].namedChildren[0]?.type === "string";
  const first = statements[docstring ? 1 : 0];
  if (first) return insertBefore(site, first, name, clientClass);
  const last = statements[0];
  if (!last) return undefined;
  return {
    start: last.endIndex,
    end: last.endIndex,
    text: `\n${indentationAt(site.code, last.startIndex)}${name} = ${clientClass}()`,
  };
}

function insertBefore(site: CallSite, statement: SyntaxNode, name: string, clientClass: string): TextEdit | undefined {
  const start = lineStartOf(site.code, statement.startIndex);
  if (site.code.slice(start, statement.startIndex).trim() !== "") return undefined;
  return { start, end: start, text: `${indentationAt(site.code, start)}${name} = ${clientClass}()\n` };
}

/** A name for the target client next to `binding` that the file does not use yet. */
function targetClientName(site: CallSite, tree: Tree, binding: ClientBinding, taken: Set<string>): string {
  const base = site.target === "salad" ? "salad" : "common_compute";
  const prefix = binding.name.startsWith("self.") ? "self." : "";
  const variable = binding.name.replace(/^self\./, "");
  const used = new Set(findAll(tree.rootNode, (n) => n.type === "identifier").map((n) => n.text));
  for (const candidate of [base, `${variable}_${base}`, `${variable}_${base}_client`]) {
    const full = `${prefix}${candidate}`;
    if (!used.has(candidate) && !taken.has(`${binding.scope.startIndex}:${full}`)) return full;
  }
  return `${prefix}${variable}_${base}_${binding.scope.startIndex}`;
}

/** Where a call is, in words that survive inserted lines: `in _wait()`, `at module level`. */
function placeOf(node: SyntaxNode | undefined): string {
  let current = node?.parent;
  while (current && current.type !== "function_definition") current = current.parent;
  const name = current?.childForFieldName("name")?.text;
  return name ? `in ${name}()` : "at module level";
}

/** Runtime helpers a rewrite may call; the file imports those its moved calls name. */
const RUNTIME_HELPERS = [
  "common_compute_route",
  "common_compute_states",
  "common_compute_submit_arguments",
  "described_jobs",
  "salad_queue",
  "salad_queue_of",
  "salad_queue_of_job",
  "salad_states",
  "salad_submit_arguments",
];

/** Plans the native rewrite of every Batch site in a Python file from the scanner's findings. */
export function planPythonNative(
  code: string,
  tree: Tree,
  findings: readonly Finding[],
  target: MigrationTarget,
  config: MigrateConfig | undefined,
  options: { clientsUsedElsewhere: boolean },
): NativePlan {
  const quote = code.split("'").length > code.split('"').length ? "'" : '"';
  const site: CallSite = { code, target, config, quote, helpers: new Set() };
  const clientClass = target === "salad" ? "SaladCloud" : "CommonCompute";
  const plan: NativePlan = { edits: [], left: [], notes: [], clientClass, helpers: site.helpers, moved: 0 };
  const madeAt = new Map<number, string>();
  const constructors = findings
    .filter((finding) => CLIENT_KINDS.has(finding.kind))
    .map((finding) => {
      const node = spanNode(code, tree, finding);
      if (node) madeAt.set(node.id, `${finding.line}:${finding.column}`);
      return node;
    })
    .filter((node): node is SyntaxNode => node !== undefined);

  const planned: PlannedCall[] = [];
  for (const finding of findings.filter((f) => CALL_KINDS.has(f.kind))) {
    const node = spanNode(code, tree, finding);
    const fn = node?.childForFieldName("function");
    const receiver = fn?.type === "attribute" ? fn.childForFieldName("object") : undefined;
    const binding = receiver ? bindingOf(receiver) : undefined;
    const operation = finding.operation;
    const job = finding.kind === "py-call" && operation !== undefined && JOB_OPERATIONS.has(operation);
    const entry: PlannedCall = {
      finding,
      job,
      plan: { manual: "" },
      ...(node ? { node } : {}),
      ...(binding ? { binding } : {}),
    };
    if (!job || !node) {
      entry.plan = { manual: stayingReason(finding, target) };
    } else if (fn?.type !== "attribute" || fn.childForFieldName("attribute")?.text !== snakeCase(operation!)) {
      entry.plan = {
        manual: `${snakeCase(operation!)}: the Batch method is handed on as a value (\`${snippet(node.text)}\`), not called here, so its arguments and response cannot be mapped: call it directly and run again`,
      };
    } else if (!binding) {
      entry.plan = {
        manual:
          reasonFromOrigin(finding, { where: false }) ??
          `${snakeCase(operation!)}(…): the client \`${receiver?.text ?? "?"}\` is not a variable, parameter or \`self\` attribute apply can follow, so no ${TARGET_NAME[target]} client can be put beside it: bind it to a name and run again`,
      };
    } else {
      const caught = planCaughtErrors(node, snakeCase(operation!), target, code);
      if (caught?.manual !== undefined) entry.plan = caught;
      else {
        const planned = planJobCall(site, node, operation!);
        if (planned.manual === undefined && caught) planned.edits.push(...caught.edits);
        entry.plan = planned;
      }
    }
    planned.push(entry);
  }

  // Job calls on bindings that share job ids move together, or none of them does.
  const bindings = [...new Map(planned.filter((p) => p.binding).map((p) => [p.binding!.key, p.binding!])).values()];
  const jobKeys = new Set(planned.filter((p) => p.job && p.binding).map((p) => p.binding!.key));
  const groupOf = groupBindings(bindings, tree.rootNode, jobKeys);
  const blockedGroups = new Map<string, PlannedCall>();
  for (const call of planned)
    if (call.job && call.plan.manual !== undefined) {
      const group = call.binding ? groupOf(call.binding.key) : "unbound";
      if (!blockedGroups.has(group)) blockedGroups.set(group, call);
    }
  const moving = new Map<string, PlannedCall[]>();
  for (const call of planned) {
    if (call.plan.manual !== undefined || !call.job) {
      plan.left.push({
        index: call.node
          ? enclosingStatement(call.node).startIndex
          : indexOfPosition(code, call.finding.line, call.finding.column),
        ...(call.finding.operation ? { operation: call.finding.operation } : {}),
        ...(call.finding.origin?.path === call.finding.path
          ? { origin: `${call.finding.origin.line}:${call.finding.origin.column}` }
          : {}),
        why: call.plan.manual ?? "",
        job: call.job,
      });
      continue;
    }
    const blocker = blockedGroups.get(groupOf(call.binding!.key));
    if (blocker) {
      plan.left.push({
        index: enclosingStatement(call.node!).startIndex,
        operation: call.finding.operation!,
        ...(call.finding.origin?.path === call.finding.path
          ? { origin: `${call.finding.origin.line}:${call.finding.origin.column}` }
          : {}),
        why: `${snakeCase(call.finding.operation!)}(…) could move to ${TARGET_NAME[target]}, but it shares job ids with ${snakeCase(blocker.finding.operation!)}(…) ${placeOf(blocker.node)}, which cannot (see its marker): a job submitted on one service is unknown to the other, so these calls move together once that one can`,
        job: true,
      });
      continue;
    }
    moving.set(call.binding!.key, [...(moving.get(call.binding!.key) ?? []), call]);
  }

  // Each binding whose job calls move gets its target client: in place of its constructor when nothing else uses
  // it, else beside it, so every call in the file is made on an object that has it.
  const taken = new Set<string>();
  const madeByFactory = options.clientsUsedElsewhere
    ? new Set<string>()
    : factoryReplacements(site, tree, constructors, madeAt, moving, plan);
  for (const calls of moving.values()) {
    const binding = calls[0]!.binding!;
    const receivers = new Set(calls.map((c) => c.node!.childForFieldName("function")!.childForFieldName("object")!.id));
    const otherUses = usesOfBinding(binding).filter((use) => !receivers.has(use.id));
    const constructor = binding.assignedCall && constructors.find((c) => c.id === binding.assignedCall!.id);
    const replaced = madeByFactory.has(binding.key)
      ? []
      : constructor && otherUses.length === 0 && !options.clientsUsedElsewhere && !binding.parameterOf
        ? replaceConstructor(site, constructor, clientClass)
        : undefined;
    let name = binding.name;
    if (replaced) {
      plan.edits.push(...replaced);
      plan.moved++;
    } else {
      name = targetClientName(site, tree, binding, taken);
      const beside = besideEdit(site, binding, name, clientClass);
      if (!beside) {
        for (const call of calls)
          plan.left.push({
            index: enclosingStatement(call.node!).startIndex,
            operation: call.finding.operation!,
            why: `${snakeCase(call.finding.operation!)}(…) could move to ${TARGET_NAME[target]}, but \`${binding.name}\` is bound where no ${clientClass}() can be put beside it (a one-line compound statement): put the binding on its own line and run again`,
            job: true,
          });
        continue;
      }
      plan.edits.push(beside);
      if (constructor && otherUses.length === 0 && !options.clientsUsedElsewhere)
        plan.notes.push({
          index: enclosingStatement(constructor).startIndex,
          why: `every Batch call of \`${binding.name}\` moved to \`${name}\`, but this client's ${constructorArguments(constructor)} cannot be carried to ${clientClass}() (it reads ${credentialsFrom(target)}; timeout= and max_retries= are its settings): carry them over by hand, then remove this client`,
        });
      taken.add(`${binding.scope.startIndex}:${name}`);
      for (const handOff of handOffs(binding, tree.rootNode))
        if (!handOff.callee)
          plan.notes.push({
            index: enclosingStatement(handOff.call).startIndex,
            why: `\`${binding.name}\` stays the AWS Batch client and is handed to \`${handOff.call.childForFieldName("function")?.text ?? "?"}\`, defined outside this file, while this file's job calls moved to \`${name}\`: if it submits, reads or cancels jobs, convert it too (job ids now come from ${TARGET_NAME[target]})`,
          });
    }
    for (const call of calls) {
      const edits = call.plan.manual === undefined ? call.plan.edits : [];
      plan.edits.push(...edits.map((edit) => ({ ...edit, text: edit.text.split(RECEIVER).join(name) })));
    }
  }
  // A polling loop reads the same status through two calls: their identical edits of the comparison are one.
  const seenEdits = new Set<string>();
  plan.edits = plan.edits.filter((edit) => {
    const key = `${edit.start}:${edit.end}:${edit.text}`;
    if (seenEdits.has(key)) return false;
    seenEdits.add(key);
    return true;
  });
  plan.helpers.clear();
  const written = plan.edits.map((edit) => edit.text).join("\n");
  for (const helper of RUNTIME_HELPERS) if (new RegExp(`\\b${helper}\\(`).test(written)) plan.helpers.add(helper);
  if (new RegExp(`\\b${API_ERROR}\\b`).test(written)) plan.helpers.add(API_ERROR);
  return plan;
}
