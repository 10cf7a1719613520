// https://commoncompute.ai/docs/migrate-from-aws-batch — facts from reference/targets.md §A and runtime/python/README.md
import { definePlatform, type JobDefinitionFacts } from "./types.js";

/** Common Compute task types (targets.md A.2) and the job names that suggest them. */
const WORKLOAD_HINTS: readonly [RegExp, string][] = [
  [/embed/i, "coreml_embed"],
  [/transcri|whisper|speech|audio/i, "whisper_ane"],
  [/transcod|ffmpeg|encode/i, "vt_transcode"],
  [/llm|chat|generat|completion/i, "mlx_llm"],
  [/ocr|vision|caption|classif/i, "coreml_vision"],
  [/image|diffusion|render/i, "mlx_image"],
];

/** The image is left out: one image often serves several job definitions (video-transcode and video-merge). */
export function suggestCommonComputeWorkload(facts: Pick<JobDefinitionFacts, "name" | "command">): string | undefined {
  const text = [facts.name, ...(facts.command ?? [])].join(" ");
  return WORKLOAD_HINTS.find(([pattern]) => pattern.test(text))?.[1];
}

const NO_EQUIVALENT = "Common Compute runs tasks on idle Apple Silicon Macs and has no equivalent";

export default definePlatform({
  id: "common-compute",
  name: "Common Compute",
  maxGpus: 1,
  capabilities: {
    "array-jobs": {
      status: "via shim",
      category: "optional",
      effort: 1,
      why: "No array jobs: the shim fans an array out into one Common Compute job per child and keeps the parent's status itself.",
      fix: "boto3-to-shim / aws-sdk-to-shim; check the child count against your spend cap",
    },
    "depends-on": {
      status: "via shim",
      category: "optional",
      effort: 3,
      why: "No dependencies: the shim holds dependent jobs client-side (plain, N_TO_N, SEQUENTIAL) and submits them when their dependencies succeed, so the submitting process or its shim state dir must outlive the chain.",
      fix: "run through the shim with BATCH_MIGRATE_STATE_DIR set, or orchestrate the chain yourself",
    },
    "evaluate-on-exit": {
      status: "via shim",
      category: "optional",
      effort: 1,
      why: "evaluateOnExit is emulated by the shim: each attempt is its own job with max_attempts=1 and the rules are applied client-side.",
      fix: "run through the shim",
    },
    "retry-attempts": {
      status: "supported",
      category: "potential",
      effort: 0,
      why: "retryStrategy.attempts maps to max_attempts (1–10, default 3), then dead_letter.",
      fix: "none",
    },
    timeout: {
      status: "via shim",
      category: "optional",
      effort: 1,
      why: "timeout_seconds is part of the assumed submit API ([ext] in targets.md A.4); with retries the shim emulates it so a timeout is not retried.",
      fix: "run through the shim; check the timeout once the submit API is published",
    },
    "container-image": {
      status: "manual",
      category: "mandatory",
      effort: 5,
      why: "Common Compute runs its own workload types (whisper_ane, coreml_embed, vt_transcode, mlx_llm, mlx_image, coreml_vision), not your container image; custom work is quoted.",
      fix: "map the job definition to a workload in migrate.config.json (commonCompute.workload), or keep it on AWS",
    },
    "gpu-count": {
      status: "manual",
      category: "mandatory",
      effort: 5,
      why: "Tasks run on one Mac's Apple Silicon; multi-GPU jobs have no equivalent.",
      fix: "split the work into single-device tasks",
    },
    multinode: {
      status: "manual",
      category: "mandatory",
      effort: 13,
      why: `Multi-node parallel jobs: ${NO_EQUIVALENT}; the shim raises.`,
      fix: "keep it on AWS Batch or redesign as independent tasks",
    },
    "eks-ecs-properties": {
      status: "manual",
      category: "mandatory",
      effort: 5,
      why: `EKS/ECS properties and overrides: ${NO_EQUIVALENT}; the shim raises.`,
      fix: "drop them and express the job as a Common Compute workload",
    },
    "efs-volume": {
      status: "manual",
      category: "mandatory",
      effort: 5,
      why: "EFS volumes cannot be mounted: inputs go to R2 via input_uri or an upload URL.",
      fix: "stage inputs and outputs through object storage",
    },
    "host-volume": {
      status: "manual",
      category: "mandatory",
      effort: 5,
      why: "Host volumes do not exist on a shared Mac.",
      fix: "stage inputs and outputs through object storage",
    },
    privileged: {
      status: "manual",
      category: "mandatory",
      effort: 3,
      why: `Privileged containers: ${NO_EQUIVALENT}.`,
      fix: "remove the need for privileges",
    },
    "fair-share": {
      status: "manual",
      category: "optional",
      effort: 3,
      why: "No fair-share scheduling: only the priority tiers batch, standard and priority; the shim raises on shareIdentifier.",
      fix: "map shares to priority tiers in migrate.config.json",
    },
    "consumable-resources": {
      status: "manual",
      category: "mandatory",
      effort: 3,
      why: `Consumable resources: ${NO_EQUIVALENT}; the shim raises.`,
      fix: "enforce the limit in your own scheduler",
    },
    "fargate-settings": {
      status: "supported",
      category: "optional",
      effort: 1,
      why: "Fargate platform version, network configuration and ephemeral storage have no meaning on Common Compute.",
      fix: "drop them",
    },
    secrets: {
      status: "manual",
      category: "mandatory",
      effort: 3,
      why: "No Secrets Manager or SSM injection; the only credential is the Bearer API key (cc_live_…, inference scope) read from CC_API_KEY.",
      fix: "pass what the task needs in its input, and store CC_API_KEY where the submitter runs",
    },
    "iam-role": {
      status: "manual",
      category: "mandatory",
      effort: 1,
      why: "IAM job and execution roles become an API key with the inference scope.",
      fix: "create a cc_live_ key and set CC_API_KEY for the submitter",
    },
    "terminate-running": {
      status: "via shim",
      category: "potential",
      effort: 0,
      why: "TerminateJob and CancelJob both map to POST /v1/jobs/{id}/cancel: a queued job fails at once, but a leased one is only marked failed and keeps running (it can still complete); the shim reports AWS's outcome and ignores the late result.",
      fix: "if a terminated job must stop its side effects, have it check its own state (GET /v1/jobs/{id}) and exit",
    },
    "s3-egress": {
      status: "supported",
      category: "potential",
      effort: 1,
      why: "The job reads or writes S3: the data leaves AWS and is billed as egress; Common Compute stores inputs and results in R2.",
      fix: "count S3 egress in the comparison, or move the data to R2",
    },
  },
  mapJobDefinition(facts) {
    return {
      workload: suggestCommonComputeWorkload(facts) ?? "(choose one: custom work is quoted)",
      priority: "batch",
      max_attempts: Math.min(10, Math.max(1, facts.retryAttempts ?? 1)),
      ...(facts.timeoutSeconds !== undefined ? { timeout_seconds: facts.timeoutSeconds } : {}),
    };
  },
});
