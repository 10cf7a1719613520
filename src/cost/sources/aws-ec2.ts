// https://github.com/aws/karpenter-provider-aws (pkg/providers/pricing/zz_generated.pricing_aws.go) via reference/pricing.md §3
import { defineSource, priceCell, quoteFrom, type PriceQuote, type PriceRow } from "../types.js";

export interface InstanceType {
  name: string;
  family: string;
  vcpus: number;
  memoryGiB: number;
  gpus: number;
  gpuModel?: string;
  /** Memory per GPU or accelerator, vendor nominal GB. */
  gpuMemoryGiB?: number;
}

export interface Ec2Query {
  region: string;
  instanceType: string;
}

export function instanceTypeFromRow(row: PriceRow): InstanceType | undefined {
  const vcpus = priceCell(row.vcpu);
  const memoryGiB = priceCell(row.memory_gib);
  if (!row.instance_type || vcpus === undefined || memoryGiB === undefined) return undefined;
  const type: InstanceType = {
    name: row.instance_type,
    family: row.instance_type.split(".")[0]!,
    vcpus,
    memoryGiB,
    gpus: priceCell(row.gpu_count) ?? 0,
  };
  if (row.gpu_model) type.gpuModel = row.gpu_model;
  const gpuMemory = priceCell(row.gpu_mem_gib);
  if (gpuMemory !== undefined) type.gpuMemoryGiB = gpuMemory;
  return type;
}

export default defineSource<Ec2Query>({
  id: "aws-ec2",
  title: "EC2 on-demand, Linux, per instance-hour",
  file: "ec2_ondemand.csv",
  requiredColumns: ["region", "instance_type", "vcpu", "memory_gib", "gpu_count", "ondemand_usd_hour"],
  build(rows) {
    const byKey = new Map(rows.map((row) => [`${row.region}/${row.instance_type}`, row]));
    return (query): PriceQuote | undefined => {
      const row = byKey.get(`${query.region}/${query.instanceType}`);
      const value = priceCell(row?.ondemand_usd_hour);
      return row && value !== undefined ? quoteFrom("aws-ec2", row, value, "hour") : undefined;
    };
  },
});
