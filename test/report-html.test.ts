import { mkdirSync, mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { runReportCommand } from "../src/commands/report.js";
import { FORMATS } from "../src/report/formats/index.js";
import type { CommandIO } from "../src/commands/io.js";
import { CHROMIUM, expectLayoutHolds, HAVE_CHROMIUM } from "./support/chromium.js";

function quietIO(): CommandIO {
  const sink = { write: () => true, isTTY: false } as unknown as CommandIO["stdout"];
  return {
    stdout: sink,
    stderr: sink,
    cwd: path.resolve(import.meta.dirname, ".."),
    env: { SOURCE_DATE_EPOCH: String(Date.parse("2026-11-22T00:00:00Z") / 1000) },
  };
}

describe.skipIf(!HAVE_CHROMIUM)("HTML report in headless Chromium", () => {
  it("renders its charts and tables, sorts and filters, with no console errors and no network", async () => {
    const { chromium } = await import("playwright-core");
    const { report } = await runReportCommand(
      { paths: ["fixtures/projects/video-pipeline"], target: "all", format: "json" },
      quietIO(),
    );
    const file = path.join(tmpdir(), `migrate-report-${process.pid}.html`);
    writeFileSync(file, FORMATS.html(report));
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
      ],
    });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      page.on("console", (message) => message.type() === "error" && problems.push(message.text()));
      page.on("pageerror", (error) => problems.push(error.message));
      page.on("request", (request) => !request.url().startsWith("file:") && requests.push(request.url()));
      await page.goto(pathToFileURL(file).href);

      expect(await page.locator("#cost-chart rect").count()).toBeGreaterThan(0);
      expect(await page.locator("#readiness-chart rect").count()).toBeGreaterThan(0);
      const chartBox = await page.locator("#cost-chart").boundingBox();
      expect(chartBox?.width).toBeGreaterThan(100);

      const names = () => page.locator("#workloads tbody tr td:first-child").allTextContents();
      const before = await names();
      expect(before.length).toBe(report.workloads!.length);
      await page.locator("#workloads th").first().click();
      await page.locator("#workloads th").first().click();
      expect(await names()).toEqual([...before].sort().reverse());

      const allGaps = await page.locator("#gaps tbody tr").count();
      await page.locator('input[data-table="gaps"]').fill("evaluate-on-exit");
      const visible = await page.locator("#gaps tbody tr:not([hidden])").allTextContents();
      expect(visible.length).toBeGreaterThan(0);
      expect(visible.length).toBeLessThan(allGaps);
      expect(visible.every((row) => row.includes("evaluate-on-exit"))).toBe(true);

      expect(problems).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
      rmSync(file);
    }
  });
});

/** A project the size of a large corpus repository: many job definitions, queues and call sites, with long names. */
function corpusSizedProject(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "migrate-html-layout-"));
  const tf: string[] = [];
  for (const tier of ["cpu", "gpu", "spot"]) {
    tf.push(`resource "aws_batch_compute_environment" "${tier}" {
  compute_environment_name = "${tier}-environment-with-a-rather-long-name-for-layout"
  type = "MANAGED"
  compute_resources {
    type = "${tier === "spot" ? "SPOT" : "EC2"}"
    max_vcpus = 256
    instance_type = ["${tier === "gpu" ? "g5" : "c6i"}"]
  }
}
resource "aws_batch_job_queue" "${tier}" {
  name = "${tier}-queue"
  priority = 1
  state = "ENABLED"
  compute_environment_order {
    order = 1
    compute_environment = aws_batch_compute_environment.${tier}.arn
  }
}`);
  }
  for (let i = 0; i < 40; i++) {
    tf.push(`resource "aws_batch_job_definition" "job_${i}" {
  name = "pipeline-stage-${i}-with-a-long-descriptive-name-that-does-not-wrap-easily"
  type = "container"
  container_properties = jsonencode({
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/pipeline/stage-${i}:latest"
    resourceRequirements = [{ type = "VCPU", value = "${1 + (i % 8)}" }, { type = "MEMORY", value = "${2048 * (1 + (i % 4))}" }${i % 5 === 0 ? ', { type = "GPU", value = "1" }' : ""}]
  })
}`);
  }
  mkdirSync(path.join(dir, "infra/very/deeply/nested/module/path/for/the/batch/resources"), { recursive: true });
  writeFileSync(path.join(dir, "infra/very/deeply/nested/module/path/for/the/batch/resources/main.tf"), tf.join("\n"));
  const py = ["import boto3", 'batch = boto3.client("batch")'];
  for (let i = 0; i < 40; i++)
    py.push(
      `batch.submit_job(jobName="run-${i}", jobQueue="${i % 5 === 0 ? "gpu" : "cpu"}-queue", jobDefinition="pipeline-stage-${i}-with-a-long-descriptive-name-that-does-not-wrap-easily")`,
    );
  writeFileSync(path.join(dir, "submit_all_the_pipeline_stages_from_one_script.py"), `${py.join("\n")}\n`);
  return dir;
}

describe.skipIf(!HAVE_CHROMIUM)("HTML report layout", () => {
  it("holds at 1,280 px and 390 px: no horizontal page overflow, no console errors (screenshots in test-artifacts/)", async () => {
    const project = corpusSizedProject();
    const artifacts = path.resolve(import.meta.dirname, "../test-artifacts");
    mkdirSync(artifacts, { recursive: true });
    const { report } = await runReportCommand({ paths: [project], target: "all", format: "json" }, quietIO());
    expect(report.workloads!.length).toBe(40);
    const file = path.join(project, "report.html");
    writeFileSync(file, FORMATS.html(report));
    try {
      const layouts = await expectLayoutHolds(file, (width) => path.join(artifacts, `report-${width}px.png`));
      for (const layout of layouts) expect(layout.headline).toContain("AWS Batch today");
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  }, 60_000);
});
