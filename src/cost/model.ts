import type { PriceReference } from "./types.js";

/** Where a job runs: AWS Batch today, or one of the targets. */
export type CostPlatform = "aws" | "common-compute" | "salad";

/** `monthly` needs usage; `per-run` is one run of the job definition; `ceiling` is a compute environment fully busy. */
export type CostScenario = "monthly" | "per-run" | "ceiling";

/** One priced (or unpriceable) quantity of the estimate. */
export interface CostLine {
  /** Job definition name, or the compute environment name for a `ceiling` line. */
  workload: string;
  /** Inventory id of the job definition or compute environment. */
  subject: string;
  platform: CostPlatform;
  /** Resource-kind estimator that produced the line (`aws-batch-ec2`, `salad-container-group`…). */
  estimator: string;
  scenario: CostScenario;
  /** What is bought: `g5.2xlarge Spot, packed`, `Fargate Spot vCPU`, `RTX 3090 (24 GB) at batch priority`. */
  description: string;
  quantity: number;
  /** Unit of `quantity`: `job-hour`, `vCPU-hour`, `GB-hour`, `1M tokens`… */
  unit: string;
  /** Price per unit in USD; null when there is no price. */
  unitPrice: number | null;
  /** quantity × unitPrice; null when there is no price (never 0). */
  cost: number | null;
  /** The assumption behind the quantity and the unit price. */
  assumption: string;
  /** True when the quantity comes from the usage file. */
  fromUsage: boolean;
  /** Source and date of every price the unit price was built from. */
  prices: PriceReference[];
  /** Why there is no price, when `unitPrice` is null. */
  noPrice?: string;
  /**
   * When several compute environments could run the job (or none is known and one is assumed): the figure of each
   * candidate. `cost` is then the likeliest candidate's figure, and `min`/`max` bound it.
   */
  range?: CostRange;
  /** The usage-file pin the line was priced from (`queue: gpu-queue`, `instance_type: c5.2xlarge`). */
  pin?: string;
}

export interface CostRange {
  min: number;
  max: number;
  /** Label of the cheapest candidate. */
  cheapest: string;
  /** Label of the likeliest candidate, whose figure is the line's `cost`. */
  likeliest: string;
  /** True when no compute environment was found and the candidates are assumed ones. */
  assumed: boolean;
  candidates: { label: string; cost: number | null; why: string }[];
}

/** A sum of cost lines; lines without a price are counted, never added as 0. */
export interface CostTotal {
  platform: CostPlatform;
  scenario: CostScenario;
  /** Job definition name; absent for the total over every workload. */
  workload?: string;
  /** Sum of the priced lines in USD; null when no line of the total has a price (never 0 for "unknown"). */
  cost: number | null;
  /** Lines in this total that have no price. */
  unpricedLines: number;
  /** Bounds of the total when some of its lines are ranges (the lowest and highest candidate of each). */
  min?: number;
  max?: number;
  /** Priced lines whose quantity came from the usage file, and all priced lines: the confidence of the figure. */
  fromUsageLines: number;
  pricedLines: number;
}

/** A pricing table the estimate used, with its date. */
export interface PriceTableInfo {
  id: string;
  title: string;
  origin: string;
  asOf: string | null;
}

export interface CostSection {
  /** Every assumption, worded for a reader, with where it comes from. */
  assumptions: string[];
  lines: CostLine[];
  totals: CostTotal[];
  /** The price tables used and their dates. */
  priceTables: PriceTableInfo[];
  /** Stale tables, usage entries that match no job definition, capacity risks. */
  warnings: string[];
  /** The usage file the monthly lines come from, when one was given. */
  usageFile: string | null;
}
