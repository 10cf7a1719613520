// Hostile requests and state files against the local executor (loopback only): it stays up, keeps every job,
// never answers 503 for an input error, reads no body before the key, and binds beyond loopback only when told.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { UsageError, main } from "../../runtime/src/cli.js";
import { startExecutor } from "../../runtime/src/executor/index.js";
import { JournalStore } from "../../runtime/src/executor/store.js";
import { aws, NODE, temporaryDirectory } from "../../runtime/test/helpers.js";

const CLI = path.join(import.meta.dirname, "../../runtime/test/fixtures/run-cli.ts");
const KEY = "attack-key";
const ORG = "acme";
const PROJECT = "dev";
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

interface Running {
  url: string;
  child: ChildProcess;
  stderr: () => string;
  exited: () => boolean;
}

/** The executor in a process of its own, so a crash shows as an exit rather than taking the test down. */
async function spawnExecutor(stateDir: string, config?: unknown): Promise<Running> {
  const args = ["--import", "tsx", CLI, "executor", "--port", "0", "--state-dir", stateDir, "--api-key", KEY];
  if (config) {
    const file = path.join(temporaryDirectory(), "config.json");
    writeFileSync(file, JSON.stringify(config));
    args.push("--config", file);
  }
  const child = spawn(NODE, args, { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let stderr = "";
  let exited = false;
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.once("exit", () => (exited = true));
  const url = await new Promise<string>((resolve, reject) => {
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /executor listening on (\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`the executor exited with ${code}: ${stderr}`)));
  });
  return { url, child, stderr: () => stderr, exited: () => exited };
}

const headers = { "content-type": "application/json", "salad-api-key": KEY, authorization: `Bearer ${KEY}` };
const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;
const deepArray = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;

