// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/AWS_Batch.html — YAML/JSON via `yaml` (CST positions)
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Scalar } from "yaml";
import { FileBudget } from "../../core/budget.js";
import { createFinding } from "../../core/rules.js";
import type { EmbeddedCode, SourceFile } from "../../core/scanner.js";
import type { Finding, InventoryItem, Language, LiteralValue } from "../../core/types.js";
import {
  CLOUDFORMATION_BATCH_TYPES,
  createInventoryItem,
  normalizeCloudFormationResource,
} from "../../inventory/index.js";
import { uriBatchIntegration } from "../../core/apigw-integration.js";
import { batchEventMessage, batchEventPattern } from "../event-pattern.js";
import { parameterDefaults, substituteParameters } from "./parameters.js";
import { stepFunctionTasks, type TaskSource } from "./step-functions.js";
import { mapGet, pairKey, rangeOf, toLiteral } from "./yaml-tree.js";
import { embedsBatchPython } from "./inline-code.js";

function languageOf(file: SourceFile): Language {
  return /\.json$/i.test(file.path) ? "json" : "cloudformation";
}

/** The `Resources` maps of a template, a SAM template or a Serverless Framework file (`resources.Resources`). */
function resourceMaps(document: Document.Parsed): unknown[] {
  const root = document.contents;
  const maps: unknown[] = [];
  const direct = mapGet(root, "Resources");
  if (isMap(direct)) maps.push(direct);
  const serverless = mapGet(root, "resources");
  for (const section of isSeq(serverless) ? serverless.items : [serverless]) {
    const nested = mapGet(section, "Resources");
    if (isMap(nested)) maps.push(nested);
  }
  return maps;
}

function parseErrorFinding(file: SourceFile, document: Document.Parsed): Finding {
  const error = document.errors[0]!;
  const line = error.linePos?.[0]?.line ?? 1;
  const column = error.linePos?.[0]?.col ?? 1;
  const json = languageOf(file) === "json";
  const summary = error.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
  return createFinding({
    kind: "parse-error",
    path: file.path,
    span: { line, column, endLine: line, endColumn: column + 1 },
    language: languageOf(file),
    message: `${json ? "JSON" : "YAML"} template could not be parsed at line ${line}: ${summary}`,
    detail: json
      ? "The file ends early or has a syntax error (a truncated download or a bad merge?); its Batch resources were not read."
      : "The template has a syntax error; its Batch resources were not read.",
  });
}

/**
 * Python Lambda code written inline in the template (`Code: ZipFile: |` of `AWS::Lambda::Function`, SAM's
 * `InlineCode: |`) that makes a Batch client: handed to the Python scanner, its lines those of the template.
 * Only block scalars keep the code's lines as the template's; a JSON string or an `Fn::Join` of lines does not.
 */
function inlineLambdaCode(
  file: SourceFile,
  resource: unknown,
  type: string,
  lines: LineCounter,
): EmbeddedCode | undefined {
  const properties = mapGet(resource, "Properties");
  const node = (
    type === "AWS::Lambda::Function" ? mapGet(mapGet(properties, "Code"), "ZipFile") : mapGet(properties, "InlineCode")
  ) as Scalar | undefined;
  if (!isScalar(node) || typeof node.value !== "string") return undefined;
  if (node.type !== "BLOCK_LITERAL" && node.type !== "BLOCK_FOLDED") return undefined;
  const runtime = toLiteral(mapGet(properties, "Runtime"));
  if (typeof runtime === "string" && !/^python/i.test(runtime)) return undefined;
  if (!embedsBatchPython(node.value)) return undefined;
  // The content starts on the line after the `|` indicator, indented like its first non-empty line.
  const header = lines.linePos(node.range![0]).line;
  const first =
    file.text
      .split("\n", header + 1 + 200)
      .slice(header)
      .find((line) => line.trim() !== "") ?? "";
  return {
    language: "python",
    text: node.value,
    host: file,
    lineOffset: header,
    columnOffset: first.length - first.trimStart().length,
  };
}

/** SAM resources whose `Events` may hold EventBridge rules (`EventBridgeRule`, or its old name `CloudWatchEvent`). */
const SAM_EVENT_SOURCES = new Set(["AWS::Serverless::Function", "AWS::Serverless::StateMachine"]);
const SAM_RULE_EVENT_TYPES = new Set(["EventBridgeRule", "CloudWatchEvent"]);

/** The first scalar under `node` whose value is `value`, depth first. */
function scalarNamed(node: unknown, value: string): unknown {
  if (isScalar(node)) return node.value === value ? node : undefined;
  const children = isMap(node)
    ? node.items.flatMap((pair) => (isPair(pair) ? [pair.value] : []))
    : isSeq(node)
      ? node.items
      : [];
  for (const child of children) {
    const found = scalarNamed(child, value);
    if (found) return found;
  }
  return undefined;
}

/**
 * A SAM function's or state machine's `Events` entries of type `EventBridgeRule`/`CloudWatchEvent` whose `Pattern`
 * names `aws.batch`: SAM makes an EventBridge rule of each, which starts the resource on Batch events.
 */
function samBatchEventRules(
  file: SourceFile,
  lines: LineCounter,
  logicalId: string,
  type: string,
  properties: unknown,
): Finding[] {
  const events = mapGet(properties, "Events");
  if (!isMap(events)) return [];
  const findings: Finding[] = [];
  for (const event of events.items) {
    if (!isPair(event)) continue;
    const eventType = toLiteral(mapGet(event.value, "Type"));
    if (typeof eventType !== "string" || !SAM_RULE_EVENT_TYPES.has(eventType)) continue;
    const patternNode = mapGet(mapGet(event.value, "Properties"), "Pattern");
    const pattern = batchEventPattern(toLiteral(patternNode));
    if (!pattern) continue;
    const named = scalarNamed(patternNode, "aws.batch") ?? event.key;
    findings.push(
      createFinding({
        kind: "eventbridge-rule",
        path: file.path,
        span: rangeOf(lines, named),
        language: languageOf(file),
        resourceType: `${type} ${eventType} event`,
        name: `${logicalId}.${pairKey(event) ?? "?"}`,
        args: { ...pattern, triggers: logicalId },
        message: batchEventMessage(pattern),
      }),
    );
  }
  return findings;
}

