// `migrate report --merge`: many repositories' reports in one, on three small projects (fixtures/merge): an
// infrastructure repository in Terraform, a Python application submitting to it, a CDK repository with its own
// queue and a Lambda submitting to the Terraform one. The CI recipe's run is test/org-scan-recipe.test.ts.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FORMATS } from "../src/report/formats/index.js";
import { mergeReports } from "../src/report/merge.js";
import type { Report } from "../src/report/model.js";
import { expectLayoutHolds, HAVE_CHROMIUM } from "./support/chromium.js";
import { expectSumOfParts, mergeOf, report } from "./support/merge.js";
import { validateReport, validateSarif } from "./support/schema.js";

const ROOT = path.join(import.meta.dirname, "..");
const PROJECTS = path.join(ROOT, "fixtures/merge");
const REPOSITORIES = ["app-repo", "cdk-repo", "infra-repo"];

describe("report --merge of three projects", () => {
  const work = mkdtempSync(path.join(tmpdir(), "migrate-merge-"));
  let parts: Map<string, Report>;
  let merged: Report;
  let dir: string;
  beforeAll(async () => {
    ({ parts, merged, dir } = await mergeOf(
      REPOSITORIES.map((name) => `fixtures/merge/${name}`),
      work,
      ROOT,
    ));
  }, 60_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("writes a report the schema accepts, whose totals are the sum of its parts", () => {
    const validate = validateReport();
    expect(validate(merged), JSON.stringify(validate.errors)).toBe(true);
    expectSumOfParts(merged, parts);
    for (const finding of merged.findings)
      expect(REPOSITORIES.some((repository) => finding.path.startsWith(`${repository}/`))).toBe(true);
  });

  it("links call sites to the queue and job definition another repository declares, by name", () => {
    const crossing = merged.links.filter((link) => link.from.startsWith("call:") && link.resolved);
    expect(
      crossing.map((link) => `${link.from.split("/")[0]} ${link.relation} ${link.to.split("#")[0]}`).sort(),
    ).toEqual([
      "call:app-repo uses-job-definition job-definition:cdk-repo/lib/thumbnails-stack.ts",
      "call:app-repo uses-job-definition job-definition:infra-repo/terraform/batch.tf",
      "call:app-repo uses-job-queue job-queue:cdk-repo/lib/thumbnails-stack.ts",
      "call:app-repo uses-job-queue job-queue:infra-repo/terraform/batch.tf",
      "call:cdk-repo uses-job-definition job-definition:infra-repo/terraform/batch.tf",
      "call:cdk-repo uses-job-queue job-queue:infra-repo/terraform/batch.tf",
    ]);
    // The Terraform job definition is one workload of the organisation, with the call sites of two repositories.
    const render = merged.workloads!.find((workload) => workload.name === "render-frames")!;
    expect(render.callSites.map((site) => site.split("/")[0])).toEqual(["app-repo", "cdk-repo"]);
    expect(render.queue).toBe("render-queue");
    expect(render.cost).toEqual(parts.get("infra-repo")!.workloads![0]!.cost);
    // The CDK job definition learns its queue from the Python call site naming it; alone, its container's class
    // makes it a Fargate job and its repository's only Fargate queue is inferred for it.
    const thumbnails = merged.workloads!.find((workload) => workload.name === "thumbnails")!;
    expect([thumbnails.queue, thumbnails.computeEnvironment]).toEqual(["thumbs-queue", "thumbs-ce"]);
    expect(parts.get("cdk-repo")!.workloads![0]!.queue).toBe("thumbs-queue");
    expect(merged.plan!.filter((item) => item.workload === "render-frames")).toHaveLength(2);
  });

  it("renders the repositories, their totals and the links across them in every format", () => {
    const markdown = FORMATS.markdown(merged);
    expect(markdown).toContain("| **all 3 repositories** |");
    expect(markdown).toContain(
      "| cdk-repo/lambda/start-render.ts:8 | job queue | render-queue | infra-repo/terraform/batch.tf:14 |",
    );
    expect(markdown).toContain("(infra-repo, submitted from app-repo, cdk-repo; via shim)");
    const html = FORMATS.html(merged);
    expect(html).toMatch(/<table id="repositories"[\s\S]*<tfoot><tr><td>all 3 repositories<\/td>/);
    expect(html).toContain('<table id="cross-links"');
    expect(html.match(/<details class="repository">/g)).toHaveLength(3);
    const table = FORMATS.table(merged);
    expect(table).toMatch(/^ {2}all 3 repositories {2,}4 {2,}5 /m);
    expect(table).toContain(
      "cdk-repo/lambda/start-render.ts:8 uses the job queue render-queue declared at infra-repo/terraform/batch.tf:14",
    );
  });

  it("writes SARIF whose results point into their own repository", () => {
    const sarif = JSON.parse(FORMATS.sarif(merged)) as {
      runs: {
        originalUriBaseIds: Record<string, unknown>;
        results: {
          locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId: string } } }[];
          properties: { repository: string };
        }[];
      }[];
    };
    const validate = validateSarif();
    expect(validate(sarif), JSON.stringify(validate.errors)).toBe(true);
    const run = sarif.runs[0]!;
    expect(Object.keys(run.originalUriBaseIds).sort()).toEqual(REPOSITORIES.map((name) => `REPO_${name}`));
    expect(run.results.length).toBe(merged.findings.length + merged.targets!.gaps.length);
    for (const result of run.results) {
      const { uri, uriBaseId } = result.locations[0]!.physicalLocation.artifactLocation;
      expect(uriBaseId).toBe(`REPO_${result.properties.repository}`);
      expect(() => readFileSync(path.join(PROJECTS, result.properties.repository, uri))).not.toThrow();
    }
  });

  it("takes the reports as files too, with the same result", async () => {
    const files = REPOSITORIES.map((name) => path.join(dir, `${name}.json`));
    const fromFiles = await report({ merge: files }, ROOT);
    expect({ ...fromFiles, root: "" }).toEqual({ ...merged, root: "" });
  });

  it("re-renders a saved merged report as it was", async () => {
    const saved = path.join(work, "org.json");
    writeFileSync(saved, FORMATS.json(merged));
    expect(await report({ from: saved }, ROOT)).toEqual(merged);
  });

  it.skipIf(!HAVE_CHROMIUM)(
    "renders HTML that holds at 1,280 px and 390 px with no console errors",
    async () => {
      const file = path.join(work, "org.html");
      writeFileSync(file, FORMATS.html(merged));
      for (const layout of await expectLayoutHolds(file)) expect(layout.headline).toContain("3 repositories");
    },
    60_000,
  );
});

