import type { TextEdit } from "../edits.js";
import { findAll, type SyntaxNode, type Tree } from "./syntax.js";

export const SHIM_MODULE = "batch_migrate_runtime";

/** The import statements that bring in boto3, rewritten to the runtime's shim, or why they cannot be. */
export type ShimImportPlan = { edits: TextEdit[]; unsupported: { node: SyntaxNode; why: string }[] };

function indentOf(code: string, node: SyntaxNode): string {
  const lineStart = code.lastIndexOf("\n", node.startIndex - 1) + 1;
  return code.slice(lineStart, node.startIndex);
}

/**
 * `import boto3 [as b]` → `from batch_migrate_runtime import boto3 [as b]`,
 * `from boto3 import client, Session` → `from batch_migrate_runtime.boto3 import client, Session`.
 * Only the import changes: every `boto3.client("batch")` below it now returns the shim.
 */
export function planShimImports(tree: Tree, code: string): ShimImportPlan {
  const edits: TextEdit[] = [];
  const unsupported: ShimImportPlan["unsupported"] = [];
  const statements = findAll(
    tree.rootNode,
    (node) => node.type === "import_statement" || node.type === "import_from_statement",
  );
  for (const statement of statements) {
    if (statement.type === "import_from_statement") {
      const module = statement.childForFieldName("module_name");
      if (module?.text === "boto3") {
        edits.push({ start: module.startIndex, end: module.endIndex, text: `${SHIM_MODULE}.boto3` });
      } else if (module?.text === "boto3.session") {
        const names = statement.namedChildren.filter((child) => child !== module).map((child) => child.text);
        if (names.every((name) => name === "Session" || name.startsWith("Session as "))) {
          edits.push({ start: module.startIndex, end: module.endIndex, text: `${SHIM_MODULE}.boto3` });
        } else {
          unsupported.push({ node: statement, why: "only Session can come from the shim's boto3" });
        }
      } else if (module?.text.startsWith("boto3.")) {
        unsupported.push({ node: statement, why: `${module.text} has no counterpart in ${SHIM_MODULE}.boto3` });
      }
      continue;
    }
    const names = statement.namedChildren;
    const boto3Names = names.filter((child) => {
      const name = child.type === "aliased_import" ? child.childForFieldName("name")!.text : child.text;
      return name === "boto3" || name.startsWith("boto3.");
    });
    if (boto3Names.length === 0) continue;
    if (
      boto3Names.some(
        (child) => (child.type === "aliased_import" ? child.childForFieldName("name")!.text : child.text) !== "boto3",
      )
    ) {
      unsupported.push({
        node: statement,
        why: "`import boto3.<submodule>` reaches real boto3 internals the shim does not replace",
      });
      continue;
    }
    const shimLine = `from ${SHIM_MODULE} import ${boto3Names.map((child) => child.text).join(", ")}`;
    const others = names.filter((child) => !boto3Names.includes(child));
    const text =
      others.length === 0
        ? shimLine
        : `import ${others.map((child) => child.text).join(", ")}\n${indentOf(code, statement)}${shimLine}`;
    edits.push({ start: statement.startIndex, end: statement.endIndex, text });
  }
  return { edits, unsupported };
}
