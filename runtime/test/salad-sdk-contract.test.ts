// Contract tests for the executor's SaladCloud face and our SaladCloud clients, held against the official Node SDK
// (@saladtechnologies-oss/salad-cloud-sdk 0.9.0-alpha.17, whose zod schemas validate every response it reads).
// 1. The SDK drives every Job Queue operation our clients and codemods use against the executor: 0 schema errors.
// 2. The SDK, our TypeScript client and our Python client send the same requests (method, path, query, the headers
//    that carry meaning, body) to a loopback recorder.
import { execFile } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { SaladCloudSdk } from "@saladtechnologies-oss/salad-cloud-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SaladClient } from "../src/clients/salad.js";
import { startApp, startTestExecutor, waitFor } from "./helpers.js";

const ORG = "acme-corp";
const PROJECT = "dev-env";
const PYTHON_ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "python");
const run = promisify(execFile);

/** The SDK's own zod errors come back as a ZodError/ValidationError; anything thrown here fails the test. */
function sdkFor(url: string, apiKey: string): SaladCloudSdk {
  return new SaladCloudSdk({ apiKey, baseUrl: url, retry: { attempts: 1 } });
}

describe("the official SaladCloud SDK against the executor's Job Queue face", () => {
  let executor: Awaited<ReturnType<typeof startTestExecutor>>;
  let app: Awaited<ReturnType<typeof startApp>>;
  let sdk: SaladCloudSdk;

  beforeAll(async () => {
    app = await startApp(({ body }) => ({ status: 200, body: JSON.stringify({ echoed: JSON.parse(body) }) }));
    executor = await startTestExecutor({ config: { saladQueues: { "sdk-queue": { port: app.port, path: "/run" } } } });
    sdk = sdkFor(executor.url, executor.apiKey);
  });
  afterAll(async () => {
    await executor.cleanup();
    await app.close();
  });

  it("reads queues created with and without a description (never description: null)", async () => {
    const plain = await sdk.queues.createQueue(ORG, PROJECT, { name: "sdk-queue", displayName: "SDK queue" });
    expect(plain.data).toMatchObject({ name: "sdk-queue", displayName: "SDK queue", containerGroups: [] });
    const wire = await fetch(`${executor.url}/organizations/${ORG}/projects/${PROJECT}/queues/sdk-queue`, {
      headers: { "salad-api-key": executor.apiKey },
    });
    expect(await wire.json()).not.toHaveProperty("description");
    const described = await sdk.queues.createQueue(ORG, PROJECT, { name: "other-queue", description: "for reports" });
    expect(described.metadata.status).toBe(201);
    expect(described.data?.description).toBe("for reports");

    const listed = await sdk.queues.listQueues(ORG, PROJECT);
    expect(listed.data?.items.map((queue) => queue.name).sort()).toEqual(["other-queue", "sdk-queue"]);
    const read = await sdk.queues.getQueue(ORG, PROJECT, "other-queue");
    expect(read.data?.currentQueueLength).toBe(0);
  });

  it("updates a queue with a merge patch, null removing the description", async () => {
    const patched = await sdk.queues.updateQueue(ORG, PROJECT, "other-queue", { displayName: "Renamed queue" });
    expect(patched.data).toMatchObject({ displayName: "Renamed queue", description: "for reports" });
    const cleared = await sdk.queues.updateQueue(ORG, PROJECT, "other-queue", { description: null });
    expect(cleared.data?.description).toBeUndefined();
    // listQueues still validates after the removal: one queue cannot break the project's listing.
    expect((await sdk.queues.listQueues(ORG, PROJECT)).data?.items).toHaveLength(2);
  });

  it("creates, reads, lists and runs queue jobs; the Batch job name lives in metadata", async () => {
    const created = await sdk.queues.createQueueJob(ORG, PROJECT, "sdk-queue", {
      input: { parameters: { size: "10" } },
      metadata: { name: "nightly-report" },
    });
    expect(created.metadata.status).toBe(201);
    const id = created.data?.id ?? "";
    expect(created.data).not.toHaveProperty("name");
    expect(created.data?.metadata).toEqual({ name: "nightly-report" });

    const done = await waitFor(
      async () => (await sdk.queues.getQueueJob(ORG, PROJECT, "sdk-queue", id)).data,
      (job) => job?.status === "succeeded",
    );
    expect(done?.output).toEqual({ echoed: { parameters: { size: "10" } } });
    expect(done?.events.map((event) => event.action)).toEqual(["created", "started", "succeeded"]);

    const page = await sdk.queues.listQueueJobs(ORG, PROJECT, "sdk-queue", { page: 1, pageSize: 10 });
    expect(page.data?.items.map((job) => job.id)).toContain(id);
  });

  it("cancels a pending job and deletes queues (202, no body)", async () => {
    const pending = await sdk.queues.createQueueJob(ORG, PROJECT, "other-queue", { input: { x: 1 } });
    const id = pending.data?.id ?? "";
    const deleted = await sdk.queues.deleteQueueJob(ORG, PROJECT, "other-queue", id);
    expect(deleted.metadata.status).toBe(202);
    const cancelled = await sdk.queues.getQueueJob(ORG, PROJECT, "other-queue", id);
    expect(cancelled.data?.status).toBe("cancelled");
    expect((await sdk.queues.deleteQueue(ORG, PROJECT, "other-queue")).metadata.status).toBe(202);
  });

  it("answers unknown queues and jobs with the problem details the SDK maps to its error type", async () => {
    const missing = await sdk.queues.getQueue(ORG, PROJECT, "no-such-queue").catch((error: unknown) => error);
    expect(missing).toMatchObject({ status: 404, title: "Not Found" });
    const job = await sdk.queues
      .getQueueJob(ORG, PROJECT, "sdk-queue", "00000000-0000-0000-0000-000000000000")
      .catch((error: unknown) => error);
    expect(job).toMatchObject({ status: 404 });
  });

  it("refuses a PATCH that is not a merge patch, as the API's content negotiation does", async () => {
    const response = await fetch(`${executor.url}/organizations/${ORG}/projects/${PROJECT}/queues/sdk-queue`, {
      method: "PATCH",
      headers: { "salad-api-key": executor.apiKey, "content-type": "application/json" },
      body: JSON.stringify({ display_name: "Plain JSON" }),
    });
    expect(response.status).toBe(415);
    await response.body?.cancel();
  });
});

