// Measures what the Python analysis holds on a tree, the Python scanner run alone on the files the scan would give
// it (candidates whole, context files as digests, read again when parsed). Usage:
//   node --import tsx scripts/python-heap.ts <tree>
// Prints the heap (after full collections) and the typed arrays' buffers once the files are read, once every module
// is indexed, once the dataflow's fixed point is reached and once the report is made, and the analysis's CPU time.
// Reads the tree only. The walk here is simpler than the scan's (no ignore files), so counts can differ from a scan.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { FileBudget } from "../src/core/budget.js";
import type { SourceFile } from "../src/core/scanner.js";
import python from "../src/scanners/python/index.js";
import { Dataflow } from "../src/scanners/python/dataflow.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function held(): string {
  gc();
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return `heap ${(heapUsed / 1e6).toFixed(1)} MB + ${(arrayBuffers / 1e6).toFixed(1)} MB buffers`;
}

const SKIPPED = new Set([".git", "node_modules", ".venv", "venv", "vendor", "__pycache__"]);

function read(root: string): { files: SourceFile[]; context: SourceFile[] } {
  const files: SourceFile[] = [];
  const context: SourceFile[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (SKIPPED.has(entry.name)) continue;
      const absPath = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(absPath);
      if (!entry.isFile() || !python.accepts(absPath)) continue;
      const text = readFileSync(absPath, "utf8");
      const relative = path.relative(root, absPath).split(path.sep).join("/");
      if (python.prefilter(text, relative)) files.push({ path: relative, absPath, text });
      else if (python.context?.(text, relative)) {
        const digest = python.digestContext!(text, relative);
        if (digest) context.push({ path: relative, absPath, text: "", digest });
      }
    }
  };
  walk(root);
  return { files, context };
}

async function main(): Promise<number> {
  const root = process.argv[2];
  if (!root) {
    console.error("usage: python-heap.ts <tree>");
    return 2;
  }
  const input = read(path.resolve(root));
  console.log(`${input.files.length} candidates, ${input.context.length} context digests; read: ${held()}`);
  const run = Dataflow.prototype.run;
  Dataflow.prototype.run = function (this: Dataflow) {
    console.log(`indexed: ${held()}`);
    run.call(this);
    console.log(`fixed point: ${held()}`);
  };
  const cpu = process.cpuUsage();
  const output = await python.scan(input, {
    root,
    budget: FileBudget.unlimited,
    readText: (file: SourceFile) => readFileSync(file.absPath, "utf8"),
  } as Parameters<typeof python.scan>[1]);
  const seconds = process.cpuUsage(cpu).user / 1e6;
  console.log(
    `report: ${output.findings.length} findings, ${output.inventory?.length ?? 0} inventory items; ${held()}`,
  );
  console.log(`analysis CPU (user, with the collections above): ${seconds.toFixed(2)} s`);
  return 0;
}

process.exitCode = await main();
