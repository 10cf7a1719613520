// `migrate init --target X` is the cut-over: it writes `"target": "X"` into the root migrate.config.json with the
// mapping of every queue and job definition the scan found (declared or only named at call sites), keeping what
// the file already held, and the Python shim then serves AWS Batch calls from X instead of the real boto3.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli.js";
import type { CommandIO } from "../src/commands/io.js";
import { loadMigrateConfig, mapSubmit } from "../src/apply/config.js";

const SAMPLE = path.join(import.meta.dirname, "../fixtures/projects/video-pipeline");
const PYTHON_RUNTIME = path.join(import.meta.dirname, "../runtime/python");

function io(cwd: string): CommandIO & { err: () => string } {
  const stderr = new PassThrough();
  let err = "";
  stderr.on("data", (chunk) => (err += chunk));
  return { stdout: new PassThrough(), stderr, cwd, env: { CI: "1" }, err: () => err };
}

function shimClass(cwd: string): string {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("BATCH_MIGRATE_")));
  return execFileSync(
    "python3",
    [
      "-c",
      'from batch_migrate_runtime import boto3; print(type(boto3.client("batch", region_name="us-east-1")).__name__)',
    ],
    { cwd, env: { ...env, PYTHONPATH: PYTHON_RUNTIME, SALAD_API_KEY: "k", CC_API_KEY: "k" }, encoding: "utf8" },
  ).trim();
}

