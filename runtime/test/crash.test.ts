import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CommonComputeClient } from "../src/clients/common-compute.js";
import type { Job } from "../src/executor/model.js";
import { JournalStore } from "../src/executor/store.js";
import { NODE, awsOk, setUpBatch, temporaryDirectory, waitFor, type JobDetail } from "./helpers.js";

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "run-cli.ts");
const API_KEY = "crash-test-key";
const JOB_COUNT = 200;

interface ExecutorProcess {
  child: ChildProcess;
  url: string;
}

/** Starts `batch-migrate-runtime executor` as its own process and waits for its "listening" line. */
function startExecutorProcess(stateDir: string, configFile: string): Promise<ExecutorProcess> {
  const child = spawn(
    NODE,
    [
      "--import",
      "tsx",
      CLI,
      "executor",
      "--port",
      "0",
      "--state-dir",
      stateDir,
      "--api-key",
      API_KEY,
      "--max-parallel",
      "8",
      "--kill-grace-ms",
      "200",
      "--config",
      configFile,
      // The test submits through the assumed generic Common Compute API.
      "--cc-extensions",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /executor listening on (\S+)/.exec(output);
      if (match?.[1]) resolve({ child, url: match[1] });
    });
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`executor exited with ${code}: ${output}`)));
  });
}

function killHard(executor: ExecutorProcess): Promise<void> {
  return new Promise((resolve) => {
    executor.child.once("exit", () => resolve());
    executor.child.kill("SIGKILL");
  });
}

/** Running, that is: a killed process that nobody has reaped yet (a zombie) does not count. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, "utf8") : "";
  return !/^\d+ \(.*\) Z/.test(stat);
}

/** What a fresh process would read from the state directory right now (on a copy, so nothing changes). */
async function jobsOnDisk(stateDir: string): Promise<Map<string, Job>> {
  const copy = temporaryDirectory("bm-crash-copy-");
  cpSync(stateDir, copy, { recursive: true, filter: (source) => !source.includes(`${path.sep}logs`) });
  const store = await JournalStore.open(copy);
  const jobs = new Map(store.list<Job>("job").map((job) => [job.id, job]));
  await store.close();
  return jobs;
}

async function describeAll(executor: { url: string; apiKey: string }, ids: string[]): Promise<JobDetail[]> {
  const details: JobDetail[] = [];
  for (let start = 0; start < ids.length; start += 100) {
    const { jobs } = await awsOk<{ jobs: JobDetail[] }>(executor, "DescribeJobs", {
      jobs: ids.slice(start, start + 100),
    });
    details.push(...jobs);
  }
  return details;
}

