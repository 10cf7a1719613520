/** The code cells of a Jupyter notebook as one Python text, with each line's line in the .ipynb file. */
export interface NotebookCode {
  text: string;
  /** 0-based line of the code text → 1-based line of the notebook file. */
  lineMap: number[];
}

interface Cell {
  cell_type?: string;
  source?: string | string[];
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

function lineAt(starts: number[], offset: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid]! <= offset) low = mid;
    else high = mid - 1;
  }
  return low + 1;
}

/**
 * Offsets of the string elements of the JSON array (or the one string) that follows the `"source"` key at `at`,
 * found by walking the text once: a search per element for its re-encoded text went to the end of the file for
 * every element written with other escapes, and many lines made that quadratic.
 */
function elementOffsets(json: string, at: number): { offsets: number[]; end: number } {
  const offsets: number[] = [];
  let i = at + '"source"'.length;
  const skipSpace = () => {
    while (i < json.length && /\s/.test(json[i]!)) i++;
  };
  skipSpace();
  if (json[i] !== ":") return { offsets, end: i };
  i++;
  skipSpace();
  const inArray = json[i] === "[";
  if (inArray) i++;
  for (;;) {
    skipSpace();
    if (json[i] !== '"') break;
    offsets.push(i);
    for (i++; i < json.length && json[i] !== '"'; i++) if (json[i] === "\\") i++;
    i++;
    if (!inArray) break;
    skipSpace();
    if (json[i] !== ",") break;
    i++;
  }
  return { offsets, end: i };
}

/** Extracts code cells; IPython magics and shell escapes become comments so the code still parses. */
export function extractNotebookCode(json: string): NotebookCode | undefined {
  let cells: Cell[];
  try {
    const parsed = JSON.parse(json) as { cells?: Cell[] };
    if (!Array.isArray(parsed.cells)) return undefined;
    cells = parsed.cells;
  } catch {
    return undefined;
  }
  const starts = lineStarts(json);
  const lines: string[] = [];
  const lineMap: number[] = [];
  let cursor = 0;
  let sourcesLeft = true;
  for (const cell of cells) {
    const sourceAt = sourcesLeft ? json.indexOf('"source"', cursor) : -1;
    if (sourceAt === -1) sourcesLeft = false;
    const source = Array.isArray(cell.source) ? cell.source : (cell.source ?? "").split(/(?<=\n)/);
    let elementLines: number[] = [];
    if (sourceAt !== -1) {
      const { offsets, end } = elementOffsets(json, sourceAt);
      elementLines = offsets.map((offset) => lineAt(starts, offset));
      if (elementLines.length === 0) elementLines = [lineAt(starts, sourceAt)];
      cursor = end;
    }
    if (cell.cell_type !== "code") continue;
    // Where each element ends in the cell's text, so that each line is given the element it starts in.
    const elementEnds: number[] = [];
    let length = 0;
    for (const element of source) elementEnds.push((length += String(element).length));
    let element = 0;
    let consumed = 0;
    for (const line of source.join("").split("\n")) {
      lines.push(/^\s*[%!]/.test(line) ? `# ${line}` : line);
      lineMap.push(elementLines[Math.min(element, elementLines.length - 1)] ?? lineMap.at(-1) ?? 1);
      consumed += line.length + 1;
      while (element < source.length - 1 && consumed >= elementEnds[element]!) element++;
    }
    lines.push("");
    lineMap.push(lineMap.at(-1) ?? 1);
  }
  return { text: lines.join("\n"), lineMap };
}
