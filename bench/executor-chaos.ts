// Chaos for the local executor, measured: kill -9 at seeded random moments over many jobs and rounds, a job
// that prints gigabytes, a thousand clients at once. The test suite runs small versions of these scenarios
// (runtime/test/executor-chaos.test.ts); this script runs the full ones and prints the figures.
//   node --import tsx bench/executor-chaos.ts [--jobs 1000] [--rounds 5] [--log-mb 1024] [--clients 1000] [--seed 9]
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { ExecutorOptions } from "../runtime/src/executor/index.js";
import type { Job } from "../runtime/src/executor/model.js";
import { JournalStore } from "../runtime/src/executor/store.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const CHAOS_API_KEY = "chaos-key";
const ATTEMPT_MARKER = "MIGRATE_EXECUTOR_ATTEMPT=";

/** mulberry32: small, seeded, the same sequence on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

export function temporaryDirectory(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export interface ExecutorProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  apiKey: string;
}

/** The executor in its own process (so it can be killed -9 and its memory measured), from source. */
export function startExecutorProcess(options: ExecutorOptions): Promise<ExecutorProcess> {
  const script = `import(${JSON.stringify(pathToFileURL(path.join(ROOT, "runtime/src/executor/index.ts")).href)}).then(async ({ startExecutor }) => {
    const executor = await startExecutor(JSON.parse(process.argv[1]));
    console.log("executor listening on " + executor.url);
    const stop = () => executor.close().then(() => process.exit(0));
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  }, (error) => { console.error(String(error)); process.exit(3); })`;
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "-e", script, JSON.stringify({ apiKey: CHAOS_API_KEY, port: 0, ...options })],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /executor listening on (\S+)/.exec(output);
      if (match?.[1]) resolve({ child, pid: child.pid ?? 0, url: match[1], apiKey: CHAOS_API_KEY });
    });
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`executor exited with ${code}: ${output}`)));
  });
}

export function killHard(executor: ExecutorProcess): Promise<void> {
  if (executor.child.exitCode !== null || executor.child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    executor.child.once("exit", () => resolve());
    executor.child.kill("SIGKILL");
  });
}

export function stopGracefully(executor: ExecutorProcess): Promise<void> {
  if (executor.child.exitCode !== null || executor.child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    executor.child.once("exit", () => resolve());
    executor.child.kill("SIGTERM");
  });
}

/** Linux: a process's current and peak resident memory in MB, from /proc. */
export function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) / 1024;
  return { rssMb: field("VmRSS"), peakMb: field("VmHWM") };
}

/** Running, that is: a killed process nobody has reaped yet (a zombie) does not count. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, "utf8") : "";
  return !/^\d+ \(.*\) Z/.test(stat);
}

/** Pids of live processes whose environment carries an attempt marker of one of `jobIds` (Linux). */
export function processesOfJobs(jobIds: ReadonlySet<string>): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let environment: string;
    try {
      environment = readFileSync(`/proc/${entry}/environ`, "latin1");
    } catch {
      continue;
    }
    for (const variable of environment.split("\0")) {
      if (!variable.startsWith(ATTEMPT_MARKER)) continue;
      const jobId = variable.slice(ATTEMPT_MARKER.length).split("#")[0] ?? "";
      if (jobIds.has(jobId) && isAlive(Number(entry))) pids.push(Number(entry));
    }
  }
  return pids;
}

export interface ApiTarget {
  url: string;
  apiKey: string;
}

