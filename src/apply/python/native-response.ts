// How a rewritten call's response is read: `resp["jobs"][0]["status"]` → `job["state"]`, `resp["jobId"]` →
// `resp["id"]`, `len(resp["jobs"])` → `len(jobs)`, through variables, loops and comprehensions. A read the target
// cannot answer is refused with the field it names.
import type { TextEdit } from "../edits.js";
import { AWS_TO_TARGET_STATUS, TARGET_NAME } from "../target-status.js";
import type { MigrationTarget } from "../transform.js";
import { callersOf } from "./native-callers.js";
import { enclosingScope, findAll, stringValue, type SyntaxNode } from "./syntax.js";

export interface ResponseContext {
  target: MigrationTarget;
  quote: string;
  /** How the call reads in messages: `describe_jobs(…)`. */
  call: string;
  /** Runtime helpers the rewrite needs (a status compared with a variable is mapped at run time). */
  helpers: Set<string>;
}

const STATES_HELPER: Record<MigrationTarget, string> = {
  "common-compute": "common_compute_states",
  salad: "salad_states",
};

/** What the value at hand is: a record whose fields map (`keys`), or a list of such records. */
export type Shape = { record: Record<string, string>; what: string } | { listOf: Record<string, string>; what: string };

export type ResultPlan = { edits: TextEdit[]; manual?: undefined } | { manual: string };

