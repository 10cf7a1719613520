// Job-definition JSON kept in a template file: `templatefile("…json.tmpl", { cpu = 4 })` and the older
// `data "template_file" "x" { template = file("…") vars = { … } }` read as `data.template_file.x.rendered`.
// Literal variables are filled in; the rest stay as `"${name}"` strings, so the JSON still parses and the fields
// they feed stay unresolved.
// https://developer.hashicorp.com/terraform/language/functions/templatefile
import type { LiteralValue } from "../../core/types.js";
import type { BlockHeader } from "./blocks.js";
import { readHclLiteral } from "./hcl-literal.js";
import { substituteModuleValues, type ModuleValues } from "./variables.js";

/** A `data "template_file"` block: the template's path as written and its `vars`. */
export interface TemplateSource {
  path: string;
  vars: Record<string, LiteralValue>;
}

function isScalar(value: LiteralValue | undefined): value is string | number | boolean {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}

/** Whether offset `at` of a line sits inside a JSON string (an odd number of unescaped quotes before it). */
function insideString(line: string, at: number): boolean {
  let quotes = 0;
  for (let i = 0; i < at; i++) {
    if (line[i] === "\\") i++;
    else if (line[i] === '"') quotes++;
  }
  return quotes % 2 === 1;
}

/** Renders `${name}` placeholders with literal variables; an unknown one outside a string becomes a string. */
export function renderTemplate(text: string, vars: Record<string, LiteralValue>): string {
  return text
    .split("\n")
    .map((line) =>
      line.replace(/\$\{\s*([A-Za-z_][\w-]*)\s*\}/g, (match, name: string, at: number) => {
        const value = vars[name];
        if (isScalar(value)) return String(value);
        return insideString(line, at) ? match : JSON.stringify(match);
      }),
    )
    .join("\n");
}

/** The object literal after `name =` at the top level of a block body (`vars = { … }`). */
function objectAttribute(body: string, name: string): Record<string, LiteralValue> {
  const match = new RegExp(`^[ \\t]*${name}[ \\t]*=[ \\t]*\\{`, "m").exec(body);
  if (!match) return {};
  const value = readHclLiteral(body.slice(match.index + match[0].length - 1));
  return value && typeof value === "object" && !Array.isArray(value) && !("$expr" in value)
    ? (value as Record<string, LiteralValue>)
    : {};
}

/** The `data "template_file"` blocks of one file's text, by name. */
export function collectTemplateSources(
  text: string,
  blocks: readonly BlockHeader[],
  into: Map<string, TemplateSource>,
): void {
  for (const block of blocks) {
    if (block.keyword !== "data" || block.labels[0] !== "template_file" || block.labels.length !== 2) continue;
    const body = text.slice(block.bodyStart, block.bodyEnd);
    const template = /^[ \t]*template[ \t]*=[ \t]*file\(\s*"((?:[^"\\]|\\.)*)"\s*\)/m.exec(body);
    if (!template) continue;
    into.set(block.labels[1]!, { path: template[1]!, vars: objectAttribute(body, "vars") });
  }
}

/** The literal variables of a template call, after module values are filled in. */
export function templateVars(
  vars: Record<string, LiteralValue>,
  values: ModuleValues | undefined,
): Record<string, LiteralValue> {
  return substituteModuleValues(vars, values) as Record<string, LiteralValue>;
}

/** The second argument of `templatefile("path", { … })`, as literals where they are. */
export function templatefileVars(argumentsText: string): Record<string, LiteralValue> {
  const path = /^\s*"(?:[^"\\]|\\.)*"\s*,/.exec(argumentsText);
  if (!path) return {};
  const value = readHclLiteral(argumentsText.slice(path[0].length));
  return value && typeof value === "object" && !Array.isArray(value) && !("$expr" in value)
    ? (value as Record<string, LiteralValue>)
    : {};
}
