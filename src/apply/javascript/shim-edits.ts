import type { TextEdit } from "../edits.js";
import type { ImportRequests } from "../imports.js";
import {
  moduleSpecifiers,
  replaceLiteral,
  V2_BATCH_SOURCE,
  V2_SHIM_SOURCE,
  V2_SOURCE,
  v2RootNames,
  V3_SHIM_SOURCE,
  V3_SOURCE,
} from "./batch-imports.js";
import type { JsNode, ParsedJs } from "./syntax.js";

/** The edits that move a file's aws-sdk Batch imports and clients to the runtime's shim modules (same shapes). */
export function shimEdits(parsed: ParsedJs, code: string, imports: ImportRequests): TextEdit[] {
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
      imports.require(V2_SHIM_SOURCE, "Batch");
      imports.dropIfUnused(V2_SOURCE);
    });
  }
  return edits;
}
