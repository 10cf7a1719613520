import type * as TS from "typescript";
import { ts } from "./typescript.js";

/** A template literal's source between the backticks, with each `${…}` replaced by filler of the same shape. */
export interface TemplateBody {
  /** Offset of the first character after the opening backtick. */
  start: number;
  raw: string;
  /**
   * Substitutions replaced by `_` (newlines kept), so that code in the template still parses; those inside a
   * string of the embedded code are kept as written (`'${queue.ref}'` is a valid Python string).
   */
  filled: string;
  /** Substitutions replaced by U+0001, so that nothing computed is mistaken for a literal name. */
  opaque: string;
}

export function templateBody(
  node: TS.TemplateExpression | TS.NoSubstitutionTemplateLiteral,
  ast: TS.SourceFile,
): TemplateBody {
  const start = node.getStart(ast) + 1;
  const end = node.getEnd() - 1;
  const raw = ast.text.slice(start, end);
  const holes: [number, number][] = [];
  if (ts.isTemplateExpression(node)) {
    let previousEnd = node.head.getEnd();
    for (const span of node.templateSpans) {
      // From "${" (the last two characters of the previous part) through the "}" that opens the next part.
      holes.push([previousEnd - 2 - start, span.literal.getStart(ast) + 1 - start]);
      previousEnd = span.literal.getEnd();
    }
  }
  // Built in one pass: re-slicing the whole text at every hole was quadratic in the number of `${…}`.
  const fill = (filler: string, keepInsideQuotes: boolean) => {
    const parts: string[] = [];
    let cursor = 0;
    // Whether the current line of the result so far has an odd number of quotes (filler holds none).
    let oddQuotes = false;
    const read = (piece: string) => {
      for (let i = 0; i < piece.length; i++) {
        const c = piece[i];
        if (c === "\n") oddQuotes = false;
        else if (c === "'" || c === '"') oddQuotes = !oddQuotes;
      }
    };
    for (const [from, to] of holes) {
      const before = raw.slice(cursor, from);
      read(before);
      parts.push(before);
      const hole = raw.slice(from, to);
      const multiline = hole.includes("\n");
      if (keepInsideQuotes && !multiline && oddQuotes) {
        read(hole);
        parts.push(hole);
      } else {
        parts.push(hole.replace(/[^\n]/g, filler));
        if (multiline) oddQuotes = false;
      }
      cursor = to;
    }
    parts.push(raw.slice(cursor));
    return parts.join("");
  };
  return { start, raw, filled: fill("_", true), opaque: fill("\u0001", false) };
}

const CFN_TYPE = /["']?\bType["']?\s*:\s*["']?(AWS::Batch::\w+)/g;
const JSON_KEY = /["']([A-Za-z0-9_-]+)["']\s*:\s*$/;
const YAML_KEY = /^([ \t]*)([A-Za-z0-9_-]+):[ \t]*$/;

export interface TemplateResource {
  type: string;
  /** Offset in the template body of the logical id, or of `Type` when the id is computed or absent. */
  offset: number;
  length: number;
  logicalId?: string;
}

/** The `{` that opens the object around `index`, skipping balanced pairs; -1 when there is none. */
function openingBrace(text: string, index: number): number {
  let depth = 0;
  for (let i = index - 1; i >= 0; i--) {
    const c = text[i];
    if (c === "}") depth++;
    else if (c === "{") {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

/** CloudFormation resources written as JSON or YAML text inside a template literal. */
export function templateResources(body: TemplateBody): TemplateResource[] {
  const text = body.opaque;
  const found: TemplateResource[] = [];
  for (const match of text.matchAll(CFN_TYPE)) {
    const index = match.index;
    const type = match[1]!;
    const brace = openingBrace(text, index);
    if (brace >= 0) {
      const key = JSON_KEY.exec(text.slice(Math.max(0, brace - 200), brace));
      if (key) {
        const keyStart = brace - key[0].length + key[0].indexOf(key[1]!);
        found.push({ type, offset: Math.max(0, keyStart), length: key[1]!.length, logicalId: key[1]! });
      } else {
        found.push({ type, offset: index, length: match[0].length });
      }
      continue;
    }
    // YAML: the logical id is the nearest line above that is indented less than `Type:`.
    const lineStart = text.lastIndexOf("\n", index) + 1;
    const indent = /^[ \t]*/.exec(text.slice(lineStart))![0].length;
    let cursor = lineStart - 1;
    let resource: TemplateResource = { type, offset: index, length: match[0].length };
    while (cursor > 0) {
      const previousStart = text.lastIndexOf("\n", cursor - 1) + 1;
      const line = text.slice(previousStart, cursor);
      cursor = previousStart - 1;
      if (!line.trim()) continue;
      const key = YAML_KEY.exec(line);
      if (/^[ \t]*/.exec(line)![0].length < indent) {
        if (key)
          resource = { type, offset: previousStart + key[1]!.length, length: key[2]!.length, logicalId: key[2]! };
        break;
      }
    }
    found.push(resource);
  }
  return found;
}

const PYTHON_SHAPE = /^[ \t]*(import [\w.]+|from [\w.]+ import |def \w+\()/m;

/** Whether a template literal holds Python that may reach Batch (an inline Lambda, a script). */
export function looksLikeBatchPython(body: TemplateBody): boolean {
  return /\bboto3\b|\bbotocore\b/.test(body.raw) && /batch/i.test(body.raw) && PYTHON_SHAPE.test(body.raw);
}
