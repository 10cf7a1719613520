import { createRequire } from "node:module";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type TreeSitter from "tree-sitter";
import {
  claimNodeIds,
  fieldNames,
  FlatTree,
  learnField,
  learnType,
  MISSING,
  NAMED,
  namedTypes,
  punctuationTypes,
  SourceText,
  typeNames,
  type Tree,
} from "./syntax-tree.js";

export { firstErrorNode, SyntaxNode, type Tree } from "./syntax-tree.js";

let parser: TreeSitter | undefined;

function getParser(): TreeSitter {
  if (!parser) {
    // Loaded on first use, so runs that find no Python never pay for it.
    const require = createRequire(import.meta.url);
    const TreeSitterParser = require("tree-sitter") as typeof TreeSitter;
    parser = new TreeSitterParser();
    parser.setLanguage(require("tree-sitter-python"));
  }
  return parser;
}

/** tree-sitter's own node, for code that edits by byte ranges (codemods) rather than analysing. */
export type NativeSyntaxNode = TreeSitter.SyntaxNode;
export type NativeTree = TreeSitter.Tree;

/** tree-sitter's own tree: cheap to make, costly to question; the analysis uses parsePython instead. */
export function parseNativePython(text: string): NativeTree {
  return getParser().parse(text);
}

export interface ParseOptions {
  /**
   * Leave out anonymous punctuation that fills no field (`(`, `,`, `:`): the scanners read names, fields and
   * text, never these tokens, and they are a quarter of a tree. Codemods that read operators keep them.
   */
  skipPunctuation?: boolean;
  /** performance.now() time at which tree-sitter stops mid-parse (through its progress callback). */
  deadline?: number;
  /** The error a parse stopped at its deadline throws. */
  onDeadline?: () => Error;
  /**
   * Keep each node object once made (the default), so that nodes compare by identity. Without, a node is a view
   * made afresh on each access and compared by `id`: an analysis that asks for most of a tree's nodes over many
   * rounds then keeps only the nodes it holds, not every node it ever asked for.
   */
  keepNodes?: boolean;
}

function typeId(cursor: TreeSitter.TreeCursor): number {
  const id = cursor.nodeTypeId;
  if (typeNames[id] === undefined) learnType(id, cursor.nodeType, cursor.nodeIsNamed);
  return id;
}

function fieldId(cursor: TreeSitter.TreeCursor): number {
  // undefined, not 0, when the node fills no field.
  const id = cursor.currentFieldId;
  if (!id) return 0;
  if (fieldNames[id] === undefined) learnField(id, cursor.currentFieldName ?? null);
  return id;
}

export function parsePython(text: string, options: ParseOptions = {}): Tree {
  const tree = parseFlat(text, options);
  unreleased += text.length;
  return { rootNode: tree.node(0) };
}

function parseFlat(text: string, options: ParseOptions): FlatTree {
  const deadline = options.deadline ?? Number.POSITIVE_INFINITY;
  const native = Number.isFinite(deadline) ? parseBefore(text, deadline, options.onDeadline) : getParser().parse(text);
  return flatten(native, new SourceText(text), options.skipPunctuation === true, options.keepNodes !== false);
}

/** Characters parsed since the last release. */
let unreleased = 0;

/**
 * V8's collector, when this process may have it. The flag is set before the context that exposes it is made;
 * other contexts are unaffected.
 */
const collectYoung: (() => void) | undefined = (() => {
  try {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as (options?: { type: "minor" | "major" }) => void;
    return () => gc({ type: "minor" });
  } catch {
    return undefined;
  }
})();

/**
 * Lets tree-sitter free the native trees of the modules parsed so far. Their memory (about 23 bytes a character of
 * Python) is outside the JavaScript heap, so the collector never hurries for it, and the code that frees a tree
 * runs on the event loop after the collection, never during a synchronous loop: an analysis that parses a whole
 * project in one loop held every module's native tree to its end (217 MB on the 105k-file tree). Callers that
 * parse many files await this between files.
 */
export async function releaseNativeTrees(): Promise<void> {
  if (unreleased === 0) return;
  // The analysis allocates enough that young collections come often and find the dead native trees' wrappers; past
  // a megabyte of Python parsed, one is asked for (cheap: the wrappers die young and the copies are typed
  // arrays), so that native memory never waits long.
  uncollected += unreleased;
  unreleased = 0;
  if (uncollected > UNCOLLECTED_LIMIT) {
    uncollected = 0;
    collectYoung?.();
  }
  await new Promise((resolve) => setImmediate(resolve));
}

/** Characters parsed since the last collection asked for, and how many may be (about 25 MB of native trees). */
let uncollected = 0;
const UNCOLLECTED_LIMIT = 1 << 20;

function flatten(native: NativeTree, source: SourceText, skipPunctuation: boolean, keepNodes: boolean): FlatTree {
  const cursor = native.walk();
  // About one node per six characters of Python; the arrays double when a file has more.
  const tree = new FlatTree(source, 0, Math.max(64, source.text.length >> 2), keepNodes);
  /** Copies the cursor's node, or gives -1 for punctuation left out. Each question to the cursor crosses to C. */
  const add = (parent: number): number => {
    const type = typeId(cursor);
    const field = fieldId(cursor);
    if (skipPunctuation && field === 0 && punctuationTypes[type] && !cursor.nodeIsMissing) return -1;
    const start = cursor.startIndex;
    const end = cursor.endIndex;
    // A missing node is always empty: only empty nodes need asking.
    const isMissing = start === end && cursor.nodeIsMissing;
    const index = tree.add(type, field, (namedTypes[type] ? NAMED : 0) | (isMissing ? MISSING : 0), start, end, parent);
    if (isMissing || typeNames[type] === "ERROR") tree.markError(index);
    return index;
  };
  // The path from the root to the cursor's node: its index, or -1 for a skipped token (always a leaf) and
  // anything under one.
  const path: number[] = [add(-1)];
  const enter = (): void => {
    const parent = path[path.length - 1]!;
    path.push(parent < 0 ? -1 : add(parent));
  };
  const leave = (): void => {
    const index = path.pop()!;
    if (index >= 0) tree.subtreeEnds[index] = tree.count;
  };
  for (;;) {
    if (cursor.gotoFirstChild()) {
      enter();
      continue;
    }
    for (;;) {
      leave();
      if (cursor.gotoNextSibling()) {
        enter();
        break;
      }
      if (!cursor.gotoParent()) {
        tree.baseId = claimNodeIds(tree.count);
        tree.trim();
        return tree;
      }
    }
  }
}

function parseBefore(text: string, deadline: number, onDeadline?: () => Error): NativeTree {
  let late = false;
  let tree: NativeTree | undefined;
  try {
    tree = getParser().parse(text, null, { progressCallback: () => (late ||= performance.now() > deadline) });
  } catch (error) {
    if (!late) throw error;
  }
  if (late || !tree) {
    // A halted parse leaves the parser mid-document: start it afresh for the next file.
    getParser().reset();
    throw onDeadline?.() ?? new Error("the Python parse ran past its deadline");
  }
  return tree;
}
