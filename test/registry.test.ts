import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { TRANSFORMS } from "../transforms/index.js";
import { BATCH_OPERATIONS } from "../src/core/batch-operations.js";
import { SCANNERS } from "../src/scanners/index.js";
import javascript, { JAVASCRIPT_NEEDLES } from "../src/scanners/javascript/index.js";
import { CANDIDATE_KEYS } from "../src/scanners/job-definition-json/index.js";

const ROOT = path.resolve(import.meta.dirname, "..");
const TRANSFORM_FILES = readdirSync(path.join(ROOT, "transforms"))
  .filter((file) => file.endsWith(".ts") && file !== "index.ts")
  .map((file) => file.replace(/\.ts$/, ""))
  .sort();

describe("transform registry", () => {
  it("registers every file in transforms/, sorted by id", () => {
    const ids = TRANSFORMS.map((t) => t.id);
    expect(ids).toEqual(TRANSFORM_FILES);
    expect(ids).toEqual([...ids].sort());
  });

  it.each(TRANSFORMS.map((t) => [t.id, t] as const))(
    "%s has fixtures and a TRANSFORMS.md row that match it",
    (id, transform) => {
      const fixtures = path.join(ROOT, "fixtures/transforms", id);
      expect(existsSync(fixtures)).toBe(true);
      expect(readdirSync(fixtures).some((file) => file.includes(".input."))).toBe(true);
      const row = readFileSync(path.join(ROOT, "TRANSFORMS.md"), "utf8")
        .split("\n")
        .find((line) => line.startsWith(`| \`${id}\` |`));
      expect(
        row
          ?.split("|")
          .map((cell) => cell.trim())
          .slice(2, 5),
      ).toEqual([transform.language, transform.to, transform.safety]);
    },
  );
});

describe("Batch operations", () => {
  it("put the three tagging operations, and only them, in the tagging group", () => {
    const tagging = BATCH_OPERATIONS.filter((operation) => operation.group === "tagging").map((op) => op.name);
    expect(tagging.sort()).toEqual(["ListTagsForResource", "TagResource", "UntagResource"]);
  });
});

describe("scanner needles", () => {
  const hasNeedle = (text: string, needles: readonly string[]) => needles.some((needle) => text.includes(needle));

  it.each(SCANNERS.filter((s) => s.needles).map((s) => [s.id, s] as const))(
    "%s: every fixture its prefilter passes contains one of its needles",
    (id, scanner) => {
      const dir = path.join(ROOT, "fixtures/scanners", id);
      const inputs = readdirSync(dir).filter((file) => !file.endsWith(".findings.json") && scanner.accepts(file));
      expect(inputs.length).toBeGreaterThan(0);
      for (const file of inputs) {
        const text = readFileSync(path.join(dir, file), "latin1");
        if (scanner.prefilter(text, file)) expect(hasNeedle(text, scanner.needles!), file).toBe(true);
      }
    },
  );

  it("javascript: a call of any Batch operation but tagging contains a needle", () => {
    for (const operation of BATCH_OPERATIONS) {
      const text = `await client.${operation.camel}(input);`;
      expect(javascript.prefilter(text, "a.ts"), operation.camel).toBe(operation.group !== "tagging");
      if (operation.group !== "tagging") expect(hasNeedle(text, JAVASCRIPT_NEEDLES), operation.camel).toBe(true);
    }
  });

  /** The least text that passes each scanner's prefilter, one per thing the prefilter looks for. */
  const SMALLEST_CANDIDATES: Record<string, [file: string, text: string][]> = {
    cloudformation: [
      ["t.yaml", "Type: AWS::Batch::JobQueue"],
      ["t.json", '"Type": "AWS::Batch::JobDefinition"'],
      ["sfn.json", '"Resource": "arn:aws:states:::batch:submitJob.sync"'],
    ],
    "job-definition-json": CANDIDATE_KEYS.map((key) => ["d.json", `{"${key}": {}}`]),
    python: [
      ["a.py", 'boto3.client("batch")'],
      ["a.py", 'BATCH_SERVICE = "batch"'],
      ["a.py", "from airflow.providers.amazon.aws.operators.batch import BatchOperator"],
    ],
    terraform: [
      ["a.tf", 'resource "aws_batch_job_queue" "q" {}'],
      ["a.tf", 'module "b" { source = "terraform-aws-modules/batch/aws" }'],
    ],
    javascript: [
      ["a.ts", 'import { BatchClient } from "@aws-sdk/client-batch";'],
      ["a.js", 'const Batch = require("aws-sdk/clients/batch");'],
      ["a.ts", 'import * as batch from "aws-cdk-lib/aws-batch";'],
      ["a.ts", "new CfnResource(this, 'q', { type: 'AWS::Batch::JobQueue' });"],
      ["a.ts", "const code = `import boto3\nboto3.client('batch')`;"],
    ],
  };

  it("javascript: a barrel that re-exports contains a context needle", () => {
    for (const text of ['export * from "./client";', 'export { batch, submit as send } from "./aws";']) {
      expect(javascript.context!(text, "index.ts"), text).toBe(true);
      expect(hasNeedle(text, javascript.contextNeedles!), text).toBe(true);
    }
  });

  it.each(SCANNERS.filter((s) => s.needles).map((s) => [s.id, s] as const))(
    "%s: the smallest candidates pass its prefilter and contain one of its needles",
    (id, scanner) => {
      const cases = SMALLEST_CANDIDATES[id];
      expect(cases, `add ${id} to SMALLEST_CANDIDATES`).toBeDefined();
      for (const [file, text] of cases!) {
        expect(scanner.prefilter(text, file), text).toBe(true);
        expect(hasNeedle(text, scanner.needles!), text).toBe(true);
      }
    },
  );
});
