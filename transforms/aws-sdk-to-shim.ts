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
import { markerEdits } from "../src/apply/markers.js";
import { keptOffTheShim, unservedCalls } from "../src/apply/served.js";
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
    // A file that also calls an operation the shim does not serve keeps the real SDK, with a marker on each such call.
    const unserved = unservedCalls(code, ctx.findings, "javascript", "the AWS SDK", ctx.config?.shimTarget);
    if (unserved.length > 0 || keptOffTheShim(code)) {
      const markers = markerEdits(code, unserved, "//");
      return markers.length === 0
        ? { kind: "unchanged" }
        : { kind: "changed", code: applyEdits(code, markers), warnings: [] };
    }
    const parsed = parseJs(code, file.path);
    const edits: TextEdit[] = [];
    // `require("aws-sdk/clients/batch")` is the Batch constructor itself; the shim module holds it as `.Batch`.
    const requiresOfV2Batch = new Set<JsNode>();
    parsed.root.find(parsed.api.CallExpression).forEach((p) => {
      const node = p.node as JsNode;
      const parent = p.parent?.node as JsNode | undefined;
      if (node.callee.type !== "Identifier" || node.callee.name !== "require") return;
      if (node.arguments[0]?.value !== V2_BATCH_SOURCE) return;
      if (parent?.type === "MemberExpression" && parent.object === node) return;
      requiresOfV2Batch.add(node);
    });
    for (const { literal, owner } of moduleSpecifiers(parsed)) {
      if (literal.value === V3_SOURCE) edits.push(replaceLiteral(code, literal, V3_SHIM_SOURCE));
      if (literal.value !== V2_BATCH_SOURCE) continue;
      const whole =
        owner.type === "ImportDeclaration" && owner.specifiers?.length === 1
          ? owner.specifiers.find(
              (s: JsNode) => s.type === "ImportDefaultSpecifier" || s.type === "ImportNamespaceSpecifier",
            )
          : undefined;
      if (whole) {
        edits.push({
          start: whole.start,
          end: whole.end,
          text: whole.local.name === "Batch" ? "{ Batch }" : `{ Batch as ${whole.local.name} }`,
        });
      }
      edits.push(replaceLiteral(code, literal, V2_SHIM_SOURCE));
      if (requiresOfV2Batch.has(owner)) edits.push({ start: owner.end, end: owner.end, text: ".Batch" });
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
