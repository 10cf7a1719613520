import { describe, expect, it } from "vitest";
import { awsCallsOnTargetClients, replacementOf, rewrittenToTarget } from "../scripts/eval-apply/native-checks.js";

const before = [
  'import { BatchClient, SubmitJobCommand } from "@aws-sdk/client-batch";',
  "const batch = new BatchClient({});",
  "export async function run(name) {",
  '  const out = await batch.send(new SubmitJobCommand({ jobName: name, jobQueue: "q", jobDefinition: "d" }));',
  "  return out.jobId;",
  "}",
  "",
].join("\n");

describe("eval:apply native credit", () => {
  it("credits a site whose own call became a target-client call", () => {
    const after = [
      'import { CommonComputeClient } from "batch-migrate-runtime/common-compute";',
      "const batch = new CommonComputeClient();",
      "export async function run(name) {",
      '  const out = await batch.jobs.submit({ workload: "w", input: {}, name });',
      "  return out.id;",
      "}",
      "",
    ].join("\n");
    expect(replacementOf(before, after, 4)).toEqual({ start: 4, end: 6 });
    expect(rewrittenToTarget(before, after, 4)).toBe(true);
  });

  it("does not credit a site whose file never changed (its client's module moved to the shim)", () => {
    expect(rewrittenToTarget(before, before, 4)).toBe(false);
  });

  it("does not credit a changed file whose site line is untouched or became something else", () => {
    const importOnly = before.replace('"@aws-sdk/client-batch"', '"batch-migrate-runtime/client-batch"');
    expect(replacementOf(before, importOnly, 4)).toBeUndefined();
    expect(rewrittenToTarget(before, importOnly, 4)).toBe(false);
    const removed = before
      .split("\n")
      .filter((_, i) => i !== 3)
      .join("\n");
    expect(replacementOf(before, removed, 4)).toEqual({ start: 4, end: 4 });
    expect(rewrittenToTarget(before, removed, 4)).toBe(false);
  });

  it("credits Python and SaladCloud spellings of a target call", () => {
    const py = 'import boto3\nc = boto3.client("batch")\nc.submit_job(jobName="a", jobQueue="q", jobDefinition="d")\n';
    const pyAfter =
      'from batch_migrate_runtime import SaladCloud\nc = SaladCloud()\nc.create_queue_job("q", {"a": 1})\n';
    expect(rewrittenToTarget(py, pyAfter, 3)).toBe(true);
  });
});

describe("eval:apply half-migrated JS: calls checked against the object they are made on", () => {
  it("finds an AWS call left on a client re-created as a target client", () => {
    const code = [
      'import { CommonComputeClient } from "batch-migrate-runtime/common-compute";',
      "const batch = new CommonComputeClient();",
      "await batch.jobs.submit({ workload: 'w', input: {} });",
      "await batch.send(new DescribeJobsCommand({ jobs: [id] }));",
      "class Runner { constructor() { this.client = new SaladClient(); } stop(id) { return this.client.terminateJob({ jobId: id }).promise(); } }",
      "const other = makeAws(); other.send(x);",
      "",
    ].join("\n");
    expect(awsCallsOnTargetClients(code, () => false)).toEqual([
      { line: 4, call: "batch.send(…)" },
      { line: 5, call: "client.terminateJob(…)" },
    ]);
  });

  it("skips marked lines and files without a target client", () => {
    const code = "const batch = new CommonComputeClient();\n// migrate: manual — x\nbatch.send(cmd);\n";
    expect(awsCallsOnTargetClients(code, (line) => line === 3)).toEqual([]);
    expect(awsCallsOnTargetClients("const b = new BatchClient();\nb.send(c);\n", () => false)).toEqual([]);
  });
});
