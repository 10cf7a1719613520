// https://docs.aws.amazon.com/batch/latest/APIReference/API_RegisterJobDefinition.html — JSON files recognised by shape
import { FileBudget } from "../../core/budget.js";
import { createFinding } from "../../core/rules.js";
import { defineScanner, type SourceFile } from "../../core/scanner.js";
import type { Finding, InventoryItem, LiteralValue, ResourceKind } from "../../core/types.js";
import {
  createInventoryItem,
  isObject,
  markSupersededRevisions,
  normalizeComputeEnvironment,
  normalizeJobDefinition,
  normalizeJobQueue,
  type LiteralObject,
  type Normalized,
} from "../../inventory/index.js";

/** Keys only Batch documents have: a file that has one of them as a key is parsed. */
export const CANDIDATE_KEYS = [
  "containerProperties",
  "nodeProperties",
  "eksProperties",
  "ecsProperties",
  "computeEnvironmentName",
  "jobQueueName",
  "jobQueue",
  "jobDefinitions",
];
const CANDIDATE = new RegExp(`"(?:${CANDIDATE_KEYS.join("|")})"\\s*:`);
const JOB_PROPERTIES = ["containerProperties", "nodeProperties", "eksProperties", "ecsProperties"];

type Shape =
  | { kind: "job-definition"; spec: LiteralObject }
  | { kind: "job-definition-list"; specs: LiteralObject[] }
  | { kind: "compute-environment"; spec: LiteralObject }
  | { kind: "job-queue"; spec: LiteralObject }
  | { kind: "submit-job"; spec: LiteralObject };

function isJobDefinition(value: LiteralValue | undefined): value is LiteralObject {
  if (!isObject(value)) return false;
  if (!JOB_PROPERTIES.some((key) => isObject(value[key]))) return false;
  const type = value.type;
  return (
    type === undefined || type === "container" || type === "multinode" || typeof value.jobDefinitionName === "string"
  );
}

/** A response recorded by placebo, moto or a similar tool: not a file anyone deploys. */
function isRecordedResponse(document: LiteralObject): boolean {
  if ("status_code" in document && "data" in document) return true;
  return "ResponseMetadata" in document;
}

/** What a JSON document is, told apart by the keys the Batch API gives each input and output. */
export function classify(document: LiteralValue): Shape | undefined {
  if (Array.isArray(document)) {
    const specs = document.filter(isJobDefinition);
    return specs.length > 0 && specs.length === document.length ? { kind: "job-definition-list", specs } : undefined;
  }
  if (!isObject(document) || isRecordedResponse(document)) return undefined;
  if (isJobDefinition(document) && !("jobQueue" in document)) return { kind: "job-definition", spec: document };
  const listed = document.jobDefinitions;
  if (Array.isArray(listed) && listed.length > 0 && listed.every(isJobDefinition))
    return { kind: "job-definition-list", specs: listed as LiteralObject[] };
  if (typeof document.computeEnvironmentName === "string" && ("computeResources" in document || "type" in document))
    return { kind: "compute-environment", spec: document };
  if (typeof document.jobQueueName === "string" && ("computeEnvironmentOrder" in document || "priority" in document))
    return { kind: "job-queue", spec: document };
  if ("jobQueue" in document && "jobDefinition" in document) return { kind: "submit-job", spec: document };
  return undefined;
}

function wholeFile(file: SourceFile) {
  const lines = file.text.split("\n");
  return { line: 1, column: 1, endLine: lines.length, endColumn: (lines.at(-1)?.length ?? 0) + 1 };
}

function parseError(file: SourceFile, error: unknown): Finding {
  const message = error instanceof Error ? error.message : String(error);
  const position = /position (\d+)/.exec(message);
  const offset = position ? Number(position[1]) : file.text.length;
  const line = file.text.slice(0, offset).split("\n").length;
  const truncated = !position || /end of JSON input/i.test(message);
  return createFinding({
    kind: "parse-error",
    path: file.path,
    span: { line, column: 1, endLine: line, endColumn: 2 },
    language: "json",
    message: truncated
      ? `JSON file ends early at line ${line} (truncated?)`
      : `JSON syntax error at line ${line}: ${message}`,
    detail: "The file looks like an AWS Batch document but could not be parsed, so what it defines was not read.",
  });
}

function addItem(
  inventory: InventoryItem[],
  kind: ResourceKind,
  file: SourceFile,
  via: string,
  normalized: Normalized<object>,
  address?: string,
  line = 1,
): void {
  inventory.push(
    createInventoryItem(kind, { path: file.path, line, via, ...(address ? { address } : {}) }, normalized),
  );
}

