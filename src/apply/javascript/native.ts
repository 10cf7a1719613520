// Native mode for JS/TS: every Batch client the file makes (v3 `new BatchClient`, v2 `new AWS.Batch` /
// `new (require("aws-sdk/clients/batch"))`) becomes the target's client, and every use of it a target call. One use
// that cannot move keeps the whole file where it was (the transform moves it to the shim), with a marker per site.
import type { MigrateConfig } from "../config.js";
import { indentationAt, lineStartOf, type TextEdit } from "../edits.js";
import { TARGET_NAME } from "../target-status.js";
import type { MigrationTarget } from "../transform.js";
import { V2_BATCH_SOURCE, V2_SHIM_SOURCE, V2_SOURCE, v2RootNames, V3_SHIM_SOURCE, V3_SOURCE } from "./batch-imports.js";
import { planOperation, type OperationContext, type OperationSite } from "./native-operation.js";
import { holdersOf, type HolderContext } from "./client-holders.js";
import { declaratorOf, isReference, referencesIn, scopeOf, statementOf } from "./scope.js";
import type { JsNode, JsStyle, ParsedJs } from "./syntax.js";

export const NATIVE_MODULES: Record<MigrationTarget, { source: string; client: string }> = {
  "common-compute": { source: "batch-migrate-runtime/common-compute", client: "CommonComputeClient" },
  salad: { source: "batch-migrate-runtime/salad", client: "SaladClient" },
};

export interface JsNativePlan {
  edits: TextEdit[];
  manual: { index: number; why: string }[];
  /** Whether the file makes or uses an aws-sdk Batch client at all. */
  usesBatch: boolean;
  /** Names the rewrite needs from batch-migrate-runtime/routing. */
  routing: string[];
  callbackify: boolean;
  /** The rewrite itself brings in the native client (in place of a require it emptied). */
  nativeImported: boolean;
}

const V3_COMMANDS: Record<string, string> = {
  SubmitJobCommand: "SubmitJob",
  DescribeJobsCommand: "DescribeJobs",
  CancelJobCommand: "CancelJob",
  TerminateJobCommand: "TerminateJob",
  ListJobsCommand: "ListJobs",
};
const V2_METHODS: Record<string, string> = {
  submitJob: "SubmitJob",
  describeJobs: "DescribeJobs",
  cancelJob: "CancelJob",
  terminateJob: "TerminateJob",
  listJobs: "ListJobs",
};
/** Client options that mean nothing to the target: dropped with a note. Anything else would change behaviour. */
const AWS_ONLY_OPTIONS = new Set([
  "region",
  "apiVersion",
  "credentials",
  "accessKeyId",
  "secretAccessKey",
  "sessionToken",
  "signatureVersion",
]);

/** A table entry by a name read from the scanned code (`toString` is no operation). */
export function own<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

function requireOf(node: JsNode): string | undefined {
  return node?.type === "CallExpression" &&
    node.callee.type === "Identifier" &&
    node.callee.name === "require" &&
    typeof node.arguments[0]?.value === "string"
    ? node.arguments[0].value
    : undefined;
}

/** Local names of `@aws-sdk/client-batch` exports (import or destructured require) → the exported name. */
function v3Names(parsed: ParsedJs): Map<string, string> {
  const { api, root } = parsed;
  const local = new Map<string, string>();
  const isV3 = (source: unknown) => source === V3_SOURCE || source === V3_SHIM_SOURCE;
  root.find(api.ImportDeclaration).forEach((p) => {
    if (!isV3(p.node.source.value) || (p.node as JsNode).importKind === "type") return;
    for (const specifier of (p.node.specifiers ?? []) as JsNode[]) {
      if (specifier.importKind === "type") continue;
      if (specifier.type === "ImportSpecifier") local.set(specifier.local.name, specifier.imported.name);
      else local.set(specifier.local.name, "*");
    }
  });
  root.find(api.VariableDeclarator).forEach((p) => {
    const node = p.node as JsNode;
    if (!isV3(requireOf(node.init))) return;
    if (node.id.type === "Identifier") local.set(node.id.name, "*");
    if (node.id.type !== "ObjectPattern") return;
    for (const property of node.id.properties as JsNode[])
      if (property.value?.type === "Identifier" && property.key?.type === "Identifier")
        local.set(property.value.name, property.key.name);
  });
  return local;
}

