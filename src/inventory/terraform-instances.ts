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

/** The value of `count.index`, `each.key`, `each.value`, `each.value.a.b` / `each.value["a"]` for one instance. */
function lookup(reference: string, instance: TerraformInstance): LiteralValue | undefined {
  // Type conversions keep the value: `tostring(each.value.vcpu)`, `tonumber(…)`.
  const converted = /^(tostring|tonumber)\(([\s\S]*)\)$/.exec(reference.trim());
  if (converted) {
    const inner = lookup(converted[2]!, instance);
    if (inner === undefined || isExpression(inner) || isObject(inner) || Array.isArray(inner)) return undefined;
    return converted[1] === "tostring" ? String(inner) : Number(inner);
  }
  const ref = reference.trim();
  if (ref === "count.index") return instance.index;
  if (ref === "each.key") return instance.key;
  const path = /^each\.value((?:\.[\w-]+|\["[^"]+"\])*)$/.exec(ref);
  if (!path) return undefined;
  let value: LiteralValue | undefined = instance.value;
  for (const part of path[1]!.match(/\.[\w-]+|\["[^"]+"\]/g) ?? []) {
    const key = part.startsWith(".") ? part.slice(1) : part.slice(2, -2);
    value = isObject(value) && !isExpression(value) ? value[key] : undefined;
  }
  return value;
}

/** Attributes of one instance: `count.index` and `each.*` replaced by their values where they are known. */
export function instanceAttributes<T extends LiteralValue>(value: T, instance: TerraformInstance): T {
  const walk = (item: LiteralValue): LiteralValue => {
    if (typeof item === "string") {
      const whole = /^\$\{([^{}]*)\}$/.exec(item.trim());
      if (whole) {
        const found = lookup(whole[1]!, instance);
        if (found !== undefined && !isExpression(found)) return found;
      }
      return item.replace(/\$\{([^{}]*)\}/g, (match, ref: string) => {
        const found = lookup(ref, instance);
        return typeof found === "string" || typeof found === "number" ? String(found) : match;
      });
    }
    if (isExpression(item) && typeof item.$expr === "string") {
      const found = lookup(item.$expr, instance);
      return found !== undefined ? found : item;
    }
    if (Array.isArray(item)) return item.map(walk);
    if (isObject(item)) return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, walk(v)]));
    return item;
  };
  return walk(value) as T;
}
