import path from "node:path";
import { FileBudget, timeoutFinding } from "../../core/budget.js";
import { createFinding } from "../../core/rules.js";
import type { SourceFile } from "../../core/scanner.js";
import type { Finding } from "../../core/types.js";
import type { LiteralObject } from "../../inventory/index.js";
import { findBlocks, type BlockHeader } from "./blocks.js";
import { HclParseTimeout, parseHcl as parseHclText } from "./hcl-parser.js";

export type ParsedConfig = Record<string, Record<string, Record<string, LiteralObject[] | LiteralObject>>>;

export interface TerraformFile {
  file: SourceFile;
  dir: string;
  blocks: BlockHeader[];
  config?: ParsedConfig;
}

export function directoryOf(relPath: string): string {
  return path.posix.dirname(relPath);
}

const lineStartsOf = new WeakMap<SourceFile, number[]>();

/** 1-based line of an offset, by binary search over the file's line starts (counted once per file). */
export function lineOf(file: SourceFile, offset: number): number {
  let starts = lineStartsOf.get(file);
  if (!starts) {
    starts = [0];
    for (let i = file.text.indexOf("\n"); i !== -1; i = file.text.indexOf("\n", i + 1)) starts.push(i + 1);
    lineStartsOf.set(file, starts);
  }
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid]! <= offset) low = mid;
    else high = mid - 1;
  }
  return low + 1;
}

/** hcl2json's Go runtime overflows its stack on deep input, so input nested deeper than this never reaches it. */
const MAX_HCL_NESTING = 200;

/**
 * Deepest nesting outside strings and comments: brackets, and runs of `!`, which nest as deep in the parser
 * without a bracket. Cheap, and all the guard above needs; deep input of other shapes is stopped by the time
 * budget of the parser's thread.
 */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let operators = 0;
  let quote = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === '"' || c === "\n") quote = false;
    } else if (c === '"') quote = true;
    else if (c === "#" || (c === "/" && text[i + 1] === "/")) {
      const end = text.indexOf("\n", i);
      i = end === -1 ? text.length : end;
    } else if (c === "{" || c === "[" || c === "(") deepest = Math.max(deepest, ++depth);
    else if (c === "}" || c === "]" || c === ")") depth = Math.max(0, depth - 1);
    if (!quote && c === "!") deepest = Math.max(deepest, depth + ++operators);
    else if (c !== " " && c !== "\t") operators = 0;
  }
  return deepest;
}

async function parseBounded(file: SourceFile, budget: FileBudget): Promise<ParsedConfig> {
  const depth = nestingDepth(file.text);
  if (depth > MAX_HCL_NESTING)
    throw new Error(`nested ${depth} levels deep, more than the HCL parser takes (${MAX_HCL_NESTING})`);
  return (await parseHclText(file.path, file.text, budget.remaining())) as ParsedConfig;
}

export async function parseHcl(
  file: SourceFile,
  budget: FileBudget,
): Promise<{ config?: ParsedConfig; error?: Finding }> {
  try {
    return { config: await parseBounded(file, budget) };
  } catch (error) {
    // Its blocks are still located from the text; only their attributes are missing.
    if (error instanceof HclParseTimeout) return { error: timeoutFinding(file.path, "terraform", budget.ms) };
    const message = error instanceof Error ? error.message : String(error);
    const at = /:(\d+),(\d+)(?:-[\d,]+)?: ([^;\]]*)/.exec(message);
    const line = at ? Number(at[1]) : 1;
    const column = at ? Number(at[2]) : 1;
    return {
      error: createFinding({
        kind: "parse-error",
        path: file.path,
        span: { line, column, endLine: line, endColumn: column + 1 },
        language: "terraform",
        message: `Terraform syntax error at line ${line}: ${at?.[3]?.trim() ?? message.replace(/^parse config: /, "")}`,
        detail:
          "Batch blocks in this file were located from the text, but their attributes could not be read; run `terraform validate` to see the error.",
      }),
    };
  }
}

