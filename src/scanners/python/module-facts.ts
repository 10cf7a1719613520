// A module's index as plain data (strings, numbers, arrays, typed arrays): made by a pure function of a file's
// path and text, so that the thread that read a file can index it and hand the result to the thread that runs the
// cross-module analysis (`structuredClone` or `postMessage`, its typed arrays transferable), which rebuilds the
// index's objects from it without parsing again.
import { createFinding } from "../../core/rules.js";
import type { Finding, Language } from "../../core/types.js";
import {
  indexModule,
  type ClassInfo,
  type FunctionInfo,
  type ImportBinding,
  type ModuleIndex,
  type Param,
} from "./module-index.js";
import { extractNotebookCode } from "./notebook.js";
import { firstErrorNode, parsePython, type ParseOptions } from "./parser.js";
import { nodeAt, NodeList, syntaxData, treeOfData, type SyntaxData } from "./syntax-tree.js";

/** A function, its nodes as places in the module's tree and its owner and parent as indexes in `functions`/`classes`. */
export interface FunctionFacts {
  key: string;
  name: string;
  node: number;
  params: Array<{ name: string; index: number; defaultValue?: number; annotation?: number }>;
  /** Index in `classes`, or -1. */
  owner: number;
  /** Index in `functions`, or -1. */
  parent: number;
  isFixture: boolean;
  locals: string[];
  globals: string[];
}

export interface ClassFacts {
  key: string;
  name: string;
  node: number;
  bases: string[];
  /** Method name → index in `functions`, in the order the index has them. */
  methods: Array<[string, number]>;
}

/** What `indexModule` gives, with every node a place in `syntax` and every reference an index. */
export interface ModuleFacts {
  path: string;
  moduleName: string;
  language: Language;
  lineMap?: number[];
  syntax: SyntaxData;
  imports: Array<[string, ImportBinding]>;
  constants: Array<[string, string]>;
  moduleNames: string[];
  /** Every function, in document order (outer before inner). */
  functions: FunctionFacts[];
  /** Every class, in document order. */
  classes: ClassFacts[];
  /** Top-level function and class names → indexes, in the order the index has them. */
  topFunctions: Array<[string, number]>;
  topClasses: Array<[string, number]>;
  /** Each scope as four numbers: start, end, its function's index or -1, its class's index or -1. */
  scopes: Int32Array;
  calls: Int32Array;
  assignments: Int32Array;
  returns: Int32Array;
  withItems: Int32Array;
  attributes: Int32Array;
  dictionaries: Int32Array;
}

/** A file's module facts (none for a notebook without code) and its `parse-error` finding, if any. */
export interface IndexedPython {
  module?: ModuleFacts;
  findings: Finding[];
}

/**
 * Parses and indexes one Python file or notebook. Pure: the result depends only on the path and text (and throws
 * `onDeadline`'s error when the parse runs past `deadline`), and holds no function, class instance or node object.
 */
export function indexPythonModule(
  path: string,
  text: string,
  options: Pick<ParseOptions, "deadline" | "onDeadline"> = {},
): IndexedPython {
  let code = text;
  let lineMap: number[] | undefined;
  let language: Language = "python";
  if (path.endsWith(".ipynb")) {
    const notebook = extractNotebookCode(text);
    if (!notebook) return { findings: [] };
    ({ text: code, lineMap } = notebook);
    language = "notebook";
  }
  const tree = parsePython(code, { ...options, skipPunctuation: true, keepNodes: false });
  const module = indexModule({ path }, tree, language, lineMap);
  const findings: Finding[] = [];
  const error = firstErrorNode(tree.rootNode);
  if (error) {
    const row = error.startPosition.row;
    findings.push(
      createFinding({
        kind: "parse-error",
        path,
        span: {
          line: lineMap?.[row] ?? row + 1,
          column: error.startPosition.column + 1,
          endLine: lineMap?.[error.endPosition.row] ?? error.endPosition.row + 1,
          endColumn: error.endPosition.column + 1,
        },
        language,
        message: `Python syntax error near line ${row + 1}${/^[ \t]*print[ \t]+[^(\s]/m.test(code) ? " (Python 2 code?)" : ""}`,
        detail: "The file was scanned with error recovery; Batch uses inside the broken region may be missed.",
      }),
    );
  }
  return { module: moduleFacts(module), findings };
}

/** The buffers of a module's facts, which move to another thread rather than being copied. */
export function moduleFactsBuffers(facts: ModuleFacts): ArrayBuffer[] {
  const { syntax } = facts;
  const arrays = [syntax.types, syntax.fields, syntax.flags, syntax.starts, syntax.ends, syntax.parents];
  arrays.push(syntax.subtreeEnds, facts.scopes, facts.calls, facts.assignments, facts.returns, facts.withItems);
  arrays.push(facts.attributes, facts.dictionaries);
  return [...new Set(arrays.map((array) => array.buffer as ArrayBuffer))];
}