/** The line of each listed job definition: where its ARN is written, else its n-th `jobDefinitionName` key. */
function listLines(file: SourceFile, specs: readonly LiteralObject[]): number[] {
  const lineAt = (offset: number) => file.text.slice(0, offset).split("\n").length;
  const names = [...file.text.matchAll(/"jobDefinitionName"\s*:/g)].map((m) => m.index);
  return specs.map((spec, index) => {
    const arn = typeof spec.jobDefinitionArn === "string" ? spec.jobDefinitionArn : undefined;
    const at = arn ? file.text.indexOf(JSON.stringify(arn)) : -1;
    if (at >= 0) return lineAt(at);
    const name = names[index];
    return name === undefined ? 1 : lineAt(name);
  });
}

function scanFile(file: SourceFile, findings: Finding[], inventory: InventoryItem[]): void {
  let document: LiteralValue;
  try {
    document = JSON.parse(file.text.replace(/^\uFEFF/, "")) as LiteralValue;
  } catch (error) {
    findings.push(parseError(file, error));
    return;
  }
  const shape = classify(document);
  if (!shape) return;
  const span = wholeFile(file);
  switch (shape.kind) {
    case "job-definition": {
      const normalized = normalizeJobDefinition(shape.spec);
      findings.push(
        createFinding({
          kind: "jobdef-json",
          path: file.path,
          span,
          language: "json",
          resourceType: "job-definition",
          ...(normalized.name ? { name: normalized.name } : {}),
          message: `Job definition JSON${normalized.name ? ` ${normalized.name}` : " (no jobDefinitionName: a template)"}`,
        }),
      );
      addItem(inventory, "job-definition", file, "job-definition-json", normalized);
      return;
    }
    case "job-definition-list": {
      findings.push(
        createFinding({
          kind: "jobdef-json-list",
          path: file.path,
          span,
          language: "json",
          resourceType: "job-definition-list",
          message: `Saved DescribeJobDefinitions output (${shape.specs.length} job definitions)`,
          detail: "A snapshot of deployed job definitions; it tells what runs today but is not where they are defined.",
        }),
      );
      const first = inventory.length;
      const lines = listLines(file, shape.specs);
      shape.specs.forEach((spec, index) => {
        const normalized = normalizeJobDefinition(spec);
        const revision = typeof spec.revision === "number" ? `:${spec.revision}` : "";
        addItem(
          inventory,
          "job-definition",
          file,
          "job-definition-list",
          normalized,
          `${normalized.name ?? `[${index}]`}${revision}`,
          lines[index],
        );
      });
      markSupersededRevisions(inventory.slice(first));
      return;
    }
    case "compute-environment":
    case "job-queue": {
      const normalized =
        shape.kind === "job-queue" ? normalizeJobQueue(shape.spec) : normalizeComputeEnvironment(shape.spec);
      const action = shape.kind === "job-queue" ? "CreateJobQueue" : "CreateComputeEnvironment";
      findings.push(
        createFinding({
          kind: "batch-json-other",
          path: file.path,
          span,
          language: "json",
          resourceType: shape.kind,
          ...(normalized.name ? { name: normalized.name } : {}),
          message: `${action} input JSON${normalized.name ? ` ${normalized.name}` : ""}`,
        }),
      );
      addItem(inventory, shape.kind, file, "batch-json", normalized);
      return;
    }
    case "submit-job": {
      const args: Record<string, LiteralValue> = {};
      for (const key of ["jobName", "jobQueue", "jobDefinition", "arrayProperties", "dependsOn"]) {
        if (shape.spec[key] !== undefined) args[key] = shape.spec[key]!;
      }
      findings.push(
        createFinding({
          kind: "batch-json-other",
          path: file.path,
          span,
          language: "json",
          operation: "SubmitJob",
          resourceType: "submit-job-input",
          args,
          message: "SubmitJob input JSON (aws batch submit-job --cli-input-json)",
          detail: "A job submission kept as a file: whatever submits it must move to the target's job API.",
        }),
      );
    }
  }
}

export default defineScanner({
  id: "job-definition-json",
  description: "Batch job-definition JSON files recognised by shape; CLI inputs and saved describe outputs told apart",
  accepts: (file) => file.endsWith(".json"),
  // Every candidate key ends in one of these (the regex needs the quoted key), so they are a necessary condition.
  // parts of every candidate key, short so that Node searches them fast (see JAVASCRIPT_NEEDLES)
  needles: ["Proper", "jobQ", "jobD", "Enviro"],
  prefilter: (text) => CANDIDATE.test(text),
  async scan({ files }, ctx) {
    const budget = ctx.budget ?? FileBudget.unlimited;
    const findings: Finding[] = [];
    const inventory: InventoryItem[] = [];
    for (const file of files) budget.runSync(file.path, "json", findings, () => scanFile(file, findings, inventory));
    return { findings, inventory };
  },
});
