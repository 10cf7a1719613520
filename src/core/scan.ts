import path from "node:path";
import { compareFindings } from "./rules.js";
import { decodeUtf8, discoverFiles, FileReader } from "./discover.js";
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

const needleBuffers = new WeakMap<readonly string[], Buffer[]>();

/** Whether the bytes contain one of the needles (true when there are none to check). */
function containsAny(bytes: Buffer, needles: readonly string[] | undefined): boolean {
  if (!needles) return true;
  let buffers = needleBuffers.get(needles);
  if (!buffers) needleBuffers.set(needles, (buffers = needles.map((needle) => Buffer.from(needle, "latin1"))));
  return buffers.some((needle) => bytes.includes(needle));
}

/** Discovers, prefilters and scans a tree. Pure apart from reading files: never prints, never exits. */
export async function scanTree(options: ScanOptions): Promise<ScanResult> {
  const root = path.resolve(options.root);
  const scanners = options.scanners;
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const walk = await discoverFiles({
    root,
    ...(options.paths ? { paths: options.paths } : {}),
    ...(options.include ? { include: options.include } : {}),
    ...(options.exclude ? { exclude: options.exclude } : {}),
    accepts: (relPath) => scanners.some((scanner) => scanner.accepts(relPath)),
  });

  const candidates = new Map<Scanner, SourceFile[]>(scanners.map((s) => [s, []]));
  const context = new Map<Scanner, SourceFile[]>(scanners.map((s) => [s, []]));
  const skipped: SkippedFile[] = [];
  const texts = new Map<string, string[]>();
  const reader = new FileReader(maxBytes);
  let done = 0;

  for (const relPath of walk.files) {
    const absPath = path.join(root, relPath);
    const outcome = reader.read(absPath, relPath);
    options.onProgress?.(++done, walk.files.length);
    if (!outcome.ok) {
      if (!walk.isIgnoredFile(relPath)) skipped.push(outcome.skipped);
      continue;
    }
    const bytes = outcome.bytes;
    let latin1: string | undefined;
    const asLatin1 = () => (latin1 ??= bytes.toString("latin1"));
    const wants = scanners.filter((scanner) => scanner.accepts(relPath));
    const scanning = wants.filter(
      (scanner) => containsAny(bytes, scanner.needles) && scanner.prefilter(asLatin1(), relPath),
    );
    const reading = wants.filter(
      (scanner) =>
        !scanning.includes(scanner) &&
        !!scanner.context &&
        containsAny(bytes, scanner.contextNeedles) &&
        scanner.context(asLatin1(), relPath),
    );
    if (scanning.length === 0 && reading.length === 0) continue;
    if (walk.isIgnoredFile(relPath)) continue;
    const text = decodeUtf8(bytes);
    if (text === undefined) {
      if (scanning.length > 0) {
        skipped.push({
          path: relPath,
          reason: "not-utf8",
          hint: "not valid UTF-8; re-encode it as UTF-8 to have it scanned",
        });
      }
      continue;
    }
    const file: SourceFile = { path: relPath, absPath, text };
    for (const scanner of scanning) candidates.get(scanner)!.push(file);
    for (const scanner of reading) context.get(scanner)!.push(file);
    if (scanning.length > 0) texts.set(relPath, text.split("\n"));
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
