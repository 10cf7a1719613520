// AWS Batch job semantics on top of a target that has fewer of them (Common Compute, SaladCloud).
//
// Emulated here, client-side (targets.md E.1), exactly as the Python shim does:
//   - array jobs: the parent exists only in the shim; each child `<parent>:<i>` is one target job;
//   - dependsOn (plain, N_TO_N, SEQUENTIAL): a dependent job is held in PENDING and submitted when every
//     dependency has SUCCEEDED, or FAILED with "Dependent Job failed" when one fails;
//   - retryStrategy with evaluateOnExit (Common Compute only): each attempt is its own target job with
//     max_attempts=1, resubmitted per the rules (first match wins, RETRY when none match, no retry after a
//     cancel, a terminate or a timeout).
// The emulation advances whenever the client is called, not in the background.
import { randomUUID } from "node:crypto";
import { clientException } from "./errors.js";
import { checkReservedEnvironment } from "./validation.js";
import type { ContainerRecord, DependencyRecord, Journal, JobRecord } from "./journal.js";
import {
  DEPENDENCY_FAILED_REASON,
  JOB_STATUSES,
  NOT_STARTED_STATUSES,
  TERMINAL_STATUSES,
  evaluateOnExit,
  nowMs,
  substituteParameters,
  type EvaluateOnExitRule,
  type Json,
} from "./model.js";
import type { Registry } from "./registry.js";
import type { Target, TargetJob, TargetSubmission } from "./targets.js";

type TargetCache = Map<string, TargetJob | undefined>;

const CONTAINER_DETAIL_KEYS = [
  "image",
  "vcpus",
  "memory",
  "jobRoleArn",
  "executionRoleArn",
  "resourceRequirements",
  "instanceType",
];
const OVERRIDABLE_CONTAINER_KEYS = ["vcpus", "memory", "instanceType", "resourceRequirements"];

function stringMap(value: unknown): Record<string, string> {
  if (typeof value !== "object" || value === null) return {};
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, String(item)]));
}

function environmentOf(list: unknown): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const item of Array.isArray(list) ? (list as Json[]) : [])
    environment[String(item.name)] = String(item.value ?? "");
  return environment;
}

export class EmulatedBackend {
  constructor(
    readonly target: Target,
    private readonly registry: Registry,
    readonly journal: Journal,
    private readonly emulateDependencies: boolean,
  ) {}

  // ── Submit ───────────────────────────────────────────────────────────────────────────────────

