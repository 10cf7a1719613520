// https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/batch_job_definition — HCL via @cdktf/hcl2json
import { readFile } from "node:fs/promises";
import path from "node:path";
import { createFinding } from "../../core/rules.js";
import { defineScanner } from "../../core/scanner.js";
import type { Finding, InventoryItem, LiteralValue } from "../../core/types.js";
import {
  createInventoryItem,
  isObject,
  expandDynamicBlocks,
  instanceAttributes,
  normalizeTerraformResource,
  terraformExpansion,
  type UnexpandedDynamicBlock,
  TERRAFORM_BATCH_TYPES,
  type LiteralObject,
} from "../../inventory/index.js";
import { FileBudget } from "../../core/budget.js";
import { findBlocks, readStringAttribute, type BlockHeader } from "./blocks.js";
import { stopHclParser } from "./hcl-parser.js";
import { directoryOf, lineOf, loadFile, parseHcl, type ParsedConfig, type TerraformFile } from "./load.js";
import { callArgument, readHclLiteral } from "./hcl-literal.js";
import { batchEventMessage, batchEventPattern } from "../event-pattern.js";
import { declarationsFromModuleInputs, isRegistryBatchModule, localModuleDir } from "./modules.js";
import { collectModuleValues, substituteModuleValues, type ModuleValues } from "./variables.js";
import {
  collectTemplateSources,
  renderTemplate,
  templatefileVars,
  templateVars,
  type TemplateSource,
} from "./templates.js";

/** What a module folder defines that its resources refer to: literal variables and locals, template_file sources. */
interface ModuleFacts {
  values?: ModuleValues;
  templates?: Map<string, TemplateSource>;
}

const CANDIDATE =
  /aws_batch_(?:compute_environment|job_queue|job_definition|scheduling_policy)\b|terraform-aws-modules\/(?:batch\/aws|terraform-aws-batch)|\baws\.batch["'\s\],\\]/;
const MODULE_CALL = /^[ \t]*module[ \t]+"/m;
/** Files that declare input variables, locals or template_file sources: read for what Batch resources refer to. */
const MODULE_VALUES = /^[ \t]*(?:variable[ \t]+"|locals[ \t]*\{|data[ \t]+"template_file")/m;
const JSON_DOCUMENT_ATTRIBUTES = ["container_properties", "node_properties", "ecs_properties"];

function blockAttributes(
  config: ParsedConfig | undefined,
  section: string,
  type: string,
  name: string,
): LiteralObject | undefined {
  const value = config?.[section]?.[type]?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return isObject(first) ? first : undefined;
}

function moduleAttributes(config: ParsedConfig | undefined, name: string): LiteralObject | undefined {
  const value = (config?.module as Record<string, LiteralObject[] | LiteralObject> | undefined)?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return isObject(first) ? first : undefined;
}

/** Reads `jsonencode({…})`, `file(…)`, `templatefile(…)` and `data.template_file` values of JSON-document attributes. */
async function resolveDocuments(
  attributes: LiteralObject,
  moduleDir: string,
  facts: ModuleFacts = {},
): Promise<LiteralObject> {
  const out: LiteralObject = { ...attributes };
  for (const key of JSON_DOCUMENT_ATTRIBUTES) {
    const value = attributes[key];
    if (typeof value === "string") out[key] = await resolveDocument(value, moduleDir, facts);
  }
  return out;
}

/** A template path as written, relative to the module (`${path.module}` and `${path.root}` are the folder). */
async function readTemplate(written: string, moduleDir: string): Promise<string | undefined> {
  const relative = written.replace(/\$\{path\.(module|root)\}/g, ".");
  if (relative.includes("${")) return undefined;
  return readFile(path.resolve(moduleDir, relative), "utf8").catch(() => undefined);
}

async function resolveDocument(value: string, moduleDir: string, facts: ModuleFacts = {}): Promise<LiteralValue> {
  const whole = /^\$\{([\s\S]*)\}$/.exec(value.trim());
  if (!whole) return value;
  const expression = whole[1]!.trim();
  const encoded = callArgument(expression, "jsonencode");
  if (encoded !== undefined) return readHclLiteral(encoded);
  const rendered = /^data\.template_file\.([A-Za-z_][\w-]*)\.rendered$/.exec(expression);
  const source = rendered ? facts.templates?.get(rendered[1]!) : undefined;
  if (source) {
    const text = await readTemplate(source.path, moduleDir);
    return text === undefined ? value : renderTemplate(text, templateVars(source.vars, facts.values));
  }
  const templateArguments = callArgument(expression, "templatefile");
  const fileArgument = callArgument(expression, "file") ?? templateArguments;
  const pathMatch = fileArgument === undefined ? undefined : /^\s*"((?:[^"\\]|\\.)*)"/.exec(fileArgument);
  if (pathMatch) {
    const text = await readTemplate(pathMatch[1]!, moduleDir);
    if (text !== undefined && templateArguments !== undefined)
      return renderTemplate(text, templateVars(templatefileVars(templateArguments), facts.values));
    if (text !== undefined) return text;
  }
  return value;
}

