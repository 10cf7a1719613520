/*
 * Repository-derived text (file names, resource names, messages that quote them) is untrusted: it may hold control
 * characters, line breaks or markup. Every text format passes it through one of these before printing it.
 */

// oxlint-disable-next-line no-control-regex -- these are the characters being escaped
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069]/g;

/** Control, bidi-override and zero-width characters shown as `\u{…}` escapes; line breaks and tabs as spaces. */
export function visible(text: string): string {
  return text.replace(/[\r\n\t]+/g, " ").replace(CONTROL, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}

/**
 * Text that renders literally in GitHub-flavoured markdown, on one line, also inside a table cell. It is always
 * placed after other text on its line (a list marker, a cell border), so line-start markup cannot apply.
 */
export function markdownText(text: string): string {
  return visible(text).replace(/[\\`*_[\]<>|~&]/g, (c) => `\\${c}`);
}

/** Text for an HTML text node or a quoted attribute. */
export function htmlText(text: string): string {
  return visible(text)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** A repository path as a relative URL: every segment percent-encoded, so it cannot leave the link. */
export function pathUrl(path: string): string {
  return path
    .split("/")
    .map((segment) => encodeURIComponent(segment))
    .join("/");
}