/** Local names that are the v2 Batch constructor: `require("aws-sdk/clients/batch")`, `import { Batch } from "aws-sdk"`. */
function v2Constructors(parsed: ParsedJs): Set<string> {
  const { api, root } = parsed;
  const names = new Set<string>();
  const isV2 = (source: unknown) => source === V2_BATCH_SOURCE || source === V2_SHIM_SOURCE;
  root.find(api.ImportDeclaration).forEach((p) => {
    const source = p.node.source.value;
    for (const specifier of (p.node.specifiers ?? []) as JsNode[]) {
      if (isV2(source) && specifier.type !== "ImportSpecifier") names.add(specifier.local.name);
      if (
        specifier.type === "ImportSpecifier" &&
        specifier.imported.name === "Batch" &&
        (source === V2_SOURCE || isV2(source))
      )
        names.add(specifier.local.name);
    }
  });
  root.find(api.VariableDeclarator).forEach((p) => {
    const node = p.node as JsNode;
    const source = requireOf(node.init?.type === "MemberExpression" ? node.init.object : node.init);
    if (!source) return;
    const member = node.init.type === "MemberExpression" ? node.init.property.name : undefined;
    if (node.id.type === "Identifier" && isV2(source) && (member === undefined || member === "Batch"))
      names.add(node.id.name);
    if (node.id.type === "Identifier" && source === V2_SOURCE && member === "Batch") names.add(node.id.name);
    if (node.id.type === "ObjectPattern" && (source === V2_SOURCE || isV2(source)) && member === undefined) {
      for (const property of node.id.properties as JsNode[])
        if (property.key?.name === "Batch" && property.value?.type === "Identifier") names.add(property.value.name);
    }
  });
  return names;
}

