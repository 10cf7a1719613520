// A response that leaves its function through `return` / `yield` / `yield from` is read by that function's callers:
// when every caller is in this file (a `_private` function or method, or a nested one), their reads are judged
// and rewritten as if they were made on the call itself. A public function may be called from other modules,
// which one file's rewrite cannot see, so its response stays judged as used whole.
import { findAll, type SyntaxNode } from "./syntax.js";

export type Callers = { calls: SyntaxNode[]; name: string } | { manual: string };

const PLAIN_DECORATORS = new Set(["staticmethod", "classmethod"]);

function enclosingFunction(node: SyntaxNode): SyntaxNode | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (current.type === "lambda") return undefined;
    if (current.type === "function_definition") return current;
  }
  return undefined;
}

function classOf(fn: SyntaxNode): SyntaxNode | undefined {
  const holder = fn.parent?.type === "decorated_definition" ? fn.parent : fn;
  const block = holder.parent;
  return block?.type === "block" && block.parent?.type === "class_definition" ? block.parent : undefined;
}

/** Statements in `fn` itself (not in functions nested in it) that `test` accepts. */
function ownNodes(fn: SyntaxNode, test: (node: SyntaxNode) => boolean): SyntaxNode[] {
  return findAll(fn, (node) => test(node) && enclosingFunction(node)?.id === fn.id);
}

/**
 * The function whose value `exit` (a `return` statement or a `yield`) hands on, and every call of it, when they
 * can all be seen in this file.
 */
export function callersOf(exit: SyntaxNode, root: SyntaxNode): Callers {
  const fn = enclosingFunction(exit);
  if (!fn) return { manual: "it leaves through a lambda" };
  const name = fn.childForFieldName("name")!.text;
  const shown = `${name}()`;
  const holder = fn.parent?.type === "decorated_definition" ? fn.parent : undefined;
  const decorators = holder?.namedChildren.filter((c) => c.type === "decorator").map((d) => d.text.slice(1)) ?? [];
  const odd = decorators.find((d) => !PLAIN_DECORATORS.has(d));
  if (odd) return { manual: `it is returned by ${shown}, whose decorator @${odd} may change what callers get` };
  const exits = ownNodes(
    fn,
    (n) => (n.type === "return_statement" && n.namedChildren.length > 0) || n.type === "yield",
  );
  if (exits.length > 1)
    return {
      manual: `it is returned by ${shown}, which also returns other values (${exits.length} returns or yields)`,
    };
  const cls = classOf(fn);
  const outer = enclosingFunction(fn);
  const isPrivate = name.startsWith("_") && !name.endsWith("__");
  if (!outer && !isPrivate)
    return {
      manual: `it is returned by ${shown}, which other modules may call (apply judges one file at a time)`,
    };
  const scope = outer ?? cls ?? root;
  const references = findAll(scope, (n) => {
    if (cls && !outer)
      return (
        n.type === "attribute" &&
        /^(self|cls)$/.test(n.childForFieldName("object")?.text ?? "") &&
        n.childForFieldName("attribute")?.text === name
      );
    return n.type === "identifier" && n.text === name && n.id !== fn.childForFieldName("name")!.id;
  });
  const calls: SyntaxNode[] = [];
  for (const reference of references) {
    const call = reference.parent;
    if (call?.type !== "call" || call.childForFieldName("function")?.id !== reference.id)
      return {
        manual: `it is returned by ${shown}, which is handed on as a value (\`${reference.parent?.text ?? ""}\`)`,
      };
    if (enclosingFunction(call)?.id === fn.id) return { manual: `it is returned by ${shown}, which calls itself` };
    calls.push(call);
  }
  if (calls.length === 0) return { manual: `it is returned by ${shown}, which nothing in this file calls` };
  return { calls, name: shown };
}