interface Recorded {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | undefined>;
  body: unknown;
}

/** Answers every request with a schema-valid SaladCloud response and records what it was sent. */
async function startRecorder(): Promise<{ url: string; take(): Recorded[]; close(): Promise<void> }> {
  let recorded: Recorded[] = [];
  const queue = {
    id: "q-1",
    name: "rec-queue",
    display_name: "Rec queue",
    container_groups: [],
    current_queue_length: 0,
    create_time: "2026-12-03T00:00:00Z",
    update_time: "2026-12-03T00:00:00Z",
  };
  const job = {
    id: "j-1",
    input: {},
    metadata: {},
    status: "pending",
    events: [],
    create_time: "2026-12-03T00:00:00Z",
    update_time: "2026-12-03T00:00:00Z",
  };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://recorder");
      const text = Buffer.concat(chunks).toString("utf8");
      recorded.push({
        method: request.method ?? "",
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: {
          "content-type": request.headers["content-type"],
          "salad-api-key": String(request.headers["salad-api-key"]),
        },
        body: text === "" ? undefined : JSON.parse(text),
      });
      const isJob = url.pathname.includes("/jobs");
      const isCollection = url.pathname.endsWith("/queues") || url.pathname.endsWith("/jobs");
      if (request.method === "DELETE") {
        response.writeHead(202).end();
        return;
      }
      const status = request.method === "POST" ? 201 : 200;
      const one = isJob ? job : queue;
      const body = request.method === "GET" && isCollection ? { items: [one] } : one;
      response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    take() {
      const taken = recorded;
      recorded = [];
      return taken;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The same operations, in the same order, through each client. */
const OPERATIONS = [
  "listQueues",
  "createQueue",
  "getQueue",
  "updateQueue",
  "createQueueJob",
  "getQueueJob",
  "listQueueJobs",
  "deleteQueueJob",
  "deleteQueue",
] as const;

const PYTHON_SCRIPT = `
import sys
from batch_migrate_runtime.salad import SaladCloud
c = SaladCloud("rec-key", base_url=sys.argv[1], organization_name="${ORG}", project_name="${PROJECT}", max_retries=0)
c.list_queues()
c.create_queue("rec-queue", display_name="Rec queue", description="for reports")
c.get_queue("rec-queue")
c.update_queue("rec-queue", display_name="New name")
c.create_queue_job("rec-queue", {"parameters": {"size": "10"}}, metadata={"name": "nightly-report"})
c.get_queue_job("rec-queue", "j-1")
c.list_queue_jobs("rec-queue", page=2, page_size=50)
c.delete_queue_job("rec-queue", "j-1")
c.delete_queue("rec-queue")
`;

describe("our SaladCloud clients send what the official SDK sends", () => {
  let recorder: Awaited<ReturnType<typeof startRecorder>>;
  const captured: Record<string, Recorded[]> = {};

  beforeAll(async () => {
    recorder = await startRecorder();
    const sdk = sdkFor(recorder.url, "rec-key");
    await sdk.queues.listQueues(ORG, PROJECT);
    await sdk.queues.createQueue(ORG, PROJECT, {
      name: "rec-queue",
      displayName: "Rec queue",
      description: "for reports",
    });
    await sdk.queues.getQueue(ORG, PROJECT, "rec-queue");
    await sdk.queues.updateQueue(ORG, PROJECT, "rec-queue", { displayName: "New name" });
    await sdk.queues.createQueueJob(ORG, PROJECT, "rec-queue", {
      input: { parameters: { size: "10" } },
      metadata: { name: "nightly-report" },
    });
    await sdk.queues.getQueueJob(ORG, PROJECT, "rec-queue", "j-1");
    await sdk.queues.listQueueJobs(ORG, PROJECT, "rec-queue", { page: 2, pageSize: 50 });
    await sdk.queues.deleteQueueJob(ORG, PROJECT, "rec-queue", "j-1");
    await sdk.queues.deleteQueue(ORG, PROJECT, "rec-queue");
    captured.sdk = recorder.take();

    const ours = new SaladClient({ baseUrl: recorder.url, apiKey: "rec-key", retry: { maxRetries: 0 } });
    await ours.listQueues(ORG, PROJECT);
    await ours.createQueue(ORG, PROJECT, { name: "rec-queue", display_name: "Rec queue", description: "for reports" });
    await ours.getQueue(ORG, PROJECT, "rec-queue");
    await ours.updateQueue(ORG, PROJECT, "rec-queue", { display_name: "New name" });
    await ours.createQueueJob(ORG, PROJECT, "rec-queue", {
      input: { parameters: { size: "10" } },
      metadata: { name: "nightly-report" },
    });
    await ours.getQueueJob(ORG, PROJECT, "rec-queue", "j-1");
    await ours.listQueueJobs(ORG, PROJECT, "rec-queue", { page: 2, pageSize: 50 });
    await ours.deleteQueueJob(ORG, PROJECT, "rec-queue", "j-1");
    await ours.deleteQueue(ORG, PROJECT, "rec-queue");
    captured.typescript = recorder.take();

    await run("python3", ["-c", PYTHON_SCRIPT, recorder.url], {
      env: { ...process.env, PYTHONPATH: PYTHON_ROOT },
      timeout: 30_000,
    });
    captured.python = recorder.take();
  });
  afterAll(() => recorder.close());

  it("the SDK made one request per operation", () => {
    expect(captured.sdk).toHaveLength(OPERATIONS.length);
    expect(captured.sdk?.find((request) => request.method === "PATCH")?.headers["content-type"]).toBe(
      "application/merge-patch+json",
    );
  });

  for (const client of ["typescript", "python"]) {
    for (const [index, operation] of OPERATIONS.entries()) {
      it(`${client}: ${operation} matches the SDK's method, path, query, headers and body`, () => {
        const expected = captured.sdk?.[index];
        const actual = captured[client]?.[index];
        expect(actual).toEqual(expected);
      });
    }
  }
});
