import { saveCompilerCode, ts } from "./typescript.js";
import type { ScanContext, ScannerOutput, SourceFile } from "../../core/scanner.js";
import type { Finding } from "../../core/types.js";
import { createFinding } from "../../core/rules.js";
import { syntaxErrors } from "./parser.js";
import { Project, type JsFile } from "./project.js";
import { Reporter } from "./report.js";
import { findingAt, spanAt } from "./site.js";
import { Evaluator } from "./values.js";

function parseErrorFinding(file: JsFile): Finding | undefined {
  const [first] = syntaxErrors(file.ast);
  if (!first || first.start === undefined) return undefined;
  const message = ts.flattenDiagnosticMessageText(first.messageText, " ");
  const line = file.ast.getLineAndCharacterOfPosition(first.start).line + 1;
  return findingAt(file, spanAt(file, first.start, first.start + (first.length ?? 0)), {
    kind: "parse-error",
    message: `Syntax error at line ${line}: ${message}`,
    detail: "The file was scanned with error recovery; Batch uses inside the broken region may be missed.",
  });
}

/** Scans the JavaScript and TypeScript candidates of one tree together, so that clients can be followed across files. */
export async function analyze(files: SourceFile[], context: SourceFile[], ctx: ScanContext): Promise<ScannerOutput> {
  const project = new Project(files, context);
  const candidates = files.map((file) => project.file(file.path)).filter((file): file is JsFile => file !== undefined);
  const findings: Finding[] = [];
  for (const file of candidates) {
    const error = parseErrorFinding(file);
    if (error) findings.push(error);
  }
  const reporter = new Reporter(new Evaluator(project), ctx);
  const output = await reporter.report(candidates);
  for (const { source, reason } of [...project.unparseable, ...reporter.unanalysable]) {
    findings.push(
      createFinding({
        kind: "parse-error",
        path: source.path,
        span: { line: 1, column: 1, endLine: 1, endColumn: 1 },
        language: /\.[cm]?tsx?$/.test(source.path) ? "typescript" : "javascript",
        message: `File could not be parsed: ${reason}`,
        detail: "Nesting this deep is beyond the parser; nothing in this file was scanned.",
      }),
    );
  }
  saveCompilerCode();
  return { findings: [...findings, ...output.findings], inventory: output.inventory };
}
