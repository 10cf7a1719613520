import type { SourceFile } from "../../core/scanner.js";
import type { Language } from "../../core/types.js";
import { readString } from "./literals.js";
import { NodeList, type SyntaxNode, type Tree } from "./syntax-tree.js";

/** A name bound by an import: `import boto3 as b` → {module: "boto3"}; `from boto3 import client` → {module: "boto3", name: "client"}. */
export interface ImportBinding {
  module: string;
  name?: string;
  /** 0-based row of the import statement. */
  row?: number;
}

export interface Param {
  name: string;
  index: number;
  defaultValue?: SyntaxNode;
  /** The type annotation, when there is one. */
  annotation?: SyntaxNode;
}

export interface FunctionInfo {
  /** `path#Qual.name`: unique across the project. */
  key: string;
  name: string;
  node: SyntaxNode;
  module: ModuleIndex;
  params: Param[];
  /** The class this is a method of, when directly inside a class body. */
  owner?: ClassInfo;
  /** The function this one is nested in. */
  parent?: FunctionInfo;
  isFixture: boolean;
  /** Names assigned in this function (locals), without those declared global. */
  locals: Set<string>;
  globals: Set<string>;
}

export interface ClassInfo {
  key: string;
  name: string;
  node: SyntaxNode;
  module: ModuleIndex;
  bases: string[];
  methods: Map<string, FunctionInfo>;
}

export interface ScopeRange {
  start: number;
  end: number;
  fn?: FunctionInfo;
  cls?: ClassInfo;
}

export interface ModuleIndex {
  file: Pick<SourceFile, "path">;
  /** Dotted module name guessed from the path (`pkg/mod.py` → `pkg.mod`). */
  moduleName: string;
  language: Language;
  tree: Tree;
  /** Maps a synthetic line (notebooks) back to the file's line; identity when absent. */
  lineMap?: number[];
  imports: Map<string, ImportBinding>;
  /** Module-level names bound to a string literal. */
  constants: Map<string, string>;
  /** Module-level names assigned anywhere at module scope. */
  moduleNames: Set<string>;
  functions: FunctionInfo[];
  topFunctions: Map<string, FunctionInfo>;
  classes: Map<string, ClassInfo>;
  /** Function or class node id → info, for scope look-ups. */
  functionByNode: Map<number, FunctionInfo>;
  classByNode: Map<number, ClassInfo>;
  /** Function and class extents, for finding the scope of a node without walking its parents. */
  scopes: ScopeRange[];
  /** The nodes the analysis visits, by kind, in document order; held by their places in the tree, not as objects. */
  calls: NodeList;
  assignments: NodeList;
  returns: NodeList;
  withItems: NodeList;
  attributes: NodeList;
  dictionaries: NodeList;
}

export function moduleNameOf(path: string): string {
  const parts = path.replace(/\.(py|pyi|ipynb)$/, "").split("/");
  if (parts.at(-1) === "__init__") parts.pop();
  // Strip a leading source folder so `src/pkg/mod.py` is `pkg.mod`, the name imports use.
  while (parts.length > 1 && (parts[0] === "src" || parts[0] === "lib")) parts.shift();
  return parts.join(".");
}

function resolveRelative(moduleName: string, isPackage: boolean, prefixDots: number, rest: string): string {
  const parts = moduleName.split(".");
  const drop = isPackage ? prefixDots - 1 : prefixDots;
  const base = parts.slice(0, Math.max(0, parts.length - drop));
  return [...base, ...(rest ? [rest] : [])].filter(Boolean).join(".");
}

function collectTargets(node: SyntaxNode, names: Set<string>, depth = 0): void {
  if (node.type === "identifier") names.add(node.text);
  else if (
    depth < 32 &&
    [
      "pattern_list",
      "tuple_pattern",
      "list_pattern",
      "tuple",
      "list",
      "list_splat_pattern",
      "parenthesized_expression",
    ].includes(node.type)
  ) {
    for (const child of node.namedChildren) collectTargets(child, names, depth + 1);
  }
}

function paramsOf(fn: SyntaxNode): Param[] {
  const params: Param[] = [];
  for (const child of fn.childForFieldName("parameters")?.namedChildren ?? []) {
    let name: string | undefined;
    let defaultValue: SyntaxNode | undefined;
    const annotation = child.childForFieldName("type") ?? undefined;
    if (child.type === "identifier") name = child.text;
    else if (child.type === "typed_parameter") name = child.namedChildren.find((n) => n.type === "identifier")?.text;
    else if (child.type === "default_parameter" || child.type === "typed_default_parameter") {
      name = child.childForFieldName("name")?.text;
      defaultValue = child.childForFieldName("value") ?? undefined;
    }
    if (name)
      params.push({
        name,
        index: params.length,
        ...(defaultValue ? { defaultValue } : {}),
        ...(annotation ? { annotation } : {}),
      });
  }
  return params;
}

