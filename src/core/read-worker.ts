// A reader thread of `scanTree`: prefilters the blocks of the file list it claims and sends back what it kept.
// Bundled to dist/read-worker.cjs (scripts/bundle.ts); see read-pool.ts.
import { parentPort, workerData } from "node:worker_threads";
import { SCANNERS } from "../scanners/index.js";
import { blockClaimer, prefilterBlocks } from "./prefilter.js";
import type { ReadJob, ReadWorkerData } from "./read-pool.js";

const { scannerIds, maxBytes } = workerData as ReadWorkerData;
const scanners = SCANNERS.filter((scanner) => scannerIds.includes(scanner.id));

parentPort!.on("message", (job: ReadJob) => {
  const claim = blockClaimer(new Int32Array(job.counter), job.files.length);
  parentPort!.postMessage(prefilterBlocks(job.root, job.files, scanners, maxBytes, claim));
});