/** Two Terraform repositories, each with its own queue, compute environment and job definition, and no call site. */
function twoInfrastructureRepositories(folder: string): string[] {
  return ["east", "west"].map((name) => {
    const project = path.join(folder, name);
    mkdirSync(project);
    writeFileSync(
      path.join(project, "batch.tf"),
      `resource "aws_batch_compute_environment" "ce" {
  compute_environment_name = "${name}-ce"
  type = "MANAGED"
  compute_resources {
    type = "EC2"
    max_vcpus = 16
    instance_type = ["${name === "east" ? "c6i.xlarge" : "m6i.2xlarge"}"]
  }
}
resource "aws_batch_job_queue" "q" {
  name = "${name}-queue"
  priority = 1
  compute_environment_order {
    order = 1
    compute_environment = aws_batch_compute_environment.ce.arn
  }
}
resource "aws_batch_job_definition" "job" {
  name = "${name}-job"
  type = "container"
  container_properties = jsonencode({
    image = "example.org/${name}:1"
    resourceRequirements = [{ type = "VCPU", value = "2" }, { type = "MEMORY", value = "4096" }]
  })
}
`,
    );
    return project;
  });
}

describe("report --merge infers nothing across repositories", () => {
  const work = mkdtempSync(path.join(tmpdir(), "migrate-merge-scope-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("runs each job definition on its own repository's only queue, not on either of two", async () => {
    const { parts, merged } = await mergeOf(twoInfrastructureRepositories(work), path.join(work, "out"), ROOT);
    expect(merged.workloads!.map((w) => [w.name, w.queue, w.computeEnvironment])).toEqual([
      ["east-job", "east-queue", "east-ce"],
      ["west-job", "west-queue", "west-ce"],
    ]);
    expectSumOfParts(merged, parts);
  });
});

