// Fargate and Fargate Spot rates (reference/pricing.md §5)
import { defineSource, priceCell, quoteFrom } from "../types.js";

export interface FargateQuery {
  region: string;
  /** `x86_64` or `arm64`. */
  arch: string;
  capacity: "on_demand" | "spot";
  dimension: "vcpu" | "memory";
}

export default defineSource<FargateQuery>({
  id: "aws-fargate",
  title: "Fargate and Fargate Spot, Linux, per vCPU-hour and GB-hour",
  file: "fargate.csv",
  requiredColumns: ["region", "arch", "capacity", "usd_per_vcpu_hour", "usd_per_gb_hour"],
  build(rows) {
    return (query) => {
      const row = rows.find(
        // AWS Batch runs only Linux Fargate tasks; a table with an `os` column keeps its Linux rows.
        (r) =>
          r.region === query.region &&
          r.arch === query.arch &&
          (r.os ?? "linux") === "linux" &&
          r.capacity === query.capacity,
      );
      const value = priceCell(query.dimension === "vcpu" ? row?.usd_per_vcpu_hour : row?.usd_per_gb_hour);
      if (!row || value === undefined) return undefined;
      return quoteFrom("aws-fargate", row, value, query.dimension === "vcpu" ? "vCPU-hour" : "GB-hour");
    };
  },
});
