// Python syntax trees as the analysis reads them: typed arrays in document order, node views over them, and the
// same tree as plain data for a hand-over between threads. `parser.ts` fills them from tree-sitter.

/**
 * A node of a parsed Python module. The tree itself is kept flat, in typed arrays (`FlatTree`: about 28 bytes a
 * node); a node object is made the first time something asks for that node and kept for the tree's life, so that
 * nodes compare by identity. An analysis reads a fraction of a tree's nodes, so most are never made: a module's
 * tree costs a fraction of what a copy of every node as an object did (~160 bytes a node), and the native tree is
 * freed as soon as it is read. A tree parsed with `keepNodes: false` (the scanner's) keeps no node objects: each
 * is a view made on access, compared by `id`, and dies young unless its reader holds it.
 */
export class SyntaxNode {
  private childList?: readonly SyntaxNode[];
  private named?: SyntaxNode[];

  constructor(
    /** @internal */ readonly tree: FlatTree,
    /** @internal The node's place in its tree's preorder. */ readonly index: number,
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
    if (!this.tree.keepsNodes) return this.tree.childrenOf(this.index);
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
    if (!this.tree.keepsNodes) return this.tree.namedChildrenOf(this.index);
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

/**
 * Nodes of one tree held by their place in it (4 bytes each) rather than as objects; iterating gives each node,
 * made afresh unless the tree keeps its node objects. A module's index keeps its calls, assignments and the like
 * so: with a tree that keeps no node objects, what the index holds between two reads is typed arrays.
 */
export class NodeList implements Iterable<SyntaxNode> {
  private constructor(
    private readonly tree: FlatTree | undefined,
    private readonly indexes: Int32Array,
  ) {}

  /** Nodes of one tree, in the order given. */
  static of(nodes: readonly SyntaxNode[]): NodeList {
    return new NodeList(
      nodes[0]?.tree,
      Int32Array.from(nodes, (node) => node.index),
    );
  }

  /** The nodes of a tree at the given places (`places` as a list gave them). */
  static at(tree: Tree, places: Int32Array): NodeList {
    return new NodeList(tree.rootNode.tree, places);
  }

  /** Each node's place in its tree, in order. */
  get places(): Int32Array {
    return this.indexes;
  }

  get length(): number {
    return this.indexes.length;
  }

  [Symbol.iterator](): Iterator<SyntaxNode> {
    const { tree, indexes } = this;
    let next = 0;
    return {
      next: (): IteratorResult<SyntaxNode> =>
        next < indexes.length ? { value: tree!.node(indexes[next++]!), done: false } : { value: undefined, done: true },
    };
  }
}

const NO_CHILDREN: readonly SyntaxNode[] = Object.freeze([]);
export const NAMED = 1;
export const MISSING = 2;
/** The node is, or contains, a syntax error. */
const HAS_ERROR = 4;

export class SourceText {
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
export class FlatTree {
  types: Uint16Array;
  fields: Uint8Array;
  flags: Uint8Array;
  starts: Uint32Array;
  ends: Uint32Array;
  parents: Int32Array;
  subtreeEnds: Int32Array;
  count = 0;
  /** Node objects made so far, by index, when the tree keeps them (so that nodes compare by identity). */
  private nodes: Array<SyntaxNode | undefined> | undefined = [];

  constructor(
    readonly source: SourceText,
    /** The id of the tree's first node: set once the tree is complete (`claimNodeIds`). */
    public baseId: number,
    capacity: number,
    /** Whether a node object, once made, is kept for the tree's life (and its child lists with it). */
    readonly keepsNodes: boolean,
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

  /** A tree made of the arrays another tree was copied into (`syntaxData`). */
  static of(data: SyntaxData, baseId: number, keepsNodes: boolean): FlatTree {
    const tree = new FlatTree(new SourceText(data.text), baseId, 0, keepsNodes);
    tree.types = data.types;
    tree.fields = data.fields;
    tree.flags = data.flags;
    tree.starts = data.starts;
    tree.ends = data.ends;
    tree.parents = data.parents;
    tree.subtreeEnds = data.subtreeEnds;
    tree.count = data.types.length;
    tree.nodes = keepsNodes ? Array.from<SyntaxNode | undefined>({ length: tree.count }) : undefined;
    return tree;
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
    this.nodes = this.keepsNodes ? Array.from<SyntaxNode | undefined>({ length: n }) : undefined;
  }

  node(index: number): SyntaxNode {
    if (!this.nodes) return new SyntaxNode(this, index);
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

  namedChildrenOf(index: number): SyntaxNode[] {
    const named: SyntaxNode[] = [];
    if (!this.hasChildren(index)) return named;
    for (let child = index + 1; child >= 0; child = this.nextSiblingOf(child))
      if ((this.flags[child]! & NAMED) !== 0) named.push(this.node(child));
    return named;
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

/** Ids are unique across every tree of a process, so analyses can key caches on them across files. */
let nextId = 0;

/** The first of `count` fresh node ids. */
export function claimNodeIds(count: number): number {
  const first = nextId;
  nextId += count;
  return first;
}

/**
 * Node type and field names by tree-sitter's ids, the ids each name has (a name can have several), and what a type
 * id says of every node of that type: whether it is named (a symbol's metadata in tree-sitter) and whether it is
 * punctuation. Asking the cursor once per type instead of once per node halves the cost of copying a tree.
 */
export const typeNames: string[] = [];
const typeIds = new Map<string, number[]>();
export const namedTypes: boolean[] = [];
export const punctuationTypes: boolean[] = [];
export const fieldNames: Array<string | null> = [null];
const fieldIds = new Map<string, number>();

/** Anonymous tokens made only of punctuation; keywords (`yield`, `not`) are words and stay. */
const PUNCTUATION = /^[^\w]+$/;

export function learnType(id: number, name: string, named: boolean): void {
  typeNames[id] = name;
  typeIds.set(name, [...(typeIds.get(name) ?? []), id]);
  namedTypes[id] = named;
  punctuationTypes[id] = !named && PUNCTUATION.test(name);
}

export function learnField(id: number, name: string | null): void {
  fieldNames[id] = name;
  if (name !== null) fieldIds.set(name, id);
}

/**
 * A parsed tree as plain data: its text and typed arrays (which a thread can transfer to another), with the names
 * of the node types and fields it uses, since each thread learns tree-sitter's names as it parses.
 */
export interface SyntaxData {
  text: string;
  types: Uint16Array;
  fields: Uint8Array;
  flags: Uint8Array;
  starts: Uint32Array;
  ends: Uint32Array;
  parents: Int32Array;
  subtreeEnds: Int32Array;
  /** `[id, name, named]` of each node type the tree uses. */
  typeNames: Array<[number, string, boolean]>;
  /** `[id, name]` of each field the tree uses. */
  fieldNames: Array<[number, string | null]>;
}

/** A parsed tree's data, sharing its arrays. */
export function syntaxData(tree: Tree): SyntaxData {
  const flat = tree.rootNode.tree;
  const types = new Set(flat.types);
  const fields = new Set(flat.fields);
  fields.delete(0);
  return {
    text: flat.source.text,
    types: flat.types,
    fields: flat.fields,
    flags: flat.flags,
    starts: flat.starts,
    ends: flat.ends,
    parents: flat.parents,
    subtreeEnds: flat.subtreeEnds,
    typeNames: [...types].map((id) => [id, typeNames[id]!, namedTypes[id]!]),
    fieldNames: [...fields].map((id) => [id, fieldNames[id] ?? null]),
  };
}

/** The tree a `syntaxData` describes, with node ids of this process. */
export function treeOfData(data: SyntaxData, options: { keepNodes?: boolean } = {}): Tree {
  for (const [id, name, named] of data.typeNames) if (typeNames[id] === undefined) learnType(id, name, named);
  for (const [id, name] of data.fieldNames) if (fieldNames[id] === undefined) learnField(id, name);
  const tree = FlatTree.of(data, 0, options.keepNodes !== false);
  tree.baseId = claimNodeIds(tree.count);
  return { rootNode: tree.node(0) };
}

/** The node at a place of a tree (`SyntaxNode.index`). */
export function nodeAt(tree: Tree, place: number): SyntaxNode {
  return tree.rootNode.tree.node(place);
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