/** An index as plain data. */
export function moduleFacts(index: ModuleIndex): ModuleFacts {
  const functionAt = new Map(index.functions.map((fn, i) => [fn, i]));
  const classes = [...index.classByNode.values()];
  const classAt = new Map(classes.map((cls, i) => [cls, i]));
  const fnIndex = (fn: FunctionInfo | undefined) => (fn ? functionAt.get(fn)! : -1);
  const clsIndex = (cls: ClassInfo | undefined) => (cls ? classAt.get(cls)! : -1);
  return {
    path: index.file.path,
    moduleName: index.moduleName,
    language: index.language,
    ...(index.lineMap ? { lineMap: index.lineMap } : {}),
    syntax: syntaxData(index.tree),
    imports: [...index.imports],
    constants: [...index.constants],
    moduleNames: [...index.moduleNames],
    functions: index.functions.map((fn) => ({
      key: fn.key,
      name: fn.name,
      node: fn.node.index,
      params: fn.params.map((param) => ({
        name: param.name,
        index: param.index,
        ...(param.defaultValue ? { defaultValue: param.defaultValue.index } : {}),
        ...(param.annotation ? { annotation: param.annotation.index } : {}),
      })),
      owner: clsIndex(fn.owner),
      parent: fnIndex(fn.parent),
      isFixture: fn.isFixture,
      locals: [...fn.locals],
      globals: [...fn.globals],
    })),
    classes: classes.map((cls) => ({
      key: cls.key,
      name: cls.name,
      node: cls.node.index,
      bases: cls.bases,
      methods: [...cls.methods].map(([name, fn]) => [name, fnIndex(fn)]),
    })),
    topFunctions: [...index.topFunctions].map(([name, fn]) => [name, fnIndex(fn)]),
    topClasses: [...index.classes].map(([name, cls]) => [name, clsIndex(cls)]),
    scopes: Int32Array.from(index.scopes.flatMap((s) => [s.start, s.end, fnIndex(s.fn), clsIndex(s.cls)])),
    calls: index.calls.places,
    assignments: index.assignments.places,
    returns: index.returns.places,
    withItems: index.withItems.places,
    attributes: index.attributes.places,
    dictionaries: index.dictionaries.places,
  };
}

/** The index the facts describe, its tree keeping no node objects, its node ids this process's. */
export function moduleOfFacts(facts: ModuleFacts): ModuleIndex {
  const tree = treeOfData(facts.syntax, { keepNodes: false });
  const node = (place: number) => nodeAt(tree, place);
  const module: ModuleIndex = {
    file: { path: facts.path },
    moduleName: facts.moduleName,
    language: facts.language,
    tree,
    ...(facts.lineMap ? { lineMap: facts.lineMap } : {}),
    imports: new Map(facts.imports),
    constants: new Map(facts.constants),
    moduleNames: new Set(facts.moduleNames),
    functions: [],
    topFunctions: new Map(),
    classes: new Map(),
    functionByNode: new Map(),
    classByNode: new Map(),
    scopes: [],
    calls: NodeList.at(tree, facts.calls),
    assignments: NodeList.at(tree, facts.assignments),
    returns: NodeList.at(tree, facts.returns),
    withItems: NodeList.at(tree, facts.withItems),
    attributes: NodeList.at(tree, facts.attributes),
    dictionaries: NodeList.at(tree, facts.dictionaries),
  };
  const classes = facts.classes.map((cls): ClassInfo => ({
    key: cls.key,
    name: cls.name,
    node: node(cls.node),
    module,
    bases: cls.bases,
    methods: new Map(),
  }));
  const functions = facts.functions.map((fn): FunctionInfo => ({
    key: fn.key,
    name: fn.name,
    node: node(fn.node),
    module,
    params: fn.params.map((param): Param => ({
      name: param.name,
      index: param.index,
      ...(param.defaultValue !== undefined ? { defaultValue: node(param.defaultValue) } : {}),
      ...(param.annotation !== undefined ? { annotation: node(param.annotation) } : {}),
    })),
    isFixture: fn.isFixture,
    locals: new Set(fn.locals),
    globals: new Set(fn.globals),
  }));
  facts.functions.forEach((fn, i) => {
    if (fn.owner >= 0) functions[i]!.owner = classes[fn.owner];
    if (fn.parent >= 0) functions[i]!.parent = functions[fn.parent];
  });
  facts.classes.forEach((cls, i) => {
    for (const [name, fn] of cls.methods) classes[i]!.methods.set(name, functions[fn]!);
  });
  module.functions = functions;
  for (const fn of functions) module.functionByNode.set(fn.node.id, fn);
  for (const cls of classes) module.classByNode.set(cls.node.id, cls);
  for (const [name, fn] of facts.topFunctions) module.topFunctions.set(name, functions[fn]!);
  for (const [name, cls] of facts.topClasses) module.classes.set(name, classes[cls]!);
  for (let i = 0; i < facts.scopes.length; i += 4) {
    const fn = facts.scopes[i + 2]!;
    const cls = facts.scopes[i + 3]!;
    module.scopes.push({
      start: facts.scopes[i]!,
      end: facts.scopes[i + 1]!,
      ...(fn >= 0 ? { fn: functions[fn]! } : {}),
      ...(cls >= 0 ? { cls: classes[cls]! } : {}),
    });
  }
  return module;
}
