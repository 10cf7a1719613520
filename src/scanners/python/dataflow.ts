import type { ClassInfo, FunctionInfo, ModuleIndex } from "./module-index.js";
import { enclosingFunction } from "./module-index.js";
import { readString } from "./literals.js";
import type { SyntaxNode } from "./parser.js";
import { implicitParams, methodOwner, type Project } from "./project.js";

/** What an expression evaluates to, as far as Batch is concerned. */
export type Value = { kind: "client" } | { kind: "tuple"; index: number } | undefined;

const CLIENT: Value = { kind: "client" };

/** A call that creates a Batch client, and where its finding goes. */
export interface Creation {
  /** The token whose line the finding takes (`client`, or the helper's name). */
  token: SyntaxNode;
  /** Whether the call's value is the client (false for helpers that only use it, such as waiters). */
  returnsClient: boolean;
  /** The service name went through a project helper. */
  viaHelper: boolean;
  dynamic: boolean;
}

/** A function that hands one of its parameters to boto3 as the service name. */
interface Forwarder {
  param: string;
  returnsClient: boolean;
}

const BOTO_MODULES = new Set(["boto3", "boto3.session", "aioboto3", "aiobotocore.session", "botocore.session"]);

function unwrap(node: SyntaxNode): SyntaxNode {
  let current = node;
  while ((current.type === "parenthesized_expression" || current.type === "await") && current.namedChildren[0]) {
    current = current.namedChildren[0];
  }
  return current;
}

const argumentLists = new Map<number, SyntaxNode[]>();

/** A call's argument nodes (cached: the analysis asks for them many times). */
export function argumentsOf(call: SyntaxNode): SyntaxNode[] {
  const id = call.id;
  let args = argumentLists.get(id);
  if (!args) {
    args = call.childForFieldName("arguments")?.namedChildren ?? [];
    argumentLists.set(id, args);
  }
  return args;
}

