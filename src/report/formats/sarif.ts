// https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
import type { Category } from "../../core/types.js";
import { orchestrationTasks, readinessText, roleVerb } from "../orchestration.js";
import type { Report } from "../model.js";
import type { TargetId } from "../../platforms/types.js";
import { splitRepository } from "../organisation.js";

const LEVEL: Record<Category, "error" | "warning" | "note"> = {
  mandatory: "error",
  optional: "warning",
  potential: "note",
};

/**
 * The level of a result from its category; a mandatory change that a transform makes is a warning, not an error:
 * `migrate apply` fixes it, so it does not block the migration the way a manual change does.
 */
function levelOf(category: Category, transforms: readonly string[]): "error" | "warning" | "note" {
  return category === "mandatory" && transforms.length > 0 ? "warning" : LEVEL[category];
}

interface RuleDraft {
  id: string;
  title: string;
  detail: string;
  category: Category;
  fix: string;
  transforms: string[];
}

/** A merged report's repositories each have a base: a result's uri is relative to its own repository's root. */
function repositoryBase(name: string): string {
  return `REPO_${name}`;
}

function artifactLocation(report: Report, path: string): { uri: string; uriBaseId: string } {
  const split = splitRepository(report, path);
  return split ? { uri: split.rest, uriBaseId: repositoryBase(split.repository) } : { uri: path, uriBaseId: "SRCROOT" };
}

function repositoryProperty(report: Report, path: string): { repository?: string } {
  const split = splitRepository(report, path);
  return split ? { repository: split.repository } : {};
}

function uriBases(report: Report): Record<string, { description: { text: string } }> {
  if (!report.repositories) return { SRCROOT: { description: { text: `The scan root (${report.root})` } } };
  return Object.fromEntries(
    report.repositories.map((section) => [
      repositoryBase(section.name),
      { description: { text: `The root of the repository ${section.name} (scanned as ${section.root})` } },
    ]),
  );
}

/** SARIF 2.1.0: one rule per rule id, the level from the category, the fixing transform named on rule and result. */
export default function renderSarif(report: Report): string {
  const rules = new Map<string, RuleDraft>();
  const results: object[] = [];
  const region = (line: number, column?: number, endLine?: number, endColumn?: number) => ({
    startLine: line,
    ...(column ? { startColumn: column } : {}),
    ...(endLine ? { endLine } : {}),
    ...(endColumn ? { endColumn } : {}),
  });
  // An orchestration task's result says what it runs and how ready that is.
  const tasks = new Map(orchestrationTasks(report).map((task) => [`${task.path}:${task.line}`, task]));
  for (const finding of report.findings) {
    const task = tasks.get(`${finding.path}:${finding.line}`);
    const taskText = task
      ? ` ${roleVerb(task)} ${task.jobDefinition}${task.queue ? ` on ${task.queue}` : ""}${(
          Object.keys(task.status) as TargetId[]
        )
          .map(
            (target) =>
              `; ${target}: ${readinessText(task, target)}, in its place: ${(task.replacement[target] ?? "").replace(/^manual: /, "")}`,
          )
          .join("")}.`
      : "";
    if (!rules.has(finding.ruleId)) {
      rules.set(finding.ruleId, {
        id: finding.ruleId,
        title: finding.message,
        detail: finding.detail,
        category: finding.category,
        fix: finding.fix,
        transforms: finding.transforms,
      });
    }
    results.push({
      ruleId: finding.ruleId,
      level: levelOf(finding.category, finding.transforms),
      message: {
        text: `${finding.message}.${taskText} ${finding.detail} Fix: ${finding.transforms.length ? `run the ${finding.transforms.join(" or ")} transform` : finding.fix}.`,
      },
      locations: [
        {
          physicalLocation: {
            artifactLocation: artifactLocation(report, finding.path),
            region: region(finding.line, finding.column, finding.endLine, finding.endColumn),
          },
        },
      ],
      properties: {
        category: finding.category,
        effort: finding.effort,
        fix: finding.fix,
        transforms: finding.transforms,
        ...(finding.dynamic ? { dynamic: true } : {}),
        ...repositoryProperty(report, finding.path),
      },
    });
  }
  for (const gap of report.targets?.gaps ?? []) {
    if (!rules.has(gap.ruleId))
      rules.set(gap.ruleId, {
        id: gap.ruleId,
        title: `${gap.feature} on ${gap.target}`,
        detail: gap.why,
        category: gap.category,
        fix: gap.fix,
        transforms: [],
      });
    results.push({
      ruleId: gap.ruleId,
      level: LEVEL[gap.category],
      message: {
        text: `${gap.subjectName}: ${gap.what} (${gap.status} on ${gap.target}). ${gap.why} Fix: ${gap.fix}.`,
      },
      locations: [
        { physicalLocation: { artifactLocation: artifactLocation(report, gap.path), region: region(gap.line) } },
      ],
      properties: {
        category: gap.category,
        effort: gap.effort,
        target: gap.target,
        readiness: gap.status,
        fix: gap.fix,
        ...repositoryProperty(report, gap.path),
      },
    });
  }
  const ruleList = [...rules.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const index = new Map(ruleList.map((rule, i) => [rule.id, i]));
  for (const result of results as { ruleId: string; ruleIndex?: number }[])
    result.ruleIndex = index.get(result.ruleId)!;
  const sarif = {
    $schema: "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            informationUri: "https://github.com/batch-migrate/batch-migrate",
            rules: ruleList.map((rule) => ({
              id: rule.id,
              name: rule.id.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : "")),
              shortDescription: { text: rule.title },
              fullDescription: { text: rule.detail },
              help: {
                text: rule.transforms.length
                  ? `Fixed by the ${rule.transforms.join(" or ")} transform (\`migrate apply\`).`
                  : `Fix: ${rule.fix}`,
              },
              defaultConfiguration: { level: levelOf(rule.category, rule.transforms) },
              properties: { category: rule.category, transforms: rule.transforms },
            })),
          },
        },
        originalUriBaseIds: uriBases(report),
        results,
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
