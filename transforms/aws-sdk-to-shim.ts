// JS/TS: aws-sdk v3 and v2 Batch clients → the runtime's shim modules (same names, same response shapes)
import { applyEdits, type TextEdit } from "../src/apply/edits.js";
import {
  moduleSpecifiers,
  replaceLiteral,
  V2_BATCH_SOURCE,
  V2_SHIM_SOURCE,
  V2_SOURCE,
  v2RootNames,
  V3_SHIM_SOURCE,
  V3_SOURCE,
} from "../src/apply/javascript/batch-imports.js";
import { parseJs, type JsNode } from "../src/apply/javascript/syntax.js";
import { defineTransform } from "../src/apply/transform.js";

export default defineTransform({
  id: "aws-sdk-to-shim",
  language: "javascript",
  to: "shim",
  description:
    "`@aws-sdk/client-batch` → `batch-migrate-runtime/client-batch`; `aws-sdk/clients/batch` and `new AWS.Batch()` → `batch-migrate-runtime/aws-sdk-v2`",
  safety: "safe",
  prefilter: (text) => text.includes("aws-sdk"),
  apply(file, ctx) {
    const code = file.text;
    const parsed = parseJs(code, file.path);
    const edits: TextEdit[] = [];
    for (const { literal, owner } of moduleSpecifiers(parsed)) {
      if (literal.value === V3_SOURCE) edits.push(replaceLiteral(code, literal, V3_SHIM_SOURCE));
      if (literal.value !== V2_BATCH_SOURCE) continue;
      const defaultImport =
        owner.type === "ImportDeclaration"
          ? owner.specifiers?.find((s: JsNode) => s.type === "ImportDefaultSpecifier")
          : undefined;
      if (defaultImport && owner.specifiers.length === 1) {
        edits.push({
          start: defaultImport.start,
          end: defaultImport.end,
          text: defaultImport.local.name === "Batch" ? "{ Batch }" : `{ Batch as ${defaultImport.local.name} }`,
        });
      }
      edits.push(replaceLiteral(code, literal, V2_SHIM_SOURCE));
    }
    const roots = v2RootNames(parsed);
    if (roots.size > 0) {
      parsed.root.find(parsed.api.NewExpression).forEach((p) => {
        const callee = (p.node as JsNode).callee;
        if (
          callee.type !== "MemberExpression" ||
          callee.computed ||
          callee.property.name !== "Batch" ||
          !roots.has(callee.object.name)
        )
          return;
        edits.push({ start: callee.start, end: callee.end, text: "Batch" });
        ctx.imports.require(V2_SHIM_SOURCE, "Batch");
        ctx.imports.dropIfUnused(V2_SOURCE);
      });
    }
    if (edits.length === 0) return { kind: "unchanged" };
    return { kind: "changed", code: applyEdits(code, edits), warnings: [] };
  },
});
