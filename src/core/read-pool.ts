import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { blockClaimer, BLOCK_FILES, prefilterAll, prefilterBlocks, type Prefiltered } from "./prefilter.js";
import type { Scanner } from "./scanner.js";

export interface ReadWorkerData {
  scannerIds: string[];
  maxBytes: number;
}

export interface ReadJob {
  root: string;
  files: readonly string[];
  /** One Int32: the next block to claim, shared by every thread. */
  counter: SharedArrayBuffer;
}

/** Below this many files, the threads would start after the main thread had read everything. */
export const MIN_FILES_FOR_THREADS = 1500;

/** The worker entry sits beside the bundle; run from source (tests), there is none and one thread reads. */
const WORKER_ENTRY = fileURLToPath(new URL("./read-worker.cjs", import.meta.url));

/**
 * Extra threads that read and prefilter files alongside the main thread. Reading is system calls (open, read,
 * close) over thousands of files; a second core halves it. Started before the walk so that their start-up
 * (about 25 ms) overlaps it.
 */
export class ReadPool {
  readonly #workers: Worker[];

  private constructor(workers: Worker[]) {
    this.#workers = workers;
  }

  /** Undefined when no extra thread is wanted or the worker entry is missing. */
  static start(threads: number, scanners: readonly Scanner[], maxBytes: number): ReadPool | undefined {
    if (threads < 1 || !existsSync(WORKER_ENTRY)) return undefined;
    const workerData: ReadWorkerData = { scannerIds: scanners.map((scanner) => scanner.id), maxBytes };
    return new ReadPool(Array.from({ length: threads }, () => new Worker(WORKER_ENTRY, { workerData })));
  }

  /**
   * Prefilters every file with the main thread and the pool's threads claiming blocks from one counter, then
   * closes the pool. A thread that has not started by the time the main thread runs out of blocks finds none left.
   */
  async prefilter(
    root: string,
    files: readonly string[],
    scanners: readonly Scanner[],
    maxBytes: number,
    onProgress?: (done: number) => void,
  ): Promise<Prefiltered[]> {
    const counter = new SharedArrayBuffer(4);
    const job: ReadJob = { root, files, counter };
    const fromWorkers = this.#workers.map(
      (worker) =>
        new Promise<Prefiltered[]>((resolve, reject) => {
          worker.once("message", resolve);
          worker.once("error", reject);
          worker.postMessage(job);
        }),
    );
    const claimed = new Int32Array(counter);
    const mine = prefilterBlocks(root, files, scanners, maxBytes, blockClaimer(claimed, files.length), () =>
      onProgress?.(Math.min(files.length, Atomics.load(claimed, 0) * BLOCK_FILES)),
    );
    try {
      const theirs = await Promise.all(fromWorkers);
      return [...mine, ...theirs.flat()];
    } catch {
      // A thread that died took its blocks with it: read them all again here rather than report a partial scan.
      return prefilterAll(root, files, scanners, maxBytes);
    } finally {
      this.close();
    }
  }

  close(): void {
    for (const worker of this.#workers) void worker.terminate();
  }
}
