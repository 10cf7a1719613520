import { parsePython, type SyntaxNode, type Tree } from "../../scanners/python/parser.js";

export { parsePython, type SyntaxNode, type Tree };

/** Every named node below `root` (root included) for which `test` holds, in source order. */
export function findAll(root: SyntaxNode, test: (node: SyntaxNode) => boolean): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  const stack: SyntaxNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (test(node)) found.push(node);
    const children = node.namedChildren;
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return found;
}

/** The innermost node of `type` spanning [start, end). */
export function nodeAt(tree: Tree, start: number, end: number, type: string): SyntaxNode | undefined {
  let match: SyntaxNode | undefined;
  let node: SyntaxNode | undefined = tree.rootNode;
  while (node) {
    if (node.type === type) match = node;
    node = node.namedChildren.find((child) => child.startIndex <= start && child.endIndex >= end);
  }
  return match;
}

/** 0-based string index of a 1-based line and column. */
export function indexOfPosition(text: string, line: number, column: number): number {
  let index = 0;
  for (let current = 1; current < line; current++) {
    index = text.indexOf("\n", index) + 1;
    if (index === 0) return text.length;
  }
  return index + column - 1;
}

/** The content of a plain string literal (no f-string, no concatenation), or undefined. */
export function stringValue(node: SyntaxNode | null | undefined): string | undefined {
  if (!node || node.type !== "string") return undefined;
  if (node.namedChildren.some((child) => child.type === "interpolation")) return undefined;
  const content = node.namedChildren.filter((child) => child.type === "string_content");
  const start = node.namedChildren.find((child) => child.type === "string_start")?.text ?? "";
  if (/[fFbB]/.test(start)) return undefined;
  return content.map((child) => child.text).join("");
}

/** The statement (a direct child of a block or the module) holding `node`. */
export function enclosingStatement(node: SyntaxNode): SyntaxNode {
  let current = node;
  while (current.parent && current.parent.type !== "block" && current.parent.type !== "module")
    current = current.parent;
  return current;
}

export function keywordArguments(call: SyntaxNode): {
  keywords: Map<string, SyntaxNode>;
  positional: SyntaxNode[];
  splat: boolean;
} {
  const keywords = new Map<string, SyntaxNode>();
  const positional: SyntaxNode[] = [];
  let splat = false;
  for (const argument of call.childForFieldName("arguments")?.namedChildren ?? []) {
    if (argument.type === "keyword_argument") {
      keywords.set(argument.childForFieldName("name")!.text, argument.childForFieldName("value")!);
    } else if (argument.type === "list_splat" || argument.type === "dictionary_splat") {
      splat = true;
    } else if (argument.type !== "comment") {
      positional.push(argument);
    }
  }
  return { keywords, positional, splat };
}

/** The function body or module a node belongs to: where a local variable lives. */
export function enclosingScope(node: SyntaxNode): SyntaxNode {
  let current: SyntaxNode | null = node.parent;
  while (current && current.type !== "function_definition" && current.type !== "module" && current.type !== "lambda")
    current = current.parent;
  if (current) return current;
  let top = node;
  while (top.parent) top = top.parent;
  return top;
}
