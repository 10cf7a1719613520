import type { MigrationTarget } from "./transform.js";

/** AWS Batch job status → the target states it becomes (reference/targets.md A.4 and E.4, read backwards). */
export const AWS_TO_TARGET_STATUS: Record<MigrationTarget, Record<string, readonly string[]>> = {
  "common-compute": {
    SUBMITTED: ["queued"],
    PENDING: ["queued"],
    RUNNABLE: ["queued"],
    STARTING: ["leased"],
    RUNNING: ["leased"],
    SUCCEEDED: ["completed"],
    FAILED: ["failed", "dead_letter"],
  },
  salad: {
    SUBMITTED: ["pending"],
    PENDING: ["pending"],
    RUNNABLE: ["pending"],
    STARTING: ["running"],
    RUNNING: ["running"],
    SUCCEEDED: ["succeeded"],
    FAILED: ["failed", "cancelled"],
  },
};

/** The job field that holds the status on each target. */
export const TARGET_STATUS_FIELD: Record<MigrationTarget, string> = { "common-compute": "state", salad: "status" };

export const TARGET_NAME: Record<MigrationTarget, string> = { "common-compute": "Common Compute", salad: "SaladCloud" };
