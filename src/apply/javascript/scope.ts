import type { JsNode, ParsedJs } from "./syntax.js";

const SCOPE = /^(Program|FunctionDeclaration|FunctionExpression|ArrowFunctionExpression|ObjectMethod|ClassMethod)$/;

/** The nearest enclosing function (or the program) of a path: where a `const`/`let`/parameter name is looked up. */
export function scopeOf(path: JsNode): JsNode {
  let current = path;
  while (current.parent && !SCOPE.test(current.node.type)) current = current.parent;
  return current;
}

/** Whether an identifier path is a reference to a variable (not a property name, a key or a type position). */
export function isReference(path: JsNode): boolean {
  const node = path.node as JsNode;
  const parent = path.parent?.node as JsNode | undefined;
  if (!parent) return false;
  if (parent.type.endsWith("MemberExpression") && parent.property === node && !parent.computed) return false;
  if ((parent.type === "ObjectProperty" || parent.type === "Property") && parent.key === node && !parent.shorthand)
    return false;
  if (/^(ClassMethod|ObjectMethod|ClassProperty|TSPropertySignature)$/.test(parent.type) && parent.key === node)
    return false;
  // `export { client }` hands the binding to other modules: a use like any other.
  if (parent.type === "ExportSpecifier") return parent.local === node;
  if (parent.type.startsWith("TS") || parent.type.startsWith("Import") || parent.type.startsWith("Export"))
    return false;
  return true;
}

/** Every reference to `name` inside a scope path, the declaring one included. */
export function referencesIn(parsed: ParsedJs, scope: JsNode, name: string): JsNode[] {
  const found: JsNode[] = [];
  parsed
    .api(scope)
    .find(parsed.api.Identifier, { name })
    .forEach((p) => {
      if (isReference(p)) found.push(p);
    });
  return found;
}

/** The `const x = …` / `let x = …` declarator of `name` visible from a path, searching outwards. */
export function declaratorOf(parsed: ParsedJs, from: JsNode, name: string): JsNode | undefined {
  for (let scope = scopeOf(from); ; scope = scopeOf(scope.parent)) {
    const found: JsNode[] = [];
    parsed
      .api(scope)
      .find(parsed.api.VariableDeclarator)
      .forEach((p) => {
        const node = p.node as JsNode;
        if (node.id.type === "Identifier" && node.id.name === name && scopeOf(p) === scope) found.push(p);
      });
    if (found.length === 1) return found[0];
    if (found.length > 1 || !scope.parent) return undefined;
  }
}

/** The statement (or class property) holding a path: what a marker goes above. */
export function statementOf(path: JsNode): JsNode {
  let current = path;
  while (current.parent && !/Statement$|Declaration$|^Class(Private)?Property$/.test(current.node.type))
    current = current.parent;
  return current.node;
}
