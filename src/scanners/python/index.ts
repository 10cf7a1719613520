// https://tree-sitter.github.io/tree-sitter/ — Python via tree-sitter-python
import { defineScanner, type SourceFile } from "../../core/scanner.js";
import { createFinding } from "../../core/rules.js";
import type { Finding, Language } from "../../core/types.js";
import { Dataflow, forgetArguments } from "./dataflow.js";
import { indexModule, type ModuleIndex } from "./module-index.js";
import { extractNotebookCode } from "./notebook.js";
import { firstErrorNode, parsePython } from "./parser.js";
import { Project } from "./project.js";
import { importFindings, Reporter } from "./report.js";

const CANDIDATE = /batch/i;
/** Files that may define a helper forwarding a service name to boto3, read only to resolve such helpers. */
const HELPER_DEFINITION = /def\s+\w*client\w*\s*\(|\.client\(\s*[A-Za-z_]|service(_name)?\s*=\s*[A-Za-z_]/;
const DEFINITION = /^[ \t]*(?:async[ \t]+)?def[ \t]+(\w+)/gm;

function countDefinitions(files: SourceFile[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const file of files) {
    for (const match of file.text.matchAll(DEFINITION)) counts.set(match[1]!, (counts.get(match[1]!) ?? 0) + 1);
  }
  return counts;
}

function indexFile(file: SourceFile): { module?: ModuleIndex; findings: Finding[] } {
  let text = file.text;
  let lineMap: number[] | undefined;
  let language: Language = "python";
  if (file.path.endsWith(".ipynb")) {
    const code = extractNotebookCode(file.text);
    if (!code) return { findings: [] };
    ({ text, lineMap } = code);
    language = "notebook";
  }
  const tree = parsePython(text);
  const module = indexModule(file, tree, language, lineMap);
  const findings: Finding[] = [];
  const error = firstErrorNode(tree.rootNode);
  if (error) {
    const row = error.startPosition.row;
    findings.push(
      createFinding({
        kind: "parse-error",
        path: file.path,
        span: {
          line: lineMap?.[row] ?? row + 1,
          column: error.startPosition.column + 1,
          endLine: lineMap?.[error.endPosition.row] ?? error.endPosition.row + 1,
          endColumn: error.endPosition.column + 1,
        },
        language,
        message: `Python syntax error near line ${row + 1}${/^\s*print\s+[^(\s]/m.test(text) ? " (Python 2 code?)" : ""}`,
        detail: "The file was scanned with error recovery; Batch uses inside the broken region may be missed.",
      }),
    );
  }
  return { module, findings };
}

function analyze(candidates: SourceFile[], context: SourceFile[]): Finding[] {
  // Argument lists are cached by node id, which is only unique while these trees live.
  forgetArguments();
  try {
    return analyzeProject(candidates, context);
  } finally {
    forgetArguments();
  }
}

function analyzeProject(candidates: SourceFile[], context: SourceFile[]): Finding[] {
  const findings: Finding[] = [];
  const project = new Project(countDefinitions([...candidates, ...context]));
  const reported: ModuleIndex[] = [];
  for (const file of candidates) {
    const { module, findings: fileFindings } = indexFile(file);
    findings.push(...fileFindings);
    if (!module) continue;
    project.add(module);
    reported.push(module);
    findings.push(...importFindings(module));
  }
  // Helper modules are parsed only when a candidate calls a name they define.
  const wanted = new Set<string>();
  for (const module of reported) {
    for (const call of module.calls) {
      const callee = call.childForFieldName("function");
      const name = callee?.type === "attribute" ? callee.childForFieldName("attribute")?.text : callee?.text;
      if (name && /client|session|waiter/i.test(name)) wanted.add(name);
    }
  }
  const pending = [...context];
  for (let round = 0; round < 4 && wanted.size > 0; round++) {
    const next = new Set<string>();
    for (let i = pending.length - 1; i >= 0; i--) {
      const file = pending[i]!;
      const defines = [...file.text.matchAll(DEFINITION)].some((m) => wanted.has(m[1]!));
      if (!defines) continue;
      pending.splice(i, 1);
      const { module } = indexFile(file);
      if (!module) continue;
      project.add(module);
      for (const call of module.calls) {
        const callee = call.childForFieldName("function");
        const name = callee?.type === "attribute" ? callee.childForFieldName("attribute")?.text : callee?.text;
        if (name && !wanted.has(name) && /client|session/i.test(name)) next.add(name);
      }
    }
    for (const name of next) wanted.add(name);
    if (next.size === 0) break;
  }
  const flow = new Dataflow(project);
  flow.run();
  findings.push(...new Reporter(project, flow).report(reported));
  return findings;
}

export default defineScanner({
  id: "python",
  description: "boto3 Batch clients and calls, paginators, waiters, wrappers; CFN dicts, troposphere, CDK and Airflow in Python and notebooks",
  accepts: (path) => path.endsWith(".py") || path.endsWith(".ipynb"),
  prefilter: (text) => CANDIDATE.test(text),
  context: (text, path) => path.endsWith(".py") && HELPER_DEFINITION.test(text),
  async scan({ files, context }) {
    return { findings: analyze(files, context) };
  },
  async scanEmbedded(file) {
    return analyze([file], []);
  },
});
