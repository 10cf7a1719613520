// Spot discounts per family, derived from a SkyPilot spot snapshot (reference/pricing.md §4)
import { defineSource, priceCell, quoteFrom } from "../types.js";

export interface SpotQuery {
  family: string;
  /** Picks the `_default_gpu` or `_default_cpu` row when the family has none. */
  gpu: boolean;
}

export default defineSource<SpotQuery>({
  id: "aws-ec2-spot",
  title: "EC2 Spot discount versus on-demand, per instance family",
  file: "spot_discount_defaults.csv",
  requiredColumns: ["family", "default_spot_discount", "basis"],
  build(rows) {
    const byFamily = new Map<string, (typeof rows)[number]>();
    for (const row of rows) for (const family of (row.family ?? "").split("|")) byFamily.set(family, row);
    return (query) => {
      const row = byFamily.get(query.family) ?? byFamily.get(query.gpu ? "_default_gpu" : "_default_cpu");
      const value = priceCell(row?.default_spot_discount);
      if (!row || value === undefined) return undefined;
      const quote = quoteFrom("aws-ec2-spot", row, value, "fraction off on-demand");
      quote.note = `${row.basis}${row.family === query.family ? "" : ` default (no ${query.family} row)`}: ${row.evidence ?? ""}`;
      return quote;
    };
  },
});