describe("migrate init --target", () => {
  it("writes the target into migrate.config.json, keeps the rest, and flips the shim", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "migrate-init-target-"));
    cpSync(SAMPLE, dir, { recursive: true });
    const original = JSON.parse(readFileSync(path.join(dir, "migrate.config.json"), "utf8")) as object;
    expect(shimClass(dir)).toBe("Batch");

    const first = io(dir);
    expect(await main(["init", ".", "--target", "salad"], first)).toBe(0);
    const written = JSON.parse(readFileSync(path.join(dir, "migrate.config.json"), "utf8")) as Record<string, unknown>;
    expect(written.target).toBe("salad");
    // Everything the file held is still there, as it was: init only adds.
    expect(written).toMatchObject(original);
    expect(first.err()).toMatch(/updated migrate\.config\.json: "target": "salad"/);
    expect(shimClass(path.join(dir, "jobs"))).toBe("BatchShimClient");

    const second = io(dir);
    expect(await main(["init", ".", "--target", "common-compute", "--force"], second)).toBe(0);
    expect(JSON.parse(readFileSync(path.join(dir, "migrate.config.json"), "utf8")).target).toBe("common-compute");
    expect(second.err()).toMatch(/\(was salad\)/);
  });

  it("maps every queue and job definition the scan found, declared or only named at a call site", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "migrate-init-map-"));
    cpSync(SAMPLE, dir, { recursive: true });
    rmSync(path.join(dir, "migrate.config.json"));
    const run = io(dir);
    expect(await main(["init", ".", "--target", "common-compute"], run)).toBe(0);
    const config = loadMigrateConfig(dir)!;
    // Terraform declares four of them; lambdas/embed names its queue and definition; thumbnails.py names
    // video-thumbnail, which nothing declares.
    expect([...config.jobQueues.keys()].sort()).toEqual(["embeddings-queue", "video-gpu-queue"]);
    expect([...config.jobDefinitions.keys()].sort()).toEqual([
      "embed-bge-large",
      "video-merge",
      "video-thumbnail",
      "video-transcode",
    ]);
    // Every literal call site of the sample now maps, as a native rewrite needs.
    for (const [definition, queue] of [
      ["video-thumbnail", "video-gpu-queue"],
      ["embed-bge-large", "embeddings-queue"],
      ["video-merge:1", "video-gpu-queue"],
    ])
      expect(mapSubmit(config, "common-compute", definition!, queue!)).toMatchObject({ ok: true });
    const raw = JSON.parse(readFileSync(path.join(dir, "migrate.config.json"), "utf8")) as {
      jobDefinitions: Record<string, { todo?: string; commonCompute?: unknown; containerProperties?: unknown }>;
    };
    // Declared: the Terraform definition, a workload from its command; only named: a todo, nothing invented.
    expect(raw.jobDefinitions["embed-bge-large"]).toMatchObject({ commonCompute: { workload: "coreml_embed" } });
    expect(raw.jobDefinitions["video-thumbnail"]!.todo).toMatch(
      /named at pipeline\/thumbnails\.py:13 but declared nowhere in this repository: no Common Compute workload matches/,
    );
    expect(raw.jobDefinitions["video-thumbnail"]!.containerProperties).toBeUndefined();
    expect(run.err()).toMatch(/1 entry has a "todo" to settle \(jobDefinitions\.video-thumbnail\)/);

    // Salad next: each entry gets the Salad block it lacked; nothing Common Compute's run wrote changes.
    const before = JSON.parse(readFileSync(path.join(dir, "migrate.config.json"), "utf8")) as object;
    expect(await main(["init", ".", "--target", "salad"], io(dir))).toBe(0);
    const both = JSON.parse(readFileSync(path.join(dir, "migrate.config.json"), "utf8")) as Record<string, unknown>;
    expect(both).toMatchObject({ ...before, target: "salad" });
    const salad = loadMigrateConfig(dir)!;
    expect(mapSubmit(salad, "salad", "video-thumbnail", "video-gpu-queue")).toEqual({
      ok: true,
      saladQueue: "video-thumbnail",
    });
    expect(mapSubmit(salad, "common-compute", "video-thumbnail", "video-gpu-queue")).toMatchObject({ ok: true });
  });

  it("keeps a list-form config's entries and adds to the list", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "migrate-init-list-"));
    cpSync(SAMPLE, dir, { recursive: true });
    const listed = {
      jobQueues: [{ jobQueueName: "video-gpu-queue", commonCompute: { priority: "priority" } }],
      jobDefinitions: [{ jobDefinitionName: "video-thumbnail", definition: { type: "container" }, note: "mine" }],
    };
    writeFileSync(path.join(dir, "migrate.config.json"), JSON.stringify(listed));
    expect(await main(["init", ".", "--target", "common-compute"], io(dir))).toBe(0);
    const raw = JSON.parse(readFileSync(path.join(dir, "migrate.config.json"), "utf8")) as {
      jobQueues: Record<string, unknown>[];
      jobDefinitions: Record<string, unknown>[];
    };
    expect(raw.jobQueues[0]).toMatchObject({
      jobQueueName: "video-gpu-queue",
      commonCompute: { priority: "priority" },
    });
    expect(raw.jobQueues.map((entry) => entry.jobQueueName)).toEqual(["video-gpu-queue", "embeddings-queue"]);
    // A nested definition gets only the target's block: nothing beside its `definition`.
    expect(raw.jobDefinitions[0]).toEqual({
      jobDefinitionName: "video-thumbnail",
      definition: { type: "container" },
      note: "mine",
    });
    expect(raw.jobDefinitions.map((entry) => entry.jobDefinitionName).sort()).toEqual([
      "embed-bge-large",
      "video-merge",
      "video-thumbnail",
      "video-transcode",
    ]);
    expect(loadMigrateConfig(dir)!.jobQueues.get("video-gpu-queue")).toMatchObject({
      commonCompute: { priority: "priority" },
    });
  });

  it("--target local maps the registry for the local executor and writes no deployment files", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "migrate-init-local-"));
    cpSync(SAMPLE, dir, { recursive: true });
    rmSync(path.join(dir, "migrate.config.json"));
    const run = io(dir);
    expect(await main(["init", ".", "--target", "local"], run)).toBe(0);
    expect(existsSync(path.join(dir, "migration"))).toBe(false);
    const raw = JSON.parse(readFileSync(path.join(dir, "migrate.config.json"), "utf8")) as Record<string, any>;
    expect(raw.target).toBe("local");
    expect(raw.jobDefinitions["video-merge"]).toMatchObject({
      containerProperties: { command: ["python3", "jobs/merge.py"] },
    });
    expect(raw.jobQueues["video-gpu-queue"]).toMatchObject({ computeEnvironments: ["video-gpu-spot"] });
    expect(raw.jobDefinitions["video-thumbnail"].todo).toMatch(/add its containerProperties/);
    expect(run.err()).toMatch(/batch-migrate executor --port 8900 --config migrate\.config\.json/);
  });

  it("refuses to write through a migrate.config.json that is a symlink", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "migrate-init-link-"));
    cpSync(SAMPLE, dir, { recursive: true });
    const outside = path.join(mkdtempSync(path.join(tmpdir(), "migrate-init-outside-")), "elsewhere.json");
    writeFileSync(outside, "{}");
    rmSync(path.join(dir, "migrate.config.json"));
    const { symlinkSync } = await import("node:fs");
    symlinkSync(outside, path.join(dir, "migrate.config.json"));
    const run = io(dir);
    expect(await main(["init", ".", "--target", "local"], run)).toBe(2);
    expect(run.err()).toMatch(/is a symlink; it was not written/);
    expect(readFileSync(outside, "utf8")).toBe("{}");
  });

  it("maps what code registers itself from the literal part of its request", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "migrate-init-code-"));
    writeFileSync(
      path.join(dir, "provision.py"),
      [
        "import os",
        "import boto3",
        "",
        'client = boto3.client("batch")',
        "client.create_job_queue(",
        '    jobQueueName="render-queue", priority=5, state="ENABLED",',
        '    computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "arn:aws:batch:us-east-1:1:compute-environment/render-ce"}],',
        ")",
        "client.register_job_definition(",
        '    jobDefinitionName="whisper-transcribe", type="container",',
        '    containerProperties={"image": "w:1", "command": ["python3", "run.py"],',
        '                         "environment": [{"name": "TOKEN", "value": os.environ["TOKEN"]}]},',
        ")",
        'client.submit_job(jobName="a", jobQueue="render-queue", jobDefinition="whisper-transcribe:1")',
        "",
      ].join("\n"),
    );
    expect(await main(["init", ".", "--target", "common-compute"], io(dir))).toBe(0);
    const raw = JSON.parse(readFileSync(path.join(dir, "migrate.config.json"), "utf8")) as Record<string, any>;
    expect(raw.jobQueues["render-queue"]).toEqual({
      priority: 5,
      state: "ENABLED",
      computeEnvironments: ["render-ce"],
      commonCompute: { priority: "batch" },
    });
    const definition = raw.jobDefinitions["whisper-transcribe"];
    // The environment is read at run time: left out, and the todo says so; the rest is the code's request.
    expect(definition).toMatchObject({
      type: "container",
      containerProperties: { image: "w:1", command: ["python3", "run.py"] },
      commonCompute: { workload: "whisper_ane" },
    });
    expect(definition.containerProperties.environment).toBeUndefined();
    expect(definition.todo).toMatch(
      /registered by code at provision\.py:9 .*containerProperties\.environment is read at run time there and left out/,
    );
  });
});
