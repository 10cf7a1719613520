import type { TextEdit } from "../edits.js";
import type { JsNode, ParsedJs } from "./syntax.js";

export const V3_SOURCE = "@aws-sdk/client-batch";
export const V3_SHIM_SOURCE = "batch-migrate-runtime/client-batch";
export const V2_SOURCE = "aws-sdk";
export const V2_BATCH_SOURCE = "aws-sdk/clients/batch";
export const V2_SHIM_SOURCE = "batch-migrate-runtime/aws-sdk-v2";

/** Module specifiers in `import … from "x"`, `export … from "x"`, `require("x")` and `import("x")`, as literal nodes. */
export function moduleSpecifiers(parsed: ParsedJs): { literal: JsNode; owner: JsNode }[] {
  const { api, root } = parsed;
  const found: { literal: JsNode; owner: JsNode }[] = [];
  root.find(api.ImportDeclaration).forEach((p) => found.push({ literal: p.node.source, owner: p.node }));
  root
    .find(api.ExportNamedDeclaration)
    .forEach((p) => p.node.source && found.push({ literal: p.node.source, owner: p.node }));
  root.find(api.CallExpression).forEach((p) => {
    const node = p.node as JsNode;
    const isRequire = node.callee.type === "Identifier" && node.callee.name === "require";
    if (
      (isRequire || node.callee.type === "Import") &&
      node.arguments.length === 1 &&
      typeof node.arguments[0].value === "string"
    ) {
      found.push({ literal: node.arguments[0], owner: node });
    }
  });
  return found;
}

/** Replaces a string literal's content and keeps its quotes. */
export function replaceLiteral(code: string, literal: JsNode, value: string): TextEdit {
  const quote = code[literal.start];
  return { start: literal.start, end: literal.end, text: `${quote}${value}${quote}` };
}

/** Local names bound to the aws-sdk v2 root module (`import AWS from "aws-sdk"`, `const AWS = require("aws-sdk")`). */
export function v2RootNames(parsed: ParsedJs): Set<string> {
  const names = new Set<string>();
  const { api, root } = parsed;
  root.find(api.ImportDeclaration).forEach((p) => {
    if (p.node.source.value !== V2_SOURCE) return;
    for (const specifier of (p.node.specifiers ?? []) as JsNode[]) {
      if (specifier.type !== "ImportSpecifier") names.add(specifier.local.name);
    }
  });
  root.find(api.VariableDeclarator).forEach((p) => {
    const node = p.node as JsNode;
    const init = node.init;
    if (
      node.id.type === "Identifier" &&
      init?.type === "CallExpression" &&
      init.callee.name === "require" &&
      init.arguments[0]?.value === V2_SOURCE
    ) {
      names.add(node.id.name);
    }
  });
  return names;
}