  async submitJob(params: Json): Promise<Json> {
    const definition = this.registry.findJobDefinition(String(params.jobDefinition));
    if (!definition) throw clientException(`job definition ${String(params.jobDefinition)} not found or not ACTIVE`);
    this.target.checkDefinition?.(
      String(definition.jobDefinitionName),
      this.registry.mappingFor(String(definition.jobDefinitionName), this.target.label),
    );
    if (definition.type === "multinode" || definition.nodeProperties) {
      throw clientException(`multi-node parallel job definitions are not supported on target ${this.target.label}`);
    }
    const queue = this.registry.findJobQueue(String(params.jobQueue));
    if (!queue) throw clientException(`job queue ${String(params.jobQueue)} not found`);
    // A definition from migrate.config.json has not been through RegisterJobDefinition's checks.
    checkReservedEnvironment(
      ((definition.containerProperties ?? {}) as Json).environment,
      `job definition ${String(definition.jobDefinitionName)}: containerProperties.environment`,
    );
    const retryStrategy = ((params.retryStrategy ?? definition.retryStrategy ?? {}) as Json) || {};
    const timeout = (params.timeout ?? definition.timeout) as Json | undefined;
    const attempts = Number(retryStrategy.attempts ?? 1) || 1;
    const rules = (retryStrategy.evaluateOnExit ?? []) as EvaluateOnExitRule[];
    this.checkTargetLimits(params, attempts, rules, timeout);
    // With retries, a timeout must end the job (AWS does not retry a timed-out attempt), which only a
    // per-attempt target job can guarantee.
    // Every attempt is its own target job, so AWS_BATCH_JOB_ATTEMPT counts up as on AWS.
    const emulateRetries = this.target.canEmulateRetries && attempts > 1;

    const dependsOn = ((params.dependsOn ?? []) as DependencyRecord[]).map((dependency) => ({ ...dependency }));
    for (const dependency of dependsOn) {
      if (dependency.jobId && (await this.statusOf(dependency.jobId, new Map())) === undefined) {
        throw clientException(`dependent job ${dependency.jobId} does not exist`);
      }
    }

    const parameters = { ...stringMap(definition.parameters), ...stringMap(params.parameters) };
    const containerProperties = (definition.containerProperties ?? {}) as Json;
    const overrides = (params.containerOverrides ?? {}) as Json;
    const command = substituteParameters(
      ((overrides.command ?? containerProperties.command ?? []) as string[]).map(String),
      parameters,
    );
    const environment = { ...environmentOf(containerProperties.environment), ...environmentOf(overrides.environment) };
    const container: ContainerRecord = { command: [], environment: [] };
    for (const key of CONTAINER_DETAIL_KEYS)
      if (containerProperties[key] !== undefined) container[key] = structuredClone(containerProperties[key]);
    for (const key of OVERRIDABLE_CONTAINER_KEYS)
      if (overrides[key] !== undefined) container[key] = structuredClone(overrides[key]);
    container.command = command;
    container.environment = Object.entries(environment).map(([name, value]) => ({ name, value }));

    const arraySize = (params.arrayProperties as Json | undefined)?.size as number | undefined;
    const isPlain = arraySize === undefined && dependsOn.length === 0 && !emulateRetries;
    let jobId: string = randomUUID();
    const base: Omit<JobRecord, "jobId" | "kind" | "held" | "waitFor"> = {
      jobName: String(params.jobName),
      jobQueue: String(queue.jobQueueName),
      jobQueueArn: String(queue.jobQueueArn),
      jobDefinition: String(definition.jobDefinitionArn),
      definitionName: String(definition.jobDefinitionName),
      createdAt: nowMs(),
      parameters,
      container,
      retryStrategy: Object.keys(retryStrategy).length > 0 ? structuredClone(retryStrategy) : null,
      timeout: timeout ? structuredClone(timeout) : null,
      tags: stringMap(params.tags),
      propagateTags: params.propagateTags === true,
      dependsOn,
      maxAttempts: attempts,
      emulateRetries,
      targetIds: [],
      targetQueue: null,
      final: null,
    };
    if (arraySize === undefined) {
      const waitFor = dependsOn.map((dependency) => dependency.jobId ?? "").filter(Boolean);
      const record: JobRecord = { ...base, jobId, kind: "single", waitFor, held: waitFor.length > 0 };
      if (isPlain) {
        jobId = (await this.submitToTarget(record, true)).jobId;
      } else if (!record.held) {
        await this.submitToTarget(record);
      } else {
        this.journal.put(record);
      }
    } else {
      await this.submitArray(base, jobId, arraySize, dependsOn);
    }
    return { jobArn: this.registry.arn(`job/${jobId}`), jobName: String(params.jobName), jobId };
  }

  private checkTargetLimits(
    params: Json,
    attempts: number,
    rules: EvaluateOnExitRule[],
    timeout: Json | undefined,
  ): void {
    const label = this.target.label;
    if (Array.isArray(params.dependsOn) && params.dependsOn.length > 0 && !this.emulateDependencies) {
      throw clientException(
        `dependsOn: target ${label} has no job dependencies; orchestrate them in the application, or set ` +
          "BATCH_MIGRATE_EMULATE_DEPENDENCIES=1 to have the shim hold the job until its dependencies succeed",
      );
    }
    const fixed = this.target.fixedAttempts;
    if (fixed === undefined) return;
    if (attempts > fixed)
      throw clientException(
        `retryStrategy.attempts=${attempts}: target ${label} makes at most ${fixed} attempts per job`,
      );
    if (rules.length > 0) {
      throw clientException(
        `retryStrategy.evaluateOnExit: target ${label} reports neither exit codes nor reasons, so the rules cannot be evaluated`,
      );
    }
    if (timeout !== undefined && timeout !== null) {
      throw clientException(
        `timeout: target ${label} cannot stop a running job; enforce the time limit inside the application`,
      );
    }
  }

