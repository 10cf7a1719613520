import { createRequire } from "node:module";
import type TreeSitter from "tree-sitter";

/**
 * A syntax node copied out of tree-sitter into plain JavaScript. The analysis asks for fields, children and
 * parents many thousand times per file; each such question to the native tree costs a boundary crossing and
 * an allocation, so one walk with a cursor that copies the tree is several times cheaper overall.
 */
export class SyntaxNode {
  readonly children: SyntaxNode[] = [];
  parent: SyntaxNode | null = null;
  private named?: SyntaxNode[];

  constructor(
    readonly id: number,
    readonly type: string,
    readonly isNamed: boolean,
    readonly isMissing: boolean,
    /** The field this node fills in its parent (`function`, `arguments`, …), if any. */
    readonly field: string | null,
    readonly startIndex: number,
    readonly endIndex: number,
    private readonly source: SourceText,
  ) {}

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

/**
 * `deadline` (performance.now() time) stops tree-sitter mid-parse through its progress callback; the parse then
 * throws `onDeadline()`'s error.
 */
export function parsePython(text: string, deadline = Number.POSITIVE_INFINITY, onDeadline?: () => Error): Tree {
  const native = Number.isFinite(deadline) ? parseBefore(text, deadline, onDeadline) : getParser().parse(text);
  const source = new SourceText(text);
  const cursor = native.walk();
  const make = (): SyntaxNode => {
    const node = new SyntaxNode(
      nextId++,
      cursor.nodeType,
      cursor.nodeIsNamed,
      cursor.nodeIsMissing,
      cursor.currentFieldName ?? null,
      cursor.startIndex,
      cursor.endIndex,
      source,
    );
    return node;
  };
  const root = make();
  let current = root;
  for (;;) {
    if (cursor.gotoFirstChild()) {
      const child = make();
      child.parent = current;
      current.children.push(child);
      current = child;
      markErrors(child, source);
      continue;
    }
    let advanced = false;
    while (!advanced) {
      if (cursor.gotoNextSibling()) {
        const sibling = make();
        sibling.parent = current.parent;
        current.parent!.children.push(sibling);
        current = sibling;
        markErrors(sibling, source);
        advanced = true;
      } else if (cursor.gotoParent()) {
        current = current.parent!;
      } else {
        return { rootNode: root };
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
