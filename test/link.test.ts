// The link graph: call sites and IaC references resolved to inventory items, unresolved references kept.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createFinding } from "../src/core/rules.js";
import { scanTree } from "../src/core/scan.js";
import type { Finding, Inventory, InventoryItem, Link, LiteralValue, ResourceKind } from "../src/core/types.js";
import { createInventoryItem, normalizeByKind, type LiteralObject } from "../src/inventory/index.js";
import { buildLinks } from "../src/link/index.js";
import { SCANNERS } from "../src/scanners/index.js";

function item(kind: ResourceKind, file: string, address: string, spec: LiteralObject): InventoryItem {
  return createInventoryItem(kind, { path: file, line: 1, via: "test", address }, normalizeByKind(kind, spec));
}

function inventoryOf(items: InventoryItem[]): Inventory {
  const of = (kind: ResourceKind) => items.filter((i) => i.kind === kind);
  return {
    jobDefinitions: of("job-definition"),
    jobQueues: of("job-queue"),
    computeEnvironments: of("compute-environment"),
    schedulingPolicies: of("scheduling-policy"),
  };
}

function submitJob(file: string, line: number, args: Record<string, LiteralValue>): Finding {
  return createFinding({
    kind: "py-call",
    path: file,
    span: { line, column: 1, endLine: line, endColumn: 2 },
    language: "python",
    operation: "SubmitJob",
    args,
  });
}

const ITEMS = [
  item("job-definition", "infra/jobs.tf", "aws_batch_job_definition.ocr", { name: "ocr-pages" }),
  item("job-queue", "infra/jobs.tf", "aws_batch_job_queue.gpu", {
    name: "gpu-queue",
    compute_environments: [
      { $expr: "aws_batch_compute_environment.spot.arn" },
      { $expr: "aws_batch_compute_environment.gone.arn" },
    ],
    scheduling_policy_arn: { $expr: "aws_batch_scheduling_policy.fair.arn" },
  }),
  item("compute-environment", "infra/compute.tf", "aws_batch_compute_environment.spot", {
    compute_environment_name: "spot",
  }),
  item("compute-environment", "other/compute.tf", "aws_batch_compute_environment.gone", {
    compute_environment_name: "elsewhere",
  }),
  item("scheduling-policy", "infra/jobs.tf", "aws_batch_scheduling_policy.fair", { name: "fair" }),
  item("job-queue", "template.yaml", "CfnQueue", {
    Priority: 1,
    ComputeEnvironmentOrder: [{ Order: 1, ComputeEnvironment: { $expr: "!Ref CfnEnv" } }],
  }),
  item("compute-environment", "template.yaml", "CfnEnv", { Type: "MANAGED" }),
];

const CASES: {
  name: string;
  args: Record<string, LiteralValue>;
  expected: Pick<Link, "relation" | "to" | "via" | "resolved">[];
}[] = [
  {
    name: "plain names",
    args: { jobDefinition: "ocr-pages", jobQueue: "gpu-queue" },
    expected: [
      {
        relation: "uses-job-definition",
        to: "job-definition:infra/jobs.tf#aws_batch_job_definition.ocr",
        via: "ocr-pages",
        resolved: true,
      },
      {
        relation: "uses-job-queue",
        to: "job-queue:infra/jobs.tf#aws_batch_job_queue.gpu",
        via: "gpu-queue",
        resolved: true,
      },
    ],
  },
  {
    name: "name:revision and ARNs",
    args: { jobDefinition: "ocr-pages:12", jobQueue: "arn:aws:batch:us-east-1:123456789012:job-queue/gpu-queue" },
    expected: [
      {
        relation: "uses-job-definition",
        to: "job-definition:infra/jobs.tf#aws_batch_job_definition.ocr",
        via: "ocr-pages:12",
        resolved: true,
      },
      {
        relation: "uses-job-queue",
        to: "job-queue:infra/jobs.tf#aws_batch_job_queue.gpu",
        via: "arn:aws:batch:us-east-1:123456789012:job-queue/gpu-queue",
        resolved: true,
      },
    ],
  },
  {
    name: "an ARN of the wrong resource type does not match by name",
    args: { jobQueue: "arn:aws:batch:us-east-1:123456789012:compute-environment/gpu-queue" },
    expected: [
      {
        relation: "uses-job-queue",
        to: "unresolved:job-queue",
        via: "arn:aws:batch:us-east-1:123456789012:compute-environment/gpu-queue",
        resolved: false,
      },
    ],
  },
  {
    name: "unknown names and run-time values stay as unresolved links",
    args: { jobDefinition: "never-declared", jobQueue: { $expr: "os.environ['QUEUE']" } },
    expected: [
      { relation: "uses-job-definition", to: "unresolved:job-definition", via: "never-declared", resolved: false },
      { relation: "uses-job-queue", to: "unresolved:job-queue", via: "os.environ['QUEUE']", resolved: false },
    ],
  },
];

describe("buildLinks: call sites", () => {
  it.each(CASES)("$name", ({ args, expected }) => {
    const call = submitJob("app/submit.py", 7, args);
    const links = buildLinks([call], inventoryOf(ITEMS)).filter((link) => link.from === "call:app/submit.py:7:1");
    expect(links.map(({ relation, to, via, resolved }) => ({ relation, to, via, resolved }))).toEqual(expected);
  });
});

