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
import { detectJsStyle, type JsNode, type ParsedJs } from "./syntax.js";

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
  // A file whose own binding is called `Batch` (`const Batch = new AWS.Batch()`) gets the shim class under another name.
  const alias = batchTaken(parsed) ? freeName(parsed, "AwsBatchShim") : undefined;
  let aliasImported = false;
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
      imports.dropIfUnused(V2_SOURCE);
      if (!alias) {
        edits.push({ start: callee.start, end: callee.end, text: "Batch" });
        imports.require(V2_SHIM_SOURCE, "Batch");
        return;
      }
      edits.push({ start: callee.start, end: callee.end, text: alias });
      if (aliasImported) return;
      const statement = rootStatement(parsed, callee.object.name);
      if (!statement) return;
      aliasImported = true;
      const style = detectJsStyle(code, parsed.root);
      const source = `${style.quote}${V2_SHIM_SOURCE}${style.quote}`;
      const end = style.semicolon ? ";" : "";
      const line =
        statement.type === "ImportDeclaration"
          ? `import { Batch as ${alias} } from ${source}${end}`
          : `const { Batch: ${alias} } = require(${source})${end}`;
      const newline = code.indexOf("\n", statement.end);
      const at = newline === -1 ? code.length : newline + 1;
      edits.push({ start: at, end: at, text: newline === -1 ? `\n${line}` : `${line}\n` });
    });
  }
  return edits;
}

/** Whether the file binds or uses the name `Batch` itself (not as `AWS.Batch`). */
function batchTaken(parsed: ParsedJs): boolean {
  return nameUsed(parsed, "Batch");
}

function nameUsed(parsed: ParsedJs, name: string): boolean {
  let used = false;
  parsed.root.find(parsed.api.Identifier, { name }).forEach((p) => {
    const parent = p.parent?.node as JsNode;
    if (parent?.type?.endsWith("MemberExpression") && parent.property === p.node && !parent.computed) return;
    if (parent?.type === "TSQualifiedName" && parent.right === p.node) return;
    if (/^(Object|Class)(Property|Method)$/.test(parent?.type ?? "") && parent.key === p.node && !parent.shorthand)
      return;
    used = true;
  });
  return used;
}

function freeName(parsed: ParsedJs, base: string): string {
  for (let i = 1; ; i++) {
    const name = i === 1 ? base : `${base}${i}`;
    if (!nameUsed(parsed, name)) return name;
  }
}

/** The top-level statement that binds the aws-sdk root `name` (`const AWS = require("aws-sdk")`, `import AWS …`). */
function rootStatement(parsed: ParsedJs, name: string): JsNode | undefined {
  const body = (parsed.root.get().node.program?.body ?? []) as JsNode[];
  return body.find(
    (statement) =>
      (statement.type === "ImportDeclaration" &&
        (statement.specifiers ?? []).some((s: JsNode) => s.local?.name === name)) ||
      (statement.type === "VariableDeclaration" &&
        statement.declarations.some((d: JsNode) => d.id?.type === "Identifier" && d.id.name === name)),
  );
}