describe("mergeReports", () => {
  const merged = (): Report => JSON.parse(readFileSync(path.join(PROJECTS, "org.report.json"), "utf8")) as Report;

  it("never links a variable's name to a resource that happens to carry it", () => {
    const org = merged();
    const infra = org.inventory.jobQueues[0]!;
    const queueRepo = {
      ...org,
      findings: [],
      links: [],
      inventory: { ...org.inventory, jobQueues: [{ ...infra, id: "job-queue:q.tf#q", name: "queue" }] },
    };
    const caller = {
      ...org,
      inventory: { jobDefinitions: [], jobQueues: [], computeEnvironments: [], schedulingPolicies: [] },
      findings: [
        {
          ...org.findings.find((f) => f.args?.jobQueue)!,
          path: "run.py",
          line: 3,
          column: 1,
          args: { jobQueue: { $expr: "queue" } },
        },
      ],
      links: [
        {
          from: "call:run.py:3:1",
          to: "unresolved:job-queue",
          relation: "uses-job-queue" as const,
          via: "queue",
          resolved: false,
        },
      ],
    };
    const result = mergeReports(
      [
        { name: "infra", report: queueRepo },
        { name: "app", report: caller },
      ],
      { toolVersion: "0", root: "org" },
    );
    expect(result.links).toEqual([
      {
        from: "call:app/run.py:3:1",
        to: "unresolved:job-queue",
        relation: "uses-job-queue",
        via: "queue",
        resolved: false,
      },
    ]);
    // The same name written as a literal is linked.
    caller.findings[0]!.args = { jobQueue: "queue" } as never;
    const literal = mergeReports(
      [
        { name: "infra", report: queueRepo },
        { name: "app", report: caller },
      ],
      { toolVersion: "0", root: "org" },
    );
    expect(literal.links[0]).toMatchObject({ to: "job-queue:infra/q.tf#q", resolved: true });
  });
});

describe("a merged report of hostile repository names", () => {
  it("keeps the names inert in markdown, html and the table, in the sections and folds a merge adds", async () => {
    const hostile = "evil\u001b[31m|<img src=x onerror=alert(1)>*\u202e";
    const org = JSON.parse(readFileSync(path.join(PROJECTS, "org.report.json"), "utf8")) as Report;
    const { analyzeReport } = await import("../src/report/analysis.js");
    const { loadPriceBook } = await import("../src/cost/prices.js");
    const { withRepositoryFigures } = await import("../src/report/merge.js");
    const scan = mergeReports(
      [
        { name: hostile, report: { ...org, repositories: undefined } as unknown as Report },
        { name: "plain", report: { ...org, repositories: undefined } as unknown as Report },
      ],
      { toolVersion: "0", root: hostile },
    );
    const report = withRepositoryFigures(
      analyzeReport(scan as Report, { targets: ["salad"], prices: loadPriceBook(), now: new Date("2026-01-01") }),
    );
    for (const format of ["markdown", "html", "table"] as const) {
      const text = FORMATS[format](report);
      expect(text, format).toContain("alert(1)");
      expect(text, format).not.toContain("\u001b");
      expect(text, format).not.toContain("\u202e");
      // Markup matters where it is read as markup; a terminal shows it as text.
      if (format !== "table") expect(text, format).not.toMatch(/(^|[^\\])<img/);
    }
    // Inside an HTML block (a fold's <summary>) markdown's backslash escapes are not read: only entities hold.
    const summaries = FORMATS.markdown(report)
      .split("\n")
      .filter((line) => line.startsWith("<summary>"));
    expect(summaries.some((line) => line.includes("&lt;img"))).toBe(true);
    for (const line of summaries) expect(line).not.toContain("<img");
  });
});