function decoratorNames(fn: SyntaxNode): string[] {
  const parent = fn.parent;
  if (parent?.type !== "decorated_definition") return [];
  return parent.namedChildren.filter((n) => n.type === "decorator").map((n) => n.text.slice(1));
}

const INDEXED_TYPES = [
  "function_definition",
  "class_definition",
  "import_statement",
  "import_from_statement",
  "assignment",
  "augmented_assignment",
  "global_statement",
  "call",
  "return_statement",
  "yield",
  "attribute",
  "dictionary",
  "for_statement",
  "as_pattern",
  "with_item",
];

/** Indexes one parsed module: imports, constants, functions, classes, and the nodes the analysis visits. */
export function indexModule(
  file: Pick<SourceFile, "path">,
  tree: Tree,
  language: Language,
  lineMap?: number[],
): ModuleIndex {
  const moduleName = moduleNameOf(file.path);
  const isPackage = /(^|\/)__init__\.py$/.test(file.path);
  const calls: SyntaxNode[] = [];
  const assignments: SyntaxNode[] = [];
  const returns: SyntaxNode[] = [];
  const withItems: SyntaxNode[] = [];
  const attributes: SyntaxNode[] = [];
  const dictionaries: SyntaxNode[] = [];
  const index: ModuleIndex = {
    file,
    moduleName,
    language,
    tree,
    ...(lineMap ? { lineMap } : {}),
    imports: new Map(),
    constants: new Map(),
    moduleNames: new Set(),
    functions: [],
    topFunctions: new Map(),
    classes: new Map(),
    functionByNode: new Map(),
    classByNode: new Map(),
    scopes: [],
    calls: NodeList.of([]),
    assignments: NodeList.of([]),
    returns: NodeList.of([]),
    withItems: NodeList.of([]),
    attributes: NodeList.of([]),
    dictionaries: NodeList.of([]),
  };
  const nodes = tree.rootNode.descendantsOfType(INDEXED_TYPES);

  const enclosing = (node: SyntaxNode): { fn?: FunctionInfo; cls?: ClassInfo } => {
    for (let p = node.parent; p; p = p.parent) {
      if (p.type === "function_definition") return { fn: index.functionByNode.get(p.id) };
      if (p.type === "class_definition") return { cls: index.classByNode.get(p.id) };
    }
    return {};
  };

  // Definitions first (document order puts outer before inner), so scope look-ups below find them.
  for (const node of nodes) {
    if (node.type === "class_definition") {
      const name = node.childForFieldName("name")?.text ?? "?";
      const { fn, cls } = enclosing(node);
      const qual = [fn?.key.split("#")[1], cls?.key.split("#")[1], name].filter(Boolean).join(".");
      const info: ClassInfo = {
        key: `${file.path}#${qual}`,
        name,
        node,
        module: index,
        bases: (node.childForFieldName("superclasses")?.namedChildren ?? []).map(
          (b) => b.text.split(".").pop() ?? b.text,
        ),
        methods: new Map(),
      };
      index.classByNode.set(node.id, info);
      if (!fn && !cls) index.classes.set(name, info);
    } else if (node.type === "function_definition") {
      const name = node.childForFieldName("name")?.text ?? "?";
      const { fn: parent, cls: owner } = enclosing(node);
      const qual = [parent?.key.split("#")[1], owner?.key.split("#")[1], name].filter(Boolean).join(".");
      const decorators = decoratorNames(node);
      const info: FunctionInfo = {
        key: `${file.path}#${qual}`,
        name,
        node,
        module: index,
        params: paramsOf(node),
        ...(owner ? { owner } : {}),
        ...(parent ? { parent } : {}),
        isFixture: decorators.some((d) => /(^|\.)fixture\b/.test(d)),
        locals: new Set(),
        globals: new Set(),
      };
      index.functions.push(info);
      index.functionByNode.set(node.id, info);
      if (owner) owner.methods.set(name, info);
      else if (!parent) index.topFunctions.set(name, info);
    }
  }

  for (const fn of index.functions) index.scopes.push({ start: fn.node.startIndex, end: fn.node.endIndex, fn });
  for (const cls of index.classByNode.values())
    index.scopes.push({ start: cls.node.startIndex, end: cls.node.endIndex, cls });
  index.scopes.sort((a, b) => a.start - b.start);
  const scopeOf = (node: SyntaxNode) => innermostScope(index, node);

  for (const node of nodes) {
    switch (node.type) {
      case "import_statement":
        for (const child of node.namedChildren) {
          if (child.type === "dotted_name") {
            const module = child.text;
            const row = node.startPosition.row;
            index.imports.set(module.split(".")[0]!, { module: module.split(".")[0]!, row });
            if (module.includes(".")) index.imports.set(module, { module, row });
          } else if (child.type === "aliased_import") {
            const module = child.childForFieldName("name")?.text;
            const alias = child.childForFieldName("alias")?.text;
            if (module && alias) index.imports.set(alias, { module, row: node.startPosition.row });
          }
        }
        break;
      case "import_from_statement": {
        const moduleNode = node.childForFieldName("module_name");
        if (!moduleNode) break;
        let module = moduleNode.text;
        if (moduleNode.type === "relative_import") {
          const dots = moduleNode.namedChildren.find((n) => n.type === "import_prefix")?.text.length ?? 0;
          const rest = moduleNode.namedChildren.find((n) => n.type === "dotted_name")?.text ?? "";
          module = resolveRelative(moduleName, isPackage, dots, rest);
        }
        for (const child of node.childrenForFieldName("name")) {
          const row = node.startPosition.row;
          if (child.type === "dotted_name") index.imports.set(child.text, { module, name: child.text, row });
          else if (child.type === "aliased_import") {
            const name = child.childForFieldName("name")?.text;
            const alias = child.childForFieldName("alias")?.text;
            if (name && alias) index.imports.set(alias, { module, name, row });
          }
        }
        break;
      }
      case "global_statement": {
        const fn = scopeOf(node)?.fn;
        for (const id of node.namedChildren) fn?.globals.add(id.text);
        break;
      }
      case "assignment":
      case "augmented_assignment":
      case "for_statement":
      case "as_pattern": {
        const left = node.type === "as_pattern" ? node.childForFieldName("alias") : node.childForFieldName("left");
        if (node.type === "assignment" || node.type === "augmented_assignment") assignments.push(node);
        if (!left) break;
        const names = new Set<string>();
        collectTargets(left.type === "as_pattern_target" ? (left.namedChildren[0] ?? left) : left, names);
        const scope = scopeOf(node);
        const fn = scope?.fn;
        const cls = scope?.cls;
        if (fn) for (const name of names) fn.locals.add(name);
        else if (!cls) {
          for (const name of names) index.moduleNames.add(name);
          const right = node.childForFieldName("right");
          if (node.type === "assignment" && left.type === "identifier" && right) {
            const value = readString(right);
            if (value !== undefined) index.constants.set(left.text, value);
          }
        }
        break;
      }
      case "call":
        calls.push(node);
        break;
      case "return_statement":
      case "yield":
        returns.push(node);
        break;
      case "attribute":
        attributes.push(node);
        break;
      case "dictionary":
        dictionaries.push(node);
        break;
      case "with_item":
        withItems.push(node);
        break;
    }
  }
  index.calls = NodeList.of(calls);
  index.assignments = NodeList.of(assignments);
  index.returns = NodeList.of(returns);
  index.withItems = NodeList.of(withItems);
  index.attributes = NodeList.of(attributes);
  index.dictionaries = NodeList.of(dictionaries);
  // A name declared global and assigned in a function is a module name, not a local.
  for (const fn of index.functions) {
    for (const name of fn.globals) {
      if (fn.locals.delete(name)) index.moduleNames.add(name);
    }
  }
  return index;
}