export async function awsCall<T = Record<string, unknown>>(
  target: ApiTarget,
  operation: string,
  body: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${target.url}/v1/${operation.toLowerCase()}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${target.apiKey}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

export async function awsOk<T = Record<string, unknown>>(
  target: ApiTarget,
  operation: string,
  body: unknown,
): Promise<T> {
  const { status, body: answer } = await awsCall<T>(target, operation, body);
  if (status !== 200) throw new Error(`${operation} → ${status} ${JSON.stringify(answer)}`);
  return answer;
}

/** A compute environment, a queue and a definition running `command`, retried up to `attempts` times. */
export async function setUpQueue(target: ApiTarget, command: string[], attempts = 1): Promise<void> {
  await awsOk(target, "CreateComputeEnvironment", { computeEnvironmentName: "chaos-ce", type: "UNMANAGED" });
  await awsOk(target, "CreateJobQueue", {
    jobQueueName: "chaos",
    priority: 1,
    computeEnvironmentOrder: [{ order: 1, computeEnvironment: "chaos-ce" }],
  });
  await awsOk(target, "RegisterJobDefinition", {
    jobDefinitionName: "chaos",
    type: "container",
    containerProperties: { image: "local", command },
    retryStrategy: { attempts },
  });
}

interface Described {
  jobId: string;
  status: string;
  attempts: { statusReason?: string }[];
}

export async function describeAll(target: ApiTarget, ids: string[]): Promise<Described[]> {
  const details: Described[] = [];
  for (let start = 0; start < ids.length; start += 100) {
    const { jobs } = await awsOk<{ jobs: Described[] }>(target, "DescribeJobs", {
      jobs: ids.slice(start, start + 100),
    });
    details.push(...jobs);
  }
  return details;
}

/** What a fresh process would read from the state directory (on a copy, so nothing changes). */
export async function jobsOnDisk(stateDir: string): Promise<Map<string, Job>> {
  const copy = temporaryDirectory("bm-chaos-copy-");
  try {
    cpSync(stateDir, copy, {
      recursive: true,
      filter: (source) => source === stateDir || /(journal|snapshot)\.ndjson$/.test(source),
    });
    const store = await JournalStore.open(copy);
    const jobs = new Map(store.list<Job>("job").map((job) => [job.id, job]));
    await store.close();
    return jobs;
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function sideEffectLines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
}

export interface KillRoundsResult {
  jobs: number;
  rounds: number;
  seed: number;
  /** Accepted (answered 200) but missing after a restart or at the end. */
  lost: number;
  /** Jobs that ran more often than they have attempts, repeated an attempt, or ran again after SUCCEEDED. */
  duplicated: number;
  /** Accepted jobs that did not end SUCCEEDED. */
  notSucceeded: number;
  /** Attempts that a kill cut short (rerun as AWS does for a lost host). */
  lostAttempts: number;
  /** Jobs SUCCEEDED on disk at some kill: none of them may run again. */
  succeededAtKills: number;
  orphansLeft: number;
  killTimesMs: number[];
  maxRssMb: number;
  elapsedMs: number;
}

/**
 * Submits `jobs` AWS jobs across `rounds` executor lives, each ended by kill -9 at a seeded random moment
 * (while submissions and jobs are in flight), then one last life that runs everything to the end.
 */
export async function runKillRounds(options: {
  jobs: number;
  rounds: number;
  seed: number;
  maxParallel?: number;
  timeoutMs?: number;
}): Promise<KillRoundsResult> {
  const started = Date.now();
  // Two sequences, so the kill moments do not depend on how many submit batches a round happened to send.
  const killRandom = seededRandom(options.seed);
  const paceRandom = seededRandom(options.seed ^ 0x5bd1e995);
  const work = temporaryDirectory("bm-chaos-kill-");
  const stateDir = path.join(work, "state");
  const sideEffects = path.join(work, "side-effects.txt");
  const executorOptions: ExecutorOptions = {
    stateDir,
    maxParallel: options.maxParallel ?? 8,
    killGraceMs: 200,
  };
  // The job's own shell (its choice, not the executor's): a short random sleep, then one line per run.
  const command = [
    "/bin/sh",
    "-c",
    'sleep 0.$(( $$ % 4 )); echo "$AWS_BATCH_JOB_ID $AWS_BATCH_JOB_ATTEMPT" >> "$0"',
    sideEffects,
  ];
  const accepted: string[] = [];
  const linesAtKill = new Map<string, number>();
  const killTimesMs: number[] = [];
  let lost = 0;
  let maxRssMb = 0;
  let submitted = 0;

  const submitUntil = async (target: ApiTarget, goal: number, stopped: () => boolean): Promise<void> => {
    while (submitted < goal && !stopped()) {
      const batch = Math.min(20, goal - submitted);
      submitted += batch;
      const answers = await Promise.allSettled(
        Array.from({ length: batch }, (_, index) =>
          awsOk<{ jobId: string }>(target, "SubmitJob", {
            jobName: `chaos-${submitted - batch + index}`,
            jobQueue: "chaos",
            jobDefinition: "chaos",
          }),
        ),
      );
      for (const answer of answers) {
        if (answer.status === "fulfilled") accepted.push(answer.value.jobId);
        else submitted--; // never acknowledged: not accepted, so it is submitted again later
      }
      // Spread submissions over the round, so kills also land between a submit and its answer.
      await new Promise((resolve) => setTimeout(resolve, paceRandom() * 80));
    }
  };

  for (let round = 0; round < options.rounds; round++) {
    const executor = await startExecutorProcess(executorOptions);
    if (round === 0) await setUpQueue(executor, command, 10);
    const onDiskAtStart = await jobsOnDisk(stateDir);
    lost += accepted.filter((id) => !onDiskAtStart.has(id)).length;
    let killed = false;
    const goal = Math.ceil((options.jobs * (round + 1)) / (options.rounds + 1));
    const killAfterMs = Math.round(150 + killRandom() * 1200);
    killTimesMs.push(killAfterMs);
    const submitting = submitUntil(executor, goal, () => killed).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, killAfterMs));
    maxRssMb = Math.max(maxRssMb, memoryOf(executor.pid).peakMb);
    killed = true;
    await killHard(executor);
    await submitting;
    const onDisk = await jobsOnDisk(stateDir);
    lost += accepted.filter((id) => !onDisk.has(id)).length;
    const lines = sideEffectLines(sideEffects);
    for (const id of accepted) {
      if (onDisk.get(id)?.status === "SUCCEEDED" && !linesAtKill.has(id)) {
        linesAtKill.set(id, lines.filter((line) => line.startsWith(`${id} `)).length);
      }
    }
  }

  const executor = await startExecutorProcess(executorOptions);
  let final: Described[] = [];
  try {
    await submitUntil(executor, options.jobs, () => false);
    await waitUntil(
      async () => {
        final = await describeAll(executor, accepted);
        return final.length === accepted.length && final.every((job) => ["SUCCEEDED", "FAILED"].includes(job.status));
      },
      options.timeoutMs ?? 120_000,
      "all accepted jobs finished",
    );
    maxRssMb = Math.max(maxRssMb, memoryOf(executor.pid).peakMb);
  } finally {
    await stopGracefully(executor);
  }
  lost += accepted.length - final.length;

  const lines = sideEffectLines(sideEffects);
  const runsPerJob = new Map<string, number>();
  for (const line of lines) {
    const id = line.split(" ")[0] ?? "";
    runsPerJob.set(id, (runsPerJob.get(id) ?? 0) + 1);
  }
  const repeatedLines = lines.length - new Set(lines).size;
  let duplicated = repeatedLines;
  for (const job of final) {
    if ((runsPerJob.get(job.jobId) ?? 0) > job.attempts.length) duplicated++;
  }
  for (const [id, count] of linesAtKill) if ((runsPerJob.get(id) ?? 0) !== count) duplicated++;
  const lostAttempts = final.reduce(
    (sum, job) => sum + job.attempts.filter((attempt) => attempt.statusReason?.startsWith("Host EC2")).length,
    0,
  );
  const orphansLeft = processesOfJobs(new Set(accepted)).length;
  rmSync(work, { recursive: true, force: true });
  return {
    jobs: accepted.length,
    rounds: options.rounds,
    seed: options.seed,
    lost,
    duplicated,
    notSucceeded: final.filter((job) => job.status !== "SUCCEEDED").length,
    lostAttempts,
    succeededAtKills: linesAtKill.size,
    orphansLeft,
    killTimesMs,
    maxRssMb: Math.round(maxRssMb),
    elapsedMs: Date.now() - started,
  };
}