function spanOf(file: TerraformFile, block: BlockHeader) {
  return { line: block.line, column: block.column, endLine: lineOf(file.file, block.bodyEnd), endColumn: 2 };
}

function countArgs(attributes: LiteralObject | undefined): Record<string, LiteralValue> {
  const args: Record<string, LiteralValue> = {};
  for (const key of ["count", "for_each"]) {
    const value = attributes?.[key];
    if (value === undefined) continue;
    args[key] =
      typeof value === "string" && value.includes("${") ? { $expr: value.replace(/^\$\{([\s\S]*)\}$/, "$1") } : value;
  }
  return args;
}

function dynamicText(blocks: readonly UnexpandedDynamicBlock[]): string {
  return blocks.map((b) => `${b.block} (for_each = ${b.forEach})`).join(", ");
}

/** A dynamic block known only at plan time was read once: the item says which, and how many it may really be. */
function markUnexpanded(item: InventoryItem, blocks: readonly UnexpandedDynamicBlock[]): InventoryItem {
  if (blocks.length === 0) return item;
  item.properties.dynamicBlocks = blocks.map((b) => `${b.block}: for_each = ${b.forEach}`);
  item.unresolved = [...new Set([...item.unresolved, ...blocks.map((b) => `dynamic.${b.block}`)])].sort();
  return item;
}

async function scanResources(
  file: TerraformFile,
  findings: Finding[],
  inventory: InventoryItem[],
  facts: ModuleFacts,
): Promise<void> {
  for (const block of file.blocks) {
    if (block.keyword === "module" || block.labels.length !== 2) continue;
    const [type, name] = block.labels as [string, string];
    if (!TERRAFORM_BATCH_TYPES[type]) continue;
    const section = block.keyword === "data" ? "data" : "resource";
    const address = `${section === "data" ? "data." : ""}${type}.${name}`;
    const raw = blockAttributes(file.config, section, type, name);
    const resolved = raw ? await resolveDocuments(raw, path.dirname(file.file.absPath), facts) : undefined;
    const attributes = resolved && (substituteModuleValues(resolved, facts.values) as LiteralObject);
    const dynamic = attributes ? expandDynamicBlocks(attributes) : undefined;
    const normalized = dynamic ? normalizeTerraformResource(type, dynamic.attributes) : undefined;
    const batchName = normalized?.normalized.name;
    findings.push(
      createFinding({
        kind: "tf-resource",
        path: file.file.path,
        span: spanOf(file, block),
        language: "terraform",
        resourceType: type,
        name: address,
        args: {
          ...(batchName ? { name: batchName } : {}),
          ...countArgs(raw),
          ...(dynamic?.unexpanded.length ? { dynamic: dynamicText(dynamic.unexpanded) } : {}),
        },
        ...(section === "data" ? { message: `data source ${address} (reads an existing Batch resource)` } : {}),
      }),
    );
    const kind = TERRAFORM_BATCH_TYPES[type]!;
    const via = section === "data" ? "terraform-data" : "terraform";
    const expansion = terraformExpansion(raw);
    if (expansion && "instances" in expansion && attributes) {
      // count/for_each with literal keys: one inventory item per instance, as `terraform plan` would list them.
      for (const instance of expansion.instances) {
        const blocks = expandDynamicBlocks(instanceAttributes(attributes, instance));
        const expanded = normalizeTerraformResource(type, blocks.attributes);
        const source = { path: file.file.path, line: block.line, via, address: `${address}${instance.suffix}` };
        const item = createInventoryItem(kind, source, expanded?.normalized ?? { properties: {}, unresolved: ["*"] });
        inventory.push(markUnexpanded(item, blocks.unexpanded));
      }
      continue;
    }
    const source = { path: file.file.path, line: block.line, via, address };
    const item = markUnexpanded(
      createInventoryItem(kind, source, normalized?.normalized ?? { properties: {}, unresolved: ["*"] }),
      dynamic?.unexpanded ?? [],
    );
    if (expansion && "expression" in expansion) {
      // The number of instances is known only at plan time: one item stands for all, and says so.
      item.properties.instances = expansion.expression;
      item.unresolved = [...new Set([...item.unresolved, "instances"])].sort();
    }
    inventory.push(item);
  }
}

