// Input variables with a literal `default` and `locals` with literal values, per module directory, and the
// substitution of whole references to them (`var.vcpus`, `tostring(var.memory)`, `local.image`) in the attributes
// of Batch resources. A module's defaults are what `terraform plan` uses when no caller or tfvars overrides them,
// which is what most job definitions are sized by. Interpolated strings (`"${var.prefix}-job"`) are left as they are.
// https://developer.hashicorp.com/terraform/language/values/variables#default-values
import type { LiteralValue } from "../../core/types.js";
import { isExpression } from "../../inventory/index.js";
import type { BlockHeader } from "./blocks.js";
import { readHclLiteral } from "./hcl-literal.js";

/** Literal values of `var.<name>` and `local.<name>` in one module directory. */
export interface ModuleValues {
  vars: Map<string, LiteralValue>;
  locals: Map<string, LiteralValue>;
}

type Scalar = string | number | boolean;

function isScalar(value: LiteralValue | undefined): value is Scalar {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean";
}

/** Brace depth of `text` outside strings and comments (HCL heredocs are rare in variable bodies and ignored). */
function depthAt(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      for (i++; i < text.length && text[i] !== '"' && text[i] !== "\n"; i++) if (text[i] === "\\") i++;
    } else if (ch === "#" || (ch === "/" && text[i + 1] === "/")) {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (ch === "{" || ch === "[") depth++;
    else if (ch === "}" || ch === "]") depth--;
  }
  return depth;
}

/** The top-level `name = value` attributes of a block body whose value is a scalar literal. */
function literalAttributes(body: string, only?: string): Map<string, Scalar> {
  const out = new Map<string, Scalar>();
  const attribute = /^[ \t]*([A-Za-z_][\w-]*)[ \t]*=(?!=)/gm;
  for (let match = attribute.exec(body); match; match = attribute.exec(body)) {
    const name = match[1]!;
    if ((only && name !== only) || out.has(name) || depthAt(body.slice(0, match.index)) !== 0) continue;
    const rest = body.slice(match.index + match[0].length);
    const line = rest.slice(0, rest.search(/\n|$/));
    const value = readHclLiteral(line);
    if (isScalar(value)) out.set(name, value);
  }
  return out;
}

/** Reads the `variable` and `locals` blocks of one file's text into `into`. */
export function collectModuleValues(text: string, blocks: readonly BlockHeader[], into: ModuleValues): void {
  for (const block of blocks) {
    const body = text.slice(block.bodyStart, block.bodyEnd);
    if (block.keyword === "variable" && block.labels.length === 1) {
      const value = literalAttributes(body, "default").get("default");
      if (value !== undefined && !into.vars.has(block.labels[0]!)) into.vars.set(block.labels[0]!, value);
    } else if (block.keyword === "locals") {
      for (const [name, value] of literalAttributes(body)) if (!into.locals.has(name)) into.locals.set(name, value);
    }
  }
}

const REFERENCE = /^(?:(tostring|tonumber)\(\s*)?(var|local)\.([A-Za-z_][\w-]*)(?:\s*\))?$/;

/** The literal a whole reference stands for, converted as `tostring`/`tonumber` would. */
function referenced(expression: string, values: ModuleValues): LiteralValue | undefined {
  const match = REFERENCE.exec(expression.trim());
  if (!match) return undefined;
  const [, convert, scope, name] = match;
  // `tostring(var.x` without its parenthesis, or `var.x)` without the call, is not a reference.
  if ((convert === undefined) !== !expression.includes(")")) return undefined;
  const value = (scope === "var" ? values.vars : values.locals).get(name!);
  if (!isScalar(value)) return undefined;
  if (convert === "tostring") return String(value);
  if (convert === "tonumber") {
    const number = Number(value);
    return Number.isFinite(number) ? number : undefined;
  }
  return value;
}

/**
 * The attributes with every whole reference to a module value replaced by its literal: `{ $expr: "var.x" }` as read
 * from `jsonencode(…)`, and `"${var.x}"` as hcl2json writes a top-level attribute.
 */
export function substituteModuleValues(value: LiteralValue, values: ModuleValues | undefined): LiteralValue {
  if (!values || (values.vars.size === 0 && values.locals.size === 0)) return value;
  if (typeof value === "string") {
    const whole = /^\$\{([^{}]*)\}$/.exec(value);
    return (whole && referenced(whole[1]!, values)) ?? value;
  }
  if (Array.isArray(value)) return value.map((item) => substituteModuleValues(item, values));
  if (isExpression(value)) {
    const expression = value.$expr;
    return (typeof expression === "string" && referenced(expression, values)) ?? value;
  }
  if (value && typeof value === "object") {
    const out: Record<string, LiteralValue> = {};
    for (const [key, item] of Object.entries(value)) out[key] = substituteModuleValues(item, values);
    return out;
  }
  return value;
}
