// https://tree-sitter.github.io/tree-sitter/ — Python via tree-sitter-python
import { defineScanner, type ScannerOutput, type SourceFile } from "../../core/scanner.js";
import { FileBudget, FileTimeout } from "../../core/budget.js";
import type { Finding, Language } from "../../core/types.js";
import { argumentsOf, Dataflow } from "./dataflow.js";
import { enclosingFunction, moduleNameOf, type ModuleIndex } from "./module-index.js";
import { indexPythonModule, moduleFactsBuffers, moduleOfFacts, type IndexedPython } from "./module-facts.js";
import { releaseNativeTrees, type SyntaxNode } from "./parser.js";
import { Project } from "./project.js";
import { importFindings, Reporter } from "./report.js";

import { BATCH_OPERATIONS, getOperationBySnake } from "../../core/batch-operations.js";
import { passesServiceName } from "../../core/service-argument.js";

/** Spelled out rather than /batch/i so that the needles below are exactly what it needs. */
const MENTIONS_BATCH = /batch|Batch|BATCH/;
const BATCH_NEEDLES = ["batch", "Batch", "BATCH"];
/** Operation names other AWS services share (tagging, list_jobs, cancel_job): they alone do not make a candidate. */
const SHARED_OPERATION_NAMES = new Set([
  "tag_resource",
  "untag_resource",
  "list_tags_for_resource",
  "list_jobs",
  "cancel_job",
]);
/**
 * A file is parsed only when it names the Batch service, Batch resources or a Batch-only operation. Files that
 * merely say "batch" (DynamoDB batch writes, Kubernetes batch/v1, "batch systems") are left unparsed.
 */
const CANDIDATE = new RegExp(
  [
    // a module constant naming the service: BATCH_SERVICE_NAME = "batch"
    `\\b[A-Z][A-Z0-9_]*\\s*=\\s*["']batch["']`,
    // CloudFormation resources written as dicts
    `Type["']?\\s*:\\s*["']AWS::Batch::`,
    "aws_batch|troposphere|BatchOperator|BatchClientHook",
    // Airflow's generic AWS hook serving Batch: AwsBaseHook(client_type="batch")
    `client_type\\s*=\\s*["']batch["']`,
    // an EventBridge pattern on Batch events (CDK `events.EventPattern(source=["aws.batch"])`)
    `["']aws\\.batch["']`,
    `\\b(?:${BATCH_OPERATIONS.filter((op) => !SHARED_OPERATION_NAMES.has(op.snake))
      .map((op) => op.snake)
      .join("|")})\\b`,
  ].join("|"),
);
/** "batch" handed to a client factory, a helper or a service keyword: client("batch"), service_name="batch". */
const FACTORY_KEYWORDS = ["client", "session", "boto", "aws", "waiter", "service"];
/**
 * Files that may define a helper forwarding a service name to boto3, read only to resolve such helpers. The name
 * containing "client" is checked by a lookahead: `\w*client\w*` backtracks quadratically over a long word.
 */