function scanResources(
  file: SourceFile,
  document: Document.Parsed,
  lines: LineCounter,
  findings: Finding[],
  inventory: InventoryItem[],
  embedded: EmbeddedCode[],
): void {
  const via = /(^|\/)serverless\.ya?ml$/.test(file.path) ? "serverless" : "cloudformation";
  const defaults = parameterDefaults(document);
  for (const resources of resourceMaps(document)) {
    if (!isMap(resources)) continue;
    for (const pair of resources.items) {
      if (!isPair(pair)) continue;
      const logicalId = pairKey(pair);
      const typeNode = mapGet(pair.value, "Type");
      const type = isScalar(typeNode) ? String(typeNode.value) : undefined;
      if (logicalId && type === "AWS::Events::Rule") {
        const pattern = batchEventPattern(toLiteral(mapGet(mapGet(pair.value, "Properties"), "EventPattern")));
        if (pattern)
          findings.push(
            createFinding({
              kind: "eventbridge-rule",
              path: file.path,
              span: rangeOf(lines, pair.key, pair.value),
              language: languageOf(file),
              resourceType: type,
              name: logicalId,
              args: pattern,
              message: batchEventMessage(pattern),
            }),
          );
        continue;
      }
      if (logicalId && type === "AWS::ApiGateway::Method") {
        const uriNode = mapGet(mapGet(mapGet(pair.value, "Properties"), "Integration"), "Uri");
        const integration = uriNode ? uriBatchIntegration(toLiteral(uriNode)) : undefined;
        if (integration)
          findings.push(
            createFinding({
              kind: "apigw-batch-integration",
              path: file.path,
              span: rangeOf(lines, uriNode),
              language: languageOf(file),
              resourceType: type,
              name: logicalId,
              ...integration,
            }),
          );
        continue;
      }
      if (logicalId && type && (type === "AWS::Lambda::Function" || SAM_EVENT_SOURCES.has(type))) {
        if (type === "AWS::Lambda::Function" || type === "AWS::Serverless::Function") {
          const code = inlineLambdaCode(file, pair.value, type, lines);
          if (code) embedded.push(code);
        }
        if (SAM_EVENT_SOURCES.has(type))
          findings.push(...samBatchEventRules(file, lines, logicalId, type, mapGet(pair.value, "Properties")));
        continue;
      }
      if (!logicalId || !type || !(type in CLOUDFORMATION_BATCH_TYPES)) continue;
      const properties = substituteParameters(toLiteral(mapGet(pair.value, "Properties")), defaults);
      const condition = toLiteral(mapGet(pair.value, "Condition"));
      const normalized = normalizeCloudFormationResource(type, properties ?? undefined);
      const batchName = normalized?.normalized.name;
      const range = rangeOf(lines, pair.key, pair.value);
      findings.push(
        createFinding({
          kind: "cfn-resource",
          path: file.path,
          span: range,
          language: languageOf(file),
          resourceType: type,
          name: logicalId,
          args: { ...(batchName ? { name: batchName } : {}), ...(typeof condition === "string" ? { condition } : {}) },
        }),
      );
      if (normalized) {
        const source = { path: file.path, line: range.line, via, address: logicalId };
        inventory.push(createInventoryItem(normalized.kind, source, normalized.normalized));
      }
    }
  }
}

function scanFile(
  file: SourceFile,
  findings: Finding[],
  inventory: InventoryItem[],
  embedded: EmbeddedCode[],
  budget: FileBudget,
): void {
  const lines = new LineCounter();
  const documents = parseAllDocuments(file.text, {
    lineCounter: lines,
    strict: false,
    uniqueKeys: false,
    prettyErrors: true,
  });
  const list = Array.isArray(documents) ? documents : [];
  for (const document of list) {
    if (document.errors.length > 0) {
      findings.push(parseErrorFinding(file, document));
      return;
    }
  }
  const taskSource: TaskSource = { text: file.text, lines, budget };
  for (const document of list) {
    scanResources(file, document, lines, findings, inventory, embedded);
    for (const task of stepFunctionTasks(taskSource, document)) {
      findings.push(
        createFinding({
          kind: "sfn-task",
          path: file.path,
          span: task.span,
          language: languageOf(file),
          resourceType: task.resource,
          args: task.args as Record<string, LiteralValue>,
          ...(task.dynamic ? { dynamic: true } : {}),
          message: `Step Functions task submits an AWS Batch job (${task.resource})`,
          detail:
            "The state machine calls Batch directly; the targets have no Step Functions integration, so the task must call the target's API (a Lambda or an HTTP task) instead.",
        }),
      );
    }
  }
}

/** Scans the candidate templates; loaded on first use so that trees without templates never load the YAML parser. */
export function scanTemplates(
  files: SourceFile[],
  budget = FileBudget.unlimited,
): { findings: Finding[]; inventory: InventoryItem[]; embedded: EmbeddedCode[] } {
  const findings: Finding[] = [];
  const inventory: InventoryItem[] = [];
  const embedded: EmbeddedCode[] = [];
  for (const file of files)
    budget.runSync(file.path, languageOf(file), findings, () => scanFile(file, findings, inventory, embedded, budget));
  return { findings, inventory, embedded };
}
