/** The word that silences a finding when it sits in a comment on the finding's line or the line above. */
const MARKER = "migrate-ignore";
const COMMENT_STARTS = ["#", "//", "/*"];

/**
 * Where the earliest comment start of a line ends, or -1. Searched with indexOf rather than a pattern like
 * `(#|\/\/|\/\*).*migrate-ignore`, which backtracks over the rest of the line at every `#` it meets: a long line
 * of them took seconds.
 */
function commentEnd(line: string): number {
  let end = -1;
  for (const start of COMMENT_STARTS) {
    const at = line.indexOf(start);
    if (at !== -1 && (end === -1 || at + start.length < end)) end = at + start.length;
  }
  return end;
}

/** `# migrate-ignore`, `// migrate-ignore` or `/* migrate-ignore` anywhere in the line. */
function hasTrailingMarker(line: string): boolean {
  const at = line.lastIndexOf(MARKER);
  if (at === -1) return false;
  const end = commentEnd(line);
  return end !== -1 && end <= at;
}

/** A line that is only a comment holding the marker. */
function isMarkerComment(line: string): boolean {
  const code = line.trimStart();
  const start = COMMENT_STARTS.find((candidate) => code.startsWith(candidate));
  return start !== undefined && code.indexOf(MARKER, start.length) !== -1;
}

/** Answers by file and line: a long line holding thousands of findings (minified JSON) is searched once. */
const answers = new WeakMap<readonly string[], Map<number, boolean>>();

/** Whether `migrate-ignore` silences a finding on 1-based `line` of a file split into `lines`. */
export function isSuppressedAt(lines: readonly string[], line: number): boolean {
  let byLine = answers.get(lines);
  if (!byLine) answers.set(lines, (byLine = new Map()));
  let answer = byLine.get(line);
  if (answer === undefined) {
    answer = isSuppressedBy(lines[line - 1] ?? "", lines[line - 2] ?? "");
    byLine.set(line, answer);
  }
  return answer;
}

/** Whether `migrate-ignore` silences a finding on a line, given that line and the one above it. */
export function isSuppressedBy(own: string, above: string): boolean {
  return hasTrailingMarker(own) || isMarkerComment(above);
}
