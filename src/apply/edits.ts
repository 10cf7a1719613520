/** A replacement of `text[start, end)`, in JS string indices. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** Applies non-overlapping edits; overlapping ones are a bug in the transform, so they throw. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let result = "";
  let cursor = 0;
  for (const edit of sorted) {
    if (edit.start < cursor) throw new Error(`overlapping edits at ${edit.start}`);
    result += text.slice(cursor, edit.start) + edit.text;
    cursor = edit.end;
  }
  return result + text.slice(cursor);
}

/** 0-based index of the start of the line holding `index`. */
export function lineStartOf(text: string, index: number): number {
  return text.lastIndexOf("\n", index - 1) + 1;
}

export function indentationAt(text: string, index: number): string {
  const start = lineStartOf(text, index);
  return /^[ \t]*/.exec(text.slice(start))![0];
}

/** 1-based line number of a string index. */
export function lineNumberOf(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < index; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

/** The text of a line, by 0-based index of any character on it. */
export function lineAt(text: string, index: number): string {
  const start = lineStartOf(text, index);
  const end = text.indexOf("\n", start);
  return text.slice(start, end === -1 ? text.length : end);
}
