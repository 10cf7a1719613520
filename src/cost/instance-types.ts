import { instanceTypeFromRow, type InstanceType } from "./sources/aws-ec2.js";
import type { PricingSource, PriceQuote } from "./types.js";
import type { Ec2Query } from "./sources/aws-ec2.js";

/**
 * AWS Batch's instance type aliases (Batch API docs via reference/pricing.md §1.4). `optimal` has meant
 * `default_x86_64` since 2025-11-01; before that it was c4, m4, r4, c5, m5, r5.
 */
export const INSTANCE_FAMILY_ALIASES: Record<string, readonly string[]> = {
  optimal: ["m6i", "c6i", "r6i", "c7i"],
  default_x86_64: ["m6i", "c6i", "r6i", "c7i"],
  default_arm64: ["m6g", "c6g", "r6g", "c7g"],
};

/** Batch gives a job at most this share of an instance's nominal memory (torchx MEM_TAX, pricing.md §3). */
export const BATCH_MEMORY_SHARE = 0.96;

export interface JobShape {
  vcpus: number;
  memoryGiB: number;
  gpus: number;
}

export interface ResolvedInstanceTypes {
  types: InstanceType[];
  /** How aliases and families were read, for the assumption text. */
  notes: string[];
  /** Entries that are not in the price table. */
  unknown: string[];
}

/** The region whose prices stand in, labelled as an estimate, where the table has no row for the asked one. */
export const FALLBACK_REGION = "us-east-1";

/** Expands a compute environment's `instanceTypes` (exact types, families, aliases) against the table of a region. */
export function resolveInstanceTypes(
  written: readonly string[],
  ec2: PricingSource<Ec2Query>,
  region: string,
): ResolvedInstanceTypes {
  const catalogue = ec2.rows.filter((row) => row.region === region).flatMap((row) => instanceTypeFromRow(row) ?? []);
  const types = new Map<string, InstanceType>();
  const notes: string[] = [];
  const unknown: string[] = [];
  let fallback: InstanceType[] | undefined;
  for (const entry of written) {
    const families = INSTANCE_FAMILY_ALIASES[entry];
    if (families)
      notes.push(`${entry} = ${families.join(", ")}${entry === "optimal" ? " (its meaning since 2025-11-01)" : ""}`);
    const match = (type: InstanceType) =>
      families ? families.includes(type.family) : entry.includes(".") ? type.name === entry : type.family === entry;
    let matches = catalogue.filter(match);
    if (matches.length === 0 && region !== FALLBACK_REGION) {
      fallback ??= ec2.rows
        .filter((row) => row.region === FALLBACK_REGION)
        .flatMap((row) => instanceTypeFromRow(row) ?? []);
      matches = fallback.filter(match);
      if (matches.length > 0)
        notes.push(`${entry}: no ${region} price in the table; the ${FALLBACK_REGION} price is used as an ESTIMATE`);
    }
    if (matches.length === 0) unknown.push(entry);
    for (const type of matches) types.set(type.name, type);
  }
  return { types: [...types.values()], notes, unknown };
}

export function fits(job: JobShape, type: InstanceType): boolean {
  return job.vcpus <= type.vcpus && job.memoryGiB <= BATCH_MEMORY_SHARE * type.memoryGiB && job.gpus <= type.gpus;
}

/** Share of the instance one job occupies under perfect bin-packing (pricing.md §10). */
export function packingShare(job: JobShape, type: InstanceType): number {
  return Math.max(job.vcpus / type.vcpus, job.memoryGiB / type.memoryGiB, type.gpus > 0 ? job.gpus / type.gpus : 0);
}

export interface InstanceChoice {
  type: InstanceType;
  quote: PriceQuote;
  share: number;
  /** Cheaper allowed types the job does not fit on, with why. */
  rejected: string[];
}

function whyNotFit(job: JobShape, type: InstanceType): string {
  if (job.vcpus > type.vcpus) return `${type.name} has ${type.vcpus} vCPU`;
  if (job.memoryGiB > BATCH_MEMORY_SHARE * type.memoryGiB)
    return `${type.name} gives jobs ${round(BATCH_MEMORY_SHARE * type.memoryGiB)} GiB (0.96 × ${type.memoryGiB})`;
  return `${type.name} has ${type.gpus} GPU`;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/** The us-east-1 price of a type the table has no row for in `region`, marked as an estimate on its date. */
export function estimatedQuote(
  ec2: PricingSource<Ec2Query>,
  region: string,
  instanceType: string,
): PriceQuote | undefined {
  if (region === FALLBACK_REGION) return undefined;
  const quote = ec2.price({ region: FALLBACK_REGION, instanceType });
  return quote ? { ...quote, date: `${quote.date} (ESTIMATE: ${FALLBACK_REGION} price; no ${region} row)` } : undefined;
}

/** The cheapest allowed instance type (by its hourly price) that the job fits on. */
export function cheapestFittingInstance(
  job: JobShape,
  types: readonly InstanceType[],
  ec2: PricingSource<Ec2Query>,
  region: string,
): InstanceChoice | undefined {
  const priced = types
    .flatMap((type) => {
      const quote = ec2.price({ region, instanceType: type.name }) ?? estimatedQuote(ec2, region, type.name);
      return quote ? [{ type, quote }] : [];
    })
    .sort((a, b) => a.quote.value - b.quote.value || (a.type.name < b.type.name ? -1 : 1));
  const rejected: string[] = [];
  for (const { type, quote } of priced) {
    if (fits(job, type)) return { type, quote, share: packingShare(job, type), rejected };
    rejected.push(whyNotFit(job, type));
  }
  return undefined;
}