  private async submitArray(
    base: Omit<JobRecord, "jobId" | "kind" | "held" | "waitFor">,
    parentId: string,
    size: number,
    dependsOn: DependencyRecord[],
  ): Promise<void> {
    this.journal.put({ ...base, jobId: parentId, kind: "array-parent", arraySize: size, waitFor: [], held: false });
    for (let index = 0; index < size; index++) {
      const childId = `${parentId}:${index}`;
      const waitFor: string[] = [];
      for (const dependency of dependsOn) {
        if (dependency.type === "SEQUENTIAL") {
          if (index > 0) waitFor.push(`${parentId}:${index - 1}`);
        } else if (dependency.type === "N_TO_N") {
          waitFor.push(`${dependency.jobId}:${index}`);
        } else if (dependency.jobId) {
          waitFor.push(dependency.jobId);
        }
      }
      const child: JobRecord = {
        ...structuredClone(base),
        jobId: childId,
        kind: "array-child",
        parentId,
        arraySize: size,
        arrayIndex: index,
        waitFor,
        held: waitFor.length > 0,
      };
      if (child.held) this.journal.put(child);
      else await this.submitToTarget(child);
    }
  }

  /**
   * The job as one JSON document. A plain job's id is the target's own id, unknown before submission, so
   * `jobId` and AWS_BATCH_JOB_ID are left out there.
   */
  private payload(record: JobRecord, attemptGroup: number, jobIdKnown: boolean): Json {
    const environment: Record<string, string> = Object.fromEntries(
      record.container.environment.map((item) => [item.name, item.value]),
    );
    const payload: Json = {};
    if (this.target.fixedAttempts === undefined) {
      environment.AWS_BATCH_JOB_ATTEMPT = String(attemptGroup);
    } else {
      // The target's queue makes the retries (SaladCloud: up to 4): the job wrapper counts the attempts, and
      // answers the job's last one so that the queue makes no more than AWS would.
      payload.maxAttempts = record.maxAttempts;
    }
    environment.AWS_BATCH_JQ_NAME = record.jobQueue;
    const computeEnvironment = this.registry.computeEnvironmentOf(record.jobQueue);
    if (computeEnvironment) environment.AWS_BATCH_CE_NAME = computeEnvironment;
    if (jobIdKnown) {
      environment.AWS_BATCH_JOB_ID = record.jobId;
      payload.jobId = record.jobId;
    }
    Object.assign(payload, {
      jobName: record.jobName,
      jobQueue: record.jobQueue,
      jobDefinition: record.jobDefinition,
      parameters: record.parameters,
      command: record.container.command,
      environment,
    });
    if (record.kind === "array-child") {
      environment.AWS_BATCH_JOB_ARRAY_INDEX = String(record.arrayIndex);
      environment.AWS_BATCH_JOB_ARRAY_SIZE = String(record.arraySize);
      payload.arrayProperties = { index: record.arrayIndex, size: record.arraySize };
    }
    return payload;
  }

  private async submitToTarget(record: JobRecord, jobIdIsTargetId = false): Promise<JobRecord> {
    const attemptGroup = record.targetIds.length + 1;
    const metadata: Json = {
      aws_job_name: record.jobName,
      aws_job_queue: record.jobQueue,
      aws_job_definition: record.jobDefinition,
    };
    if (!jobIdIsTargetId) {
      metadata.aws_job_id = record.jobId;
      metadata.aws_attempt = attemptGroup;
    }
    if (record.kind === "array-child") {
      metadata.aws_array_parent = record.parentId;
      metadata.aws_array_index = record.arrayIndex;
    }
    const timeoutSeconds = (record.timeout as Json | null)?.attemptDurationSeconds as number | undefined;
    const submission: TargetSubmission = {
      shimJobId: record.jobId,
      attemptGroup,
      payload: this.payload(record, attemptGroup, !jobIdIsTargetId),
      metadata,
      name: record.jobName,
      definitionName: record.definitionName,
      queueName: record.jobQueue,
      maxAttempts: record.emulateRetries ? 1 : record.maxAttempts,
      timeoutSeconds,
      parameters: record.parameters,
      definitionMapping: this.registry.mappingFor(record.definitionName, this.target.label),
      queueMapping: this.registry.queueMappingFor(record.jobQueue, this.target.label),
    };
    const created = await this.target.submit(submission);
    if (jobIdIsTargetId) record.jobId = created.targetId;
    record.targetIds.push(created.targetId);
    record.targetQueue = created.targetQueue ?? null;
    record.held = false;
    this.journal.put(record);
    return record;
  }

  // ── Reading state ───────────────────────────────────────────────────────────────────────────

  private async targetJob(record: JobRecord, targetId: string, cache: TargetCache): Promise<TargetJob | undefined> {
    if (!cache.has(targetId)) cache.set(targetId, await this.target.get(targetId, record.targetQueue));
    return cache.get(targetId);
  }

