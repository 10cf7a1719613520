import { parentPort, workerData } from "node:worker_threads";
import { scanTree } from "../src/core/scan.js";
import { SCANNERS } from "../src/scanners/index.js";

const { dir, scanners } = workerData as { dir: string; scanners?: string[] };
const started = performance.now();
const scan = await scanTree({
  root: dir,
  scanners: scanners ? SCANNERS.filter((s) => scanners.includes(s.id)) : SCANNERS,
});
for (const finding of scan.findings) {
  if (!(finding.line >= 1 && finding.column >= 1 && finding.endLine >= finding.line)) {
    throw new Error(`bad position in ${finding.path}: ${JSON.stringify(finding)}`);
  }
}
if (scan.coverage.scannerErrors.length > 0) {
  throw new Error(scan.coverage.scannerErrors.map((e) => `${e.scanner}: ${e.message}`).join("; "));
}
parentPort!.postMessage({
  ms: performance.now() - started,
  findings: scan.findings.length,
  parseErrors: scan.coverage.parseErrors,
  skipped: scan.coverage.skipped.length,
});
