// https://docs.aws.amazon.com/batch/latest/userguide/compute_environments.html — EC2 and SPOT compute environments
import { cheapestFittingInstance, estimatedQuote, resolveInstanceTypes } from "../instance-types.js";
import type { CostLine } from "../model.js";
import type { PriceBook } from "../prices.js";
import type { InstanceType } from "../sources/aws-ec2.js";
import type { PriceQuote } from "../types.js";
import {
  billedHours,
  defineEstimator,
  formatNumber,
  pricedLine,
  unpricedLine,
  usageNumber,
  type ComputeEnvironmentFacts,
  type UsageKey,
} from "./estimator.js";

const UTILIZATION: UsageKey = {
  key: "ec2_utilization",
  type: "number",
  minimum: 0.05,
  maximum: 1,
  default: 0.85,
  description: "Share of paid instance time that runs jobs (scale-up/down idle, fragmentation); 0.85 is an ESTIMATE",
};

const SPOT_RERUN_OVERHEAD: UsageKey = {
  key: "spot_rerun_overhead",
  type: "number",
  minimum: 0,
  maximum: 1,
  default: 0.05,
  description: "Extra run time from Spot interruptions of jobs that do not checkpoint; 0.05 is an ESTIMATE",
};

const EC2_MINIMUM_BILLING_MINUTES = 1;

interface SpotRate {
  /** Multiplier on the on-demand price. */
  factor: number;
  quote: PriceQuote;
  text: string;
  bidBelowTypical: boolean;
}

const percent = (fraction: number) => `${formatNumber(fraction * 100, 1)}%`;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The Spot price of an instance type as a share of its on-demand price, from the most specific figure the tables
 * have: its own measured median in the region (ec2_spot.csv), else the median share of its family's measured types
 * in that region, else the family's default discount (spot_discount_defaults.csv). Each says which it used.
 */
function spotShare(
  prices: PriceBook,
  region: string,
  type: InstanceType,
  onDemand: PriceQuote,
): { share: number; quote: PriceQuote; text: string } | undefined {
  const measured = prices["aws-ec2-spot-price"].price({ region, instanceType: type.name });
  if (measured && onDemand.value > 0) {
    const share = measured.value / onDemand.value;
    return {
      share,
      quote: measured,
      text: `Spot $${measured.value}/h measured for ${type.name} in ${region} (${measured.note}; ${measured.date}), ${percent(1 - share)} off on-demand`,
    };
  }
  const siblings = prices["aws-ec2-spot-price"].rows.flatMap((row) => {
    if (row.region !== region || row.instance_type?.split(".")[0] !== type.family) return [];
    const spot = prices["aws-ec2-spot-price"].price({ region, instanceType: row.instance_type });
    const sibling = prices["aws-ec2"].price({ region, instanceType: row.instance_type });
    return spot && sibling && sibling.value > 0 ? [{ spot, share: spot.value / sibling.value }] : [];
  });
  if (siblings.length > 0) {
    const share = median(siblings.map((s) => s.share));
    return {
      share,
      quote: siblings[0]!.spot,
      text: `Spot at the median share of ${siblings.length} measured ${type.family} type${siblings.length === 1 ? "" : "s"} in ${region} (no ${type.name} row; ${siblings[0]!.spot.date}), ${percent(1 - share)} off on-demand`,
    };
  }
  const discount = prices["aws-ec2-spot"].price({ family: type.family, gpu: type.gpus > 0 });
  if (!discount) return undefined;
  return {
    share: 1 - discount.value,
    quote: discount,
    text: `Spot ${percent(discount.value)} off (no measured ${type.family} Spot price in ${region}; ${discount.note ?? type.family})`,
  };
}

function spotRate(
  prices: PriceBook,
  region: string,
  type: InstanceType,
  onDemand: PriceQuote,
  bidPercentage: number | undefined,
): SpotRate | undefined {
  const spot = spotShare(prices, region, type, onDemand);
  if (!spot) return undefined;
  const bidFactor = bidPercentage !== undefined ? bidPercentage / 100 : 1;
  const bidBelowTypical = bidFactor < spot.share;
  // A bid below the going price buys no capacity until the price falls to it; the cap is then what is paid at most.
  const text =
    spot.text +
    (bidPercentage === undefined
      ? ""
      : bidBelowTypical
        ? `; bid cap ${bidPercentage}% of on-demand is below it: jobs wait for capacity, priced at the cap`
        : `; bid cap ${bidPercentage}% of on-demand is above it`);
  return { factor: Math.min(spot.share, bidFactor), quote: spot.quote, text, bidBelowTypical };
}

/** A managed EC2 environment without readable instance types gets `optimal`: CDK's default, and the console's. */
const UNWRITTEN_TYPES =
  "instance types not written literally: AWS Batch's optimal assumed (the CDK and console default)";

function writtenTypes(environment: ComputeEnvironmentFacts): readonly string[] {
  return environment.instanceTypes?.length ? environment.instanceTypes : ["optimal"];
}

function isEc2(environment: ComputeEnvironmentFacts | undefined): boolean {
  return environment?.resourceType === "EC2" || environment?.resourceType === "SPOT";
}