  private async advance(record: JobRecord, cache: TargetCache): Promise<void> {
    if (record.final || record.kind === "array-parent") return;
    if (record.held) {
      const statuses = await Promise.all(record.waitFor.map((jobId) => this.statusOf(jobId, cache)));
      if (statuses.some((status) => status === "FAILED" || status === undefined)) {
        record.final = { status: "FAILED", statusReason: DEPENDENCY_FAILED_REASON, stoppedAt: nowMs() };
        this.journal.put(record);
      } else if (statuses.every((status) => status === "SUCCEEDED")) {
        await this.submitToTarget(record);
      }
      return;
    }
    if (!record.emulateRetries || record.cancelReason || record.terminateReason) return;
    const latestId = record.targetIds.at(-1);
    const latest = latestId === undefined ? undefined : await this.targetJob(record, latestId, cache);
    if (!latest || latest.status !== "FAILED" || latest.isCancelled || latest.isTerminated || latest.timedOut) return;
    if (record.targetIds.length >= record.maxAttempts) return;
    const decision = evaluateOnExit(
      (((record.retryStrategy ?? {}) as Json).evaluateOnExit as EvaluateOnExitRule[]) ?? [],
      {
        exitCode: latest.exitCode,
        reason: latest.containerReason,
        statusReason: latest.statusReason,
      },
    );
    if (decision === "RETRY") await this.submitToTarget(record);
  }

  private async statusOf(jobId: string, cache: TargetCache): Promise<string | undefined> {
    const record = this.journal.get(jobId);
    if (record) return String((await this.detail(record, cache)).status);
    const targetJob = jobId.includes(":") ? undefined : await this.target.get(jobId, undefined);
    return targetJob?.status;
  }

  private async detail(record: JobRecord, cache: TargetCache): Promise<Json> {
    if (record.kind === "array-parent") return this.arrayParentDetail(record, cache);
    await this.advance(record, cache);
    const detail = this.baseDetail(record);
    if (record.kind === "array-child") detail.arrayProperties = { index: record.arrayIndex };
    const final = record.final;
    if (record.held && !final) {
      detail.status = "PENDING";
      return detail;
    }
    const latestId = record.targetIds.at(-1);
    const latest = latestId === undefined ? undefined : await this.targetJob(record, latestId, cache);
    if (final) {
      const { stoppedAt, ...outcome } = final;
      Object.assign(detail, outcome);
      if (stoppedAt) detail.stoppedAt = stoppedAt;
      if (latest?.startedAt) detail.startedAt = latest.startedAt;
      detail.attempts = await this.attempts(record, cache);
      return detail;
    }
    if (!latest) {
      detail.status = "FAILED";
      detail.statusReason = `the ${this.target.label} job ${latestId ?? ""} no longer exists`;
      return detail;
    }
    detail.status = latest.status;
    if (latest.statusReason) detail.statusReason = latest.statusReason;
    if (latest.isCancelled) {
      detail.isCancelled = true;
      detail.statusReason = record.cancelReason ?? record.terminateReason ?? latest.statusReason;
    }
    if (latest.isTerminated) {
      detail.isTerminated = true;
      detail.statusReason = record.terminateReason ?? record.cancelReason ?? latest.statusReason;
    }
    if (latest.startedAt !== undefined && !NOT_STARTED_STATUSES.has(latest.status)) detail.startedAt = latest.startedAt;
    if (TERMINAL_STATUSES.has(latest.status) && latest.stoppedAt !== undefined) detail.stoppedAt = latest.stoppedAt;
    if (latest.exitCode !== undefined && TERMINAL_STATUSES.has(latest.status))
      (detail.container as Json).exitCode = latest.exitCode;
    detail.attempts = await this.attempts(record, cache);
    return detail;
  }

  private baseDetail(record: JobRecord): Json {
    const detail: Json = {
      jobArn: this.registry.arn(`job/${record.jobId}`),
      jobName: record.jobName,
      jobId: record.jobId,
      jobQueue: record.jobQueueArn,
      status: "SUBMITTED",
      attempts: [],
      createdAt: record.createdAt,
      dependsOn: structuredClone(record.dependsOn),
      jobDefinition: record.jobDefinition,
      parameters: { ...record.parameters },
      container: structuredClone(record.container),
      tags: { ...record.tags },
      propagateTags: record.propagateTags,
      platformCapabilities: ["EC2"],
      isCancelled: false,
      isTerminated: false,
    };
    if (record.retryStrategy) detail.retryStrategy = structuredClone(record.retryStrategy);
    if (record.timeout) detail.timeout = structuredClone(record.timeout);
    return detail;
  }

