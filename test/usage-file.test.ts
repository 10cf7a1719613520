import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { runInitCommand } from "../src/commands/init.js";
import { runReportCommand } from "../src/commands/report.js";
import type { CommandIO } from "../src/commands/io.js";
import type { InventoryItem } from "../src/core/types.js";
import { usageKeys } from "../src/cost/usage-keys.js";
import { completeUsageFile, renderUsageTemplate } from "../src/cost/usage-template.js";
import { markSupersededRevisions } from "../src/inventory/revisions.js";

function item(name: string, file: string, line = 1, properties: InventoryItem["properties"] = {}): InventoryItem {
  return {
    id: `job-definition:${file}#${name}:${line}`,
    kind: "job-definition",
    name,
    source: { path: file, line, via: "terraform" },
    properties,
    unresolved: [],
  };
}

function io(cwd: string): CommandIO & { errors: () => string } {
  const chunks: string[] = [];
  const sink = { write: () => true, isTTY: false } as unknown as CommandIO["stdout"];
  const err = {
    write: (c: string) => (chunks.push(String(c)), true),
    isTTY: false,
  } as unknown as CommandIO["stderr"];
  return { stdout: sink, stderr: err, cwd, env: {}, errors: () => chunks.join("") };
}

const TF = (name: string) => `resource "aws_batch_job_definition" "${name}" {
  name = "same"
  type = "container"
  container_properties = jsonencode({
    image = "busybox"
    resourceRequirements = [{ type = "VCPU", value = "1" }, { type = "MEMORY", value = "2048" }]
  })
}
`;

describe("usage file keys", () => {
  it("are the name, qualified by file only when two definitions share it, and by line within one file", () => {
    const keys = usageKeys([
      item("solo", "a.tf"),
      item("twin", "examples/ec2/main.tf"),
      item("twin", "examples/fargate/main.tf"),
      item("pair", "one.json", 3),
      item("pair", "one.json", 9),
    ]);
    expect([...keys.values()].sort()).toEqual([
      "examples/ec2/main.tf#twin",
      "examples/fargate/main.tf#twin",
      "one.json:3#pair",
      "one.json:9#pair",
      "solo",
    ]);
  });

  it("render as a template that parses, with one entry per current revision", () => {
    const revisions = [1, 2, 3].map((revision) =>
      item("rev", "defs.json", 1, { revision, status: revision === 3 ? "INACTIVE" : "ACTIVE" }),
    );
    revisions.forEach((r, i) => (r.id = `${r.id}:${i}`));
    markSupersededRevisions(revisions);
    expect(revisions.map((r) => r.properties.superseded === true)).toEqual([true, false, true]);
    const text = renderUsageTemplate([...revisions, item("twin", "a/main.tf"), item("twin", "b/main.tf")]);
    const parsed = parseYaml(text) as { job_definitions: Record<string, null> };
    expect(Object.keys(parsed.job_definitions)).toEqual(["a/main.tf#twin", "b/main.tf#twin", "rev"]);
  });

  it("keep what a person wrote and add only what is missing", () => {
    const edited =
      "# my notes\nversion: 1\nregion: eu-west-1\njob_definitions:\n  solo:\n    jobs_per_month: 40 # measured\n";
    const { text, added } = completeUsageFile(edited, [item("solo", "a.tf"), item("new", "b.tf")], "u.yml");
    expect(added).toEqual(["new"]);
    expect(text.startsWith(edited)).toBe(true);
    expect(parseYaml(text)).toMatchObject({
      region: "eu-west-1",
      job_definitions: { solo: { jobs_per_month: 40 }, new: null },
    });
    expect(completeUsageFile(text, [item("solo", "a.tf"), item("new", "b.tf")], "u.yml")).toEqual({ text, added: [] });
  });
});

describe("init → edit → init --target → report", () => {
  it("round-trips: report succeeds, the edit survives, and a second init changes nothing", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "usage-journey-"));
    try {
      for (const folder of ["ec2", "fargate"]) {
        mkdirSync(path.join(dir, folder));
        writeFileSync(path.join(dir, folder, "main.tf"), TF("this"));
      }
      const first = io(dir);
      expect(await runInitCommand({ paths: ["."], force: false }, first)).toBe(0);
      const file = path.join(dir, "migrate-usage.yml");
      const written = readFileSync(file, "utf8");
      expect(Object.keys((parseYaml(written) as { job_definitions: object }).job_definitions)).toEqual([
        "ec2/main.tf#same",
        "fargate/main.tf#same",
      ]);
      const edited = written.replace(
        '  "ec2/main.tf#same":\n',
        '  "ec2/main.tf#same":\n    jobs_per_month: 100\n    avg_runtime_minutes: 30\n',
      );
      writeFileSync(file, edited);
      expect(await runInitCommand({ paths: ["."], force: false, target: "salad" }, io(dir))).toBe(0);
      expect(readFileSync(file, "utf8")).toBe(edited);
      const { report, exitCode } = await runReportCommand({ paths: ["."], target: "all", format: "json" }, io(dir));
      expect(exitCode).toBe(0);
      const monthly = report.cost!.lines.filter((l) => l.scenario === "monthly" && l.platform === "aws");
      expect(monthly.map((l) => l.workload)).toEqual(["ec2/main.tf#same"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("call-site containerOverrides", () => {
  it("size the workload the call site submits, and the cost lines say so", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "overrides-"));
    try {
      writeFileSync(
        path.join(dir, "main.tf"),
        `${TF("this")}
resource "aws_batch_compute_environment" "cpu" {
  compute_environment_name = "cpu"
  type = "MANAGED"
  compute_resources {
    type = "EC2"
    max_vcpus = 64
    instance_type = ["m6i"]
  }
}
resource "aws_batch_job_queue" "q" {
  name = "q"
  priority = 1
  state = "ENABLED"
  compute_environment_order {
    order = 1
    compute_environment = aws_batch_compute_environment.cpu.arn
  }
}
`,
      );
      writeFileSync(
        path.join(dir, "submit.py"),
        [
          "import boto3",
          'batch = boto3.client("batch")',
          'batch.submit_job(jobName="big", jobQueue="q", jobDefinition="same",',
          '    containerOverrides={"resourceRequirements": [{"type": "VCPU", "value": "16"}, {"type": "MEMORY", "value": "110000"}]})',
          "",
        ].join("\n"),
      );
      const { report } = await runReportCommand({ paths: ["."], target: "salad", format: "json" }, io(dir));
      const aws = report.cost!.lines.find((l) => l.platform === "aws" && l.scenario === "per-run")!;
      expect(aws.assumption).toContain(
        "sized by containerOverrides at submit.py:3 (16 vCPU / 110000 MiB), not the job definition's 1 vCPU / 2048 MiB",
      );
      // 16 vCPU / 107.4 GiB fits m6i.8xlarge (32 vCPU / 128 GiB), not the 1 vCPU job's m6i.large.
      expect(aws.description).toMatch(/^m6i\.8xlarge on-demand/);
      const salad = report.cost!.lines.find((l) => l.platform === "salad" && l.scenario === "per-run")!;
      expect(salad.description).toContain("16 vCPU");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
