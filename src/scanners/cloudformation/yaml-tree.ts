import { isAlias, isMap, isPair, isScalar, isSeq, type LineCounter, type Node, type Pair } from "yaml";
import type { LiteralValue } from "../../core/types.js";

/** CloudFormation short-form tags and the long form they stand for. */
const SHORT_FORMS: Record<string, string> = {
  "!Ref": "Ref",
  "!Condition": "Condition",
  "!Sub": "Fn::Sub",
  "!GetAtt": "Fn::GetAtt",
  "!If": "Fn::If",
  "!Join": "Fn::Join",
  "!Select": "Fn::Select",
  "!Split": "Fn::Split",
  "!Equals": "Fn::Equals",
  "!FindInMap": "Fn::FindInMap",
  "!ImportValue": "Fn::ImportValue",
  "!Base64": "Fn::Base64",
  "!GetAZs": "Fn::GetAZs",
  "!Cidr": "Fn::Cidr",
  "!And": "Fn::And",
  "!Or": "Fn::Or",
  "!Not": "Fn::Not",
  "!Transform": "Fn::Transform",
  "!ToJsonString": "Fn::ToJsonString",
  "!Length": "Fn::Length",
};

/**
 * Reads a YAML node into a JSON value, turning CloudFormation short tags into their long form
 * (`!GetAtt A.Arn` → `{ "Fn::GetAtt": ["A", "Arn"] }`). Other tags are dropped and their value kept as is.
 */
export function toLiteral(node: unknown): LiteralValue {
  if (isAlias(node)) return null;
  const tag = (node as Node | undefined)?.tag;
  const plain = plainValue(node);
  const longForm = tag ? SHORT_FORMS[tag] : undefined;
  if (!longForm) return plain;
  if (longForm === "Fn::GetAtt" && typeof plain === "string")
    return { [longForm]: plain.split(/\.(.*)/s).filter(Boolean) };
  return { [longForm]: plain };
}

function plainValue(node: unknown): LiteralValue {
  if (isMap(node)) {
    const out: Record<string, LiteralValue> = {};
    for (const pair of node.items) {
      const key = pairKey(pair);
      if (key !== undefined) out[key] = toLiteral(pair.value);
    }
    return out;
  }
  if (isSeq(node)) return node.items.map(toLiteral);
  if (isScalar(node)) {
    const value = node.value;
    if (value === null || typeof value === "string" || typeof value === "number" || typeof value === "boolean")
      return value;
    if (typeof value === "bigint") return Number(value);
    return value instanceof Date ? value.toISOString() : String(value);
  }
  return null;
}

export function pairKey(pair: Pair<unknown, unknown>): string | undefined {
  const key = pair.key;
  if (isScalar(key)) return key.value === null || key.value === undefined ? undefined : String(key.value);
  return undefined;
}

/** The value node of `key` in a YAML map node. */
export function mapGet(node: unknown, key: string): unknown {
  if (!isMap(node)) return undefined;
  return node.items.find((pair) => isPair(pair) && pairKey(pair) === key)?.value;
}

export interface TextRange {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export function rangeOf(lines: LineCounter, start: unknown, end: unknown = start): TextRange {
  const startRange = (start as Node | undefined)?.range;
  const endRange = (end as Node | undefined)?.range;
  const from = lines.linePos(startRange?.[0] ?? 0);
  const to = lines.linePos(endRange?.[1] ?? startRange?.[1] ?? 0);
  return { line: from.line, column: from.col, endLine: to.line, endColumn: to.col };
}