async function health(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/executor/v1/health`, { headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("the executor under hostile requests", () => {
  it("answers 400 to a 100k-deep Salad job input and a 200 KB deep Common Compute or AWS body, and keeps serving", async () => {
    const running = await spawnExecutor(temporaryDirectory(), {
      saladQueues: { work: { port: 9, path: "/process" } },
    });
    const queues = `${running.url}/organizations/${ORG}/projects/${PROJECT}/queues`;
    expect(
      (await fetch(queues, { method: "POST", headers, body: JSON.stringify({ name: "work", display_name: "Work" }) }))
        .status,
    ).toBe(201);
    const kept = await fetch(`${queues}/work/jobs`, {
      method: "POST",
      headers,
      body: JSON.stringify({ input: { n: 1 } }),
    });
    expect(kept.status).toBe(201);
    const keptId = ((await kept.json()) as { id: string }).id;

    const started = performance.now();
    const saladDeep = await fetch(`${queues}/work/jobs`, {
      method: "POST",
      headers,
      body: `{"input":${deep(100_000)}}`,
    });
    expect(saladDeep.status).toBe(400);
    const ccDeep = await fetch(`${running.url}/v1/jobs`, {
      method: "POST",
      headers,
      body: `{"workload":"x","input":${deepArray(100_000)}}`,
    });
    expect(ccDeep.status).toBeGreaterThanOrEqual(400);
    expect(ccDeep.status).toBeLessThan(500);
    const awsDeepRaw = await fetch(`${running.url}/v1/submitjob`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `AWS4-HMAC-SHA256 Credential=${KEY}/20260101/us-east-1/batch/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: `{"jobName":"a","jobQueue":"q","jobDefinition":"d","parameters":${deep(100_000)}}`,
    });
    expect(awsDeepRaw.status).toBe(400);
    expect(performance.now() - started).toBeLessThan(2_000);

    // Every later state-changing request still works; nothing is 503.
    await new Promise((resolve) => setTimeout(resolve, 700));
    const environment = await aws({ url: running.url, apiKey: KEY }, "CreateComputeEnvironment", {
      computeEnvironmentName: "after-attack",
      type: "UNMANAGED",
    });
    expect(environment.status).toBe(200);
    const later = await fetch(`${queues}/work/jobs`, {
      method: "POST",
      headers,
      body: JSON.stringify({ input: { n: 2 } }),
    });
    expect(later.status).toBe(201);
    expect(running.exited()).toBe(false);
    const state = await health(running.url);
    expect(state.status).toBe(200);
    expect(state.body.ok).toBe(true);
    expect((await fetch(`${queues}/work/jobs/${keptId}`, { headers })).status).toBe(200);
  });

  it("checks the key before reading a body: an unauthenticated 15.9 MB upload is answered at once", async () => {
    const running = await spawnExecutor(temporaryDirectory());
    const { hostname, port } = new URL(running.url);
    const answers = await Promise.all(
      Array.from(
        { length: 24 },
        () =>
          new Promise<string>((resolve, reject) => {
            const socket = net.connect(Number(port), hostname, () => {
              // Headers and a few bytes: a server that buffers first would wait for the other 15.9 MB forever.
              socket.write(
                `POST /v1/submitjob HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${15_900_000}\r\n\r\n{"a":`,
              );
            });
            let text = "";
            socket.on("data", (chunk) => {
              text += chunk.toString();
              if (text.includes("\r\n\r\n")) {
                socket.destroy();
                resolve(text.split("\r\n")[0]!);
              }
            });
            socket.on("error", reject);
            setTimeout(() => {
              socket.destroy();
              resolve("no answer within 2 s");
            }, 2_000);
          }),
      ),
    );
    expect(new Set(answers)).toEqual(new Set(["HTTP/1.1 401 Unauthorized"]));
    expect(running.exited()).toBe(false);
  });

  it("starts from a journal with corrupt records: skips them, keeps the rest, says so, truncates nothing unseen", async () => {
    const stateDir = temporaryDirectory();
    const first = await spawnExecutor(stateDir);
    for (const name of ["ce-a", "ce-b", "ce-c"]) {
      const created = await aws({ url: first.url, apiKey: KEY }, "CreateComputeEnvironment", {
        computeEnvironmentName: name,
        type: "UNMANAGED",
      });
      expect(created.status).toBe(200);
    }
    first.child.kill("SIGKILL");
    await new Promise((resolve) => first.child.once("exit", resolve));
    const journal = path.join(stateDir, "journal.ndjson");
    const lines = readFileSync(journal, "utf8").trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    // One byte changed in the first record, the second kept, then a `null` line and a record without a value.
    const flipped = lines[0]!.replace('"k"', '"k\u0001');
    const hostile =
      [flipped, lines[1], "null", '{"k":"job","id":"x","v":null}', '{"k":"job","id":"y","v":{}}', "[1]", lines[2]].join(
        "\n",
      ) + "\n";
    writeFileSync(journal, hostile);

    const second = await spawnExecutor(stateDir);
    const state = await health(second.url);
    expect(state.status).toBe(200);
    expect(state.body.recovery).toMatchObject({ skippedRecords: 5 });
    const listed = await aws<{ computeEnvironments: { computeEnvironmentName: string }[] }>(
      { url: second.url, apiKey: KEY },
      "DescribeComputeEnvironments",
      {},
    );
    expect(listed.body.computeEnvironments.map((environment) => environment.computeEnvironmentName).sort()).toEqual([
      "ce-b",
      "ce-c",
    ]);
    expect(second.stderr()).toMatch(/5 record\(s\) of .* could not be read and were left out; \d+ kept/);
    const preserved = readdirSync(stateDir).filter((name) => name.startsWith("journal.ndjson.corrupt-"));
    expect(preserved).toHaveLength(1);
    expect(readFileSync(path.join(stateDir, preserved[0]!), "utf8")).toBe(hostile);
    expect(existsSync(journal)).toBe(true);
  });

  it("stores a value too deep for JSON.stringify with the excess cut, and stays healthy for every later write", async () => {
    const directory = temporaryDirectory();
    const store = await JournalStore.open(directory);
    let deepValue: unknown = 1;
    for (let level = 0; level < 100_000; level++) deepValue = { a: deepValue };
    await store.put("jobQueue", "deep", { jobQueueName: "deep", extra: deepValue });
    expect(store.healthy).toBe(true);
    await store.put("jobQueue", "after", { jobQueueName: "after" });
    expect(store.healthy).toBe(true);
    await store.close();
    const reopened = await JournalStore.open(directory);
    const names = reopened.list<{ jobQueueName: string }>("jobQueue").map((queue) => queue.jobQueueName);
    expect(names.sort()).toEqual(["after", "deep"]);
    expect(reopened.recovery).toBeUndefined();
    await reopened.close();
  });

  it("refuses to bind beyond loopback without --allow-remote (and an API key)", async () => {
    await expect(main(["executor", "--host", "0.0.0.0", "--api-key", "k"], () => undefined)).rejects.toBeInstanceOf(
      UsageError,
    );
    await expect(main(["executor", "--host", "0.0.0.0", "--api-key", "k"], () => undefined)).rejects.toThrow(
      /--allow-remote/,
    );
    await expect(startExecutor({ host: "0.0.0.0", apiKey: "k", stateDir: temporaryDirectory() })).rejects.toThrow(
      /allowRemote/,
    );
    await expect(startExecutor({ host: "::", apiKey: "k", stateDir: temporaryDirectory() })).rejects.toThrow(
      /allowRemote/,
    );
  });
});
