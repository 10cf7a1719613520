import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpError } from "../src/clients/http.js";
import { SaladClient, type QueueJob } from "../src/clients/salad.js";
import { startApp, startTestExecutor, waitFor } from "./helpers.js";

type Executor = Awaited<ReturnType<typeof startTestExecutor>>;
type App = Awaited<ReturnType<typeof startApp>>;

const ORG = "acme-corp";
const PROJECT = "dev-env";

interface Script {
  /** Statuses to answer with, one per request for this job; the last one repeats. */
  statuses?: number[];
  body?: "text" | "huge";
  delayMs?: number;
}

/** The app behind the queue: its answers are scripted by the job input. */
function scriptedApp(): Promise<App> {
  const seen = new Map<string, number>();
  return startApp(({ body, headers }) => {
    const input = JSON.parse(body) as { script?: Script };
    const jobId = String(headers["salad-job-id"]);
    const count = (seen.get(jobId) ?? 0) + 1;
    seen.set(jobId, count);
    const statuses = input.script?.statuses ?? [200];
    const status = statuses[Math.min(count, statuses.length) - 1] ?? 200;
    if (input.script?.body === "text") return { status, body: "plain text, not JSON" };
    if (input.script?.body === "huge") return { status, body: JSON.stringify({ blob: "x".repeat(10 * 1024 * 1024) }) };
    return { status, body: JSON.stringify({ echo: input, attempt: count }), delayMs: input.script?.delayMs };
  });
}

