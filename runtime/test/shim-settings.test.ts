// The shim's configuration reads the same variables and files as the Python shim, with the same defaults,
// and the pure AWS Batch rules (ListJobs selection, tokens, evaluateOnExit, Ref:: substitution) hold.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  commonComputeStatus,
  decodeNextToken,
  evaluateOnExit,
  paginate,
  queryFingerprint,
  selectJobs,
  substituteParameters,
} from "../src/shim/model.js";
import { ConfigurationError, parseMapping, settingsFromEnvironment } from "../src/shim/settings.js";
import type { CommonComputeJob } from "../src/clients/common-compute.js";
import { temporaryDirectory } from "./helpers.js";

describe("shim settings", () => {
  it("defaults to aws (the real SDK), us-east-1 and the placeholder account, with dependencies emulated", () => {
    const settings = settingsFromEnvironment({}, { cwd: temporaryDirectory() });
    expect(settings).toMatchObject({
      target: "aws",
      targetSource: "the default: no target configured",
      region: "us-east-1",
      accountId: "123456789012",
      emulateDependencies: true,
      httpTimeoutMs: 30_000,
      maxRetries: 3,
    });
    expect(settings.configPath).toBeUndefined();
  });

  it("finds the nearest migrate.config.json and reads the shim section; the environment wins", () => {
    const root = temporaryDirectory();
    const nested = path.join(root, "a", "b");
    mkdirSync(nested, { recursive: true });
    writeFileSync(
      path.join(root, "migrate.config.json"),
      JSON.stringify({
        shim: { target: "salad", queueMap: { cpu: "batch-q", gpu: "gpu-q" }, stateDir: ".state" },
        region: "eu-west-1",
      }),
    );
    const fromFile = settingsFromEnvironment({}, { cwd: nested });
    expect(fromFile).toMatchObject({
      target: "salad",
      region: "eu-west-1",
      stateDir: ".state",
      emulateDependencies: false,
      queueMap: { cpu: "batch-q", gpu: "gpu-q" },
    });
    expect(fromFile.configPath).toBe(path.join(root, "migrate.config.json"));
    const overridden = settingsFromEnvironment(
      {
        BATCH_MIGRATE_TARGET: "CC",
        BATCH_MIGRATE_QUEUE_MAP: "gpu=priority",
        AWS_REGION: "us-west-2",
        BATCH_MIGRATE_EMULATE_DEPENDENCIES: "0",
      },
      { cwd: nested },
    );
    expect(overridden).toMatchObject({
      target: "common-compute",
      region: "us-west-2",
      emulateDependencies: false,
      queueMap: { cpu: "batch-q", gpu: "priority" },
    });
  });

  it("points local at BATCH_MIGRATE_ENDPOINT before CC_BASE_URL", () => {
    const env = {
      BATCH_MIGRATE_TARGET: "local",
      CC_BASE_URL: "http://cc",
      CC_API_KEY: "cc-key",
      BATCH_MIGRATE_ENDPOINT: "http://executor",
    };
    expect(settingsFromEnvironment(env, { cwd: temporaryDirectory() })).toMatchObject({
      localBaseUrl: "http://executor",
      localApiKey: "cc-key",
    });
  });

  it("parses queue maps as pairs or JSON and rejects what it cannot read", () => {
    expect(parseMapping("gpu-queue=standard, cpu=batch", "V")).toEqual({ "gpu-queue": "standard", cpu: "batch" });
    expect(parseMapping('{"gpu-queue": "standard"}', "V")).toEqual({ "gpu-queue": "standard" });
    expect(() => parseMapping("gpu-queue", "V")).toThrow(ConfigurationError);
    expect(() => settingsFromEnvironment({ BATCH_MIGRATE_TARGET: "lambda" }, { cwd: temporaryDirectory() })).toThrow(
      /must be one of common-compute, salad, local, aws/,
    );
    expect(() => settingsFromEnvironment({ BATCH_MIGRATE_CONFIG: "/no/such/file.json" })).toThrow(/not a file/);
    expect(() =>
      settingsFromEnvironment({ BATCH_MIGRATE_EMULATE_DEPENDENCIES: "maybe" }, { cwd: temporaryDirectory() }),
    ).toThrow(/must be 1 or 0/);
  });
});

