import { isMap, isScalar, parseDocument } from "yaml";
import { ConfigError } from "../core/errors.js";
import type { InventoryItem } from "../core/types.js";
import { visible } from "../report/escape.js";
import { usageKeys } from "./usage-keys.js";
import { allUsageKeys, DEFAULT_REGION } from "./usage.js";

function describeJob(item: InventoryItem): string {
  const p = item.properties;
  const size = [
    p.vcpus !== undefined ? `${String(p.vcpus)} vCPU` : "",
    p.memoryMiB !== undefined ? `${String(p.memoryMiB)} MiB` : "",
    typeof p.gpus === "number" && p.gpus > 0 ? `${p.gpus} GPU` : "",
    p.timeoutSeconds !== undefined ? `timeout ${String(p.timeoutSeconds)} s` : "",
  ]
    .filter(Boolean)
    .join(", ");
  // One line of a YAML comment: no line breaks or other control characters from repository text.
  const where = visible(`${item.source.path}:${item.source.line}`);
  return `${where}${size ? ` (${size})` : ""}`;
}

/** Job definitions the usage file lists: the current revision of each (older revisions are not priced). */
function listed(jobDefinitions: readonly InventoryItem[]): InventoryItem[] {
  return jobDefinitions.filter((item) => item.properties.superseded !== true);
}

/** The template lines of one job definition, indented under `job_definitions:`. */
function entryLines(item: InventoryItem, key: string): string[] {
  const out = [`  # ${describeJob(item)}`, `  ${JSON.stringify(key)}:`];
  out.push("    # jobs_per_month: 0", "    # avg_runtime_minutes: 0", "    # array_size: 1");
  if (typeof item.properties.gpus === "number" && item.properties.gpus > 0)
    out.push("    # salad_priority: batch", "    # gpu_vram_gb: 24");
  out.push("    # common_compute_workload: embeddings", "    # common_compute_units_per_month: 0");
  out.push("    # pin what AWS runs it on today (any of): queue, compute_environment, instance_type");
  return out;
}

function sortedEntries(jobDefinitions: readonly InventoryItem[]): { item: InventoryItem; key: string }[] {
  const items = listed(jobDefinitions);
  const keys = usageKeys(items);
  return items
    .map((item) => ({ item, key: keys.get(item.id)! }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** A commented `migrate-usage.yml` listing every job definition, with every key commented out: nothing is assumed until a person writes it. */
export function renderUsageTemplate(jobDefinitions: readonly InventoryItem[]): string {
  const keys = allUsageKeys();
  const out = [
    "# migrate-usage.yml: how much each AWS Batch job definition runs, for `migrate report`.",
    "# Without numbers the report shows one run of each job definition and each compute environment's",
    '# "fully busy" ceiling; it never invents volumes. Uncomment and fill in what you know.',
    "# Keys of a job definition (defaults in brackets):",
    ...keys.map((key) => `#   ${key.key}${key.default !== undefined ? ` [${key.default}]` : ""}: ${key.description}`),
    "version: 1",
    `region: ${DEFAULT_REGION}`,
    "job_definitions:",
  ];
  const entries = sortedEntries(jobDefinitions);
  if (entries.length === 0) out.push("  {}  # no job definition was found");
  for (const { item, key } of entries) out.push(...entryLines(item, key));
  return `${out.join("\n")}\n`;
}

/**
 * An existing usage file with an entry added for every job definition it does not list yet; everything already
 * written (values, comments, order) is kept. Returns the file unchanged, and no keys, when nothing is missing.
 */
export function completeUsageFile(
  existing: string,
  jobDefinitions: readonly InventoryItem[],
  file: string,
): { text: string; added: string[] } {
  const document = parseDocument(existing);
  if (document.errors.length > 0)
    throw new ConfigError(
      `cannot add to the usage file ${file}: ${document.errors[0]!.message.split("\n")[0]}`,
      "fix the YAML, or pass --force to replace it with a new template",
    );
  const section = document.get("job_definitions", true);
  const present = new Set<string>();
  if (isMap(section)) for (const pair of section.items) if (isScalar(pair.key)) present.add(String(pair.key.value));
  // An entry a person keyed by the inventory id or the IaC address counts as present too.
  const missing = sortedEntries(jobDefinitions).filter(
    ({ item, key }) => ![key, item.id, item.source.address].some((alias) => alias !== undefined && present.has(alias)),
  );
  if (missing.length === 0) return { text: existing, added: [] };
  const lines = missing.flatMap(({ item, key }) => entryLines(item, key));
  const emptySection = section === undefined || section === null || (isMap(section) && section.items.length === 0);
  if (!emptySection && !isMap(section))
    throw new ConfigError(`${file}: job_definitions is not a mapping`, "fix it, or pass --force to replace the file");
  // Appending text keeps every comment exactly as written; it is valid where `job_definitions:` is the last
  // top-level key, as `init` writes it. Otherwise the entries go in through the YAML document.
  const topKeys = isMap(document.contents)
    ? document.contents.items.map((p) => (isScalar(p.key) ? p.key.value : ""))
    : [];
  if (!emptySection && topKeys[topKeys.length - 1] === "job_definitions") {
    const text = `${existing.replace(/\n*$/, "\n")}${lines.join("\n")}\n`;
    return { text, added: missing.map((m) => m.key) };
  }
  if (isMap(section)) section.flow = false;
  for (const { key } of missing) document.setIn(["job_definitions", key], null);
  return { text: document.toString(), added: missing.map((m) => m.key) };
}
