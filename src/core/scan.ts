import path from "node:path";
import { compareFindings } from "./rules.js";
import { DEFAULT_FILE_TIMEOUT_MS, FileBudget } from "./budget.js";
import { discoverFiles } from "./discover.js";
import { isSuppressedAt } from "./suppression.js";
import { prefilterAll, sourceFile } from "./prefilter.js";
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
  /** How long one file may take a scanner before it becomes a `scan/timeout` finding (see budget.ts). */
  fileTimeoutMs?: number;
}

export interface ScanResult {
  root: string;
  findings: Finding[];
  inventory: Inventory;
  coverage: Coverage;
}

export const DEFAULT_MAX_FILE_BYTES = 5_000_000;

/** `# migrate-ignore` / `// migrate-ignore` on a finding's line or the line above silences it. */
function isSuppressed(finding: Finding, texts: Map<string, string[]>): boolean {
  const lines = texts.get(finding.path);
  return lines !== undefined && isSuppressedAt(lines, finding.line);
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

/** Discovers, prefilters and scans a tree. Pure apart from reading files: never prints, never exits. */
export async function scanTree(options: ScanOptions): Promise<ScanResult> {
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
  const walk = await discoverFiles({
    root,
    ...(options.paths ? { paths: options.paths } : {}),
    ...(options.include ? { include: options.include } : {}),
    ...(options.exclude ? { exclude: options.exclude } : {}),
    accepts: (relPath) => scanners.some((scanner) => scanner.accepts(relPath)),
    ...(read ? { onFile: (relPath: string) => read.add(relPath) } : {}),
  });
  const total = walk.files.length;
  const onProgress = options.onProgress && ((done: number) => options.onProgress!(done, total));
  // Below this size a thread would add its start-up to the scanners it runs.
  const threaded = pool !== undefined && total >= MIN_FILES_FOR_THREADS;
  const prefiltered = read
    ? await read.finish(total, threaded, onProgress)
    : prefilterAll(root, walk.files, scanners, maxBytes, onProgress);

  const byId = new Map(scanners.map((scanner) => [scanner.id, scanner]));
  const candidates = new Map<Scanner, SourceFile[]>(scanners.map((s) => [s, []]));
  const context = new Map<Scanner, SourceFile[]>(scanners.map((s) => [s, []]));
  const skipped: SkippedFile[] = [];
  const texts = new Map<string, string[]>();
  for (const result of prefiltered) {
    if (result.kind === "skipped") {
      if (!walk.isIgnoredFile(result.skipped.path)) skipped.push(result.skipped);
      continue;
    }
    if (walk.isIgnoredFile(result.path)) continue;
    const file = sourceFile(root, result);
    for (const id of result.scanning) candidates.get(byId.get(id)!)!.push(file);
    for (const id of result.reading) context.get(byId.get(id)!)!.push(file);
    if (result.scanning.length > 0) texts.set(result.path, result.text.split("\n"));
  }

  const byPath = (a: SourceFile, b: SourceFile) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  const inputs = new Map<Scanner, ScannerInput>();
  for (const scanner of scanners) {
    const files = candidates.get(scanner)!.sort(byPath);
    if (files.length > 0) inputs.set(scanner, { files, context: context.get(scanner)!.sort(byPath) });
  }
  // The threads' scanners start first so that they run while this thread runs the others, one after another.
  const fileTimeoutMs = options.fileTimeoutMs ?? DEFAULT_FILE_TIMEOUT_MS;
  const budget = new FileBudget(fileTimeoutMs);
  const onThreads = new Map<Scanner, Promise<ScanOutcome>>();
  if (threaded)
    for (const [scanner, input] of inputs)
      if (pool!.runs(scanner))
        onThreads.set(
          scanner,
          pool!
            .scan(scanner, root, input, fileTimeoutMs)
            .catch(() => runScanner(scanner, input, root, scanners, budget)),
        );
  const outcomes = new Map<Scanner, ScanOutcome>();
  for (const [scanner, input] of inputs)
    if (!onThreads.has(scanner)) outcomes.set(scanner, await runScanner(scanner, input, root, scanners, budget));
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
      filesRead: walk.files.length,
      filesParsed: [...inputs.values()].reduce((sum, input) => sum + input.files.length, 0),
      skipped: skipped.sort((a, b) => (a.path < b.path ? -1 : 1)),
      parseErrors: kept.filter((f) => f.kind === "parse-error").length,
      scannerErrors,
    },
  };
}
