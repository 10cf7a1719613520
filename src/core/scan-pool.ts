import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { hasRawName } from "./discover.js";
import { FileReader } from "./read.js";
import { BLOCK_FILES, prefilterBlock, sourceFile, type Kept, type Prefiltered } from "./prefilter.js";
import type { ScanOutcome, Scanner, ScannerInput, SourceFile } from "./scanner.js";

/** Messages from the main thread to a scan worker, which handles them one at a time, in the order sent. */
export type ScanWorkerMessage =
  /** A read begins; blocks of its files follow as the walk finds them. */
  | {
      kind: "read";
      root: string;
      scannerIds: readonly string[];
      maxBytes: number;
      /** The time budget of each file, for scanners' `indexFile`. */
      fileTimeoutMs: number;
      /** The number threads claim blocks as; the main thread is 1. */
      thread: number;
      claims: SharedArrayBuffer;
      wanted: SharedArrayBuffer;
    }
  | { kind: "block"; index: number; files: readonly string[] }
  /** The walk is over: answer with what this thread read. */
  | { kind: "end"; id: number }
  /** Some thread found a file for a scanner with a slow parser: load it now. */
  | { kind: "warm" }
  /** The main thread found a file for a scanner this thread runs: parse it ahead. */
  | { kind: "prepare"; scannerIds: readonly string[]; file: SourceFile }
  /** The main thread read a file for scanners with an `indexFile` hook: run it here, answer with the rest at "end". */
  | { kind: "index"; scannerIds: readonly string[]; file: SourceFile }
  | {
      kind: "scan";
      id: number;
      root: string;
      scannerId: string;
      scannerIds: readonly string[];
      input: ScannerInput;
      fileTimeoutMs: number;
    };

export type ScanWorkerAnswer = { id: number } & (
  | {
      kind: "read";
      prefiltered: Prefiltered[];
      /** The indexes of files the main thread read and asked this thread to index. */
      indexed: Array<{ path: string; indexes: Record<string, unknown> }>;
    }
  | { kind: "scan"; outcome: ScanOutcome }
);

/** Below this many files the main thread runs every scanner: a thread would only add its start-up. */
export const MIN_FILES_FOR_THREADS = 1500;

/** Blocks a read can hand to the threads; the main thread reads any beyond, alone. 4 million files. */
const MAX_BLOCKS = 1 << 16;

/** The worker entry sits beside the bundle; run from source (tests), there is none and the main thread does all. */
export const SCAN_WORKER_ENTRY = fileURLToPath(new URL("./scan-worker.cjs", import.meta.url));

/** Where bin/migrate.cjs leaves the thread it starts for `migrate scan` before loading the CLI. */
const PRESTARTED_WORKER = Symbol.for("batch-migrate.prestarted-scan-worker");

/** The thread bin/migrate.cjs started, unless it has died already (its threadId is then -1). */
function takePrestarted(): Worker | undefined {
  const holder = globalThis as { [PRESTARTED_WORKER]?: Worker };
  const worker = holder[PRESTARTED_WORKER];
  delete holder[PRESTARTED_WORKER];
  return worker && worker.threadId >= 0 ? worker : undefined;
}

/**
 * The claim table of a read, shared by every thread: slot 0 counts claimed blocks, slot 1 + i holds the number of
 * the thread that claimed block i (0 while nobody has).
 */
export function claimBlock(claims: Int32Array, index: number, thread: number): boolean {
  if (Atomics.compareExchange(claims, 1 + index, 0, thread) !== 0) return false;
  Atomics.add(claims, 0, 1);
  return true;
}

/**
 * Whether a scanner runs on the pool's first thread (one with a slow-loading parser) rather than on the main thread.
 * Those parse ahead on that thread (`prepare`); the others have their `indexFile` run by whichever thread read the file.
 */
export function runsOnPool(scanner: Scanner): boolean {
  return scanner.warm !== undefined;
}

