// A moved job call whose errors the code catches as botocore's (`except ClientError as e`, `pytest.raises(ClientError)`):
// the target client raises batch_migrate_runtime.ApiError, whose `response` is shaped like botocore's (Error.Code as
// AWS Batch would answer for the same HTTP status, Error.Message the target's own text, ResponseMetadata.HTTPStatusCode
// the target's real status). The handler is widened to catch ApiError too when everything it reads of the error is
// one of those; any other read keeps the call where it is, with that read named.
import type { TextEdit } from "../edits.js";
import { TARGET_NAME } from "../target-status.js";
import type { MigrationTarget } from "../transform.js";
import { snippet, usesOf } from "./native-response.js";
import { enclosingScope, findAll, stringValue, type SyntaxNode } from "./syntax.js";

export const API_ERROR = "ApiError";

/** What runtime/python/batch_migrate_runtime/errors.py `aws_error_code` can answer. */
const CODES_API_ERROR_CARRIES = new Set([
  "ClientException",
  "ServerException",
  "TooManyRequestsException",
  "UnrecognizedClientException",
  "AccessDeniedException",
]);

const BOTOCORE_ERROR = /ClientError|BotoCoreError|ParamValidationError|botocore|\.exceptions\./;
/** botocore's base class of every error a service answered: the one ApiError stands in for. */
const CLIENT_ERROR = /^(?:[\w.]+\.)?ClientError$/;

export type CaughtPlan = { edits: TextEdit[]; manual?: undefined } | { manual: string };

interface Catcher {
  /** The exception type expression (`ClientError`, `(ClientError, KeyError)`). */
  types: SyntaxNode;
  /** The name the error is bound to (`as e`), if any. */
  bound?: SyntaxNode;
  /** Where that name's reads live. */
  readsWithin?: SyntaxNode;
  /** For `pytest.raises(…) as exc`: the error is `exc.value`. */
  viaValue: boolean;
  shown: string;
}

function catchersAround(node: SyntaxNode): Catcher[] {
  const found: Catcher[] = [];
  let child = node;
  for (let current = node.parent; current; child = current, current = current.parent) {
    if (current.type === "try_statement" && current.childForFieldName("body")?.id === child.id) {
      for (const clause of current.namedChildren) {
        if (clause.type !== "except_clause") continue;
        const head = clause.namedChildren[0];
        if (!head || head.type === "block" || !BOTOCORE_ERROR.test(head.text)) continue;
        const pattern = head.type === "as_pattern" ? head : undefined;
        const types = pattern ? pattern.namedChildren[0]! : head;
        const bound = pattern?.namedChildren.find((c) => c.type === "as_pattern_target")?.namedChildren[0];
        found.push({
          types,
          ...(bound ? { bound, readsWithin: clause } : {}),
          viaValue: false,
          shown: `except ${head.text}`,
        });
      }
    }
    if (current.type === "with_statement" && current.childForFieldName("body")?.id === child.id) {
      for (const item of findAll(current, (n) => n.type === "with_item" && n.parent?.parent?.id === current.id)) {
        const pattern = item.namedChildren[0]?.type === "as_pattern" ? item.namedChildren[0] : undefined;
        const call = pattern ? pattern.namedChildren[0] : item.namedChildren[0];
        if (call?.type !== "call" || !/(^|\.)raises$/.test(call.childForFieldName("function")?.text ?? "")) continue;
        const types = call.childForFieldName("arguments")?.namedChildren[0];
        if (!types || !BOTOCORE_ERROR.test(types.text)) continue;
        const bound = pattern?.namedChildren.find((c) => c.type === "as_pattern_target")?.namedChildren[0];
        found.push({
          types,
          ...(bound ? { bound, readsWithin: enclosingScope(current) } : {}),
          viaValue: true,
          shown: snippet(item.text),
        });
      }
    }
    if (current.type === "function_definition" || current.type === "lambda") break;
  }
  return found;
}

