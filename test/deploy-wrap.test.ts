import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scanTree } from "../src/core/scan.js";
import { generateSalad } from "../src/deploy/salad.js";
import type { DeployPlan } from "../src/deploy/types.js";
import { buildLinks } from "../src/link/index.js";
import { SCANNERS } from "../src/scanners/index.js";
import { SaladClient, type QueueJob } from "../runtime/src/clients/salad.js";
import { startExecutor, type RunningExecutor } from "../runtime/src/executor/index.js";

const REPO = path.resolve(import.meta.dirname, "..");
const SAMPLE = path.join(REPO, "fixtures/projects/video-pipeline");
const ORG = "acme-corp";
const PROJECT = "dev-env";

/** The words of a start.sh line as the shell would split them (our generator quotes with single quotes only). */
function shellWords(line: string): string[] {
  return [...line.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((match) =>
    match[1] !== undefined ? match[1].replace(/'\\''/g, "'") : match[2]!,
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value !== undefined && done(value)) return value;
    if (Date.now() > deadline) throw new Error(`not done within ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// The sample's generated files, run as Salad would: the wrapper line of each start.sh (the Python wrapper, as the
// jobs are Python) in a copy of the sample's working tree, the executor's queue-worker emulation forwarding each
// generated queue to it per migrate.config.json, queues created from queue.json.
describe("the sample's generated Salad files run its real job commands", () => {
  let plan: DeployPlan;
  let workTree: string;
  let executor: RunningExecutor;
  let salad: SaladClient;
  const wrappers: ChildProcess[] = [];

  const file = (name: string) => plan.files.find((candidate) => candidate.path === name)!.content;

  beforeAll(async () => {
    const scan = await scanTree({ root: SAMPLE, scanners: SCANNERS });
    plan = generateSalad({
      inventory: scan.inventory,
      findings: scan.findings,
      links: buildLinks(scan.findings, scan.inventory),
    });
    workTree = mkdtempSync(path.join(tmpdir(), "deploy-wrap-"));
    cpSync(SAMPLE, workTree, { recursive: true });
    const config = JSON.parse(file("migrate.config.json")) as {
      executor: { saladQueues: Record<string, { port: number; path: string }> };
    };
    for (const queue of ["video-transcode", "video-merge"]) {
      const wrapperLine = file(`${queue}/start.sh`)
        .split("\n")
        .find((line) => line.includes("batch_migrate_runtime.wrap"))!;
      const words = shellWords(wrapperLine.replace(/ &$/, ""));
      const port = await freePort();
      const portAt = words.indexOf("--port");
      words[portAt + 1] = String(port);
      words.splice(portAt, 0, "--host", "127.0.0.1");
      const child = spawn(words[0]!, words.slice(1), {
        cwd: workTree,
        env: { ...process.env, PYTHONPATH: path.join(REPO, "runtime/python"), OUTPUT_DIR: workTree },
        stdio: "ignore",
      });
      wrappers.push(child);
      config.executor.saladQueues[queue]!.port = port;
      await waitFor(
        () => fetch(`http://127.0.0.1:${port}/health`).then((response) => response.status),
        (status) => status === 200,
      );
    }
    executor = await startExecutor({
      stateDir: path.join(workTree, ".executor"),
      apiKey: "test-key",
      config: config.executor,
    });
    salad = new SaladClient({ baseUrl: executor.url, apiKey: "test-key", retry: { maxRetries: 0 } });
    for (const queue of ["video-transcode", "video-merge"])
      await salad.createQueue(ORG, PROJECT, JSON.parse(file(`${queue}/queue.json`)));
  });

  afterAll(async () => {
    await executor?.close();
    for (const child of wrappers) child.kill("SIGTERM");
    rmSync(workTree, { recursive: true, force: true });
  });

  const settled = (queue: string, id: string): Promise<QueueJob> =>
    waitFor(
      () => salad.getQueueJob(ORG, PROJECT, queue, id),
      (job) => ["succeeded", "failed", "cancelled"].includes(job.status),
    );

  it("transcodes each array child and merges them, with Ref:: parameters and AWS_BATCH_* set by the wrapper", async () => {
    const children = await Promise.all(
      [0, 1].map((index) =>
        salad.createQueueJob(ORG, PROJECT, "video-transcode", {
          input: { parameters: { video: "cat" }, arrayProperties: { index, size: 2 } },
        }),
      ),
    );
    const done = await Promise.all(children.map((job) => settled("video-transcode", job.id)));
    expect(done.map((job) => job.status)).toEqual(["succeeded", "succeeded"]);
    expect(done.map((job) => (job.output as { command: string[] }).command)).toEqual([
      ["python3", "jobs/transcode.py", "cat"],
      ["python3", "jobs/transcode.py", "cat"],
    ]);
    expect(JSON.parse(readFileSync(path.join(workTree, "cat.segment-1.json"), "utf8"))).toEqual({
      video: "cat",
      segment: 1,
      attempt: "1",
    });

    const merge = await salad.createQueueJob(ORG, PROJECT, "video-merge", {
      input: { environment: [{ name: "VIDEO_ID", value: "cat" }] },
    });
    expect((await settled("video-merge", merge.id)).status).toBe("succeeded");
    expect(JSON.parse(readFileSync(path.join(workTree, "cat.merged.json"), "utf8"))).toEqual({
      video: "cat",
      segments: 2,
    });
  });

  it("a merge without its VIDEO_ID fails all four attempts, as the job's own KeyError exits non-zero", async () => {
    const merge = await salad.createQueueJob(ORG, PROJECT, "video-merge", { input: {} });
    const done = await settled("video-merge", merge.id);
    expect(done.status).toBe("failed");
    expect(done.events.filter((event) => event.action === "started")).toHaveLength(4);
  });
});
