import { indentationAt, lineStartOf, type TextEdit } from "./edits.js";
import { hasManualMarker, manualMarker } from "./transform.js";

/** Marker comments above the statements at `index`, skipping lines that already carry one (a second run adds none). */
export function markerEdits(
  code: string,
  sites: readonly { index: number; why: string }[],
  prefix: "#" | "//" = "#",
): TextEdit[] {
  const edits: TextEdit[] = [];
  const seen = new Set<number>();
  for (const site of sites) {
    const lineStart = lineStartOf(code, site.index);
    const previousLine = lineStart === 0 ? undefined : code.slice(lineStartOf(code, lineStart - 1), lineStart - 1);
    if (hasManualMarker(previousLine) || seen.has(lineStart)) continue;
    seen.add(lineStart);
    edits.push({
      start: lineStart,
      end: lineStart,
      text: `${indentationAt(code, lineStart)}${manualMarker(prefix, site.why)}\n`,
    });
  }
  return edits;
}

/** Every marker left in a file: the sites a person has to finish. */
export function findMarkers(code: string): { line: number; why: string }[] {
  const found: { line: number; why: string }[] = [];
  code.split("\n").forEach((line, i) => {
    if (!hasManualMarker(line)) return;
    found.push({ line: i + 2, why: line.slice(line.indexOf("—") + 1).trim() });
  });
  return found;
}
