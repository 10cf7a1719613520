import type { ClassInfo, FunctionInfo, ModuleIndex } from "./module-index.js";
import { enclosingClass, enclosingFunction } from "./module-index.js";
import { readString } from "./literals.js";
import type { SyntaxNode } from "./parser.js";
import { implicitParams, methodOwner, type Project } from "./project.js";
import type { Origin, OriginStepKind } from "../../core/types.js";
import { originAt, withStep } from "./origin.js";
import {
  extendsBatchHook,
  HOOK_CLIENT_ATTRIBUTES,
  HOOK_CLIENT_METHODS,
  HOOK_REASON,
  isBatchHookConstruction,
} from "./framework-hooks.js";

/**
 * What an expression evaluates to, as far as Batch is concerned: a client, a tuple holding one, a container (dict or
 * list) holding one under `key` (any index when absent), or a factory that makes one when called
 * (`functools.partial(boto3.client, "batch")`, a `default_factory`), or a framework hook whose members are one
 * (Airflow's `BatchClientHook`). Each carries where the client was made.
 */
export type Value =
  | { kind: "client"; origin: Origin }
  | { kind: "tuple"; index: number; origin: Origin }
  | { kind: "container"; key?: string; origin: Origin }
  | { kind: "factory"; origin: Origin }
  | { kind: "hook"; origin: Origin }
  | undefined;

type Known = NonNullable<Value>;

function stepped(value: Value, module: ModuleIndex, node: SyntaxNode, step: OriginStepKind, name?: string): Value {
  if (!value) return value;
  return { ...value, origin: withStep(value.origin, module, node.startPosition.row, step, name) };
}

/** Type stub packages whose `BatchClient` is the Batch client's type. */
const BATCH_STUBS = /^(mypy_boto3_batch|types_boto3_batch|types_aiobotocore_batch|types_aioboto3_batch)\b/;
export const ANNOTATED_REASON =
  "the client is handed in by a caller the scan cannot see; only its type annotation says it is a Batch client";

/** Names of helpers that hand back a client: `get_client`, `return_client`, `boto_client`, `make_aws_client`. */
const OUTSIDE_HELPER = /^\w*client\w*$/i;

/** Container members that can hold a client: a call, a name, an attribute (not nested literals or constants). */
const MEMBER_TYPES = new Set(["call", "identifier", "attribute", "await", "parenthesized_expression"]);

/** What a helper may keep a client in before returning it: a local, an attribute, a cache slot. */
const HOLDER_TYPES = new Set(["identifier", "attribute", "subscript"]);

const PROPERTY_DECORATOR = /(^|\.)(cached_property|property|cache|lru_cache|memoized?_property|reify)\b/;
const FIELD_FACTORIES = new Set(["field", "ib", "attrib", "Field", "PrivateAttr"]);

/** A call that creates a Batch client, and where its finding goes. */
export interface Creation {
  /** The token whose line the finding takes (`client`, or the helper's name). */
  token: SyntaxNode;
  /** Whether the call's value is the client (false for helpers that only use it, such as waiters). */
  returnsClient: boolean;
  /** The call makes a factory of clients (`functools.partial(boto3.client, "batch")`). */
  factory?: boolean;
  /** Where the client is made and by what. */
  origin: Origin;
  /** The service name went through a project helper. */
  viaHelper: boolean;
  dynamic: boolean;
}

/** A function that hands one of its parameters to boto3 as the service name. */
interface Forwarder {
  param: string;
  returnsClient: boolean;
  /** It returns a function that makes the client (`return lambda: boto3.client(service)`), not the client. */
  factory?: boolean;
}

const BOTO_MODULES = new Set(["boto3", "boto3.session", "aioboto3", "aiobotocore.session", "botocore.session"]);

function unwrap(node: SyntaxNode): SyntaxNode {
  let current = node;
  while ((current.type === "parenthesized_expression" || current.type === "await") && current.namedChildren[0]) {
    current = current.namedChildren[0];
  }
  return current;
}

/** A call's argument nodes. */
export function argumentsOf(call: SyntaxNode): SyntaxNode[] {
  return call.childForFieldName("arguments")?.namedChildren ?? [];
}

/** The argument a call passes for a parameter, by keyword or position. */
export function argumentFor(call: SyntaxNode, keywords: string[], position: number): SyntaxNode | undefined {
  const args = argumentsOf(call);
  let positional = 0;
  for (const arg of args) {
    if (arg.type === "keyword_argument") {
      if (keywords.includes(arg.childForFieldName("name")?.text ?? ""))
        return arg.childForFieldName("value") ?? undefined;
    } else if (arg.type !== "comment" && arg.type !== "list_splat" && arg.type !== "dictionary_splat") {
      if (positional === position) return arg;
      positional++;
    }
  }
  return undefined;
}

/**
 * The facts about Batch clients in a project, computed to a fixed point: which variables, attributes,
 * parameters, pytest fixtures and function results hold a Batch client.
 */
export class Dataflow {
  private readonly vars = new Map<string, Known>();
  private readonly attrs = new Map<string, Known>();
  private readonly attrNames = new Set<string>();
  private readonly params = new Map<string, Known>();
  private readonly returns = new Map<string, Known>();
  private readonly fixtures = new Map<string, { dir: string; value: Known }[]>();
  private readonly forwarders = new Map<string, Forwarder>();
  /** Assignments whose service name is unknown but whose target's name says Batch. */
  readonly dynamicCreations = new Set<number>();
  private changed = false;

  constructor(private readonly project: Project) {}