describe("SaladCloud client against the executor's Job Queue face", () => {
  let executor: Executor;
  let app: App;
  let salad: SaladClient;

  beforeAll(async () => {
    app = await scriptedApp();
    executor = await startTestExecutor({
      config: {
        saladQueues: {
          "work-queue": { port: app.port, path: "run" },
          "serial-queue": { port: app.port, path: "/run", replicas: 1 },
          "dead-app-queue": { port: 1, path: "/run" },
        },
      },
    });
    salad = new SaladClient({ baseUrl: executor.url, apiKey: executor.apiKey, retry: { maxRetries: 0 } });
    for (const name of ["work-queue", "serial-queue", "dead-app-queue", "unconnected-queue"]) {
      await salad.createQueue(ORG, PROJECT, { name, display_name: `Queue ${name}` });
    }
  });
  afterAll(async () => {
    await executor.cleanup();
    await app.close();
  });

  const create = (input: unknown, queue = "work-queue"): Promise<QueueJob> =>
    salad.createQueueJob(ORG, PROJECT, queue, { input });
  const settled = (id: string, queue = "work-queue"): Promise<QueueJob> =>
    waitFor(
      () => salad.getQueueJob(ORG, PROJECT, queue, id),
      (job) => ["succeeded", "failed", "cancelled"].includes(job.status),
    );
  const requestsFor = (id: string) => app.requests.filter((request) => request.headers["salad-job-id"] === id);
  const actions = (job: QueueJob) => job.events.map((event) => event.action);

  it("creates, reads, lists, updates and deletes queues (snake_case on the wire)", async () => {
    const queue = await salad.createQueue(ORG, PROJECT, {
      name: "crud-queue",
      display_name: "Crud Queue",
      description: "first",
    });
    expect(queue).toMatchObject({
      name: "crud-queue",
      display_name: "Crud Queue",
      description: "first",
      current_queue_length: 0,
    });
    expect(Date.parse(queue.create_time)).not.toBeNaN();
    await expect(salad.createQueue(ORG, PROJECT, { name: "crud-queue" })).rejects.toMatchObject({ status: 409 });
    expect((await salad.listQueues(ORG, PROJECT)).items.map((item) => item.name)).toContain("crud-queue");
    expect(await salad.updateQueue(ORG, PROJECT, "crud-queue", { description: "second" })).toMatchObject({
      description: "second",
    });
    await salad.deleteQueue(ORG, PROJECT, "crud-queue");
    await expect(salad.getQueue(ORG, PROJECT, "crud-queue")).rejects.toMatchObject({ status: 404 });
    await expect(salad.getQueue(ORG, PROJECT, "Bad_Name")).rejects.toThrow(TypeError);
  });

  it("POSTs only the input to the app with Salad-Job-Id, and stores the response body as the output", async () => {
    const job = await salad.createQueueJob(ORG, PROJECT, "work-queue", {
      input: { prompt: "hi" },
      metadata: { who: "test" },
    });
    expect(job).toMatchObject({ status: "pending", input: { prompt: "hi" }, metadata: { who: "test" } });
    const done = await settled(job.id);
    expect(done).toMatchObject({ status: "succeeded", output: { echo: { prompt: "hi" }, attempt: 1 } });
    expect(actions(done)).toEqual(["created", "started", "succeeded"]);
    const [request] = requestsFor(job.id);
    expect(JSON.parse(request?.body ?? "")).toEqual({ prompt: "hi" });
    expect(request?.headers["content-type"]).toBe("application/json");
  });

  it("retries 5xx, 408 and 429 and succeeds on a later attempt", async () => {
    const job = await create({ script: { statuses: [500, 408, 429, 200] } });
    const done = await settled(job.id);
    expect(done).toMatchObject({ status: "succeeded", output: { attempt: 4 } });
    expect(actions(done)).toEqual(["created", "started", "started", "started", "started", "succeeded"]);
  });

  it("fails the job after 4 attempts in all", async () => {
    const job = await create({ script: { statuses: [503] } });
    const done = await settled(job.id);
    expect(done.status).toBe("failed");
    expect(done.output).toBeUndefined();
    expect(requestsFor(job.id)).toHaveLength(4);
  });

  it("treats any other status, 4xx included, as success with the body as output", async () => {
    const job = await create({ script: { statuses: [404] } });
    expect(await settled(job.id)).toMatchObject({ status: "succeeded", output: { attempt: 1 } });
    expect(requestsFor(job.id)).toHaveLength(1);
  });

  it("rejects output that is not JSON or is over 10 MB, and transport errors, as failed attempts", async () => {
    const text = await create({ script: { body: "text" } });
    const huge = await create({ script: { body: "huge" } });
    const unreachable = await create({}, "dead-app-queue");
    const [textDone, hugeDone, unreachableDone] = await Promise.all([
      settled(text.id),
      settled(huge.id),
      settled(unreachable.id, "dead-app-queue"),
    ]);
    expect([textDone.status, hugeDone.status, unreachableDone.status]).toEqual(["failed", "failed", "failed"]);
    expect(requestsFor(text.id)).toHaveLength(4);
    expect(requestsFor(huge.id)).toHaveLength(4);
    expect(actions(unreachableDone).filter((action) => action === "started")).toHaveLength(4);
  });

  it("cancels with DELETE only while the job is pending", async () => {
    const running = await create({ script: { delayMs: 600 } }, "serial-queue");
    const pending = await create({}, "serial-queue");
    await waitFor(
      () => salad.getQueueJob(ORG, PROJECT, "serial-queue", running.id),
      (job) => job.status === "running",
    );
    expect((await salad.getQueueJob(ORG, PROJECT, "serial-queue", pending.id)).status).toBe("pending");
    await salad.deleteQueueJob(ORG, PROJECT, "serial-queue", pending.id);
    const cancelled = await salad.getQueueJob(ORG, PROJECT, "serial-queue", pending.id);
    expect(cancelled.status).toBe("cancelled");
    expect(actions(cancelled)).toEqual(["created", "cancelled"]);
    const refused = await salad
      .deleteQueueJob(ORG, PROJECT, "serial-queue", running.id)
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(HttpError);
    expect(refused).toMatchObject({ status: 409 });
    expect((await settled(running.id, "serial-queue")).status).toBe("succeeded");
    expect(requestsFor(pending.id)).toHaveLength(0);
  });

  it("runs one job at a time per worker replica", async () => {
    const first = await create({ script: { delayMs: 200 } }, "serial-queue");
    const second = await create({ script: { delayMs: 200 } }, "serial-queue");
    const [firstDone, secondDone] = await Promise.all([
      settled(first.id, "serial-queue"),
      settled(second.id, "serial-queue"),
    ]);
    const finishedFirst = Date.parse(firstDone.events.at(-1)?.time ?? "");
    const startedSecond = Date.parse(secondDone.events.find((event) => event.action === "started")?.time ?? "");
    expect(startedSecond).toBeGreaterThanOrEqual(finishedFirst);
  });

  it("leaves jobs pending on a queue no app is connected to, and counts them as the queue length", async () => {
    const job = await create({}, "unconnected-queue");
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect((await salad.getQueueJob(ORG, PROJECT, "unconnected-queue", job.id)).status).toBe("pending");
    expect((await salad.getQueue(ORG, PROJECT, "unconnected-queue")).current_queue_length).toBe(1);
  });

  it("pages job lists with page and page_size", async () => {
    const ids: string[] = [];
    for (let index = 0; index < 5; index++) ids.push((await create({ index }, "unconnected-queue")).id);
    const page = await salad.listQueueJobs(ORG, PROJECT, "unconnected-queue", { page: 1, pageSize: 2 });
    expect(page.items).toHaveLength(2);
    const all: string[] = [];
    for await (const job of salad.iterateQueueJobs(ORG, PROJECT, "unconnected-queue", 2)) all.push(job.id);
    expect(all).toEqual(expect.arrayContaining(ids));
    expect(new Set(all).size).toBe(all.length);
    await expect(salad.listQueueJobs(ORG, PROJECT, "unconnected-queue", { pageSize: 101 })).rejects.toMatchObject({
      status: 400,
    });
  });

  it("answers 401 as a ProblemDetails without a valid Salad-Api-Key", async () => {
    const stranger = new SaladClient({ baseUrl: executor.url, apiKey: "wrong", retry: { maxRetries: 0 } });
    await expect(stranger.listQueues(ORG, PROJECT)).rejects.toMatchObject({
      status: 401,
      serverMessage: "Unauthorized",
    });
  });
});