function innermostScope(index: ModuleIndex, node: SyntaxNode): ScopeRange | undefined {
  const start = node.startIndex;
  const end = node.endIndex;
  let found: ScopeRange | undefined;
  for (const scope of index.scopes) {
    if (scope.start >= start) break;
    if (end <= scope.end) found = scope;
  }
  return found;
}

const functionCache = new WeakMap<ModuleIndex, Map<number, FunctionInfo | undefined>>();

/** The innermost function containing a node, if any. */
export function enclosingFunction(index: ModuleIndex, node: SyntaxNode): FunctionInfo | undefined {
  let cache = functionCache.get(index);
  if (!cache) functionCache.set(index, (cache = new Map()));
  const id = node.id;
  if (cache.has(id)) return cache.get(id);
  const start = node.startIndex;
  const end = node.endIndex;
  let found: FunctionInfo | undefined;
  for (const scope of index.scopes) {
    if (scope.start >= start) break;
    if (scope.fn && end <= scope.end) found = scope.fn;
  }
  cache.set(id, found);
  return found;
}

export function enclosingClass(index: ModuleIndex, node: SyntaxNode): ClassInfo | undefined {
  let found: ClassInfo | undefined;
  for (const scope of index.scopes) {
    if (scope.start >= node.startIndex) break;
    if (scope.cls && node.endIndex <= scope.end) found = scope.cls;
  }
  return found;
}
