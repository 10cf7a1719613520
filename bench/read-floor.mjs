// The least a Node scan of a tree can cost: walk it (no ignore files), read every file some scanner accepts by
// name through one buffer, and look for a few needles, with one thread or two. No CLI, no parsing, no output.
// Set beside `migrate scan` on the same tree, it shows how much of a scan is Node and the kernel rather than our
// code. Plain JavaScript so that no loader's start-up is counted. Usage:
//   node bench/read-floor.mjs [corpus-dir] [--runs N] [--tree name]…    (npm run bench:floor -- …)
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync, readdirSync, readSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { isMainThread, parentPort, Worker } from "node:worker_threads";

/** What the scanners accept by name (src/scanners/*: accepts). */
const ACCEPTED = /\.(py|ipynb|[cm]?[jt]sx?|json|ya?ml|template|tf)$/i;
const NEEDLES = ["batch", "Batch", "AWS::Batch::", 'Properties"', "jobQueue", "aws_batch_"].map((n) => Buffer.from(n));

function acceptedFiles(root) {
  const files = [];
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop();
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name !== ".git" && entry.name !== "node_modules") stack.push(full);
      } else if (ACCEPTED.test(entry.name)) files.push(full);
    }
  }
  return files;
}

function readShare(files, share, shares) {
  const buffer = Buffer.allocUnsafe(1 << 20);
  let hits = 0;
  for (let i = share; i < files.length; i += shares) {
    let fd;
    try {
      fd = openSync(files[i], "r");
    } catch {
      continue; // a dangling link
    }
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    closeSync(fd);
    const bytes = buffer.subarray(0, length);
    if (NEEDLES.some((needle) => bytes.includes(needle))) hits++;
  }
  return hits;
}

/** One measured process: the workers start first, as the scan's do, so their start-up overlaps the walk. */
async function floorRun(root, threads) {
  const workers = Array.from({ length: threads - 1 }, () => new Worker(new URL(import.meta.url)));
  const files = acceptedFiles(root);
  const others = workers.map(
    (worker, i) =>
      new Promise((resolve) => {
        worker.once("message", resolve);
        worker.postMessage({ files, share: i + 1, shares: threads });
      }),
  );
  readShare(files, 0, threads);
  await Promise.all(others);
  for (const worker of workers) void worker.terminate();
}

function median(values) {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

function timeMs(command, cwd, runs) {
  const times = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const result = spawnSync(command[0], command.slice(1), { cwd, stdio: "ignore" });
    if (result.status !== 0 && result.status !== 3) throw new Error(`${command.join(" ")} exited ${result.status}`);
    times.push(performance.now() - started);
  }
  return median(times);
}

function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { runs: { type: "string", default: "9" }, tree: { type: "string", multiple: true } },
  });
  const project = path.resolve(import.meta.dirname, "..");
  const corpus = path.resolve(positionals[0] ?? path.join(project, "../corpus"));
  const runs = Number(values.runs);
  const trees = values.tree ?? ["moto", "cloud-custodian", "prefect", "metriport"];
  const self = [process.execPath, path.join(project, "bench/read-floor.mjs"), "--floor"];
  console.log(`Median of ${runs} runs each, wall time of the whole process.\n`);
  console.log("| tree | node -e 0 | walk + read, 1 thread | walk + read, 2 threads | migrate scan |");
  console.log("|---|---|---|---|---|");
  for (const tree of trees) {
    const dir = path.join(corpus, tree);
    if (!existsSync(dir)) continue;
    const ms = (value) => `${value.toFixed(0)} ms`;
    const bare = timeMs([process.execPath, "-e", "0"], dir, runs);
    const one = timeMs([...self, "1", dir], dir, runs);
    const two = timeMs([...self, "2", dir], dir, runs);
    const scan = timeMs(
      [process.execPath, path.join(project, "bin/migrate.cjs"), "scan", ".", "-o", "/dev/null"],
      dir,
      runs,
    );
    console.log(`| ${tree} | ${ms(bare)} | ${ms(one)} | ${ms(two)} | ${ms(scan)} |`);
  }
}

if (!isMainThread) {
  parentPort.once("message", ({ files, share, shares }) => parentPort.postMessage(readShare(files, share, shares)));
} else if (process.argv[2] === "--floor") {
  await floorRun(process.argv[4], Number(process.argv[3]));
} else {
  main();
}