export function forgetArguments(): void {
  argumentLists.clear();
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
  private readonly vars = new Set<string>();
  private readonly attrs = new Set<string>();
  private readonly attrNames = new Set<string>();
  private readonly params = new Set<string>();
  private readonly returns = new Map<string, number>();
  private readonly fixtures = new Map<string, string[]>();
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
    return undefined;
  }

  /** Whether a call is boto3's own client factory (`boto3.client`, `session.client`, `client` from boto3). */
  private isFactoryCall(call: SyntaxNode, module: ModuleIndex): boolean {
    const callee = call.childForFieldName("function");
    if (callee?.type === "attribute") return callee.childForFieldName("attribute")?.text === "client";
    if (callee?.type === "identifier") {
      const binding = module.imports.get(callee.text);
      return binding?.name === "client" && BOTO_MODULES.has(binding.module);
    }
    return false;
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
    if (this.isFactoryCall(call, module)) {
      const serviceNode = this.factoryService(call);
      if (!serviceNode) return undefined;
      const service = this.serviceName(serviceNode, module, scope);
      if (service === "batch")
        return { token: this.factoryToken(call), returnsClient: true, viaHelper: false, dynamic: false };
      if (this.dynamicCreations.has(call.id))
        return { token: this.factoryToken(call), returnsClient: true, viaHelper: false, dynamic: true };
      return undefined;
    }
    const target = this.project.resolveCallee(module, call);
    const forwarder = target && "params" in target ? this.forwarders.get(target.key) : undefined;
    if (!forwarder || !target || !("params" in target)) return undefined;
    const param = target.params.find((p) => p.name === forwarder.param)!;
    const arg = argumentFor(call, [param.name], param.index - implicitParams(target));
    const callee = call.childForFieldName("function")!;
    const token = callee.type === "attribute" ? callee.childForFieldName("attribute")! : callee;
    const service = arg ? this.serviceName(arg, module, scope) : undefined;
    if (service === "batch") return { token, returnsClient: forwarder.returnsClient, viaHelper: true, dynamic: false };
    if (this.dynamicCreations.has(call.id))
      return { token, returnsClient: forwarder.returnsClient, viaHelper: true, dynamic: true };
    return undefined;
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
          if (this.isFactoryCall(call, module)) serviceNode = this.factoryService(call);
          else {
            const target = this.project.resolveCallee(module, call);
            const inner = target && "params" in target ? this.forwarders.get(target.key) : undefined;
            if (!inner || !target || !("params" in target)) continue;
            const param = target.params.find((p) => p.name === inner.param)!;
            serviceNode = argumentFor(call, [param.name], param.index - implicitParams(target));
            returnsClient = inner.returnsClient;
          }
          if (serviceNode?.type !== "identifier") continue;
          const owner = ownerFunctionOfParam(scope, serviceNode.text);
          if (!owner || this.forwarders.has(owner.key)) continue;
          this.forwarders.set(owner.key, {
            param: serviceNode.text,
            returnsClient: returnsClient && this.returnsValueOf(owner, call),
          });
          found = true;
        }
      }
      if (!found) break;
    }
  }

  /** Whether a function returns the value of a call it makes (directly or through one local variable). */
  private returnsValueOf(fn: FunctionInfo, call: SyntaxNode): boolean {
    const module = fn.module;
    let holder: string | undefined;
    const assignment = call.parent?.type === "assignment" ? call.parent : undefined;
    if (assignment?.childForFieldName("left")?.type === "identifier")
      holder = assignment.childForFieldName("left")!.text;
    for (const ret of module.returns) {
      if (ret.type !== "return_statement" || enclosingFunction(module, ret) !== fn) continue;
      const value = ret.namedChildren[0];
      if (!value) continue;
      if (value.startIndex <= call.startIndex && call.endIndex <= value.endIndex) return true;
      if (holder && value.type === "identifier" && value.text === holder) return true;
    }
    return false;
  }

  // ── evaluation ─────────────────────────────────────────────────────────────

  evaluate(node: SyntaxNode, module: ModuleIndex, scope: FunctionInfo | undefined, depth = 0): Value {
    // Real client expressions are shallow; a depth bound keeps pathological input from exhausting the stack.
    if (depth > 32) return undefined;
    const expr = unwrap(node);
    switch (expr.type) {
      case "call": {
        const made = this.creation(expr, module);
        if (made) return made.returnsClient ? CLIENT : undefined;
        const target = this.project.resolveCallee(module, expr);
        if (target && "params" in target) {
          const index = this.returns.get(target.key);
          if (index === -1) return CLIENT;
          if (index !== undefined) return { kind: "tuple", index };
        }
        return undefined;
      }
      case "identifier":
        return this.lookup(expr.text, module, scope) ? CLIENT : undefined;
      case "attribute": {
        const object = expr.childForFieldName("object");
        const attr = expr.childForFieldName("attribute")?.text;
        if (!object || !attr) return undefined;
        if (object.type === "identifier" && (object.text === "self" || object.text === "cls")) {
          const owner = methodOwner(scope);
          if (owner && this.project.lineage(owner).some((cls) => this.attrs.has(`${cls.key}|${attr}`))) return CLIENT;
          return undefined;
        }
        // Reach-through: `self.batch_conn.client` where a project wrapper keeps its Batch client in `client`.
        if (this.attrNames.has(attr) && /batch/i.test(object.text)) return CLIENT;
        return undefined;
      }
      case "boolean_operator":
      case "conditional_expression":
        for (const child of expr.namedChildren)
          if (this.evaluate(child, module, scope, depth + 1)?.kind === "client") return CLIENT;
        return undefined;
      case "subscript": {
        const value = expr.childForFieldName("value");
        const index = expr.childForFieldName("subscript");
        const tuple = value ? this.evaluate(value, module, scope, depth + 1) : undefined;
        if (tuple?.kind === "tuple" && index?.type === "integer" && Number(index.text) === tuple.index) return CLIENT;
        return undefined;
      }
      default:
        return undefined;
    }
  }

  isClient(node: SyntaxNode, module: ModuleIndex, scope: FunctionInfo | undefined): boolean {
    return this.evaluate(node, module, scope)?.kind === "client";
  }

  private lookup(name: string, module: ModuleIndex, scope: FunctionInfo | undefined): boolean {
    for (let fn = scope; fn; fn = fn.parent) {
      if (fn.params.some((p) => p.name === name)) {
        return this.params.has(`${fn.key}|${name}`) || this.isFixture(name, module);
      }
      if (fn.locals.has(name)) return this.vars.has(`${fn.key}|${name}`);
    }
    if (module.moduleNames.has(name)) return this.vars.has(`${module.file.path}#|${name}`);
    const binding = module.imports.get(name);
    if (binding?.name) {
      const target = this.project.findModule(binding.module);
      return !!target && this.vars.has(`${target.file.path}#|${binding.name}`);
    }
    return false;
  }

  private isFixture(name: string, module: ModuleIndex): boolean {
    const dirs = this.fixtures.get(name);
    if (!dirs) return false;
    const path = module.file.path;
    return dirs.some((dir) => dir === path || dir === "" || path.startsWith(`${dir}/`));
  }

  // ── propagation ────────────────────────────────────────────────────────────

  private mark(set: Set<string>, key: string): void {
    if (set.has(key)) return;
    set.add(key);
    this.changed = true;
  }

  private bind(target: SyntaxNode, value: Value, module: ModuleIndex, scope: FunctionInfo | undefined): void {
    if (!value) return;
    if (target.type === "identifier" && value.kind === "client") {
      const key =
        scope && scope.locals.has(target.text) ? `${scope.key}|${target.text}` : `${module.file.path}#|${target.text}`;
      this.mark(this.vars, key);
    } else if (target.type === "attribute" && value.kind === "client") {
      const object = target.childForFieldName("object");
      const attr = target.childForFieldName("attribute")?.text;
      const owner = methodOwner(scope);
      if (object?.text === "self" && attr && owner) {
        this.mark(this.attrs, `${owner.key}|${attr}`);
        if (!this.attrNames.has(attr) && /batch/i.test(owner.name + attr)) this.attrNames.add(attr);
      }
    } else if ((target.type === "pattern_list" || target.type === "tuple_pattern") && value.kind === "tuple") {
      const element = target.namedChildren[value.index];
      if (element && target.namedChildren.length > value.index) this.bind(element, CLIENT, module, scope);
    }
  }

  private propagate(module: ModuleIndex): void {
    for (const assignment of module.assignments) {
      const left = assignment.childForFieldName("left");
      const right = assignment.childForFieldName("right");
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
        value = CLIENT;
      }
      this.bind(left, value, module, scope);
    }
    for (const ret of module.returns) {
      const fn = enclosingFunction(module, ret);
      const value = ret.namedChildren[0];
      if (!fn || !value) continue;
      if (value.type === "expression_list" || value.type === "tuple") {
        value.namedChildren.forEach((element, i) => {
          if (this.isClient(element, module, fn) && !this.returns.has(fn.key)) {
            this.returns.set(fn.key, i);
            this.changed = true;
          }
        });
      } else if (this.isClient(value, module, fn) && this.returns.get(fn.key) !== -1) {
        this.returns.set(fn.key, -1);
        this.changed = true;
        if (fn.isFixture) {
          const dir = module.file.path.includes("/")
            ? module.file.path.slice(0, module.file.path.lastIndexOf("/"))
            : "";
          const scopeDir = /(^|\/)conftest\.py$/.test(module.file.path) ? dir : module.file.path;
          const dirs = this.fixtures.get(fn.name) ?? [];
          if (!dirs.includes(scopeDir)) this.fixtures.set(fn.name, [...dirs, scopeDir]);
        }
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
    const clientArgs = args.filter((arg) =>
      this.isClient(arg.type === "keyword_argument" ? arg.childForFieldName("value")! : arg, module, scope),
    );
    if (clientArgs.length === 0) return;
    const target = this.project.resolveCallee(module, call);
    const fn = target && ("params" in target ? target : this.project.findMethod(target, "__init__"));
    if (!fn) return;
    const skip = "params" in target! ? implicitParams(fn) : 1;
    let position = 0;
    for (const arg of args) {
      if (arg.type === "keyword_argument") {
        const name = arg.childForFieldName("name")?.text;
        if (clientArgs.includes(arg) && name && fn.params.some((p) => p.name === name))
          this.mark(this.params, `${fn.key}|${name}`);
        continue;
      }
      if (arg.type === "list_splat" || arg.type === "dictionary_splat" || arg.type === "comment") continue;
      const param = fn.params[position + skip];
      if (param && clientArgs.includes(arg)) this.mark(this.params, `${fn.key}|${param.name}`);
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