export interface LoudJobResult {
  printedMb: number;
  keptOnDiskMb: number;
  servedMb: number;
  status: string;
  executorPeakRssMb: number;
  executorBaselineRssMb: number;
  elapsedMs: number;
}

/** One job that prints `megabytes` MB as fast as it can; the executor's memory is sampled throughout. */
export async function runLoudJob(options: { megabytes: number; maxLogBytes?: number }): Promise<LoudJobResult> {
  const started = Date.now();
  const work = temporaryDirectory("bm-chaos-log-");
  const executor = await startExecutorProcess({ stateDir: path.join(work, "state"), maxLogBytes: options.maxLogBytes });
  try {
    const baseline = memoryOf(executor.pid).rssMb;
    const print = `const chunk = Buffer.alloc(1 << 20, 'x'); chunk[chunk.length - 1] = 10; let left = ${options.megabytes};
      const more = () => { while (left > 0) { left--; if (!process.stdout.write(chunk)) return process.stdout.once('drain', more); } };
      more();`;
    await setUpQueue(executor, [process.execPath, "-e", print]);
    const { jobId } = await awsOk<{ jobId: string }>(executor, "SubmitJob", {
      jobName: "loud",
      jobQueue: "chaos",
      jobDefinition: "chaos",
    });
    let peak = baseline;
    let status = "";
    await waitUntil(
      async () => {
        peak = Math.max(peak, memoryOf(executor.pid).rssMb);
        status = (await describeAll(executor, [jobId]))[0]?.status ?? "";
        return status === "SUCCEEDED" || status === "FAILED";
      },
      600_000,
      "the loud job finished",
    );
    const logDirectory = path.join(work, "state", "logs", jobId);
    const keptBytes = readdirSync(logDirectory).reduce(
      (sum, file) => sum + statSync(path.join(logDirectory, file)).size,
      0,
    );
    // The log served over HTTP, read as a stream: the executor must not buffer it either.
    const servedBytes = await new Promise<number>((resolve, reject) => {
      const url = new URL(`${executor.url}/executor/v1/jobs/${jobId}/logs`);
      const sampler = setInterval(() => (peak = Math.max(peak, memoryOf(executor.pid).rssMb)), 20);
      http
        .get(url, { headers: { authorization: `Bearer ${executor.apiKey}` } }, (response) => {
          let size = 0;
          response.on("data", (chunk: Buffer) => (size += chunk.length));
          response.on("end", () => {
            clearInterval(sampler);
            resolve(size);
          });
        })
        .on("error", reject);
    });
    peak = Math.max(peak, memoryOf(executor.pid).peakMb);
    return {
      printedMb: options.megabytes,
      keptOnDiskMb: Math.round((keptBytes / 1048576) * 10) / 10,
      servedMb: Math.round((servedBytes / 1048576) * 10) / 10,
      status,
      executorPeakRssMb: Math.round(peak),
      executorBaselineRssMb: Math.round(baseline),
      elapsedMs: Date.now() - started,
    };
  } finally {
    await stopGracefully(executor);
    rmSync(work, { recursive: true, force: true });
  }
}

