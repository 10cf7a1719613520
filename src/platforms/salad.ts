// https://docs.salad.com/container-engine/explanation/job-processing/job-queues — facts from reference/targets.md §B and runtime/python/README.md
import { definePlatform } from "./types.js";

const NO_EQUIVALENT = "SaladCloud containers have no equivalent";

export default definePlatform({
  id: "salad",
  name: "SaladCloud",
  maxGpus: 1,
  largestGpuMemoryGb: 32,
  maxVcpus: 16,
  verifyMemoryAboveGb: 64,
  longJobMinutes: 30,
  capabilities: {
    "array-jobs": {
      status: "via shim",
      category: "optional",
      effort: 1,
      why: "No array jobs: the shim submits one queue job per child with {index, total} in its input and keeps the parent's status.",
      fix: "boto3-to-shim / aws-sdk-to-shim; the app reads the index from the job input",
    },
    "depends-on": {
      status: "via shim",
      category: "optional",
      effort: 3,
      why: "Job queues have no dependencies: the shim raises unless BATCH_MIGRATE_EMULATE_DEPENDENCIES=1, and then holds dependents client-side in the submitting process.",
      fix: "set BATCH_MIGRATE_EMULATE_DEPENDENCIES=1 and a shared BATCH_MIGRATE_STATE_DIR, or orchestrate the chain outside Salad",
    },
    "retry-attempts": {
      status: "supported",
      category: "potential",
      effort: 0,
      why: "Every queue job gets exactly 4 attempts (3 retries), not configurable; the shim raises on attempts above 4.",
      fix: "accept 4 attempts, or make the job idempotent",
    },
    "evaluate-on-exit": {
      status: "manual",
      category: "mandatory",
      effort: 3,
      why: "evaluateOnExit cannot be emulated: a Salad job reports no exit code or reason; a 408/429/5xx response means retry, any other status is success.",
      fix: "return 5xx from the worker app for retryable failures and 4xx/2xx otherwise",
    },
    timeout: {
      status: "manual",
      category: "mandatory",
      effort: 3,
      why: "A running queue job cannot be stopped, so a Batch timeout cannot be enforced from outside; the shim raises.",
      fix: "enforce the time limit inside the container",
    },
    "long-job": {
      status: "via native SDK",
      category: "optional",
      effort: 5,
      why: "Jobs over about 30 minutes are what Kelpie is for: checkpoints synced to object storage, and interruptions do not count as failures.",
      fix: "run it under Kelpie (command, arguments, environment and sync before/during/after)",
    },
    "gpu-count": {
      status: "manual",
      category: "mandatory",
      effort: 13,
      why: "SaladCloud Community gives one GPU per instance.",
      fix: "split the job per GPU, or keep it on AWS",
    },
    "gpu-memory": {
      status: "manual",
      category: "mandatory",
      effort: 13,
      why: "No Community GPU class has more than 32 GB (RTX 5090); SaladCloud Secure sells 8-GPU A100/L40S nodes with no published price.",
      fix: "fit the model in 32 GB, ask Salad for Secure capacity, or keep it on AWS",
    },
    "cpu-size": {
      status: "manual",
      category: "mandatory",
      effort: 5,
      why: "Container groups take 1–16 vCPU.",
      fix: "split the job or keep it on AWS",
    },
    "memory-size": {
      status: "supported",
      category: "optional",
      effort: 1,
      why: "No source gives Salad's per-container memory limit; above about 64 GB availability is unverified.",
      fix: "check availability with SaladCloud",
    },
    multinode: {
      status: "manual",
      category: "mandatory",
      effort: 13,
      why: `Multi-node parallel jobs: ${NO_EQUIVALENT}; the shim raises.`,
      fix: "keep it on AWS Batch or redesign as independent jobs",
    },
    "eks-ecs-properties": {
      status: "manual",
      category: "mandatory",
      effort: 5,
      why: `EKS/ECS properties and overrides: ${NO_EQUIVALENT}; the shim raises.`,
      fix: "express the job as one container of a container group",
    },
    "efs-volume": {
      status: "manual",
      category: "mandatory",
      effort: 5,
      why: "Container groups mount no EFS.",
      fix: "sync data from object storage (Kelpie sync, or in the app)",
    },
    "host-volume": {
      status: "manual",
      category: "mandatory",
      effort: 5,
      why: "Host volumes do not exist on shared consumer nodes.",
      fix: "use the container's storage_amount and object storage",
    },
    privileged: {
      status: "manual",
      category: "mandatory",
      effort: 3,
      why: `Privileged mode: ${NO_EQUIVALENT}.`,
      fix: "remove the need for privileges",
    },
    "fair-share": {
      status: "manual",
      category: "optional",
      effort: 3,
      why: "No fair-share scheduling: only the container priority tiers high, medium, low and batch; the shim raises on shareIdentifier.",
      fix: "map shares to separate queues or priority tiers",
    },
    "consumable-resources": {
      status: "manual",
      category: "mandatory",
      effort: 3,
      why: `Consumable resources: ${NO_EQUIVALENT}; the shim raises.`,
      fix: "limit concurrency with the queue autoscaler's max_replicas",
    },
    "fargate-settings": {
      status: "supported",
      category: "optional",
      effort: 1,
      why: "Fargate platform version, network configuration and ephemeral storage have no meaning on SaladCloud.",
      fix: "drop them; set storage_amount if the job needs disk",
    },
    secrets: {
      status: "manual",
      category: "mandatory",
      effort: 3,
      why: "No Secrets Manager or SSM injection: container groups take plain environment_variables; the API takes a Salad-Api-Key.",
      fix: "move secrets into the container group's environment variables or fetch them at start",
    },
    "iam-role": {
      status: "manual",
      category: "mandatory",
      effort: 1,
      why: "IAM job and execution roles become a Salad-Api-Key for the submitter and registry_authentication for private images.",
      fix: "create an API key; give the container group registry credentials for ECR",
    },
    "terminate-running": {
      status: "via shim",
      category: "optional",
      effort: 1,
      why: "A running queue job cannot be stopped: the shim records TerminateJob as FAILED/isTerminated and ignores the late result.",
      fix: "make the job tolerate running to completion after a terminate",
    },
    cancel: {
      status: "via shim",
      category: "potential",
      effort: 0,
      why: "Cancel is DELETE on the queue job and only affects pending jobs, as Batch's CancelJob does not stop RUNNING ones.",
      fix: "none",
    },
    "s3-egress": {
      status: "supported",
      category: "potential",
      effort: 1,
      why: "The job reads or writes S3 from SaladCloud nodes: the data leaves AWS and is billed as egress.",
      fix: "count S3 egress in the comparison, or move the data to R2",
    },
  },
  mapJobDefinition(facts) {
    const minutes =
      facts.avgRuntimeMinutes ?? (facts.timeoutSeconds !== undefined ? facts.timeoutSeconds / 60 : undefined);
    return {
      runner: minutes !== undefined && minutes > 30 ? "kelpie" : "job-queue",
      container: {
        resources: {
          cpu: Math.min(16, Math.max(1, Math.ceil(facts.vcpus ?? 1))),
          memory: Math.max(1024, facts.memoryMiB ?? 1024),
          ...(facts.gpus > 0 ? { gpu_classes: "(cheapest class with enough VRAM: see the cost lines)" } : {}),
        },
        priority: "batch",
      },
    };
  },
});