export function planJsNative(
  parsed: ParsedJs,
  code: string,
  style: JsStyle,
  target: MigrationTarget,
  config: MigrateConfig | undefined,
): JsNativePlan {
  const { api, root } = parsed;
  const native = NATIVE_MODULES[target];
  const name = TARGET_NAME[target];
  const v3 = v3Names(parsed);
  const v2 = v2Constructors(parsed);
  const roots = v2RootNames(parsed);
  // `import * as AWS from "aws-sdk"` is a root too.
  root.find(api.ImportDeclaration).forEach((p) => {
    if (p.node.source.value !== V2_SOURCE) return;
    for (const specifier of (p.node.specifiers ?? []) as JsNode[])
      if (specifier.type === "ImportNamespaceSpecifier") roots.add(specifier.local.name);
  });
  const plan: JsNativePlan = {
    edits: [],
    manual: [],
    usesBatch: false,
    routing: [],
    callbackify: false,
    nativeImported: false,
  };
  const manual = (path: JsNode, why: string) => plan.manual.push({ index: statementOf(path).start, why });
  const ctx: OperationContext = { parsed, code, style, target, config };
  const text = (node: JsNode) => code.slice(node.start, node.end);
  /** Nodes a planned site or client accounts for; any other Batch reference is a site that cannot move. */
  const handled = new Set<JsNode>();

  const holderContext: HolderContext = {
    parsed,
    code,
    nativeClient: native.client,
    targetName: name,
    isBatchType: (typeText) => {
      const qualified = /^([\w$]+)\.(Batch|BatchClient)$/.exec(typeText);
      if (qualified) return qualified[2] === "Batch" ? roots.has(qualified[1]!) : v3.get(qualified[1]!) === "*";
      return v2.has(typeText) || v3.get(typeText) === "BatchClient";
    },
  };
  const isBatchConstructor = (callee: JsNode): "v2" | "v3" | undefined => {
    if (callee.type === "Identifier" && v3.get(callee.name) === "BatchClient") return "v3";
    if (callee.type === "Identifier" && v2.has(callee.name)) return "v2";
    if (callee.type === "MemberExpression" && !callee.computed && callee.property.name === "Batch") {
      if (callee.object.type === "Identifier" && roots.has(callee.object.name)) return "v2";
      if (requireOf(callee.object) === V2_SOURCE) return "v2";
    }
    if (requireOf(callee) === V2_BATCH_SOURCE) return "v2";
    // `import Batch from "@aws-sdk/client-batch"` / `* as Batch`: `new Batch.BatchClient()`.
    if (
      callee.type === "MemberExpression" &&
      !callee.computed &&
      callee.property.name === "BatchClient" &&
      callee.object.type === "Identifier" &&
      v3.get(callee.object.name) === "*"
    )
      return "v3";
    return undefined;
  };

  root.find(api.NewExpression).forEach((p) => {
    const node = p.node as JsNode;
    const version = isBatchConstructor(node.callee);
    if (!version) return;
    plan.usesBatch = true;
    handled.add(node.callee.type === "MemberExpression" ? node.callee.object : node.callee);
    const client = planClient(p, version);
    if (typeof client === "string") manual(p, client);
  });

  function planClient(path: JsNode, version: "v2" | "v3"): string | undefined {
    const node = path.node as JsNode;
    const made = text(node);
    const declarator = path.parent?.node as JsNode;
    const options = node.arguments[0];
    const dropped: string[] = [];
    // A client option the target would drop is marked, and its calls are still planned so each gets its own reason.
    let optionProblem: string | undefined;
    if (node.arguments.length > 1 || (options && options.type !== "ObjectExpression"))
      optionProblem = `${clip(made)}: its options are built elsewhere, so apply cannot tell whether they set an endpoint or retries ${native.client}() would drop: pass them inline, or keep this file on the shim`;
    for (const property of (options?.type === "ObjectExpression" ? options.properties : []) as JsNode[]) {
      const key = property.key?.name ?? property.key?.value;
      if (property.type === "SpreadElement" || !AWS_ONLY_OPTIONS.has(key)) {
        optionProblem ??= `${clip(made)}: ${native.client}() takes its address and key from ${envOf(target)}, so ${property.type === "SpreadElement" ? "the spread options" : key} would be dropped: remove it, or keep this file on the shim`;
        continue;
      }
      dropped.push(key);
    }
    if (optionProblem) manual(path, optionProblem);
    const droppedNote = (): TextEdit => {
      const start = lineStartOf(code, statementOf(path).start);
      return {
        start,
        end: start,
        text: `${indentationAt(code, start)}// migrate: review — ${dropped.join(", ")} dropped: ${native.client}() has no AWS region, API version or credentials; it reads ${envOf(target)}\n`,
      };
    };
    // `new AWS.Batch().submitJob(…)`: a client made for one call is that call's receiver.
    if (declarator?.type === "MemberExpression" && declarator.object === node && !declarator.computed) {
      handled.add(declarator);
      const site =
        version === "v3" ? v3Site(path, made, `new ${native.client}()`) : v2Site(path, made, `new ${native.client}()`);
      if (typeof site === "string") return site;
      const planned = planOperation(site, ctx);
      if (typeof planned === "string") return planned;
      if (optionProblem) return undefined;
      plan.edits.push(...planned.edits, ...(dropped.length > 0 ? [droppedNote()] : []));
      plan.routing.push(...planned.routing);
      plan.callbackify ||= planned.callbackify;
      return undefined;
    }
    const holders = holdersOf(holderContext, path);
    if (typeof holders === "string") return holders;
    const sites: OperationSite[] = [];
    for (const { use, label } of holders.uses) {
      handled.add(use.parent.node);
      const site = version === "v3" ? v3Site(use, label) : v2Site(use, label);
      if (typeof site === "string") {
        manual(use, site);
        continue;
      }
      sites.push(site);
    }
    let failed = false;
    for (const site of sites) {
      const planned = planOperation(site, ctx);
      if (typeof planned === "string") {
        manual(site.call, planned);
        failed = true;
        continue;
      }
      plan.edits.push(...planned.edits);
      plan.routing.push(...planned.routing);
      plan.callbackify ||= planned.callbackify;
    }
    if (failed || optionProblem) return undefined;
    plan.edits.push({ start: node.start, end: node.end, text: `new ${native.client}()` }, ...holders.edits);
    if (dropped.length > 0) plan.edits.push(droppedNote());
    return undefined;
  }

  /** `client.send(new XCommand(input))`, or `client.send(command)` with `const command = new XCommand(input)` beside it. */
  function v3Site(use: JsNode, clientName: string, receiver = clientName): OperationSite | string {
    const member = use.parent.node as JsNode;
    const call = use.parent.parent?.node as JsNode;
    if (member.type !== "MemberExpression" || member.object !== use.node)
      return `${clientName} is handed on as a value here (${clip(text(member))}): code that receives it expects an AWS Batch client: keep the client private to the send() calls in this file`;
    if (
      member.type !== "MemberExpression" ||
      member.object !== use.node ||
      member.computed ||
      member.property.name !== "send" ||
      call?.type !== "CallExpression" ||
      call.callee !== member
    )
      return `${clip(text(member.type.endsWith("MemberExpression") ? member : use.node))}: the ${name} client has no such member; only ${clientName}.send(new …Command(…)) calls move: rewrite this use by hand`;
    const sendPath = use.parent.parent;
    const argument = call.arguments[0];
    let command: JsNode | undefined;
    let commandPath: JsNode | undefined;
    const alsoEdits: TextEdit[] = [];
    if (argument?.type === "NewExpression") {
      command = argument;
      commandPath = sendPath.get("arguments", 0);
    } else if (argument?.type === "Identifier") {
      const declarator = declaratorOf(parsed, sendPath, argument.name);
      const init = declarator?.node.init as JsNode | undefined;
      if (!declarator || init?.type !== "NewExpression")
        return `${clientName}.send(${argument.name}): the command ${argument.name} is not made by new …Command(…) in this file: build it inline in the send() call`;
      const uses = referencesIn(parsed, scopeOf(declarator), argument.name).filter(
        (u) => u.node !== declarator.node.id,
      );
      if (uses.length !== 1 || scopeOf(declarator) !== scopeOf(sendPath))
        return `${clientName}.send(${argument.name}): the command is built in another function or used more than once, so its send cannot be rewritten alone: build it inline in the send() call`;
      const statement = declarator.parent.node as JsNode;
      if (statement.declarations.length !== 1)
        return `${clientName}.send(${argument.name}): the command is declared together with other variables: give it its own const`;
      command = init;
      commandPath = declarator.get("init");
      const start = lineStartOf(code, statement.start);
      const newline = code.indexOf("\n", statement.end);
      alsoEdits.push({ start, end: newline === -1 ? statement.end : newline + 1, text: "" });
    } else {
      return `${clientName}.send(${clip(text(argument ?? call))}): the command is not built here: build it inline with new …Command(…)`;
    }
    const callee = command.callee as JsNode;
    const namespace =
      callee.type === "MemberExpression" && !callee.computed && callee.object.type === "Identifier"
        ? v3.get(callee.object.name) === "*"
        : false;
    const imported =
      callee.type === "Identifier" ? v3.get(callee.name) : namespace ? (callee.property.name as string) : undefined;
    if (imported) handled.add(namespace ? callee.object : callee);
    const operation = imported ? own(V3_COMMANDS, imported) : undefined;
    if (!operation) {
      const label = imported === "*" || !imported ? text(command.callee) : imported;
      return `${label} has no ${name} call, so this file cannot go native: move the call to a module that stays on the shim or on AWS, then run apply again`;
    }
    return {
      operation,
      request: command.arguments[0] ? commandPath.get("arguments", 0) : undefined,
      receiver,
      call: sendPath,
      alsoEdits,
    };
  }

  /** `client.op(params).promise()` or `client.op(params, callback)`. */
  function v2Site(use: JsNode, clientName: string, receiver = clientName): OperationSite | string {
    const member = use.parent.node as JsNode;
    const call = use.parent.parent?.node as JsNode;
    if (member.type !== "MemberExpression" || member.object !== use.node || member.computed)
      return `${clientName} is used as a value here (${clip(text(use.parent.node))}): the ${name} client has another shape than AWS.Batch, so this use cannot move: keep the client local to the calls`;
    const method = member.property.name;
    const operation = own(V2_METHODS, method);
    if (!operation)
      return `${clientName}.${method}() has no ${name} call, so this file cannot go native: move the call to a module that stays on the shim or on AWS, then run apply again`;
    if (call?.type !== "CallExpression" || call.callee !== member)
      return `${clientName}.${method} is read, not called: call it with .promise() or a callback`;
    const callPath = use.parent.parent;
    const request = call.arguments[0] ? callPath.get("arguments", 0) : undefined;
    if (call.arguments.length === 2)
      return { operation, request, receiver, call: callPath, callback: callPath.get("arguments", 1) };
    const promise = callPath.parent?.node as JsNode;
    const promiseCall = callPath.parent?.parent?.node as JsNode;
    if (
      call.arguments.length <= 1 &&
      promise?.type === "MemberExpression" &&
      promise.property.name === "promise" &&
      promiseCall?.type === "CallExpression" &&
      promiseCall.callee === promise &&
      promiseCall.arguments.length === 0
    )
      return { operation, request, receiver, call: callPath.parent.parent };
    return `${clientName}.${method}(…) is used as an AWS.Request (${clip(text(promise ?? call))}): the ${name} client answers with promises: call .promise() on it, or pass a callback`;
  }

  // Any other Batch name in the file (a command built for a client passed in, an error class…) keeps the file whole.
  for (const [local, imported] of v3) {
    plan.usesBatch = true;
    root.find(api.Identifier, { name: local }).forEach((p) => {
      const parent = p.parent?.node as JsNode;
      if (handled.has(p.node) || !isReference(p)) return;
      if (parent.type === "VariableDeclarator" && parent.id === p.node) return;
      if (parent.type === "ObjectProperty" && p.parent.parent?.node.type === "ObjectPattern") return;
      if (imported === "BatchClient" && parent.type === "NewExpression") return;
      const label = imported === "*" ? `${local} (all of @aws-sdk/client-batch)` : imported;
      manual(
        p,
        imported === "BatchClient"
          ? `BatchClient is used here beyond new BatchClient(): ${name} has no such class: rewrite this use by hand`
          : own(V3_COMMANDS, imported)
            ? `${imported} is built apart from the client.send() that sends it (in another function, or for a client this file does not make): build it inline in that send(), in the module that makes the client`
            : `${label} has no ${name} counterpart here (not a job operation, or a client made elsewhere): this file stays on the shim`,
      );
    });
  }
  for (const local of v2) {
    root.find(api.Identifier, { name: local }).forEach((p) => {
      plan.usesBatch = true;
      const parent = p.parent?.node as JsNode;
      if (handled.has(p.node) || !isReference(p)) return;
      if (parent.type === "VariableDeclarator" && parent.id === p.node) return;
      if (parent.type === "ObjectProperty" && p.parent.parent?.node.type === "ObjectPattern") return;
      manual(p, `${local} (the aws-sdk v2 Batch class) is used beyond new ${local}(): rewrite this use by hand`);
    });
  }
  // A job operation through a client this file does not bind (`this.batch`, a parameter, an import) cannot be
  // followed to the client that serves it.
  if (plan.usesBatch && (v2.size > 0 || roots.size > 0)) {
    root.find(api.CallExpression).forEach((p) => {
      const callee = (p.node as JsNode).callee;
      if (callee.type !== "MemberExpression" || callee.computed || handled.has(callee)) return;
      const operation = own(V2_METHODS, callee.property.name);
      if (!operation) return;
      manual(
        p,
        `${clip(text(callee))}() (${operation}) goes through ${clip(text(callee.object))}, which apply cannot follow to the client it holds (a public field, an exported client or factory, a parameter, an import): hold the client in a const, a private field or a module-private factory in this file, or rewrite the call by hand`,
      );
    });
  }
  if (plan.manual.length === 0) {
    // In a CommonJS file the emptied require becomes the native one, so the file keeps its module kind.
    const commonJs = root.find(api.ImportDeclaration).length === 0;
    const q = style.quote;
    const nativeRequire = `const { ${native.client} } = require(${q}${native.source}${q})${style.semicolon ? ";" : ""}\n`;
    for (const edit of unusedDestructuredBatch(parsed, code, v2, handled)) {
      if (commonJs && edit.text === "" && !plan.nativeImported && edit.start === lineStartOf(code, edit.start)) {
        plan.edits.push({ ...edit, text: nativeRequire });
        plan.nativeImported = true;
      } else plan.edits.push(edit);
    }
  }
  plan.routing = [...new Set(plan.routing)].sort();
  return plan;
}

