import { createRequire } from "node:module";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type TreeSitter from "tree-sitter";

/**
 * A node of a parsed Python module. The tree itself is kept flat, in typed arrays (`FlatTree`: about 28 bytes a
 * node); a node object is made the first time something asks for that node and kept for the tree's life, so that
 * nodes compare by identity. An analysis reads a fraction of a tree's nodes, so most are never made: a module's
 * tree costs a fraction of what a copy of every node as an object did (~160 bytes a node), and the native tree is
 * freed as soon as it is read.
 */
export class SyntaxNode {
  private childList?: readonly SyntaxNode[];
  private named?: SyntaxNode[];

  constructor(
    private readonly tree: FlatTree,
    private readonly index: number,
  ) {}

  /** Unique across every tree of a process, so analyses can key caches on it across files. */
  get id(): number {
    return this.tree.baseId + this.index;
  }

  get type(): string {
    return typeNames[this.tree.types[this.index]!]!;
  }

  /** The field this node fills in its parent (`function`, `arguments`, …), if any. */
  get field(): string | null {
    return fieldNames[this.tree.fields[this.index]!] ?? null;
  }

  get startIndex(): number {
    return this.tree.starts[this.index]!;
  }

  get endIndex(): number {
    return this.tree.ends[this.index]!;
  }

  get isNamed(): boolean {
    return (this.tree.flags[this.index]! & NAMED) !== 0;
  }

  get isMissing(): boolean {
    return (this.tree.flags[this.index]! & MISSING) !== 0;
  }

  get hasError(): boolean {
    return (this.tree.flags[this.index]! & HAS_ERROR) !== 0;
  }

  get parent(): SyntaxNode | null {
    const parent = this.tree.parents[this.index]!;
    return parent < 0 ? null : this.tree.node(parent);
  }

  /** Exactly sized; leaves share one empty array. */
  get children(): readonly SyntaxNode[] {
    return (this.childList ??= this.tree.childrenOf(this.index));
  }

  get text(): string {
    return this.tree.source.text.slice(this.startIndex, this.endIndex);
  }

  get startPosition(): { row: number; column: number } {
    return this.tree.source.position(this.startIndex);
  }

  get endPosition(): { row: number; column: number } {
    return this.tree.source.position(this.endIndex);
  }

  get namedChildren(): SyntaxNode[] {
    return (this.named ??= this.children.filter((child) => child.isNamed));
  }

  get firstChild(): SyntaxNode | null {
    return this.tree.hasChildren(this.index) ? this.tree.node(this.index + 1) : null;
  }

  childForFieldName(field: string): SyntaxNode | null {
    const id = fieldIds.get(field);
    if (id === undefined) return null;
    const tree = this.tree;
    for (let child = tree.firstChildOf(this.index); child >= 0; child = tree.nextSiblingOf(child)) {
      if (tree.fields[child] === id) return tree.node(child);
    }
    return null;
  }

  childrenForFieldName(field: string): SyntaxNode[] {
    return this.children.filter((child) => child.field === field);
  }

  /** Descendants (not the node itself) of the given types, in document order. */
  descendantsOfType(types: string | readonly string[]): SyntaxNode[] {
    const wanted = new Set<number>();
    for (const type of typeof types === "string" ? [types] : types) {
      for (const id of typeIds.get(type) ?? []) wanted.add(id);
    }
    const found: SyntaxNode[] = [];
    const tree = this.tree;
    // The tree is stored in document order (preorder), so the descendants are the indexes up to the subtree's end.
    const end = tree.subtreeEnds[this.index]!;
    for (let i = this.index + 1; i < end; i++) if (wanted.has(tree.types[i]!)) found.push(tree.node(i));
    return found;
  }
}

const NO_CHILDREN: readonly SyntaxNode[] = Object.freeze([]);
const NAMED = 1;
const MISSING = 2;
/** The node is, or contains, a syntax error. */
const HAS_ERROR = 4;

class SourceText {
  private lineStarts?: number[];

  constructor(readonly text: string) {}

  position(index: number): { row: number; column: number } {
    const starts = (this.lineStarts ??= computeLineStarts(this.text));
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid]! <= index) low = mid;
      else high = mid - 1;
    }
    return { row: low, column: index - starts[low]! };
  }
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

/**
 * A syntax tree in preorder: node `i`'s type, field, flags and span, its parent's index and the index just past its
 * subtree. Its first child, if any, is `i + 1`; a child's next sibling starts where the child's subtree ends.
 */
class FlatTree {
  types: Uint16Array;
  fields: Uint8Array;
  flags: Uint8Array;
  starts: Uint32Array;
  ends: Uint32Array;
  parents: Int32Array;
  subtreeEnds: Int32Array;
  count = 0;
  /** Node objects made so far, by index. */
  private nodes: Array<SyntaxNode | undefined> = [];

