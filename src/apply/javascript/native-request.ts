// A Batch request as the code gives it: an object literal, a name whose object literal is visible and never changed,
// or something built elsewhere (read at run time).
import { referencesIn, declaratorOf, scopeOf } from "./scope.js";
import type { JsNode, ParsedJs } from "./syntax.js";

export type BatchRequest =
  | {
      kind: "known";
      /** The literal's fields, to check statically. */
      entries: Map<string, JsNode>;
      /** The expression that reads a field where the call is made (the literal's own text, or `params.field`). */
      read: (key: string) => string;
      /** The name the literal is bound to, when it is not inline. */
      through?: string;
      /** The request argument's path. */
      path: JsNode;
    }
  | {
      kind: "opaque";
      text: string;
      /** A name or a member chain: reading it twice reads the same request. */
      rereadable: boolean;
    };

function propertyName(property: JsNode): string | undefined {
  if (property.type !== "ObjectProperty" && property.type !== "Property") return undefined;
  if (property.computed) return undefined;
  return property.key.type === "Identifier"
    ? property.key.name
    : typeof property.key.value === "string"
      ? property.key.value
      : undefined;
}

/** A plain object literal's fields; undefined for a spread, a computed key or a method. */
export function objectEntries(node: JsNode): Map<string, JsNode> | undefined {
  if (node?.type === "TSAsExpression" || node?.type === "TSSatisfiesExpression") return objectEntries(node.expression);
  if (node?.type !== "ObjectExpression") return undefined;
  const entries = new Map<string, JsNode>();
  for (const property of node.properties) {
    const name = propertyName(property);
    if (!name) return undefined;
    entries.set(name, property.value);
  }
  return entries;
}

const CONSOLE_OR_JSON = /^(console\.\w+|JSON\.stringify)$/;

/** Every use of a bound request only reads it: no assignment to it or a field, no passing it where it could change. */
function readOnly(parsed: ParsedJs, code: string, declarator: JsNode, use: JsNode): boolean {
  const name = declarator.node.id.name;
  for (const reference of referencesIn(parsed, scopeOf(declarator), name)) {
    if (reference.node === declarator.node.id || reference.node === use.node) continue;
    const parent = reference.parent.node as JsNode;
    if (parent.type === "AssignmentExpression" || parent.type === "UpdateExpression") return false;
    if (parent.type.endsWith("MemberExpression") && parent.object === reference.node) {
      const outer = reference.parent.parent?.node as JsNode | undefined;
      const written =
        (outer?.type === "AssignmentExpression" && outer.left === parent) ||
        outer?.type === "UpdateExpression" ||
        (outer?.type === "UnaryExpression" && outer.operator === "delete");
      if (written) return false;
      continue;
    }
    if (parent.type === "CallExpression" && parent.arguments.includes(reference.node)) {
      if (CONSOLE_OR_JSON.test(code.slice(parent.callee.start, parent.callee.end))) continue;
      return false;
    }
    if (parent.type === "TemplateLiteral") continue;
    return false;
  }
  return true;
}

function rereadable(node: JsNode): boolean {
  if (node.type === "Identifier" || node.type === "ThisExpression") return true;
  return node.type === "MemberExpression" && !node.computed && rereadable(node.object);
}

/** Reads the request passed at `path` (the argument node's path). */
export function readRequest(parsed: ParsedJs, code: string, path: JsNode): BatchRequest {
  const node = path.node as JsNode;
  const text = (n: JsNode) => code.slice(n.start, n.end);
  const inline = objectEntries(node);
  if (inline) return { kind: "known", entries: inline, read: (key) => text(inline.get(key)), path };
  if (node.type === "Identifier") {
    const declarator = declaratorOf(parsed, path, node.name);
    const entries = declarator ? objectEntries(declarator.node.init) : undefined;
    if (declarator && entries && readOnly(parsed, code, declarator, path)) {
      return { kind: "known", entries, read: (key) => `${node.name}.${key}`, through: node.name, path };
    }
  }
  return { kind: "opaque", text: text(node), rereadable: rereadable(node) };
}

/** A string literal's value (also a template literal without expressions). */
export function literalString(node: JsNode | undefined): string | undefined {
  if (typeof node?.value === "string" && (node.type === "StringLiteral" || node.type === "Literal")) return node.value;
  if (node?.type === "TemplateLiteral" && node.expressions.length === 0) return node.quasis[0].value.cooked;
  return undefined;
}
