// Preloaded (node --require) by test/scan-threads.test.ts: makes the scan's helper threads die as a thread killed
// by the system would: as soon as they start with KILL_SCAN_WORKER_ON=start, or when the main thread sends them
// the message kind it names ("block" while reading, "index" when asked to index a file the main thread read,
// "scan" when asked to run a scanner). The scan must then do that work on the main thread.
const workerThreads = require("node:worker_threads");

const killOn = process.env.KILL_SCAN_WORKER_ON;
const RealWorker = workerThreads.Worker;

class DyingWorker extends RealWorker {
  postMessage(message, transfer) {
    if (this.killed) return;
    if (message && message.kind === killOn && String(this.entry).endsWith("scan-worker.cjs")) {
      this.killed = true;
      void this.terminate();
      return;
    }
    super.postMessage(message, transfer);
  }
}

workerThreads.Worker = function Worker(entry, options) {
  const worker = new DyingWorker(entry, options);
  worker.entry = entry;
  if (killOn === "start" && String(entry).endsWith("scan-worker.cjs")) {
    worker.killed = true;
    void worker.terminate();
  }
  return worker;
};