  private async attempts(record: JobRecord, cache: TargetCache): Promise<Json[]> {
    const attempts: Json[] = [];
    for (const targetId of record.targetIds) {
      const job = await this.targetJob(record, targetId, cache);
      if (!job) continue;
      const finishedStarts = TERMINAL_STATUSES.has(job.status) ? job.attemptStarts : job.attemptStarts.slice(0, -1);
      finishedStarts.forEach((startedAt, position) => {
        const container: Json = {};
        const attempt: Json = { container };
        if (startedAt !== undefined) attempt.startedAt = startedAt;
        const isLast = position === job.attemptStarts.length - 1;
        if (isLast && job.stoppedAt !== undefined) {
          attempt.stoppedAt = job.stoppedAt;
          if (job.statusReason) attempt.statusReason = job.statusReason;
          if (job.exitCode !== undefined) container.exitCode = job.exitCode;
          if (job.containerReason) container.reason = job.containerReason;
        }
        attempts.push(attempt);
      });
    }
    return attempts;
  }

  private async childRecords(parent: JobRecord): Promise<JobRecord[]> {
    const children: JobRecord[] = [];
    for (let index = 0; index < (parent.arraySize ?? 0); index++) {
      const child = this.journal.get(`${parent.jobId}:${index}`);
      if (child) children.push(child);
    }
    return children;
  }

  private async arrayParentDetail(record: JobRecord, cache: TargetCache): Promise<Json> {
    const children: Json[] = [];
    for (const child of await this.childRecords(record)) children.push(await this.detail(child, cache));
    const summary: Record<string, number> = Object.fromEntries(JOB_STATUSES.map((status) => [status, 0]));
    for (const child of children) summary[String(child.status)] = (summary[String(child.status)] ?? 0) + 1;
    const detail = this.baseDetail(record);
    detail.arrayProperties = { statusSummary: summary, size: record.arraySize, statusSummaryLastUpdatedAt: nowMs() };
    const allTerminal =
      children.length === record.arraySize && children.every((child) => TERMINAL_STATUSES.has(String(child.status)));
    if (allTerminal) {
      detail.status = summary.SUCCEEDED === children.length ? "SUCCEEDED" : "FAILED";
      detail.stoppedAt = Math.max(0, ...children.map((child) => Number(child.stoppedAt ?? 0))) || nowMs();
      const started = children
        .map((child) => child.startedAt as number | undefined)
        .filter((value): value is number => value !== undefined);
      if (started.length > 0) detail.startedAt = Math.min(...started);
    } else {
      detail.status = "PENDING";
    }
    if (record.cancelReason && detail.status === "FAILED") {
      detail.isCancelled = true;
      detail.statusReason = record.cancelReason;
    }
    if (record.terminateReason && detail.status === "FAILED") {
      detail.isTerminated = true;
      detail.statusReason = record.terminateReason;
    }
    return detail;
  }

  /** A job this process did not submit and no state dir records: read from the target job's metadata. */
  private statelessDetail(job: TargetJob): Promise<Json> {
    const metadata = job.metadata;
    const queueName = String(metadata.aws_job_queue ?? "");
    const definitionArn = String(metadata.aws_job_definition ?? "");
    const record: JobRecord = {
      jobId: String(metadata.aws_job_id ?? job.targetId),
      jobName: String(metadata.aws_job_name ?? job.targetId),
      jobQueue: queueName,
      jobQueueArn: this.registry.arn(`job-queue/${queueName}`),
      jobDefinition: definitionArn,
      definitionName: (definitionArn.slice(definitionArn.lastIndexOf("/") + 1).split(":")[0] ?? "") || definitionArn,
      createdAt: job.createdAt ?? 0,
      parameters: {},
      container: { command: [], environment: [] },
      tags: {},
      propagateTags: false,
      dependsOn: [],
      maxAttempts: 1,
      emulateRetries: false,
      targetIds: [job.targetId],
      targetQueue: job.targetQueue ?? null,
      final: null,
      kind: "single",
      held: false,
      waitFor: [],
    };
    return this.detail(record, new Map([[job.targetId, job]]));
  }

  // ── Operations ──────────────────────────────────────────────────────────────────────────────

  async describeJobs(jobIds: readonly string[]): Promise<Json[]> {
    const cache: TargetCache = new Map();
    const details: Json[] = [];
    for (const jobId of jobIds) {
      const record = this.journal.get(jobId);
      if (record) {
        details.push(await this.detail(record, cache));
        continue;
      }
      if (jobId.includes(":")) continue;
      const targetJob = await this.target.get(jobId, undefined);
      if (targetJob) details.push(await this.statelessDetail(targetJob));
    }
    return details;
  }

