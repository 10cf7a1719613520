import type { PriceBook } from "../prices.js";
import type { CostLine, CostPlatform } from "../model.js";
import type { JobUsage } from "../usage.js";

/** A usage key an estimator reads from `migrate-usage.yml`, with its default (none means: never assumed). */
export interface UsageKey {
  key: string;
  type: "number" | "integer" | "string";
  enum?: readonly string[];
  minimum?: number;
  maximum?: number;
  default?: number | string;
  description: string;
}

/** The compute environment a job definition runs on today, as far as the links tell. */
export interface ComputeEnvironmentFacts {
  id: string;
  name: string;
  /** `EC2`, `SPOT`, `FARGATE` or `FARGATE_SPOT`. */
  resourceType?: string;
  instanceTypes?: string[];
  maxVcpus?: number;
  bidPercentage?: number;
}

/** What the estimators need to know of one job definition. */
export interface WorkloadFacts {
  id: string;
  name: string;
  vcpus?: number;
  memoryMiB?: number;
  gpus: number;
  timeoutSeconds?: number;
  /** `EC2` or `FARGATE`. */
  platform: string;
  computeEnvironment?: ComputeEnvironmentFacts;
  /** How the compute environment was found (a link, a literal queue, the only compatible queue). */
  computeEnvironmentBasis: string;
  /** Compute environments that could run it when the links leave several (or none: then assumed ones). */
  candidates?: CandidateEnvironment[];
  /** Whether `candidates` are assumed (no compute environment of the repository can run it). */
  candidatesAssumed?: boolean;
  /** The usage-file pin that chose `computeEnvironment`, as `key: value`. */
  pin?: string;
  /** Where the size came from when call sites override the job definition's (`containerOverrides at a.py:3`). */
  sizeNote?: string;
}

/** One compute environment that may run a workload, with how likely it is the one. */
export interface CandidateEnvironment {
  /** `queue → compute environment`, for the reader. */
  label: string;
  computeEnvironment: ComputeEnvironmentFacts;
  /** Higher is likelier (GPU match, name overlap); ties go to the cheapest. */
  likeliness: number;
}

/** How many job runs to price and for how long each. */
export interface RunPlan {
  scenario: "monthly" | "per-run";
  /** Job runs (array children count one each). */
  runs: number;
  runtimeMinutes: number;
  /** The assumption behind runs × runtime, for the cost line. */
  basis: string;
  fromUsage: boolean;
}

export interface EstimateInput {
  workload: WorkloadFacts;
  usage: JobUsage;
  region: string;
  prices: PriceBook;
  plan: RunPlan;
}

/** One resource kind of pricing.md §10: declares its usage keys and turns a workload into cost lines. */
export interface CostEstimator {
  /** Stable id, equal to its file name. */
  id: string;
  platform: CostPlatform;
  /** Usage keys it reads, with defaults. */
  usage: readonly UsageKey[];
  /** Whether it prices this workload (AWS estimators pick the compute environment type they know). */
  appliesTo(workload: WorkloadFacts): boolean;
  estimate(input: EstimateInput): CostLine[];
  /** The compute environment's "fully busy" bound, for AWS estimators. */
  ceiling?(environment: ComputeEnvironmentFacts, prices: PriceBook, region: string): CostLine[];
}

export function defineEstimator(estimator: CostEstimator): CostEstimator {
  return estimator;
}

/** Billed hours of a run plan with a per-job minimum billing time (pricing.md §10). */
export function billedHours(plan: RunPlan, minimumMinutes: number): { hours: number; text: string } {
  const minutes = Math.max(plan.runtimeMinutes, minimumMinutes);
  const floor = minutes > plan.runtimeMinutes ? ` (billed at the ${minimumMinutes}-minute minimum)` : "";
  return { hours: (plan.runs * minutes) / 60, text: `${plan.basis}${floor}` };
}

export function usageNumber(usage: JobUsage, key: UsageKey): number | undefined {
  const value = usage[key.key] ?? key.default;
  return typeof value === "number" ? value : undefined;
}

export function usageString(usage: JobUsage, key: UsageKey): string | undefined {
  const value = usage[key.key] ?? key.default;
  return typeof value === "string" ? value : undefined;
}

/** A line whose quantity is known but whose price is not: shown as "no price", never as $0. */
export function unpricedLine(
  base: Omit<CostLine, "unitPrice" | "cost" | "prices" | "noPrice">,
  reason: string,
): CostLine {
  return { ...base, unitPrice: null, cost: null, prices: [], noPrice: reason };
}

export function pricedLine(base: Omit<CostLine, "unitPrice" | "cost" | "noPrice">, unitPrice: number): CostLine {
  return { ...base, unitPrice, cost: base.quantity * unitPrice };
}

export function formatNumber(value: number, digits = 4): string {
  return String(Math.round(value * 10 ** digits) / 10 ** digits);
}
