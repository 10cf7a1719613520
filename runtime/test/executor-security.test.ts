import { existsSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { safeFileName } from "../src/executor/engine.js";
import { isAuthorised, keysMatch } from "../src/executor/http-kit.js";
import { startExecutor } from "../src/executor/index.js";
import {
  NODE,
  aws,
  awsOk,
  setUpBatch,
  startApp,
  startTestExecutor,
  temporaryDirectory,
  waitFor,
  waitForJobStatus,
} from "./helpers.js";

// Records every timingSafeEqual call, so the test can see what the key comparison compares.
const timingSafeEqualCalls = vi.hoisted(() => [] as { left: number; right: number }[]);
vi.mock("node:crypto", async (importOriginal) => {
  const crypto = await importOriginal<typeof import("node:crypto")>();
  return {
    ...crypto,
    timingSafeEqual: (left: NodeJS.ArrayBufferView, right: NodeJS.ArrayBufferView) => {
      timingSafeEqualCalls.push({ left: left.byteLength, right: right.byteLength });
      return crypto.timingSafeEqual(left, right);
    },
  };
});

type Executor = Awaited<ReturnType<typeof startTestExecutor>>;

/** A request with the path exactly as given: fetch would normalise `..` and re-encode before sending. */
function rawRequest(
  executor: Executor,
  method: string,
  rawPath: string,
  body?: Buffer | string,
  extraHeaders: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  const url = new URL(executor.url);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: rawPath,
        headers: { authorization: `Bearer ${executor.apiKey}`, ...extraHeaders },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
        );
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

describe("binding and keys", () => {
  let savedKey: string | undefined;
  beforeEach(() => {
    savedKey = process.env.MIGRATE_EXECUTOR_KEY;
    delete process.env.MIGRATE_EXECUTOR_KEY;
  });
  afterEach(() => {
    if (savedKey === undefined) delete process.env.MIGRATE_EXECUTOR_KEY;
    else process.env.MIGRATE_EXECUTOR_KEY = savedKey;
  });

  it("binds 127.0.0.1 by default, and any other address only with an explicit, non-empty key", async () => {
    const local = await startExecutor({ stateDir: temporaryDirectory() });
    try {
      expect(local.host).toBe("127.0.0.1");
      expect(local.apiKey).toMatch(/^cc_test_[0-9a-f]{48}$/);
      expect((await fetch(`${local.url}/executor/v1/health`)).status).toBe(401);
    } finally {
      await local.close();
    }
    // 127.0.0.2 is loopback on Linux but not the default address, so it stands in for "any other address".
    await expect(startExecutor({ host: "127.0.0.2", stateDir: temporaryDirectory() })).rejects.toThrow(/API key/);
    await expect(startExecutor({ host: "127.0.0.2", apiKey: "", stateDir: temporaryDirectory() })).rejects.toThrow(
      /API key/,
    );
    const keyed = await startExecutor({ host: "127.0.0.2", apiKey: "a-real-key", stateDir: temporaryDirectory() });
    try {
      expect(keyed.host).toBe("127.0.0.2");
      expect((await fetch(`${keyed.url}/executor/v1/health`)).status).toBe(401);
      const health = await fetch(`${keyed.url}/executor/v1/health`, {
        headers: { authorization: "Bearer a-real-key" },
      });
      expect(health.status).toBe(200);
    } finally {
      await keyed.close();
    }
  });

  it("compares keys in constant time: timingSafeEqual over equal-length SHA-256 digests, every presented key", () => {
    timingSafeEqualCalls.length = 0;
    expect(keysMatch("cc_test_secret", "cc_test_secret")).toBe(true);
    expect(keysMatch("cc_test_secreT", "cc_test_secret")).toBe(false);
    expect(keysMatch("short", "cc_test_secret")).toBe(false);
    expect(keysMatch("cc_test_secret_and_longer", "cc_test_secret")).toBe(false);
    expect(keysMatch("", "cc_test_secret")).toBe(false);
    expect(keysMatch(undefined, "cc_test_secret")).toBe(false);
    // Five comparisons reached timingSafeEqual (undefined is refused before hashing), all on 32-byte digests,
    // so neither the length nor the first differing byte of a wrong key changes the work done.
    expect(timingSafeEqualCalls).toEqual(Array(5).fill({ left: 32, right: 32 }));

    timingSafeEqualCalls.length = 0;
    const headers = {
      authorization: "Bearer cc_test_secret",
      "salad-api-key": "wrong",
    };
    expect(isAuthorised(headers, "cc_test_secret")).toBe(true);
    // A match in the first header does not stop the comparison of the second.
    expect(timingSafeEqualCalls).toHaveLength(2);
  });
});

describe("request limits and paths", () => {
  it("answers 413 in each face's format for a body over maxBodyBytes, declared or streamed, and stays up", async () => {
    const executor = await startTestExecutor({ maxBodyBytes: 1024 });
    try {
      const big = "x".repeat(4096);
      const declared = await rawRequest(executor, "POST", "/v1/jobs", big, { "content-type": "application/json" });
      expect(declared.status).toBe(413);
      expect(JSON.parse(declared.body)).toMatchObject({ code: "payload_too_large" });
      const awsFace = await rawRequest(executor, "POST", "/v1/submitjob", big);
      expect(awsFace.status).toBe(413);
      expect(JSON.parse(awsFace.body)).toMatchObject({ __type: "ClientException" });
      const saladFace = await rawRequest(executor, "POST", "/organizations/acme/projects/dev/queues", big);
      expect(JSON.parse(saladFace.body)).toMatchObject({ status: 413, title: "Payload Too Large" });

      // Chunked, with no Content-Length: 8 MB offered in 64 KB pieces; the executor stops reading at the limit.
      const url = new URL(executor.url);
      const streamed = await new Promise<number>((resolve, reject) => {
        const request = http.request(
          {
            host: url.hostname,
            port: url.port,
            method: "POST",
            path: "/v1/jobs",
            headers: { authorization: `Bearer ${executor.apiKey}`, "transfer-encoding": "chunked" },
          },
          (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
          },
        );
        request.on("error", reject);
        const piece = Buffer.alloc(64 * 1024, 120);
        let sent = 0;
        const pump = (): void => {
          while (sent < 128) {
            sent++;
            if (!request.write(piece)) return void request.once("drain", pump);
          }
          request.end();
        };
        pump();
      }).catch((error: NodeJS.ErrnoException) => (error.code === "ECONNRESET" || error.code === "EPIPE" ? 413 : -1));
      expect(streamed).toBe(413);

      const health = await fetch(`${executor.url}/executor/v1/health`, {
        headers: { authorization: `Bearer ${executor.apiKey}` },
      });
      expect(health.status).toBe(200);
    } finally {
      await executor.cleanup();
    }
  });

  it("lets no job id, attempt, log, result or upload path reach a file outside the job's own", async () => {
    const executor = await startTestExecutor();
    try {
      const secret = "journal-secret-canary";
      const { jobQueue, jobDefinition } = await setUpBatch(executor, [NODE, "-e", "console.log('job log line')"]);
      const { jobId } = await awsOk<{ jobId: string }>(executor, "SubmitJob", {
        jobName: secret,
        jobQueue,
        jobDefinition,
      });
      await waitForJobStatus(executor, jobId, ["SUCCEEDED"]);
      const own = await rawRequest(executor, "GET", `/executor/v1/jobs/${jobId}/logs`);
      expect(own).toEqual({ status: 200, body: "job log line\n" });
      writeFileSync(path.join(executor.stateDir, "logs", "1.log"), secret);

      const attempts = [
        ["GET", "/executor/v1/jobs/../../../../etc/passwd"],
        ["GET", "/executor/v1/jobs/..%2f..%2fjournal.ndjson/logs"],
        ["GET", "/executor/v1/jobs/%2e%2e/logs"],
        ["GET", "/executor/v1/jobs/%2e%2e%2f%2e%2e%2fsnapshot.ndjson"],
        ["GET", "/executor/v1/jobs/%2Fetc%2Fpasswd"],
        ["GET", "/executor/v1/jobs/%2Fetc%2Fpasswd/logs"],
        ["GET", `/executor/v1/jobs/${jobId}%00/logs`],
        ["GET", `/executor/v1/jobs/${jobId}/logs?attempt=../../1`],
        ["GET", `/executor/v1/jobs/${jobId}/logs?attempt=%2e%2e%2f1`],
        ["GET", `/executor/v1/jobs/${jobId}/logs?attempt=/etc/passwd`],
        ["GET", `/executor/v1/jobs/${jobId}/logs?attempt=1%00`],
        ["GET", `/executor/v1/jobs/${jobId}/logs?attempt=0`],
        ["GET", `/executor/v1/jobs/${jobId}/logs?attempt=-1`],
        ["GET", "/executor/v1/jobs/%zz/logs"],
        ["GET", "/v1/jobs/..%2f..%2fjournal.ndjson/result"],
        ["GET", "/v1/jobs/%2e%2e%2fsnapshot.ndjson"],
        ["GET", "/v1/jobs/%zz"],
        ["GET", "/v1/me/logs?job_id=..%2f..%2fjournal.ndjson"],
        ["PUT", "/v1/uploads/..%2f..%2fjournal.ndjson?token=x"],
        ["PUT", "/v1/uploads/%2e%2e?token=x"],
        ["GET", "/organizations/acme/projects/dev/queues/q/jobs/..%2f..%2fjournal.ndjson"],
        ["GET", "/organizations/%2e%2e/projects/dev/queues"],
        ["GET", "/api/public/organizations/acme/projects/%zz/queues"],
      ] as const;
      for (const [method, rawPath] of attempts) {
        const answer = await rawRequest(executor, method, rawPath, method === "PUT" ? "overwrite" : undefined);
        expect([400, 403, 404], `${method} ${rawPath} → ${answer.status} ${answer.body}`).toContain(answer.status);
        expect(answer.body, rawPath).not.toContain(secret);
        expect(answer.body, rawPath).not.toContain("root:");
      }
      expect(readFileSync(path.join(executor.stateDir, "journal.ndjson"), "utf8")).not.toContain("overwrite");

      // File names made from ids stay one segment inside the directory they are joined to.
      for (const id of ["..", ".", "", "../../etc/passwd", "/abs/path", "a\0b", "..\\..\\x"]) {
        const name = safeFileName(id);
        expect(path.join("/state/logs", name, "1.log").startsWith("/state/logs/"), JSON.stringify(id)).toBe(true);
        expect(path.dirname(path.join("/state/logs", name)), JSON.stringify(id)).toBe("/state/logs");
      }
    } finally {
      await executor.cleanup();
    }
  });
});

describe("what a submitter controls", () => {
  it("runs a command as literal argv, never through a shell, parameters included", async () => {
    const executor = await startTestExecutor();
    const work = temporaryDirectory();
    const pwned = path.join(work, "pwned");
    try {
      const { jobQueue, jobDefinition } = await setUpBatch(executor, ["/bin/echo", "hello; touch " + pwned]);
      const literal = await awsOk<{ jobId: string }>(executor, "SubmitJob", {
        jobName: "literal",
        jobQueue,
        jobDefinition,
      });
      const substituted = await awsOk<{ jobId: string }>(executor, "SubmitJob", {
        jobName: "substituted",
        jobQueue,
        jobDefinition,
        containerOverrides: { command: ["/bin/echo", "Ref::message"] },
        parameters: { message: `$(touch ${pwned}) \`touch ${pwned}\` && touch ${pwned}` },
      });
      const wholeLine = await awsOk<{ jobId: string }>(executor, "SubmitJob", {
        jobName: "whole-line",
        jobQueue,
        jobDefinition,
        containerOverrides: { command: [`touch ${pwned}`] },
      });
      await waitForJobStatus(executor, literal.jobId, ["SUCCEEDED"]);
      await waitForJobStatus(executor, substituted.jobId, ["SUCCEEDED"]);
      const failed = await waitForJobStatus(executor, wholeLine.jobId, ["FAILED"]);
      expect(failed.attempts[0]?.container.reason).toMatch(/CannotStartContainerError.*ENOENT/);
      const logOf = async (jobId: string) =>
        (await rawRequest(executor, "GET", `/executor/v1/jobs/${jobId}/logs`)).body;
      expect(await logOf(literal.jobId)).toBe(`hello; touch ${pwned}\n`);
      expect(await logOf(substituted.jobId)).toBe(`$(touch ${pwned}) \`touch ${pwned}\` && touch ${pwned}\n`);
      expect(existsSync(pwned)).toBe(false);
    } finally {
      await executor.cleanup();
    }
  });

  it("keeps AWS_BATCH_* names out of jobs on the AWS face, and the attempt marker out of reach", async () => {
    const executor = await startTestExecutor();
    try {
      const dumpEnvironment = "console.log(JSON.stringify(process.env))";
      const { jobQueue, jobDefinition } = await setUpBatch(executor, [NODE, "-e", dumpEnvironment]);
      const reservedNames = ["AWS_BATCH_JOB_ID", "AWS_BATCH_JOB_ATTEMPT", "AWS_BATCHX", "AWS_BATCH"];
      for (const name of reservedNames) {
        const refused = await aws(executor, "SubmitJob", {
          jobName: "inject",
          jobQueue,
          jobDefinition,
          containerOverrides: { environment: [{ name, value: "evil" }] },
        });
        expect(refused.status, name).toBe(400);
        expect(refused.errorType).toBe("ClientException");
        expect(String(refused.body.message)).toMatch(/AWS_BATCH are reserved/);
      }
      const definition = await aws(executor, "RegisterJobDefinition", {
        jobDefinitionName: "inject",
        type: "container",
        containerProperties: {
          image: "x",
          command: ["true"],
          environment: [{ name: "AWS_BATCH_CE_NAME", value: "x" }],
        },
      });
      expect(definition.status).toBe(400);
      // Names that would define some other variable than the one named.
      for (const entry of [
        { name: "X=1", value: "y" },
        { name: "AWS_BATCH_JOB_ID\u0000", value: "evil" },
        { name: "", value: "y" },
        { name: "OK", value: "a\u0000AWS_BATCH_JOB_ID=evil" },
      ]) {
        const refused = await aws(executor, "SubmitJob", {
          jobName: "inject",
          jobQueue,
          jobDefinition,
          containerOverrides: { environment: [entry] },
        });
        expect(refused.status, JSON.stringify(entry)).toBe(400);
      }

      const { jobId } = await awsOk<{ jobId: string }>(executor, "SubmitJob", {
        jobName: "marker",
        jobQueue,
        jobDefinition,
        containerOverrides: { environment: [{ name: "MIGRATE_EXECUTOR_ATTEMPT", value: "someone-else#1" }] },
      });
      await waitForJobStatus(executor, jobId, ["SUCCEEDED"]);
      const env = JSON.parse((await rawRequest(executor, "GET", `/executor/v1/jobs/${jobId}/logs`)).body) as Record<
        string,
        string
      >;
      expect(env.MIGRATE_EXECUTOR_ATTEMPT).toBe(`${jobId}#1`);
      expect(env.AWS_BATCH_JOB_ID).toBe(jobId);
    } finally {
      await executor.cleanup();
    }
  });

  it("gives Common Compute and Salad submitters no way to set an environment variable", async () => {
    const savedBatchId = process.env.AWS_BATCH_JOB_ID;
    // The executor itself may run inside a Batch job; its own AWS_BATCH_* must not leak either.
    process.env.AWS_BATCH_JOB_ID = "the-executors-own";
    const app = await startApp(() => ({ status: 200, body: '{"ok":true}' }));
    const dumpEnvironment =
      "require('fs').writeFileSync(process.env.CC_RESULT_PATH, JSON.stringify(process.env)); process.stdin.resume()";
    const executor = await startTestExecutor({
      config: {
        workloads: {
          dump: { command: [NODE, "-e", dumpEnvironment], env: { AWS_BATCH_CE_NAME: "from-config", PLAIN: "kept" } },
        },
        saladQueues: { inbox: { port: app.port, path: "/work" } },
      },
    });
    try {
      const reserved = { AWS_BATCH_JOB_ID: "evil", AWS_BATCH_JOB_ATTEMPT: "9" };
      const submit = await fetch(`${executor.url}/v1/jobs`, {
        method: "POST",
        headers: { authorization: `Bearer ${executor.apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({
          workload: "dump",
          input: { ...reserved, environment: [{ name: "AWS_BATCH_JOB_ID", value: "evil" }] },
          metadata: reserved,
          env: reserved,
          environment: reserved,
          model_id: "m\nAWS_BATCH_JOB_ID=evil",
        }),
      });
      expect(submit.status).toBe(201);
      const { id } = (await submit.json()) as { id: string };
      const result = await waitFor(
        () =>
          fetch(`${executor.url}/v1/jobs/${id}/result`, { headers: { authorization: `Bearer ${executor.apiKey}` } }),
        (response) => response.status === 200,
      );
      const env = (await result.json()) as Record<string, string>;
      expect(Object.keys(env).filter((name) => name.startsWith("AWS_BATCH"))).toEqual([]);
      expect(env.CC_MODEL_ID).toBe("m\nAWS_BATCH_JOB_ID=evil");
      expect(env.PLAIN).toBe("kept");

      const nul = await fetch(`${executor.url}/v1/jobs`, {
        method: "POST",
        headers: { authorization: `Bearer ${executor.apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({ workload: "dump", input: {}, model_id: "m\u0000AWS_BATCH_JOB_ID=evil" }),
      });
      expect(nul.status).toBe(400);

      // Salad: the input is the body of the request to the app, byte for byte; metadata stays in the executor.
      const saladHeaders = { "salad-api-key": executor.apiKey, "content-type": "application/json" };
      const base = `${executor.url}/organizations/acme/projects/dev/queues`;
      expect((await fetch(base, { method: "POST", headers: saladHeaders, body: '{"name":"inbox"}' })).status).toBe(201);
      const input = { environment: [{ name: "AWS_BATCH_JOB_ID", value: "evil" }], ...reserved };
      const created = await fetch(`${base}/inbox/jobs`, {
        method: "POST",
        headers: saladHeaders,
        body: JSON.stringify({ input, metadata: reserved }),
      });
      expect(created.status).toBe(201);
      await waitFor(
        async () => app.requests.length,
        (count) => count === 1,
      );
      const forwarded = app.requests[0];
      expect(JSON.parse(forwarded?.body ?? "null")).toEqual(input);
      expect(Object.keys(forwarded?.headers ?? {}).filter((name) => /aws_batch/i.test(name))).toEqual([]);
      expect(JSON.stringify(forwarded?.headers)).not.toContain("evil");
    } finally {
      await executor.cleanup();
      await app.close();
      if (savedBatchId === undefined) delete process.env.AWS_BATCH_JOB_ID;
      else process.env.AWS_BATCH_JOB_ID = savedBatchId;
    }
  });
});
