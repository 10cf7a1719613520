// `migrate report --merge`: many repositories' reports in one, run the way docs/org-scan.md's CI recipe runs it.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Ajv } from "ajv";
import { beforeAll, describe, expect, it } from "vitest";
import { mergeReports } from "../src/report/merge.js";
import type { Report } from "../src/report/model.js";

const ROOT = path.join(import.meta.dirname, "..");
const BIN = path.join(ROOT, "bin/migrate.cjs");
const PROJECTS = path.join(ROOT, "fixtures/merge");
const REPOSITORIES = ["infra-repo", "app-repo", "api-repo"];
const FORMATS = ["markdown", "html", "sarif", "table"] as const;

function migrate(args: string[], cwd: string): string {
  const run = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, SOURCE_DATE_EPOCH: "0", NO_COLOR: "1" },
  });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout;
}

function validator() {
  const schema = JSON.parse(readFileSync(path.join(ROOT, "schema/report.schema.json"), "utf8")) as object;
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addFormat("date-time", (value: string) => !Number.isNaN(Date.parse(value)));
  return ajv.compile(schema);
}

/** The CI recipe's steps, one after another: a scan per repository (the matrix), then the merge job. */
function runRecipe(): { parts: Report[]; merged: Report; work: string } {
  const work = mkdtempSync(path.join(tmpdir(), "migrate-org-"));
  mkdirSync(path.join(work, "reports"));
  for (const repository of REPOSITORIES)
    migrate(["scan", path.join(PROJECTS, repository), "--format", "json", "-o", `reports/${repository}.json`], work);
  const parts = REPOSITORIES.map(
    (repository) => JSON.parse(readFileSync(path.join(work, "reports", `${repository}.json`), "utf8")) as Report,
  );
  migrate(["report", "--merge-dir", "reports", "--format", "json", "-o", "org.json"], work);
  return { parts, merged: JSON.parse(readFileSync(path.join(work, "org.json"), "utf8")) as Report, work };
}

describe("report --merge", () => {
  let parts: Report[];
  let merged: Report;
  let work: string;
  beforeAll(() => {
    ({ parts, merged, work } = runRecipe());
  }, 60_000);

  it("writes a report the schema accepts", () => {
    const validate = validator();
    expect(validate(merged), JSON.stringify(validate.errors)).toBe(true);
  });

  it("has one section per repository and totals that are the sum of the parts", () => {
    expect(merged.repositories?.map((section) => section.name).sort()).toEqual([...REPOSITORIES].sort());
    const sum = (pick: (report: Report) => number) => parts.reduce((total, report) => total + pick(report), 0);
    expect(merged.findings).toHaveLength(sum((report) => report.findings.length));
    expect(merged.coverage.filesSeen).toBe(sum((report) => report.coverage.filesSeen));
    expect(merged.coverage.filesRead).toBe(sum((report) => report.coverage.filesRead));
    expect(merged.coverage.filesParsed).toBe(sum((report) => report.coverage.filesParsed));
    expect(merged.inventory.jobDefinitions).toHaveLength(sum((report) => report.inventory.jobDefinitions.length));
    expect(merged.links).toHaveLength(sum((report) => report.links.length));
    for (const finding of merged.findings)
      expect(REPOSITORIES.some((repository) => finding.path.startsWith(`${repository}/`))).toBe(true);
  });

  it("links call sites to the queue and job definition another repository declares, by name", () => {
    const crossing = merged.links.filter((link) => link.from.startsWith("call:") && link.resolved);
    expect(
      crossing.map((link) => `${link.from.split("/")[0]} ${link.relation} ${link.to.split("#")[0]}`).sort(),
    ).toEqual([
      "call:api-repo uses-job-definition job-definition:infra-repo/terraform/batch.tf",
      "call:api-repo uses-job-queue job-queue:infra-repo/terraform/batch.tf",
      "call:app-repo uses-job-definition job-definition:infra-repo/terraform/batch.tf",
      "call:app-repo uses-job-queue job-queue:infra-repo/terraform/batch.tf",
    ]);
    // The one job definition is a workload of the whole organisation, with the call sites of both repositories.
    expect(merged.workloads?.[0]?.callSites).toHaveLength(2);
    expect(merged.plan?.length).toBeGreaterThan(0);
  });

  it("renders like its golden files, in every format", async () => {
    // Each part's root is where this checkout is: the golden holds it relative to the checkout.
    const portable = JSON.stringify(merged, null, 2).replaceAll(`${ROOT}${path.sep}`, "");
    await expect(portable + "\n").toMatchFileSnapshot("../fixtures/merge/org.report.json");
    for (const format of FORMATS) {
      const rendered = migrate(["report", "--merge-dir", "reports", "--format", format], work);
      if (format === "markdown") await expect(rendered).toMatchFileSnapshot("../fixtures/merge/org.report.md");
      expect(rendered).toContain("infra-repo/terraform/batch.tf");
    }
  });

  it("takes the reports as files too, with the same result", () => {
    // --merge-dir takes the folder's files in name order.
    const files = [...REPOSITORIES].sort().map((repository) => `reports/${repository}.json`);
    const fromFiles = JSON.parse(migrate(["report", "--merge", ...files, "--format", "json"], work)) as Report;
    expect({ ...fromFiles, root: "" }).toEqual({ ...merged, root: "" });
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
