// Where a Batch client is made, when the file that uses it does not call boto3 itself: `get_aws_client("batch")`,
// `establish_boto3_session(region).client("batch")`, `credentials.get_boto3_session().client("batch")`. The shim
// transform changes the import of the module that really calls boto3 (the factory), not the file with the calls.
//
// The scanner's own resolution (`Finding.origin`) is taken when it names the boto3 call in another module; a client
// made through a project helper (`via: "helper:…"`) is followed here to the module that calls boto3 for it.
import type { Finding } from "../../core/types.js";
import { findAll, indexOfPosition, parsePython, type SyntaxNode, type Tree } from "./syntax.js";

/** Where the client a site uses is made. The shape expected of `Finding.origin`. */
export interface ClientOrigin {
  /** POSIX path (relative to the root) of the module that calls boto3 for it. */
  path: string;
  /** 1-based line of the definition there that makes it. */
  line: number;
  /** Each hop from the site to the factory, for messages: `get_aws_client (metaflow/plugins/aws/aws_client.py)`. */
  chain: string[];
}

export type OriginResolution = { origin: ClientOrigin } | { unresolved: string };

/**
 * The Python files the resolver may read, by POSIX path relative to the root (bounded by the caller), and the
 * paths it knows of, to find `pkg.mod` under a source folder (`src/pkg/mod.py`).
 */
export interface ReadModule {
  (relPath: string): string | undefined;
  known?: readonly string[];
}

const BOTO3_IMPORT = /^[ \t]*(import boto3\b|from boto3(\.session)? import\b)/m;
const MAX_HOPS = 4;

function parsedCache(read: ReadModule): (relPath: string) => { text: string; tree: Tree } | undefined {
  const cache = new Map<string, { text: string; tree: Tree } | undefined>();
  return (relPath) => {
    if (!cache.has(relPath)) {
      const text = read(relPath);
      cache.set(relPath, text === undefined ? undefined : { text, tree: parsePython(text) });
    }
    return cache.get(relPath);
  };
}

interface Binding {
  module: string;
  name?: string;
  level: number;
}

/** Names bound by every import in a module (function-level ones included: factories import lazily). */
function importsOf(tree: Tree): Map<string, Binding> {
  const bindings = new Map<string, Binding>();
  for (const statement of findAll(tree.rootNode, (n) => n.type === "import_from_statement")) {
    const moduleNode = statement.childForFieldName("module_name");
    if (!moduleNode) continue;
    const raw = moduleNode.text;
    const level = raw.length - raw.replace(/^\.+/, "").length;
    const module = raw.replace(/^\.+/, "");
    for (const child of statement.namedChildren) {
      if (child === moduleNode) continue;
      if (child.type === "aliased_import") {
        const name = child.childForFieldName("name")?.text;
        const alias = child.childForFieldName("alias")?.text;
        if (name && alias) bindings.set(alias, { module, name, level });
      } else if (child.type === "dotted_name") {
        bindings.set(child.text, { module, name: child.text, level });
      }
    }
  }
  for (const statement of findAll(tree.rootNode, (n) => n.type === "import_statement")) {
    for (const child of statement.namedChildren) {
      if (child.type === "aliased_import") {
        const name = child.childForFieldName("name")?.text;
        const alias = child.childForFieldName("alias")?.text;
        if (name && alias) bindings.set(alias, { module: name, level: 0 });
      } else if (child.type === "dotted_name") {
        const first = child.text.split(".")[0]!;
        if (!bindings.has(first)) bindings.set(first, { module: first, level: 0 });
      }
    }
  }
  return bindings;
}

/**
 * The repository file a module name stands for, as seen from `fromPath`, and whether the bound name is that module
 * itself (`import pkg.mod as m`, or `from pkg import mod` where `mod` is a submodule the package does not shadow):
 * then the helper is the attribute called on it (`mod.get_client(…)`), not the bound name.
 */
