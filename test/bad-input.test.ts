// Pathological inputs every scanner must survive: each gives at most one clear finding, and the scan goes on.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { scanTree } from "../src/core/scan.js";
import { SCANNERS } from "../src/scanners/index.js";

const DEPTH = 30_000;
const open = (s: string) => s.repeat(DEPTH);

const CASES: Record<string, string> = {
  "deep.py": `import boto3\nc = boto3.client("batch")\nc.submit_job(jobName=${open("(")}1${open(")")})\n`,
  "deep.ts": `import { BatchClient } from "@aws-sdk/client-batch";\nconst x = ${open("[")}${open("]")};\n`,
  "deep.json": `{"containerProperties": ${open("[")}${open("]")}, "type": "container"}`,
  "deep.yaml": `Resources:\n  Q:\n    Type: AWS::Batch::JobQueue\n    Properties: ${open("[")}${open("]")}\n`,
  "deep.tf": `resource "aws_batch_job_queue" "q" {\n  x = ${open("[")}${open("]")}\n}\n`,
  "long-line.py": `import boto3\nc = boto3.client("batch")  # ${"x".repeat(2_000_000)}\n`,
  "truncated.json": `{"jobDefinitionName": "x", "type": "container", "containerProperties": {"image": "i`,
  "unknown-tags.yaml": `Resources:\n  Q:\n    Type: AWS::Batch::JobQueue\n    Properties:\n      Priority: !Whatever 1\n`,
  "malformed.tf": `resource "aws_batch_job_queue" "q" {\n  name = "q"\n  priority = \n`,
};

describe("bad input", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "migrate-bad-input-"));
  for (const [name, text] of Object.entries(CASES)) writeFileSync(path.join(dir, name), text);
  writeFileSync(path.join(dir, "good.py"), 'import boto3\nboto3.client("batch").list_jobs(jobQueue="q")\n');

  it("keeps every scanner running and still reports the good file", async () => {
    const scan = await scanTree({ root: dir, scanners: SCANNERS });
    expect(scan.coverage.scannerErrors).toEqual([]);
    expect(scan.findings.filter((f) => f.path === "good.py").map((f) => f.kind)).toEqual(["py-client", "py-call"]);
  }, 60_000);

  it.each(Object.keys(CASES))(
    "%s gives at most one parse-error finding",
    async (name) => {
      const scan = await scanTree({ root: dir, paths: [path.join(dir, name)], scanners: SCANNERS });
      expect(scan.coverage.scannerErrors).toEqual([]);
      expect(scan.findings.filter((f) => f.kind === "parse-error").length).toBeLessThanOrEqual(1);
    },
    60_000,
  );
});
