// https://github.com/Ikaikaalika/commoncomputeai apps/web/out/pricing.txt (reference/pricing.md §7)
import { defineSource, priceCell, quoteFrom, type PriceRow } from "../types.js";

export const COMMON_COMPUTE_WORKLOADS = ["embeddings", "transcription", "ocr", "rerank", "image_captioning"] as const;
export type CommonComputeWorkload = (typeof COMMON_COMPUTE_WORKLOADS)[number];

export interface CommonComputeQuery {
  workload: string;
  tier: "batch" | "realtime";
}

interface PublishedPrices {
  source: string;
  date: string;
  prices_usd: { workload: string; unit: string; batch: number | null; realtime: number | null }[];
}

/** Flattens the published price list into one row per workload, each with the file's source and date. */
function parsePublishedPrices(text: string): PriceRow[] {
  const data = JSON.parse(text) as PublishedPrices;
  return data.prices_usd.map((entry) => ({
    workload: entry.workload,
    unit: entry.unit,
    batch: entry.batch === null ? "" : String(entry.batch),
    realtime: entry.realtime === null ? "" : String(entry.realtime),
    source: data.source,
    date: data.date,
  }));
}

export default defineSource<CommonComputeQuery>({
  id: "common-compute",
  title: "Common Compute published per-task prices",
  file: "common_compute.json",
  parse: parsePublishedPrices,
  requiredColumns: ["workload", "unit", "batch", "realtime"],
  build(rows) {
    return (query) => {
      const row = rows.find((r) => r.workload === query.workload);
      const value = priceCell(row?.[query.tier]);
      return row && value !== undefined ? quoteFrom("common-compute", row, value, row.unit!) : undefined;
    };
  },
});
