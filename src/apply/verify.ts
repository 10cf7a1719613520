import { parsePython, firstErrorNode } from "../scanners/python/parser.js";
import type { TransformLanguage } from "./transform.js";
import { parseJs } from "./javascript/syntax.js";

/** Why the code does not parse (with a 1-based line), or undefined when it does. */
export function syntaxProblem(language: TransformLanguage, code: string, path: string): string | undefined {
  if (language === "python") {
    const error = firstErrorNode(parsePython(code).rootNode);
    return error ? `does not parse as Python (line ${error.startPosition.row + 1})` : undefined;
  }
  try {
    parseJs(code, path);
    return undefined;
  } catch (error) {
    return `does not parse as ${/\.[cm]?tsx?$/.test(path) ? "TypeScript" : "JavaScript"} (${(error as Error).message.split("\n")[0]})`;
  }
}
