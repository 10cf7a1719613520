import path from "node:path";
import { compareFindings } from "./rules.js";
import { discoverFiles } from "./discover.js";
import { prefilterAll, type Prefiltered } from "./prefilter.js";
import { MIN_FILES_FOR_THREADS, ReadPool } from "./read-pool.js";
import type { EmbeddedCode, ScanContext, Scanner, SourceFile } from "./scanner.js";
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
  /** Threads to read files with besides the main one, on trees of at least MIN_FILES_FOR_THREADS files. */
  readThreads?: number;
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
function isSuppressed(finding: Finding, texts: Map<string, string[]>): boolean {
  const lines = texts.get(finding.path);
  if (!lines) return false;
  const own = lines[finding.line - 1] ?? "";
  const above = lines[finding.line - 2] ?? "";
  return (
    (SUPPRESSION.test(own) && /(#|\/\/|\/\*).*migrate-ignore/.test(own)) ||
    /^\s*(#|\/\/|\/\*).*migrate-ignore/.test(above)
  );
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
  const scanners = options.scanners;
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const pool = ReadPool.start(options.readThreads ?? 0, scanners, maxBytes);
  let walk;
  try {
    walk = await discoverFiles({
      root,
      ...(options.paths ? { paths: options.paths } : {}),
      ...(options.include ? { include: options.include } : {}),
      ...(options.exclude ? { exclude: options.exclude } : {}),
      accepts: (relPath) => scanners.some((scanner) => scanner.accepts(relPath)),
    });
  } catch (error) {
    pool?.close();
    throw error;
  }
  const total = walk.files.length;
  const onProgress = options.onProgress && ((done: number) => options.onProgress!(done, total));
  let prefiltered: Prefiltered[];
  if (pool && total >= MIN_FILES_FOR_THREADS) {
    prefiltered = await pool.prefilter(root, walk.files, scanners, maxBytes, onProgress);
  } else {
    pool?.close();
    prefiltered = prefilterAll(root, walk.files, scanners, maxBytes, onProgress);
  }

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
    const file: SourceFile = { path: result.path, absPath: path.join(root, result.path), text: result.text };
    for (const id of result.scanning) candidates.get(byId.get(id)!)!.push(file);
    for (const id of result.reading) context.get(byId.get(id)!)!.push(file);
    if (result.scanning.length > 0) texts.set(result.path, result.text.split("\n"));
  }

  const byPath = (a: SourceFile, b: SourceFile) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  const ctx: ScanContext = {
    root,
    scanEmbedded: (code) => scanEmbedded(scanners, code, ctx),
  };
  const findings: Finding[] = [];
  const inventory = emptyInventory();
  let parsed = 0;
  const scannerErrors: ScannerError[] = [];
  for (const scanner of scanners) {
    const files = candidates.get(scanner)!.sort(byPath);
    parsed += files.length;
    if (files.length === 0) continue;
    try {
      const output = await scanner.scan({ files, context: context.get(scanner)!.sort(byPath) }, ctx);
      findings.push(...output.findings);
      for (const item of output.inventory ?? []) addToInventory(inventory, item);
    } catch (error) {
      // Scanners handle bad files themselves; this is the net under a scanner bug, so the others still report.
      scannerErrors.push({ scanner: scanner.id, message: error instanceof Error ? error.message : String(error) });
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
      filesParsed: parsed,
      skipped: skipped.sort((a, b) => (a.path < b.path ? -1 : 1)),
      parseErrors: kept.filter((f) => f.kind === "parse-error").length,
      scannerErrors,
    },
  };
}

async function scanEmbedded(scanners: readonly Scanner[], code: EmbeddedCode, ctx: ScanContext): Promise<Finding[]> {
  const scanner = scanners.find((s) => s.id === code.language && s.scanEmbedded);
  if (!scanner?.scanEmbedded) return [];
  const findings = await scanner.scanEmbedded({ ...code.host, text: code.text }, ctx);
  return findings.map((finding) => ({
    ...finding,
    path: code.host.path,
    line: finding.line + code.lineOffset,
    endLine: finding.endLine + code.lineOffset,
    column: finding.line === 1 ? finding.column + code.columnOffset : finding.column,
    endColumn: finding.endLine === 1 ? finding.endColumn + code.columnOffset : finding.endColumn,
  }));
}