/** Records that a scanner has a file to scan; true when it is news. Only scanners with a `warm` hook are tracked. */
export function markWanted(wanted: Int32Array, scanners: readonly Scanner[], ids: readonly string[]): boolean {
  let news = false;
  for (const id of ids) {
    const index = scanners.findIndex((scanner) => scanner.id === id);
    if (scanners[index]?.warm && Atomics.compareExchange(wanted, index, 0, 1) === 0) news = true;
  }
  return news;
}

/** One thread and the answers it owes. */
class ScanWorker {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve(answer: ScanWorkerAnswer): void; reject(error: unknown): void }>();
  #nextId = 0;
  #failure: unknown;

  constructor(worker: Worker) {
    this.#worker = worker;
    worker.ref();
    worker.on("message", (answer: ScanWorkerAnswer) => {
      this.#pending.get(answer.id)?.resolve(answer);
      this.#pending.delete(answer.id);
    });
    const fail = (error: unknown) => {
      this.#failure ??= error;
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`scan worker exited with code ${code}`)));
  }

  post(message: ScanWorkerMessage): void {
    if (this.#failure === undefined) this.#worker.postMessage(message);
  }

  /** Rejects when the thread died before answering. */
  ask<K extends "end" | "scan">(
    message: Omit<Extract<ScanWorkerMessage, { kind: K }>, "id">,
  ): Promise<Extract<ScanWorkerAnswer, { kind: K extends "end" ? "read" : "scan" }>> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (answer: ScanWorkerAnswer) => void, reject });
      this.#worker.postMessage({ ...message, id });
    });
  }

  terminate(): void {
    this.#worker.removeAllListeners("exit");
    void this.#worker.terminate();
  }
}

/**
 * Threads that work beside the main thread during a scan:
 * - they read and prefilter files while the main thread is still walking the tree: the walk hands out blocks of
 *   the files it finds, and each block goes to whichever thread claims it first;
 * - the first of them loads a scanner's slow parser (a `warm` hook: the TypeScript compiler takes longer to load
 *   than a monorepo takes to read) as soon as any thread finds a file that scanner will scan, and runs that scanner
 *   once every file is read, while the main thread runs the others.
 * bin/migrate.cjs starts the first thread before the CLI loads, so that it is up before the walk begins.
 */
export class ScanPool {
  readonly #workers: ScanWorker[];
  readonly #scanners: readonly Scanner[];
  readonly #scannerIds: string[];

  private constructor(workers: ScanWorker[], scanners: readonly Scanner[]) {
    this.#workers = workers;
    this.#scanners = scanners;
    this.#scannerIds = scanners.map((scanner) => scanner.id);
  }

  /** Undefined when no extra thread is wanted or the worker entry is missing. */
  static start(threads: number, scanners: readonly Scanner[]): ScanPool | undefined {
    const prestarted = takePrestarted();
    if (threads < 1 || !existsSync(SCAN_WORKER_ENTRY)) {
      void prestarted?.terminate();
      return undefined;
    }
    const workers = Array.from({ length: threads }, (_, index) =>
      index === 0 && prestarted ? prestarted : new Worker(SCAN_WORKER_ENTRY),
    );
    return new ScanPool(
      workers.map((worker) => new ScanWorker(worker)),
      scanners,
    );
  }

  /** A read whose files arrive as the walk finds them. */
  startRead(root: string, maxBytes: number, fileTimeoutMs: number): StreamedRead {
    return new StreamedRead(this.#workers, this.#scanners, this.#scannerIds, { root, maxBytes, fileTimeoutMs });
  }

  /** Whether the pool runs this scanner (on its first thread), on a tree large enough for threads. */
  runs(scanner: Scanner): boolean {
    return runsOnPool(scanner);
  }

  /** Runs a scanner on the first thread. Rejects when that thread died; the caller runs it instead. */
  async scan(scanner: Scanner, root: string, input: ScannerInput, fileTimeoutMs: number): Promise<ScanOutcome> {
    const answer = await this.#workers[0]!.ask<"scan">({
      kind: "scan",
      root,
      scannerId: scanner.id,
      scannerIds: this.#scannerIds,
      input,
      fileTimeoutMs,
    });
    return answer.outcome;
  }

  close(): void {
    for (const worker of this.#workers) worker.terminate();
  }
}