  constructor(
    readonly source: SourceText,
    readonly baseId: number,
    capacity: number,
  ) {
    this.types = new Uint16Array(capacity);
    this.fields = new Uint8Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.starts = new Uint32Array(capacity);
    this.ends = new Uint32Array(capacity);
    this.parents = new Int32Array(capacity);
    this.subtreeEnds = new Int32Array(capacity);
  }

  add(type: number, field: number, flags: number, start: number, end: number, parent: number): number {
    if (this.count === this.types.length) this.grow();
    const i = this.count++;
    this.types[i] = type;
    this.fields[i] = field;
    this.flags[i] = flags;
    this.starts[i] = start;
    this.ends[i] = end;
    this.parents[i] = parent;
    this.subtreeEnds[i] = i + 1;
    return i;
  }

  private grow(): void {
    const size = Math.max(64, this.types.length * 2);
    const grown = <T extends Uint8Array | Uint16Array | Uint32Array | Int32Array>(
      array: T,
      make: (n: number) => T,
    ): T => {
      const next = make(size);
      next.set(array);
      return next;
    };
    this.types = grown(this.types, (n) => new Uint16Array(n));
    this.fields = grown(this.fields, (n) => new Uint8Array(n));
    this.flags = grown(this.flags, (n) => new Uint8Array(n));
    this.starts = grown(this.starts, (n) => new Uint32Array(n));
    this.ends = grown(this.ends, (n) => new Uint32Array(n));
    this.parents = grown(this.parents, (n) => new Int32Array(n));
    this.subtreeEnds = grown(this.subtreeEnds, (n) => new Int32Array(n));
  }

  /** Gives back the room a tree grown by doubling did not fill. */
  trim(): void {
    const n = this.count;
    this.types = this.types.slice(0, n);
    this.fields = this.fields.slice(0, n);
    this.flags = this.flags.slice(0, n);
    this.starts = this.starts.slice(0, n);
    this.ends = this.ends.slice(0, n);
    this.parents = this.parents.slice(0, n);
    this.subtreeEnds = this.subtreeEnds.slice(0, n);
    this.nodes = Array.from<SyntaxNode | undefined>({ length: n });
  }

  /** The arrays and the names of the ids in them, to hand the tree to another thread (`adoptPython`). */
  toData(): FlatTreeData {
    const typeTable: FlatTreeData["typeTable"] = [];
    const seenTypes = new Set<number>();
    for (const type of this.types)
      if (!seenTypes.has(type)) {
        seenTypes.add(type);
        typeTable.push([type, typeNames[type]!, namedTypes[type]!, punctuationTypes[type]!]);
      }
    const fieldTable: FlatTreeData["fieldTable"] = [];
    for (const field of new Set(this.fields)) if (field !== 0) fieldTable.push([field, fieldNames[field] ?? null]);
    const { types, fields, flags, starts, ends, parents, subtreeEnds } = this;
    return { types, fields, flags, starts, ends, parents, subtreeEnds, typeTable, fieldTable };
  }

  static fromData(source: SourceText, baseId: number, data: FlatTreeData): FlatTree {
    for (const [id, name, named, punctuation] of data.typeTable) {
      if (typeNames[id] !== undefined) continue;
      typeNames[id] = name;
      typeIds.set(name, [...(typeIds.get(name) ?? []), id]);
      namedTypes[id] = named;
      punctuationTypes[id] = punctuation;
    }
    for (const [id, name] of data.fieldTable) {
      if (fieldNames[id] !== undefined) continue;
      fieldNames[id] = name;
      if (name !== null) fieldIds.set(name, id);
    }
    const tree = new FlatTree(source, baseId, 0);
    tree.types = data.types;
    tree.fields = data.fields;
    tree.flags = data.flags;
    tree.starts = data.starts;
    tree.ends = data.ends;
    tree.parents = data.parents;
    tree.subtreeEnds = data.subtreeEnds;
    tree.count = data.types.length;
    tree.nodes = Array.from<SyntaxNode | undefined>({ length: tree.count });
    return tree;
  }

  node(index: number): SyntaxNode {
    return (this.nodes[index] ??= new SyntaxNode(this, index));
  }

  hasChildren(index: number): boolean {
    return this.subtreeEnds[index]! > index + 1;
  }

  firstChildOf(index: number): number {
    return this.hasChildren(index) ? index + 1 : -1;
  }

  nextSiblingOf(index: number): number {
    const next = this.subtreeEnds[index]!;
    return next < this.count && this.parents[next] === this.parents[index] ? next : -1;
  }

