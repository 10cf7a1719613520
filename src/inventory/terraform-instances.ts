import type { LiteralValue } from "../core/types.js";
import { isExpression, isObject, type LiteralObject } from "./values.js";

/** One instance of a resource block with `count` or `for_each`: its address suffix and what `count.*`/`each.*` are. */
export interface TerraformInstance {
  /** `[0]`, `["gpu"]`. */
  suffix: string;
  index?: number;
  key?: string;
  value?: LiteralValue;
}

/** How many instances a block declares: listed when `count`/`for_each` is literal, else the expression as written. */
export type TerraformExpansion = { instances: TerraformInstance[] } | { expression: string } | undefined;

const MAX_INSTANCES = 256;

function expressionText(value: LiteralValue): string | undefined {
  if (typeof value === "string") {
    const whole = /^\$\{([\s\S]*)\}$/.exec(value.trim());
    return whole ? whole[1]!.trim() : undefined;
  }
  if (isExpression(value)) return typeof value.$expr === "string" ? value.$expr : JSON.stringify(value.$expr);
  return undefined;
}

/** `toset(["a", "b"])` or `["a", "b"]` written inline: the strings; undefined for anything else. */
function literalSet(expression: string): string[] | undefined {
  const inner = /^(?:toset\(\s*)?\[([^\]]*)\]\s*\)?$/.exec(expression.trim());
  if (!inner) return undefined;
  const items = inner[1]!
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const strings = items.map((item) => /^"((?:[^"\\]|\\.)*)"$/.exec(item)?.[1]);
  return strings.every((s): s is string => s !== undefined) ? strings : undefined;
}

/** The instances of a block from its `count` or `for_each` attribute (hcl2json form). */
export function terraformExpansion(attributes: LiteralObject | undefined): TerraformExpansion {
  const count = attributes?.count;
  if (count !== undefined) {
    const literal =
      typeof count === "number" ? count : typeof count === "string" && /^\d+$/.test(count) ? Number(count) : undefined;
    const text = expressionText(count);
    const fromText = text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
    const n = literal ?? fromText;
    if (n === undefined) return { expression: `count = ${text ?? JSON.stringify(count)}` };
    return {
      instances: Array.from({ length: Math.min(n, MAX_INSTANCES) }, (_, index) => ({ suffix: `[${index}]`, index })),
    };
  }
  const forEach = attributes?.for_each;
  if (forEach === undefined) return undefined;
  if (isObject(forEach) && !isExpression(forEach))
    return {
      instances: Object.entries(forEach)
        .slice(0, MAX_INSTANCES)
        .map(([key, value]) => ({ suffix: `[${JSON.stringify(key)}]`, key, value })),
    };
  if (Array.isArray(forEach) && forEach.every((v) => typeof v === "string"))
    return {
      instances: (forEach as string[])
        .slice(0, MAX_INSTANCES)
        .map((key) => ({ suffix: `[${JSON.stringify(key)}]`, key, value: key })),
    };
  const text = expressionText(forEach) ?? JSON.stringify(forEach);
  const set = literalSet(text);
  if (set)
    return {
      instances: set.slice(0, MAX_INSTANCES).map((key) => ({ suffix: `[${JSON.stringify(key)}]`, key, value: key })),
    };
  return { expression: `for_each = ${text}` };
}

/**
 * The value of `count.index`, `each.key`, `each.value`, `each.value.a.b` / `each.value["a"]` for one instance; in a
 * `dynamic` block's content the iterator stands where `each` does (`compute_resources.value`, `rs.key`).
 */
