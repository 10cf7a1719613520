// Chaos for the executor: kill -9 rounds, a job that floods its log, a thousand clients, process groups that
// ignore SIGTERM, a full disk and a read-only one. MIGRATE_CHAOS=1 runs the full sizes (1,000 jobs over 5
// rounds, 1 GB of log); bench/executor-chaos.ts prints the same figures outside the test runner.
import { execFileSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isAlive, runKillRounds, runLoudJob, runManyClients } from "../../bench/executor-chaos.js";
import { startExecutor } from "../src/executor/index.js";
import {
  NODE,
  aws,
  awsOk,
  describeJob,
  setUpBatch,
  startTestExecutor,
  temporaryDirectory,
  waitFor,
  waitForJobStatus,
} from "./helpers.js";

const FULL = process.env.MIGRATE_CHAOS === "1";
const SEED = Number(process.env.MIGRATE_CHAOS_SEED ?? 9);

function tryMount(directory: string, options: string): boolean {
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", directory], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function unmount(directory: string): void {
  try {
    execFileSync("umount", ["-l", directory], { stdio: "ignore" });
  } catch {
    // Not mounted.
  }
}

/** Whether this run may mount a small tmpfs (root in a container that allows it): a real full disk. */
const CAN_MOUNT = (() => {
  if (process.platform !== "linux") return false;
  const probe = temporaryDirectory("bm-mount-probe-");
  const mounted = tryMount(probe, "size=64k");
  unmount(probe);
  rmSync(probe, { recursive: true, force: true });
  return mounted;
})();

function fillDisk(file: string): number {
  const descriptor = openSync(file, "w");
  const block = Buffer.alloc(16 * 1024);
  let written = 0;
  try {
    for (;;) written += writeSync(descriptor, block);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
  } finally {
    closeSync(descriptor);
  }
  return written;
}

const authorised = (executor: { apiKey: string }) => ({ authorization: `Bearer ${executor.apiKey}` });

