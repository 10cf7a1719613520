import type { CostLine, CostPlatform, CostScenario, CostSection, CostTotal } from "./model.js";
import { staleTableWarnings, type PriceBook } from "./prices.js";
import { ESTIMATORS } from "./resources/index.js";
import {
  formatNumber,
  type ComputeEnvironmentFacts,
  type CostEstimator,
  type EstimateInput,
  type RunPlan,
  type WorkloadFacts,
} from "./resources/estimator.js";
import { DEFAULT_REGION, type JobUsage, type UsageFile } from "./usage.js";
import type { PricingSource } from "./types.js";
import { earliestDay } from "./dates.js";

export type TargetPlatform = Exclude<CostPlatform, "aws">;

export interface EstimateOptions {
  workloads: readonly WorkloadFacts[];
  computeEnvironments: readonly ComputeEnvironmentFacts[];
  targets: readonly TargetPlatform[];
  prices: PriceBook;
  usage?: UsageFile;
  /** The day price ages are measured on. */
  now: Date;
  /** Aliases a usage entry may be keyed by, per workload id (IaC address, inventory id). */
  aliases?: Record<string, string[]>;
}

const MODEL_ASSUMPTIONS = [
  "Prices are us-east-1 list prices unless the usage file sets `region`; currency USD; 730 hours a month.",
  "EC2 and Spot: each job is packed onto the cheapest allowed instance type of its compute environment that fits it (vCPU, 0.96 × memory, GPUs), billed for its packing share and divided by a utilization of 0.85 (ESTIMATE) for idle and fragmentation (reference/pricing.md §10).",
  "Spot (compute environments of type SPOT): the instance type's median Spot price over availability zones in the region from data/pricing/ec2_spot.csv (SkyPilot catalog snapshot, dated by its lower bound), else the median Spot share of the family's measured types in that region, else the family's default discount from data/pricing/spot_discount_defaults.csv; capped by the compute environment's bid percentage, plus 5% rerun overhead for interrupted jobs (ESTIMATE). Each cost line names which one it used.",
  "Fargate: the job's vCPU and memory rounded up to a valid Fargate size; per-second billing with a one-minute minimum.",
  "SaladCloud: a GPU job gets the cheapest GPU class with at least the VRAM of the GPU it has on AWS today, at the usage file's priority (default batch); GPU rates include vCPU and RAM. CPU-only jobs pay per vCPU-hour and GB-hour at batch priority. Reallocation overhead is not modelled.",
  "Common Compute bills per task: it is priced only where the usage file gives work units; otherwise it shows n/a, never $0.",
  'Without a usage file there is no monthly figure: each job definition shows the cost of one run (at its usage runtime, else its timeout, else 1 hour) and each compute environment its "fully busy" ceiling.',
];

function usageFor(
  workload: WorkloadFacts,
  usage: UsageFile | undefined,
  aliases: string[],
): { entry?: JobUsage; key?: string } {
  if (!usage) return {};
  for (const key of [workload.name, ...aliases]) {
    const entry = usage.jobDefinitions[key];
    if (entry) return { entry, key };
  }
  return {};
}

function runPlans(workload: WorkloadFacts, entry: JobUsage | undefined): RunPlan[] {
  const arraySize = typeof entry?.array_size === "number" ? entry.array_size : 1;
  const runtime = typeof entry?.avg_runtime_minutes === "number" ? entry.avg_runtime_minutes : undefined;
  const perMonth = typeof entry?.jobs_per_month === "number" ? entry.jobs_per_month : undefined;
  const arrayText = arraySize > 1 ? ` × ${arraySize} array children` : "";
  const plans: RunPlan[] = [];
  if (perMonth !== undefined && runtime !== undefined) {
    plans.push({
      scenario: "monthly",
      runs: perMonth * arraySize,
      runtimeMinutes: runtime,
      basis: `${perMonth} jobs/month${arrayText} × ${runtime} min (usage file)`,
      fromUsage: true,
    });
  }
  const perRunMinutes = runtime ?? (workload.timeoutSeconds !== undefined ? workload.timeoutSeconds / 60 : 60);
  const why =
    runtime !== undefined
      ? "usage file runtime"
      : workload.timeoutSeconds !== undefined
        ? "its timeout"
        : "1 hour: no timeout and no usage";
  plans.push({
    scenario: "per-run",
    runs: arraySize,
    runtimeMinutes: perRunMinutes,
    basis: `one run${arrayText} × ${Math.round(perRunMinutes * 100) / 100} min (${why})`,
    fromUsage: runtime !== undefined,
  });
  return plans;
}

