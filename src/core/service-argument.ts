/** How far past a factory keyword the rest of its name may run: `aws` in `get_aws_client_for(` is 11 before `(`. */
const MAX_NAME_TAIL = 64;

function isWordCode(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}

function isSpaceCode(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13 || code === 11 || code === 12;
}

export interface ServiceArgumentOptions {
  /** Words one of which the name before the call or `=` must hold: `client`, `session`. */
  keywords: readonly string[];
  /** Whether the quotes may be escaped (`\"batch\"`), as in code inside a string. */
  escapedQuotes?: boolean;
}

/**
 * Whether the text hands the quoted service name to a function or name that holds one of the keywords:
 * `client("batch")`, `make_aws_client( 'batch'`, `service_name="batch"`. The same test as the pattern
 * `(?:client|…)\w{0,64}\s*(?:\(\s*|=\s*)["']batch["']`, worked backwards from each quoted name instead: the pattern
 * backtracks over every word at each keyword inside it, and a long word of keywords ("awsaws…") took seconds.
 * Each quoted name costs the spaces before it and a bounded look at the name, so the search is linear.
 */
export function passesServiceName(text: string, service: string, options: ServiceArgumentOptions): boolean {
  const longest = Math.max(...options.keywords.map((keyword) => keyword.length));
  for (let at = text.indexOf(service); at !== -1; at = text.indexOf(service, at + 1)) {
    const closing = at + service.length;
    const after = text[closing] === "\\" && options.escapedQuotes ? closing + 1 : closing;
    if (text[after] !== '"' && text[after] !== "'") continue;
    let i = at - 1;
    if (text[i] !== '"' && text[i] !== "'") continue;
    i--;
    if (options.escapedQuotes && text[i] === "\\") i--;
    while (i >= 0 && isSpaceCode(text.charCodeAt(i))) i--;
    if (text[i] !== "(" && text[i] !== "=") continue;
    i--;
    while (i >= 0 && isSpaceCode(text.charCodeAt(i))) i--;
    const end = i + 1;
    let start = end;
    while (start > 0 && end - start < MAX_NAME_TAIL + longest && isWordCode(text.charCodeAt(start - 1))) start--;
    const name = text.slice(start, end);
    for (const keyword of options.keywords) {
      const found = name.lastIndexOf(keyword);
      if (found !== -1 && name.length - (found + keyword.length) <= MAX_NAME_TAIL) return true;
    }
  }
  return false;
}
