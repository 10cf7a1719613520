import type { LiteralValue } from "../../core/types.js";

/**
 * Reads an HCL expression (the inside of `jsonencode(…)`, an object or list literal) into a JSON value.
 * What is not a literal (a variable, a function call, a conditional, a `for` expression) becomes
 * `{ $expr: "<source text>" }`; strings with `${…}` keep their text the same way.
 */
export function readHclLiteral(source: string): LiteralValue {
  const reader = new HclLiteralReader(source);
  const value = reader.value(["\0"]);
  return value;
}

class HclLiteralReader {
  private i = 0;

  constructor(private readonly text: string) {}

  private skipSpace(newlines: boolean): void {
    for (;;) {
      const ch = this.text[this.i];
      if (ch === " " || ch === "\t" || ch === "\r" || (newlines && ch === "\n")) this.i++;
      else if (ch === "#" || (ch === "/" && this.text[this.i + 1] === "/")) {
        while (this.i < this.text.length && this.text[this.i] !== "\n") this.i++;
      } else if (ch === "/" && this.text[this.i + 1] === "*") {
        const end = this.text.indexOf("*/", this.i + 2);
        this.i = end < 0 ? this.text.length : end + 2;
      } else return;
    }
  }

  /** Reads one value; `stops` are the characters that may follow it in its container. */
  value(stops: string[]): LiteralValue {
    this.skipSpace(true);
    const start = this.i;
    const primary = this.primary();
    this.skipSpace(false);
    const next = this.text[this.i] ?? "\0";
    if (primary !== undefined && (stops.includes(next) || next === "," || next === "\n" || this.i >= this.text.length))
      return primary;
    this.i = start;
    this.skipExpression(stops);
    return { $expr: this.text.slice(start, this.i).trim() };
  }

  private primary(): LiteralValue | undefined {
    const ch = this.text[this.i];
    if (ch === "{") return this.object();
    if (ch === "[") return this.tuple();
    if (ch === '"') return this.string();
    const word = /^(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)(?![\w.])/.exec(
      this.text.slice(this.i, this.i + 64),
    );
    if (word) {
      this.i += word[0].length;
      return word[1] === "true" ? true : word[1] === "false" ? false : word[1] === "null" ? null : Number(word[1]);
    }
    return undefined;
  }

  private object(): LiteralValue | undefined {
    const start = this.i;
    this.i++;
    this.skipSpace(true);
    if (/^for\s/.test(this.text.slice(this.i, this.i + 4))) {
      this.i = start;
      return undefined;
    }
    const out: Record<string, LiteralValue> = {};
    for (;;) {
      this.skipSpace(true);
      if (this.text[this.i] === "}") {
        this.i++;
        return out;
      }
      if (this.i >= this.text.length) return undefined;
      const key = this.key();
      if (key === undefined) {
        this.i = start;
        return undefined;
      }
      this.skipSpace(false);
      const separator = this.text[this.i];
      if (separator !== "=" && separator !== ":") {
        this.i = start;
        return undefined;
      }
      this.i++;
      out[key] = this.value(["}"]);
      this.skipSpace(false);
      if (this.text[this.i] === ",") this.i++;
    }
  }

  private key(): string | undefined {
    if (this.text[this.i] === '"') {
      const value = this.string();
      return typeof value === "string" ? value : undefined;
    }
    const match = /^[A-Za-z_][\w-]*/.exec(this.text.slice(this.i, this.i + 256));
    if (!match) return undefined;
    this.i += match[0].length;
    return match[0];
  }

  private tuple(): LiteralValue | undefined {
    const start = this.i;
    this.i++;
    this.skipSpace(true);
    if (/^for\s/.test(this.text.slice(this.i, this.i + 4))) {
      this.i = start;
      return undefined;
    }
    const out: LiteralValue[] = [];
    for (;;) {
      this.skipSpace(true);
      if (this.text[this.i] === "]") {
        this.i++;
        return out;
      }
      if (this.i >= this.text.length) return undefined;
      out.push(this.value(["]"]));
      this.skipSpace(true);
      if (this.text[this.i] === ",") this.i++;
    }
  }

  private string(): LiteralValue {
    const start = this.i;
    this.i++;
    let out = "";
    let templated = false;
    while (this.i < this.text.length) {
      const ch = this.text[this.i]!;
      if (ch === "\\") {
        const escaped = this.text[this.i + 1] ?? "";
        out += escaped === "n" ? "\n" : escaped === "t" ? "\t" : escaped === "r" ? "\r" : escaped;
        this.i += 2;
      } else if ((ch === "$" || ch === "%") && this.text[this.i + 1] === "{" && this.text[this.i - 1] !== ch) {
        templated = true;
        this.skipBalanced("{", "}", this.i + 1);
      } else if (ch === '"') {
        this.i++;
        break;
      } else {
        out += ch;
        this.i++;
      }
    }
    return templated ? { $expr: this.text.slice(start, this.i) } : out.replace(/\$\$\{/g, "${");
  }

  private skipBalanced(open: string, close: string, from: number): void {
    let depth = 0;
    this.i = from;
    while (this.i < this.text.length) {
      const ch = this.text[this.i]!;
      if (ch === '"' && depth > 0 && open === "{") {
        this.string();
        continue;
      }
      if (ch === open) depth++;
      else if (ch === close && --depth === 0) {
        this.i++;
        return;
      }
      this.i++;
    }
  }

  /** Skips an expression up to a separator or a closing bracket of the enclosing container. */
  private skipExpression(stops: string[]): void {
    let depth = 0;
    while (this.i < this.text.length) {
      const ch = this.text[this.i]!;
      if (ch === '"') {
        this.string();
        continue;
      }
      if (ch === "(" || ch === "[" || ch === "{") depth++;
      else if (ch === ")" || ch === "]" || ch === "}") {
        if (depth === 0) return;
        depth--;
      } else if (depth === 0 && (ch === "," || ch === "\n" || stops.includes(ch))) {
        const continued =
          /[?:|&+\-*/=<>!]\s*$/.test(this.text.slice(Math.max(0, this.i - 40), this.i)) ||
          /^\s*[?:|&+\-*/=<>!]/.test(this.text.slice(this.i + 1, this.i + 40));
        if (ch === "\n" && continued) {
          this.i++;
          continue;
        }
        return;
      }
      this.i++;
    }
  }
}

/** The argument text of a call `name(…)` that makes up the whole expression, if it is one. */
export function callArgument(expression: string, name: string): string | undefined {
  const trimmed = expression.trim();
  if (!trimmed.startsWith(`${name}(`) || !trimmed.endsWith(")")) return undefined;
  let depth = 0;
  for (let i = name.length; i < trimmed.length; i++) {
    const ch = trimmed[i];
    if (ch === "(") depth++;
    else if (ch === ")" && --depth === 0)
      return i === trimmed.length - 1 ? trimmed.slice(name.length + 1, -1) : undefined;
  }
  return undefined;
}
