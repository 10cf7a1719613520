// https://commoncompute.ai/pricing — per-task prices; there is no hourly compute price (pricing.md §7)
import { COMMON_COMPUTE_WORKLOADS } from "../sources/common-compute.js";
import { defineEstimator, pricedLine, unpricedLine, usageNumber, usageString, type UsageKey } from "./estimator.js";

const WORKLOAD: UsageKey = {
  key: "common_compute_workload",
  type: "string",
  enum: COMMON_COMPUTE_WORKLOADS,
  description: "The Common Compute workload this job does (embeddings|transcription|ocr|rerank|image_captioning)",
};

const UNITS: UsageKey = {
  key: "common_compute_units_per_month",
  type: "number",
  minimum: 0,
  description: "Work per month in the workload's unit: 1M tokens, audio hours, 1k pages, 1k pairs or 1k images",
};

const UNITS_PER_RUN: UsageKey = {
  key: "common_compute_units_per_run",
  type: "number",
  minimum: 0,
  description: "Work one run does, in the workload's unit (for the per-run comparison)",
};

const TIER: UsageKey = {
  key: "common_compute_tier",
  type: "string",
  enum: ["batch", "realtime"],
  default: "batch",
  description: "Common Compute price tier (realtime is 3× batch)",
};

export default defineEstimator({
  id: "common-compute-task",
  platform: "common-compute",
  usage: [WORKLOAD, UNITS, UNITS_PER_RUN, TIER],
  appliesTo: () => true,
  estimate({ workload, usage, prices, plan }) {
    const kind = usageString(usage, WORKLOAD);
    const units = usageNumber(usage, plan.scenario === "monthly" ? UNITS : UNITS_PER_RUN);
    const tier = usageString(usage, TIER) as "batch" | "realtime";
    const base = {
      workload: workload.name,
      subject: workload.id,
      platform: "common-compute" as const,
      estimator: "common-compute-task",
      scenario: plan.scenario,
      fromUsage: units !== undefined,
    };
    if (!kind || units === undefined) {
      const key = plan.scenario === "monthly" ? UNITS.key : UNITS_PER_RUN.key;
      return [
        unpricedLine(
          {
            ...base,
            description: "per-task pricing",
            quantity: 0,
            unit: "work unit",
            assumption: `Common Compute bills per task, not per hour: give ${WORKLOAD.key} and ${key} in the usage file`,
          },
          "n/a – per-task pricing needs work units (tokens, audio hours, pages)",
        ),
      ];
    }
    const quote = prices["common-compute"].price({ workload: kind, tier });
    const lineBase = {
      ...base,
      description: `${kind} at ${tier} tier`,
      quantity: units,
      unit: quote?.unit ?? "work unit",
      assumption: `${units} ${quote?.unit ?? "units"} ${plan.scenario === "monthly" ? "per month" : "per run"} (usage file); failed tasks are not billed`,
    };
    return [
      quote
        ? pricedLine(
            { ...lineBase, prices: [{ sourceId: quote.sourceId, source: quote.source, date: quote.date }] },
            quote.value,
          )
        : unpricedLine(lineBase, `no published ${tier} price for ${kind}`),
    ];
  },
});