function totalsOf(lines: readonly CostLine[]): CostTotal[] {
  const totals = new Map<string, CostTotal>();
  const add = (platform: CostPlatform, scenario: CostScenario, workload: string | undefined, line: CostLine) => {
    const key = `${platform}|${scenario}|${workload ?? ""}`;
    const total = totals.get(key) ?? {
      platform,
      scenario,
      ...(workload !== undefined ? { workload } : {}),
      cost: null,
      unpricedLines: 0,
      fromUsageLines: 0,
      pricedLines: 0,
    };
    if (line.cost === null) total.unpricedLines++;
    else {
      total.cost = (total.cost ?? 0) + line.cost;
      total.pricedLines++;
      if (line.fromUsage) total.fromUsageLines++;
      if (line.range || total.min !== undefined) {
        // Bounds start from the sum of the lines before the first range.
        const before = total.cost - line.cost;
        total.min = (total.min ?? before) + (line.range?.min ?? line.cost);
        total.max = (total.max ?? before) + (line.range?.max ?? line.cost);
      }
    }
    totals.set(key, total);
  };
  for (const line of lines) {
    if (line.scenario !== "ceiling") add(line.platform, line.scenario, line.workload, line);
    add(line.platform, line.scenario, undefined, line);
  }
  return [...totals.values()].sort(
    (a, b) =>
      (a.platform < b.platform ? -1 : a.platform > b.platform ? 1 : 0) ||
      (a.scenario < b.scenario ? -1 : a.scenario > b.scenario ? 1 : 0) ||
      ((a.workload ?? "") < (b.workload ?? "") ? -1 : (a.workload ?? "") > (b.workload ?? "") ? 1 : 0),
  );
}

function awsEstimator(estimators: readonly CostEstimator[], workload: WorkloadFacts): CostEstimator | undefined {
  return estimators.find((estimator) => estimator.platform === "aws" && estimator.appliesTo(workload));
}

function unknownEnvironmentLine(input: EstimateInput, reason: string): CostLine {
  const { workload, plan } = input;
  return {
    workload: workload.name,
    subject: workload.id,
    platform: "aws",
    estimator: "none",
    scenario: plan.scenario,
    description: "AWS Batch today",
    quantity: (plan.runs * plan.runtimeMinutes) / 60,
    unit: "job-hour",
    unitPrice: null,
    cost: null,
    assumption: plan.basis,
    fromUsage: plan.fromUsage,
    prices: [],
    noPrice: reason,
  };
}

/** The sum of one estimator run's lines (Fargate prices vCPU and memory apart), or null when one has no price. */
function sumOf(lines: readonly CostLine[]): number | null {
  return lines.some((line) => line.cost === null) ? null : lines.reduce((sum, line) => sum + line.cost!, 0);
}

/**
 * AWS today for one run plan: on the linked (or pinned) compute environment; else over every candidate compute
 * environment, as one line whose figure is the likeliest candidate's and whose range spans all of them.
 */
function awsLines(input: EstimateInput, estimators: readonly CostEstimator[]): CostLine[] {
  const { workload } = input;
  if (workload.computeEnvironment) {
    const estimator = awsEstimator(estimators, workload);
    if (!estimator)
      return [
        unknownEnvironmentLine(
          input,
          `compute environment ${workload.computeEnvironment.name} has no known resource type`,
        ),
      ];
    const lines = estimator.estimate(input);
    return workload.pin ? lines.map((line) => ({ ...line, pin: workload.pin! })) : lines;
  }
  const candidates = workload.candidates ?? [];
  if (candidates.length === 0)
    return [unknownEnvironmentLine(input, `compute environment unknown: ${workload.computeEnvironmentBasis}`)];
  const priced = candidates.map((candidate) => {
    const facts: WorkloadFacts = {
      ...workload,
      computeEnvironment: candidate.computeEnvironment,
      computeEnvironmentBasis: workload.candidatesAssumed
        ? `assumed: ${candidate.label}`
        : `candidate ${candidate.label}`,
    };
    const estimator = awsEstimator(estimators, facts);
    const lines = estimator ? estimator.estimate({ ...input, workload: facts }) : [];
    const cost = lines.length ? sumOf(lines) : null;
    const why =
      cost === null
        ? (lines.find((line) => line.noPrice)?.noPrice ?? "no estimator for its resource type")
        : lines.map((line) => line.description).join(" + ");
    return { candidate, lines, cost, why };
  });
  const withPrice = priced.filter((entry) => entry.cost !== null);
  if (withPrice.length === 0)
    return [
      unknownEnvironmentLine(
        input,
        `${workload.computeEnvironmentBasis}; none of its ${candidates.length} candidates has a price (${priced.map((p) => `${p.candidate.label}: ${p.why}`).join("; ")})`,
      ),
    ];
  const byCost = [...withPrice].sort((a, b) => a.cost! - b.cost!);
  const likeliest = [...withPrice].sort(
    (a, b) => b.candidate.likeliness - a.candidate.likeliness || a.cost! - b.cost!,
  )[0]!;
  const cheapest = byCost[0]!;
  const assumed = workload.candidatesAssumed === true;
  const quantity =
    likeliest.lines.find((line) => line.unit === "job-hour")?.quantity ??
    (input.plan.runs * input.plan.runtimeMinutes) / 60;
  const prices = [
    ...new Map(
      withPrice.flatMap((p) => p.lines.flatMap((l) => l.prices)).map((r) => [`${r.sourceId}|${r.source}|${r.date}`, r]),
    ).values(),
  ];
  const label = assumed ? "assumed compute environment" : `${candidates.length} candidate queues`;
  const line: CostLine = {
    workload: workload.name,
    subject: workload.id,
    platform: "aws",
    estimator: likeliest.lines[0]!.estimator,
    scenario: input.plan.scenario,
    description: `range over ${label}: likeliest ${likeliest.candidate.label}, cheapest ${cheapest.candidate.label}`,
    quantity,
    unit: "job-hour",
    unitPrice: quantity > 0 ? likeliest.cost! / quantity : null,
    cost: likeliest.cost,
    assumption: `${workload.computeEnvironmentBasis}; each candidate priced: ${priced.map((p) => `${p.candidate.label} ${p.cost === null ? `no price (${p.why})` : `$${formatNumber(p.cost, 6)} (${p.why})`}`).join("; ")}; likeliest: ${likeliest.lines.map((l) => l.assumption).join(" + ")}`,
    fromUsage: input.plan.fromUsage,
    prices,
    range: {
      min: cheapest.cost!,
      max: byCost[byCost.length - 1]!.cost!,
      cheapest: cheapest.candidate.label,
      likeliest: likeliest.candidate.label,
      assumed,
      candidates: priced.map((p) => ({ label: p.candidate.label, cost: p.cost, why: p.why })),
    },
  };
  return [line];
}