/** Code quoted in a marker: one line, at most `max` characters. */
export function snippet(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Not a keyword argument's name (`describe_jobs(jobs=…)`) nor an attribute's (`x.jobs`): a read of the variable. */
function isNameRead(node: SyntaxNode): boolean {
  const parent = node.parent;
  if (parent?.type === "keyword_argument" && parent.childForFieldName("name")?.id === node.id) return false;
  return !(parent?.type === "attribute" && parent.childForFieldName("attribute")?.id === node.id);
}

/** `x.get("key")` / `x.get("key", default)` on `value`: the call and its key, read like `x["key"]`. */
function getCall(value: SyntaxNode): { call: SyntaxNode; key: string | undefined; keyNode: SyntaxNode } | undefined {
  const attribute = value.parent;
  if (attribute?.type !== "attribute" || attribute.childForFieldName("object")?.id !== value.id) return undefined;
  if (attribute.childForFieldName("attribute")?.text !== "get") return undefined;
  const call = attribute.parent;
  if (call?.type !== "call" || call.childForFieldName("function")?.id !== attribute.id) return undefined;
  const args = call.childForFieldName("arguments")?.namedChildren.filter((a) => a.type !== "comment") ?? [];
  if (args.length < 1 || args.length > 2 || args.some((a) => a.type === "keyword_argument" || a.type.endsWith("splat")))
    return undefined;
  return { call, key: stringValue(args[0]), keyNode: args[0]! };
}

function subscriptKey(node: SyntaxNode): string | number | undefined {
  const key = node.childForFieldName("subscript");
  if (!key) return undefined;
  if (key.type === "integer") return Number(key.text);
  return stringValue(key);
}

function quoteOf(node: SyntaxNode, fallback: string): string {
  const subscript = node.childForFieldName("subscript");
  return subscript?.type === "string" ? (subscript.text.match(/["']/)?.[0] ?? fallback) : fallback;
}

function isValueOf(parent: SyntaxNode | null, child: SyntaxNode, field: string): parent is SyntaxNode {
  return parent !== null && parent.childForFieldName(field)?.id === child.id;
}

/**
 * The reads of a variable that see this assignment: those after it and before the next assignment of the name
 * in the same scope (straight-line code reusing `resp`). Undefined when a loop around it assigns the name again.
 */
export function usesOf(variable: SyntaxNode, within?: SyntaxNode): SyntaxNode[] | undefined {
  const scope = within ?? enclosingScope(variable);
  const same = findAll(scope, (node) => node.type === "identifier" && node.text === variable.text && isNameRead(node));
  const assignments = same.filter((node) => {
    const parent = node.parent;
    return (
      (parent?.type === "assignment" ||
        parent?.type === "augmented_assignment" ||
        parent?.type === "for_statement" ||
        parent?.type === "for_in_clause" ||
        parent?.type === "pattern_list" ||
        parent?.type === "tuple_pattern") &&
      (parent.type === "pattern_list" ||
        parent.type === "tuple_pattern" ||
        parent.childForFieldName("left")?.id === node.id)
    );
  });
  if (!assignments.some((node) => node.id === variable.id)) return undefined;
  for (let loop = variable.parent; loop && loop.id !== scope.id; loop = loop.parent) {
    if (loop.type !== "for_statement" && loop.type !== "while_statement") continue;
    if (
      assignments.some(
        (node) => node.id !== variable.id && node.startIndex >= loop!.startIndex && node.endIndex <= loop!.endIndex,
      )
    )
      return undefined;
  }
  const next = assignments.find((node) => node.startIndex > variable.endIndex);
  if (next && next.parent?.type === "augmented_assignment") return undefined;
  // A later assignment whose right side reads the name still sees this value.
  const end = next ? (next.parent?.type === "assignment" ? next.parent.endIndex : next.startIndex) : Infinity;
  return same.filter(
    (node) =>
      node.id !== variable.id &&
      !assignments.includes(node) &&
      node.startIndex > variable.endIndex &&
      node.startIndex < end,
  );
}

/**
 * Rewrites the reads of `call`'s response: the call becomes `replacement`, the subscripts in `prefix` are what
 * the AWS code reads to reach `shape` (they disappear), and each field read of a record is mapped.
 */
export function rewriteResult(
  context: ResponseContext,
  call: SyntaxNode,
  replacement: string,
  prefix: (string | number)[],
  shape: Shape,
): ResultPlan {
  const edits: TextEdit[] = [];
  const target = TARGET_NAME[context.target];
  const fieldRefused = (field: string, keys: Record<string, string>) =>
    `${context.call}: the code reads \`${field}\` of the ${shape.what}, which ${target} does not return (it answers ${Object.keys(
      keys,
    )
      .map((k) => `\`${k}\``)
      .join(", ")}): drop or rewrite that read, or leave it on the Batch client`;

  const follow = (
    start: SyntaxNode,
    expr: SyntaxNode,
    base: string,
    changed: boolean,
    remaining: (string | number)[],
    value: "response" | "record" | "list",
  ): string | undefined => {
    const keys = "record" in shape ? shape.record : shape.listOf;
    let current = expr;
    let text = base;
    let edited = changed;
    let rest = remaining;
    let kind = value;
    for (;;) {
      const parent = current.parent;
      const subscripted = parent?.type === "subscript" && isValueOf(parent, current, "value");
      // A response held in a variable and read for its HTTP status: boto3 and the target clients both raise on an
      // error answer, so every response the code holds answered 200.
      if (rest.length === prefix.length && current.type === "identifier") {
        const status = successStatusRead(current);
        if (status) {
          edits.push({ start: current.startIndex, end: status.endIndex, text: "200" });
          return undefined;
        }
      }
      const got = subscripted ? undefined : getCall(current);
      if (got && kind !== "list") {
        // `resp.get("jobs", [])`, `job.get("status")`: the same read as a subscript, with a default.
        const key = got.key;
        if (rest.length > 0) {
          if (key !== rest[0])
            return key === undefined
              ? `${context.call}: a field of the response is read by a computed key`
              : `${context.call}: the code reads \`${key}\` of the response, which ${target} does not return (only \`${String(rest[0])}\` is kept): drop that read, or leave this call on the Batch client`;
          // A default stands for a response without the key; the target's answer always has the value (or raises).
          current = got.call;
          rest = rest.slice(1);
          edited = true;
          if (rest.length === 0) kind = "record" in shape ? "record" : "list";
          continue;
        }
        if (kind === "record") {
          if (key === undefined) return `${context.call}: a field of the ${shape.what} is read by a computed key`;
          const mapped = keys[key];
          if (!mapped) return fieldRefused(key, keys);
          const quote = got.keyNode.text.match(/["']/)?.[0] ?? context.quote;
          if (edited) edits.push({ start: start.startIndex, end: current.endIndex, text });
          edits.push({ start: got.keyNode.startIndex, end: got.keyNode.endIndex, text: `${quote}${mapped}${quote}` });
          return key === "status" ? rewriteStatusUse(context, got.call, edits) : undefined;
        }
      }
      if (rest.length > 0) {
        if (!subscripted) break;
        const key = subscriptKey(parent!);
        if (key !== rest[0] && typeof key === "string")
          return `${context.call}: the code reads \`${key}\` of the response${key === "ResponseMetadata" ? " (the AWS request's metadata)" : ""}, which ${target} does not return (only \`${String(rest[0])}\` is kept): drop that read, or leave this call on the Batch client`;
        if (key !== rest[0])
          return `${context.call}: the code reads \`[${parent!.childForFieldName("subscript")?.text ?? "?"}]\` of the response where Batch's \`${String(rest[0])}\` is expected; ${target} answers differently: rewrite that read by hand, or leave it on the Batch client`;
        current = parent!;
        rest = rest.slice(1);
        edited = true;
        if (rest.length === 0) kind = "record" in shape ? "record" : "list";
        continue;
      }
      if (kind === "list" && subscripted) {
        const index = parent!.childForFieldName("subscript");
        if (!index || index.type === "slice" || index.type === "string")
          return `${context.call}: the jobs are read as \`${snippet(parent!.text)}\`; only an index, len() or a loop over them can be kept`;
        text = `${text}[${index.text}]`;
        current = parent!;
        kind = "record";
        continue;
      }
      if (kind === "record" && subscripted) {
        const key = subscriptKey(parent!);
        if (typeof key !== "string") return `${context.call}: a field of the ${shape.what} is read by a computed key`;
        const mapped = keys[key];
        if (!mapped) return fieldRefused(key, keys);
        const quote = quoteOf(parent!, context.quote);
        edits.push({ start: start.startIndex, end: parent!.endIndex, text: `${text}[${quote}${mapped}${quote}]` });
        return key === "status" ? rewriteStatusUse(context, parent!, edits) : undefined;
      }
      break;
    }
    if (edited) edits.push({ start: start.startIndex, end: current.endIndex, text });
    const parent = current.parent;
    if (!parent) return undefined;
    if (parent.type === "expression_statement") return undefined;
    if (parent.type === "assignment" && isValueOf(parent, current, "right")) {
      const variable = parent.childForFieldName("left")!;
      if (variable.type !== "identifier")
        return `${context.call}: the ${shape.what} is unpacked into \`${variable.text}\`; its shape differs on ${target}: rewrite it by hand, or leave it on the Batch client`;
      const uses = usesOf(variable);
      if (!uses)
        return `${context.call}: \`${variable.text}\` is assigned more than once, so its reads cannot be followed: give this response its own name and run again`;
      for (const use of uses) {
        const why = follow(use, use, use.text, false, rest, kind);
        if (why) return why;
      }
      return undefined;
    }
    if (kind === "list" && rest.length === 0) {
      if (parent.type === "argument_list" && parent.parent?.childForFieldName("function")?.text === "len")
        return undefined;
      const loop = parent.type === "for_statement" || parent.type === "for_in_clause" ? parent : undefined;
      if (loop && isValueOf(loop, current, "right")) {
        const variable = loop.childForFieldName("left")!;
        if (variable.type !== "identifier")
          return `${context.call}: each job is unpacked into \`${variable.text}\`; rewrite the loop by hand, or leave it on the Batch client`;
        const within = loop.type === "for_statement" ? loop : loop.parent!;
        const uses = findAll(
          within,
          (n) => n.type === "identifier" && n.text === variable.text && n.id !== variable.id && isNameRead(n),
        );
        for (const use of uses) {
          const why = follow(use, use, use.text, false, [], "record");
          if (why) return why;
        }
        return undefined;
      }
    }
    const leaves =
      parent.type === "return_statement"
        ? "return"
        : parent.type === "yield"
          ? /^yield\s+from\b/.test(parent.text)
            ? "yield from"
            : "yield"
          : undefined;
    if (leaves && !followed.has(parent.id)) {
      followed.add(parent.id);
      // What a caller gets: the value itself (return), its items (yield from), or this value as an item (yield).
      const fits = leaves === "return" || (leaves === "yield from" ? kind === "list" : kind === "record");
      const callers = fits ? callersOf(parent, rootOf(call)) : { manual: `it is yielded as a ${kind}` };
      if ("manual" in callers)
        return `${context.call}: the ${kind === "response" ? "response" : kind === "list" ? "list of jobs" : shape.what} leaves through \`${snippet(parent.text, 40)}\`, and ${callers.manual}; its shape differs on ${target} (it answers ${Object.keys(
          keys,
        )
          .map((k) => `\`${k}\``)
          .join(", ")}): read the fields the callers need where it is returned, or leave it on the Batch client`;
      for (const caller of callers.calls) {
        const why = follow(
          caller,
          caller,
          caller.text,
          false,
          leaves === "return" ? rest : [],
          leaves === "return" ? kind : "list",
        );
        if (why) return `${why} (through ${callers.name}, which returns it)`;
      }
      return undefined;
    }
    return `${context.call}: the ${kind === "list" ? "list of jobs" : shape.what} is used as a whole (\`${snippet(parent.text)}\`); its shape differs on ${target}: read the fields it needs (${Object.keys(
      keys,
    )
      .map((k) => `\`${k}\``)
      .join(", ")}) or leave it on the Batch client`;
  };
  const followed = new Set<number>();
  const initial = prefix.length > 0 ? "response" : "record" in shape ? "record" : "list";
  const why = follow(call, call, replacement, true, prefix, initial);
  return why ? { manual: why } : { edits };
}

/** `x` read as `x["ResponseMetadata"]["HTTPStatusCode"]` (or through `.get`): the node of the whole read. */
export function successStatusRead(value: SyntaxNode): SyntaxNode | undefined {
  const step = (node: SyntaxNode, key: string): SyntaxNode | undefined => {
    const parent = node.parent;
    if (parent?.type === "subscript" && isValueOf(parent, node, "value"))
      return subscriptKey(parent) === key ? parent : undefined;
    const got = getCall(node);
    return got?.key === key ? got.call : undefined;
  };
  const metadata = step(value, "ResponseMetadata");
  return metadata ? step(metadata, "HTTPStatusCode") : undefined;
}

function rootOf(node: SyntaxNode): SyntaxNode {
  let top = node;
  while (top.parent) top = top.parent;
  return top;
}

const COMPARISONS = new Set(["==", "!=", "in", "not in"]);

/** A status read must only be compared with literal statuses; the literals become the target's states. */
function rewriteStatusUse(context: ResponseContext, read: SyntaxNode, edits: TextEdit[]): string | undefined {
  const parent = read.parent;
  if (parent?.type === "assignment" && parent.childForFieldName("right")?.id === read.id) {
    const variable = parent.childForFieldName("left")!;
    const uses = variable.type === "identifier" ? statusUses(variable) : undefined;
    if (!uses) return `${context.call}: the status is stored in \`${variable.text}\` in a way that cannot be followed`;
    for (const use of uses) {
      const why = rewriteComparison(context, use, edits);
      if (why) return why;
    }
    return undefined;
  }
  return rewriteComparison(context, read, edits);
}