  run(): void {
    this.findForwarders();
    this.forwardersSettled = true;
    for (let round = 0; round < 10; round++) {
      this.changed = false;
      for (const module of this.project.modules) this.propagate(module);
      if (!this.changed) break;
    }
  }

  // ── service names and client creations ─────────────────────────────────────

  /** The service name an expression holds: a string, `param:<name>` for a parameter, or undefined. */
  serviceName(node: SyntaxNode, module: ModuleIndex, scope: FunctionInfo | undefined): string | undefined {
    const literal = readString(node);
    if (literal !== undefined) return literal;
    if (node.type === "identifier") {
      for (let fn = scope; fn; fn = fn.parent) {
        const param = fn.params.find((p) => p.name === node.text);
        if (param)
          return param.defaultValue && !fn.locals.has(node.text)
            ? (this.serviceName(param.defaultValue, fn.module, fn.parent) ?? `param:${node.text}`)
            : `param:${node.text}`;
        if (fn.locals.has(node.text)) return this.localConstant(fn, node.text, module);
      }
      return this.constant(module, node.text);
    }
    if (node.type === "attribute") {
      const object = node.childForFieldName("object");
      const attr = node.childForFieldName("attribute")?.text;
      if (object?.text === "self" && attr) {
        const owner = methodOwner(scope);
        if (owner) return this.attributeConstant(owner, attr);
      }
      if (object?.type === "identifier" && attr) {
        const binding = module.imports.get(object.text);
        const target =
          binding && this.project.findModule(binding.name ? `${binding.module}.${binding.name}` : binding.module);
        if (target) return target.constants.get(attr);
      }
    }
    return undefined;
  }

  private constant(module: ModuleIndex, name: string): string | undefined {
    const own = module.constants.get(name);
    if (own !== undefined) return own;
    const binding = module.imports.get(name);
    if (binding?.name) return this.project.findModule(binding.module)?.constants.get(binding.name);
    return undefined;
  }

  private localConstant(fn: FunctionInfo, name: string, module: ModuleIndex): string | undefined {
    for (const assignment of module.assignments) {
      if (enclosingFunction(module, assignment) !== fn) continue;
      const left = assignment.childForFieldName("left");
      const right = assignment.childForFieldName("right");
      if (left?.type === "identifier" && left.text === name && right) {
        const value = this.serviceName(right, module, fn.parent);
        if (value !== undefined && !value.startsWith("param:")) return value;
      }
    }
    return undefined;
  }

  /**
   * The service name `self.<attr>` holds: set in a method (`self.service = "batch"`), or a class-body constant of the
   * class or a base (`service = "batch"` read by a base's `__init__`).
   */
  private attributeConstant(cls: ClassInfo, attr: string): string | undefined {
    for (const method of cls.methods.values()) {
      for (const assignment of cls.module.assignments) {
        if (enclosingFunction(cls.module, assignment) !== method) continue;
        const left = assignment.childForFieldName("left");
        const right = assignment.childForFieldName("right");
        if (left?.type === "attribute" && left.text === `self.${attr}` && right) {
          const value = this.serviceName(right, cls.module, method);
          if (value !== undefined && !value.startsWith("param:")) return value;
        }
      }
    }
    for (const owner of this.project.lineage(cls)) {
      for (const assignment of owner.module.assignments) {
        const left = assignment.childForFieldName("left");
        const right = assignment.childForFieldName("right");
        if (left?.type !== "identifier" || left.text !== attr || !right) continue;
        if (enclosingFunction(owner.module, assignment) || enclosingClass(owner.module, assignment) !== owner) continue;
        const value = readString(right);
        if (value !== undefined) return value;
      }
    }
    return undefined;
  }

  /** Whether a call is an SDK's own client factory (`boto3.client`, `session.client`, `session.create_client`). */
  private isFactoryCall(call: SyntaxNode, module: ModuleIndex): boolean {
    const callee = call.childForFieldName("function");
    return !!callee && this.isFactoryCallee(callee, module);
  }

  private isFactoryCallee(callee: SyntaxNode, module: ModuleIndex): boolean {
    if (callee.type === "attribute") {
      const name = callee.childForFieldName("attribute")?.text;
      return name === "client" || (name === "create_client" && this.mentionsSdk(module));
    }
    if (callee.type === "identifier") {
      const binding = module.imports.get(callee.text);
      return binding?.name === "client" && BOTO_MODULES.has(binding.module);
    }
    return false;
  }

  /** `create_client` is botocore's and aiobotocore's name, and too common elsewhere to take alone. */
  private mentionsSdk(module: ModuleIndex): boolean {
    for (const binding of module.imports.values()) if (/^(aio)?boto(core|3)\b/.test(binding.module)) return true;
    return false;
  }

  /** What the callee names, for `origin.via`. */
  private factoryVia(callee: SyntaxNode, module: ModuleIndex): string {
    const method = callee.type === "attribute" ? callee.childForFieldName("attribute")?.text : callee.text;
    const object = callee.type === "attribute" ? callee.childForFieldName("object") : undefined;
    const root = object?.type === "identifier" ? module.imports.get(object.text)?.module : undefined;
    const sdk = [...module.imports.values()].find((b) => /^(aio)?boto(core|3)\b/.test(b.module))?.module;
    const library = (root ?? sdk ?? "boto3").split(".")[0]!;
    if (method === "create_client") return `${library === "boto3" ? "botocore" : library}.create_client`;
    if (callee.type === "identifier") return `${library}.client`;
    return root ? `${library}.client` : `${library === "boto3" ? "" : `${library}.`}session.client`;
  }