const HELPER_DEFINITION = /def\s+(?=\w*client)\w+\s*\(|\.client\(\s*[A-Za-z_]|service(_name)?\s*=\s*[A-Za-z_]/;
/** A package `__init__` that re-exports a name from one of its modules: read to follow `from pkg import batch`. */
const REEXPORT = /^[ \t]*from[ \t]+\.[\w.]*[ \t]+import[ \t][^\n]*(?:batch|client)/im;

function escape(name: string): string {
  return name.replace(/[^\w]/g, "");
}

function definitionPattern(names: Set<string>): RegExp {
  return new RegExp(`^[ \\t]*(?:async[ \\t]+)?def[ \\t]+(${[...names].map(escape).join("|")})\\b`, "gm");
}

/** Helpers that hand a service name on to boto3 are named for what they make (get_aws_client, boto_client_for). */
const CLIENT_HELPER_NAME = /client|boto|session|aws/i;

/** A function defined at the start of a line: the names `definitionPattern` can match, whole. */
const DEFINED_NAME = /^[ \t]*(?:async[ \t]+)?def[ \t]+(\w+)/gm;

/**
 * What the scan keeps of a context file in place of its text: whether it is a package `__init__` that re-exports,
 * and the functions it defines with a name a client helper can have. Every helper the analysis looks for is
 * named so (`helpersCalledWithBatch`, `helpersForwardedTo`), so nothing else in the file can matter until it is
 * parsed, and a file with neither is not kept at all.
 */
interface ContextDigest {
  reexports: boolean;
  helpers: string[];
}

const REEXPORTS_MARK = "+";

function digestContext(text: string, path: string): string {
  const helpers: string[] = [];
  for (const match of text.matchAll(DEFINED_NAME)) if (CLIENT_HELPER_NAME.test(match[1]!)) helpers.push(match[1]!);
  const reexports = path.endsWith("__init__.py") && REEXPORT.test(text);
  if (!reexports && helpers.length === 0) return "";
  return [reexports ? REEXPORTS_MARK : "-", ...helpers].join(" ");
}

function readDigest(file: SourceFile): ContextDigest {
  const [mark, ...helpers] = (file.digest ?? digestContext(file.text, file.path)).split(" ");
  return { reexports: mark === REEXPORTS_MARK, helpers: helpers.filter(Boolean) };
}

/** Whether a context file defines one of the names, at the start of a line. */
function definesAny(digest: ContextDigest, names: Set<string>): boolean {
  const wanted = new Set([...names].map(escape));
  return digest.helpers.some((name) => wanted.has(name));
}

/** How often each helper name is defined across every file read, so a name defined twice is never guessed. */
function countDefinitions(candidates: SourceFile[], context: ContextDigest[], names: Set<string>): Map<string, number> {
  const counts = new Map<string, number>();
  if (names.size === 0) return counts;
  const pattern = definitionPattern(names);
  const count = (name: string) => counts.set(name, (counts.get(name) ?? 0) + 1);
  for (const file of candidates) for (const match of file.text.matchAll(pattern)) count(match[1]!);
  const wanted = new Set([...names].map(escape));
  for (const digest of context) for (const name of digest.helpers) if (wanted.has(name)) count(name);
  return counts;
}

/** Names of the functions a candidate calls with "batch" (or a name that may hold it) as an argument. */
function helpersCalledWithBatch(module: ModuleIndex): string[] {
  const names: string[] = [];
  for (const call of module.calls) {
    const name = calleeName(call);
    if (!name || name === "client" || !CLIENT_HELPER_NAME.test(name) || getOperationBySnake(name)) continue;
    const passes = argumentsOf(call).some((arg) => {
      const value = arg.type === "keyword_argument" ? arg.childForFieldName("value") : arg;
      if (value?.type === "string") return /^.batch.$/.test(value.text);
      return (
        value?.type === "identifier" &&
        (/^[A-Z_]*BATCH[A-Z_]*$/.test(value.text) || (/service/i.test(value.text) && !/client|role/i.test(value.text)))
      );
    });
    if (passes) names.push(name);
  }
  return names;
}

/** Inside the wanted helpers of a module, the functions they hand one of their own parameters to. */
function helpersForwardedTo(module: ModuleIndex, wanted: Set<string>): string[] {
  const names: string[] = [];
  for (const call of module.calls) {
    const fn = enclosingFunction(module, call);
    if (!fn || !wanted.has(fn.name)) continue;
    const name = calleeName(call);
    if (!name || name === "client" || !CLIENT_HELPER_NAME.test(name)) continue;
    const params = new Set(fn.params.map((p) => p.name));
    const forwards = argumentsOf(call).some((arg) => {
      const value = arg.type === "keyword_argument" ? arg.childForFieldName("value") : arg;
      return value?.type === "identifier" && params.has(value.text);
    });
    if (forwards) names.push(name);
  }
  return names;
}

function calleeName(call: SyntaxNode): string | undefined {
  const callee = call.childForFieldName("function");
  return callee?.type === "attribute" ? callee.childForFieldName("attribute")?.text : callee?.text;
}

function languageOf(file: SourceFile): Language {
  return file.path.endsWith(".ipynb") ? "notebook" : "python";
}

function indexFile(file: SourceFile, budget = FileBudget.unlimited): { module?: ModuleIndex; findings: Finding[] } {
  // A helper thread that read the file may have indexed it already (`indexFile` below).
  const indexed =
    (file.index as IndexedPython | undefined) ??
    indexPythonModule(file.path, file.text, {
      deadline: budget.deadline,
      onDeadline: () => new FileTimeout(file.path, budget.ms),
    });
  const { module, findings } = indexed;
  return { ...(module ? { module: moduleOfFacts(module) } : {}), findings };
}

/** A context file's text: read again from disk when the scan kept only its digest. */
type ReadText = (file: SourceFile) => string | undefined;

async function analyze(
  candidates: SourceFile[],
  context: SourceFile[],
  budget = FileBudget.unlimited,
  readText: ReadText = () => undefined,
): Promise<ScannerOutput> {
  const findings: Finding[] = [];
  const reported: ModuleIndex[] = [];
  const modules: ModuleIndex[] = [];
  for (const file of candidates) {
    const indexed = budget.runSync(file.path, languageOf(file), findings, () => indexFile(file, budget));
    await releaseNativeTrees();
    if (!indexed) continue;
    const { module, findings: fileFindings } = indexed;
    findings.push(...fileFindings);
    if (!module) continue;
    modules.push(module);
    reported.push(module);
    findings.push(...importFindings(module));
  }
  // Helper modules are parsed only when a candidate hands "batch" to a function they define.
  const wanted = new Set<string>();
  for (const module of reported) for (const name of helpersCalledWithBatch(module)) wanted.add(name);
  const digests = context.map(readDigest);
  const textOf = (file: SourceFile): SourceFile | undefined => {
    if (file.digest === undefined) return file;
    const text = readText(file);
    return text === undefined ? undefined : { ...file, text };
  };
  const pending = context.map((file, i) => ({ file, digest: digests[i]! }));
  for (let round = 0; round < 4 && wanted.size > 0; round++) {
    const next = new Set<string>();
    for (let i = pending.length - 1; i >= 0; i--) {
      const { file: kept, digest } = pending[i]!;
      if (!definesAny(digest, wanted)) continue;
      pending.splice(i, 1);
      const file = textOf(kept);
      if (!file) continue;
      const module = budget.runSync(file.path, languageOf(file), findings, () => indexFile(file, budget))?.module;
      await releaseNativeTrees();
      if (!module) continue;
      modules.push(module);
      for (const name of helpersForwardedTo(module, wanted)) if (!wanted.has(name)) next.add(name);
    }
    for (const name of next) wanted.add(name);
    if (next.size === 0) break;
  }
  // Package `__init__` modules that candidates import from, for re-exports (`from pkg import batch`).
  const imported = new Set<string>();
  for (const module of reported) for (const binding of module.imports.values()) imported.add(binding.module);
  for (let i = pending.length - 1; i >= 0; i--) {
    const { file: kept, digest } = pending[i]!;
    if (!digest.reexports) continue;
    const name = moduleNameOf(kept.path);
    if (![...imported].some((m) => m === name || m.endsWith(`.${name}`) || name.endsWith(`.${m}`))) continue;
    pending.splice(i, 1);
    const file = textOf(kept);
    if (!file) continue;
    const { module } = indexFile(file);
    await releaseNativeTrees();
    if (module) modules.push(module);
  }
  const project = new Project(countDefinitions(candidates, digests, wanted));
  for (const module of modules) project.add(module);
  const flow = new Dataflow(project);
  flow.run();
  const reporter = new Reporter(project, flow);
  findings.push(...reporter.report(reported));
  return { findings, inventory: reporter.inventory };
}

export default defineScanner({
  id: "python",
  description:
    "boto3 Batch clients and calls, paginators, waiters, wrappers; CFN dicts, troposphere, CDK and Airflow in Python and notebooks",
  accepts: (path) => path.endsWith(".py") || path.endsWith(".ipynb"),
  needles: BATCH_NEEDLES,
  prefilter: (text) =>
    MENTIONS_BATCH.test(text) &&
    (passesServiceName(text, "batch", { keywords: FACTORY_KEYWORDS }) || CANDIDATE.test(text)),
  context: (text, path) =>
    path.endsWith(".py") && (HELPER_DEFINITION.test(text) || (path.endsWith("__init__.py") && REEXPORT.test(text))),
  contextNeedles: ["client", "service"],
  digestContext,
  // A module's parse and index, on the helper thread that read it: its facts are plain data, and their typed
  // arrays move to the main thread uncopied.
  async indexFile(file, budget) {
    const indexed = indexPythonModule(file.path, file.text, {
      deadline: budget.deadline,
      onDeadline: () => new FileTimeout(file.path, budget.ms),
    });
    await releaseNativeTrees();
    return { value: indexed, transfer: indexed.module ? moduleFactsBuffers(indexed.module) : [] };
  },
  async scan({ files, context }, ctx) {
    return analyze(files, context, ctx.budget, (file) => ctx.readText?.(file));
  },
  async scanEmbedded(file, ctx) {
    return (await analyze([file], [], ctx.budget)).findings;
  },
});