/**
 * `const { Batch } = require("aws-sdk")` once every `new Batch()` is rewritten: the import pass drops whole
 * `require` bindings only, so the destructured name (or the whole statement) goes here.
 */
function unusedDestructuredBatch(
  parsed: ParsedJs,
  code: string,
  constructors: ReadonlySet<string>,
  rewritten: ReadonlySet<JsNode>,
): TextEdit[] {
  const edits: TextEdit[] = [];
  parsed.root.find(parsed.api.VariableDeclarator).forEach((p) => {
    const node = p.node as JsNode;
    if (node.id.type !== "ObjectPattern" || !requireOf(node.init)) return;
    const statement = p.parent.node as JsNode;
    if (statement.declarations.length !== 1 || p.parent.parent?.node.type !== "Program") return;
    const properties = node.id.properties as JsNode[];
    const unused = properties.filter(
      (property) =>
        property.value?.type === "Identifier" &&
        constructors.has(property.value.name) &&
        referencesIn(parsed, p.parent.parent, property.value.name).every(
          (use) => use.node === property.value || use.node === property.key || rewritten.has(use.node),
        ),
    );
    if (unused.length === 0) return;
    if (unused.length === properties.length) {
      const start = lineStartOf(code, statement.start);
      const newline = code.indexOf("\n", statement.end);
      edits.push({ start, end: newline === -1 ? statement.end : newline + 1, text: "" });
      return;
    }
    for (const property of unused) {
      const index = properties.indexOf(property);
      const next = properties[index + 1];
      edits.push(
        next
          ? { start: property.start, end: next.start, text: "" }
          : { start: properties[index - 1].end, end: property.end, text: "" },
      );
    }
  });
  return edits;
}

function envOf(target: MigrationTarget): string {
  return target === "salad"
    ? "SALAD_API_KEY, SALAD_ORGANIZATION_NAME and SALAD_PROJECT_NAME"
    : "CC_API_KEY and CC_BASE_URL";
}

function clip(value: string): string {
  const flat = value.replace(/\s+/g, " ");
  return flat.length > 60 ? `${flat.slice(0, 57)}…` : flat;
}