  private factoryToken(call: SyntaxNode): SyntaxNode {
    const callee = call.childForFieldName("function")!;
    return callee.type === "attribute" ? callee.childForFieldName("attribute")! : callee;
  }

  private factoryService(call: SyntaxNode): SyntaxNode | undefined {
    return argumentFor(call, ["service_name", "service"], 0);
  }

  private readonly creations = new Map<number, Creation | undefined>();

  /** The creation a call makes, when its service name is "batch". */
  creation(call: SyntaxNode, module: ModuleIndex): Creation | undefined {
    const id = call.id;
    if (this.creations.has(id)) return this.creations.get(id);
    const made = this.findCreation(call, module);
    // Dynamic creations are learnt during propagation, so only settled answers are kept.
    if (made || this.forwardersSettled) this.creations.set(id, made);
    return made;
  }

  private forwardersSettled = false;

  private findCreation(call: SyntaxNode, module: ModuleIndex): Creation | undefined {
    const scope = enclosingFunction(module, call);
    const dynamicReason = "the service name is only known at run time; the name it is bound to says batch";
    if (this.isFactoryCall(call, module)) {
      const serviceNode = this.factoryService(call);
      if (!serviceNode) return undefined;
      const service = this.serviceName(serviceNode, module, scope);
      const token = this.factoryToken(call);
      const via = this.factoryVia(call.childForFieldName("function")!, module);
      if (service === "batch")
        return { token, returnsClient: true, viaHelper: false, dynamic: false, origin: originAt(module, token, via) };
      if (this.dynamicCreations.has(call.id))
        return {
          token,
          returnsClient: true,
          viaHelper: false,
          dynamic: true,
          origin: originAt(module, token, via, dynamicReason),
        };
      return undefined;
    }
    const partial = this.partialCreation(call, module, scope);
    if (partial) return partial;
    const target = this.project.resolveCallee(module, call);
    if (!target) return this.outsideHelperCreation(call, module, scope);
    const forwarder = target && "params" in target ? this.forwarders.get(target.key) : undefined;
    if (!forwarder || !target || !("params" in target)) return undefined;
    const param = target.params.find((p) => p.name === forwarder.param)!;
    const arg = argumentFor(call, [param.name], param.index - implicitParams(target));
    const callee = call.childForFieldName("function")!;
    const token = callee.type === "attribute" ? callee.childForFieldName("attribute")! : callee;
    const service = arg ? this.serviceName(arg, module, scope) : undefined;
    const via = `helper:${target.name}`;
    if (service === "batch")
      return {
        token,
        returnsClient: forwarder.returnsClient,
        ...(forwarder.factory ? { factory: true } : {}),
        viaHelper: true,
        dynamic: false,
        origin: originAt(module, token, via),
      };
    if (this.dynamicCreations.has(call.id))
      return {
        token,
        returnsClient: forwarder.returnsClient,
        ...(forwarder.factory ? { factory: true } : {}),
        viaHelper: true,
        dynamic: true,
        origin: originAt(module, token, via, dynamicReason),
      };
    return undefined;
  }

  /**
   * `Client(...).return_client(service_name="batch")` from an installed library: a helper named for clients that the
   * scan cannot see (or that the project defines more than once) handed boto's keyword `service_name="batch"`.
   * Its result is taken for a Batch client, reported as dynamic since the helper's body is unseen.
   */
  private outsideHelperCreation(
    call: SyntaxNode,
    module: ModuleIndex,
    scope: FunctionInfo | undefined,
  ): Creation | undefined {
    const callee = call.childForFieldName("function");
    const token = callee?.type === "attribute" ? callee.childForFieldName("attribute") : callee;
    if (!token || token.type !== "identifier" || !OUTSIDE_HELPER.test(token.text)) return undefined;
    if (token.text === "client" || token.text === "create_client" || module.imports.get(token.text)?.module === "boto3")
      return undefined;
    // Only boto's keyword says which library's "batch" is meant: Kubernetes helpers take `get_client("batch")` too.
    const service = argumentFor(call, ["service_name"], 99);
    if (!service || readString(service) !== "batch" || this.serviceName(service, module, scope) !== "batch")
      return undefined;
    return {
      token,
      returnsClient: true,
      viaHelper: true,
      dynamic: true,
      origin: originAt(
        module,
        token,
        `helper:${token.text}`,
        'a helper the scan cannot see (defined outside the tree, or more than once) is handed "batch"',
      ),
    };
  }

  /** `functools.partial(boto3.client, "batch")` / `partial(session.client, service_name="batch")`: a client factory. */
  private partialCreation(
    call: SyntaxNode,
    module: ModuleIndex,
    scope: FunctionInfo | undefined,
  ): Creation | undefined {
    const callee = call.childForFieldName("function");
    const name = callee?.type === "attribute" ? callee.childForFieldName("attribute")?.text : callee?.text;
    if (name !== "partial") return undefined;
    const args = argumentsOf(call).filter((a) => a.type !== "comment");
    const wrapped = args[0];
    if (!wrapped || wrapped.type === "keyword_argument" || !this.isFactoryCallee(wrapped, module)) return undefined;
    let service: SyntaxNode | undefined;
    for (const arg of args.slice(1)) {
      if (arg.type === "keyword_argument") {
        if (["service_name", "service"].includes(arg.childForFieldName("name")?.text ?? ""))
          service = arg.childForFieldName("value") ?? undefined;
      } else if (!service) service = arg;
    }
    if (!service || this.serviceName(service, module, scope) !== "batch") return undefined;
    const token = wrapped.type === "attribute" ? wrapped.childForFieldName("attribute")! : wrapped;
    return {
      token,
      returnsClient: true,
      factory: true,
      viaHelper: false,
      dynamic: false,
      origin: originAt(module, token, this.factoryVia(wrapped, module)),
    };
  }

