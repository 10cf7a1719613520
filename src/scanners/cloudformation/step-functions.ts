import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter } from "yaml";
import type { FileBudget } from "../../core/budget.js";
import type { LiteralValue } from "../../core/types.js";
import { isObject, resolveCloudFormationValue, type LiteralObject } from "../../inventory/index.js";
import { mapGet, pairKey, rangeOf, toLiteral, type TextRange } from "./yaml-tree.js";

const BATCH_TASK = /states:::batch:submitJob(\.sync)?/;

export interface BatchTask {
  span: TextRange;
  /** `batch:submitJob` or `batch:submitJob.sync`. */
  resource: string;
  args: Record<string, LiteralValue>;
  dynamic: boolean;
}

function resourceName(text: string): string {
  return `batch:submitJob${BATCH_TASK.exec(text)?.[1] ?? ""}`;
}

/** `"${AlignJob}"` inside a `!Sub` definition is a reference to the template's `AlignJob`. */
function substitution(value: LiteralValue): LiteralValue {
  if (typeof value !== "string") return value;
  const variable = /^\$\{([\w:-]+)(?:\.([\w.]+))?\}$/.exec(value);
  if (!variable) return value.includes("${") ? { $expr: `!Sub ${value}` } : value;
  return { $expr: variable[2] ? `!GetAtt ${variable[1]}.${variable[2]}` : `!Ref ${variable[1]}` };
}

/** JobDefinition / JobQueue / JobName of a task's Parameters; `Name.$` paths are read at run time. */
function taskArguments(
  parameters: LiteralValue | undefined,
  substituted = false,
): { args: Record<string, LiteralValue>; dynamic: boolean } {
  const args: Record<string, LiteralValue> = {};
  let dynamic = false;
  if (!isObject(parameters)) return { args, dynamic: true };
  for (const [name, argument] of [
    ["JobDefinition", "jobDefinition"],
    ["JobQueue", "jobQueue"],
    ["JobName", "jobName"],
    ["ArrayProperties", "arrayProperties"],
    ["DependsOn", "dependsOn"],
  ] as const) {
    const literal = parameters[name];
    const path = parameters[`${name}.$`];
    if (literal !== undefined)
      args[argument] = substituted ? substitution(literal) : resolveCloudFormationValue(literal);
    else if (typeof path === "string") {
      args[argument] = { $expr: path };
      dynamic = true;
    }
  }
  return { args, dynamic };
}

function textOf(value: LiteralValue): string | undefined {
  if (typeof value === "string") return value;
  if (isObject(value)) {
    const sub = value["Fn::Sub"];
    if (typeof sub === "string") return sub;
    if (Array.isArray(sub) && typeof sub[0] === "string") return sub[0];
  }
  return undefined;
}

function collectEmbeddedTasks(value: LiteralValue, out: LiteralObject[]): void {
  if (Array.isArray(value)) for (const item of value) collectEmbeddedTasks(item, out);
  else if (isObject(value)) {
    if (typeof value.Resource === "string" && BATCH_TASK.test(value.Resource)) out.push(value);
    for (const item of Object.values(value)) collectEmbeddedTasks(item, out);
  }
}

/** Tasks inside an ASL definition written as a JSON string (`DefinitionString: !Sub |`), located by text line. */
function embeddedTasks(
  sourceLines: readonly string[],
  node: unknown,
  definition: string,
  substituted: boolean,
  lines: LineCounter,
): BatchTask[] {
  const range = rangeOf(lines, node);
  const taskLines: number[] = [];
  for (let line = range.line; line <= range.endLine; line++) {
    if (BATCH_TASK.test(sourceLines[line - 1] ?? "")) taskLines.push(line);
  }
  const states: LiteralObject[] = [];
  try {
    collectEmbeddedTasks(JSON.parse(definition) as LiteralValue, states);
  } catch {
    // A definition that is not plain JSON is still reported, without its arguments.
  }
  return taskLines.map((line, index) => {
    const state = states[index];
    const { args, dynamic } = state ? taskArguments(state.Parameters, substituted) : { args: {}, dynamic: true };
    const column = (sourceLines[line - 1] ?? "").search(/arn:/) + 1;
    return {
      span: { line, column, endLine: line, endColumn: column + 1 },
      resource: resourceName(sourceLines[line - 1] ?? ""),
      args,
      dynamic,
    };
  });
}

/** A template's text as the task search reads it, worked out once per file however many documents it holds. */
export interface TaskSource {
  text: string;
  lines: LineCounter;
  mentionsTasks?: boolean;
  sourceLines?: string[];
  /** Checked every few hundred nodes, so that a huge document stops at its file's time budget. */
  budget?: FileBudget;
}

/** Step Functions tasks that submit Batch jobs, in ASL files, in CloudFormation state machines and in embedded ASL strings. */
export function stepFunctionTasks(source: TaskSource, document: Document.Parsed): BatchTask[] {
  const { text, lines } = source;
  // Once per file: testing and splitting it again for every document or embedded definition was quadratic.
  if (!(source.mentionsTasks ??= BATCH_TASK.test(text))) return [];
  const tasks: BatchTask[] = [];
  let visited = 0;
  const visit = (node: unknown): void => {
    if ((++visited & 255) === 0) source.budget?.check();
    if (isMap(node)) {
      const resourceNode = mapGet(node, "Resource");
      const resource = resourceNode === undefined ? undefined : textOf(toLiteral(resourceNode));
      if (resource !== undefined && BATCH_TASK.test(resource)) {
        const { args, dynamic } = taskArguments(toLiteral(mapGet(node, "Parameters")));
        const pair = node.items.find((item) => isPair(item) && pairKey(item) === "Resource");
        tasks.push({
          span: rangeOf(lines, pair?.key ?? resourceNode, resourceNode),
          resource: resourceName(resource),
          args,
          dynamic,
        });
      }
      for (const pair of node.items) {
        if (!isPair(pair) || pair.value === resourceNode) continue;
        visit(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) visit(item);
    } else if (isScalar(node)) {
      const literal = toLiteral(node);
      const definition = textOf(literal);
      const substituted = isObject(literal) && "Fn::Sub" in literal;
      if (definition !== undefined && BATCH_TASK.test(definition))
        tasks.push(...embeddedTasks((source.sourceLines ??= text.split("\n")), node, definition, substituted, lines));
    }
  };
  visit(document.contents);
  return tasks;
}
