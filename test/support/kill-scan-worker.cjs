// Preloaded (node --require) by test/scan-threads.test.ts: makes the scan's first helper thread die when the
// main thread sends it the message kind named by KILL_SCAN_WORKER_ON ("block" while reading, "scan" when asked to
// run a scanner), as a thread killed by the system would. The scan must then do that work on the main thread.
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
  return worker;
};