function moduleFile(
  binding: Binding,
  fromPath: string,
  exists: (relPath: string) => boolean,
  known: readonly string[],
  bindsName: (relPath: string, name: string) => boolean,
): { file: string; isModule: boolean } | undefined {
  const dotted = binding.module.split(".").filter(Boolean);
  const base =
    binding.level > 0
      ? fromPath
          .split("/")
          .slice(0, -1)
          .slice(0, fromPath.split("/").length - 1 - (binding.level - 1))
      : [];
  const find = (parts: string[]): string | undefined => {
    if (parts.length === 0) return undefined;
    const stem = parts.join("/");
    for (const file of [`${stem}.py`, `${stem}/__init__.py`]) if (exists(file)) return file;
    if (binding.level > 0) return undefined;
    // An absolute module under a source folder: the one known file whose path ends with it.
    const under = known.filter((p) => p.endsWith(`/${stem}.py`) || p.endsWith(`/${stem}/__init__.py`));
    return under.length === 1 ? under[0] : undefined;
  };
  const holder = find([...base, ...dotted]);
  if (!binding.name) return holder ? { file: holder, isModule: true } : undefined;
  // Python's own order: a name the package binds wins over a submodule of the same name.
  if (holder && bindsName(holder, binding.name)) return { file: holder, isModule: false };
  const submodule = find([...base, ...dotted, binding.name]);
  if (submodule) return { file: submodule, isModule: true };
  return holder ? { file: holder, isModule: false } : undefined;
}

/** Whether a module binds `name` at its top level: a definition, an assignment or an import. */
function moduleBinds(tree: Tree, name: string): boolean {
  if (importsOf(tree).has(name)) return true;
  return tree.rootNode.namedChildren.some((statement) => {
    const node = statement.type === "decorated_definition" ? statement.childForFieldName("definition") : statement;
    if (node?.type === "function_definition" || node?.type === "class_definition")
      return node.childForFieldName("name")?.text === name;
    const assignment = node?.type === "expression_statement" ? node.namedChildren[0] : undefined;
    return assignment?.type === "assignment" && assignment.childForFieldName("left")?.text === name;
  });
}

/** The name a receiver expression comes from: `f(...)`, `x.m()`, `x` → the first identifier. */
function rootName(node: SyntaxNode | null | undefined): SyntaxNode | undefined {
  let current = node;
  while (current) {
    if (current.type === "identifier") return current;
    if (current.type === "call") current = current.childForFieldName("function");
    else if (current.type === "attribute") current = current.childForFieldName("object");
    else if (current.type === "parenthesized_expression" || current.type === "await")
      current = current.namedChildren[0];
    else return undefined;
  }
  return undefined;
}

/** What a local name is made from in its function: a parameter's annotation, or the call assigned to it. */
function sourceOfName(name: SyntaxNode, tree: Tree): SyntaxNode | undefined {
  let scope: SyntaxNode | null = name.parent;
  while (scope && scope.type !== "function_definition") scope = scope.parent;
  const within = scope ?? tree.rootNode;
  for (const parameter of findAll(
    within.childForFieldName("parameters") ?? within,
    (n) => n.type === "typed_parameter" || n.type === "typed_default_parameter",
  )) {
    const id = parameter.namedChildren.find((c) => c.type === "identifier");
    if (id?.text === name.text)
      return rootName(parameter.childForFieldName("type")?.namedChildren[0] ?? parameter.childForFieldName("type"));
  }
  for (const assignment of findAll(within, (n) => n.type === "assignment")) {
    if (assignment.childForFieldName("left")?.text !== name.text) continue;
    const right = assignment.childForFieldName("right");
    if (right?.type === "call") return rootName(right);
  }
  return undefined;
}

/** The line of `def name` / `class name` in a module, or 1. */
function definitionLine(tree: Tree, name: string): number {
  const def = findAll(
    tree.rootNode,
    (n) =>
      (n.type === "function_definition" || n.type === "class_definition") && n.childForFieldName("name")?.text === name,
  )[0];
  return def ? def.startPosition.row + 1 : 1;
}

/**
 * Follows a site's client back to the module that calls boto3 for it: through imported helpers, a parameter's
 * annotated class, or the call a local name is assigned from, up to a few hops.
 */
