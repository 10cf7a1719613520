// Which variable holds the Batch client a call is made on, where that variable is bound, and which bindings share
// job ids (a client handed to a function of the same file): the native rewrite moves a binding's job calls to a
// target client together, so a job submitted on the target is never read back through AWS Batch.
import { enclosingStatement, findAll, type SyntaxNode } from "./syntax.js";

export interface ClientBinding {
  /** Unique per scope and name. */
  key: string;
  /** The receiver as written: `batch`, `self.batch`. */
  name: string;
  /** The function, class (for `self.x`) or module the name lives in. */
  scope: SyntaxNode;
  /** The statement that binds it (an assignment, `with … as`, `for`), or undefined for a parameter. */
  statement?: SyntaxNode;
  /** The function whose parameter it is. */
  parameterOf?: SyntaxNode;
  /** The right-hand side when the statement is `name = <call>` (the client constructor, when it is one). */
  assignedCall?: SyntaxNode;
}

const FUNCTION = "function_definition";

function ancestor(node: SyntaxNode, types: readonly string[]): SyntaxNode | undefined {
  let current = node.parent;
  while (current && !types.includes(current.type)) current = current.parent;
  return current ?? undefined;
}

function moduleOf(node: SyntaxNode): SyntaxNode {
  let top = node;
  while (top.parent) top = top.parent;
  return top;
}

/** The scope a name occurrence belongs to: its function, or the module. */
function scopeOf(node: SyntaxNode): SyntaxNode {
  return ancestor(node, [FUNCTION, "lambda"]) ?? moduleOf(node);
}

/** Where `name` is bound inside `scope` (not in nested functions): assignments, `with … as`, `for` targets. */
function bindingSites(scope: SyntaxNode, name: string): { node: SyntaxNode; statement: SyntaxNode }[] {
  const sites: { node: SyntaxNode; statement: SyntaxNode }[] = [];
  for (const node of findAll(scope, (n) => n.type === "identifier" && n.text === name)) {
    if (scopeOf(node).id !== (scope.type === "module" ? moduleOf(scope).id : scope.id)) continue;
    let target: SyntaxNode = node;
    while (
      target.parent &&
      [
        "pattern_list",
        "tuple_pattern",
        "list_pattern",
        "expression_list",
        "tuple",
        "list",
        "list_splat_pattern",
      ].includes(target.parent.type)
    )
      target = target.parent;
    const parent = target.parent;
    if (!parent) continue;
    if (
      (parent.type === "assignment" || parent.type === "for_statement") &&
      parent.childForFieldName("left")?.id === target.id
    )
      sites.push({ node, statement: parent.type === "assignment" ? enclosingStatement(parent) : parent });
    else if (parent.type === "as_pattern_target" || parent.type === "as_pattern") {
      const withStatement = ancestor(parent, ["with_statement"]);
      if (withStatement) sites.push({ node, statement: withStatement });
    }
  }
  return sites;
}

function parameterNamed(fn: SyntaxNode, name: string): SyntaxNode | undefined {
  for (const parameter of fn.childForFieldName("parameters")?.namedChildren ?? []) {
    const id =
      parameter.type === "identifier" ? parameter : parameter.namedChildren.find((c) => c.type === "identifier");
    if (id?.text === name) return id;
  }
  return undefined;
}

function assignedCallOf(statement: SyntaxNode, name: string): SyntaxNode | undefined {
  const assignment = statement.type === "expression_statement" ? statement.namedChildren[0] : undefined;
  if (assignment?.type !== "assignment" || assignment.childForFieldName("left")?.text !== name) return undefined;
  const right = assignment.childForFieldName("right");
  return right?.type === "call" ? right : undefined;
}

/** The binding of the client a call is made on (`receiver` is the call's object), or undefined. */
export function bindingOf(receiver: SyntaxNode): ClientBinding | undefined {
  if (receiver.type === "identifier") {
    const name = receiver.text;
    for (let scope: SyntaxNode | undefined = scopeOf(receiver); scope;) {
      const sites = bindingSites(scope, name);
      const before = sites.filter((site) => site.node.startIndex < receiver.startIndex);
      const chosen = before.at(-1) ?? sites[0];
      if (chosen) {
        const assignedCall = assignedCallOf(chosen.statement, name);
        return {
          key: `${scope.startIndex}:${name}`,
          name,
          scope,
          statement: chosen.statement,
          ...(assignedCall ? { assignedCall } : {}),
        };
      }
      if (scope.type === FUNCTION && parameterNamed(scope, name))
        return { key: `${scope.startIndex}:${name}`, name, scope, parameterOf: scope };
      scope = scope.type === "module" ? undefined : scopeOf(scope);
    }
    return undefined;
  }
  if (receiver.type === "attribute" && receiver.childForFieldName("object")?.text === "self") {
    const cls = ancestor(receiver, ["class_definition"]);
    if (!cls) return undefined;
    const assignments = findAll(
      cls,
      (n) => n.type === "assignment" && n.childForFieldName("left")?.text === receiver.text,
    );
    const first = assignments[0];
    if (!first) return undefined;
    const statement = enclosingStatement(first);
    const assignedCall = assignedCallOf(statement, receiver.text);
    return {
      key: `${cls.startIndex}:${receiver.text}`,
      name: receiver.text,
      scope: cls,
      statement,
      ...(assignedCall ? { assignedCall } : {}),
    };
  }
  return undefined;
}

