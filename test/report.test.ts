import path from "node:path";
import { describe, expect, it } from "vitest";
import { schemaValidator } from "./support/schema.js";
import { runReportCommand } from "../src/commands/report.js";
import { FORMATS, type FormatName } from "../src/report/formats/index.js";
import type { Report } from "../src/report/model.js";
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
      "cdk/render-stack.ts:45:5",
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
    expect(open).not.toContain("EcsEc2ContainerDefinition");
    expect(open).not.toContain("dags/monthly.py");
  });
});