/** Reads of a status variable; besides its one assignment it may be reset to None (`last = None` before a loop). */
function statusUses(variable: SyntaxNode): SyntaxNode[] | undefined {
  const scope = enclosingScope(variable);
  const same = findAll(scope, (node) => node.type === "identifier" && node.text === variable.text && isNameRead(node));
  const assigned = same.filter((node) => {
    const parent = node.parent;
    return parent?.type === "assignment" && parent.childForFieldName("left")?.id === node.id;
  });
  // Reset to None, or polled again by the same statement (`status = client.describe_jobs(…)…` in the loop).
  const right = variable.parent?.childForFieldName("right")?.text.replace(/\s+/g, "");
  if (
    assigned.some((node) => {
      const other = node.parent!.childForFieldName("right");
      return node.id !== variable.id && other?.type !== "none" && other?.text.replace(/\s+/g, "") !== right;
    })
  )
    return undefined;
  if (same.some((node) => node.parent?.type === "augmented_assignment" || node.parent?.type === "for_statement"))
    return undefined;
  const first = assigned[0] ?? variable;
  return same.filter((node) => !assigned.includes(node) && node.startIndex > first.endIndex);
}

function rewriteComparison(context: ResponseContext, read: SyntaxNode, edits: TextEdit[]): string | undefined {
  const comparison = read.parent;
  // Shown in a message, or tested for being set: the target's state serves as well as Batch's status there.
  if (
    comparison?.type === "interpolation" ||
    comparison?.type === "boolean_operator" ||
    comparison?.type === "not_operator"
  )
    return undefined;
  // Printed or logged: shown, not interpreted.
  if (
    comparison?.type === "argument_list" &&
    /^(print|str|repr|(logger|logging|log|LOG|self\.logger|self\.log)\.\w+)$/.test(
      comparison.parent?.childForFieldName("function")?.text ?? "",
    )
  )
    return undefined;
  if (
    (comparison?.type === "if_statement" || comparison?.type === "while_statement") &&
    comparison.childForFieldName("condition")?.id === read.id
  )
    return undefined;
  const table = AWS_TO_TARGET_STATUS[context.target];
  const target = TARGET_NAME[context.target];
  if (comparison?.type !== "comparison_operator" || comparison.namedChildren.length !== 2) {
    return `${context.call}: the status is used beyond a comparison with literal statuses (\`${snippet(comparison?.text ?? read.text)}\`); ${target} states differ from Batch's: compare it with ${target} states by hand`;
  }
  const operator = comparison.children
    .slice(1, -1)
    .map((child) => child.text)
    .join(" ");
  if (!COMPARISONS.has(operator))
    return `${context.call}: the status is compared with \`${operator}\`, which cannot be mapped to ${target} states`;
  const other = comparison.namedChildren.find((child) => child.id !== read.id)!;
  if ((operator === "in" || operator === "not in") && other.id === comparison.namedChildren[0]!.id)
    return `${context.call}: the status is searched for (\`… in status\`), not compared; rewrite it by hand`;
  const literals =
    other.type === "string" ? [other] : ["tuple", "list", "set"].includes(other.type) ? other.namedChildren : undefined;
  const statuses = literals?.map((literal) => stringValue(literal));
  const variable = other.type === "identifier" || other.type === "attribute" || other.type === "subscript";
  if (variable && (!literals || statuses?.some((status) => status === undefined))) {
    // A status held in a variable (a parameter, a list of wanted statuses) is mapped to states at run time.
    const helper = STATES_HELPER[context.target];
    context.helpers.add(helper);
    const operatorNodes = comparison.children.slice(1, -1);
    const negated = operator === "!=" || operator === "not in";
    edits.push({
      start: operatorNodes[0]!.startIndex,
      end: operatorNodes.at(-1)!.endIndex,
      text: negated ? "not in" : "in",
    });
    edits.push({ start: other.startIndex, end: other.endIndex, text: `${helper}(${other.text})` });
    return other.id === comparison.namedChildren[0]!.id
      ? `${context.call}: the status is compared with \`${other.text}\` on the left; rewrite it by hand`
      : undefined;
  }
  if (!literals || !statuses || statuses.some((status) => status === undefined || !table[status])) {
    return `${context.call}: the status is compared with \`${snippet(other.text)}\`, not with literal Batch statuses; compare it with ${target} states by hand`;
  }
  const mapped = [...new Set(statuses.flatMap((status) => table[status!]!))];
  const quote = other.text.match(/["']/)?.[0] ?? context.quote;
  const quoted = mapped.map((state) => `${quote}${state}${quote}`);
  if (other.type === "string" && mapped.length === 1) {
    edits.push({ start: other.startIndex, end: other.endIndex, text: quoted[0]! });
    return undefined;
  }
  if (other.type === "string") {
    const operatorNodes = comparison.children.slice(1, -1);
    const negated = operator === "!=";
    if (other.id === comparison.namedChildren[0]!.id)
      return `${context.call}: the status ${other.text} on the left of the comparison becomes several ${target} states; rewrite it by hand`;
    edits.push({
      start: operatorNodes[0]!.startIndex,
      end: operatorNodes.at(-1)!.endIndex,
      text: negated ? "not in" : "in",
    });
    edits.push({ start: other.startIndex, end: other.endIndex, text: `(${quoted.join(", ")})` });
    return undefined;
  }
  const [open, close] = other.type === "list" ? ["[", "]"] : other.type === "set" ? ["{", "}"] : ["(", ")"];
  const body = quoted.join(", ") + (other.type === "tuple" && quoted.length === 1 ? "," : "");
  edits.push({ start: other.startIndex, end: other.endIndex, text: `${open}${body}${close}` });
  return undefined;
}
