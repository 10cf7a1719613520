// https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_events.Rule.html — rules on Batch events in CDK
import type * as TS from "typescript";
import { ts } from "./typescript.js";
import type { Finding } from "../../core/types.js";
import { batchEventMessage, batchEventPattern } from "../event-pattern.js";
import { propertyKey, readLiteral, type LiteralResolver } from "./literals.js";
import type { JsFile } from "./project.js";
import { findingAt, spanOf } from "./site.js";
import { stringValue } from "./values.js";

/** The first node under `root` (itself included) that `test` accepts, depth first. */
function findNode(root: TS.Node, test: (node: TS.Node) => boolean): TS.Node | undefined {
  if (test(root)) return root;
  return ts.forEachChild(root, (child) => findNode(child, test));
}

/** A rule whose pattern names `aws.batch`, on the string naming it (or `at` when the pattern is held elsewhere). */
function eventRuleFinding(
  file: JsFile,
  at: TS.Node,
  patternNode: TS.Expression | undefined,
  resolve: LiteralResolver,
  resourceType: string,
  name: string | undefined,
): Finding | undefined {
  if (!patternNode) return undefined;
  const pattern = batchEventPattern(readLiteral(patternNode, resolve));
  if (!pattern) return undefined;
  const named = findNode(patternNode, (node) => ts.isStringLiteralLike(node) && node.text === "aws.batch");
  return findingAt(file, spanOf(file, named ?? at, named ?? at), {
    kind: "eventbridge-rule",
    resourceType,
    ...(name ? { name } : {}),
    args: pattern,
    message: batchEventMessage(pattern),
  });
}

/** `new events.Rule(this, id, { eventPattern })` or L1 `new events.CfnRule(this, id, { eventPattern })`. */
export function ruleConstructFinding(
  file: JsFile,
  created: TS.NewExpression,
  className: string,
  resolve: LiteralResolver,
  binding: string | undefined,
): Finding | undefined {
  const props = created.arguments?.[2];
  if (!props || !ts.isObjectLiteralExpression(props)) return undefined;
  const property = props.properties.find(
    (p): p is TS.PropertyAssignment | TS.ShorthandPropertyAssignment =>
      (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) && propertyKey(p.name) === "eventPattern",
  );
  const pattern = property && (ts.isPropertyAssignment(property) ? property.initializer : property.name);
  const id = stringValue(created.arguments?.[1]);
  return eventRuleFinding(file, created, pattern, resolve, `aws_events.${className}`, id ?? binding);
}

/** `rule.addEventPattern({…})`: only aws-events' `Rule` has a method of this name. */
export function addedEventPatternFinding(
  file: JsFile,
  call: TS.CallExpression | TS.NewExpression,
  resolve: LiteralResolver,
): Finding | undefined {
  if (!ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression)) return undefined;
  const receiver = call.expression.expression;
  const name = ts.isIdentifier(receiver)
    ? receiver.text
    : ts.isPropertyAccessExpression(receiver)
      ? receiver.name.text
      : undefined;
  return eventRuleFinding(file, call, call.arguments[0], resolve, "aws_events.Rule.addEventPattern", name);
}
