// https://aws.amazon.com/fargate/pricing/ — FARGATE and FARGATE_SPOT compute environments
import { roundUpToFargateSize } from "../fargate-sizes.js";
import type { CostLine } from "../model.js";
import {
  billedHours,
  defineEstimator,
  formatNumber,
  pricedLine,
  unpricedLine,
  usageString,
  type UsageKey,
} from "./estimator.js";

const ARCHITECTURE: UsageKey = {
  key: "fargate_cpu_architecture",
  type: "string",
  enum: ["x86_64", "arm64"],
  default: "x86_64",
  description: "Fargate runtime platform CPU architecture",
};

const FARGATE_MINIMUM_BILLING_MINUTES = 1;

export default defineEstimator({
  id: "aws-batch-fargate",
  platform: "aws",
  usage: [ARCHITECTURE],
  appliesTo: (workload) =>
    workload.computeEnvironment?.resourceType === "FARGATE" ||
    workload.computeEnvironment?.resourceType === "FARGATE_SPOT",
  estimate({ workload, usage, region, prices, plan }) {
    const environment = workload.computeEnvironment!;
    const capacity = environment.resourceType === "FARGATE_SPOT" ? "spot" : "on_demand";
    const capacityLabel = capacity === "spot" ? "Fargate Spot" : "Fargate";
    const { hours, text } = billedHours(plan, FARGATE_MINIMUM_BILLING_MINUTES);
    const base = {
      workload: workload.name,
      subject: workload.id,
      platform: "aws" as const,
      estimator: "aws-batch-fargate",
      scenario: plan.scenario,
      fromUsage: plan.fromUsage,
    };
    if (workload.gpus > 0) {
      return [
        unpricedLine(
          {
            ...base,
            description: `${capacityLabel} via ${environment.name}`,
            quantity: hours,
            unit: "job-hour",
            assumption: text,
          },
          "GPU jobs cannot run on Fargate: the compute environment is misconfigured",
        ),
      ];
    }
    if (workload.vcpus === undefined || workload.memoryMiB === undefined) {
      return [
        unpricedLine(
          {
            ...base,
            description: `${capacityLabel} via ${environment.name}`,
            quantity: hours,
            unit: "job-hour",
            assumption: text,
          },
          "the job definition's vCPU or memory could not be read",
        ),
      ];
    }
    const memoryGb = workload.memoryMiB / 1024;
    const size = roundUpToFargateSize(workload.vcpus, memoryGb);
    if (!size) {
      return [
        unpricedLine(
          {
            ...base,
            description: `${capacityLabel} via ${environment.name}`,
            quantity: hours,
            unit: "job-hour",
            assumption: text,
          },
          "above Fargate's largest size (16 vCPU / 120 GB)",
        ),
      ];
    }
    const arch = usageString(usage, ARCHITECTURE)!;
    const sizeText = `${workload.vcpus} vCPU / ${formatNumber(memoryGb, 2)} GB rounded up to the Fargate size ${size.vcpus} vCPU / ${size.memoryGb} GB (${arch})`;
    const lines: CostLine[] = [];
    for (const dimension of ["vcpu", "memory"] as const) {
      const perJobHour = dimension === "vcpu" ? size.vcpus : size.memoryGb;
      const lineBase = {
        ...base,
        description: `${capacityLabel} ${dimension === "vcpu" ? "vCPU" : "memory"} via ${environment.name}`,
        quantity: hours * perJobHour,
        unit: dimension === "vcpu" ? "vCPU-hour" : "GB-hour",
        assumption: `${text} × ${perJobHour} ${dimension === "vcpu" ? "vCPU" : "GB"}; ${sizeText}; compute environment ${workload.computeEnvironmentBasis}`,
      };
      const quote = prices["aws-fargate"].price({ region, arch, capacity, dimension });
      lines.push(
        quote
          ? pricedLine(
              { ...lineBase, prices: [{ sourceId: quote.sourceId, source: quote.source, date: quote.date }] },
              quote.value,
            )
          : unpricedLine(lineBase, `no ${capacityLabel} ${arch} rate for ${region}`),
      );
    }
    return lines;
  },
  ceiling(environment, prices, region) {
    const capacity = environment.resourceType === "FARGATE_SPOT" ? "spot" : "on_demand";
    const base = {
      workload: environment.name,
      subject: environment.id,
      platform: "aws" as const,
      estimator: "aws-batch-fargate",
      scenario: "ceiling" as const,
      description: `${environment.name} fully busy (${environment.resourceType})`,
      quantity: (environment.maxVcpus ?? 0) * 730,
      unit: "vCPU-hour",
      fromUsage: false,
    };
    const assumption = `max ${environment.maxVcpus ?? "?"} vCPU × 730 h/month, an "if fully busy" bound, not a forecast; each vCPU with Fargate's smallest memory per vCPU (2 GB at 1 vCPU), x86_64`;
    if (environment.maxVcpus === undefined) return [unpricedLine({ ...base, assumption }, "max vCPUs unknown")];
    const vcpu = prices["aws-fargate"].price({ region, arch: "x86_64", capacity, dimension: "vcpu" });
    const memory = prices["aws-fargate"].price({ region, arch: "x86_64", capacity, dimension: "memory" });
    if (!vcpu || !memory) return [unpricedLine({ ...base, assumption }, `no Fargate rate for ${region}`)];
    return [
      pricedLine(
        {
          ...base,
          assumption,
          prices: [vcpu, memory].map(({ sourceId, source, date }) => ({ sourceId, source, date })),
        },
        vcpu.value + 2 * memory.value,
      ),
    ];
  },
});
