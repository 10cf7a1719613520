import type { LiteralValue } from "../core/types.js";
import type { ResourceReference } from "./types.js";

export type LiteralObject = { [key: string]: LiteralValue };

/** A value only known at deploy or run time, as the scanners write it: `{ $expr: "<source text>" }`. */
export function isExpression(value: LiteralValue | undefined): value is { $expr: LiteralValue } {
  return typeof value === "object" && value !== null && !Array.isArray(value) && "$expr" in value;
}

export function expressionText(value: LiteralValue): string {
  if (isExpression(value)) return typeof value.$expr === "string" ? value.$expr : JSON.stringify(value.$expr);
  return typeof value === "string" ? value : JSON.stringify(value);
}

export function isObject(value: LiteralValue | undefined): value is LiteralObject {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !isExpression(value);
}

/** Key spelling shared by the API (camelCase), CloudFormation (PascalCase) and Terraform (snake_case). */
function keyOf(name: string): string {
  return name.replace(/_/g, "").toLowerCase();
}

/**
 * Reads the values of one declaration whatever its source spelled the keys, and records which of them are only
 * known at deploy time.
 */
export class PropertyReader {
  constructor(
    private readonly prefix = "",
    readonly unresolved = new Set<string>(),
  ) {}

  /** A reader for a nested object whose unresolved names are recorded under `name.`. */
  child(name: string): PropertyReader {
    return new PropertyReader(this.path(name), this.unresolved);
  }

  path(name: string): string {
    return this.prefix ? `${this.prefix}.${name}` : name;
  }

  /** The raw value of the first of `names` present in `object`; a Terraform block (a one-item list) is unwrapped. */
  raw(object: LiteralObject | undefined, ...names: string[]): LiteralValue | undefined {
    if (!object) return undefined;
    const wanted = names.map(keyOf);
    for (const [key, value] of Object.entries(object)) {
      if (wanted.includes(keyOf(key))) return value;
    }
    return undefined;
  }

  private known(value: LiteralValue | undefined, name: string): LiteralValue | undefined {
    if (isExpression(value)) {
      this.unresolved.add(this.path(name));
      return undefined;
    }
    return value;
  }

  object(object: LiteralObject | undefined, name: string, ...aliases: string[]): LiteralObject | undefined {
    let value = this.known(this.raw(object, name, ...aliases), name);
    if (Array.isArray(value) && value.length === 1) value = value[0];
    if (isExpression(value)) {
      this.unresolved.add(this.path(name));
      return undefined;
    }
    return isObject(value) ? value : undefined;
  }

  list(object: LiteralObject | undefined, name: string, ...aliases: string[]): LiteralValue[] | undefined {
    const value = this.known(this.raw(object, name, ...aliases), name);
    return Array.isArray(value) ? value : isObject(value) ? [value] : undefined;
  }

  string(object: LiteralObject | undefined, name: string, ...aliases: string[]): string | undefined {
    const value = this.known(this.raw(object, name, ...aliases), name);
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    return undefined;
  }

  number(object: LiteralObject | undefined, name: string, ...aliases: string[]): number | undefined {
    const value = this.known(this.raw(object, name, ...aliases), name);
    return toNumber(value, () => this.unresolved.add(this.path(name)));
  }

  boolean(object: LiteralObject | undefined, name: string, ...aliases: string[]): boolean | undefined {
    const value = this.known(this.raw(object, name, ...aliases), name);
    if (typeof value === "boolean") return value;
    if (value === "true" || value === "false") return value === "true";
    return undefined;
  }

  strings(object: LiteralObject | undefined, name: string, ...aliases: string[]): string[] | undefined {
    const value = this.list(object, name, ...aliases);
    if (!value) return undefined;
    const strings: string[] = [];
    for (const item of value) {
      if (typeof item === "string" || typeof item === "number") strings.push(String(item));
      else {
        this.unresolved.add(this.path(name));
        return undefined;
      }
    }
    return strings;
  }

  /** A `{ key: value }` map, or a `[{ name, value }]` list as the API writes environments. */
  map(object: LiteralObject | undefined, name: string, ...aliases: string[]): Record<string, string> | undefined {
    const value = this.known(this.raw(object, name, ...aliases), name);
    if (value === undefined || value === null) return undefined;
    const map: Record<string, string> = {};
    const entries: [LiteralValue, LiteralValue][] = Array.isArray(value)
      ? value
          .filter(isObject)
          .map((entry) => [this.raw(entry, "name", "key") ?? null, this.raw(entry, "value") ?? null])
      : isObject(value)
        ? Object.entries(value)
        : [];
    if (!Array.isArray(value) && !isObject(value)) return undefined;
    for (const [key, item] of entries) {
      if (typeof key !== "string") continue;
      if (isExpression(item) || isObject(item) || Array.isArray(item)) this.unresolved.add(this.path(`${name}.${key}`));
      else if (item !== null) map[key] = String(item);
    }
    return map;
  }

  /** A reference to another resource: literal when it is a plain name or ARN. */
  reference(object: LiteralObject | undefined, name: string, ...aliases: string[]): ResourceReference | undefined {
    const value = this.raw(object, name, ...aliases);
    return value === undefined || value === null ? undefined : toReference(value);
  }
}

export function toReference(value: LiteralValue): ResourceReference {
  if (typeof value === "string") return { value, literal: true };
  return { value: expressionText(value), literal: false };
}

function toNumber(value: LiteralValue | undefined, onUnreadable: () => void): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "") {
    const number = Number(value);
    if (Number.isFinite(number)) return number;
    onUnreadable();
  }
  return undefined;
}

/** Drops the keys whose value is undefined, so that property bags compare and serialise cleanly. */
export function compact<T extends object>(object: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) if (value !== undefined) out[key] = value;
  return out as T;
}