export default defineEstimator({
  id: "aws-batch-ec2",
  platform: "aws",
  usage: [UTILIZATION, SPOT_RERUN_OVERHEAD],
  appliesTo: (workload) => isEc2(workload.computeEnvironment),
  estimate({ workload, usage, region, prices, plan }) {
    const environment = workload.computeEnvironment!;
    const spot = environment.resourceType === "SPOT";
    const { hours, text } = billedHours(plan, EC2_MINIMUM_BILLING_MINUTES);
    const base = {
      workload: workload.name,
      subject: workload.id,
      platform: "aws" as const,
      estimator: "aws-batch-ec2",
      scenario: plan.scenario,
      quantity: hours,
      unit: "job-hour",
      fromUsage: plan.fromUsage,
    };
    const label = `${environment.name} (${environment.resourceType})`;
    if (workload.vcpus === undefined || workload.memoryMiB === undefined) {
      return [
        unpricedLine(
          { ...base, description: label, assumption: text },
          "the job definition's vCPU or memory could not be read",
        ),
      ];
    }
    const resolved = resolveInstanceTypes(writtenTypes(environment), prices["aws-ec2"], region);
    if (!environment.instanceTypes?.length) resolved.notes.push(UNWRITTEN_TYPES);
    if (resolved.types.length === 0) {
      const written = environment.instanceTypes?.join(", ") || "none written";
      return [
        unpricedLine(
          { ...base, description: label, assumption: text },
          `no priced instance type in ${region} for ${written}`,
        ),
      ];
    }
    const job = { vcpus: workload.vcpus, memoryGiB: workload.memoryMiB / 1024, gpus: workload.gpus };
    const choice = cheapestFittingInstance(job, resolved.types, prices["aws-ec2"], region);
    if (!choice) {
      return [
        unpricedLine(
          { ...base, description: label, assumption: text },
          `no allowed instance type fits ${job.vcpus} vCPU / ${formatNumber(job.memoryGiB, 2)} GiB / ${job.gpus} GPU`,
        ),
      ];
    }
    const utilization = usageNumber(usage, UTILIZATION)!;
    const derivation = [
      `${choice.type.name} at $${choice.quote.value}/h on-demand, cheapest allowed type that fits` +
        (choice.rejected.length ? ` (${choice.rejected.join("; ")})` : ""),
      ...resolved.notes,
      `packing share ${formatNumber(choice.share, 3)} of the instance`,
      `÷ ${utilization} utilization`,
    ];
    let rate = (choice.quote.value * choice.share) / utilization;
    const priceRefs = [choice.quote];
    if (spot) {
      const family = choice.type.family;
      const discount = spotRate(prices, region, choice.type, choice.quote, environment.bidPercentage);
      if (!discount)
        return [
          unpricedLine(
            { ...base, description: `${choice.type.name} Spot`, assumption: text },
            `no Spot price or discount for ${family}`,
          ),
        ];
      const overhead = usageNumber(usage, SPOT_RERUN_OVERHEAD)!;
      rate = rate * discount.factor * (1 + overhead);
      derivation.push(discount.text, `× (1 + ${overhead}) Spot rerun overhead`);
      priceRefs.push(discount.quote);
    }
    const line: CostLine = pricedLine(
      {
        ...base,
        description: `${choice.type.name} ${spot ? "Spot" : "on-demand"} via ${environment.name}`,
        assumption: `${text}; ${derivation.join("; ")}; compute environment ${workload.computeEnvironmentBasis}`,
        prices: priceRefs.map(({ sourceId, source, date }) => ({ sourceId, source, date })),
      },
      rate,
    );
    return [line];
  },
  ceiling(environment, prices, region) {
    const resolved = resolveInstanceTypes(writtenTypes(environment), prices["aws-ec2"], region);
    const spot = environment.resourceType === "SPOT";
    const quantity = (environment.maxVcpus ?? 0) * 730;
    const base = {
      workload: environment.name,
      subject: environment.id,
      platform: "aws" as const,
      estimator: "aws-batch-ec2",
      scenario: "ceiling" as const,
      description: `${environment.name} fully busy (${environment.resourceType})`,
      quantity,
      unit: "vCPU-hour",
      fromUsage: false,
    };
    const assumption = `max ${environment.maxVcpus ?? "?"} vCPU × 730 h/month, an "if fully busy" bound, not a forecast`;
    if (environment.maxVcpus === undefined) return [unpricedLine({ ...base, assumption }, "max vCPUs unknown")];
    const perVcpu = resolved.types
      .flatMap((type) => {
        const quote =
          prices["aws-ec2"].price({ region, instanceType: type.name }) ??
          estimatedQuote(prices["aws-ec2"], region, type.name);
        return quote ? [{ type, quote, rate: quote.value / type.vcpus }] : [];
      })
      .sort((a, b) => a.rate - b.rate)[0];
    if (!perVcpu) return [unpricedLine({ ...base, assumption }, `no priced instance type in ${region}`)];
    let rate = perVcpu.rate;
    const refs = [perVcpu.quote];
    let detail = `cheapest $/vCPU-h among allowed types: ${perVcpu.type.name} $${perVcpu.quote.value}/h ÷ ${perVcpu.type.vcpus} vCPU`;
    if (spot) {
      const discount = spotRate(prices, region, perVcpu.type, perVcpu.quote, environment.bidPercentage);
      if (!discount)
        return [unpricedLine({ ...base, assumption }, `no Spot price or discount for ${perVcpu.type.family}`)];
      rate *= discount.factor;
      detail += `; ${discount.text}`;
      refs.push(discount.quote);
    }
    return [
      pricedLine(
        {
          ...base,
          assumption: `${assumption}; ${detail}`,
          prices: refs.map(({ sourceId, source, date }) => ({ sourceId, source, date })),
        },
        rate,
      ),
    ];
  },
});

export function bidBelowTypicalSpot(
  environment: ComputeEnvironmentFacts,
  prices: PriceBook,
  region: string,
  type: InstanceType,
  onDemand: PriceQuote,
): boolean {
  return spotRate(prices, region, type, onDemand, environment.bidPercentage)?.bidBelowTypical ?? false;
}
