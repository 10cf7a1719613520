import { createRequire } from "node:module";
import type Parser from "tree-sitter";

export type SyntaxNode = Parser.SyntaxNode;
export type Tree = Parser.Tree;

let parser: Parser | undefined;

/** Loads tree-sitter on first use, so runs that find no Python never pay for it. */
export function parsePython(text: string): Tree {
  if (!parser) {
    const require = createRequire(import.meta.url);
    const TreeSitter = require("tree-sitter") as typeof Parser;
    parser = new TreeSitter();
    parser.setLanguage(require("tree-sitter-python"));
  }
  return parser.parse(text);
}

export function firstErrorNode(node: SyntaxNode): SyntaxNode | undefined {
  if (node.type === "ERROR" || node.isMissing) return node;
  if (!node.hasError) return undefined;
  for (const child of node.children) {
    const found = firstErrorNode(child);
    if (found) return found;
  }
  return node;
}