/** The `event_pattern` of a block as a literal: `jsonencode({…})`, a heredoc or a quoted JSON string. */
async function eventPatternOf(file: TerraformFile, value: LiteralValue | undefined): Promise<LiteralValue | undefined> {
  if (typeof value !== "string") return value;
  const resolved = await resolveDocument(value, path.dirname(file.file.absPath));
  if (typeof resolved !== "string") return resolved;
  try {
    return JSON.parse(resolved) as LiteralValue;
  } catch {
    return undefined;
  }
}

/**
 * Rules on Batch events: `aws_cloudwatch_event_rule` resources, and module calls that pass an `event_pattern`
 * (a rule module), whose pattern names `aws.batch`. The finding sits on the line that names it.
 */
async function scanEventRules(file: TerraformFile, findings: Finding[]): Promise<void> {
  for (const block of file.blocks) {
    const isRule = block.keyword === "resource" && block.labels[0] === "aws_cloudwatch_event_rule";
    const isModule = block.keyword === "module" && block.labels.length === 1;
    if (!isRule && !isModule) continue;
    const attributes = isRule
      ? blockAttributes(file.config, "resource", block.labels[0]!, block.labels[1] ?? "")
      : moduleAttributes(file.config, block.labels[0]!);
    const pattern = batchEventPattern(await eventPatternOf(file, attributes?.event_pattern));
    if (!pattern) continue;
    const address = isRule ? `aws_cloudwatch_event_rule.${block.labels[1]}` : `module.${block.labels[0]}`;
    const named = file.file.text.slice(block.bodyStart, block.bodyEnd).search(/\baws\.batch\b/);
    const at = block.bodyStart + named;
    const line = named === -1 ? block.line : lineOf(file.file, at);
    const column = named === -1 ? block.column : at - file.file.text.lastIndexOf("\n", at - 1);
    findings.push(
      createFinding({
        kind: "eventbridge-rule",
        path: file.file.path,
        span: { line, column, endLine: line, endColumn: column + "aws.batch".length },
        language: "terraform",
        resourceType: isRule ? "aws_cloudwatch_event_rule" : "module",
        name: address,
        args: pattern,
        message: batchEventMessage(pattern),
      }),
    );
  }
}

interface ModuleCall {
  file: TerraformFile;
  block: BlockHeader;
  name: string;
  source: string;
}

function moduleCalls(files: TerraformFile[]): ModuleCall[] {
  return files.flatMap((file) =>
    file.blocks
      .filter((block) => block.keyword === "module" && block.labels.length === 1)
      .flatMap((block) => {
        const source = readStringAttribute(file.file.text.slice(block.bodyStart, block.bodyEnd), "source");
        return source === undefined ? [] : [{ file, block, name: block.labels[0]!, source }];
      }),
  );
}

