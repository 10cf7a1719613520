import { createRequire } from "node:module";
import type TreeSitter from "tree-sitter";

/**
 * A syntax node copied out of tree-sitter into plain JavaScript. The analysis asks for fields, children and
 * parents many thousand times per file; each such question to the native tree costs a boundary crossing and
 * an allocation, so one walk with a cursor that copies the tree is several times cheaper overall.
 */
export class SyntaxNode {
  /** Exactly sized once the tree is built; leaves share one empty array. */
  children: readonly SyntaxNode[] = NO_CHILDREN;
  parent: SyntaxNode | null = null;
  private named?: SyntaxNode[];
  /** isNamed and isMissing, in one small integer: a tree holds a million nodes on a large monorepo. */
  private readonly flags: number;

  constructor(
    readonly id: number,
    readonly type: string,
    isNamed: boolean,
    isMissing: boolean,
    /** The field this node fills in its parent (`function`, `arguments`, …), if any. */
    readonly field: string | null,
    readonly startIndex: number,
    readonly endIndex: number,
    private readonly source: SourceText,
  ) {
    this.flags = (isNamed ? NAMED : 0) | (isMissing ? MISSING : 0);
  }

  get isNamed(): boolean {
    return (this.flags & NAMED) !== 0;
  }

  get isMissing(): boolean {
    return (this.flags & MISSING) !== 0;
  }

  get text(): string {
    return this.source.text.slice(this.startIndex, this.endIndex);
  }

  get startPosition(): { row: number; column: number } {
    return this.source.position(this.startIndex);
  }

  get endPosition(): { row: number; column: number } {
    return this.source.position(this.endIndex);
  }

  get namedChildren(): SyntaxNode[] {
    return (this.named ??= this.children.filter((child) => child.isNamed));
  }

  get firstChild(): SyntaxNode | null {
    return this.children[0] ?? null;
  }

  get hasError(): boolean {
    return this.source.errorAncestors.has(this.id);
  }

  childForFieldName(field: string): SyntaxNode | null {
    for (const child of this.children) if (child.field === field) return child;
    return null;
  }

  childrenForFieldName(field: string): SyntaxNode[] {
    return this.children.filter((child) => child.field === field);
  }

  /** Descendants (not the node itself) of the given types, in document order. */
  descendantsOfType(types: string | readonly string[]): SyntaxNode[] {
    const wanted = typeof types === "string" ? new Set([types]) : new Set(types);
    const found: SyntaxNode[] = [];
    const stack = [...this.children].reverse();
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (wanted.has(node.type)) found.push(node);
      for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]!);
    }
    return found;
  }
}

const NO_CHILDREN: readonly SyntaxNode[] = Object.freeze([]);
const NAMED = 1;
const MISSING = 2;

class SourceText {
  private lineStarts?: number[];
  /** Ids of nodes that are, or contain, a syntax error. */
  readonly errorAncestors = new Set<number>();

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

export interface Tree {
  rootNode: SyntaxNode;
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
 * The cursor makes a new string for each node's type and field name; one shared string per id instead saves
 * about 60 bytes a node, a third of a tree.
 */
const typeNames: string[] = [];
const fieldNames: Array<string | null> = [null];

function typeName(cursor: TreeSitter.TreeCursor): string {
  const id = cursor.nodeTypeId;
  return (typeNames[id] ??= cursor.nodeType);
}

function fieldName(cursor: TreeSitter.TreeCursor): string | null {
  // undefined, not 0, when the node fills no field.
  const id = cursor.currentFieldId;
  if (!id) return null;
  const known = fieldNames[id];
  return known !== undefined ? known : (fieldNames[id] = cursor.currentFieldName ?? null);
}

/** Anonymous tokens made only of punctuation; keywords (`yield`, `not`) are words and stay. */
const PUNCTUATION = /^[^\w]+$/;

export function parsePython(text: string, options: ParseOptions = {}): Tree {
  const deadline = options.deadline ?? Number.POSITIVE_INFINITY;
  const native = Number.isFinite(deadline) ? parseBefore(text, deadline, options.onDeadline) : getParser().parse(text);
  const source = new SourceText(text);
  const cursor = native.walk();
  const skipPunctuation = options.skipPunctuation === true;
  const make = (): SyntaxNode =>
    new SyntaxNode(
      nextId++,
      typeName(cursor),
      cursor.nodeIsNamed,
      cursor.nodeIsMissing,
      fieldName(cursor),
      cursor.startIndex,
      cursor.endIndex,
      source,
    );
  const skipped = (): boolean =>
    skipPunctuation &&
    !cursor.nodeIsNamed &&
    !cursor.nodeIsMissing &&
    !cursor.currentFieldId &&
    PUNCTUATION.test(typeName(cursor));
  const root = make();
  // The path from the root to the cursor's node (undefined for a skipped token, always a leaf), and the children
  // gathered for each, copied into an exactly sized array when the node is done: arrays grown by push keep room
  // for 16 or more, several times what a node of two or three children needs.
  const path: Array<SyntaxNode | undefined> = [root];
  // Most nodes are leaves: their list is made only when a first child arrives.
  const gathered: Array<SyntaxNode[] | undefined> = [undefined];
  const enter = (): void => {
    let node: SyntaxNode | undefined;
    if (!skipped()) {
      node = make();
      node.parent = path.at(-1)!;
      const siblings = gathered.at(-1);
      if (siblings) siblings.push(node);
      else gathered[gathered.length - 1] = [node];
      markErrors(node, source);
    }
    path.push(node);
    gathered.push(undefined);
  };
  const leave = (): void => {
    const node = path.pop();
    const children = gathered.pop();
    if (node && children) node.children = children.slice();
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
      if (!cursor.gotoParent()) return { rootNode: root };
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

/** Error nodes are made before they are linked to a parent, so their ancestors are marked once linked. */
function markErrors(node: SyntaxNode, source: SourceText): void {
  if (node.type !== "ERROR" && !node.isMissing) return;
  for (let p: SyntaxNode | null = node; p; p = p.parent) source.errorAncestors.add(p.id);
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
