import path from "node:path";
import { setFlagsFromString } from "node:v8";
import { compareFindings } from "./rules.js";
import { FileReader, walkTree } from "./discover.js";
import { BLOCK_FILES, prefilterFile, sourceFile, type Prefiltered } from "./prefilter.js";
import { MIN_FILES_FOR_THREADS, ScanPool } from "./scan-pool.js";
import { runScanner, type ScanOutcome, type Scanner, type ScannerInput, type SourceFile } from "./scanner.js";
import type { Coverage, Finding, Inventory, InventoryItem, ScannerError, SkippedFile } from "./types.js";

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
}

export interface ScanResult {
  root: string;
  findings: Finding[];
  inventory: Inventory;
  coverage: Coverage;
}

export const DEFAULT_MAX_FILE_BYTES = 5_000_000;

const SUPPRESSION = /migrate-ignore/;

/** `# migrate-ignore` / `// migrate-ignore` on a finding's line or the line above silences it. */
function isSuppressed(finding: Finding, texts: Map<string, Map<number, string>>): boolean {
  const lines = texts.get(finding.path);
  if (!lines) return false;
  const own = lines.get(finding.line) ?? "";
  const above = lines.get(finding.line - 1) ?? "";
  return (
    (SUPPRESSION.test(own) && /(#|\/\/|\/\*).*migrate-ignore/.test(own)) ||
    /^\s*(#|\/\/|\/\*).*migrate-ignore/.test(above)
  );
}

/**
 * The lines of a file that mention migrate-ignore, by 1-based number: all `isSuppressed` needs, kept in place of
 * the file's text.
 */
function suppressionLines(text: string): Map<number, string> | undefined {
  let lines: Map<number, string> | undefined;
  // Lines are counted once, from where the last mention's line ended: linear in the text however many mentions.
  let number = 1;
  let counted = 0;
  for (let at = text.indexOf("migrate-ignore"); at >= 0; at = text.indexOf("migrate-ignore", at + 1)) {
    const start = text.lastIndexOf("\n", at) + 1;
    for (let i = text.indexOf("\n", counted); i >= 0 && i < start; i = text.indexOf("\n", i + 1)) number++;
    const newline = text.indexOf("\n", at);
    const end = newline < 0 ? text.length : newline;
    (lines ??= new Map()).set(number, text.slice(start, end));
    counted = start;
    at = end;
  }
  return lines;
}

function emptyInventory(): Inventory {
  return { jobDefinitions: [], jobQueues: [], computeEnvironments: [], schedulingPolicies: [] };
}

function addToInventory(inventory: Inventory, item: InventoryItem): void {
  const list = {
    "job-definition": inventory.jobDefinitions,
    "job-queue": inventory.jobQueues,
    "compute-environment": inventory.computeEnvironments,
    "scheduling-policy": inventory.schedulingPolicies,
    "consumable-resource": undefined,
  }[item.kind];
  list?.push(item);
}

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
  const read = pool?.startRead(root, maxBytes);
  const prefiltered: Prefiltered[] = [];
  // Without threads, each file is read as the walk finds it; only what a scanner wants is kept.
  const reader = read ? undefined : new FileReader(maxBytes);
  let done = 0;
  const readHere = (relPath: string) => {
    const result = prefilterFile(reader!, root, relPath, scanners);
    if (result) prefiltered.push(result);
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
    prefiltered.push(...fromThreads);
    // On a small tree the threads only read: end them before the parsers load, so their heaps never add to the
    // parsers' (about 50 MB on a corpus repository).
    if (!threaded) pool!.close();
  } else onProgress?.(total);
  options.onRead?.();

  const byId = new Map(scanners.map((scanner) => [scanner.id, scanner]));
  const candidates = new Map<Scanner, SourceFile[]>(scanners.map((s) => [s, []]));
  const context = new Map<Scanner, SourceFile[]>(scanners.map((s) => [s, []]));
  const skipped: SkippedFile[] = [];
  const texts = new Map<string, Map<number, string>>();
  for (const result of prefiltered) {
    if (result.kind === "skipped") {
      if (!walk.isIgnoredFile(result.skipped.path)) skipped.push(result.skipped);
      continue;
    }
    if (walk.isIgnoredFile(result.path)) continue;
    const file = sourceFile(root, result);
    for (const id of result.scanning) candidates.get(byId.get(id)!)!.push(file);
    for (const id of result.reading) context.get(byId.get(id)!)!.push(file);
    const suppressions = result.scanning.length > 0 ? suppressionLines(result.text) : undefined;
    if (suppressions) texts.set(result.path, suppressions);
  }

  const byPath = (a: SourceFile, b: SourceFile) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  const inputs = new Map<Scanner, ScannerInput>();
  for (const scanner of scanners) {
    const files = candidates.get(scanner)!.sort(byPath);
    if (files.length > 0) inputs.set(scanner, { files, context: context.get(scanner)!.sort(byPath) });
  }
  // The threads' scanners start first so that they run while this thread runs the others, one after another.
  const onThreads = new Map<Scanner, Promise<ScanOutcome>>();
  if (threaded)
    for (const [scanner, input] of inputs)
      if (pool!.runs(scanner))
        onThreads.set(
          scanner,
          pool!.scan(scanner, root, input).catch(() => runScanner(scanner, input, root, scanners)),
        );
  const outcomes = new Map<Scanner, ScanOutcome>();
  for (const [scanner, input] of inputs)
    if (!onThreads.has(scanner)) outcomes.set(scanner, await runScanner(scanner, input, root, scanners));
  for (const [scanner, outcome] of onThreads) outcomes.set(scanner, await outcome);

  const findings: Finding[] = [];
  const inventory = emptyInventory();
  const scannerErrors: ScannerError[] = [];
  for (const scanner of scanners) {
    const outcome = outcomes.get(scanner);
    if (!outcome) continue;
    if (outcome.ok) {
      findings.push(...outcome.output.findings);
      for (const item of outcome.output.inventory ?? []) addToInventory(inventory, item);
    } else {
      // Scanners handle bad files themselves; this is the net under a scanner bug, so the others still report.
      scannerErrors.push({ scanner: scanner.id, message: outcome.message });
    }
  }

  const kept = findings.filter((finding) => !isSuppressed(finding, texts)).sort(compareFindings);
  for (const list of Object.values(inventory) as InventoryItem[][])
    list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    root,
    findings: kept,
    inventory,
    coverage: {
      filesSeen: walk.seen,
      filesRead: walk.accepted,
      filesParsed: [...inputs.values()].reduce((sum, input) => sum + input.files.length, 0),
      skipped: skipped.sort((a, b) => (a.path < b.path ? -1 : 1)),
      parseErrors: kept.filter((f) => f.kind === "parse-error").length,
      scannerErrors,
    },
  };
}