export function resolveClientOrigin(site: Finding, text: string, read: ReadModule): OriginResolution {
  const parsed = parsedCache(read);
  const tree = parsePython(text);
  const index = indexOfPosition(text, site.line, site.column);
  const call = findAll(tree.rootNode, (n) => n.type === "call" && n.startIndex <= index && n.endIndex > index).pop();
  if (!call) return { unresolved: "the call that makes the client could not be found again" };
  const chain: string[] = [];
  let name = rootName(call.childForFieldName("function"));
  let from = { path: site.path, text, tree };
  for (let hop = 0; hop < MAX_HOPS && name; hop++) {
    const imports = importsOf(from.tree);
    let binding = imports.get(name.text);
    if (!binding) {
      const source = sourceOfName(name, from.tree);
      if (source && source.text !== name.text) {
        name = source;
        binding = imports.get(name.text);
      }
    }
    if (!binding) {
      return {
        unresolved: `\`${name.text}\` (which makes the Batch client) is not imported from a module of this repository, so the module that calls boto3 could not be found`,
      };
    }
    const found = moduleFile(
      binding,
      from.path,
      (p) => parsed(p) !== undefined,
      read.known ?? [],
      (p, bound) => moduleBinds(parsed(p)!.tree, bound),
    );
    const dotted = `${".".repeat(binding.level)}${binding.module}`;
    if (!found) {
      return {
        unresolved: `the Batch client is made by \`${binding.name ?? name.text}\` from \`${dotted}\`, outside this repository: have that factory use \`from batch_migrate_runtime import boto3\`, or create the client here with it`,
      };
    }
    const file = found.file;
    const module = parsed(file)!;
    const attribute = name.parent?.type === "attribute" ? name.parent.childForFieldName("attribute")?.text : undefined;
    if (found.isModule && !attribute)
      return {
        unresolved: `the Batch client is made from the module \`${dotted}\` (${file}) in a way that could not be followed`,
      };
    const defined = found.isModule ? attribute! : (binding.name ?? name.text);
    chain.push(`${defined} (${file})`);
    if (BOTO3_IMPORT.test(module.text))
      return { origin: { path: file, line: definitionLine(module.tree, defined), chain } };
    // A re-export or a thin wrapper: follow the name (or the first imported helper its definition calls).
    const reexported = importsOf(module.tree).get(defined);
    if (reexported) {
      from = { path: file, text: module.text, tree: module.tree };
      name = findAll(module.tree.rootNode, (n) => n.type === "identifier" && n.text === defined)[0];
      continue;
    }
    const def = findAll(
      module.tree.rootNode,
      (n) =>
        (n.type === "function_definition" || n.type === "class_definition") &&
        n.childForFieldName("name")?.text === defined,
    )[0];
    const helpers = importsOf(module.tree);
    const inner = def
      ? findAll(def, (n) => n.type === "call")
          .map((c) => rootName(c.childForFieldName("function")))
          .find((id) => id !== undefined && helpers.has(id.text))
      : undefined;
    if (!inner) {
      return {
        unresolved: `the Batch client is made through \`${defined}\` in ${file}, which does not import boto3 and calls no helper that could be followed`,
      };
    }
    from = { path: file, text: module.text, tree: module.tree };
    name = inner;
  }
  return { unresolved: `the factory of the Batch client is more than ${MAX_HOPS} modules away (${chain.join(" → ")})` };
}

/** Makers that are boto3 (or botocore) itself: the module holding one is the factory the shim import moves in. */
export const BOTO_MAKER = /^(boto3\.|session\.|botocore\.|aioboto3\.|aiobotocore\.)/;

/** The scanner's origin of the site when it is a boto3 call in another module, else this resolver's. */
export function originOf(site: Finding, text: string, read: ReadModule): OriginResolution {
  const given = site.origin;
  if (given && given.path !== site.path && BOTO_MAKER.test(given.via))
    return {
      origin: {
        path: given.path,
        line: given.line,
        chain: given.steps.map((step) => `${step.name ?? step.step} (${step.path}:${step.line})`),
      },
    };
  return resolveClientOrigin(site, text, read);
}

/** Whether a client-making site calls boto3 in its own file (the ordinary case: the shim import goes there). */
export function madeInFile(site: Finding, text: string, tree: Tree = parsePython(text)): boolean {
  const index = indexOfPosition(text, site.line, site.column);
  const call = findAll(tree.rootNode, (n) => n.type === "call" && n.startIndex <= index && n.endIndex > index).pop();
  const root = rootName(call?.childForFieldName("function"));
  if (!root) return BOTO3_IMPORT.test(text);
  const binding = importsOf(tree).get(root.text);
  // The shim's `boto3` counts too: an earlier run moved this file's own import there.
  if (binding)
    return (
      binding.level === 0 &&
      (binding.module === "boto3" ||
        binding.module === "boto3.session" ||
        (binding.module === "batch_migrate_runtime" && binding.name === "boto3"))
    );
  if (root.text === "boto3") return true;
  // A session or client made earlier in this file (`session = boto3.Session()`): local when boto3 is imported here.
  const source = sourceOfName(root, tree);
  return source?.text === "boto3" || (source === undefined && BOTO3_IMPORT.test(text));
}
