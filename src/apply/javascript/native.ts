import { mapSubmit, onlySaladQueue, type MigrateConfig } from "../config.js";
import type { TextEdit } from "../edits.js";
import { AWS_TO_TARGET_STATUS, TARGET_NAME, TARGET_STATUS_FIELD } from "../target-status.js";
import type { MigrationTarget } from "../transform.js";
import { V3_SHIM_SOURCE, V3_SOURCE } from "./batch-imports.js";
import type { JsNode, JsStyle, ParsedJs } from "./syntax.js";

export const NATIVE_MODULES: Record<MigrationTarget, { source: string; client: string }> = {
  "common-compute": { source: "batch-migrate-runtime/common-compute", client: "CommonComputeClient" },
  salad: { source: "batch-migrate-runtime/salad", client: "SaladClient" },
};

export interface JsNativePlan {
  edits: TextEdit[];
  manual: { index: number; why: string }[];
  /** Whether the file uses `@aws-sdk/client-batch` (or its shim) at all. */
  usesBatch: boolean;
}

const SUBMIT_KEYS = new Set(["jobName", "jobQueue", "jobDefinition", "parameters", "retryStrategy", "timeout"]);
const SALAD_SCOPE = 'process.env.SALAD_ORGANIZATION_NAME ?? "", process.env.SALAD_PROJECT_NAME ?? ""';

function propertyName(property: JsNode): string | undefined {
  if (property.type !== "ObjectProperty" && property.type !== "Property") return undefined;
  if (property.computed) return undefined;
  return property.key.type === "Identifier"
    ? property.key.name
    : typeof property.key.value === "string"
      ? property.key.value
      : undefined;
}

function objectEntries(node: JsNode): Map<string, JsNode> | undefined {
  if (node?.type !== "ObjectExpression") return undefined;
  const entries = new Map<string, JsNode>();
  for (const property of node.properties) {
    const name = propertyName(property);
    if (!name) return undefined;
    entries.set(name, property.value);
  }
  return entries;
}

function statementOf(path: JsNode): JsNode {
  let current = path;
  while (current.parent && !/Statement$|Declaration$/.test(current.node.type)) current = current.parent;
  return current.node;
}

