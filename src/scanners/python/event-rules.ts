// https://docs.aws.amazon.com/cdk/api/v2/python/aws_cdk.aws_events/Rule.html — rules on Batch events in Python CDK
import type { FindingInput } from "../../core/rules.js";
import type { LiteralValue } from "../../core/types.js";
import { batchEventMessage, batchEventPattern } from "../event-pattern.js";
import { readLiteral, readString, type NameResolver } from "./literals.js";
import type { SyntaxNode } from "./parser.js";

/** How the reporter reads a call's keyword arguments and a module's names, for the pattern. */
export interface EventRuleReader {
  callArguments(call: SyntaxNode): Record<string, LiteralValue>;
  resolveName: NameResolver;
}

/** Where a rule on Batch events is reported (the string naming `aws.batch`, else the call), and what it says. */
export interface EventRuleSite {
  token: SyntaxNode;
  extra: Partial<FindingInput>;
}

function findDescendant(root: SyntaxNode, test: (node: SyntaxNode) => boolean): SyntaxNode | undefined {
  if (test(root)) return root;
  for (const child of root.namedChildren) {
    const found = findDescendant(child, test);
    if (found) return found;
  }
  return undefined;
}

/** An event pattern as CDK takes it: `events.EventPattern(source=[…], …)`, or a dict (CfnRule's JSON). */
function patternValue(node: SyntaxNode, reader: EventRuleReader): LiteralValue {
  const fn = node.type === "call" ? node.childForFieldName("function")?.text : undefined;
  if (fn && /(^|\.)EventPattern$/.test(fn)) return reader.callArguments(node);
  return readLiteral(node, reader.resolveName);
}

function ruleSite(
  call: SyntaxNode,
  pattern: LiteralValue,
  resourceType: string,
  name: string | undefined,
): EventRuleSite | undefined {
  const read = batchEventPattern(pattern);
  if (!read) return undefined;
  const named = findDescendant(call, (node) => node.type === "string" && readString(node) === "aws.batch");
  return {
    token: named ?? call,
    extra: { resourceType, ...(name ? { name } : {}), args: read, message: batchEventMessage(read) },
  };
}

/** `events.Rule(self, "Id", event_pattern=…)` and `events.CfnRule(self, "Id", event_pattern={…})`. */
export function ruleConstructSite(
  call: SyntaxNode,
  className: string,
  reader: EventRuleReader,
): EventRuleSite | undefined {
  const args = call.childForFieldName("arguments")?.namedChildren ?? [];
  const keyword = args.find(
    (arg) => arg.type === "keyword_argument" && arg.childForFieldName("name")?.text === "event_pattern",
  );
  const value = keyword?.childForFieldName("value");
  if (!value) return undefined;
  const id = args.filter((arg) => arg.type !== "keyword_argument" && arg.type !== "comment")[1];
  const name = id ? readString(id) : undefined;
  return ruleSite(call, patternValue(value, reader), `aws_events.${className}`, name);
}

/** `rule.add_event_pattern(source=["aws.batch"], …)`: a method only aws-events' `Rule` has. */
export function addedEventPatternSite(call: SyntaxNode, reader: EventRuleReader): EventRuleSite | undefined {
  const callee = call.childForFieldName("function");
  if (callee?.type !== "attribute" || callee.childForFieldName("attribute")?.text !== "add_event_pattern")
    return undefined;
  const receiver = callee.childForFieldName("object")?.text.replace(/^self\./, "");
  const positional = (call.childForFieldName("arguments")?.namedChildren ?? []).find(
    (arg) => arg.type !== "keyword_argument" && arg.type !== "comment",
  );
  const pattern = positional ? patternValue(positional, reader) : reader.callArguments(call);
  return ruleSite(call, pattern, "aws_events.Rule.add_event_pattern", receiver);
}
