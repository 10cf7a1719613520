// Run-time routing for native rewrites: the same answers as batch_migrate_runtime/routing.py for the same config.
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  commonComputeRoute,
  commonComputeSubmit,
  ConfigurationError,
  saladOrganization,
  saladProject,
  saladQueue,
  saladQueueJob,
  submitJobResponse,
} from "../src/routing.js";

let configPath: string;

beforeAll(() => {
  const directory = mkdtempSync(path.join(os.tmpdir(), "bm-routing-"));
  configPath = path.join(directory, "migrate.config.json");
  writeFileSync(
    configPath,
    JSON.stringify({
      jobQueues: {
        "gpu-queue": { commonCompute: { priority: "standard" }, salad: { queue: "gpu-jobs" } },
        "cpu-queue": { commonCompute: { priority: "batch" } },
      },
      jobDefinitions: [
        { jobDefinitionName: "render", commonCompute: { workload: "vt_transcode", model: "hevc-main" } },
        { jobDefinitionName: "report", salad: { queue: "reports" } },
      ],
    }),
  );
});

describe("commonComputeRoute", () => {
  it("maps names, ARNs and revisions to workload, priority and model_id", () => {
    const options = { configPath };
    expect(commonComputeRoute("gpu-queue", "render", options)).toEqual({
      workload: "vt_transcode",
      priority: "standard",
      model_id: "hevc-main",
    });
    expect(
      commonComputeRoute(
        "arn:aws:batch:eu-west-1:111122223333:job-queue/cpu-queue",
        "arn:aws:batch:eu-west-1:111122223333:job-definition/report:7",
        options,
      ),
    ).toEqual({ workload: "report", priority: "batch" });
  });

  it("names the key to add when a definition or a queue is not mapped", () => {
    expect(() => commonComputeRoute("gpu-queue", "unknown", { configPath })).toThrow(
      /job definition "unknown" is not in .*add it under jobDefinitions/,
    );
    expect(() => commonComputeRoute("other-queue", "render", { configPath })).toThrow(
      /job queue "other-queue" has no commonCompute.priority/,
    );
    expect(() => commonComputeRoute(undefined, "render", { configPath })).toThrow(ConfigurationError);
  });

  it("finds the config through BATCH_MIGRATE_CONFIG", () => {
    const saved = process.env.BATCH_MIGRATE_CONFIG;
    process.env.BATCH_MIGRATE_CONFIG = configPath;
    try {
      expect(commonComputeRoute("cpu-queue", "render").priority).toBe("batch");
    } finally {
      if (saved === undefined) delete process.env.BATCH_MIGRATE_CONFIG;
      else process.env.BATCH_MIGRATE_CONFIG = saved;
    }
  });
});

describe("saladQueue", () => {
  it("takes the queue's salad.queue, else the definition's", () => {
    expect(saladQueue("gpu-queue", "render", { configPath })).toBe("gpu-jobs");
    expect(saladQueue("cpu-queue", "report", { configPath })).toBe("reports");
    expect(() => saladQueue("cpu-queue", "render", { configPath })).toThrow(/has no salad.queue/);
  });
});

describe("whole requests", () => {
  it("carries name, parameters, attempts and timeout to Common Compute", () => {
    const request = {
      jobName: "r-1",
      jobQueue: "gpu-queue",
      jobDefinition: "render:3",
      parameters: { scene: "a" },
      retryStrategy: { attempts: 2 },
      timeout: { attemptDurationSeconds: 600 },
    };
    expect(commonComputeSubmit(request, { configPath })).toEqual({
      workload: "vt_transcode",
      priority: "standard",
      model_id: "hevc-main",
      input: { scene: "a" },
      name: "r-1",
      max_attempts: 2,
      timeout_seconds: 600,
    });
  });

  it("refuses a field the target has no counterpart for instead of dropping it", () => {
    const request = {
      jobName: "r-1",
      jobQueue: "gpu-queue",
      jobDefinition: "render",
      containerOverrides: { command: ["node", "index.js"] },
      retryStrategy: { attempts: 2, evaluateOnExit: [] },
    };
    expect(() => commonComputeSubmit(request, { configPath })).toThrow(
      /SubmitJob containerOverrides, retryStrategy.evaluateOnExit has no Common Compute counterpart/,
    );
    expect(() => saladQueueJob({ jobName: "r", timeout: { attemptDurationSeconds: 5 } })).toThrow(
      /SubmitJob timeout has no SaladCloud counterpart/,
    );
    expect(saladQueueJob({ jobName: "r", jobQueue: "q", parameters: { a: "1" } })).toEqual({
      input: { a: "1" },
      metadata: { name: "r" },
    });
  });

  it("answers a target job in Batch's SubmitJob shape", () => {
    expect(submitJobResponse({ id: "j-1", name: "r-1" })).toEqual({ jobId: "j-1", jobName: "r-1" });
    expect(submitJobResponse({ id: "j-2", metadata: { name: "r-2" } })).toEqual({ jobId: "j-2", jobName: "r-2" });
  });
});

describe("SaladCloud scope", () => {
  it("reads the organization and project from the environment, and names the variable when one is unset", () => {
    const saved = { ...process.env };
    try {
      process.env.SALAD_ORGANIZATION_NAME = "acme-corp";
      process.env.SALAD_PROJECT_NAME = "dev-env";
      expect([saladOrganization(), saladProject()]).toEqual(["acme-corp", "dev-env"]);
      delete process.env.SALAD_PROJECT_NAME;
      expect(() => saladProject()).toThrow(/SALAD_PROJECT_NAME is not set/);
    } finally {
      process.env = saved;
    }
  });
});
