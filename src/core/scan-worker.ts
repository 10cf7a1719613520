// A helper thread of `scanTree`: reads and prefilters the blocks of files it claims while the walk goes on, and,
// on the first thread, loads and runs the scanners with slow parsers. Bundled to dist/scan-worker.cjs
// (scripts/bundle.ts); see scan-pool.ts.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { parentPort } from "node:worker_threads";
import { SCANNERS } from "../scanners/index.js";
import { FileBudget } from "./budget.js";
import { FileReader } from "./read.js";
import { prefilterBlock, sourceFile, type Kept, type Prefiltered } from "./prefilter.js";
import { claimBlock, markWanted, runsOnPool, type ScanWorkerAnswer, type ScanWorkerMessage } from "./scan-pool.js";
import { runScanner, type Scanner, type SourceFile } from "./scanner.js";

function scannersOf(ids: readonly string[]): Scanner[] {
  return ids.map((id) => {
    const scanner = SCANNERS.find((candidate) => candidate.id === id);
    if (!scanner) throw new Error(`scan worker has no scanner ${id}`);
    return scanner;
  });
}

interface Read {
  root: string;
  scanners: Scanner[];
  thread: number;
  claims: Int32Array;
  wanted: Int32Array;
  reader: FileReader;
  fileTimeoutMs: number;
  results: Prefiltered[];
  /** The indexes of files the main thread read, asked for by "index". */
  indexed: Array<{ path: string; indexes: Record<string, unknown> }>;
  /** The buffers of the results' and the asked-for indexes, moved to the main thread with them. */
  transfer: ArrayBuffer[];
}

let read: Read | undefined;

/**
 * V8's young collection, when this process may have it (the flag is set before the context that exposes it is
 * made). After a file's index, what its making left outside the heap (tree-sitter's native tree, the arrays a flat
 * tree outgrew) is freed only once a collection finds its wrappers dead, and a thread that mostly reads allocates
 * too little to collect often: on the 105k-file tree the dead memory piled up to about 30 MB more peak RSS.
 */
const collectYoung: (() => void) | undefined = (() => {
  try {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as (options: { type: "minor" }) => void;
    return () => gc({ type: "minor" });
  } catch {
    return undefined;
  }
})();
const warmed = new Set<Scanner>();

/** The first thread loads the parsers some thread has found a file for. */
async function warmWanted(): Promise<void> {
  if (!read || read.thread !== 2) return;
  for (const [index, scanner] of read.scanners.entries()) {
    if (Atomics.load(read.wanted, index) !== 1 || warmed.has(scanner)) continue;
    warmed.add(scanner);
    // A parser that fails to load fails again, with its message, when the scanner runs.
    await scanner.warm?.().catch(() => undefined);
  }
}

/** The first thread parses ahead the files of the scanners it runs, once their parsers are loaded. */
async function prepare(scannerIds: readonly string[], file: SourceFile): Promise<void> {
  if (!read || read.thread !== 2) return;
  await warmWanted();
  for (const scanner of scannersOf(scannerIds))
    if (warmed.has(scanner)) await scanner.prepare?.(file).catch(() => undefined);
}

/**
 * Runs the `indexFile` of each main-thread scanner that will scan a file this thread read, and keeps what it gives
 * with the file's result.
 */
async function indexAhead(read: Read, candidate: Kept): Promise<void> {
  for (const scanner of scannersOf(candidate.scanning)) {
    if (!scanner.indexFile || runsOnPool(scanner)) continue;
    const budget = new FileBudget(read.fileTimeoutMs);
    const file = sourceFile(read.root, candidate);
    const index = await budget.ahead(candidate.path, () => scanner.indexFile!(file, budget));
    if (!index) continue;
    (candidate.indexes ??= {})[scanner.id] = index.value;
    read.transfer.push(...(index.transfer ?? []));
    collectYoung?.();
    // Native memory is freed by finalizers, which run on the event loop.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function answer(message: ScanWorkerAnswer, transfer: ArrayBuffer[] = []): void {
  parentPort!.postMessage(message, transfer);
}

async function handle(message: ScanWorkerMessage): Promise<void> {
  switch (message.kind) {
    case "read":
      read = {
        root: message.root,
        scanners: scannersOf(message.scannerIds),
        thread: message.thread,
        claims: new Int32Array(message.claims),
        wanted: new Int32Array(message.wanted),
        reader: new FileReader(message.maxBytes),
        fileTimeoutMs: message.fileTimeoutMs,
        results: [],
        indexed: [],
        transfer: [],
      };
      return;
    case "block": {
      await warmWanted();
      if (!read || !claimBlock(read.claims, message.index, read.thread)) return;
      const { wanted, scanners } = read;
      const found: Kept[] = [];
      const onCandidate = (candidate: Kept) => {
        markWanted(wanted, scanners, candidate.scanning);
        found.push(candidate);
      };
      read.results.push(...prefilterBlock(read.reader, read.root, message.files, scanners, onCandidate));
      for (const candidate of found) {
        await indexAhead(read, candidate);
        await prepare(candidate.scanning, sourceFile(read.root, candidate));
      }
      return;
    }
    case "end": {
      const prefiltered = read?.results ?? [];
      const indexed = read?.indexed ?? [];
      const transfer = read?.transfer ?? [];
      if (read) {
        read.results = [];
        read.indexed = [];
        read.transfer = [];
      }
      answer({ id: message.id, kind: "read", prefiltered, indexed }, transfer);
      // The main thread reads on and may still find files for a slow scanner: its "warm" messages follow.
      return warmWanted();
    }
    case "warm":
      return warmWanted();
    case "prepare":
      return prepare(message.scannerIds, message.file);
    case "index": {
      if (!read) return;
      const { path, text } = message.file;
      const kept: Kept = { kind: "kept", path, text, scanning: [...message.scannerIds], reading: [] };
      await indexAhead(read, kept);
      if (kept.indexes) read.indexed.push({ path, indexes: kept.indexes });
      return;
    }
    case "scan": {
      const [scanner] = scannersOf([message.scannerId]);
      const budget = new FileBudget(message.fileTimeoutMs);
      const outcome = await runScanner(scanner!, message.input, message.root, scannersOf(message.scannerIds), budget);
      return answer({ id: message.id, kind: "scan", outcome });
    }
  }
}

// One message at a time, in order. Anything unexpected ends the thread, and the main thread does its work instead.
let queue = Promise.resolve();
parentPort!.on("message", (message: ScanWorkerMessage) => {
  queue = queue.then(() => handle(message)).catch(() => process.exit(1));
});