function lookup(reference: string, instance: TerraformInstance, iterator = "each"): LiteralValue | undefined {
  // Type conversions keep the value: `tostring(each.value.vcpu)`, `tonumber(…)`.
  const converted = /^(tostring|tonumber)\(([\s\S]*)\)$/.exec(reference.trim());
  if (converted) {
    const inner = lookup(converted[2]!, instance, iterator);
    if (inner === undefined || isExpression(inner) || isObject(inner) || Array.isArray(inner)) return undefined;
    return converted[1] === "tostring" ? String(inner) : Number(inner);
  }
  const ref = reference.trim();
  if (iterator === "each" && ref === "count.index") return instance.index;
  if (ref === `${iterator}.key`) return instance.key ?? instance.index;
  const path = new RegExp(`^${iterator}\\.value((?:\\.[\\w-]+|\\["[^"]+"\\])*)$`).exec(ref);
  if (!path) return undefined;
  let value: LiteralValue | undefined = instance.value;
  for (const part of path[1]!.match(/\.[\w-]+|\["[^"]+"\]/g) ?? []) {
    const key = part.startsWith(".") ? part.slice(1) : part.slice(2, -2);
    value = isObject(value) && !isExpression(value) ? value[key] : undefined;
  }
  return value;
}

/** Attributes of one instance: `count.index` and `each.*` (or a dynamic block's iterator) replaced where known. */
export function instanceAttributes<T extends LiteralValue>(
  value: T,
  instance: TerraformInstance,
  iterator = "each",
): T {
  const walk = (item: LiteralValue): LiteralValue => {
    if (typeof item === "string") {
      const whole = /^\$\{([^{}]*)\}$/.exec(item.trim());
      if (whole) {
        const found = lookup(whole[1]!, instance, iterator);
        if (found !== undefined && !isExpression(found)) return found;
      }
      return item.replace(/\$\{([^{}]*)\}/g, (match, ref: string) => {
        const found = lookup(ref, instance, iterator);
        return typeof found === "string" || typeof found === "number" ? String(found) : match;
      });
    }
    if (isExpression(item) && typeof item.$expr === "string") {
      const found = lookup(item.$expr, instance, iterator);
      return found !== undefined ? found : item;
    }
    if (Array.isArray(item)) return item.map(walk);
    if (isObject(item)) return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, walk(v)]));
    return item;
  };
  return walk(value) as T;
}

/** A `dynamic` block whose `for_each` is known only at plan time: its label and the expression as written. */
export interface UnexpandedDynamicBlock {
  block: string;
  forEach: string;
}

/**
 * Expands the `dynamic "label" { for_each = …; iterator = …; content { … } }` blocks of a resource (hcl2json puts them
 * under `dynamic`) into the nested blocks Terraform would generate, nested ones included. A literal `for_each` gives
 * one block per element, the iterator replaced; one known only at plan time gives its content once, listed in
 * `unexpanded` so the report can say the count is not literal.
 */
export function expandDynamicBlocks(attributes: LiteralObject): {
  attributes: LiteralObject;
  unexpanded: UnexpandedDynamicBlock[];
} {
  const unexpanded: UnexpandedDynamicBlock[] = [];
  const expand = (object: LiteralObject, depth: number): LiteralObject => {
    if (depth > 8) return object;
    const { dynamic, ...rest } = object;
    const out: LiteralObject = {};
    for (const [key, value] of Object.entries(rest))
      out[key] = Array.isArray(value)
        ? value.map((item) => (isObject(item) && !isExpression(item) ? expand(item, depth + 1) : item))
        : value;
    if (!isObject(dynamic) || isExpression(dynamic)) return out;
    for (const [label, declarations] of Object.entries(dynamic)) {
      const generated: LiteralValue[] = [];
      for (const declaration of Array.isArray(declarations) ? declarations : [declarations]) {
        if (!isObject(declaration)) continue;
        const content = Array.isArray(declaration.content) ? declaration.content[0] : declaration.content;
        if (!isObject(content)) continue;
        const named =
          typeof declaration.iterator === "string" ? /^\$\{(\w+)\}$/.exec(declaration.iterator)?.[1] : undefined;
        const iterator = named ?? label;
        const forEach = declaration.for_each;
        // A dynamic block iterates any list (a resource's for_each takes only maps and sets of strings).
        const expansion: TerraformExpansion =
          Array.isArray(forEach) && !forEach.some(isExpression)
            ? {
                instances: forEach
                  .slice(0, MAX_INSTANCES)
                  .map((value, index) => ({ suffix: `[${index}]`, index, value })),
              }
            : terraformExpansion({ for_each: forEach ?? null });
        if (expansion && "instances" in expansion) {
          for (const instance of expansion.instances)
            generated.push(expand(instanceAttributes(content, instance, iterator), depth + 1));
        } else {
          const written = expansion && "expression" in expansion ? expansion.expression : "for_each = ?";
          unexpanded.push({ block: label, forEach: written.replace(/^for_each = /, "") });
          generated.push(expand(content, depth + 1));
        }
      }
      const existing = out[label];
      out[label] = [...(Array.isArray(existing) ? existing : existing === undefined ? [] : [existing]), ...generated];
    }
    return out;
  };
  return { attributes: expand(attributes, 0), unexpanded };
}
