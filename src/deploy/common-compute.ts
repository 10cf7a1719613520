// https://commoncompute.ai/docs/migrate-from-aws-batch — facts in reference/targets.md A.2–A.4
import type { InventoryItem } from "../core/types.js";
import { callSiteEntries } from "./call-site-names.js";
import { guessWorkloadIn } from "./workloads.js";
import { placeJobDefinitions, queuesSharingComputeEnvironments, sourceOf, type JobPlacement } from "./placement.js";
import {
  registryConfig,
  jsonText,
  registerJobDefinitionShape,
  renderReadme,
  sortGaps,
  substituteDefaults,
  uniqueSaladNames,
  unresolvedGaps,
} from "./render.js";
import { markdownCode, markdownText } from "./escape.js";
import type { DeployDecision, DeployGap, DeployInput, DeployPlan, DeployTarget, GeneratedFile } from "./types.js";

export type CommonComputeTier = "priority" | "standard" | "batch";
/** Common Compute's `max_attempts` range (assumed API, targets.md A.4). */
const MAX_ATTEMPTS = { min: 1, max: 10 } as const;

export function guessWorkload(
  placement: JobPlacement,
): { workload: string; matched: string; input: string } | undefined {
  const { properties, definition } = placement;
  // Not the image: one image often serves several job definitions that do different things.
  return guessWorkloadIn([definition.name, ...(properties.command ?? [])].join(" "));
}

/**
 * Common Compute dispatches `priority` → `standard` → `batch`. AWS's queue priority only orders queues that share
 * a compute environment, so only there does a queue get `standard` (the highest of its rivals); every other
 * queue gets `batch`, Common Compute's documented default. `priority` replicates each task to two devices, so it
 * is never chosen for the user.
 */
export function tierForQueue(queue: InventoryItem, rivals: InventoryItem[]): CommonComputeTier {
  const mine = (queue.properties as { priority?: number }).priority;
  if (rivals.length === 0 || mine === undefined) return "batch";
  return rivals.every((rival) => ((rival.properties as { priority?: number }).priority ?? -Infinity) < mine)
    ? "standard"
    : "batch";
}

