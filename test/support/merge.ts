// Merging reports in the tests: each project's own report, the merge of them, and the checks that the merged
// report is the sum of its parts.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect } from "vitest";
import type { CommandIO } from "../../src/commands/io.js";
import { runReportCommand, type ReportArgs } from "../../src/commands/report.js";
import { FORMATS } from "../../src/report/formats/index.js";
import type { Report } from "../../src/report/model.js";
import { sumRepositoryCosts } from "../../src/report/organisation.js";

function quietIO(cwd: string): CommandIO {
  const sink = { write: () => true, isTTY: false } as unknown as CommandIO["stdout"];
  return { stdout: sink, stderr: sink, cwd, env: { SOURCE_DATE_EPOCH: "0" } };
}

export async function report(args: Partial<ReportArgs>, cwd: string): Promise<Report> {
  return (await runReportCommand({ paths: [], target: "all", format: "json", ...args }, quietIO(cwd))).report;
}

/** Each project's own report, written where the merge reads it, and the merge of them. */
export async function mergeOf(
  projects: readonly string[],
  folder: string,
  cwd: string,
): Promise<{ parts: Map<string, Report>; merged: Report; dir: string }> {
  const dir = path.join(folder, "reports");
  mkdirSync(dir, { recursive: true });
  const parts = new Map<string, Report>();
  for (const project of projects) {
    const part = await report({ paths: [project] }, cwd);
    parts.set(path.basename(project), part);
    writeFileSync(path.join(dir, `${path.basename(project)}.json`), FORMATS.json(part));
  }
  return { parts, merged: await report({ mergeDir: dir }, cwd), dir };
}

/** Totals of a report, per platform, in its headline scenario: null when nothing is priced. */
function grandTotals(of: Report): Record<string, number | null> {
  const scenario = of.repositories?.[0]?.figures?.cost.scenario ?? "per-run";
  return Object.fromEntries(
    (of.cost?.totals ?? [])
      .filter((total) => total.workload === undefined && total.scenario === scenario)
      .map((total) => [total.platform, total.cost]),
  );
}

/**
 * The merged report is the sum of its parts: its counts, and the repositories' shares of cost and effort add up to
 * its totals. A repository whose job definitions no other repository submits has the share its report alone has
 * (nothing is inferred across repositories); one submitted to from elsewhere may learn its queue from that call.
 */
export function expectSumOfParts(merged: Report, parts: ReadonlyMap<string, Report>): void {
  const all = [...parts.values()];
  const sum = (pick: (part: Report) => number) => all.reduce((total, part) => total + pick(part), 0);
  expect(merged.findings).toHaveLength(sum((part) => part.findings.length));
  expect(merged.links).toHaveLength(sum((part) => part.links.length));
  for (const key of ["filesSeen", "filesRead", "filesParsed", "parseErrors"] as const)
    expect(merged.coverage[key], key).toBe(sum((part) => part.coverage[key]));
  expect(merged.coverage.skipped).toHaveLength(sum((part) => part.coverage.skipped.length));
  for (const key of ["jobDefinitions", "jobQueues", "computeEnvironments", "schedulingPolicies"] as const)
    expect(merged.inventory[key], key).toHaveLength(sum((part) => part.inventory[key].length));
  expect(merged.workloads).toHaveLength(sum((part) => part.workloads?.length ?? 0));
  expect(merged.repositories?.map((section) => section.name).sort()).toEqual([...parts.keys()].sort());
  for (const section of merged.repositories ?? []) {
    const part = parts.get(section.name)!;
    const figures = section.figures!;
    expect(figures.workloads, section.name).toBe(part.workloads?.length ?? 0);
    for (const target of part.targets!.selected)
      expect(figures.effort[target], `${section.name} effort on ${target}`).toBe(
        part.targets!.readiness.filter((entry) => entry.target === target).reduce((total, e) => total + e.effort, 0),
      );
    const submittedFromElsewhere = (merged.workloads ?? []).some(
      (workload) =>
        workload.id.includes(`:${section.name}/`) &&
        workload.callSites.some((site) => !site.startsWith(`${section.name}/`)),
    );
    if (submittedFromElsewhere) continue;
    const own = grandTotals(part);
    for (const cost of figures.cost.platforms) {
      const expected = own[cost.platform] ?? null;
      if (expected === null) expect(cost.cost, `${section.name} on ${cost.platform}`).toBeNull();
      else expect(cost.cost, `${section.name} on ${cost.platform}`).toBeCloseTo(expected, 9);
    }
  }
  const totals = grandTotals(merged);
  for (const platform of ["aws", ...merged.targets!.selected] as const) {
    const summed = sumRepositoryCosts(merged, platform);
    if (totals[platform] === null || totals[platform] === undefined) expect(summed.cost, platform).toBeNull();
    else expect(summed.cost, platform).toBeCloseTo(totals[platform]!, 9);
    expect(summed.priced + summed.unpriced, platform).toBe(merged.workloads!.length);
  }
}