describe("AWS Batch rules the emulation applies", () => {
  const jobs = [
    {
      jobId: "a",
      jobName: "render-1",
      status: "RUNNING",
      createdAt: 3,
      jobDefinition: "arn:aws:batch:r:1:job-definition/render:2",
    },
    {
      jobId: "b",
      jobName: "render-2",
      status: "SUCCEEDED",
      createdAt: 2,
      jobDefinition: "arn:aws:batch:r:1:job-definition/render:1",
    },
    {
      jobId: "c",
      jobName: "merge",
      status: "FAILED",
      createdAt: 1,
      jobDefinition: "arn:aws:batch:r:1:job-definition/merge:1",
    },
  ];

  it("lists RUNNING jobs without status or filter, and ignores the status when a filter is given", () => {
    expect(selectJobs(jobs, undefined, []).map((job) => job.jobId)).toEqual(["a"]);
    expect(selectJobs(jobs, "FAILED", []).map((job) => job.jobId)).toEqual(["c"]);
    expect(selectJobs(jobs, "FAILED", [{ name: "JOB_NAME", values: ["RENDER*"] }]).map((job) => job.jobId)).toEqual([
      "a",
      "b",
    ]);
    expect(
      selectJobs(jobs, undefined, [{ name: "JOB_DEFINITION", values: ["render:1"] }]).map((job) => job.jobId),
    ).toEqual(["b"]);
    expect(selectJobs(jobs, undefined, [{ name: "AFTER_CREATED_AT", values: ["1"] }]).map((job) => job.jobId)).toEqual([
      "a",
      "b",
    ]);
  });

  it("issues opaque tokens bound to their query", () => {
    const fingerprint = queryFingerprint({ jobQueue: "q", jobStatus: "SUCCEEDED" });
    const { page, nextToken } = paginate(["x", "y", "z"], 0, 2, fingerprint);
    expect(page).toEqual(["x", "y"]);
    expect(decodeNextToken(nextToken ?? "", fingerprint)).toBe(2);
    expect(() => decodeNextToken(nextToken ?? "", queryFingerprint({ jobQueue: "other" }))).toThrow(/different query/);
    expect(() => decodeNextToken("garbage", fingerprint)).toThrow(/not one this client issued/);
    expect(paginate(["x"], 0, 2, fingerprint).nextToken).toBeUndefined();
  });

  it("decides retries by the first matching evaluateOnExit rule, RETRY when none matches", () => {
    const rules = [
      { action: "EXIT", onExitCode: "1*" },
      { action: "RETRY", onReason: "Host EC2*" },
    ];
    expect(evaluateOnExit(rules, { exitCode: 137 })).toBe("EXIT");
    expect(evaluateOnExit(rules, { exitCode: 2, reason: "Host EC2 terminated" })).toBe("RETRY");
    expect(evaluateOnExit([{ action: "exit", onStatusReason: "*" }], { statusReason: "x" })).toBe("EXIT");
    expect(evaluateOnExit([{ action: "EXIT", onReason: "OOM" }], { exitCode: 3 })).toBe("RETRY");
  });

  it("substitutes Ref:: parameters and leaves unknown ones literal", () => {
    expect(
      substituteParameters(["Ref::in", "--out=Ref::output", "Ref::missing"], { in: "a.mp4", output: "b" }),
    ).toEqual(["a.mp4", "--out=b", "Ref::missing"]);
  });

  it("maps Common Compute states to AWS statuses, a cancel of a started job being a terminate", () => {
    const job = (fields: Partial<CommonComputeJob>): CommonComputeJob =>
      ({ started_at: null, attempts: 1, max_attempts: 3, ...fields }) as CommonComputeJob;
    expect(commonComputeStatus(job({ state: "queued" })).status).toBe("RUNNABLE");
    expect(commonComputeStatus(job({ state: "leased" })).status).toBe("RUNNING");
    expect(
      commonComputeStatus(job({ state: "dead_letter", error: { code: "runner_error", message: "exit code 3" } })),
    ).toMatchObject({
      status: "FAILED",
      statusReason: "Essential container in task exited",
    });
    expect(
      commonComputeStatus(job({ state: "failed", error: { code: "cancelled", message: "stop" }, started_at: 5 })),
    ).toMatchObject({
      status: "FAILED",
      statusReason: "stop",
      isTerminated: true,
      isCancelled: false,
    });
  });
});
