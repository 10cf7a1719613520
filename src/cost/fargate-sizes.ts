/**
 * Valid Fargate task sizes, from AWS's task-size table as quoted in reference/pricing.md §5 (not verified
 * against the Batch ResourceRequirement page): vCPU → memory range in GB and its step.
 */
export const FARGATE_SIZES: readonly {
  vcpus: number;
  minGb: number;
  maxGb: number;
  stepGb: number;
  options?: readonly number[];
}[] = [
  { vcpus: 0.25, minGb: 0.5, maxGb: 2, stepGb: 0.5, options: [0.5, 1, 2] },
  { vcpus: 0.5, minGb: 1, maxGb: 4, stepGb: 1 },
  { vcpus: 1, minGb: 2, maxGb: 8, stepGb: 1 },
  { vcpus: 2, minGb: 4, maxGb: 16, stepGb: 1 },
  { vcpus: 4, minGb: 8, maxGb: 30, stepGb: 1 },
  { vcpus: 8, minGb: 16, maxGb: 60, stepGb: 4 },
  { vcpus: 16, minGb: 32, maxGb: 120, stepGb: 8 },
];

/** The smallest valid Fargate size at or above the job's vCPU and memory; undefined above 16 vCPU / 120 GB. */
export function roundUpToFargateSize(vcpus: number, memoryGb: number): { vcpus: number; memoryGb: number } | undefined {
  for (const size of FARGATE_SIZES) {
    if (vcpus > size.vcpus || memoryGb > size.maxGb) continue;
    const options =
      size.options ??
      Array.from(
        { length: Math.round((size.maxGb - size.minGb) / size.stepGb) + 1 },
        (_, i) => size.minGb + i * size.stepGb,
      );
    const memory = options.find((option) => option >= memoryGb);
    if (memory !== undefined) return { vcpus: size.vcpus, memoryGb: memory };
  }
  return undefined;
}
