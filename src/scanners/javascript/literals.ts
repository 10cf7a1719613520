import type * as TS from "typescript";
import { ts } from "./typescript.js";
import type { LiteralValue } from "../../core/types.js";

/** Gives a literal for a node the reader cannot read by itself (a name bound to a constant, a CDK construct). */
export type LiteralResolver = (node: TS.Expression, depth: number) => LiteralValue | undefined;

const MAX_DEPTH = 6;

export function expression(node: TS.Node): LiteralValue {
  const text = node.getText().replace(/\s+/g, " ");
  return { $expr: text.length > 120 ? `${text.slice(0, 117)}...` : text };
}

export function propertyKey(name: TS.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name))
    return name.text;
  if (ts.isComputedPropertyName(name)) {
    const inner = name.expression;
    if (ts.isStringLiteral(inner) || ts.isNoSubstitutionTemplateLiteral(inner)) return inner.text;
  }
  return undefined;
}

/** Reads a JS/TS expression as JSON where it is literal; what is not becomes `{ $expr }`. */
export function readLiteral(node: TS.Expression, resolve?: LiteralResolver, depth = 0): LiteralValue {
  if (depth > MAX_DEPTH) return expression(node);
  const read = (inner: TS.Expression) => readLiteral(inner, resolve, depth + 1);
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isNumericLiteral(node)) return Number(node.text);
  switch (node.kind) {
    case ts.SyntaxKind.TrueKeyword:
      return true;
    case ts.SyntaxKind.FalseKeyword:
      return false;
    case ts.SyntaxKind.NullKeyword:
      return null;
  }
  if (
    ts.isParenthesizedExpression(node) ||
    ts.isAsExpression(node) ||
    ts.isSatisfiesExpression(node) ||
    ts.isNonNullExpression(node)
  ) {
    return readLiteral(node.expression, resolve, depth);
  }
  if (
    ts.isPrefixUnaryExpression(node) &&
    node.operator === ts.SyntaxKind.MinusToken &&
    ts.isNumericLiteral(node.operand)
  ) {
    return -Number(node.operand.text);
  }
  if (ts.isArrayLiteralExpression(node)) {
    return node.elements.map((element) =>
      ts.isSpreadElement(element) || ts.isOmittedExpression(element) ? expression(element) : read(element),
    );
  }
  if (ts.isObjectLiteralExpression(node)) return readObject(node, resolve, depth);
  return resolve?.(node, depth + 1) ?? expression(node);
}

export function readObject(
  node: TS.ObjectLiteralExpression,
  resolve?: LiteralResolver,
  depth = 0,
): Record<string, LiteralValue> {
  const result: Record<string, LiteralValue> = {};
  for (const member of node.properties) {
    if (ts.isSpreadAssignment(member)) {
      const spread = readLiteral(member.expression, resolve, depth + 1);
      if (spread && typeof spread === "object" && !Array.isArray(spread) && !("$expr" in spread))
        Object.assign(result, spread);
      else result["**"] = expression(member.expression);
      continue;
    }
    const key = member.name ? propertyKey(member.name) : undefined;
    if (key === undefined) continue;
    if (ts.isPropertyAssignment(member)) result[key] = readLiteral(member.initializer, resolve, depth + 1);
    else if (ts.isShorthandPropertyAssignment(member)) result[key] = readLiteral(member.name, resolve, depth + 1);
  }
  return result;
}
