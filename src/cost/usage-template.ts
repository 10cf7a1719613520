import type { InventoryItem } from "../core/types.js";
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
  return `${item.source.path}:${item.source.line}${size ? ` (${size})` : ""}`;
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
  if (jobDefinitions.length === 0) out.push("  {}  # no job definition was found");
  for (const item of [...jobDefinitions].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    out.push(`  # ${describeJob(item)}`, `  ${JSON.stringify(item.name)}:`);
    out.push("    # jobs_per_month: 0", "    # avg_runtime_minutes: 0", "    # array_size: 1");
    if (typeof item.properties.gpus === "number" && item.properties.gpus > 0)
      out.push("    # salad_priority: batch", "    # gpu_vram_gb: 24");
    out.push("    # common_compute_workload: embeddings", "    # common_compute_units_per_month: 0");
  }
  return `${out.join("\n")}\n`;
}