  /** A call that creates some AWS client whose service is not known statically. */
  private isUnknownServiceCreation(call: SyntaxNode, module: ModuleIndex): boolean {
    const scope = enclosingFunction(module, call);
    if (this.isFactoryCall(call, module)) {
      const serviceNode = this.factoryService(call);
      return !!serviceNode && this.serviceName(serviceNode, module, scope) === undefined;
    }
    const target = this.project.resolveCallee(module, call);
    const forwarder = target && "params" in target ? this.forwarders.get(target.key) : undefined;
    if (!forwarder || !target || !("params" in target)) return false;
    const param = target.params.find((p) => p.name === forwarder.param)!;
    const arg = argumentFor(call, [param.name], param.index - implicitParams(target));
    return forwarder.returnsClient && !!arg && this.serviceName(arg, module, scope) === undefined;
  }

  private findForwarders(): void {
    for (let round = 0; round < 5; round++) {
      let found = false;
      for (const module of this.project.modules) {
        for (const call of module.calls) {
          const scope = enclosingFunction(module, call);
          if (!scope) continue;
          let serviceNode: SyntaxNode | undefined;
          let returnsClient = true;
          let innerFactory = false;
          if (this.isFactoryCall(call, module)) serviceNode = this.factoryService(call);
          else {
            const target = this.project.resolveCallee(module, call);
            const inner = target && "params" in target ? this.forwarders.get(target.key) : undefined;
            if (!inner || !target || !("params" in target)) continue;
            const param = target.params.find((p) => p.name === inner.param)!;
            serviceNode = argumentFor(call, [param.name], param.index - implicitParams(target));
            returnsClient = inner.returnsClient;
            innerFactory = inner.factory === true;
          }
          if (serviceNode?.type !== "identifier") continue;
          const owner = ownerFunctionOfParam(scope, serviceNode.text);
          if (!owner || this.forwarders.has(owner.key)) continue;
          const factory = innerFactory || this.returnsMakerOf(owner, call);
          this.forwarders.set(owner.key, {
            param: serviceNode.text,
            returnsClient: returnsClient && (factory || this.returnsValueOf(owner, call)),
            ...(factory ? { factory: true } : {}),
          });
          found = true;
        }
      }
      if (!found) break;
    }
  }

  /**
   * Whether a function returns a maker of the call's value rather than the value: `return lambda: boto3.client(s)`,
   * or a nested `def make(): return boto3.client(s)` returned by name (`return make`).
   */
  private returnsMakerOf(fn: FunctionInfo, call: SyntaxNode): boolean {
    const module = fn.module;
    let lambda: SyntaxNode | null = call.parent;
    while (lambda && lambda.type !== "lambda" && lambda.id !== fn.node.id) lambda = lambda.parent;
    const inner = enclosingFunction(module, call);
    for (const ret of module.returns) {
      if (ret.type !== "return_statement" || enclosingFunction(module, ret) !== fn) continue;
      const returned = ret.namedChildren[0];
      if (!returned) continue;
      if (lambda?.type === "lambda" && returned.id === lambda.id) return true;
      if (
        inner &&
        inner !== fn &&
        inner.parent === fn &&
        returned.type === "identifier" &&
        returned.text === inner.name
      )
        return inner.node && this.returnsValueOf(inner, call);
    }
    return false;
  }

  /**
   * Whether a function returns the value of a call it makes: directly, or through what the call is assigned to — a
   * local, an attribute or a cache slot, also along a chain (`client = cache[key] = session.client(service)`).
   */
  private returnsValueOf(fn: FunctionInfo, call: SyntaxNode): boolean {
    const module = fn.module;
    const holders = new Set<string>();
    let value: SyntaxNode = call;
    while (value.parent?.type === "assignment" && value.parent.childForFieldName("right")?.id === value.id) {
      const left = value.parent.childForFieldName("left");
      if (left && HOLDER_TYPES.has(left.type)) holders.add(left.text);
      value = value.parent;
    }
    for (const ret of module.returns) {
      if (ret.type !== "return_statement" || enclosingFunction(module, ret) !== fn) continue;
      const returned = ret.namedChildren[0];
      if (!returned) continue;
      if (returned.startIndex <= call.startIndex && call.endIndex <= returned.endIndex) return true;
      if (HOLDER_TYPES.has(returned.type) && holders.has(returned.text)) return true;
    }
    return false;
  }

  // ── evaluation ─────────────────────────────────────────────────────────────

