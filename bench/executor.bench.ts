// Local executor throughput: submit+get round trips per second on loopback, and whether per-request time
// grows while 10,000 jobs sit queued. Run: node --import tsx bench/executor.bench.ts
// The executor runs in its own process (as users run it), with a durable journal (fdatasync per batch).
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const API_KEY = "bench-key";
const ROUND_TRIPS = 2_000;
const QUEUED_JOBS = 10_000;
const BUCKET = 1_000;
const CONCURRENCY = 8;

interface Executor {
  child: ChildProcess;
  url: string;
}

function startExecutor(stateDir: string): Promise<Executor> {
  const script =
    "import('./runtime/src/cli.ts').then((cli) => cli.main(process.argv.slice(1), (line) => console.log(line)))";
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "-e", script, "executor", "--port", "0", "--state-dir", stateDir, "--api-key", API_KEY],
    {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /executor listening on (\S+)/.exec(output);
      if (match?.[1]) resolve({ child, url: match[1] });
    });
    child.once("exit", (code) => reject(new Error(`executor exited with ${code}`)));
  });
}

const headers = { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" };

/** One Common Compute submit and one get; the workload has no local command, so the job stays queued. */
async function submitAndGet(url: string, index: number): Promise<{ submitMs: number; getMs: number }> {
  const started = performance.now();
  const submitted = await fetch(`${url}/v1/jobs`, {
    method: "POST",
    headers: { ...headers, "idempotency-key": `bench-${index}-${Math.random()}` },
    body: JSON.stringify({
      workload: "bench-queued",
      input: { index, text: "a short embedding input" },
      name: `bench-${index}`,
    }),
  });
  if (submitted.status !== 201) throw new Error(`submit answered ${submitted.status}`);
  const { id } = (await submitted.json()) as { id: string };
  const between = performance.now();
  const fetched = await fetch(`${url}/v1/jobs/${id}`, { headers });
  if (fetched.status !== 200) throw new Error(`get answered ${fetched.status}`);
  await fetched.arrayBuffer();
  return { submitMs: between - started, getMs: performance.now() - between };
}

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? 0;
}

const mean = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
const fixed = (value: number, digits = 2): string => value.toFixed(digits);

async function runConcurrently(
  total: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await task(next++);
    }),
  );
}

/** The disk's append+fdatasync latency: the floor under every submit, since its answer waits for one. */
function probeFdatasync(directory: string): number {
  const descriptor = openSync(path.join(directory, "probe"), "a");
  const samples: number[] = [];
  for (let index = 0; index < 200; index++) {
    const started = performance.now();
    writeSync(descriptor, `${JSON.stringify({ index, padding: "x".repeat(600) })}\n`);
    fdatasyncSync(descriptor);
    samples.push(performance.now() - started);
  }
  closeSync(descriptor);
  return percentile(samples, 0.5);
}

async function main(): Promise<void> {
  const stateDir = mkdtempSync(path.join(tmpdir(), "bm-executor-bench-"));
  const [load] = loadavg();
  console.log(
    `machine: ${availableParallelism()} CPUs, load average ${fixed(load ?? 0)}, append+fdatasync p50 ${fixed(probeFdatasync(stateDir), 3)} ms`,
  );
  const executor = await startExecutor(stateDir);
  try {
    for (let index = 0; index < 200; index++) await submitAndGet(executor.url, -index - 1);

    const sequentialStart = performance.now();
    const pairTimes: number[] = [];
    for (let index = 0; index < ROUND_TRIPS; index++) {
      const { submitMs, getMs } = await submitAndGet(executor.url, index);
      pairTimes.push(submitMs + getMs);
    }
    const sequentialSeconds = (performance.now() - sequentialStart) / 1000;

    const concurrentStart = performance.now();
    await runConcurrently(ROUND_TRIPS, CONCURRENCY, async (index) => {
      await submitAndGet(executor.url, ROUND_TRIPS + index);
    });
    const concurrentSeconds = (performance.now() - concurrentStart) / 1000;

    console.log(
      "\nsubmit+get round trips on loopback (Common Compute face, journal fdatasync'd before each submit answer)",
    );
    console.table([
      {
        clients: 1,
        "round trips": ROUND_TRIPS,
        "per second": Math.round(ROUND_TRIPS / sequentialSeconds),
        "p50 ms": fixed(percentile(pairTimes, 0.5)),
        "p99 ms": fixed(percentile(pairTimes, 0.99)),
      },
      {
        clients: CONCURRENCY,
        "round trips": ROUND_TRIPS,
        "per second": Math.round(ROUND_TRIPS / concurrentSeconds),
        "p50 ms": "",
        "p99 ms": "",
      },
    ]);

    // A fresh executor, so the first bucket starts from an empty queue.
    executor.child.kill("SIGTERM");
    const fresh = await startExecutor(mkdtempSync(path.join(tmpdir(), "bm-executor-bench-")));
    const buckets: { submit: number[]; get: number[] }[] = [];
    for (let start = 0; start < QUEUED_JOBS; start += BUCKET) {
      const bucket = { submit: [] as number[], get: [] as number[] };
      await runConcurrently(BUCKET, CONCURRENCY, async (offset) => {
        const { submitMs, getMs } = await submitAndGet(fresh.url, start + offset);
        bucket.submit.push(submitMs);
        bucket.get.push(getMs);
      });
      buckets.push(bucket);
    }
    const listStart = performance.now();
    await (await fetch(`${fresh.url}/v1/jobs?limit=100`, { headers })).arrayBuffer();
    const listMs = performance.now() - listStart;
    fresh.child.kill("SIGTERM");

    console.log(`\n${QUEUED_JOBS} queued jobs (${CONCURRENCY} clients): per-request time as the queue grows`);
    console.table(
      buckets.map((bucket, index) => ({
        "jobs queued": `${index * BUCKET}–${(index + 1) * BUCKET}`,
        "submit mean ms": fixed(mean(bucket.submit)),
        "submit p99 ms": fixed(percentile(bucket.submit, 0.99)),
        "get mean ms": fixed(mean(bucket.get)),
        "get p99 ms": fixed(percentile(bucket.get, 0.99)),
      })),
    );
    const first = buckets[0];
    const last = buckets.at(-1);
    if (first && last) {
      const growth = mean(last.submit.concat(last.get)) / mean(first.submit.concat(first.get));
      console.log(`last bucket / first bucket mean request time: ${fixed(growth)}×`);
    }
    console.log(`GET /v1/jobs?limit=100 with ${QUEUED_JOBS} jobs queued: ${fixed(listMs)} ms`);
    console.log(
      `target: ≥ 500 round trips/s → ${Math.round(ROUND_TRIPS / sequentialSeconds) >= 500 ? "met" : "NOT met"} with one client`,
    );
  } finally {
    executor.child.kill("SIGTERM");
    rmSync(stateDir, { recursive: true, force: true });
  }
}

await main();
