// https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/batch_job_definition — HCL via @cdktf/hcl2json
import { readFile } from "node:fs/promises";
import path from "node:path";
import { createFinding } from "../../core/rules.js";
import { defineScanner, type SourceFile } from "../../core/scanner.js";
import type { Finding, InventoryItem, LiteralValue } from "../../core/types.js";
import {
  createInventoryItem,
  isObject,
  instanceAttributes,
  normalizeTerraformResource,
  terraformExpansion,
  TERRAFORM_BATCH_TYPES,
  type LiteralObject,
} from "../../inventory/index.js";
import { findBlocks, readStringAttribute, type BlockHeader } from "./blocks.js";
import { callArgument, readHclLiteral } from "./hcl-literal.js";
import { declarationsFromModuleInputs, isRegistryBatchModule, localModuleDir } from "./modules.js";

const CANDIDATE =
  /aws_batch_(?:compute_environment|job_queue|job_definition|scheduling_policy)\b|terraform-aws-modules\/(?:batch\/aws|terraform-aws-batch)/;
const MODULE_CALL = /^[ \t]*module[ \t]+"/m;
const JSON_DOCUMENT_ATTRIBUTES = ["container_properties", "node_properties", "ecs_properties"];

type ParsedConfig = Record<string, Record<string, Record<string, LiteralObject[] | LiteralObject>>>;

interface TerraformFile {
  file: SourceFile;
  dir: string;
  blocks: BlockHeader[];
  config?: ParsedConfig;
}

let hcl2json: Promise<typeof import("@cdktf/hcl2json")> | undefined;

/** The WASM parser takes ~100 ms to start, so it is loaded only when a Terraform candidate exists. */
function loadParser(): Promise<typeof import("@cdktf/hcl2json")> {
  hcl2json ??= import("@cdktf/hcl2json");
  return hcl2json;
}

function directoryOf(relPath: string): string {
  return path.posix.dirname(relPath);
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

/** hcl2json's Go runtime dies for good on a stack overflow, so input nested deeper than this never reaches it. */
const MAX_HCL_NESTING = 200;
/** A parse that has not answered by then is taken as a dead runtime (it never settles its promise). */
const PARSE_TIMEOUT_MS = 10_000;
let parserDead: string | undefined;

/** Deepest bracket nesting outside strings and comments; cheap, and all the guard above needs. */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let quote = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === '"' || c === "\n") quote = false;
    } else if (c === '"') quote = true;
    else if (c === "#") i = Math.max(i, text.indexOf("\n", i) === -1 ? text.length : text.indexOf("\n", i));
    else if (c === "{" || c === "[" || c === "(") deepest = Math.max(deepest, ++depth);
    else if (c === "}" || c === "]" || c === ")") depth = Math.max(0, depth - 1);
  }
  return deepest;
}