export interface ClientsResult {
  clients: number;
  answered: number;
  failed: number;
  statuses: Record<string, number>;
  slowestMs: number;
  jobsSucceeded: number;
  executorPeakRssMb: number;
  elapsedMs: number;
}

/**
 * `clients` connections opened at once, each its own TCP connection (no pooling): half submit a job, half
 * read; every one must be answered, and every submitted job must then succeed.
 */
export async function runManyClients(options: { clients: number; timeoutMs?: number }): Promise<ClientsResult> {
  const started = Date.now();
  const work = temporaryDirectory("bm-chaos-clients-");
  const executor = await startExecutorProcess({ stateDir: path.join(work, "state"), maxParallel: 8 });
  try {
    await setUpQueue(executor, ["/bin/true"]);
    const url = new URL(executor.url);
    const statuses: Record<string, number> = {};
    let slowestMs = 0;
    const submittedIds: string[] = [];
    const one = (index: number) =>
      new Promise<void>((resolve) => {
        const begin = Date.now();
        const submit = index % 2 === 0;
        const body = submit
          ? JSON.stringify({ jobName: `client-${index}`, jobQueue: "chaos", jobDefinition: "chaos" })
          : "{}";
        const request = http.request(
          {
            host: url.hostname,
            port: url.port,
            method: "POST",
            path: submit ? "/v1/submitjob" : "/v1/describejobqueues",
            agent: false,
            timeout: options.timeoutMs ?? 30_000,
            headers: { authorization: `Bearer ${executor.apiKey}`, "content-type": "application/json" },
          },
          (response) => {
            const chunks: Buffer[] = [];
            response.on("data", (chunk: Buffer) => chunks.push(chunk));
            response.on("end", () => {
              const key = String(response.statusCode);
              statuses[key] = (statuses[key] ?? 0) + 1;
              if (submit && response.statusCode === 200) {
                submittedIds.push((JSON.parse(Buffer.concat(chunks).toString()) as { jobId: string }).jobId);
              }
              slowestMs = Math.max(slowestMs, Date.now() - begin);
              resolve();
            });
          },
        );
        request.on("timeout", () => request.destroy(new Error("timed out")));
        request.on("error", (error: NodeJS.ErrnoException) => {
          const key = `error ${error.code ?? error.message}`;
          statuses[key] = (statuses[key] ?? 0) + 1;
          slowestMs = Math.max(slowestMs, Date.now() - begin);
          resolve();
        });
        request.end(body);
      });
    await Promise.all(Array.from({ length: options.clients }, (_, index) => one(index)));
    const peak = memoryOf(executor.pid).peakMb;
    let final: Described[] = [];
    await waitUntil(
      async () => {
        final = await describeAll(executor, submittedIds);
        return final.every((job) => ["SUCCEEDED", "FAILED"].includes(job.status));
      },
      120_000,
      "submitted jobs finished",
    );
    const answered = Object.entries(statuses)
      .filter(([key]) => /^\d+$/.test(key))
      .reduce((sum, [, count]) => sum + count, 0);
    return {
      clients: options.clients,
      answered,
      failed: options.clients - (statuses["200"] ?? 0),
      statuses,
      slowestMs,
      jobsSucceeded: final.filter((job) => job.status === "SUCCEEDED").length,
      executorPeakRssMb: Math.round(peak),
      elapsedMs: Date.now() - started,
    };
  } finally {
    await stopGracefully(executor);
    rmSync(work, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      jobs: { type: "string", default: "1000" },
      rounds: { type: "string", default: "5" },
      "log-mb": { type: "string", default: "1024" },
      clients: { type: "string", default: "1000" },
      seed: { type: "string", default: "9" },
      only: { type: "string" },
    },
  });
  const only = values.only;
  if (!only || only === "kill") {
    const result = await runKillRounds({
      jobs: Number(values.jobs),
      rounds: Number(values.rounds),
      seed: Number(values.seed),
      timeoutMs: 600_000,
    });
    console.log("kill -9 rounds", JSON.stringify(result));
  }
  if (!only || only === "log") {
    console.log("loud job", JSON.stringify(await runLoudJob({ megabytes: Number(values["log-mb"]) })));
  }
  if (!only || only === "clients") {
    console.log("clients at once", JSON.stringify(await runManyClients({ clients: Number(values.clients) })));
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
