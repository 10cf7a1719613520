import path from "node:path";
import { describe, expect, it } from "vitest";
import { schemaValidator } from "./support/schema.js";
import { runReportCommand } from "../src/commands/report.js";
import { FORMATS, type FormatName } from "../src/report/formats/index.js";
import type { Report } from "../src/report/model.js";
import { roleText } from "../src/report/orchestration.js";
import type { CommandIO } from "../src/commands/io.js";

const ROOT = path.resolve(import.meta.dirname, "..");
const PROJECTS = ["video-pipeline", "ocr-service", "render-farm"];
const EXTENSIONS: Record<FormatName, string> = {
  html: "html",
  json: "json",
  markdown: "md",
  sarif: "sarif",
  table: "txt",
};

/** Reports are dated by SOURCE_DATE_EPOCH so the goldens and the price-age warnings do not move with the clock. */
function quietIO(): CommandIO {
  const sink = { write: () => true, isTTY: false } as unknown as CommandIO["stdout"];
  return {
    stdout: sink,
    stderr: sink,
    cwd: ROOT,
    env: { SOURCE_DATE_EPOCH: String(Date.parse("2026-11-22T00:00:00Z") / 1000) },
  };
}

async function reportFor(project: string): Promise<Report> {
  const { report } = await runReportCommand(
    { paths: [`fixtures/projects/${project}`], target: "all", format: "json" },
    quietIO(),
  );
  return report;
}

