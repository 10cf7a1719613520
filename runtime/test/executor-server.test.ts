import { spawn } from "node:child_process";
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { UsageError, main } from "../src/cli.js";
import { startExecutor } from "../src/executor/index.js";
import { JournalStore } from "../src/executor/store.js";
import {
  NODE,
  awsOk,
  describeJob,
  setUpBatch,
  startTestExecutor,
  temporaryDirectory,
  waitFor,
  waitForJobStatus,
} from "./helpers.js";

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "run-cli.ts");

describe("the executor's HTTP server", () => {
  it("answers 401 on every face without the key, and accepts the key in any of the three headers", async () => {
    const executor = await startTestExecutor({ config: { commonComputeExtensions: true } });
    try {
      const paths = [
        ["GET", "/v1/jobs"],
        ["GET", "/organizations/acme/projects/dev/queues"],
        ["POST", "/v1/describejobqueues"],
        ["GET", "/executor/v1/health"],
      ] as const;
      for (const [method, pathname] of paths) {
        const anonymous = await fetch(executor.url + pathname, { method, body: method === "POST" ? "{}" : undefined });
        expect(anonymous.status, pathname).toBe(401);
        const wrong = await fetch(executor.url + pathname, {
          method,
          headers: { authorization: "Bearer nope" },
          body: method === "POST" ? "{}" : undefined,
        });
        expect(wrong.status, pathname).toBe(401);
      }
      const headers: Record<string, string>[] = [
        { authorization: `Bearer ${executor.apiKey}` },
        { "salad-api-key": executor.apiKey },
        {
          authorization: `AWS4-HMAC-SHA256 Credential=${executor.apiKey}/20260101/us-east-1/batch/aws4_request, SignedHeaders=host, Signature=abc`,
        },
      ];
      for (const header of headers) {
        expect((await fetch(`${executor.url}/v1/jobs`, { headers: header })).status).toBe(200);
      }
      expect(await (await fetch(`${executor.url}/organizations/acme/projects/dev/queues`)).json()).toMatchObject({
        status: 401,
        title: "Unauthorized",
      });
      // With the extension flag the error carries a code; the real API's is `{"error"}` only.
      expect(await (await fetch(`${executor.url}/v1/jobs`)).json()).toEqual({
        error: "Unauthorized",
        code: "UnrecognizedClientException",
      });
    } finally {
      await executor.cleanup();
    }
  });

  it("generates a key when none is given, and refuses a non-loopback address without one", async () => {
    const saved = process.env.MIGRATE_EXECUTOR_KEY;
    delete process.env.MIGRATE_EXECUTOR_KEY;
    try {
      const executor = await startExecutor({ stateDir: temporaryDirectory() });
      expect(executor.apiKey).toMatch(/^cc_test_[0-9a-f]{48}$/);
      expect(executor.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      await executor.close();
      await expect(startExecutor({ host: "0.0.0.0", stateDir: temporaryDirectory() })).rejects.toThrow(/API key/);
      await expect(main(["executor", "--host", "0.0.0.0"], () => undefined)).rejects.toBeInstanceOf(UsageError);
    } finally {
      if (saved !== undefined) process.env.MIGRATE_EXECUTOR_KEY = saved;
    }
  });

  it("never runs more than maxParallel attempts at once", async () => {
    const executor = await startTestExecutor({ maxParallel: 2 });
    try {
      const { jobQueue, jobDefinition } = await setUpBatch(executor, [NODE, "-e", "setTimeout(() => {}, 250)"]);
      const ids: string[] = [];
      for (let index = 0; index < 6; index++) {
        ids.push(
          (await awsOk<{ jobId: string }>(executor, "SubmitJob", { jobName: `p${index}`, jobQueue, jobDefinition }))
            .jobId,
        );
      }
      const jobs = await Promise.all(ids.map((id) => waitForJobStatus(executor, id, ["SUCCEEDED"])));
      const intervals = jobs.map((job) => [job.attempts[0]?.startedAt ?? 0, job.attempts[0]?.stoppedAt ?? 0] as const);
      const maxOverlap = Math.max(
        ...intervals.map(([start]) => intervals.filter(([from, to]) => from <= start && start < to).length),
      );
      expect(maxOverlap).toBe(2);
    } finally {
      await executor.cleanup();
    }
  });

  it("shuts down gracefully: SIGTERM to running jobs, state kept, the job re-queued as a lost attempt on restart", async () => {
    const stateDir = temporaryDirectory();
    const marker = path.join(stateDir, "..", `${path.basename(stateDir)}-term.txt`);
    const first = await startTestExecutor({ stateDir });
    const script = `const fs = require('fs');
      process.on('SIGTERM', () => { fs.appendFileSync(${JSON.stringify(marker)}, 'TERM\\n'); process.exit(143); });
      if (process.env.AWS_BATCH_JOB_ATTEMPT === '1') { fs.appendFileSync(${JSON.stringify(marker)}, 'READY\\n'); setInterval(() => {}, 1000); }`;
    const { jobQueue, jobDefinition } = await setUpBatch(first, [NODE, "-e", script], {
      retryStrategy: { attempts: 2 },
    });
    const { jobId } = await awsOk<{ jobId: string }>(first, "SubmitJob", { jobName: "long", jobQueue, jobDefinition });
    await waitFor(
      async () => (existsSync(marker) ? readFileSync(marker, "utf8") : ""),
      (text) => text === "READY\n",
    );
    await first.close();
    expect(readFileSync(marker, "utf8")).toBe("READY\nTERM\n");

    const second = await startTestExecutor({ stateDir });
    try {
      const job = await waitForJobStatus(second, jobId, ["SUCCEEDED", "FAILED"]);
      expect(job.status).toBe("SUCCEEDED");
      expect(job.attempts.map((attempt) => attempt.statusReason)).toEqual([
        "Host EC2 (instance local-executor) terminated.",
        "Essential container in task exited",
      ]);
    } finally {
      await second.cleanup();
    }
  });

  it("does not retry after a restart a job whose termination was under way when the executor stopped", async () => {
    const stateDir = temporaryDirectory();
    const first = await startTestExecutor({ stateDir });
    const { jobQueue, jobDefinition } = await setUpBatch(
      first,
      [NODE, "-e", "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"],
      {
        retryStrategy: { attempts: 3 },
      },
    );
    const { jobId } = await awsOk<{ jobId: string }>(first, "SubmitJob", {
      jobName: "stubborn",
      jobQueue,
      jobDefinition,
    });
    await waitForJobStatus(first, jobId, ["RUNNING"]);
    await awsOk(first, "TerminateJob", { jobId, reason: "operator stop" });
    await first.close();

    const second = await startTestExecutor({ stateDir });
    try {
      const job = await describeJob(second, jobId);
      expect(job).toMatchObject({ status: "FAILED", statusReason: "operator stop", isTerminated: true });
      expect(job.attempts).toHaveLength(1);
    } finally {
      await second.cleanup();
    }
  });

  it("prints its URL and key from the CLI and exits 0 on SIGTERM", async () => {
    const child = spawn(
      NODE,
      ["--import", "tsx", CLI, "executor", "--port", "0", "--state-dir", temporaryDirectory(), "--api-key", "cli-key"],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const lines = await new Promise<string[]>((resolve, reject) => {
      let output = "";
      child.stdout?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("api key:")) resolve(output.trim().split("\n"));
      });
      child.once("exit", (code) => reject(new Error(`exited early with ${code}`)));
    });
    expect(lines[0]).toMatch(/^executor listening on http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines[1]).toBe("api key: cli-key");
    const url = lines[0]?.replace("executor listening on ", "") ?? "";
    expect((await fetch(`${url}/executor/v1/health`, { headers: { authorization: "Bearer cli-key" } })).status).toBe(
      200,
    );
    const exitCode = await new Promise<number | null>((resolve) => {
      child.once("exit", (code) => resolve(code));
      child.kill("SIGTERM");
    });
    expect(exitCode).toBe(0);
  });
});

