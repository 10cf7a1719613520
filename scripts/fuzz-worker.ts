import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import { scanTree } from "../src/core/scan.js";
import { SCANNERS } from "../src/scanners/index.js";

const { dir, scanners } = workerData as { dir: string; scanners?: string[] };
const selected = scanners ? SCANNERS.filter((s) => scanners.includes(s.id)) : SCANNERS;
const started = performance.now();
const scan = await scanTree({ root: dir, scanners: selected });
const elapsed = performance.now() - started;
// Then each file alone, to name the slowest one.
let slowest = { ms: 0, file: "" };
for (const name of readdirSync(dir)) {
  const file = path.join(dir, name);
  if (!statSync(file).isFile()) continue;
  const fileStarted = performance.now();
  await scanTree({ root: dir, paths: [file], scanners: selected });
  const ms = performance.now() - fileStarted;
  if (ms > slowest.ms) slowest = { ms, file: name };
}
for (const finding of scan.findings) {
  if (!(finding.line >= 1 && finding.column >= 1 && finding.endLine >= finding.line)) {
    throw new Error(`bad position in ${finding.path}: ${JSON.stringify(finding)}`);
  }
}
if (scan.coverage.scannerErrors.length > 0) {
  throw new Error(scan.coverage.scannerErrors.map((e) => `${e.scanner}: ${e.message}`).join("; "));
}
parentPort!.postMessage({
  ms: elapsed,
  slowest,
  findings: scan.findings.length,
  parseErrors: scan.coverage.parseErrors,
  skipped: scan.coverage.skipped.length,
});