  evaluate(node: SyntaxNode, module: ModuleIndex, scope: FunctionInfo | undefined, depth = 0): Value {
    // Real client expressions are shallow; a depth bound keeps pathological input from exhausting the stack.
    if (depth > 32) return undefined;
    const expr = unwrap(node);
    switch (expr.type) {
      case "call":
        return this.callValue(expr, module, scope, depth);
      case "identifier":
        return this.lookup(expr.text, module, scope);
      case "attribute":
        return this.attributeValue(expr, module, scope);
      case "boolean_operator":
      case "conditional_expression": {
        // `client or make()`, `client if client is not None else make()`: the later operands are fallbacks.
        const [first, ...rest] =
          expr.type === "conditional_expression"
            ? [expr.namedChildren[0]!, expr.namedChildren[2]!]
            : expr.namedChildren;
        const own = first ? this.evaluate(first, module, scope, depth + 1) : undefined;
        if (own) return own;
        for (const child of rest) {
          const value = child && this.evaluate(child, module, scope, depth + 1);
          if (value) return stepped(value, module, child!, "default");
        }
        return undefined;
      }
      case "subscript": {
        const holder = expr.childForFieldName("value");
        const index = expr.childForFieldName("subscript");
        const value = holder ? this.evaluate(holder, module, scope, depth + 1) : undefined;
        if (!value || !index) return undefined;
        if (value.kind === "tuple" && index.type === "integer" && Number(index.text) === value.index)
          return { kind: "client", origin: value.origin };
        if (value.kind === "container" && (value.key === undefined || readString(index) === value.key))
          return {
            kind: "client",
            origin: withStep(value.origin, module, expr.startPosition.row, "element", value.key),
          };
        return undefined;
      }
      case "dictionary": {
        // Only direct members: nested literals (request payloads, fixtures) never hold a client worth the walk.
        for (const pair of expr.namedChildren) {
          if (pair.type !== "pair") continue;
          const item = pair.childForFieldName("value");
          if (!item || !MEMBER_TYPES.has(item.type)) continue;
          const value = this.evaluate(item, module, scope, depth + 1);
          const key = value?.kind === "client" ? readString(pair.childForFieldName("key")!) : undefined;
          if (value?.kind === "client" && key !== undefined) return { kind: "container", key, origin: value.origin };
        }
        return undefined;
      }
      case "dictionary_comprehension":
        return this.comprehensionClients(expr, module);
      case "list":
      case "set":
        for (const item of expr.namedChildren) {
          if (!MEMBER_TYPES.has(item.type)) continue;
          const value = this.evaluate(item, module, scope, depth + 1);
          if (value?.kind === "client") return { kind: "container", origin: value.origin };
        }
        return undefined;
      case "lambda": {
        const body = expr.childForFieldName("body");
        const value = body ? this.evaluate(body, module, scope, depth + 1) : undefined;
        return value?.kind === "client" ? { kind: "factory", origin: value.origin } : undefined;
      }
      default:
        return undefined;
    }
  }

  /**
   * `{name: boto3.client(name) for name in ("batch", "s3")}`: a dict of clients keyed by the service names the loop
   * runs over; the Batch one is `CLIENTS["batch"]`.
   */
  private comprehensionClients(expr: SyntaxNode, module: ModuleIndex): Value {
    const pair = expr.childForFieldName("body");
    const loop = expr.namedChildren.find((n) => n.type === "for_in_clause");
    const variable = loop?.childForFieldName("left");
    const names = loop?.childForFieldName("right");
    const key = pair?.childForFieldName("key");
    const value = pair?.childForFieldName("value");
    if (variable?.type !== "identifier" || key?.text !== variable.text || value?.type !== "call" || !names)
      return undefined;
    if (!this.isFactoryCall(value, module) || this.factoryService(value)?.text !== variable.text) return undefined;
    if (!["tuple", "list", "set"].includes(names.type) || !names.namedChildren.some((n) => readString(n) === "batch"))
      return undefined;
    const token = this.factoryToken(value);
    return {
      kind: "container",
      key: "batch",
      origin: originAt(module, token, this.factoryVia(value.childForFieldName("function")!, module)),
    };
  }

  private callValue(call: SyntaxNode, module: ModuleIndex, scope: FunctionInfo | undefined, depth: number): Value {
    const made = this.creation(call, module);
    if (made) {
      if (!made.returnsClient) return undefined;
      return { kind: made.factory ? "factory" : "client", origin: made.origin };
    }
    const callee = call.childForFieldName("function");
    if (!callee) return undefined;
    if (isBatchHookConstruction(call, module)) return { kind: "hook", origin: this.hookOrigin(module, callee) };
    // `hook.get_conn()`, `await self.get_client_async()`: a hook's client.
    const method = callee.type === "attribute" ? callee.childForFieldName("attribute")?.text : undefined;
    if (method && HOOK_CLIENT_METHODS.has(method)) {
      const client = this.hookMember(callee.childForFieldName("object")!, module, scope, depth, call);
      if (client) return client;
    }
    // Calling a factory (`make_batch()` after `make_batch = partial(boto3.client, "batch")`).
    if (callee.type === "identifier" || callee.type === "attribute") {
      // Also through an attribute: `clients.new_batch()` (a module's global), `self.make_batch()` (a field).
      const held =
        callee.type === "identifier"
          ? this.lookup(callee.text, module, scope)
          : this.attributeValue(callee, module, scope);
      if (held?.kind === "factory") return { kind: "client", origin: held.origin };
      // `clients.get("batch")` on a dict of clients.
      if (callee.type === "attribute" && callee.childForFieldName("attribute")?.text === "get") {
        const holder = this.evaluate(callee.childForFieldName("object")!, module, scope, depth + 1);
        const key = argumentFor(call, [], 0);
        if (holder?.kind === "container" && (holder.key === undefined || (key && readString(key) === holder.key)))
          return {
            kind: "client",
            origin: withStep(holder.origin, module, call.startPosition.row, "element", holder.key),
          };
      }
    }
    // Dataclass and attrs fields: `field(default_factory=lambda: boto3.client("batch"))`.
    const name = callee.type === "attribute" ? callee.childForFieldName("attribute")?.text : callee.text;
    if (name && FIELD_FACTORIES.has(name)) {
      const factory = argumentFor(call, ["default_factory", "factory"], 99);
      if (factory) {
        const value = this.callableValue(factory, module, scope, depth + 1);
        if (value) return value;
      }
      const fallback = argumentFor(call, ["default"], 0);
      return fallback ? this.evaluate(fallback, module, scope, depth + 1) : undefined;
    }
    const target = this.project.resolveCallee(module, call);
    if (target && "params" in target) return this.returns.get(target.key);
    return undefined;
  }

