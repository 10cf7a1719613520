import type { LiteralValue } from "../../core/types.js";
import type { SyntaxNode } from "./parser.js";

/** Resolves an identifier to a literal (module constants); undefined when it cannot. */
export type NameResolver = (name: string, at: SyntaxNode) => LiteralValue | undefined;

const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"', "0": "\0" };

/** The value of a plain string literal (no interpolation), or undefined. */
export function readString(node: SyntaxNode): string | undefined {
  if (node.type === "concatenated_string") {
    let joined = "";
    for (const part of node.namedChildren) {
      const value = readString(part);
      if (value === undefined) return undefined;
      joined += value;
    }
    return joined;
  }
  if (node.type !== "string") return undefined;
  const prefix = node.firstChild?.text ?? "";
  const raw = /r/i.test(prefix);
  let value = "";
  for (const child of node.namedChildren) {
    if (child.type === "interpolation") return undefined;
    if (child.type === "string_content")
      value += raw ? child.text : child.text.replace(/\\(.)/g, (m, c: string) => ESCAPES[c] ?? m);
    else if (child.type === "escape_sequence") value += ESCAPES[child.text.slice(1)] ?? child.text;
  }
  return value;
}

export function expression(node: SyntaxNode): LiteralValue {
  return { $expr: node.text.length > 120 ? `${node.text.slice(0, 117)}...` : node.text };
}

/** Deeper literals than this are kept as expressions: real arguments are shallow, and recursion must end. */
const MAX_LITERAL_DEPTH = 64;

/** Reads a Python expression as JSON where it is literal; non-literal parts become `{ $expr }`. */
export function readLiteral(node: SyntaxNode, resolveName?: NameResolver, depth = 0): LiteralValue {
  if (depth > MAX_LITERAL_DEPTH) return expression(node);
  const read = (child: SyntaxNode) => readLiteral(child, resolveName, depth + 1);
  switch (node.type) {
    case "string":
    case "concatenated_string":
      return readString(node) ?? expression(node);
    case "integer":
    case "float": {
      const value = Number(node.text.replace(/_/g, ""));
      return Number.isFinite(value) ? value : expression(node);
    }
    case "true":
      return true;
    case "false":
      return false;
    case "none":
      return null;
    case "unary_operator": {
      const operand = node.namedChildren[0];
      const value = operand ? read(operand) : undefined;
      return typeof value === "number" && node.text.startsWith("-") ? -value : expression(node);
    }
    case "parenthesized_expression":
      return node.namedChildren[0] ? read(node.namedChildren[0]) : expression(node);
    case "list":
    case "tuple":
    case "set":
      return node.namedChildren.filter((child) => child.type !== "comment").map(read);
    case "dictionary": {
      const result: Record<string, LiteralValue> = {};
      for (const pair of node.namedChildren) {
        if (pair.type === "dictionary_splat") {
          result["**"] = expression(pair);
          continue;
        }
        if (pair.type !== "pair") continue;
        const keyNode = pair.childForFieldName("key");
        const valueNode = pair.childForFieldName("value");
        const key = keyNode ? read(keyNode) : undefined;
        if (typeof key !== "string" || !valueNode) continue;
        result[key] = read(valueNode);
      }
      return result;
    }
    case "call": {
      // dict(a=1) is common for Batch arguments such as containerOverrides.
      const fn = node.childForFieldName("function");
      if (fn?.type === "identifier" && fn.text === "dict") {
        const result: Record<string, LiteralValue> = {};
        for (const arg of node.childForFieldName("arguments")?.namedChildren ?? []) {
          if (arg.type !== "keyword_argument") return expression(node);
          const name = arg.childForFieldName("name")?.text;
          const value = arg.childForFieldName("value");
          if (name && value) result[name] = read(value);
        }
        return result;
      }
      return expression(node);
    }
    case "identifier":
      return resolveName?.(node.text, node) ?? expression(node);
    default:
      return expression(node);
  }
}