describe.skipIf(process.platform !== "linux")("chaos", () => {
  it(
    `kill -9 at seeded random moments: ${FULL ? "1,000 jobs, 5 rounds" : "100 jobs, 2 rounds"}, nothing lost or run twice`,
    { timeout: FULL ? 900_000 : 40_000 },
    async () => {
      const result = await runKillRounds(
        FULL
          ? { jobs: 1000, rounds: 5, seed: SEED, timeoutMs: 600_000 }
          : { jobs: 100, rounds: 2, seed: SEED, timeoutMs: 25_000 },
      );
      process.stdout.write(`kill -9 rounds ${JSON.stringify(result)}\n`);
      expect(result).toMatchObject({ lost: 0, duplicated: 0, notSucceeded: 0, orphansLeft: 0 });
      expect(result.jobs).toBe(FULL ? 1000 : 100);
      expect(result.succeededAtKills).toBeGreaterThan(0);
    },
  );

  it(
    `keeps memory and disk bounded for a job printing ${FULL ? "1 GB" : "50 MB"} as fast as it can`,
    { timeout: FULL ? 600_000 : 30_000 },
    async () => {
      const maxLogBytes = 16 * 1024 * 1024;
      const result = await runLoudJob({ megabytes: FULL ? 1024 : 50, maxLogBytes });
      process.stdout.write(`loud job ${JSON.stringify(result)}\n`);
      expect(result.status).toBe("SUCCEEDED");
      // At most the cap on disk (plus the rotation note), and what is on disk is what is served.
      expect(result.keptOnDiskMb).toBeLessThanOrEqual(16.1);
      expect(result.keptOnDiskMb).toBeGreaterThanOrEqual(8);
      expect(result.servedMb).toBe(result.keptOnDiskMb);
      expect(result.executorPeakRssMb - result.executorBaselineRssMb).toBeLessThan(120);
    },
  );

  it("answers 1,000 clients connecting at once, each on its own connection", { timeout: 60_000 }, async () => {
    const result = await runManyClients({ clients: 1000, timeoutMs: 20_000 });
    process.stdout.write(`clients at once ${JSON.stringify(result)}\n`);
    expect(result.statuses).toEqual({ "200": 1000 });
    expect(result.jobsSucceeded).toBe(500);
    expect(result.slowestMs).toBeLessThan(20_000);
  });

  describe("a job's processes", () => {
    // Each process that ignores SIGTERM says it is ready only once its handler is in place, so a loaded machine
    // cannot deliver the signal before the handler exists.
    const spawnFamily = (pidsFile: string, leaderIgnoresTerm: boolean, leaderExitsAfterMs?: number) => {
      const hold =
        "process.on('SIGTERM', () => {}); require('fs').writeFileSync(process.argv[1], String(process.pid)); setInterval(() => {}, 1000)";
      const grandchild = `require('child_process').spawn(process.execPath, ['-e', ${JSON.stringify(hold)}, process.argv[1]], { stdio: 'ignore' }); process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)`;
      return [
        NODE,
        "-e",
        `const { spawn } = require('child_process');
         const fs = require('fs');
         ${leaderIgnoresTerm ? "process.on('SIGTERM', () => {});" : ""}
         const ready = (role) => process.argv[1] + '.' + role;
         const inGroup = spawn(process.execPath, ['-e', ${JSON.stringify(hold)}, ready('in-group')], { stdio: 'ignore' });
         const grandchild = spawn(process.execPath, ['-e', ${JSON.stringify(grandchild)}, ready('grandchild')], { stdio: 'ignore' });
         const escaped = spawn(process.execPath, ['-e', ${JSON.stringify(hold)}, ready('escaped')], { stdio: 'ignore', detached: true });
         const pidOf = (role) => (fs.existsSync(ready(role)) ? fs.readFileSync(ready(role), 'utf8') : '');
         const report = setInterval(() => {
           if (!['in-group', 'grandchild', 'escaped'].every(pidOf)) return;
           clearInterval(report);
           fs.writeFileSync(process.argv[1], JSON.stringify([process.pid, inGroup.pid, grandchild.pid, escaped.pid, Number(pidOf('grandchild'))]));
           ${leaderExitsAfterMs === undefined ? "" : `setTimeout(() => process.exit(0), ${leaderExitsAfterMs});`}
         }, 50);
         setInterval(() => {}, 1000);`,
        pidsFile,
      ];
    };

    const readPids = (file: string) =>
      waitFor(
        async () => (existsSync(file) ? readFileSync(file, "utf8") : ""),
        (text) => text.startsWith("["),
      ).then((text) => JSON.parse(text) as number[]);

    it(
      "kills the whole group, and what left it with setsid, after the grace period on TerminateJob and on timeout",
      { timeout: 60_000 },
      async () => {
        const executor = await startTestExecutor({ killGraceMs: 300 });
        const work = temporaryDirectory();
        const all: number[] = [];
        try {
          const pidsFile = path.join(work, "terminate.pids");
          const { jobQueue, jobDefinition } = await setUpBatch(executor, spawnFamily(pidsFile, true));
          const { jobId } = await awsOk<{ jobId: string }>(executor, "SubmitJob", {
            jobName: "stubborn",
            jobQueue,
            jobDefinition,
          });
          const pids = await readPids(pidsFile);
          all.push(...pids);
          expect(pids.every(isAlive)).toBe(true);
          const terminatedAt = Date.now();
          await awsOk(executor, "TerminateJob", { jobId, reason: "stop it" });
          await new Promise((resolve) => setTimeout(resolve, 150));
          // SIGTERM is ignored by everyone, so all are still there inside the grace period.
          expect(pids.filter(isAlive)).toEqual(pids);
          await waitFor(
            async () => pids.filter(isAlive),
            (alive) => alive.length === 0,
            3_000,
          );
          expect(Date.now() - terminatedAt).toBeGreaterThanOrEqual(300);
          expect(await waitForJobStatus(executor, jobId, ["FAILED"])).toMatchObject({ isTerminated: true });

          const timeoutPids = path.join(work, "timeout.pids");
          const timed = await awsOk<{ jobId: string }>(executor, "SubmitJob", {
            jobName: "too-slow",
            jobQueue,
            jobDefinition,
            containerOverrides: { command: spawnFamily(timeoutPids, false) },
            // Long enough for the four processes to start and report on a loaded machine before the timeout fires.
            timeout: { attemptDurationSeconds: 5 },
          });
          const timedPids = await readPids(timeoutPids);
          all.push(...timedPids);
          const failed = await waitForJobStatus(executor, timed.jobId, ["FAILED"], 20_000);
          expect(failed.statusReason).toBe("Job attempt duration exceeded timeout");
          await waitFor(
            async () => timedPids.filter(isAlive),
            (alive) => alive.length === 0,
            3_000,
          );
        } finally {
          for (const pid of all) if (isAlive(pid)) process.kill(pid, "SIGKILL");
          await executor.cleanup();
        }
      },
    );

    it("kills what is left in the group when the job's own process exits, as a container would", async () => {
      const executor = await startTestExecutor();
      const work = temporaryDirectory();
      const pids: number[] = [];
      try {
        const pidsFile = path.join(work, "exit.pids");
        const { jobQueue, jobDefinition } = await setUpBatch(executor, spawnFamily(pidsFile, false, 100));
        const { jobId } = await awsOk<{ jobId: string }>(executor, "SubmitJob", {
          jobName: "leaves-children",
          jobQueue,
          jobDefinition,
        });
        pids.push(...(await readPids(pidsFile)));
        expect((await waitForJobStatus(executor, jobId, ["SUCCEEDED", "FAILED"])).status).toBe("SUCCEEDED");
        const [leader, inGroup, grandchild, , grandgrandchild] = pids as [number, number, number, number, number];
        await waitFor(
          async () => [leader, inGroup, grandchild, grandgrandchild].filter(isAlive),
          (alive) => alive.length === 0,
          3_000,
        );
      } finally {
        // The setsid one is out of the group: a documented limit for jobs that exit on their own.
        for (const pid of pids) if (isAlive(pid)) process.kill(pid, "SIGKILL");
        await executor.cleanup();
      }
    });
  });

  describe.skipIf(!CAN_MOUNT)("a state directory on a real tmpfs", () => {
    it(
      "full disk: refuses new work with 507 on every face, stays up, keeps running jobs, and catches up once there is room",
      { timeout: 30_000 },
      async () => {
        const mountPoint = temporaryDirectory("bm-full-");
        expect(tryMount(mountPoint, "size=2m")).toBe(true);
        const stateDir = path.join(mountPoint, "state");
        let executor = await startTestExecutor({ stateDir, maxLogBytes: 64 * 1024 });
        try {
          const { jobQueue, jobDefinition } = await setUpBatch(executor, [NODE, "-e", "console.log('ok')"]);
          const before = await awsOk<{ jobId: string }>(executor, "SubmitJob", {
            jobName: "before",
            jobQueue,
            jobDefinition,
          });
          await waitForJobStatus(executor, before.jobId, ["SUCCEEDED"]);
          const slow = await awsOk<{ jobId: string }>(executor, "SubmitJob", {
            jobName: "running-through-it",
            jobQueue,
            jobDefinition,
            containerOverrides: {
              command: [
                NODE,
                "-e",
                "let i = 0; const t = setInterval(() => { console.log('line ' + i); if (++i === 25) clearInterval(t); }, 40)",
              ],
            },
          });
          await waitForJobStatus(executor, slow.jobId, ["RUNNING"]);

          const filler = path.join(mountPoint, "filler");
          expect(fillDisk(filler)).toBeGreaterThan(0);

          // The journal's last page may still take a few lines; submit until the disk says no.
          const acceptedWhileFilling: string[] = [];
          let refused = await aws(executor, "SubmitJob", { jobName: "refused-1", jobQueue, jobDefinition });
          while (refused.status === 200 && acceptedWhileFilling.length < 500) {
            acceptedWhileFilling.push(String(refused.body.jobId));
            refused = await aws(executor, "SubmitJob", { jobName: "refused-1", jobQueue, jobDefinition });
          }
          expect(refused.status).toBe(507);
          expect(refused.errorType).toBe("ServerException");
          expect(String(refused.body.message)).toMatch(/state directory .* is full \(ENOSPC\)/);
          const refusedAgain = await aws(executor, "SubmitJob", { jobName: "refused-2", jobQueue, jobDefinition });
          expect(refusedAgain.status).toBe(507);
          const commonCompute = await fetch(`${executor.url}/v1/jobs`, {
            method: "POST",
            headers: { ...authorised(executor), "content-type": "application/json" },
            body: JSON.stringify({ workload: "anything", input: {} }),
          });
          expect(commonCompute.status).toBe(507);
          expect(await commonCompute.json()).toMatchObject({ code: "storage_unavailable" });
          const salad = await fetch(`${executor.url}/organizations/acme/projects/dev/queues`, {
            method: "POST",
            headers: { "salad-api-key": executor.apiKey, "content-type": "application/json" },
            body: JSON.stringify({ name: "refused" }),
          });
          expect(await salad.json()).toMatchObject({ status: 507, title: "Insufficient Storage" });
          const health = await fetch(`${executor.url}/executor/v1/health`, { headers: authorised(executor) });
          // A retry with nothing pending clears the store's failure, so on a loaded machine health may already say
          // 200 here while the next write is refused again; when it says 503, it says why.
          expect([200, 503]).toContain(health.status);
          if (health.status === 503) {
            expect(await health.json()).toMatchObject({ ok: false, storage: expect.stringMatching(/ENOSPC/) });
          }
          // Reads still work, and the job that was running finishes (its log lines have nowhere to go).
          expect((await describeJob(executor, before.jobId)).status).toBe("SUCCEEDED");
          expect((await waitForJobStatus(executor, slow.jobId, ["SUCCEEDED", "FAILED"])).status).toBe("SUCCEEDED");

          rmSync(filler);
          await waitFor(
            () => fetch(`${executor.url}/executor/v1/health`, { headers: authorised(executor) }).then((r) => r.status),
            (status) => status === 200,
            5_000,
          );
          const after = await awsOk<{ jobId: string }>(executor, "SubmitJob", {
            jobName: "after",
            jobQueue,
            jobDefinition,
          });
          await waitForJobStatus(executor, after.jobId, ["SUCCEEDED"]);
          // What was accepted while the disk filled runs once there is room; on a loaded machine some of it may
          // still be running when "after" is done, and closing would stop it mid-run.
          for (const id of acceptedWhileFilling) {
            expect((await waitForJobStatus(executor, id, ["SUCCEEDED", "FAILED"])).status).toBe("SUCCEEDED");
          }
          await executor.close();

          // Every line on disk is whole, and a restart sees exactly what was acknowledged.
          for (const file of ["journal.ndjson", "snapshot.ndjson"]) {
            const lines = readFileSync(path.join(stateDir, file), "utf8").split("\n").filter(Boolean);
            for (const line of lines) expect(() => JSON.parse(line), `${file}: ${line.slice(0, 80)}`).not.toThrow();
          }
          executor = await startTestExecutor({ stateDir });
          for (const id of [before.jobId, slow.jobId, after.jobId, ...acceptedWhileFilling]) {
            expect((await describeJob(executor, id)).status).toBe("SUCCEEDED");
          }
          const listed = await awsOk<{ jobSummaryList: { jobName: string; jobId: string }[] }>(executor, "ListJobs", {
            jobQueue,
            jobStatus: "SUCCEEDED",
          });
          // What was refused with 507 is nowhere: the last "refused-1" submit and "refused-2".
          expect(listed.jobSummaryList.map((job) => job.jobId).sort()).toEqual(
            [before.jobId, slow.jobId, after.jobId, ...acceptedWhileFilling].sort(),
          );
          const failedList = await awsOk<{ jobSummaryList: unknown[] }>(executor, "ListJobs", {
            jobQueue,
            jobStatus: "FAILED",
          });
          expect(failedList.jobSummaryList).toEqual([]);
        } finally {
          await executor.close();
          unmount(mountPoint);
          rmSync(mountPoint, { recursive: true, force: true });
        }
      },
    );

    it("read-only: refuses to start with a clear message; a read-only logs directory at run time costs only the logs", async () => {
      const mountPoint = temporaryDirectory("bm-readonly-");
      expect(tryMount(mountPoint, "size=1m")).toBe(true);
      const stateDir = path.join(mountPoint, "state");
      const logsMount = path.join(stateDir, "logs");
      try {
        const first = await startExecutor({ stateDir, apiKey: "k" });
        await first.close();
        execFileSync("mount", ["-o", "remount,ro", mountPoint]);
        await expect(startExecutor({ stateDir, apiKey: "k" })).rejects.toThrow(
          `the executor cannot start: its state directory ${stateDir} is read-only (EROFS): make it writable and start it again`,
        );
        execFileSync("mount", ["-o", "remount,rw", mountPoint]);

        // A real EROFS while running: the journal stays writable, the logs directory turns read-only.
        const executor = await startTestExecutor({ stateDir });
        try {
          mkdirSync(logsMount, { recursive: true });
          expect(tryMount(logsMount, "size=64k")).toBe(true);
          execFileSync("mount", ["-o", "remount,ro", logsMount]);
          const { jobQueue, jobDefinition } = await setUpBatch(executor, [NODE, "-e", "console.log('to nowhere')"]);
          const { jobId } = await awsOk<{ jobId: string }>(executor, "SubmitJob", {
            jobName: "no-logs",
            jobQueue,
            jobDefinition,
          });
          expect((await waitForJobStatus(executor, jobId, ["SUCCEEDED", "FAILED"])).status).toBe("SUCCEEDED");
          const logs = await fetch(`${executor.url}/executor/v1/jobs/${jobId}/logs`, { headers: authorised(executor) });
          expect(logs.status).toBe(200);
          expect(await logs.text()).toBe("");
          expect((await fetch(`${executor.url}/executor/v1/health`, { headers: authorised(executor) })).status).toBe(
            200,
          );
        } finally {
          await executor.close();
        }
      } finally {
        unmount(logsMount);
        unmount(mountPoint);
        rmSync(mountPoint, { recursive: true, force: true });
      }
    });
  });
});