/**
 * Blocks handed out and not yet claimed past which the main thread reads one itself while walking, so that paths
 * waiting for a thread never pile up with the size of the tree.
 */
const MAX_BACKLOG_BLOCKS = 64;

/**
 * The main thread's side of a read shared with the pool's threads. It keeps only the blocks no thread has claimed
 * yet; if a thread dies, `finish` says so and the caller scans again on its own.
 */
export class StreamedRead {
  readonly #workers: ScanWorker[];
  readonly #scanners: readonly Scanner[];
  readonly #root: string;
  readonly #claims = new Int32Array(new SharedArrayBuffer(4 * (1 + MAX_BLOCKS)));
  readonly #wanted: Int32Array;
  readonly #reader: FileReader;
  /** Blocks by index; a claimed block is dropped (undefined). */
  readonly #blocks: Array<string[] | undefined> = [];
  /** Blocks below this index are all claimed and dropped. */
  #firstLive = 0;
  readonly #mine: Prefiltered[] = [];
  /** Whether the first thread will run its scanners, so that their files are worth parsing ahead. */
  #scansOnThreads = true;
  #current: string[] = [];
  /** A thread seen claiming a block (up and reading): the one asked to index the files this thread reads. */
  #indexer: ScanWorker | undefined;
  /** Files this thread read and asked a thread to index, by path, until the answers come. */
  readonly #awaitingIndex = new Map<string, Kept>();
  /** Ids of the scanners whose `indexFile` helper threads run. */
  readonly #indexedIds: ReadonlySet<string>;

  constructor(
    workers: ScanWorker[],
    scanners: readonly Scanner[],
    scannerIds: readonly string[],
    { root, maxBytes, fileTimeoutMs }: { root: string; maxBytes: number; fileTimeoutMs: number },
  ) {
    this.#workers = workers;
    this.#scanners = scanners;
    this.#root = root;
    this.#reader = new FileReader(maxBytes);
    this.#wanted = new Int32Array(new SharedArrayBuffer(4 * scanners.length));
    this.#indexedIds = new Set(scanners.filter((s) => s.indexFile && !runsOnPool(s)).map((s) => s.id));
    workers.forEach((worker, index) =>
      worker.post({
        kind: "read",
        root,
        scannerIds,
        maxBytes,
        fileTimeoutMs,
        thread: index + 2,
        claims: this.#claims.buffer as SharedArrayBuffer,
        wanted: this.#wanted.buffer as SharedArrayBuffer,
      }),
    );
  }

