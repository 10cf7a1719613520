import { FileBudget } from "./budget.js";
import { diskPath } from "./discover.js";
import { decodeUtf8, DEFAULT_MAX_FILE_BYTES, readCandidate } from "./read.js";
import type { Finding, InventoryItem, Language, Origin } from "./types.js";

/** A file handed to a scanner: its text is valid UTF-8. */
export interface SourceFile {
  /** POSIX path relative to the scan root. */
  path: string;
  /** Absolute path on disk. */
  absPath: string;
  text: string;
  /**
   * For a context file of a scanner with `digestContext`: what that gave, kept in place of the text, which is
   * then empty. The scanner reads the text of the few it needs through `ScanContext.readText`.
   */
  digest?: string;
  /**
   * What this scanner's `indexFile` gave for the file on the helper thread that read it, when one did. Files read
   * on the main thread, and scans without helper threads, have none: `scan` does the work itself then.
   */
  index?: unknown;
}

/**
 * What `indexFile` hands over: plain data (structured-cloneable: no functions, no class instances) and the
 * buffers in it that move to the main thread rather than being copied.
 */
export interface FileIndex {
  value: unknown;
  transfer?: ArrayBuffer[];
}

export interface EmbeddedCode {
  language: Language;
  text: string;
  /** The file the code sits in. */
  host: SourceFile;
  /** 0-based line of the host where the embedded text's first line is. */
  lineOffset: number;
  /** 0-based column of the host where the embedded text's first line starts. */
  columnOffset: number;
}

export interface ScanContext {
  root: string;
  /** Scans code embedded in another file (Python in a JS template string) with the scanner of its language. */
  scanEmbedded(code: EmbeddedCode): Promise<Finding[]>;
  /** The time each file may take (see budget.ts); none when absent. */
  budget?: FileBudget;
  /** Reads a file's text again (a digested context file's), or undefined when it can no longer be read as UTF-8. */
  readText?(file: SourceFile): string | undefined;
}

export interface ScannerInput {
  /** Files that passed this scanner's prefilter: where findings are expected. */
  files: SourceFile[];
  /** Files that did not pass the prefilter but passed `context`: read for cross-file facts only. */
  context: SourceFile[];
}

export interface ScannerOutput {
  findings: Finding[];
  inventory?: InventoryItem[];
}

/** One scanner per input kind, registered in `src/scanners/index.ts`. */
export interface Scanner {
  /** Kebab-case id, equal to the file name. */
  id: string;
  /** One line for `migrate scan --list-scanners` and the docs. */
  description: string;
  /** Whether this scanner reads a path at all, from its name alone. */
  accepts(path: string): boolean;
  /**
   * Cheap content test before parsing. It receives the file's bytes decoded as latin1, so patterns must be
   * ASCII; only files that pass are decoded as UTF-8 and parsed.
   */
  prefilter(text: string, path: string): boolean;
  /**
   * Byte strings of which a file must contain at least one to pass `prefilter`: a necessary condition checked on
   * the raw bytes, so most files are rejected without being turned into a string at all.
   */
  needles?: readonly string[];
  /** Files worth reading for cross-file facts even though the prefilter rejects them. */
  context?(text: string, path: string): boolean;
  /** Like `needles`, for `context`. */
  contextNeedles?: readonly string[];
  /**
   * What a context file is kept as until `scan`, in place of its text (given decoded as UTF-8): the facts the
   * scanner needs from every context file, in a few bytes. An empty digest drops the file. Without it, context
   * files are kept whole: on a large tree their text is most of what the read stage keeps (45 MB of Python
   * helpers on the 105k-file monorepo).
   */
  digestContext?(text: string, path: string): string;
  /**
   * Loads what `scan` needs ahead of time. A scan with helper threads has one of them do it as soon as any thread
   * finds a file this scanner will scan, while the others go on reading, and run the scanner on that thread. Worth
   * having only for a load that takes longer than a share of the reading (the TypeScript compiler, not tree-sitter).
   */
  warm?(): Promise<void>;
  /**
   * Parses a file ahead of `scan`, on the thread that warmed this scanner, as soon as some thread has read it: the
   * parse then overlaps the reading of other files. `scan` must give the same result with or without it.
   */
  prepare?(file: SourceFile): Promise<void>;
  /**
   * Per-file work done ahead of `scan` on the helper thread that read the file (a parse, a per-module index), for
   * a scanner that runs on the main thread (one without `warm`): the helper threads then take that share of the
   * work off the main thread while it is still walking and reading. What it gives reaches `scan` as
   * `SourceFile.index`; `scan` must give the same result without it. Undefined: nothing worth handing over. It
   * runs under the file's time budget; when it runs out or throws, the file arrives without an index.
   */
  indexFile?(file: SourceFile, budget: FileBudget): Promise<FileIndex | undefined>;
  /** Scans every candidate file together, so that facts can flow between files. Never throws for bad input. */
  scan(input: ScannerInput, ctx: ScanContext): Promise<ScannerOutput>;
  /** Scans code embedded in a file of another language; lines are the embedded text's own (1-based). */
  scanEmbedded?(file: SourceFile, ctx: ScanContext): Promise<Finding[]>;
}