/** Module calls that instantiate Batch resources: the registry module, or local modules that declare them (transitively). */
function batchModuleCalls(files: TerraformFile[]): ModuleCall[] {
  const batchDirs = new Set(
    files
      .filter((file) => file.blocks.some((b) => b.keyword === "resource" && TERRAFORM_BATCH_TYPES[b.labels[0] ?? ""]))
      .map((f) => f.dir),
  );
  const calls = moduleCalls(files);
  const chosen = new Set<ModuleCall>();
  for (let changed = true; changed;) {
    changed = false;
    for (const call of calls) {
      if (chosen.has(call)) continue;
      const target = localModuleDir(call.file.dir, call.source);
      if (isRegistryBatchModule(call.source) || (target !== undefined && batchDirs.has(target))) {
        chosen.add(call);
        if (!batchDirs.has(call.file.dir)) {
          batchDirs.add(call.file.dir);
          changed = true;
        }
      }
    }
  }
  return calls.filter((call) => chosen.has(call));
}

async function scanModules(
  files: TerraformFile[],
  findings: Finding[],
  inventory: InventoryItem[],
  budget: FileBudget,
): Promise<void> {
  for (const call of batchModuleCalls(files)) {
    findings.push(
      createFinding({
        kind: "tf-module",
        path: call.file.file.path,
        span: spanOf(call.file, call.block),
        language: "terraform",
        resourceType: "module",
        name: `module.${call.name}`,
        args: { source: call.source },
        message: `module.${call.name} instantiates AWS Batch resources (source ${call.source})`,
      }),
    );
    if (!call.file.config) {
      const { file } = call;
      await budget.perFile(file.file.path, "terraform", findings, async () => {
        const parsed = await parseHcl(file.file, budget);
        file.config = parsed.config;
        if (parsed.error) findings.push(parsed.error);
      });
    }
    const inputs = moduleAttributes(call.file.config, call.name);
    if (!inputs) continue;
    for (const declaration of declarationsFromModuleInputs(call.name, inputs)) {
      const attributes = await resolveDocuments(declaration.attributes, path.dirname(call.file.file.absPath));
      const normalized = normalizeTerraformResource(declaration.type, attributes);
      if (!normalized) continue;
      const source = {
        path: call.file.file.path,
        line: call.block.line,
        via: "terraform-module",
        address: declaration.address,
      };
      inventory.push(createInventoryItem(normalized.kind, source, normalized.normalized));
    }
  }
}

export default defineScanner({
  id: "terraform",
  description:
    "aws_batch_* resources and data sources, job-definition JSON inside them, module calls that create Batch resources, and EventBridge rules on aws.batch events",
  accepts: (file) => file.endsWith(".tf") || file.endsWith(".tf.json"),
  needles: ["aws_batch_", "terraform-aws-modules/", "aws.batch"],
  prefilter: (text) => CANDIDATE.test(text),
  contextNeedles: ["module", "variable", "locals", "template_file"],
  context: (text, file) => file.endsWith(".tf") && (MODULE_CALL.test(text) || MODULE_VALUES.test(text)),
  async scan({ files, context }, ctx) {
    const budget = ctx.budget ?? FileBudget.unlimited;
    const findings: Finding[] = [];
    const inventory: InventoryItem[] = [];
    const loaded: TerraformFile[] = [];
    for (const file of files) {
      await budget.perFile(file.path, "terraform", findings, async () => {
        loaded.push(await loadFile(file, findings, budget));
      });
    }
    const contextFiles = context.map((file): TerraformFile => ({
      file,
      dir: directoryOf(file.path),
      blocks: findBlocks(file.text),
    }));
    const facts = new Map<string, Required<ModuleFacts>>();
    for (const terraform of [...loaded, ...contextFiles]) {
      if (terraform.file.path.endsWith(".tf.json")) continue;
      let dir = facts.get(terraform.dir);
      if (!dir)
        facts.set(terraform.dir, (dir = { values: { vars: new Map(), locals: new Map() }, templates: new Map() }));
      collectModuleValues(terraform.file.text, terraform.blocks, dir.values);
      collectTemplateSources(terraform.file.text, terraform.blocks, dir.templates);
    }
    for (const terraform of loaded) {
      await budget.perFile(terraform.file.path, "terraform", findings, async () => {
        await scanResources(terraform, findings, inventory, facts.get(terraform.dir) ?? {});
        await scanEventRules(terraform, findings);
      });
    }
    await scanModules([...loaded, ...contextFiles], findings, inventory, budget);
    // The parser's thread is started per scan, so that nothing is left running once the scan is done.
    stopHclParser();
    return { findings, inventory };
  },
});