describe.each(PROJECTS)("migrate report on %s", (project) => {
  it.each(Object.keys(FORMATS) as FormatName[])("renders %s like its golden file", async (format) => {
    const report = await reportFor(project);
    await expect(FORMATS[format](report)).toMatchFileSnapshot(
      `../fixtures/reports/${project}/report.${EXTENSIONS[format]}`,
    );
  });

  it("writes JSON valid against schema/report.schema.json", async () => {
    const validate = schemaValidator("report.schema.json");
    const json = JSON.parse(FORMATS.json(await reportFor(project))) as unknown;
    expect(validate(json), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it("writes SARIF valid against the SARIF 2.1.0 schema, one rule per rule id", async () => {
    const validate = schemaValidator("sarif-schema-2.1.0.json", true);
    const sarif = JSON.parse(FORMATS.sarif(await reportFor(project))) as {
      runs: { tool: { driver: { rules: { id: string }[] } }; results: { ruleId: string; level: string }[] }[];
    };
    expect(validate(sarif), JSON.stringify(validate.errors, null, 2)).toBe(true);
    const ids = sarif.runs[0]!.tool.driver.rules.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(sarif.runs[0]!.results.map((r) => r.ruleId))).toEqual(new Set(ids));
  });

  it("never counts a line without a price as $0", async () => {
    const report = await reportFor(project);
    for (const line of report.cost!.lines) {
      if (line.unitPrice === null) {
        expect(line.cost).toBeNull();
        expect(line.noPrice).toBeTruthy();
      } else expect(line.prices.length).toBeGreaterThan(0);
    }
  });

  it("re-renders the same report from its JSON (--from)", async () => {
    const report = await reportFor(project);
    const file = path.join(import.meta.dirname, `.tmp-${project}.json`);
    const { writeFileSync, rmSync } = await import("node:fs");
    writeFileSync(file, FORMATS.json(report));
    try {
      const { report: again } = await runReportCommand(
        { paths: [], from: file, target: "all", format: "json" },
        quietIO(),
      );
      expect(FORMATS.markdown(again)).toBe(FORMATS.markdown(report));
    } finally {
      rmSync(file);
    }
  });
});

describe("readiness of the video pipeline", () => {
  it("puts the array transcode on SaladCloud behind its evaluateOnExit and timeout gaps", async () => {
    const report = await reportFor("video-pipeline");
    const transcode = report.workloads!.find((w) => w.name === "video-transcode")!;
    expect(transcode.status.salad).toBe("manual");
    const gaps = report
      .targets!.gaps.filter((g) => g.target === "salad" && g.subjectName === "video-transcode")
      .map((g) => g.feature);
    expect(gaps).toEqual(expect.arrayContaining(["evaluate-on-exit", "timeout"]));
  });
});

describe("orchestration tasks and CDK-built inventory (render-farm)", () => {
  it("links Step Functions, CDK task and Airflow operator to the CDK job definitions and lists them in every format", async () => {
    const report = await reportFor("render-farm");
    const byName = new Map((report.workloads ?? []).map((w) => [w.name, w]));
    expect(byName.get("render-frames")?.callSites.sort()).toEqual([
      "cdk/render-stack.ts:46:5",
      "workflows/render.asl.json:7:7",
    ]);
    expect(byName.get("render-frames")?.computeEnvironment).toBe("render-gpu");
    expect(byName.get("monthly-report")?.callSites).toEqual(["dags/monthly.py:4:10"]);
    expect(byName.get("monthly-report")?.computeEnvironment).toBe("ReportsFargate");
    for (const format of ["markdown", "html", "table", "sarif"] as FormatName[]) {
      const text = FORMATS[format](report);
      expect(text, format).toContain("BatchOperator");
      expect(text, format).toContain("render-frames");
      expect(text, format).toMatch(/unresolved: archive-scene|archive-scene/);
    }
    const markdown = FORMATS.markdown(report);
    // The task naming an undeclared definition stays open; the linked ones and container definitions do not.
    const start = markdown.indexOf("## What a person must still decide");
    const open = markdown.slice(start, markdown.indexOf("<details>", start));
    expect(open).toContain('"archive-scene" matches nothing');
    // A JsonPath parameter is chosen by whatever starts the execution: said so, not "matches nothing".
    expect(open).toContain(`"$.notify.definition" is read from the state machine's execution input at run time`);
    expect(open).not.toContain('"$.notify.queue" matches nothing');
    expect(open).not.toContain("EcsEc2ContainerDefinition");
    expect(open).not.toContain("dags/monthly.py");
  });

  it("lists the rule on failed render jobs with what it watches, its links and what replaces it on each target", async () => {
    const report = await reportFor("render-farm");
    const rule = report.orchestration?.find((entry) => entry.orchestrator === "EventBridge");
    expect(rule).toMatchObject({
      task: "aws_events.Rule",
      path: "cdk/render-stack.ts",
      listensFor: "Batch Job State Change: FAILED",
      jobDefinition: "render-frames",
      queue: "render",
      status: { "common-compute": "manual", salad: "manual" },
    });
    // Only finished states: SaladCloud's job webhook covers them; Common Compute has none, so it is polled.
    expect(rule?.replacement.salad).toContain("`webhook`");
    expect(rule?.replacement["common-compute"]).toContain("poll GET /v1/jobs/{id}");
    expect(report.links.filter((link) => link.from.startsWith("call:cdk/render-stack.ts:54:"))).toMatchObject([
      { relation: "uses-job-definition", resolved: true, via: "render.jobDefinitionArn" },
      { relation: "uses-job-queue", resolved: true, via: "this.queue.jobQueueArn" },
    ]);
    for (const format of ["markdown", "html", "table", "sarif", "json"] as FormatName[])
      expect(FORMATS[format](report), format).toContain("Batch Job State Change");
  });
});

describe("rules on Batch events outside the sample projects", () => {
  async function reportOf(file: string): Promise<Report> {
    const { report } = await runReportCommand({ paths: [file], target: "all", format: "json" }, quietIO());
    return report;
  }

  it("says a rule's queue handed in as a construct parameter is not followed across files", async () => {
    const report = await reportOf("fixtures/scanners/javascript/cdk-eventbridge-rules-on-batch.ts");
    const rules = report.orchestration!.filter((entry) => entry.orchestrator === "EventBridge");
    expect(rules.map((rule) => rule.listensFor)).toEqual([
      "Batch Job State Change: FAILED",
      "any Batch event: RUNNING, SUCCEEDED",
      "Batch Job Queue Blocked",
      "any Batch event",
      "any Batch event: SUCCEEDED, FAILED",
      'any Batch event: events.Match.anythingBut("SUCCEEDED")',
    ]);
    // Not only finished states: SaladCloud's webhook does not cover RUNNING; a queue event has no equivalent.
    expect(rules[1]!.replacement.salad).toContain("poll the queue job's `events` (created, started) for RUNNING");
    expect(rules[2]!.replacement["common-compute"]).toContain('no event like "Batch Job Queue Blocked"');
    expect(rules[0]!.queue).toBe("unresolved: renderQueue.jobQueueArn");
    const open = FORMATS.markdown(report);
    expect(open).toContain(
      '"renderQueue.jobQueueArn" is a CDK construct this file is handed (a prop, a parameter or another stack\'s field)',
    );
  });

  it("reads SAM events on Batch job states as rules that start their function or state machine", async () => {
    const report = await reportOf("fixtures/scanners/cloudformation/sam-state-machine-batch-events.yaml");
    expect(report.orchestration).toMatchObject([
      { listensFor: "Batch Job State Change: FAILED, SUCCEEDED", queue: "unresolved: !Ref RenderQueueArn" },
      { listensFor: "Batch Job Queue Blocked", jobDefinition: "any", queue: null },
    ]);
    expect(report.orchestration![0]!.replacement.salad).toContain("set `webhook` on each queue job");
  });

  it("lists API Gateway methods integrated with the Batch API as manual entry points, by operation", async () => {
    const report = await reportOf("fixtures/scanners/cloudformation/apigateway-batch-integrations.yaml");
    expect(report.orchestration!.map((entry) => [entry.orchestrator, entry.task, entry.status])).toEqual([
      [
        "API Gateway",
        "AWS::ApiGateway::Method → batch:SubmitJob (SubmitRender)",
        { salad: "manual", "common-compute": "manual" },
      ],
      [
        "API Gateway",
        "AWS::ApiGateway::Method → batch:ListJobs (ListRenders)",
        { salad: "manual", "common-compute": "manual" },
      ],
      [
        "API Gateway",
        "AWS::ApiGateway::Method → batch:CancelJob (CancelRender)",
        { salad: "manual", "common-compute": "manual" },
      ],
    ]);
    expect(report.orchestration![0]!.replacement.salad).toContain("Lambda or HTTP integration that calls SaladCloud");
    expect(FORMATS.markdown(report)).toContain("3 API Gateway integrations calling the Batch API");
    // Only the SubmitJob integration runs a job; the others act on jobs by id and name no job definition.
    expect(report.orchestration!.map((entry) => [roleText(entry), entry.jobDefinition.split(":")[0]])).toEqual([
      ["— (submits)", "unresolved"],
      ["— (calls ListJobs)", "—"],
      ["— (calls CancelJob)", "—"],
    ]);
    expect(FORMATS.markdown(report)).toContain("— (calls CancelJob)");
    expect(FORMATS.html(report)).toContain("— (calls ListJobs)");
    expect(FORMATS.sarif(report)).toContain("Calls batch:CancelJob for");
  });

  it("names a project subclass of an Airflow Batch operator with the operator it extends", async () => {
    const report = await reportOf("fixtures/scanners/python/airflow-operator-subclasses");
    expect(report.orchestration!.map((entry) => entry.task)).toEqual([
      "GpuBatchOperator (BatchOperator)",
      "RetryingGpuBatchOperator (BatchOperator)",
      "TracedBatchOperator (AwsBatchOperator)",
    ]);
    expect(report.findings.find((f) => f.kind === "airflow-operator")!.message).toBe(
      "GpuBatchOperator (a subclass of BatchOperator)",
    );
  });
});