  /** A file the walk found. Files whose names are not UTF-8 are read here at once: only this thread can open them. */
  add(relPath: string): void {
    if (hasRawName(this.#root, relPath)) {
      this.#read([relPath]);
      return;
    }
    this.#current.push(relPath);
    if (this.#current.length === BLOCK_FILES) this.#handOut();
  }

  #read(files: readonly string[]): void {
    for (const result of prefilterBlock(this.#reader, this.#root, files, this.#scanners, this.#onCandidate))
      this.#mine.push(result);
  }

  readonly #onCandidate = (candidate: Kept) => {
    if (markWanted(this.#wanted, this.#scanners, candidate.scanning)) this.#workers[0]?.post({ kind: "warm" });
    const scannerIds = candidate.scanning.filter((id) => this.#scanners.find((s) => s.id === id)?.prepare);
    if (this.#scansOnThreads && scannerIds.length > 0)
      this.#workers[0]?.post({ kind: "prepare", scannerIds, file: sourceFile(this.#root, candidate) });
    // A parse is most of a scanner's per-file work: a helper thread does it while this one walks and reads on.
    const indexIds = candidate.scanning.filter((id) => this.#indexedIds.has(id));
    if (this.#indexer && indexIds.length > 0 && !this.#awaitingIndex.has(candidate.path)) {
      this.#awaitingIndex.set(candidate.path, candidate);
      this.#indexer.post({ kind: "index", scannerIds: indexIds, file: sourceFile(this.#root, candidate) });
    }
  };

  /** Notes the thread that claimed a block, so that this thread has one to ask for indexes. */
  #claimed(index: number): boolean {
    const thread = Atomics.load(this.#claims, 1 + index);
    if (thread >= 2) this.#indexer ??= this.#workers[thread - 2];
    return thread !== 0;
  }

  #handOut(): void {
    const index = this.#blocks.length;
    const block = this.#current;
    this.#current = [];
    if (index >= MAX_BLOCKS) {
      // Past what the claim table holds, this thread reads alone.
      this.#blocks.push(undefined);
      this.#read(block);
      return;
    }
    this.#blocks.push(block);
    for (const worker of this.#workers) worker.post({ kind: "block", index, files: block });
    while (this.#firstLive < index && this.#claimed(this.#firstLive)) this.#blocks[this.#firstLive++] = undefined;
    // The threads fall behind the walk: read the newest block here (they take the oldest first).
    if (index - this.#firstLive >= MAX_BACKLOG_BLOCKS && claimBlock(this.#claims, index, 1)) {
      this.#blocks[index] = undefined;
      this.#read(block);
    }
  }

  /**
   * Once the walk is over: reads every block no thread has claimed, last first (the threads take them first
   * first), and gathers what the threads read; undefined when a thread died with blocks it had claimed.
   * `scansOnThreads`: whether the pool will run its scanners, so that their files are worth parsing ahead.
   */
  async finish(
    total: number,
    scansOnThreads: boolean,
    onProgress?: (done: number) => void,
  ): Promise<Prefiltered[] | undefined> {
    this.#scansOnThreads = scansOnThreads;
    if (this.#current.length > 0) this.#handOut();
    const handedOut = Math.min(this.#blocks.length, MAX_BLOCKS);
    for (let index = handedOut - 1; index >= this.#firstLive; index--) {
      const block = this.#blocks[index];
      if (!block) continue;
      if (!claimBlock(this.#claims, index, 1)) {
        this.#claimed(index);
        continue;
      }
      this.#blocks[index] = undefined;
      this.#read(block);
      onProgress?.(Math.min(total, Atomics.load(this.#claims, 0) * BLOCK_FILES));
    }
    // Asked once this thread has read its share, so that the answers hold the indexes of the files it read too.
    const fromWorkers = this.#workers.map((worker) => worker.ask<"end">({ kind: "end" }));
    // Only some are awaited below; a thread dying later must not surface as an unhandled rejection.
    for (const pending of fromWorkers) pending.catch(() => undefined);
    const claimedBy = new Set(this.#claims.subarray(1, 1 + handedOut));
    try {
      // A thread that claimed nothing (still starting when the walk ended) is not waited for; the thread asked for
      // indexes claimed a block.
      const theirs = await Promise.all(fromWorkers.filter((_, index) => claimedBy.has(index + 2)));
      for (const { indexed } of theirs)
        for (const { path, indexes } of indexed) {
          const kept = this.#awaitingIndex.get(path);
          if (kept) kept.indexes = { ...kept.indexes, ...indexes };
        }
      return [...this.#mine, ...theirs.flatMap((answer) => answer.prefiltered)];
    } catch {
      // A thread that died took its blocks with it.
      return undefined;
    } finally {
      this.#awaitingIndex.clear();
    }
  }
}