const PLATFORM_ORDER: Record<CostPlatform, number> = { aws: 0, "common-compute": 1, salad: 2 };
const SCENARIO_ORDER: Record<CostScenario, number> = { monthly: 0, "per-run": 1, ceiling: 2 };

/** The cost section of the report: AWS today and each target, per workload, with every assumption shown. */
export function estimateCosts(options: EstimateOptions): CostSection {
  const region = options.usage?.region ?? DEFAULT_REGION;
  const lines: CostLine[] = [];
  const warnings: string[] = [];
  const matchedKeys = new Set<string>();
  const estimators = Object.values(ESTIMATORS);
  for (const workload of options.workloads) {
    const { entry, key } = usageFor(workload, options.usage, options.aliases?.[workload.id] ?? []);
    if (key) matchedKeys.add(key);
    if (entry && (entry.jobs_per_month === undefined) !== (entry.avg_runtime_minutes === undefined)) {
      warnings.push(
        `usage for ${workload.name} needs both jobs_per_month and avg_runtime_minutes for a monthly figure`,
      );
    }
    const first = lines.length;
    for (const plan of runPlans(workload, entry)) {
      const input = { workload, usage: entry ?? {}, region, prices: options.prices, plan };
      lines.push(...awsLines(input, estimators));
      for (const target of options.targets) {
        for (const estimator of estimators.filter((e) => e.platform === target && e.appliesTo(workload)))
          lines.push(...estimator.estimate(input));
      }
    }
    if (workload.sizeNote)
      for (const line of lines.slice(first)) line.assumption = `${line.assumption}; ${workload.sizeNote}`;
  }
  for (const environment of options.computeEnvironments) {
    const probe: WorkloadFacts = {
      id: environment.id,
      name: environment.name,
      gpus: 0,
      platform: "EC2",
      computeEnvironment: environment,
      computeEnvironmentBasis: "",
    };
    const aws = estimators.find((estimator) => estimator.platform === "aws" && estimator.appliesTo(probe));
    if (aws?.ceiling) lines.push(...aws.ceiling(environment, options.prices, region));
  }
  for (const key of Object.keys(options.usage?.jobDefinitions ?? {})) {
    if (!matchedKeys.has(key))
      warnings.push(
        `${options.usage!.path}: job_definitions.${key} matches no job definition found (names and IaC addresses are accepted)`,
      );
  }
  lines.sort(
    (a, b) =>
      (a.workload < b.workload ? -1 : a.workload > b.workload ? 1 : 0) ||
      SCENARIO_ORDER[a.scenario] - SCENARIO_ORDER[b.scenario] ||
      PLATFORM_ORDER[a.platform] - PLATFORM_ORDER[b.platform] ||
      (a.description < b.description ? -1 : a.description > b.description ? 1 : 0),
  );
  const tables = (Object.values(options.prices) as PricingSource<unknown>[])
    .map((source) => ({
      source,
      dates: lines.flatMap((line) =>
        line.prices.filter((price) => price.sourceId === source.id).map((price) => price.date),
      ),
    }))
    .filter((entry) => entry.dates.length > 0);
  warnings.push(...staleTableWarnings(tables, options.now));
  return {
    assumptions: [...MODEL_ASSUMPTIONS],
    lines,
    totals: totalsOf(lines),
    priceTables: tables.map(({ source, dates }) => ({
      id: source.id,
      title: source.title,
      origin: source.origin,
      asOf:
        dates
          .map(earliestDay)
          .filter((d): d is string => d !== undefined)
          .sort()[0] ?? null,
    })),
    warnings,
    usageFile: options.usage?.path ?? null,
  };
}