describe("the journal", () => {
  it("ignores a torn last line and keeps everything acknowledged before it", async () => {
    const directory = temporaryDirectory();
    const store = await JournalStore.open(directory);
    await store.put("jobQueue", "a", { jobQueueName: "a" });
    await store.put("jobQueue", "b", { jobQueueName: "b" });
    await store.delete("jobQueue", "a");
    await store.close();
    appendFileSync(path.join(directory, "journal.ndjson"), '{"k":"jobQueue","id":"c","v":{"jobQueueNa');
    const reopened = await JournalStore.open(directory);
    expect(reopened.list("jobQueue")).toEqual([{ jobQueueName: "b" }]);
    await reopened.close();
    expect(existsSync(path.join(directory, "snapshot.ndjson"))).toBe(true);
  });

  it("keeps a job's state history readable through the executor's own endpoint", async () => {
    const executor = await startTestExecutor();
    try {
      const { jobQueue, jobDefinition } = await setUpBatch(executor, [NODE, "-e", ""]);
      const { jobId } = await awsOk<{ jobId: string }>(executor, "SubmitJob", {
        jobName: "history",
        jobQueue,
        jobDefinition,
      });
      await waitForJobStatus(executor, jobId, ["SUCCEEDED"]);
      const response = await fetch(`${executor.url}/executor/v1/jobs/${jobId}`, {
        headers: { authorization: `Bearer ${executor.apiKey}` },
      });
      const record = (await response.json()) as { transitions: { status: string; at: number }[] };
      expect(record.transitions.at(-1)?.status).toBe((await describeJob(executor, jobId)).status);
    } finally {
      await executor.cleanup();
    }
  });
});
