import jscodeshift, { type API, type Collection, type JSCodeshift } from "jscodeshift";

/**
 * A Babel AST node as jscodeshift's parsers return it. Its published types model ast-types, not Babel's
 * `start`/`end` offsets we edit by, so nodes are read structurally.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JsNode = any;

export interface ParsedJs {
  api: JSCodeshift;
  root: Collection;
}

const PARSERS = new Map<string, JSCodeshift>();

function parserFor(path: string): JSCodeshift {
  const name = /\.(ts|mts|cts)$/.test(path) ? "ts" : "tsx";
  let parser = PARSERS.get(name);
  if (!parser) {
    parser = jscodeshift.withParser(name);
    PARSERS.set(name, parser);
  }
  return parser;
}

/** Parses JS or TS with the parser jscodeshift would pick for the extension. Throws on a syntax error. */
export function parseJs(code: string, path: string): ParsedJs {
  const api = parserFor(path);
  // recast expands tabs in columns and shifts Babel's offsets with them unless a tab is one column wide.
  return { api, root: api(code, { tabWidth: 1 }) };
}

export type { API };

export interface JsStyle {
  quote: "'" | '"';
  semicolon: boolean;
}

/** The file's own quote and semicolon habits, measured on its imports and statements. */
export function detectJsStyle(code: string, root: Collection): JsStyle {
  let single = 0;
  let double = 0;
  let withSemicolon = 0;
  let without = 0;
  root.find(jscodeshift.Literal).forEach((path) => {
    const node = path.node as JsNode;
    if (typeof node.value !== "string" || node.start === undefined) return;
    if (code[node.start] === "'") single++;
    else if (code[node.start] === '"') double++;
  });
  for (const statement of (root.get().node.program?.body ?? []) as JsNode[]) {
    if (statement.end === undefined) continue;
    const text = code.slice(statement.start, statement.end);
    if (/^(import|export\s+(const|let|var)|const|let|var)\b/.test(text) || statement.type === "ExpressionStatement") {
      if (text.endsWith(";")) withSemicolon++;
      else without++;
    }
  }
  return { quote: single > double ? "'" : '"', semicolon: withSemicolon >= without };
}