describe("buildLinks: infrastructure references", () => {
  const links = buildLinks([], inventoryOf(ITEMS));

  it("resolves Terraform references within the module folder and keeps the others unresolved", () => {
    expect(links.filter((l) => l.from === "job-queue:infra/jobs.tf#aws_batch_job_queue.gpu")).toEqual([
      {
        from: "job-queue:infra/jobs.tf#aws_batch_job_queue.gpu",
        to: "compute-environment:infra/compute.tf#aws_batch_compute_environment.spot",
        relation: "uses-compute-environment",
        via: "aws_batch_compute_environment.spot.arn",
        resolved: true,
      },
      {
        from: "job-queue:infra/jobs.tf#aws_batch_job_queue.gpu",
        to: "unresolved:compute-environment",
        relation: "uses-compute-environment",
        via: "aws_batch_compute_environment.gone.arn",
        resolved: false,
      },
      {
        from: "job-queue:infra/jobs.tf#aws_batch_job_queue.gpu",
        to: "scheduling-policy:infra/jobs.tf#aws_batch_scheduling_policy.fair",
        relation: "uses-scheduling-policy",
        via: "aws_batch_scheduling_policy.fair.arn",
        resolved: true,
      },
    ]);
  });

  it("resolves CloudFormation !Ref to a logical id of the same template", () => {
    expect(links.filter((l) => l.from === "job-queue:template.yaml#CfnQueue")).toEqual([
      {
        from: "job-queue:template.yaml#CfnQueue",
        to: "compute-environment:template.yaml#CfnEnv",
        relation: "uses-compute-environment",
        via: "!Ref CfnEnv",
        resolved: true,
      },
    ]);
  });
});

describe("buildLinks over scanned fixtures", () => {
  it("links Step Functions tasks to the template's job definition and queue, and the queue to a literal CE ARN", async () => {
    const dir = path.join(import.meta.dirname, "../fixtures/scanners/cloudformation");
    const scan = await scanTree({
      root: dir,
      paths: [path.join(dir, "state-machine-embedded-in-template.yaml")],
      scanners: SCANNERS,
    });
    const links = buildLinks(scan.findings, scan.inventory);
    expect(links.map((l) => `${l.from} -${l.relation}-> ${l.to} (${l.via})`)).toEqual([
      "call:state-machine-embedded-in-template.yaml:11:28 -uses-job-definition-> unresolved:job-definition (!Ref AlignJob)",
      "call:state-machine-embedded-in-template.yaml:11:28 -uses-job-queue-> unresolved:job-queue (!Ref AlignQueue)",
      "call:state-machine-embedded-in-template.yaml:29:13 -uses-job-definition-> job-definition:state-machine-embedded-in-template.yaml#CountJob (!Ref CountJob)",
      "call:state-machine-embedded-in-template.yaml:29:13 -uses-job-queue-> job-queue:state-machine-embedded-in-template.yaml#CountQueue (!GetAtt CountQueue.JobQueueArn)",
      "job-queue:state-machine-embedded-in-template.yaml#CountQueue -uses-compute-environment-> unresolved:compute-environment (arn:aws:batch:us-east-1:123456789012:compute-environment/shared)",
    ]);
  });

  it("links each for_each instance of a Terraform queue to its compute environment and scheduling policy", async () => {
    const dir = path.join(import.meta.dirname, "../fixtures/scanners/terraform");
    const scan = await scanTree({
      root: dir,
      paths: [path.join(dir, "job-definition-jsonencode.tf")],
      scanners: SCANNERS,
    });
    const links = buildLinks(scan.findings, scan.inventory);
    expect(links.map((l) => `${l.from} ${l.relation} ${l.to} ${l.resolved}`)).toEqual(
      ['aws_batch_job_queue.gpu["high"]', 'aws_batch_job_queue.gpu["low"]'].flatMap((queue) => [
        `job-queue:job-definition-jsonencode.tf#${queue} uses-compute-environment compute-environment:job-definition-jsonencode.tf#aws_batch_compute_environment.gpu_spot true`,
        `job-queue:job-definition-jsonencode.tf#${queue} uses-compute-environment unresolved:compute-environment false`,
        `job-queue:job-definition-jsonencode.tf#${queue} uses-scheduling-policy scheduling-policy:job-definition-jsonencode.tf#aws_batch_scheduling_policy.fair true`,
      ]),
    );
  });
});

describe("CloudFormation references built in code", () => {
  it("name the logical id, whatever helper or object form wrote them", async () => {
    const { addressOfExpression } = await import("../src/link/references.js");
    for (const expression of [
      "cf.ref('GpuComputeEnvironment')",
      'Fn.getAtt("GpuComputeEnvironment", "ComputeEnvironmentArn")',
      "troposphere.GetAtt('GpuComputeEnvironment', 'Arn')",
      "Ref('GpuComputeEnvironment')",
      "{ Ref: 'GpuComputeEnvironment' }",
      '{"Fn::GetAtt": ["GpuComputeEnvironment", "ComputeEnvironmentArn"]}',
      "!GetAtt GpuComputeEnvironment.ComputeEnvironmentArn",
    ])
      expect(addressOfExpression(expression), expression).toEqual({ address: "GpuComputeEnvironment", scope: "file" });
    expect(addressOfExpression("environment.arn")).toEqual({ address: "environment", scope: "file" });
  });
});
