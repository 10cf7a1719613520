// https://docs.salad.com (billing.mdx, priority-pricing.mdx) and third-party gpu-classes snapshots (reference/pricing.md §6)
import { defineSource, priceCell, quoteFrom, type PriceRow } from "../types.js";

export const SALAD_PRIORITIES = ["high", "medium", "low", "batch"] as const;
export type SaladPriority = (typeof SALAD_PRIORITIES)[number];

export interface SaladGpuClass {
  name: string;
  id: string;
  vramGb: number;
}

export type SaladQuery =
  | { kind: "gpu"; className: string; priority: SaladPriority }
  | { kind: "cpu" }
  | { kind: "ram" };

/** Community GPU classes with a VRAM size (Secure's 8-GPU nodes are listed apart: no published price). */
export function saladGpuClasses(rows: readonly PriceRow[]): SaladGpuClass[] {
  return rows.flatMap((row) => {
    const vramGb = priceCell(row.vram_gb);
    return row.kind === "gpu" && vramGb !== undefined ? [{ name: row.name!, id: row.gpu_class_id ?? "", vramGb }] : [];
  });
}

export default defineSource<SaladQuery>({
  id: "salad",
  title: "SaladCloud GPU classes per priority tier; CPU-only vCPU and RAM rates",
  file: "salad.csv",
  requiredColumns: ["kind", "name", "vram_gb", "usd_hour_high", "usd_hour_medium", "usd_hour_low", "usd_hour_batch"],
  build(rows) {
    return (query) => {
      if (query.kind === "gpu") {
        const row = rows.find((r) => r.kind === "gpu" && r.name === query.className);
        const value = priceCell(row?.[`usd_hour_${query.priority}`]);
        return row && value !== undefined ? quoteFrom("salad", row, value, "GPU-hour") : undefined;
      }
      const row = rows.find((r) => r.kind === query.kind);
      const value = priceCell(row?.usd_hour_batch);
      return row && value !== undefined
        ? quoteFrom("salad", row, value, query.kind === "cpu" ? "vCPU-hour" : "GB-hour")
        : undefined;
    };
  },
});
