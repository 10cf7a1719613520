/** How a file was stored, so the runner can hand transforms LF text and write the result back the same way. */
export interface StoredForm {
  bom: boolean;
  crlf: boolean;
}

/** Strips a BOM and turns CRLF into LF when every line ends in CRLF (mixed files are handed over untouched). */
export function toWorkingText(stored: string): { text: string; form: StoredForm } {
  const bom = stored.startsWith("\uFEFF");
  const body = bom ? stored.slice(1) : stored;
  const crlfCount = body.split("\r\n").length - 1;
  const lfCount = body.split("\n").length - 1;
  const crlf = crlfCount > 0 && crlfCount === lfCount;
  return { text: crlf ? body.replace(/\r\n/g, "\n") : body, form: { bom, crlf } };
}

export function toStoredText(text: string, form: StoredForm): string {
  const body = form.crlf ? text.replace(/\r?\n/g, "\r\n") : text;
  return form.bom ? `\uFEFF${body}` : body;
}