async function parseWithTimeout(file: SourceFile): Promise<ParsedConfig> {
  if (parserDead)
    throw new Error(`the HCL parser stopped earlier in this run (${parserDead}); the file was not parsed`);
  const depth = nestingDepth(file.text);
  if (depth > MAX_HCL_NESTING)
    throw new Error(`nested ${depth} levels deep, more than the HCL parser takes (${MAX_HCL_NESTING})`);
  const { parse } = await loadParser();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer from the HCL parser within ${PARSE_TIMEOUT_MS} ms`)),
      PARSE_TIMEOUT_MS,
    );
    timer.unref();
  });
  try {
    return (await Promise.race([parse(file.path, file.text), timeout])) as ParsedConfig;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/no answer from the HCL parser|Go program has already exited|Maximum call stack/.test(message))
      parserDead = message;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

async function parseHcl(file: SourceFile): Promise<{ config?: ParsedConfig; error?: Finding }> {
  try {
    return { config: await parseWithTimeout(file) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const at = /:(\d+),(\d+)(?:-[\d,]+)?: ([^;\]]*)/.exec(message);
    const line = at ? Number(at[1]) : 1;
    const column = at ? Number(at[2]) : 1;
    return {
      error: createFinding({
        kind: "parse-error",
        path: file.path,
        span: { line, column, endLine: line, endColumn: column + 1 },
        language: "terraform",
        message: `Terraform syntax error at line ${line}: ${at?.[3]?.trim() ?? message.replace(/^parse config: /, "")}`,
        detail:
          "Batch blocks in this file were located from the text, but their attributes could not be read; run `terraform validate` to see the error.",
      }),
    };
  }
}

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

/** Reads `jsonencode({…})`, `file(…)` and `templatefile(…)` values of JSON-document attributes. */
async function resolveDocuments(attributes: LiteralObject, moduleDir: string): Promise<LiteralObject> {
  const out: LiteralObject = { ...attributes };
  for (const key of JSON_DOCUMENT_ATTRIBUTES) {
    const value = attributes[key];
    if (typeof value === "string") out[key] = await resolveDocument(value, moduleDir);
  }
  return out;
}

async function resolveDocument(value: string, moduleDir: string): Promise<LiteralValue> {
  const whole = /^\$\{([\s\S]*)\}$/.exec(value.trim());
  if (!whole) return value;
  const expression = whole[1]!.trim();
  const encoded = callArgument(expression, "jsonencode");
  if (encoded !== undefined) return readHclLiteral(encoded);
  const fileArgument = callArgument(expression, "file") ?? callArgument(expression, "templatefile");
  const pathMatch = fileArgument === undefined ? undefined : /^\s*"((?:[^"\\]|\\.)*)"/.exec(fileArgument);
  if (pathMatch) {
    const relative = pathMatch[1]!.replace(/\$\{path\.module\}/g, ".");
    if (relative.includes("${")) return value;
    const text = await readFile(path.resolve(moduleDir, relative), "utf8").catch(() => undefined);
    if (text !== undefined) return text;
  }
  return value;
}

function spanOf(file: TerraformFile, block: BlockHeader) {
  return { line: block.line, column: block.column, endLine: lineOf(file.file.text, block.bodyEnd), endColumn: 2 };
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

async function scanResources(file: TerraformFile, findings: Finding[], inventory: InventoryItem[]): Promise<void> {
  for (const block of file.blocks) {
    if (block.keyword === "module" || block.labels.length !== 2) continue;
    const [type, name] = block.labels as [string, string];
    if (!TERRAFORM_BATCH_TYPES[type]) continue;
    const section = block.keyword === "data" ? "data" : "resource";
    const address = `${section === "data" ? "data." : ""}${type}.${name}`;
    const raw = blockAttributes(file.config, section, type, name);
    const attributes = raw ? await resolveDocuments(raw, path.dirname(file.file.absPath)) : undefined;
    const normalized = attributes ? normalizeTerraformResource(type, attributes) : undefined;
    const batchName = normalized?.normalized.name;
    findings.push(
      createFinding({
        kind: "tf-resource",
        path: file.file.path,
        span: spanOf(file, block),
        language: "terraform",
        resourceType: type,
        name: address,
        args: { ...(batchName ? { name: batchName } : {}), ...countArgs(raw) },
        ...(section === "data" ? { message: `data source ${address} (reads an existing Batch resource)` } : {}),
      }),
    );
    const kind = TERRAFORM_BATCH_TYPES[type]!;
    const via = section === "data" ? "terraform-data" : "terraform";
    const expansion = terraformExpansion(raw);
    if (expansion && "instances" in expansion && attributes) {
      // count/for_each with literal keys: one inventory item per instance, as `terraform plan` would list them.
      for (const instance of expansion.instances) {
        const expanded = normalizeTerraformResource(type, instanceAttributes(attributes, instance));
        const source = { path: file.file.path, line: block.line, via, address: `${address}${instance.suffix}` };
        inventory.push(
          createInventoryItem(kind, source, expanded?.normalized ?? { properties: {}, unresolved: ["*"] }),
        );
      }
      continue;
    }
    const source = { path: file.file.path, line: block.line, via, address };
    const item = createInventoryItem(kind, source, normalized?.normalized ?? { properties: {}, unresolved: ["*"] });
    if (expansion && "expression" in expansion) {
      // The number of instances is known only at plan time: one item stands for all, and says so.
      item.properties.instances = expansion.expression;
      item.unresolved = [...new Set([...item.unresolved, "instances"])].sort();
    }
    inventory.push(item);
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

async function scanModules(files: TerraformFile[], findings: Finding[], inventory: InventoryItem[]): Promise<void> {
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
      const parsed = await parseHcl(call.file.file);
      call.file.config = parsed.config;
      if (parsed.error) findings.push(parsed.error);
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

async function readJsonConfiguration(
  file: SourceFile,
): Promise<{ config?: ParsedConfig; blocks: BlockHeader[]; error?: Finding }> {
  let config: ParsedConfig;
  try {
    config = JSON.parse(file.text) as ParsedConfig;
  } catch (error) {
    return {
      blocks: [],
      error: createFinding({
        kind: "parse-error",
        path: file.path,
        span: { line: 1, column: 1, endLine: 1, endColumn: 1 },
        language: "terraform",
        message: `Terraform JSON could not be parsed: ${error instanceof Error ? error.message : String(error)}`,
      }),
    };
  }
  const blocks: BlockHeader[] = [];
  for (const keyword of ["resource", "data", "module"] as const) {
    const section = config?.[keyword] as Record<string, Record<string, unknown> | null> | undefined;
    if (!section || typeof section !== "object") continue;
    const pairs: [string[], string][] =
      keyword === "module"
        ? Object.keys(section).map((name) => [[name], name])
        : Object.entries(section).flatMap(([type, byName]) =>
            Object.keys(byName ?? {}).map((name): [string[], string] => [[type, name], name]),
          );
    for (const [labels, name] of pairs) {
      const anchor = keyword === "module" ? file.text.indexOf(`"module"`) : file.text.indexOf(`"${labels[0]}"`);
      const at = file.text.indexOf(`"${name}"`, Math.max(anchor, 0));
      const offset = at < 0 ? 0 : at;
      blocks.push({ keyword, labels, line: lineOf(file.text, offset), column: 1, bodyStart: offset, bodyEnd: offset });
    }
  }
  return { config, blocks };
}

async function loadFile(file: SourceFile, findings: Finding[]): Promise<TerraformFile> {
  if (file.path.endsWith(".tf.json")) {
    const { config, blocks, error } = await readJsonConfiguration(file);
    if (error) findings.push(error);
    return { file, dir: directoryOf(file.path), blocks, ...(config ? { config } : {}) };
  }
  const blocks = findBlocks(file.text);
  const { config, error } = await parseHcl(file);
  if (error) findings.push(error);
  return { file, dir: directoryOf(file.path), blocks, ...(config ? { config } : {}) };
}

export default defineScanner({
  id: "terraform",
  description:
    "aws_batch_* resources and data sources, job-definition JSON inside them, and module calls that create Batch resources",
  accepts: (file) => file.endsWith(".tf") || file.endsWith(".tf.json"),
  needles: ["aws_batch_", "terraform-aws-modules/"],
  prefilter: (text) => CANDIDATE.test(text),
  contextNeedles: ["module"],
  context: (text, file) => file.endsWith(".tf") && MODULE_CALL.test(text),
  async scan({ files, context }) {
    const findings: Finding[] = [];
    const inventory: InventoryItem[] = [];
    const loaded: TerraformFile[] = [];
    for (const file of files) {
      const terraform = await loadFile(file, findings);
      loaded.push(terraform);
      await scanResources(terraform, findings, inventory);
    }
    const contextFiles = context.map((file): TerraformFile => ({
      file,
      dir: directoryOf(file.path),
      blocks: findBlocks(file.text),
    }));
    await scanModules([...loaded, ...contextFiles], findings, inventory);
    return { findings, inventory };
  },
});