function generateJob(placement: JobPlacement, folder: string, tier: CommonComputeTier) {
  const source = sourceOf(placement.definition);
  const subject = placement.definition.name;
  const gaps: DeployGap[] = [...unresolvedGaps(placement.definition, source)];
  const decisions: DeployDecision[] = [];
  const gap = (property: string, generated: string, why: string) =>
    gaps.push({ subject, property, generated, why, source });
  const decide = (question: string, meanwhile: string) => decisions.push({ subject, question, meanwhile });
  const { properties } = placement;

  const guess = guessWorkload(placement);
  if (guess) {
    decide(
      `Confirm workload \`${guess.workload}\` and choose its \`model_id\`.`,
      `\`${guess.workload}\`, because the job's name or command mentions "${guess.matched}"; no model is set.`,
    );
    decide(
      `Rewrite what the job sends as \`${guess.workload}\` input: ${guess.input}.`,
      "the request carries the Batch parameters, as the shim's envelope does.",
    );
  } else {
    gap(
      "containerProperties",
      "no workload",
      "Common Compute runs its own task types (transcode, embeddings, transcription, vision, LLM, image), not arbitrary containers, and none matches this job",
    );
    decide(
      "Keep this job on AWS Batch, move it to SaladCloud, or express it as one of Common Compute's workloads.",
      "no `commonCompute` mapping is written; the shim would send the definition's name as the workload.",
    );
  }
  if (placement.evidence.kind === "inferred")
    decide(
      `Confirm it runs on queue ${markdownText(placement.queue!.name)}.`,
      `inferred: ${placement.evidence.reason}.`,
    );
  if (placement.evidence.kind === "unknown")
    decide("Which Batch queue does it run on?", `unknown (${placement.evidence.reason}); priority \`batch\`.`);

  gap(
    "image, command",
    "not sent",
    "Common Compute runs the workload on its own devices (Apple Silicon); the container is not used",
  );
  if (properties.vcpus !== undefined || properties.memoryMiB !== undefined || properties.gpus !== undefined) {
    gap(
      "resourceRequirements",
      "not sent",
      "Common Compute chooses the device; there is no vCPU, memory or GPU request",
    );
  }
  if (properties.environment)
    gap(
      "environment",
      "inside the input envelope only",
      "a workload has no environment variables; the shim puts them in the job input",
    );
  for (const secret of properties.secrets ?? [])
    decide(
      `Secret \`${secret.name}\` (\`${secret.valueFrom}\`) is not sent to Common Compute; does the workload need it?`,
      "not sent.",
    );
  if (properties.type === "multinode" || properties.numNodes !== undefined)
    gap("nodeProperties", "not generated", "Common Compute has no multi-node jobs");
  for (const volume of properties.volumes ?? [])
    gap(
      `volumes.${volume.name}`,
      "not generated",
      "Common Compute reads inputs from an upload or an `input_uri`, not volumes",
    );

  const attempts = properties.retryAttempts ?? 1;
  const maxAttempts = Math.min(MAX_ATTEMPTS.max, Math.max(MAX_ATTEMPTS.min, attempts));
  if (maxAttempts !== attempts)
    gap(
      "retryStrategy.attempts",
      `max_attempts ${maxAttempts}`,
      `Common Compute allows ${MAX_ATTEMPTS.min}–${MAX_ATTEMPTS.max} attempts`,
    );
  if (properties.retryEvaluateOnExit) {
    gap(
      "retryStrategy.evaluateOnExit",
      "emulated by the shim (one target job per attempt)",
      "Common Compute retries every failure; the shim applies the rules between attempts",
    );
  }

  const parameters = properties.parameters ?? {};
  const request: Record<string, unknown> = {
    workload: guess?.workload ?? subject,
    input: {
      jobName: `${subject}-<id>`,
      jobQueue: placement.queue?.name ?? "<queue>",
      jobDefinition: subject,
      parameters,
      command: substituteDefaults(properties.command ?? [], parameters),
      environment: properties.environment ?? {},
    },
    priority: tier,
    max_attempts: maxAttempts,
    ...(properties.timeoutSeconds !== undefined ? { timeout_seconds: properties.timeoutSeconds } : {}),
    name: `${subject}-<id>`,
    metadata: { aws_job_definition: subject, aws_job_queue: placement.queue?.name ?? "<queue>" },
  };
  const from = [source, ...(placement.queue ? [sourceOf(placement.queue)] : [])];
  const file: GeneratedFile = {
    path: `${folder}/submit-request.json`,
    content: jsonText(request),
    description:
      "the `POST /v1/jobs` body the native client sends for one job of this definition (assumed API shape, targets.md A.4)",
    from,
  };
  const mapping = guess ? { workload: guess.workload } : undefined;
  return {
    file,
    gaps,
    decisions,
    config: { ...registerJobDefinitionShape(properties), ...(mapping ? { commonCompute: mapping } : {}) },
    workloadEntry: {
      workload: guess?.workload ?? null,
      evidence: guess ? `mentions "${guess.matched}"` : "no workload matches",
      priority: tier,
      maxAttempts,
      ...(properties.timeoutSeconds !== undefined ? { timeoutSeconds: properties.timeoutSeconds } : {}),
      queue: placement.queue?.name ?? null,
      declaredAt: source,
    },
  };
}