async function readJsonConfiguration(
  file: SourceFile,
): Promise<{ config?: ParsedConfig; blocks: BlockHeader[]; error?: Finding }> {
  let config: ParsedConfig;
  try {
    config = JSON.parse(file.text) as ParsedConfig;
  } catch (error) {
    return {
      blocks: [],
      error: createFinding({
        kind: "parse-error",
        path: file.path,
        span: { line: 1, column: 1, endLine: 1, endColumn: 1 },
        language: "terraform",
        message: `Terraform JSON could not be parsed: ${error instanceof Error ? error.message : String(error)}`,
      }),
    };
  }
  const offsets = keyOffsets(file.text, 3);
  const blocks: BlockHeader[] = [];
  for (const keyword of ["resource", "data", "module"] as const) {
    const section = config?.[keyword] as Record<string, Record<string, unknown> | null> | undefined;
    if (!section || typeof section !== "object") continue;
    const pairs: string[][] =
      keyword === "module"
        ? Object.keys(section).map((name) => [name])
        : Object.entries(section).flatMap(([type, byName]) => Object.keys(byName ?? {}).map((name) => [type, name]));
    for (const labels of pairs) {
      const offset = offsets.get(keyPath([keyword, ...labels])) ?? 0;
      blocks.push({ keyword, labels, line: lineOf(file, offset), column: 1, bodyStart: offset, bodyEnd: offset });
    }
  }
  return { config, blocks };
}

function keyPath(keys: readonly string[]): string {
  return JSON.stringify(keys);
}

/**
 * Offsets of the object keys of a JSON text down to `depth` levels, by key path, found in one walk of the text:
 * a search from the top of the file for each resource made thousands of them quadratic. Keys inside arrays are
 * not recorded. The text is known to be valid JSON.
 */
function keyOffsets(text: string, depth: number): Map<string, number> {
  const offsets = new Map<string, number>();
  // One entry per open container: its key path, or undefined for an array and what is inside one.
  const stack: (string[] | undefined)[] = [];
  let lastKey: { key: string; at: number } | undefined;
  let pendingKey: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
      lastKey = { key: text.slice(start, i + 1), at: start };
    } else if (c === ":" && lastKey) {
      const parent = stack.at(-1);
      pendingKey = undefined;
      if (parent && parent.length < depth) {
        const key = JSON.parse(lastKey.key) as string;
        const path = keyPath([...parent, key]);
        if (!offsets.has(path)) offsets.set(path, lastKey.at);
        pendingKey = key;
      }
      lastKey = undefined;
    } else if (c === "{" || c === "[") {
      const parent = stack.at(-1);
      const inObject = c === "{" && (stack.length === 0 || (parent !== undefined && pendingKey !== undefined));
      stack.push(inObject ? (stack.length === 0 ? [] : [...parent!, pendingKey!]) : undefined);
      pendingKey = undefined;
    } else if (c === "}" || c === "]") {
      stack.pop();
      pendingKey = undefined;
    } else if (c === ",") {
      pendingKey = undefined;
      lastKey = undefined;
    }
  }
  return offsets;
}

/** A Terraform file's block headers from its text, and its configuration parsed when the parser takes it. */
export async function loadFile(file: SourceFile, findings: Finding[], budget: FileBudget): Promise<TerraformFile> {
  if (file.path.endsWith(".tf.json")) {
    const { config, blocks, error } = await readJsonConfiguration(file);
    if (error) findings.push(error);
    return { file, dir: directoryOf(file.path), blocks, ...(config ? { config } : {}) };
  }
  const blocks = findBlocks(file.text);
  const { config, error } = await parseHcl(file, budget);
  if (error) findings.push(error);
  return { file, dir: directoryOf(file.path), blocks, ...(config ? { config } : {}) };
}