/** Every read of a binding's name in its scope, other than where it is bound. */
export function usesOfBinding(binding: ClientBinding): SyntaxNode[] {
  const scope = binding.scope;
  const isAttribute = binding.name.includes(".");
  const all = findAll(
    scope,
    (n) =>
      (isAttribute ? n.type === "attribute" : n.type === "identifier") &&
      n.text === binding.name &&
      !(n.parent?.type === "attribute" && n.parent.childForFieldName("attribute")?.id === n.id) &&
      n.parent?.type !== "keyword_argument",
  );
  const home = scope.type === "module" ? moduleOf(scope).id : scope.id;
  return all.filter((n) => {
    if (!isAttribute) {
      // A nested function reading the name still reads this binding unless it binds its own.
      const own = scopeOf(n);
      if (own.id !== home && (bindingSites(own, binding.name).length > 0 || parameterNamed(own, binding.name)))
        return false;
    }
    const parent = n.parent;
    if (parent?.type === "assignment" && parent.childForFieldName("left")?.id === n.id) return false;
    if (parent && ["pattern_list", "tuple_pattern"].includes(parent.type)) return false;
    if (parent?.type === "as_pattern_target") return false;
    return parent?.type !== "parameters" && parent?.parent?.type !== "parameters";
  });
}

class UnionFind {
  private readonly parent = new Map<string, string>();
  find(key: string): string {
    let root = key;
    while (this.parent.has(root) && this.parent.get(root) !== root) root = this.parent.get(root)!;
    this.parent.set(key, root);
    return root;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(ra, rb);
  }
}

/** A function defined in this file that a call reaches: `helper(…)`, or `self.method(…)` in the same class. */
function calleeOf(call: SyntaxNode, root: SyntaxNode): SyntaxNode | undefined {
  const fn = call.childForFieldName("function");
  if (!fn) return undefined;
  let name: string | undefined;
  let within: SyntaxNode = root;
  if (fn.type === "identifier") name = fn.text;
  else if (fn.type === "attribute" && fn.childForFieldName("object")?.text === "self") {
    name = fn.childForFieldName("attribute")?.text;
    within = ancestor(call, ["class_definition"]) ?? root;
  }
  if (!name) return undefined;
  return findAll(within, (n) => n.type === FUNCTION && n.childForFieldName("name")?.text === name)[0];
}

/** Which parameter of `fn` an argument lands in (by position, skipping `self`, or by keyword). */
function parameterFor(fn: SyntaxNode, call: SyntaxNode, argument: SyntaxNode): string | undefined {
  const names = (fn.childForFieldName("parameters")?.namedChildren ?? [])
    .map((p) => (p.type === "identifier" ? p : p.namedChildren.find((c) => c.type === "identifier"))?.text)
    .filter((n): n is string => n !== undefined);
  const bound = call.childForFieldName("function")?.type === "attribute" && (names[0] === "self" || names[0] === "cls");
  const positional = bound ? names.slice(1) : names;
  if (argument.parent?.type === "keyword_argument") return argument.parent.childForFieldName("name")?.text;
  const args = (call.childForFieldName("arguments")?.namedChildren ?? []).filter((a) => a.type !== "keyword_argument");
  const index = args.findIndex((a) => a.id === argument.id);
  return index >= 0 ? positional[index] : undefined;
}

export interface HandOff {
  /** The call that hands the client on. */
  call: SyntaxNode;
  /** The function receiving it, when this file defines it. */
  callee?: SyntaxNode;
  parameter?: string;
}

/** Where a binding's client is handed to another function (`helper(batch, job_id)`). */
export function handOffs(binding: ClientBinding, root: SyntaxNode): HandOff[] {
  const found: HandOff[] = [];
  for (const use of usesOfBinding(binding)) {
    const argument = use.parent?.type === "keyword_argument" ? use.parent : use;
    if (argument.parent?.type !== "argument_list") continue;
    const call = argument.parent.parent;
    if (call?.type !== "call") continue;
    const callee = calleeOf(call, root);
    const parameter = callee ? parameterFor(callee, call, use) : undefined;
    found.push({ call, ...(callee ? { callee } : {}), ...(parameter ? { parameter } : {}) });
  }
  return found;
}

/**
 * Groups bindings that share job ids: a binding and the parameter it is handed to, when that function (or one it
 * hands the client on to) makes job calls on it. Handing the client to a function that only provisions does not
 * join the callers. Returns binding key → group key.
 */
export function groupBindings(
  bindings: readonly ClientBinding[],
  root: SyntaxNode,
  hasJobCalls: ReadonlySet<string>,
): (key: string) => string {
  const groups = new UnionFind();
  const edges: [string, string][] = [];
  const seen = new Set<string>();
  const queue = [...bindings];
  while (queue.length > 0) {
    const binding = queue.pop()!;
    if (seen.has(binding.key)) continue;
    seen.add(binding.key);
    for (const handOff of handOffs(binding, root)) {
      if (!handOff.callee || !handOff.parameter) continue;
      const key = `${handOff.callee.startIndex}:${handOff.parameter}`;
      edges.push([binding.key, key]);
      if (!seen.has(key))
        queue.push({ key, name: handOff.parameter, scope: handOff.callee, parameterOf: handOff.callee });
    }
  }
  const reaches = new Set(hasJobCalls);
  for (let changed = true; changed;) {
    changed = false;
    for (const [from, to] of edges)
      if (reaches.has(to) && !reaches.has(from)) {
        reaches.add(from);
        changed = true;
      }
  }
  for (const [from, to] of edges) if (reaches.has(to)) groups.union(from, to);
  return (key) => groups.find(key);
}