/** The chain of reads hanging off `node`: `.response`, `["Error"]`, `.get("Code")`. */
function readChain(node: SyntaxNode): { keys: string[]; end: SyntaxNode; computed: boolean } {
  const keys: string[] = [];
  let end = node;
  for (;;) {
    const parent = end.parent;
    if (parent?.type === "attribute" && parent.childForFieldName("object")?.id === end.id) {
      const name = parent.childForFieldName("attribute")!.text;
      const call = parent.parent;
      if (name === "get" && call?.type === "call" && call.childForFieldName("function")?.id === parent.id) {
        const key = stringValue(call.childForFieldName("arguments")?.namedChildren[0]);
        if (key === undefined) return { keys, end, computed: true };
        keys.push(key);
        end = call;
        continue;
      }
      keys.push(`.${name}`);
      end = parent;
      continue;
    }
    if (parent?.type === "subscript" && parent.childForFieldName("value")?.id === end.id) {
      const key = stringValue(parent.childForFieldName("subscript"));
      if (key === undefined) return { keys, end, computed: true };
      keys.push(key);
      end = parent;
      continue;
    }
    return { keys, end, computed: false };
  }
}

const SHOWN = /^(print|str|repr|(logger|logging|log|LOG|self\.logger|self\.log|self\._logger)\.\w+)$/;

/** Whether a value is only shown, raised or tested for truth where it is read. */
function onlyShownOrRaised(value: SyntaxNode): boolean {
  const parent = value.parent;
  if (!parent) return false;
  if (parent.type === "raise_statement" || parent.type === "interpolation") return true;
  if (parent.type === "argument_list" && SHOWN.test(parent.parent?.childForFieldName("function")?.text ?? ""))
    return true;
  return false;
}

/** Literals a read is compared with (`code == "X"`, `code in ("X", "Y")`), or undefined when it is not compared. */
function comparedWith(value: SyntaxNode): string[] | "other" | undefined {
  const comparison = value.parent;
  if (comparison?.type !== "comparison_operator") return undefined;
  const other = comparison.namedChildren.find((c) => c.id !== value.id);
  if (!other) return "other";
  const literals =
    other.type === "string" ? [other] : ["tuple", "list", "set"].includes(other.type) ? other.namedChildren : [];
  const values = literals.map((literal) => stringValue(literal));
  return values.length > 0 && values.every((v) => v !== undefined) ? (values as string[]) : "other";
}

/** Why a read of the caught error cannot be answered by ApiError, or undefined when it can. */
function refusedRead(use: SyntaxNode, catcher: Catcher, name: string): string | undefined {
  const { keys, end, computed } = readChain(use);
  if (computed) return `reads a field of \`${name}\` by a computed key`;
  let rest = keys;
  if (catcher.viaValue) {
    if (rest[0] !== ".value")
      return rest[0] === ".match"
        ? `matches \`${snippet(end.parent?.text ?? end.text)}\` against the error's text, which is the target's, not botocore's "An error occurred (…)"`
        : `reads \`${snippet(end.text)}\`, which only pytest's botocore error answers`;
    rest = rest.slice(1);
  }
  const shown = catcher.viaValue ? `${name}.value` : name;
  if (rest.length === 0) {
    const parent = end.parent;
    if (onlyShownOrRaised(end)) return undefined;
    if (parent?.type === "argument_list" || parent?.type === "keyword_argument")
      return `hands \`${shown}\` to \`${snippet(parent.parent?.text ?? "")}\`, which may read what ApiError does not answer`;
    return `uses \`${shown}\` as \`${snippet(parent?.text ?? end.text)}\``;
  }
  return judgeResponseRead(rest, end, shown, 0);
}

/** The variable a read is stored in (`code = e.response["Error"]["Code"]`), if it is one apply can follow. */
function storedIn(read: SyntaxNode): SyntaxNode | undefined {
  const parent = read.parent;
  if (parent?.type !== "assignment" || parent.childForFieldName("right")?.id !== read.id) return undefined;
  const left = parent.childForFieldName("left");
  return left?.type === "identifier" ? left : undefined;
}

