#!/usr/bin/env node
// CommonJS, like the bundle it loads (scripts/bundle.ts): starting Node's ES module loader costs 10 ms more.
const { existsSync } = require("node:fs");
const path = require("node:path");

// `migrate scan` starts its first helper thread before the CLI loads, so that the thread is up when the walk
// begins (src/core/scan-pool.ts). Unreferenced until the scan adopts it; one that fails before is not adopted.
const SCAN_WORKER = path.join(__dirname, "../dist/scan-worker.cjs");
const oneJob = process.argv.some((arg, i, all) => /^(-j|--jobs)=?1$/.test(arg) || (/^(-j|--jobs)$/.test(arg) && all[i + 1] === "1"));
if (process.argv[2] === "scan" && process.env.MIGRATE_SCAN_THREADS !== "0" && !oneJob && existsSync(SCAN_WORKER)) {
  const { Worker } = require("node:worker_threads");
  const worker = new Worker(SCAN_WORKER);
  worker.unref();
  worker.on("error", () => {});
  globalThis[Symbol.for("batch-migrate.prestarted-scan-worker")] = worker;
}
require("../dist/migrate.cjs").run();
