#!/usr/bin/env node
// CommonJS, like the bundle it loads (scripts/bundle.ts): starting Node's ES module loader costs 10 ms more.
const path = require("node:path");

// `migrate scan` starts its first helper thread before the CLI loads, so that the thread is up in time to load
// parsers while the tree is walked (src/core/scan-pool.ts). Unreferenced until the scan adopts it.
if (process.argv[2] === "scan" && process.env.MIGRATE_SCAN_THREADS !== "0") {
  const { Worker } = require("node:worker_threads");
  const worker = new Worker(path.join(__dirname, "../dist/scan-worker.cjs"));
  worker.unref();
  globalThis[Symbol.for("batch-migrate.prestarted-scan-worker")] = worker;
}
require("../dist/migrate.cjs").run();
