import path from "node:path";
import { diskPath } from "./discover.js";
import { decodeUtf8, FileReader } from "./read.js";
import type { Scanner, SourceFile } from "./scanner.js";
import type { SkippedFile } from "./types.js";

/** What reading one file gave: its text and the scanners that want it, or why it was skipped. */
export type Prefiltered =
  | {
      kind: "kept";
      path: string;
      text: string;
      /** Ids of the scanners whose prefilter passed: they scan the file. */
      scanning: string[];
      /** Ids of the scanners that read it for cross-file facts only. */
      reading: string[];
      /** For a file only one scanner reads, and that digests its context files: the digest, kept for the text. */
      digest?: string;
      /** What scanners' `indexFile` gave on the helper thread that read it, by scanner id. */
      indexes?: Record<string, unknown>;
    }
  | { kind: "skipped"; skipped: SkippedFile };

const needleBuffers = new WeakMap<readonly string[], Buffer[]>();

/** Whether the bytes contain one of the needles (true when there are none to check). */
function containsAny(bytes: Buffer, needles: readonly string[] | undefined): boolean {
  if (!needles) return true;
  let buffers = needleBuffers.get(needles);
  if (!buffers) needleBuffers.set(needles, (buffers = needles.map((needle) => Buffer.from(needle, "latin1"))));
  return buffers.some((needle) => bytes.includes(needle));
}

/**
 * Reads one file and asks each scanner that accepts its name whether it wants the content. Files nobody wants are
 * dropped without being decoded; the rest are decoded as UTF-8 once.
 */
export function prefilterFile(
  reader: FileReader,
  root: string,
  relPath: string,
  scanners: readonly Scanner[],
): Prefiltered | undefined {
  const outcome = reader.read(diskPath(root, relPath), relPath);
  if (!outcome.ok) return { kind: "skipped", skipped: outcome.skipped };
  const bytes = outcome.bytes;
  let latin1: string | undefined;
  const asLatin1 = () => (latin1 ??= bytes.toString("latin1"));
  const scanning: string[] = [];
  const reading: string[] = [];
  let contextReader: Scanner | undefined;
  for (const scanner of scanners) {
    if (!scanner.accepts(relPath)) continue;
    if (containsAny(bytes, scanner.needles) && scanner.prefilter(asLatin1(), relPath)) scanning.push(scanner.id);
    else if (scanner.context && containsAny(bytes, scanner.contextNeedles) && scanner.context(asLatin1(), relPath)) {
      reading.push(scanner.id);
      contextReader = scanner;
    }
  }
  if (scanning.length === 0 && reading.length === 0) return undefined;
  const text = decodeUtf8(bytes);
  if (text !== undefined && scanning.length === 0 && reading.length === 1 && contextReader!.digestContext) {
    const digest = contextReader!.digestContext(text, relPath);
    return digest ? { kind: "kept", path: relPath, text: "", scanning, reading, digest } : undefined;
  }
  if (text !== undefined) return { kind: "kept", path: relPath, text, scanning, reading };
  if (scanning.length === 0) return undefined;
  return {
    kind: "skipped",
    skipped: { path: relPath, reason: "not-utf8", hint: "not valid UTF-8; re-encode it as UTF-8 to have it scanned" },
  };
}

/** Files are read in blocks: small enough to balance threads, large enough that handing one out costs nothing. */
export const BLOCK_FILES = 32;

/** What reading a file gave when some scanner scans or reads it. */
export type Kept = Extract<Prefiltered, { kind: "kept" }>;

/** A kept file as scanners receive it. */
export function sourceFile(root: string, kept: Kept): SourceFile {
  const file: SourceFile = { path: kept.path, absPath: path.join(root, kept.path), text: kept.text };
  if (kept.digest !== undefined) file.digest = kept.digest;
  return file;
}

/** Prefilters one block of files. `onCandidate` hears of each file some scanner will scan. */
export function prefilterBlock(
  reader: FileReader,
  root: string,
  files: readonly string[],
  scanners: readonly Scanner[],
  onCandidate?: (candidate: Kept) => void,
): Prefiltered[] {
  const results: Prefiltered[] = [];
  for (const file of files) {
    const result = prefilterFile(reader, root, file, scanners);
    if (!result) continue;
    results.push(result);
    if (result.kind === "kept" && result.scanning.length > 0) onCandidate?.(result);
  }
  return results;
}
