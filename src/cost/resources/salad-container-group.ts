// https://docs.salad.com/container-engine/explanation/billing-and-pricing/billing — GPU rates include vCPU and RAM
import { cheapestFittingInstance, resolveInstanceTypes } from "../instance-types.js";
import type { PriceBook } from "../prices.js";
import { SALAD_PRIORITIES, saladGpuClasses, type SaladPriority } from "../sources/salad.js";
import {
  billedHours,
  defineEstimator,
  formatNumber,
  pricedLine,
  unpricedLine,
  usageNumber,
  usageString,
  type UsageKey,
  type WorkloadFacts,
} from "./estimator.js";

const PRIORITY: UsageKey = {
  key: "salad_priority",
  type: "string",
  enum: SALAD_PRIORITIES,
  default: "batch",
  description:
    "SaladCloud priority tier for GPU container groups (high|medium|low|batch); CPU-only groups always run at batch",
};

const GPU_VRAM: UsageKey = {
  key: "gpu_vram_gb",
  type: "number",
  minimum: 1,
  description: "GPU memory one job needs, in GB (default: the memory of the GPU it gets on AWS today)",
};

/** SaladCloud container limits (targets.md B.4: `resources.cpu` 1–16, `memory` ≥ 1024 MB). */
const SALAD_MAX_VCPUS = 16;
/** Above this, Salad capacity is unverified (pricing.md §6: no source gave per-container RAM limits). */
const SALAD_VERIFY_MEMORY_GB = 64;

/** The GPU memory of the instance the job gets today, when its compute environment is known. */
export function gpuMemoryToday(
  workload: WorkloadFacts,
  prices: PriceBook,
  region: string,
): { gb: number; instance: string } | undefined {
  const environment = workload.computeEnvironment;
  if (!environment?.instanceTypes || workload.vcpus === undefined || workload.memoryMiB === undefined) return undefined;
  const { types } = resolveInstanceTypes(environment.instanceTypes, prices["aws-ec2"], region);
  const choice = cheapestFittingInstance(
    { vcpus: workload.vcpus, memoryGiB: workload.memoryMiB / 1024, gpus: workload.gpus },
    types,
    prices["aws-ec2"],
    region,
  );
  return choice?.type.gpuMemoryGiB !== undefined
    ? { gb: choice.type.gpuMemoryGiB, instance: `${choice.type.name} (${choice.type.gpuModel ?? "GPU"})` }
    : undefined;
}

export default defineEstimator({
  id: "salad-container-group",
  platform: "salad",
  usage: [PRIORITY, GPU_VRAM],
  appliesTo: () => true,
  estimate({ workload, usage, region, prices, plan }) {
    const { hours, text } = billedHours(plan, 0);
    const base = {
      workload: workload.name,
      subject: workload.id,
      platform: "salad" as const,
      estimator: "salad-container-group",
      scenario: plan.scenario,
      quantity: hours,
      fromUsage: plan.fromUsage,
    };
    const perSecond = "per-second billing, no minimum, cold boot unbilled";
    if (workload.gpus > 0) {
      const priority = usageString(usage, PRIORITY) as SaladPriority;
      const unit = "GPU-hour";
      if (workload.gpus > 1) {
        return [
          unpricedLine(
            { ...base, unit, description: `${workload.gpus} GPUs`, assumption: text },
            "SaladCloud Community gives one GPU per instance",
          ),
        ];
      }
      const written = usageNumber(usage, GPU_VRAM);
      const today = written === undefined ? gpuMemoryToday(workload, prices, region) : undefined;
      const need = written ?? today?.gb;
      if (need === undefined) {
        return [
          unpricedLine(
            { ...base, unit, description: "GPU class", assumption: text },
            "GPU memory unknown: set gpu_vram_gb in the usage file",
          ),
        ];
      }
      const needText =
        written !== undefined ? `${need} GB VRAM (usage file)` : `${need} GB VRAM, as on ${today!.instance} today`;
      const candidates = saladGpuClasses(prices.salad.rows)
        .filter((gpuClass) => gpuClass.vramGb >= need)
        .flatMap((gpuClass) => {
          const quote = prices.salad.price({ kind: "gpu", className: gpuClass.name, priority });
          return quote ? [{ gpuClass, quote }] : [];
        })
        .sort(
          (a, b) =>
            a.quote.value - b.quote.value ||
            b.gpuClass.vramGb - a.gpuClass.vramGb ||
            (a.gpuClass.name < b.gpuClass.name ? -1 : 1),
        );
      const best = candidates[0];
      if (!best) {
        const largest = Math.max(...saladGpuClasses(prices.salad.rows).map((c) => c.vramGb));
        return [
          unpricedLine(
            {
              ...base,
              unit,
              description: `GPU with ≥ ${need} GB at ${priority} priority`,
              assumption: `${text}; ${needText}`,
            },
            `no SaladCloud Community class with a ${priority} price has ${need} GB or more (largest listed: ${largest} GB); SaladCloud Secure sells 8-GPU A100/L40S nodes with no published price`,
          ),
        ];
      }
      return [
        pricedLine(
          {
            ...base,
            unit,
            description: `${best.gpuClass.name} at ${priority} priority`,
            assumption: `${text}; ${needText}: cheapest class with enough VRAM at ${priority} priority; the GPU rate includes vCPU and RAM; ${perSecond}`,
            prices: [{ sourceId: best.quote.sourceId, source: best.quote.source, date: best.quote.date }],
          },
          best.quote.value,
        ),
      ];
    }
    if (workload.vcpus === undefined || workload.memoryMiB === undefined) {
      return [
        unpricedLine(
          { ...base, unit: "job-hour", description: "CPU-only container", assumption: text },
          "the job definition's vCPU or memory could not be read",
        ),
      ];
    }
    const vcpus = Math.max(1, Math.ceil(workload.vcpus));
    const memoryGb = Math.max(1, workload.memoryMiB / 1024);
    if (vcpus > SALAD_MAX_VCPUS) {
      return [
        unpricedLine(
          { ...base, unit: "job-hour", description: `CPU-only container, ${vcpus} vCPU`, assumption: text },
          `SaladCloud containers take 1–${SALAD_MAX_VCPUS} vCPU`,
        ),
      ];
    }
    const cpu = prices.salad.price({ kind: "cpu" });
    const ram = prices.salad.price({ kind: "ram" });
    const verify =
      memoryGb > SALAD_VERIFY_MEMORY_GB
        ? `; more than ${SALAD_VERIFY_MEMORY_GB} GB: verify SaladCloud availability`
        : "";
    const description = `CPU-only container, ${vcpus} vCPU + ${formatNumber(memoryGb, 2)} GB at batch priority`;
    const assumption = `${text}; CPU-only groups always run at batch priority; ${vcpus} vCPU × $/vCPU-h + ${formatNumber(memoryGb, 2)} GB × $/GB-h; ${perSecond}${verify}`;
    if (!cpu || !ram)
      return [unpricedLine({ ...base, unit: "job-hour", description, assumption }, "no SaladCloud CPU or RAM rate")];
    return [
      pricedLine(
        {
          ...base,
          unit: "job-hour",
          description,
          assumption,
          prices: [cpu, ram].map(({ sourceId, source, date }) => ({ sourceId, source, date })),
        },
        vcpus * cpu.value + memoryGb * ram.value,
      ),
    ];
  },
});