  childrenOf(index: number): readonly SyntaxNode[] {
    if (!this.hasChildren(index)) return NO_CHILDREN;
    let n = 0;
    for (let child = index + 1; child >= 0; child = this.nextSiblingOf(child)) n++;
    const children = Array.from<SyntaxNode>({ length: n });
    n = 0;
    for (let child = index + 1; child >= 0; child = this.nextSiblingOf(child)) children[n++] = this.node(child);
    return children;
  }

  /** Marks a node that is or contains an error, and its ancestors. */
  markError(index: number): void {
    for (let p = index; p >= 0 && (this.flags[p]! & HAS_ERROR) === 0; p = this.parents[p]!)
      this.flags[p] = this.flags[p]! | HAS_ERROR;
  }
}

export interface Tree {
  rootNode: SyntaxNode;
}

/**
 * A parsed module as plain data, made on one thread and adopted on another (`parsePythonData`, `adoptPython`): the
 * flat tree's arrays, each on a buffer of its own (transferable), and the names of the type and field ids they use,
 * since each thread learns those from its own parser.
 */
export interface FlatTreeData {
  types: Uint16Array;
  fields: Uint8Array;
  flags: Uint8Array;
  starts: Uint32Array;
  ends: Uint32Array;
  parents: Int32Array;
  subtreeEnds: Int32Array;
  /** Type id, name, named, punctuation. */
  typeTable: Array<[number, string, boolean, boolean]>;
  fieldTable: Array<[number, string | null]>;
}

/** The buffers of a module's data, to transfer rather than copy. */
export function flatTreeBuffers(data: FlatTreeData): ArrayBuffer[] {
  const { types, fields, flags, starts, ends, parents, subtreeEnds } = data;
  return [types, fields, flags, starts, ends, parents, subtreeEnds].map((array) => array.buffer as ArrayBuffer);
}

/** Parses a module into data another thread can adopt; what `parsePython` gives there once adopted. */
export function parsePythonData(text: string, options: ParseOptions = {}): FlatTreeData {
  const data = parseFlat(text, options).toData();
  unreleased += text.length;
  return data;
}

/** The tree of a module another thread parsed with the same options (`parsePythonData`) from the same text. */
export function adoptPython(data: FlatTreeData, text: string): Tree {
  const tree = FlatTree.fromData(new SourceText(text), nextId, data);
  nextId += tree.count;
  return { rootNode: tree.node(0) };
}

let parser: TreeSitter | undefined;
/** Ids are unique across every tree of a process, so analyses can key caches on them across files. */
let nextId = 0;

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
}

/**
 * Node type and field names by tree-sitter's ids, the ids each name has (a name can have several), and what a type
 * id says of every node of that type: whether it is named (a symbol's metadata in tree-sitter) and whether it is
 * punctuation. Asking the cursor once per type instead of once per node halves the cost of copying a tree.
 */
const typeNames: string[] = [];
const typeIds = new Map<string, number[]>();
const namedTypes: boolean[] = [];
const punctuationTypes: boolean[] = [];
const fieldNames: Array<string | null> = [null];
const fieldIds = new Map<string, number>();

/** Anonymous tokens made only of punctuation; keywords (`yield`, `not`) are words and stay. */
const PUNCTUATION = /^[^\w]+$/;

function typeId(cursor: TreeSitter.TreeCursor): number {
  const id = cursor.nodeTypeId;
  if (typeNames[id] === undefined) {
    const name = cursor.nodeType;
    typeNames[id] = name;
    typeIds.set(name, [...(typeIds.get(name) ?? []), id]);
    namedTypes[id] = cursor.nodeIsNamed;
    punctuationTypes[id] = !cursor.nodeIsNamed && PUNCTUATION.test(name);
  }
  return id;
}

function fieldId(cursor: TreeSitter.TreeCursor): number {
  // undefined, not 0, when the node fills no field.
  const id = cursor.currentFieldId;
  if (!id) return 0;
  if (fieldNames[id] === undefined) {
    const name = cursor.currentFieldName ?? null;
    fieldNames[id] = name;
    if (name !== null) fieldIds.set(name, id);
  }
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
  return flatten(native, new SourceText(text), options.skipPunctuation === true);
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

function flatten(native: NativeTree, source: SourceText, skipPunctuation: boolean): FlatTree {
  const cursor = native.walk();
  // About one node per six characters of Python; the arrays double when a file has more.
  const tree = new FlatTree(source, nextId, Math.max(64, source.text.length >> 2));
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
        nextId += tree.count;
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

export function firstErrorNode(root: SyntaxNode): SyntaxNode | undefined {
  let node = root;
  if (!node.hasError) return undefined;
  while (node.type !== "ERROR" && !node.isMissing) {
    const child = node.children.find((c) => c.hasError);
    if (!child) return node;
    node = child;
  }
  return node;
}