describe("durability across kill -9", () => {
  it(
    "loses no accepted job, never reruns a succeeded one, and runs each attempt at most once",
    { timeout: 60_000 },
    async () => {
      const work = temporaryDirectory("bm-crash-");
      const stateDir = path.join(work, "state");
      const sideEffects = path.join(work, "side-effects.txt");
      const configFile = path.join(work, "migrate.config.json");
      const sleepOnFirstAttempt = "setTimeout(() => {}, process.env.CC_JOB_ATTEMPT === '1' ? 120000 : 0)";
      writeFileSync(
        configFile,
        JSON.stringify({ workloads: { sleepy: { command: [NODE, "-e", sleepOnFirstAttempt] } } }),
      );

      let executor = await startExecutorProcess(stateDir, configFile);
      const api = () => ({ url: executor.url, apiKey: API_KEY });
      try {
        // Two Common Compute jobs hold leases when the executor dies.
        const commonCompute = () => new CommonComputeClient({ baseUrl: executor.url, apiKey: API_KEY });
        const oneAttempt = await commonCompute().jobs.submit({ workload: "sleepy", input: {}, max_attempts: 1 });
        const twoAttempts = await commonCompute().jobs.submit({ workload: "sleepy", input: {}, max_attempts: 2 });
        await waitFor(
          () => commonCompute().jobs.get(twoAttempts.id),
          (job) => job.state === "leased",
        );
        await waitFor(
          () => commonCompute().jobs.get(oneAttempt.id),
          (job) => job.state === "leased",
        );
        const record = (await (
          await fetch(`${executor.url}/executor/v1/jobs/${oneAttempt.id}`, {
            headers: { authorization: `Bearer ${API_KEY}` },
          })
        ).json()) as Job;
        const orphanPid = record.attempts[0]?.pid ?? 0;
        expect(isAlive(orphanPid)).toBe(true);

        const appendOnce =
          "setTimeout(() => require('fs').appendFileSync(process.argv[1], process.env.AWS_BATCH_JOB_ID + ' ' + process.env.AWS_BATCH_JOB_ATTEMPT + '\\n'), 20 + Math.random() * 80)";
        const { jobQueue, jobDefinition } = await setUpBatch(api(), [NODE, "-e", appendOnce, sideEffects], {
          retryStrategy: { attempts: 3 },
        });
        const accepted: string[] = [];
        for (let start = 0; start < JOB_COUNT; start += 20) {
          const batch = await Promise.all(
            Array.from({ length: 20 }, (_, offset) =>
              awsOk<{ jobId: string }>(api(), "SubmitJob", {
                jobName: `crash-${start + offset}`,
                jobQueue,
                jobDefinition,
              }),
            ),
          );
          accepted.push(...batch.map((response) => response.jobId));
        }
        await waitFor(
          () => awsOk<{ jobSummaryList: unknown[] }>(api(), "ListJobs", { jobQueue, jobStatus: "SUCCEEDED" }),
          (page) => page.jobSummaryList.length >= 40,
          30_000,
        );
        await killHard(executor);

        const onDisk = await jobsOnDisk(stateDir);
        const succeededBeforeCrash = accepted.filter((id) => onDisk.get(id)?.status === "SUCCEEDED");
        const inFlightAtCrash = accepted.filter((id) => ["STARTING", "RUNNING"].includes(onDisk.get(id)?.status ?? ""));
        expect(accepted.every((id) => onDisk.has(id))).toBe(true);
        expect(succeededBeforeCrash.length).toBeGreaterThan(0);
        expect(succeededBeforeCrash.length).toBeLessThan(JOB_COUNT);
        const linesBeforeRestart = existsSync(sideEffects) ? readFileSync(sideEffects, "utf8") : "";

        executor = await startExecutorProcess(stateDir, configFile);
        expect(isAlive(orphanPid)).toBe(false);
        const final = await waitFor(
          () => describeAll(api(), accepted),
          (jobs) =>
            jobs.length === JOB_COUNT && jobs.every((job) => job.status === "SUCCEEDED" || job.status === "FAILED"),
          45_000,
        );
        expect(final.map((job) => job.status)).toEqual(Array(JOB_COUNT).fill("SUCCEEDED"));

        const lines = readFileSync(sideEffects, "utf8").trim().split("\n");
        expect(new Set(lines).size).toBe(lines.length);
        const linesPerJob = new Map<string, number>();
        for (const line of lines) {
          const [id] = line.split(" ");
          linesPerJob.set(id ?? "", (linesPerJob.get(id ?? "") ?? 0) + 1);
        }
        for (const job of final) {
          const last = job.attempts.at(-1);
          expect(lines).toContain(`${job.jobId} ${job.attempts.length}`);
          expect(last?.container.exitCode).toBe(0);
          expect(linesPerJob.get(job.jobId)).toBeLessThanOrEqual(job.attempts.length);
        }
        for (const id of succeededBeforeCrash) {
          const before = linesBeforeRestart.split("\n").filter((line) => line.startsWith(`${id} `)).length;
          expect(linesPerJob.get(id)).toBe(before);
          expect(final.find((job) => job.jobId === id)?.attempts).toHaveLength(onDisk.get(id)?.attempts.length ?? -1);
        }
        for (const id of inFlightAtCrash) {
          const lost = final
            .find((job) => job.jobId === id)
            ?.attempts.find((attempt) => attempt.statusReason?.startsWith("Host EC2"));
          expect(lost).toBeDefined();
        }

        const afterRestart = new CommonComputeClient({ baseUrl: executor.url, apiKey: API_KEY });
        expect(await afterRestart.jobs.get(oneAttempt.id)).toMatchObject({
          state: "dead_letter",
          attempts: 1,
          error: { code: "lease_expired" },
        });
        expect(await afterRestart.jobs.wait(twoAttempts.id, { pollIntervalMs: 20 })).toMatchObject({
          state: "completed",
          attempts: 2,
        });
      } finally {
        executor.child.kill("SIGTERM");
      }
    },
  );
});
