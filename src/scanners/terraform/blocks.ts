/** A top-level block of a Terraform file, located in its text. */
export interface BlockHeader {
  /** `resource`, `data`, `module`, `variable` or `locals`. */
  keyword: string;
  labels: string[];
  /** 1-based line of the header. */
  line: number;
  column: number;
  /** Offsets of the body, between the braces. */
  bodyStart: number;
  bodyEnd: number;
}

const HEADER = /^(resource|data|module|variable|locals)((?:\s+"[^"\n]*"|\s+[A-Za-z_][\w-]*)*)\s*\{/;

/**
 * Finds the top-level `resource`, `data`, `module`, `variable` and `locals` blocks of HCL text by walking it once, skipping
 * comments, strings and heredocs, so that commented-out blocks and `resource "…"` inside strings are not
 * headers. hcl2json drops positions; this is where the finding lines come from.
 */
export function findBlocks(text: string): BlockHeader[] {
  const blocks: BlockHeader[] = [];
  let depth = 0;
  let line = 1;
  let lineStart = 0;
  let open: { header: Omit<BlockHeader, "bodyEnd">; depth: number } | undefined;
  let atLineStart = true;
  const length = text.length;
  let i = 0;
  while (i < length) {
    const ch = text[i]!;
    if (ch === "\n") {
      line++;
      lineStart = i + 1;
      atLineStart = true;
      i++;
      continue;
    }
    if (ch === "#" || (ch === "/" && text[i + 1] === "/")) {
      const end = text.indexOf("\n", i);
      i = end < 0 ? length : end;
      continue;
    }
    if (ch === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      const stop = end < 0 ? length : end + 2;
      for (let j = i; j < stop; j++) {
        if (text[j] === "\n") {
          line++;
          lineStart = j + 1;
        }
      }
      i = stop;
      continue;
    }
    if (ch === '"') {
      i = skipString(text, i);
      continue;
    }
    if (ch === "<" && text[i + 1] === "<") {
      const heredoc = /^<<-?([A-Za-z_][\w]*)[ \t]*\n/.exec(text.slice(i, i + 200));
      if (heredoc) {
        const end = new RegExp(`\\n[ \\t]*${heredoc[1]}[ \\t]*(?=\\r?\\n|$)`).exec(
          text.slice(i + heredoc[0].length - 1),
        );
        const stop = end ? i + heredoc[0].length - 1 + end.index + end[0].length : length;
        for (let j = i; j < stop; j++) {
          if (text[j] === "\n") {
            line++;
            lineStart = j + 1;
          }
        }
        i = stop;
        continue;
      }
    }
    if (ch === "{") {
      depth++;
      i++;
      atLineStart = false;
      continue;
    }
    if (ch === "}") {
      depth--;
      if (open && depth === open.depth) {
        blocks.push({ ...open.header, bodyEnd: i });
        open = undefined;
      }
      i++;
      continue;
    }
    if (depth === 0 && atLineStart && /[a-z]/.test(ch)) {
      const match = HEADER.exec(text.slice(i, i + 400));
      if (match) {
        const labels = [...match[2]!.matchAll(/"([^"\n]*)"|([A-Za-z_][\w-]*)/g)].map((m) => m[1] ?? m[2]!);
        open = {
          header: { keyword: match[1]!, labels, line, column: i - lineStart + 1, bodyStart: i + match[0].length },
          depth: 0,
        };
        depth++;
        i += match[0].length;
        atLineStart = false;
        continue;
      }
    }
    if (ch !== " " && ch !== "\t" && ch !== "\r") atLineStart = false;
    i++;
  }
  return blocks;
}

/**
 * Skips a quoted HCL string, including `${…}` templates that may hold quoted strings of their own, nested to any
 * depth: a stack of what each open template holds rather than recursion, which ten thousand nested templates
 * overflowed (and lost the whole Terraform scan).
 */
function skipString(text: string, start: number): number {
  // One entry per open string: how many `${` are open inside it.
  const templates = [0];
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i]!;
    const depth = templates.length - 1;
    if (ch === "\\") i += 2;
    else if (ch === "$" && text[i + 1] === "{") {
      templates[depth]!++;
      i += 2;
    } else if (ch === "}" && templates[depth]! > 0) {
      templates[depth]!--;
      i++;
    } else if (ch === '"' && templates[depth]! > 0) {
      templates.push(0);
      i++;
    } else if (ch === '"' || ch === "\n") {
      templates.pop();
      i++;
      if (templates.length === 0) return i;
    } else i++;
  }
  return i;
}

/** The string value of a top-level `name = "…"` attribute of a block body. */
export function readStringAttribute(body: string, name: string): string | undefined {
  const match = new RegExp(`^[ \\t]*${name}[ \\t]*=[ \\t]*"([^"\\n]*)"`, "m").exec(body);
  return match?.[1];
}