/** A scan's outcome: the scanner's output, or the message of what it threw. */
export type ScanOutcome = { ok: true; output: ScannerOutput } | { ok: false; message: string };

/** Runs a scanner on this thread; what it throws becomes the outcome's message. */
export async function runScanner(
  scanner: Scanner,
  input: ScannerInput,
  root: string,
  scanners: readonly Scanner[],
  budget: FileBudget = FileBudget.unlimited,
  maxFileBytes = DEFAULT_MAX_FILE_BYTES,
): Promise<ScanOutcome> {
  try {
    return { ok: true, output: await scanner.scan(input, scanContext(root, scanners, budget, maxFileBytes)) };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

export function defineScanner(scanner: Scanner): Scanner {
  return scanner;
}

/** The context scanners run in: embedded code goes to the scanner of its language, its lines mapped to the host's. */
export function scanContext(
  root: string,
  scanners: readonly Scanner[],
  budget: FileBudget = FileBudget.unlimited,
  maxFileBytes = DEFAULT_MAX_FILE_BYTES,
): ScanContext {
  const ctx: ScanContext = {
    root,
    budget,
    readText(file) {
      const read = readCandidate(diskPath(root, file.path), file.path, maxFileBytes);
      return read.ok ? decodeUtf8(read.bytes) : undefined;
    },
    async scanEmbedded(code) {
      const scanner = scanners.find((s) => s.id === code.language && s.scanEmbedded);
      if (!scanner?.scanEmbedded) return [];
      // The host's index, if any, is of the host's text, not of the embedded code.
      const { index: _hostIndex, ...host } = code.host;
      const findings = await scanner.scanEmbedded({ ...host, text: code.text }, ctx);
      const origin = (o: Origin): Origin => ({
        ...o,
        path: code.host.path,
        line: o.line + code.lineOffset,
        ...(o.column !== undefined ? { column: o.line === 1 ? o.column + code.columnOffset : o.column } : {}),
        steps: o.steps.map((step) => ({ ...step, path: code.host.path, line: step.line + code.lineOffset })),
      });
      return findings.map((finding) => ({
        ...finding,
        path: code.host.path,
        line: finding.line + code.lineOffset,
        endLine: finding.endLine + code.lineOffset,
        column: finding.line === 1 ? finding.column + code.columnOffset : finding.column,
        endColumn: finding.endLine === 1 ? finding.endColumn + code.columnOffset : finding.endColumn,
        // The client's maker and its steps are in the embedded code too.
        ...(finding.origin && finding.origin.path === code.host.path ? { origin: origin(finding.origin) } : {}),
      }));
    },
  };
  return ctx;
}
