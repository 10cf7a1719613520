import path from "node:path";
import { setFlagsFromString } from "node:v8";
import { Collector } from "./collect.js";
import { walkTree } from "./discover.js";
import { DEFAULT_MAX_FILE_BYTES, FileReader } from "./read.js";
import { BLOCK_FILES, prefilterFile } from "./prefilter.js";
import { DEFAULT_FILE_TIMEOUT_MS, FileBudget } from "./budget.js";
import { MIN_FILES_FOR_THREADS, ScanPool } from "./scan-pool.js";
import { runScanner, type ScanOutcome, type Scanner } from "./scanner.js";
import type { Coverage, Finding, Inventory } from "./types.js";

export interface ScanOptions {
  /** Absolute scan root. */
  root: string;
  /** Files or folders under the root to scan; the whole root when empty. */
  paths?: string[];
  include?: string[];
  exclude?: string[];
  /** Files larger than this are skipped with a note. */
  maxFileBytes?: number;
  scanners: readonly Scanner[];
  /** Called as files are read, for a progress display. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Helper threads besides the main one (see scan-pool.ts): they read files while this thread walks, and load
   * and run the scanners with slow parsers. They run the built-in scanners of the same ids.
   */
  threads?: number;
  /** Called once every file is read and prefiltered, before the scanners run: what is kept then is kept to the end. */
  onRead?: () => void;
  /** How long one file may take a scanner before it becomes a `scan/timeout` finding (see budget.ts). */
  fileTimeoutMs?: number;
}

export interface ScanResult {
  root: string;
  findings: Finding[];
  inventory: Inventory;
  coverage: Coverage;
}

export { DEFAULT_MAX_FILE_BYTES };

/**
 * WebAssembly parsers (hcl2json: Go compiled to a 10 MB module) run once per scan on small inputs. V8 compiles
 * such a module with its baseline compiler and then again, in the background, with its optimising one, which on
 * hcl2json cost about 70 MB and 1 s of a 2 s scan of one .tf file for no gain at this size: keep the baseline.
 */
let wasmBaselineOnly = false;
function useWasmBaselineOnly(): void {
  if (wasmBaselineOnly) return;
  wasmBaselineOnly = true;
  setFlagsFromString("--liftoff-only");
}

/** Discovers, prefilters and scans a tree. Pure apart from reading files: never prints, never exits. */
export async function scanTree(options: ScanOptions): Promise<ScanResult> {
  useWasmBaselineOnly();
  const root = path.resolve(options.root);
  const pool = ScanPool.start(options.threads ?? 0, options.scanners);
  try {
    return await scanWith(pool, root, options);
  } finally {
    pool?.close();
  }
}

async function scanWith(pool: ScanPool | undefined, root: string, options: ScanOptions): Promise<ScanResult> {
  const scanners = options.scanners;
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const fileTimeoutMs = options.fileTimeoutMs ?? DEFAULT_FILE_TIMEOUT_MS;
  const read = pool?.startRead(root, maxBytes, fileTimeoutMs);
  const collector = new Collector(scanners, root);
  // Without threads, each file is read as the walk finds it; only what a scanner wants is kept.
  const reader = read ? undefined : new FileReader(maxBytes);
  let done = 0;
  const readHere = (relPath: string) => {
    const result = prefilterFile(reader!, root, relPath, scanners);
    if (result) collector.add(result);
    if (++done % BLOCK_FILES === 0) options.onProgress?.(done, done);
  };
  const walk = walkTree({
    root,
    ...(options.paths ? { paths: options.paths } : {}),
    ...(options.include ? { include: options.include } : {}),
    ...(options.exclude ? { exclude: options.exclude } : {}),
    accepts: (relPath) => scanners.some((scanner) => scanner.accepts(relPath)),
    onFile: read ? (relPath) => read.add(relPath) : readHere,
  });
  const total = walk.accepted;
  const onProgress = options.onProgress && ((n: number) => options.onProgress!(n, total));
  // Below this size a thread would add its start-up to the scanners it runs.
  const threaded = pool !== undefined && total >= MIN_FILES_FOR_THREADS;
  if (read) {
    const fromThreads = await read.finish(total, threaded, onProgress);
    // A thread died with files it had claimed: scan again on this thread rather than report a partial scan.
    if (!fromThreads) return scanWith(undefined, root, options);
    for (const result of fromThreads) collector.add(result);
    // On a small tree the threads only read: end them before the parsers load, so their heaps never add to the
    // parsers' (about 50 MB on a corpus repository).
    if (!threaded) pool!.close();
  } else onProgress?.(total);
  options.onRead?.();

  // Scan: the threads' scanners start first so that they run while this thread runs the others, one after another.
  const inputs = collector.takeInputs(walk.isIgnoredFile);
  const budget = new FileBudget(fileTimeoutMs);
  const onThreads = new Map<Scanner, Promise<ScanOutcome>>();
  if (threaded)
    for (const [scanner, input] of inputs)
      if (pool!.runs(scanner))
        onThreads.set(
          scanner,
          pool!
            .scan(scanner, root, input, fileTimeoutMs)
            .catch(() => runScanner(scanner, input, root, scanners, budget, maxBytes)),
        );
  const outcomes = new Map<Scanner, ScanOutcome>();
  // A scanner with a slow-loading parser (a `warm` hook: the TypeScript compiler) runs last here: what it loads stays
  // loaded, and would otherwise sit under the peak of the scanners after it. The result is in registry order anyway.
  const order = [...inputs].sort(([a], [b]) => Number(a.warm !== undefined) - Number(b.warm !== undefined));
  for (const [scanner, input] of order) {
    if (onThreads.has(scanner)) continue;
    // Dropped as soon as its scanner is done, so that a later scanner runs beside only the files it reads.
    inputs.delete(scanner);
    outcomes.set(scanner, await runScanner(scanner, input, root, scanners, budget, maxBytes));
  }
  inputs.clear();
  for (const [scanner, outcome] of onThreads) outcomes.set(scanner, await outcome);
  return { root, ...collector.finish(outcomes, { filesSeen: walk.seen, filesRead: walk.accepted }) };
}