/** Plans `client.send(new XCommand({…}))` → the target client's calls for submit, describe and cancel/terminate. */
export function planJsNative(
  parsed: ParsedJs,
  code: string,
  style: JsStyle,
  target: MigrationTarget,
  config: MigrateConfig | undefined,
): JsNativePlan {
  const { api, root } = parsed;
  const quote = (value: string) => `${style.quote}${value}${style.quote}`;
  const local = new Map<string, string>();
  root.find(api.ImportDeclaration).forEach((p) => {
    const source = p.node.source.value;
    if (source !== V3_SOURCE && source !== V3_SHIM_SOURCE) return;
    for (const specifier of (p.node.specifiers ?? []) as JsNode[]) {
      if (specifier.type === "ImportSpecifier") local.set(specifier.local.name, specifier.imported.name);
      else local.set(specifier.local.name, "*");
    }
  });
  const plan: JsNativePlan = { edits: [], manual: [], usesBatch: local.size > 0 };
  if (local.size === 0) return plan;
  const manual = (path: JsNode, why: string) => plan.manual.push({ index: statementOf(path).start, why });
  const native = NATIVE_MODULES[target];

  root.find(api.Identifier).forEach((p) => {
    const node = p.node as JsNode;
    const imported = local.get(node.name);
    const parent = p.parent.node as JsNode;
    if (
      !imported ||
      parent.type.startsWith("Import") ||
      (parent.type === "MemberExpression" && parent.property === node && !parent.computed)
    )
      return;
    if (parent.type === "TSTypeReference" || parent.type === "TSQualifiedName") return;
    if (imported === "BatchClient" && parent.type === "NewExpression" && parent.callee === node) {
      plan.edits.push({ start: parent.start, end: parent.end, text: `new ${native.client}()` });
      return;
    }
    if (
      /^(SubmitJob|DescribeJobs|CancelJob|TerminateJob)Command$/.test(imported) &&
      parent.type === "NewExpression" &&
      parent.callee === node
    ) {
      const send = p.parent.parent;
      const call = send?.node as JsNode;
      const isSend =
        call?.type === "CallExpression" &&
        call.arguments[0] === parent &&
        call.callee.type === "MemberExpression" &&
        call.callee.property.name === "send";
      if (!isSend) return manual(p, `${imported} is built apart from its send(); rewrite it by hand`);
      const receiver = code.slice(call.callee.object.start, call.callee.object.end);
      const rewritten = planCommand(imported, parent.arguments[0], receiver, send);
      if (typeof rewritten === "string") return manual(p, rewritten);
      plan.edits.push(...rewritten);
      return;
    }
    if (imported !== "BatchClient")
      manual(p, `${imported} has no ${TARGET_NAME[target]} equivalent; it stays on the shim`);
  });
  return plan;

  function planCommand(command: string, input: JsNode, receiver: string, send: JsNode): TextEdit[] | string {
    const entries = objectEntries(input);
    if (!entries) return "the command input is not an object literal";
    const call = send.node as JsNode;
    const text = (node: JsNode) => code.slice(node.start, node.end);
    if (command === "SubmitJobCommand") {
      const unsupported = [...entries.keys()].filter((key) => !SUBMIT_KEYS.has(key));
      if (unsupported.length > 0) return `SubmitJob ${unsupported.join(", ")} has no ${TARGET_NAME[target]} equivalent`;
      const queue = entries.get("jobQueue")?.value;
      const definition = entries.get("jobDefinition")?.value;
      if (typeof queue !== "string" || typeof definition !== "string")
        return "jobQueue and jobDefinition must be literals to map them to the target";
      const mapping = mapSubmit(config, target, definition, queue);
      if (!mapping.ok) return mapping.why;
      const retry = entries.get("retryStrategy");
      const retryEntries = retry ? objectEntries(retry) : undefined;
      if (retry && (!retryEntries || [...retryEntries.keys()].some((key) => key !== "attempts")))
        return "retryStrategy with evaluateOnExit is not a plain attempt count on the target";
      const timeout = entries.get("timeout");
      const timeoutEntries = timeout ? objectEntries(timeout) : undefined;
      if (timeout && (!timeoutEntries || [...timeoutEntries.keys()].some((key) => key !== "attemptDurationSeconds")))
        return "timeout is not a literal attemptDurationSeconds";
      const input = entries.get("parameters") ? text(entries.get("parameters")) : "{}";
      const name = entries.get("jobName") ? text(entries.get("jobName")) : undefined;
      let replacement: string;
      if ("saladQueue" in mapping) {
        if (timeout || retry) return "SaladCloud keeps neither a timeout nor a retryStrategy of its own";
        replacement = `${receiver}.createQueueJob(${SALAD_SCOPE}, ${quote(mapping.saladQueue)}, { input: ${input}${name ? `, metadata: { name: ${name} }` : ""} })`;
      } else {
        const fields = [
          `workload: ${quote(mapping.workload)}`,
          `input: ${input}`,
          ...(name ? [`name: ${name}`] : []),
          `priority: ${quote(mapping.priority)}`,
          ...(mapping.model ? [`model_id: ${quote(mapping.model)}`] : []),
          ...(retryEntries?.get("attempts") ? [`max_attempts: ${text(retryEntries.get("attempts"))}`] : []),
          ...(timeoutEntries?.get("attemptDurationSeconds")
            ? [`timeout_seconds: ${text(timeoutEntries.get("attemptDurationSeconds"))}`]
            : []),
        ];
        replacement = `${receiver}.jobs.submit({ ${fields.join(", ")} })`;
      }
      return rewriteReads(send, replacement, [], { jobId: "id", jobName: "name" });
    }
    const saladQueue = target === "salad" ? onlySaladQueue(config) : undefined;
    if (target === "salad" && !saladQueue)
      return "SaladCloud reaches a job through its queue, and the config does not map exactly one";
    if (command === "DescribeJobsCommand") {
      const jobs = entries.get("jobs");
      if (
        entries.size !== 1 ||
        jobs?.type !== "ArrayExpression" ||
        jobs.elements.length !== 1 ||
        jobs.elements[0]?.type === "SpreadElement"
      ) {
        return `DescribeJobs of several jobs has no single ${TARGET_NAME[target]} call`;
      }
      const id = text(jobs.elements[0]);
      const replacement = saladQueue
        ? `${receiver}.getQueueJob(${SALAD_SCOPE}, ${quote(saladQueue)}, ${id})`
        : `${receiver}.jobs.get(${id})`;
      return rewriteReads(send, replacement, ["jobs", 0], {
        jobId: "id",
        jobName: "name",
        status: TARGET_STATUS_FIELD[target],
      });
    }
    const jobId = entries.get("jobId");
    if (!jobId || [...entries.keys()].some((key) => key !== "jobId" && key !== "reason"))
      return "cancel arguments are not a literal { jobId, reason }";
    if (!isDiscarded(send)) return "the cancel response is used; the target answers differently";
    const reason = entries.get("reason");
    const replacement = saladQueue
      ? `${receiver}.deleteQueueJob(${SALAD_SCOPE}, ${quote(saladQueue)}, ${text(jobId)})`
      : `${receiver}.jobs.cancel(${text(jobId)}${reason ? `, ${text(reason)}` : ""})`;
    return [{ start: call.start, end: call.end, text: replacement }];
  }

  function isDiscarded(send: JsNode): boolean {
    const parent = send.parent?.node;
    if (parent?.type === "ExpressionStatement") return true;
    return parent?.type === "AwaitExpression" && send.parent.parent?.node.type === "ExpressionStatement";
  }

  /** `r.jobs[0].status` / `r.jobs?.[0]?.status` → `r.state`, through `const r = await …`; anything else stays manual. */
  function rewriteReads(
    send: JsNode,
    replacement: string,
    prefix: (string | number)[],
    keys: Record<string, string>,
  ): TextEdit[] | string {
    const call = send.node as JsNode;
    const edits: TextEdit[] = [{ start: call.start, end: call.end, text: replacement }];
    let holder = send.parent;
    if (holder?.node.type === "AwaitExpression") holder = holder.parent;
    if (holder?.node.type === "ExpressionStatement" && prefix.length === 0) return edits;
    const declarator = holder?.node as JsNode;
    if (declarator?.type !== "VariableDeclarator" || declarator.id.type !== "Identifier")
      return "the response is used as a whole; its shape differs on the target";
    const name = declarator.id.name;
    const uses: JsNode[] = [];
    root.find(api.Identifier, { name }).forEach((p) => {
      const node = p.node as JsNode;
      const parent = p.parent.node as JsNode;
      if (
        node === declarator.id ||
        (parent.type === "MemberExpression" && parent.property === node && !parent.computed)
      )
        return;
      if ((parent.type === "ObjectProperty" || parent.type === "Property") && parent.key === node && !parent.shorthand)
        return;
      uses.push(p);
    });
    for (const use of uses) {
      let path = use;
      for (const step of prefix) {
        const member = path.parent?.node as JsNode;
        const isMember = member && member.type.endsWith("MemberExpression") && member.object === path.node;
        const key = member?.computed ? member.property.value : member?.property?.name;
        if (!isMember || key !== step) return "the response is read in a way the target does not answer";
        path = path.parent;
      }
      const member = path.parent?.node as JsNode;
      if (!member || !member.type.endsWith("MemberExpression") || member.object !== path.node || member.computed)
        return "the response is used as a whole; its shape differs on the target";
      const mapped = keys[member.property.name];
      if (!mapped) return `the response field ${member.property.name} has no ${TARGET_NAME[target]} counterpart`;
      const optional = member.optional ? "?." : ".";
      edits.push({ start: (use.node as JsNode).start, end: member.end, text: `${name}${optional}${mapped}` });
      if (member.property.name === "status") {
        const why = rewriteStatusComparison(path.parent, edits);
        if (why) return why;
      }
    }
    return edits;
  }

  function rewriteStatusComparison(read: JsNode, edits: TextEdit[]): string | undefined {
    const comparison = read.parent?.node as JsNode;
    const table = AWS_TO_TARGET_STATUS[target];
    if (comparison?.type !== "BinaryExpression" || !["===", "!==", "==", "!="].includes(comparison.operator)) {
      return `the status is used beyond a comparison; ${TARGET_NAME[target]} states differ from Batch's`;
    }
    const other = comparison.left === read.node ? comparison.right : comparison.left;
    const mapped = typeof other.value === "string" ? table[other.value] : undefined;
    if (!mapped) return "the status is compared with something other than a literal Batch status";
    if (mapped.length === 1) {
      edits.push({ start: other.start, end: other.end, text: `${code[other.start]}${mapped[0]}${code[other.start]}` });
      return undefined;
    }
    return "FAILED becomes several target states; compare against each by hand";
  }
}