  async listJobDetails(jobQueue: string | undefined, arrayJobId: string | undefined): Promise<Json[]> {
    const cache: TargetCache = new Map();
    if (arrayJobId) {
      const parent = this.journal.get(arrayJobId);
      if (!parent || parent.kind !== "array-parent") return [];
      const details: Json[] = [];
      for (const child of await this.childRecords(parent)) details.push(await this.detail(child, cache));
      return details;
    }
    // AWS refuses ListJobs on a queue that does not exist, as it refuses SubmitJob to it.
    if (!this.registry.findJobQueue(jobQueue ?? "")) throw clientException(`job queue ${jobQueue ?? ""} not found`);
    const queueName = this.registry.queueName(jobQueue ?? "");
    const everything = this.journal.all();
    const records = everything.filter((record) => record.jobQueue === queueName && record.kind !== "array-child");
    const knownTargetIds = new Set(everything.flatMap((record) => record.targetIds));
    const targetQueues = new Set<string | undefined>(
      records.map((record) => record.targetQueue ?? undefined).filter(Boolean),
    );
    targetQueues.add(this.target.defaultQueue(queueName, this.registry.queueMappingFor(queueName, this.target.label)));
    const outside: TargetJob[] = [];
    for (const targetQueue of targetQueues) {
      for await (const job of this.target.listQueue(queueName, targetQueue)) {
        cache.set(job.targetId, job);
        // Jobs another process submitted without a shared state dir: only plain jobs can be read back alone.
        if (!knownTargetIds.has(job.targetId) && !job.metadata.aws_array_parent && !job.metadata.aws_job_id)
          outside.push(job);
      }
    }
    const details: Json[] = [];
    for (const record of records) details.push(await this.detail(record, cache));
    for (const job of outside) details.push(await this.statelessDetail(job));
    return details;
  }

  cancelJob(jobId: string, reason: string): Promise<void> {
    return this.stop(jobId, reason, false);
  }

  terminateJob(jobId: string, reason: string): Promise<void> {
    return this.stop(jobId, reason, true);
  }

  private async stop(jobId: string, reason: string, terminate: boolean): Promise<void> {
    const cache: TargetCache = new Map();
    const record = this.journal.get(jobId);
    if (!record) {
      const targetJob = jobId.includes(":") ? undefined : await this.target.get(jobId, undefined);
      // AWS refuses CancelJob/TerminateJob of a job it does not know.
      if (!targetJob) throw clientException(`job ${jobId} not found`);
      if (
        NOT_STARTED_STATUSES.has(targetJob.status) ||
        (terminate && targetJob.status === "RUNNING" && this.target.canStopRunning)
      ) {
        await this.target.cancel(targetJob, reason);
      }
      return;
    }
    if (record.kind === "array-parent") {
      if (terminate) record.terminateReason = reason;
      else record.cancelReason = reason;
      this.journal.put(record);
      for (let index = 0; index < (record.arraySize ?? 0); index++)
        await this.stop(`${jobId}:${index}`, reason, terminate);
      return;
    }
    const status = String((await this.detail(record, cache)).status);
    if (TERMINAL_STATUSES.has(status)) return;
    if (record.held) {
      record.cancelReason = reason;
      record.final = { status: "FAILED", statusReason: reason, isCancelled: true, stoppedAt: nowMs() };
      this.journal.put(record);
      return;
    }
    const latestId = record.targetIds.at(-1);
    const latest = latestId === undefined ? undefined : await this.targetJob(record, latestId, cache);
    if (!latest) return;
    if (NOT_STARTED_STATUSES.has(status)) {
      record.cancelReason = reason;
      this.journal.put(record);
      await this.target.cancel(latest, reason);
      return;
    }
    // AWS: CancelJob on a STARTING/RUNNING job succeeds and does nothing.
    if (!terminate) return;
    record.terminateReason = reason;
    if (this.target.canStopRunning) {
      this.journal.put(record);
      await this.target.cancel(latest, reason);
    } else {
      // SaladCloud cannot stop a dispatched job: record AWS's outcome and ignore the late result.
      record.final = { status: "FAILED", statusReason: reason, isTerminated: true, stoppedAt: nowMs() };
      this.journal.put(record);
    }
  }
}
