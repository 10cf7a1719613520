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
  for (const cell of cells) {
    const sourceAt = json.indexOf('"source"', cursor);
    if (sourceAt !== -1) cursor = sourceAt;
    const source = Array.isArray(cell.source) ? cell.source : (cell.source ?? "").split(/(?<=\n)/);
    const sourceLines = source.join("").split("\n");
    let lineCursor = cursor;
    const elementLines = source.map((element) => {
      const at = json.indexOf(JSON.stringify(element), lineCursor);
      if (at === -1) return lineAt(starts, lineCursor);
      lineCursor = at + 1;
      return lineAt(starts, at);
    });
    cursor = Math.max(cursor, lineCursor);
    if (cell.cell_type !== "code") continue;
    let element = 0;
    let consumed = 0;
    for (const line of sourceLines) {
      lines.push(/^\s*[%!]/.test(line) ? `# ${line}` : line);
      lineMap.push(elementLines[element] ?? elementLines.at(-1) ?? 1);
      consumed += line.length + 1;
      while (element < source.length - 1 && consumed >= source.slice(0, element + 1).join("").length) element++;
    }
    lines.push("");
    lineMap.push(lineMap.at(-1) ?? 1);
  }
  return { text: lines.join("\n"), lineMap };
}
