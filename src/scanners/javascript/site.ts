import type * as TS from "typescript";
import { createFinding, type FindingInput, type Span } from "../../core/rules.js";
import type { Finding, Language } from "../../core/types.js";
import type { JsFile } from "./project.js";

export function languageOf(path: string): Language {
  return /\.[cm]?tsx?$/.test(path) ? "typescript" : "javascript";
}

export function spanOf(file: JsFile, start: TS.Node, end: TS.Node = start): Span {
  const from = file.ast.getLineAndCharacterOfPosition(start.getStart(file.ast));
  const to = file.ast.getLineAndCharacterOfPosition(end.getEnd());
  return { line: from.line + 1, column: from.character + 1, endLine: to.line + 1, endColumn: to.character + 1 };
}

export function spanAt(file: JsFile, start: number, end: number): Span {
  const from = file.ast.getLineAndCharacterOfPosition(start);
  const to = file.ast.getLineAndCharacterOfPosition(end);
  return { line: from.line + 1, column: from.character + 1, endLine: to.line + 1, endColumn: to.character + 1 };
}

export function findingAt(file: JsFile, span: Span, input: Omit<FindingInput, "path" | "span" | "language">): Finding {
  return createFinding({ ...input, path: file.source.path, span, language: languageOf(file.source.path) });
}
