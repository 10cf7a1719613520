// Values from a scanned repository (job names, images, commands) land in generated shell, Dockerfile and markdown
// files. Each helper makes a value inert in one language: it cannot end its line, start an instruction or a
// markup element. JSON files are built with JSON.stringify, which is already safe.

// C0 controls, DEL, C1 controls and the Unicode line/paragraph separators: anything that can end a line or
// drive a terminal.
// oxlint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** `\n`, `\t`, `\u001b`…: the value stays on one line and shows what it held. */
export function visibleControls(text: string): string {
  return text.replace(CONTROL, (character) => {
    if (character === "\n") return "\\n";
    if (character === "\r") return "\\r";
    if (character === "\t") return "\\t";
    return `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}

/** A POSIX shell word that stays one argument whatever it holds. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Text for a `#` comment of a shell script or a Dockerfile: one line, whatever the value held. A Dockerfile
 * reads a trailing backslash as a line continuation in instructions, so none is left at the end.
 */
export function commentText(text: string): string {
  return visibleControls(text).replace(/\\+$/, (slashes) => `${slashes} `);
}

// A Docker image reference: [registry[:port]/]path[:tag][@digest], as `docker build` parses a `FROM` line.
const IMAGE_REFERENCE =
  /^[A-Za-z0-9][A-Za-z0-9._-]*(?::[0-9]+)?(?:\/[A-Za-z0-9]+(?:(?:[._]|__|-+)[A-Za-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$/;

/** Whether an image can stand in a `FROM` line as it is (a reference, not a second instruction or a flag). */
export function isImageReference(image: string): boolean {
  return image.length <= 512 && IMAGE_REFERENCE.test(image);
}

/** Markdown text: no line break, no emphasis, link, code, HTML or table cell border from the value. */
export function markdownText(text: string): string {
  return (
    visibleControls(text)
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/[\\`*[\]#!|~]/g, (character) => `\\${character}`)
      // Inside a word (`my_job`) an underscore cannot start emphasis; only at a word's edge is it escaped.
      .replace(/(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, "\\_")
  );
}

/**
 * An inline code span holding the value literally, fit for a table cell (a `|` is escaped, as GFM tables need
 * even inside code): fenced by more backticks than any run inside it.
 */
export function markdownCode(text: string): string {
  const visible = visibleControls(text).replace(/\|/g, "\\|");
  const longestRun = Math.max(0, ...[...visible.matchAll(/`+/g)].map((run) => run[0].length));
  const fence = "`".repeat(longestRun + 1);
  const pad = visible.startsWith("`") || visible.endsWith("`") ? " " : "";
  return `${fence}${pad}${visible}${pad}${fence}`;
}