  /** What calling a callable value gives: a lambda's body, a function's result, a partial. */
  private callableValue(node: SyntaxNode, module: ModuleIndex, scope: FunctionInfo | undefined, depth: number): Value {
    const value = this.evaluate(node, module, scope, depth);
    if (value?.kind === "factory") return { kind: "client", origin: value.origin };
    if (node.type === "identifier" || node.type === "attribute") {
      const fn = node.type === "identifier" ? this.project.resolveName(module, node.text, scope) : undefined;
      if (fn && "params" in fn) return this.returns.get(fn.key);
    }
    return undefined;
  }

  private attributeValue(expr: SyntaxNode, module: ModuleIndex, scope: FunctionInfo | undefined): Value {
    const object = expr.childForFieldName("object");
    const attr = expr.childForFieldName("attribute")?.text;
    if (!object || !attr) return undefined;
    if (object.type === "identifier" && (object.text === "self" || object.text === "cls")) {
      const owner = methodOwner(scope);
      const own = owner ? this.memberValue(owner, attr) : undefined;
      if (own || !HOOK_CLIENT_ATTRIBUTES.has(attr)) return own;
      return this.hookMember(object, module, scope, 0, expr);
    }
    if (HOOK_CLIENT_ATTRIBUTES.has(attr)) {
      const client = this.hookMember(object, module, scope, 0, expr);
      if (client) return client;
    }
    if (object.type === "identifier") {
      // `aws.batch` where `aws` is a project module; `Settings.batch` where `Settings` is a project class.
      const binding = scope?.params.some((p) => p.name === object.text) ? undefined : module.imports.get(object.text);
      if (binding) {
        const target = this.project.findModule(binding.name ? `${binding.module}.${binding.name}` : binding.module);
        if (target && target !== module) {
          const value = this.moduleValue(target, attr, 0);
          if (value) return stepped(value, module, expr, "imported", `${object.text}.${attr}`);
        }
      }
      const cls = module.classes.get(object.text);
      if (cls && !scope?.locals.has(object.text)) {
        const value = this.memberValue(cls, attr);
        if (value) return value;
      }
    }
    // Reach-through: `self.batch_conn.client` where a project wrapper keeps its Batch client in `client`.
    if (this.attrNames.has(attr) && /batch/i.test(object.text)) {
      for (const [key, value] of this.attrs) if (key.endsWith(`|${attr}`)) return value;
    }
    return undefined;
  }

  private hookOrigin(module: ModuleIndex, node: SyntaxNode, hook?: string): Origin {
    const name = hook ?? (node.type === "attribute" ? node.childForFieldName("attribute")!.text : node.text);
    return originAt(module, node, `airflow:${name}`, HOOK_REASON);
  }

  /**
   * The client a hook hands out through `member` (`.conn`, `.get_conn()`): `object` is a Batch hook, or `self` in a
   * class that extends one.
   */
  private hookMember(
    object: SyntaxNode,
    module: ModuleIndex,
    scope: FunctionInfo | undefined,
    depth: number,
    member: SyntaxNode,
  ): Value {
    if (object.type === "identifier" && (object.text === "self" || object.text === "cls")) {
      const owner = methodOwner(scope);
      if (!owner || !extendsBatchHook(this.project.lineage(owner))) return undefined;
      return { kind: "client", origin: this.hookOrigin(module, member, owner.name) };
    }
    const hook = this.evaluate(object, module, scope, depth + 1);
    if (hook?.kind !== "hook") return undefined;
    const name = member.type === "attribute" ? member.childForFieldName("attribute")?.text : undefined;
    return { kind: "client", origin: withStep(hook.origin, module, member.startPosition.row, "element", name) };
  }

  /** An attribute of a class's instances: assigned (`self.x = …`, a class-body field) or a property's result. */
  private memberValue(owner: ClassInfo, attr: string): Value {
    for (const cls of this.project.lineage(owner)) {
      const held = this.attrs.get(`${cls.key}|${attr}`);
      if (held) return held;
      const method = cls.methods.get(attr);
      if (method && method.node.parent?.type === "decorated_definition") {
        const decorators = method.node.parent.namedChildren.filter((n) => n.type === "decorator").map((n) => n.text);
        if (decorators.some((d) => PROPERTY_DECORATOR.test(d.slice(1)))) {
          const value = this.returns.get(method.key);
          if (value) return value;
        }
      }
    }
    return undefined;
  }

  isClient(node: SyntaxNode, module: ModuleIndex, scope: FunctionInfo | undefined): boolean {
    return this.evaluate(node, module, scope)?.kind === "client";
  }

  /** The client an expression holds, with where it was made. */
  clientOrigin(node: SyntaxNode, module: ModuleIndex, scope: FunctionInfo | undefined): Origin | undefined {
    const value = this.evaluate(node, module, scope);
    return value?.kind === "client" ? value.origin : undefined;
  }

