// https://github.com/microsoft/TypeScript/wiki/Using-the-Compiler-API — parse only, never a Program or a checker.
import type * as TS from "typescript";
import { ts } from "./typescript.js";

function scriptKind(path: string): TS.ScriptKind {
  if (path.endsWith(".tsx")) return ts.ScriptKind.TSX;
  if (/\.[cm]?ts$/.test(path)) return ts.ScriptKind.TS;
  if (path.endsWith(".jsx")) return ts.ScriptKind.JSX;
  return ts.ScriptKind.JS;
}

export function parseSource(path: string, text: string): TS.SourceFile {
  return ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, scriptKind(path));
}

/**
 * The parser's own syntax errors. They are not part of the public typings, but every tool that parses without
 * a Program (typescript-eslint, ts-morph's `getSyntacticDiagnostics` path) reads the same field.
 */
export function syntaxErrors(file: TS.SourceFile): TS.Diagnostic[] {
  const diagnostics: unknown = Reflect.get(file, "parseDiagnostics");
  return Array.isArray(diagnostics) ? diagnostics.filter((d): d is TS.Diagnostic => typeof d?.start === "number") : [];
}