export function generateCommonCompute(input: DeployInput): DeployPlan {
  const placements = placeJobDefinitions(input);
  const folders = uniqueSaladNames(placements);
  const rivals = queuesSharingComputeEnvironments(input);
  const tiers = new Map(
    input.inventory.jobQueues.map((queue) => [queue.id, tierForQueue(queue, rivals.get(queue.id) ?? [])]),
  );
  const files: GeneratedFile[] = [];
  const gaps: DeployGap[] = [];
  const decisions: DeployDecision[] = [];
  const jobDefinitions: Record<string, unknown> = {};
  const workloads: Record<string, unknown> = {};
  for (const placement of placements) {
    const tier = (placement.queue && tiers.get(placement.queue.id)) || "batch";
    const generated = generateJob(placement, folders.get(placement.definition.id)!, tier);
    files.push(generated.file);
    gaps.push(...generated.gaps);
    decisions.push(...generated.decisions);
    jobDefinitions[placement.definition.name] = generated.config;
    workloads[placement.definition.name] = generated.workloadEntry;
  }
  for (const queue of input.inventory.jobQueues) gaps.push(...unresolvedGaps(queue, sourceOf(queue)));
  const registry = registryConfig(input, (queue) => ({ commonCompute: { priority: tiers.get(queue.id) ?? "batch" } }));
  const named = callSiteEntries(input.findings, "common-compute", {
    queues: Object.keys(registry.jobQueues),
    definitions: Object.keys(jobDefinitions),
  });
  decisions.push(...named.decisions);
  const config = {
    shim: { target: "common-compute" },
    computeEnvironments: registry.computeEnvironments,
    jobQueues: { ...registry.jobQueues, ...named.jobQueues },
    jobDefinitions: { ...jobDefinitions, ...named.jobDefinitions },
  };
  const allSources = [
    ...new Set([...placements.map((p) => sourceOf(p.definition)), ...input.inventory.jobQueues.map(sourceOf)]),
  ].sort();
  files.push({
    path: "migrate.config.json",
    content: jsonText(config),
    description: "job definition → workload, queue → priority tier; read by the shims",
    from: allSources,
  });
  files.push({
    path: "workloads.json",
    content: jsonText(workloads),
    description: "the workload mapping per job definition, with the evidence for it",
    from: allSources,
  });
  const plan: DeployPlan = { target: "common-compute", files, gaps: sortGaps(gaps), decisions, config };
  const queueLines = input.inventory.jobQueues.map(
    (queue) =>
      `| ${markdownText(queue.name)} (${markdownCode(sourceOf(queue))}) | ${(queue.properties as { priority?: number }).priority ?? "—"} | ${(rivals.get(queue.id) ?? []).map((rival) => markdownText(rival.name)).join(", ") || "none"} | \`${tiers.get(queue.id)}\` |`,
  );
  const intro = [
    "Common Compute has no container groups or queues to create: a job names a workload (a task type Common Compute runs",
    "on its own devices), a priority tier and its input. What is generated is the mapping the shim reads and, per job",
    "definition, the request the native client sends. `POST /v1/jobs` and its body are our assumed shape (targets.md A.4);",
    "`GET /v1/jobs/{id}`, the states and the tiers are Common Compute's real API. See `docs/deploy.md` of batch-migrate.",
    "Copy `migrate.config.json` to the repository root (or point `BATCH_MIGRATE_CONFIG` at it) for the shim.",
    "",
    "Python, native: `cc.jobs.submit(workload=…, input=…, priority=…, name=…)` (batch_migrate_runtime.CommonCompute);",
    "the vendor SDK's `client.submit(workload, payload, model_id=…)` sends the same workload and input.",
    "",
    "Queue priority → tier (AWS's priority only orders queues that share a compute environment; `priority`, which runs",
    "every task twice, is never chosen for you):",
    "",
    "| queue | AWS priority | shares a compute environment with | tier |",
    "|---|---|---|---|",
    ...queueLines,
  ];
  files.push({ path: "README.md", content: renderReadme(plan, intro), description: "this file", from: [] });
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return plan;
}

const commonCompute: DeployTarget = {
  id: "common-compute",
  title: "Common Compute (workload mapping and native requests)",
  generate: generateCommonCompute,
};
export default commonCompute;