  private lookup(name: string, module: ModuleIndex, scope: FunctionInfo | undefined): Value {
    for (let fn = scope; fn; fn = fn.parent) {
      const param = fn.params.find((p) => p.name === name);
      if (param) {
        // A parameter reassigned in the body (`client = client or make()`) holds what either gives.
        const local = fn.locals.has(name) ? this.vars.get(`${fn.key}|${name}`) : undefined;
        if (local) return local;
        const passed = this.params.get(`${fn.key}|${name}`) ?? this.fixture(name, module);
        if (passed) return passed;
        if (param.defaultValue) {
          const fallback = this.evaluate(param.defaultValue, fn.module, fn.parent, 1);
          if (fallback) return stepped(fallback, fn.module, param.defaultValue, "default", name);
        }
        return param.annotation ? this.annotationValue(param.annotation, fn.module, name) : undefined;
      }
      if (fn.locals.has(name)) return this.vars.get(`${fn.key}|${name}`);
    }
    if (module.moduleNames.has(name)) return this.vars.get(`${module.file.path}#|${name}`);
    const binding = module.imports.get(name);
    if (binding) {
      const value = binding.name ? this.importedValue(binding.module, binding.name, 0) : undefined;
      return value && { ...value, origin: withStep(value.origin, module, binding.row ?? 0, "imported", name) };
    }
    return undefined;
  }

  /**
   * A client only a type annotation vouches for (`batch: BatchClient` from mypy_boto3_batch): handed in by a caller
   * or framework the scan cannot see, so its maker is unknown.
   */
  annotationValue(annotation: SyntaxNode, module: ModuleIndex, name: string): Value {
    const match = /\b(?:([A-Za-z_][\w.]*)\.)?(BatchClient)\b/.exec(annotation.text);
    if (!match) return undefined;
    const root = (match[1] ?? match[2]!).split(".")[0]!;
    const binding = module.imports.get(root);
    if (!binding || !BATCH_STUBS.test(binding.module)) return undefined;
    const origin = originAt(module, annotation, `type ${binding.module.split(".")[0]}.BatchClient`, ANNOTATED_REASON);
    return { kind: "client", origin: withStep(origin, module, annotation.startPosition.row, "annotated", name) };
  }

  /** A name imported from a project module: its global, or what that module imports under it (re-exports). */
  private importedValue(moduleName: string, name: string, depth: number): Value {
    if (depth > 6) return undefined;
    const target = this.project.findModule(moduleName);
    if (!target) return undefined;
    return this.moduleValue(target, name, depth);
  }

  private moduleValue(target: ModuleIndex, name: string, depth: number): Value {
    const own = this.vars.get(`${target.file.path}#|${name}`);
    if (own) return own;
    const binding = target.imports.get(name);
    if (binding?.name) {
      const value = this.importedValue(binding.module, binding.name, depth + 1);
      return value && { ...value, origin: withStep(value.origin, target, binding.row ?? 0, "imported", name) };
    }
    return undefined;
  }

  private fixture(name: string, module: ModuleIndex): Value {
    const found = this.fixtures.get(name);
    if (!found) return undefined;
    const path = module.file.path;
    const hit = found.find(({ dir }) => dir === path || dir === "" || path.startsWith(`${dir}/`));
    return hit?.value;
  }

  // ── propagation ────────────────────────────────────────────────────────────

  private mark(map: Map<string, Known>, key: string, value: Known): void {
    const held = map.get(key);
    // A client beats the containers and factories a name may also hold; the first origin found is kept, except
    // that a maker found beats a type annotation.
    const annotatedOnly = held?.kind === "client" && held.origin.reason === ANNOTATED_REASON;
    const better = annotatedOnly && value.kind === "client" && value.origin.reason !== ANNOTATED_REASON;
    if (held && !better && (held.kind === value.kind || held.kind === "client")) return;
    map.set(key, value);
    this.changed = true;
  }

  private bind(target: SyntaxNode, value: Value, module: ModuleIndex, scope: FunctionInfo | undefined): void {
    if (!value) return;
    if (target.type === "identifier" && value.kind !== "tuple") {
      const cls = scope ? undefined : enclosingClass(module, target);
      if (cls) {
        // A class-body field: `client = boto3.client("batch")`, `batch: X = field(default_factory=…)`.
        this.mark(this.attrs, `${cls.key}|${target.text}`, stepped(value, module, target, "attribute", target.text)!);
        return;
      }
      const key =
        scope && scope.locals.has(target.text) ? `${scope.key}|${target.text}` : `${module.file.path}#|${target.text}`;
      this.mark(this.vars, key, stepped(value, module, target, "assigned", target.text)!);
    } else if (target.type === "attribute" && value.kind !== "tuple") {
      const object = target.childForFieldName("object");
      const attr = target.childForFieldName("attribute")?.text;
      const owner = methodOwner(scope);
      if ((object?.text === "self" || object?.text === "cls") && attr && owner) {
        this.mark(
          this.attrs,
          `${owner.key}|${attr}`,
          stepped(value, module, target, "attribute", `${object.text}.${attr}`)!,
        );
        if (!this.attrNames.has(attr) && /batch/i.test(owner.name + attr)) this.attrNames.add(attr);
      }
    } else if (target.type === "subscript" && value.kind === "client") {
      // `CLIENTS["batch"] = boto3.client("batch")`
      const holder = target.childForFieldName("value");
      const index = target.childForFieldName("subscript");
      const key = index ? readString(index) : undefined;
      if (holder && (holder.type === "identifier" || holder.type === "attribute"))
        this.bind(
          holder,
          { kind: "container", ...(key !== undefined ? { key } : {}), origin: value.origin },
          module,
          scope,
        );
    } else if ((target.type === "pattern_list" || target.type === "tuple_pattern") && value.kind === "tuple") {
      const element = target.namedChildren[value.index];
      if (element && target.namedChildren.length > value.index)
        this.bind(
          element,
          { kind: "client", origin: withStep(value.origin, module, target.startPosition.row, "element") },
          module,
          scope,
        );
    }
  }

