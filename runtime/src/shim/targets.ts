// Adapters that put one AWS Batch attempt-group onto a target job and read it back as a TargetJob.
import {
  HttpError,
  TERMINAL_COMMON_COMPUTE_STATES,
  type CommonComputeClient,
  type CommonComputeJob,
} from "../clients/common-compute.js";
import type { QueueJob, SaladClient } from "../clients/salad.js";
import {
  commonComputeStatus,
  exitCodeFromError,
  finalFailure,
  isoToEpochMs,
  saladEventTimes,
  saladStatus,
  type JobStatus,
  type Json,
} from "./model.js";

/** SaladCloud resource names (targets.md B.3): 2–63 lowercase letters, digits and hyphens. */
const SALAD_NAME_PATTERN = /^[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

/** A target job, already in AWS Batch's vocabulary. */
export interface TargetJob {
  targetId: string;
  status: JobStatus;
  statusReason?: string;
  isCancelled: boolean;
  isTerminated: boolean;
  createdAt?: number;
  startedAt?: number;
  stoppedAt?: number;
  /** One entry per attempt the target made (undefined where the target does not say when it started). */
  attemptStarts: (number | undefined)[];
  exitCode?: number;
  containerReason?: string;
  timedOut: boolean;
  metadata: Json;
  targetQueue?: string;
}

/** What the emulation asks a target to run: one attempt-group of one AWS job. */
export interface TargetSubmission {
  shimJobId: string;
  attemptGroup: number;
  payload: Json;
  metadata: Json;
  name: string;
  definitionName: string;
  queueName: string;
  maxAttempts: number;
  timeoutSeconds?: number;
  parameters: Record<string, string>;
  definitionMapping: Json;
  queueMapping: Json;
}

/** What the emulation needs from a target. */
export interface Target {
  readonly label: "common-compute" | "salad";
  readonly canStopRunning: boolean;
  readonly canEmulateRetries: boolean;
  /** The platform's own attempt count when it cannot be chosen per job. */
  readonly fixedAttempts?: number;
  /** Refuses, before any other check, a job definition the target cannot run. */
  checkDefinition?(definitionName: string, mapping: Json): void;
  submit(submission: TargetSubmission): Promise<TargetJob>;
  get(targetId: string, targetQueue: string | null | undefined): Promise<TargetJob | undefined>;
  cancel(job: TargetJob, reason: string): Promise<void>;
  listQueue(queueName: string, targetQueue: string | undefined): AsyncGenerator<TargetJob>;
  /** The target queue an AWS queue maps to when nothing was submitted yet (SaladCloud only). */
  defaultQueue(queueName: string, queueMapping: Json): string | undefined;
}

/** Raised by an adapter when the job cannot be expressed on the target (a ClientException for the caller). */
export class TargetMappingError extends Error {
  override readonly name = "TargetMappingError";
}

function isMissing(error: unknown, statuses: number[]): boolean {
  return error instanceof HttpError && statuses.includes(error.status);
}

export class CommonComputeTarget implements Target {
  readonly label = "common-compute";
  // Cancel of a leased job marks it failed but keeps the lease: the run goes on and can still complete.
  readonly canStopRunning = false;
  readonly canEmulateRetries = true;
  readonly fixedAttempts = undefined;

  constructor(private readonly client: CommonComputeClient) {}

  toTargetJob(raw: CommonComputeJob): TargetJob {
    const view = commonComputeStatus(raw);
    const error = raw.error ?? undefined;
    const attempts = Number(raw.attempts ?? 0);
    const terminal = TERMINAL_COMMON_COMPUTE_STATES.includes(raw.state);
    const startedAt = raw.started_at ?? undefined;
    // Common Compute reports only the first lease's start time and a count of leases.
    const attemptStarts: (number | undefined)[] =
      attempts > 0 ? [startedAt, ...Array<undefined>(attempts - 1).fill(undefined)] : [];
    const failed = raw.state === "failed" || raw.state === "dead_letter";
    return {
      targetId: String(raw.id),
      status: view.status,
      statusReason: view.statusReason,
      isCancelled: view.isCancelled,
      isTerminated: view.isTerminated,
      createdAt: raw.created_at ?? undefined,
      startedAt,
      // completed_at is set only on completion; stopped_at [ext] also covers failed jobs.
      stoppedAt: terminal ? (raw.stopped_at ?? raw.completed_at ?? undefined) : undefined,
      attemptStarts,
      exitCode: failed ? exitCodeFromError(error) : raw.state === "completed" ? 0 : undefined,
      containerReason: error?.code,
      timedOut: error?.code === "timeout",
      metadata: { ...raw.metadata },
    };
  }

  async submit(submission: TargetSubmission): Promise<TargetJob> {
    const mapping = submission.definitionMapping;
    const workload = String(mapping.workload ?? submission.definitionName);
    const priority = String(submission.queueMapping.priority ?? mapping.priority ?? "batch");
    if (!["batch", "standard", "priority"].includes(priority)) {
      throw new TargetMappingError(
        `Common Compute priority must be batch, standard or priority, not ${JSON.stringify(priority)} (queue ${submission.queueName})`,
      );
    }
    const inputUriParameter = typeof mapping.inputUriParameter === "string" ? mapping.inputUriParameter : undefined;
    const inputUri = inputUriParameter ? submission.parameters[inputUriParameter] : undefined;
    const input = mapping.input === "parameters" ? submission.parameters : submission.payload;
    const raw = await this.client.jobs.submit(
      {
        workload,
        ...(inputUri ? { input_uri: inputUri } : { input }),
        name: submission.name,
        priority: priority as "batch" | "standard" | "priority",
        ...(typeof mapping.model === "string" ? { model_id: mapping.model } : {}),
        max_attempts: submission.maxAttempts,
        ...(submission.timeoutSeconds !== undefined ? { timeout_seconds: submission.timeoutSeconds } : {}),
        metadata: submission.metadata,
      },
      // The same key for the same attempt-group, so a resubmission after a lost answer cannot double the job.
      { idempotencyKey: `${submission.shimJobId}#${submission.attemptGroup}` },
    );
    return this.toTargetJob(raw);
  }

  async get(targetId: string): Promise<TargetJob | undefined> {
    try {
      return this.toTargetJob(await this.client.jobs.get(targetId));
    } catch (error) {
      if (isMissing(error, [400, 404])) return undefined;
      throw error;
    }
  }

  async cancel(job: TargetJob, reason: string): Promise<void> {
    try {
      await this.client.jobs.cancel(job.targetId, reason);
    } catch (error) {
      // 404: already terminal, which AWS treats as a successful no-op.
      if (!isMissing(error, [404])) throw error;
    }
  }

  async *listQueue(queueName: string): AsyncGenerator<TargetJob> {
    for await (const raw of this.client.jobs.iterate()) {
      if ((raw.metadata ?? {}).aws_job_queue === queueName) yield this.toTargetJob(raw);
    }
  }

  defaultQueue(): string | undefined {
    return undefined;
  }
}

export class SaladTarget implements Target {
  readonly label = "salad";
  readonly canStopRunning = false;
  readonly canEmulateRetries = false;
  readonly fixedAttempts = 4;
  readonly knownQueues: string[];

  constructor(
    private readonly client: SaladClient,
    private readonly organization: string,
    private readonly project: string,
    knownQueues: Iterable<string>,
  ) {
    this.knownQueues = [...new Set(knownQueues)].sort();
  }

  toTargetJob(raw: QueueJob, targetQueue: string | undefined): TargetJob {
    const view = saladStatus(raw);
    const final = raw.status === "succeeded" ? finalFailure(raw.output) : undefined;
    const { starts, stopped } = saladEventTimes(raw);
    const terminal = raw.status === "succeeded" || raw.status === "failed" || raw.status === "cancelled";
    return {
      targetId: String(raw.id),
      status: view.status,
      statusReason: view.statusReason,
      isCancelled: view.isCancelled,
      isTerminated: view.isTerminated,
      createdAt: isoToEpochMs(raw.create_time),
      startedAt: starts.at(-1),
      stoppedAt: terminal ? stopped : undefined,
      attemptStarts: starts,
      ...(final?.exitCode !== undefined
        ? { exitCode: final.exitCode }
        : raw.status === "succeeded" && !final
          ? { exitCode: 0 }
          : {}),
      timedOut: final?.timedOut ?? false,
      metadata: { ...raw.metadata },
      targetQueue,
    };
  }

  queueFor(queueName: string, definitionMapping: Json, queueMapping: Json): string {
    const saladQueue = String(
      queueMapping.queue ?? definitionMapping.queue ?? definitionMapping.saladQueue ?? queueName,
    );
    if (!SALAD_NAME_PATTERN.test(saladQueue)) {
      throw new TargetMappingError(
        `job queue ${JSON.stringify(queueName)} has no SaladCloud queue mapping and is not itself a valid SaladCloud queue name; ` +
          "map it with BATCH_MIGRATE_QUEUE_MAP or jobQueues.<name>.salad.queue in migrate.config.json",
      );
    }
    return saladQueue;
  }

  /** SaladCloud's long jobs run under Kelpie, which the shim does not drive: refuse them before anything else. */
  checkDefinition(definitionName: string, mapping: Json): void {
    const kelpie = mapping.kelpieContainerGroup;
    if (kelpie !== undefined) {
      throw new TargetMappingError(
        `job definition ${definitionName} runs under Kelpie on SaladCloud (its timeout is over 30 minutes, ` +
          `container group ${JSON.stringify(kelpie)}); the shim does not submit Kelpie jobs: create them with Kelpie's API ` +
          "(POST /jobs with container_group_id, see kelpie-job.json under migration/salad/), or shorten the job to run on a Salad queue",
      );
    }
  }

  async submit(submission: TargetSubmission): Promise<TargetJob> {
    this.checkDefinition(submission.definitionName, submission.definitionMapping);
    const saladQueue = this.queueFor(submission.queueName, submission.definitionMapping, submission.queueMapping);
    const raw = await this.client.createQueueJob(this.organization, this.project, saladQueue, {
      input: submission.payload,
      metadata: submission.metadata,
    });
    return this.toTargetJob(raw, saladQueue);
  }

  async get(targetId: string, targetQueue: string | null | undefined): Promise<TargetJob | undefined> {
    for (const queue of targetQueue ? [targetQueue] : this.knownQueues) {
      try {
        return this.toTargetJob(await this.client.getQueueJob(this.organization, this.project, queue, targetId), queue);
      } catch (error) {
        if (!isMissing(error, [400, 404])) throw error;
      }
    }
    return undefined;
  }

  async cancel(job: TargetJob): Promise<void> {
    try {
      await this.client.deleteQueueJob(this.organization, this.project, job.targetQueue ?? "", job.targetId);
    } catch (error) {
      // The job left `pending` meanwhile: AWS's no-op.
      if (!isMissing(error, [400, 404, 409])) throw error;
    }
  }

  async *listQueue(queueName: string, targetQueue: string | undefined): AsyncGenerator<TargetJob> {
    if (!targetQueue) return;
    for await (const raw of this.client.iterateQueueJobs(this.organization, this.project, targetQueue)) {
      if ((raw.metadata ?? {}).aws_job_queue === queueName) yield this.toTargetJob(raw, targetQueue);
    }
  }

  defaultQueue(queueName: string, queueMapping: Json): string | undefined {
    try {
      return this.queueFor(queueName, {}, queueMapping);
    } catch {
      return undefined;
    }
  }
}
