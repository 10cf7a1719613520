// Why a Batch call that is not a job operation stays on the AWS client in native mode, and what replaces it on the
// target (reference/targets.md): infrastructure is provisioned from migrate.config.json, never by these calls.
import type { Finding } from "../../core/types.js";
import { TARGET_NAME } from "../target-status.js";
import type { MigrationTarget } from "../transform.js";

function snakeCase(operation: string): string {
  return operation.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

const COUNTERPART: Record<string, Record<MigrationTarget, string>> = {
  ComputeEnvironment: {
    "common-compute": "nothing to provision (Common Compute runs jobs on its own machines)",
    salad: "the container group `migrate deploy` creates from migrate.config.json",
  },
  JobQueue: {
    "common-compute": "the queue's `commonCompute.priority` in migrate.config.json",
    salad: "the queue's `salad.queue` in migrate.config.json",
  },
  JobDefinition: {
    "common-compute": "the definition's `commonCompute.workload` in migrate.config.json",
    salad: "the container group image and the definition's `salad` entry in migrate.config.json",
  },
  SchedulingPolicy: {
    "common-compute": "nothing (Common Compute has no fair-share scheduling)",
    salad: "nothing (SaladCloud has no fair-share scheduling)",
  },
  ConsumableResource: {
    "common-compute": "nothing (Common Compute has no consumable resources)",
    salad: "nothing (SaladCloud has no consumable resources)",
  },
};

const PROVISIONING =
  /^(Create|Update|Delete|Register|Deregister)(ComputeEnvironment|JobQueue|JobDefinition|SchedulingPolicy|ConsumableResource)$/;
const READING =
  /^(Describe|List|Get)(ComputeEnvironments|JobQueues|JobDefinitions|SchedulingPolicies|ConsumableResources|JobQueueSnapshot|JobsByConsumableResource)$/;

function resourceOf(noun: string): string {
  return noun.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
}

/** The marker text for a non-job call that stays on the AWS client (the transform adds where the file goes). */
export function stayingReason(finding: Finding, target: MigrationTarget): string {
  const name = TARGET_NAME[target];
  const operation = finding.operation;
  if (!operation)
    return `this Batch call names its operation at run time, so it cannot be mapped to ${name}: name the method, or keep it on AWS`;
  const call =
    finding.kind === "py-paginator" ? `get_paginator("${snakeCase(operation)}")` : `${snakeCase(operation)}()`;
  if (operation === "ListJobs")
    return target === "salad"
      ? `${call}: SaladCloud lists a queue's jobs with iterate_queue_jobs(<queue>) (no status filter, no cursor): rewrite the loop over the pages by hand, or keep it on AWS`
      : `${call}: Common Compute has no endpoint that lists jobs (only GET /v1/jobs/:id): keep the ids of the jobs you submit and read each with jobs.get(id), or keep it on AWS`;
  if (finding.kind === "py-waiter-custom")
    return `${call} waits through a botocore waiter, which ${name} has no counterpart for: poll with ${target === "salad" ? "get_queue_job" : "jobs.wait(job_id)"} by hand`;
  const provisioning = PROVISIONING.exec(operation);
  if (provisioning) {
    const counterpart = COUNTERPART[provisioning[2]!]![target];
    return `${call} provisions AWS Batch infrastructure (${resourceOf(provisioning[2]!)}); on ${name} this is ${counterpart}: it stays on the AWS client; remove it after cut-over`;
  }
  const reading = READING.exec(operation);
  if (reading)
    return `${call} reads AWS Batch ${resourceOf(reading[2]!)}; on ${name} they are kept in migrate.config.json, not in the API: it stays on the AWS client; remove it after cut-over`;
  if (/^(Tag|Untag|ListTagsFor)Resource$/.test(operation))
    return `${call} tags AWS Batch resources; ${name} has no resource tags (keep job labels in ${target === "salad" ? "the job's metadata" : "the job's name"}): it stays on the AWS client; remove it after cut-over`;
  return `${call} (${operation}) has no ${name} counterpart: it stays on the AWS client; rewrite it by hand or remove it after cut-over`;
}