  private propagate(module: ModuleIndex): void {
    for (const assignment of module.assignments) {
      const left = assignment.childForFieldName("left");
      const right = assignment.childForFieldName("right");
      const annotation = assignment.childForFieldName("type");
      if (left && annotation && (left.type === "identifier" || left.type === "attribute")) {
        const scope = enclosingFunction(module, assignment);
        this.bind(left, this.annotationValue(annotation, module, left.text), module, scope);
      }
      if (!left || !right) continue;
      const scope = enclosingFunction(module, assignment);
      if (
        (left.type === "pattern_list" || left.type === "tuple_pattern") &&
        (right.type === "expression_list" || right.type === "tuple")
      ) {
        left.namedChildren.forEach((element, i) => {
          const value = right.namedChildren[i];
          if (value) this.bind(element, this.evaluate(value, module, scope), module, scope);
        });
        continue;
      }
      let value = this.evaluate(right, module, scope);
      const call = unwrap(right);
      if (!value && call.type === "call" && /batch/i.test(left.text) && this.isUnknownServiceCreation(call, module)) {
        if (!this.dynamicCreations.has(call.id)) {
          this.dynamicCreations.add(call.id);
          this.creations.delete(call.id);
          this.changed = true;
        }
        value = this.evaluate(right, module, scope);
      }
      this.bind(left, value, module, scope);
    }
    for (const ret of module.returns) {
      const fn = enclosingFunction(module, ret);
      const value = ret.namedChildren[0];
      if (!fn || !value) continue;
      if (value.type === "expression_list" || value.type === "tuple") {
        value.namedChildren.forEach((element, i) => {
          const origin = this.clientOrigin(element, module, fn);
          if (origin && !this.returns.has(fn.key))
            this.mark(this.returns, fn.key, {
              kind: "tuple",
              index: i,
              origin: withStep(origin, module, ret.startPosition.row, "returned", fn.name),
            });
        });
        continue;
      }
      const result = this.evaluate(value, module, fn);
      if (!result || result.kind === "tuple") continue;
      const held = this.returns.get(fn.key);
      if (held && (held.kind === "client" || held.kind === result.kind)) continue;
      this.mark(this.returns, fn.key, stepped(result, module, ret, "returned", fn.name)!);
      if (fn.isFixture && result.kind === "client") {
        const dir = module.file.path.includes("/") ? module.file.path.slice(0, module.file.path.lastIndexOf("/")) : "";
        const scopeDir = /(^|\/)conftest\.py$/.test(module.file.path) ? dir : module.file.path;
        const found = this.fixtures.get(fn.name) ?? [];
        if (!found.some((f) => f.dir === scopeDir))
          this.fixtures.set(fn.name, [...found, { dir: scopeDir, value: this.returns.get(fn.key)! }]);
      }
    }
    for (const call of module.calls) this.propagateArguments(call, module);
    for (const node of module.withItems) {
      const pattern = node.namedChildren[0];
      if (pattern?.type !== "as_pattern") continue;
      const value = pattern.namedChildren[0];
      const alias = pattern.childForFieldName("alias")?.namedChildren[0];
      const scope = enclosingFunction(module, node);
      if (value && alias) this.bind(alias, this.evaluate(value, module, scope), module, scope);
    }
  }

  private propagateArguments(call: SyntaxNode, module: ModuleIndex): void {
    const args = argumentsOf(call);
    if (!args.length) return;
    const scope = enclosingFunction(module, call);
    const values = new Map<SyntaxNode, Known>();
    for (const arg of args) {
      const value = this.evaluate(
        arg.type === "keyword_argument" ? arg.childForFieldName("value")! : arg,
        module,
        scope,
      );
      if (value && value.kind !== "tuple") values.set(arg, value);
    }
    if (values.size === 0) return;
    const target = this.project.resolveCallee(module, call);
    const fn = target && ("params" in target ? target : this.project.findMethod(target, "__init__"));
    if (!fn) return;
    const skip = "params" in target! ? implicitParams(fn) : 1;
    let position = 0;
    for (const arg of args) {
      if (arg.type === "keyword_argument") {
        const name = arg.childForFieldName("name")?.text;
        const value = values.get(arg);
        if (value && name && fn.params.some((p) => p.name === name))
          this.mark(this.params, `${fn.key}|${name}`, stepped(value, fn.module, fn.node, "parameter", name)!);
        continue;
      }
      if (arg.type === "list_splat" || arg.type === "dictionary_splat" || arg.type === "comment") continue;
      const param = fn.params[position + skip];
      const value = values.get(arg);
      if (param && value)
        this.mark(this.params, `${fn.key}|${param.name}`, stepped(value, fn.module, fn.node, "parameter", param.name)!);
      position++;
    }
  }
}

function ownerFunctionOfParam(scope: FunctionInfo, name: string): FunctionInfo | undefined {
  for (let fn: FunctionInfo | undefined = scope; fn; fn = fn.parent) {
    if (fn.params.some((p) => p.name === name)) return fn;
    if (fn.locals.has(name)) return undefined;
  }
  return undefined;
}
