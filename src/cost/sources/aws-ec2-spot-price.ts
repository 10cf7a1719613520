// Measured Spot prices per region and instance type: SkyPilot catalog v9 aws/vms.csv, median over AZs
// (reference/pricing/README.md §2)
import { defineSource, priceCell, quoteFrom, type PriceQuote } from "../types.js";

export interface SpotPriceQuery {
  region: string;
  instanceType: string;
}

export default defineSource<SpotPriceQuery>({
  id: "aws-ec2-spot-price",
  title: "EC2 Spot, Linux, median over availability zones, per instance-hour",
  file: "ec2_spot.csv",
  requiredColumns: ["region", "instance_type", "spot_median_usd_hour", "az_count"],
  build(rows) {
    const byKey = new Map(rows.map((row) => [`${row.region}/${row.instance_type}`, row]));
    return (query): PriceQuote | undefined => {
      const row = byKey.get(`${query.region}/${query.instanceType}`);
      const value = priceCell(row?.spot_median_usd_hour);
      if (!row || value === undefined) return undefined;
      const quote = quoteFrom("aws-ec2-spot-price", row, value, "hour");
      quote.note = `median of ${row.az_count ?? "?"} AZ${row.az_count === "1" ? "" : "s"}${row.spot_min_usd_hour ? `, min $${row.spot_min_usd_hour}/h` : ""}`;
      return quote;
    };
  },
});