/** Judges `rest` (from `.response` on) read at `end`, following it through variables it is stored in. */
function judgeResponseRead(rest: string[], end: SyntaxNode, shown: string, depth: number): string | undefined {
  if (rest[0] !== ".response")
    return `reads \`${shown}${rest[0]}\`, which ApiError does not have (it has \`response\`)`;
  const [group, field] = [rest[1], rest[2]];
  const path = rest.slice(1).join(".");
  const variable = storedIn(end);
  const follow = (keys: string[]): string | undefined => {
    const uses = depth < 3 && variable ? usesOf(variable) : undefined;
    if (!uses) return `stores \`response.${path || "…"}\` in a way apply cannot follow`;
    for (const use of uses) {
      const chain = readChain(use);
      if (chain.computed) return `reads a field of \`${use.text}\` by a computed key`;
      const why = judgeResponseRead([...keys, ...chain.keys], chain.end, shown, depth + 1);
      if (why) return why;
    }
    return undefined;
  };
  if (rest.length < 3 && variable && (rest.length === 1 || group === "Error" || group === "ResponseMetadata"))
    return follow(rest);
  const answered =
    (group === "Error" && (field === "Code" || field === "Message")) ||
    (group === "ResponseMetadata" && field === "HTTPStatusCode");
  if (!answered || rest.length > 3)
    return `reads \`response.${path || "…"}\` of the error; ApiError's response answers Error.Code, Error.Message and ResponseMetadata.HTTPStatusCode`;
  if (field === "HTTPStatusCode") return undefined;
  if (variable) return follow(rest);
  const compared = comparedWith(end);
  if (compared === undefined) return undefined;
  if (field === "Message")
    return `compares Error.Message with ${compared === "other" ? "a value" : `"${compared[0]}"`}, AWS's wording; the target's message is its own`;
  if (compared === "other") return `compares Error.Code with a value apply cannot read`;
  const unknown = compared.find((code) => !CODES_API_ERROR_CARRIES.has(code));
  return unknown
    ? `compares Error.Code with "${unknown}", a code the target's errors never carry (they carry ${[...CODES_API_ERROR_CARRIES].join(", ")})`
    : undefined;
}

function widen(types: SyntaxNode): TextEdit {
  if (types.type === "tuple") {
    const last = types.namedChildren.at(-1)!;
    return { start: last.endIndex, end: last.endIndex, text: `, ${API_ERROR}` };
  }
  return { start: types.startIndex, end: types.endIndex, text: `(${types.text}, ${API_ERROR})` };
}

/**
 * The handlers around a job call that expect botocore's errors, widened to catch the target client's ApiError too;
 * undefined when nothing around it does.
 */
export function planCaughtErrors(
  node: SyntaxNode,
  method: string,
  target: MigrationTarget,
  code: string,
): CaughtPlan | undefined {
  const catchers = catchersAround(node);
  if (catchers.length === 0) return undefined;
  const name = TARGET_NAME[target];
  const refuse = (catcher: Catcher, why: string): CaughtPlan => ({
    manual: `${method}(…): its errors are caught as botocore's (\`${catcher.shown}\`) and the handler ${why}: the ${name} client raises batch_migrate_runtime.ApiError; rewrite that read, then run again`,
  });
  const edits: TextEdit[] = [];
  for (const catcher of catchers) {
    const types = catcher.types.type === "tuple" ? catcher.types.namedChildren : [catcher.types];
    if (types.some((t) => t.text === API_ERROR || t.text.endsWith(`.${API_ERROR}`))) continue;
    const other = types.find((t) => BOTOCORE_ERROR.test(t.text) && !CLIENT_ERROR.test(t.text));
    if (other)
      return {
        manual: `${method}(…): its errors are caught as \`${other.text}\` (\`${catcher.shown}\`), which has no ${name} counterpart (the ${name} client raises batch_migrate_runtime.ApiError for an error answer, TransportError when unreachable, ValueError for a bad argument): catch those there too, then run again`,
      };
    if (/\bApiError\b/.test(code)) return refuse(catcher, "sits in a file that already names `ApiError` otherwise");
    if (catcher.bound) {
      const bound = catcher.bound;
      if (bound.type !== "identifier") return refuse(catcher, `binds the error to \`${bound.text}\``);
      const uses = findAll(
        catcher.readsWithin!,
        (n) =>
          n.type === "identifier" &&
          n.text === bound.text &&
          n.id !== bound.id &&
          n.startIndex > bound.endIndex &&
          !(n.parent?.type === "attribute" && n.parent.childForFieldName("attribute")?.id === n.id) &&
          !(n.parent?.type === "keyword_argument" && n.parent.childForFieldName("name")?.id === n.id),
      );
      for (const use of uses) {
        const why = refusedRead(use, catcher, bound.text);
        if (why) return refuse(catcher, why);
      }
    }
    edits.push(widen(catcher.types));
  }
  return { edits };
}
