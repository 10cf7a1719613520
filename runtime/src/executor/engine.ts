import { existsSync, readFileSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { RESERVED_ENV_PREFIX, shouldRetry } from "./batch-rules.js";
import type { ExecutorConfig } from "./config.js";
import {
  TERMINAL_STATUSES,
  type Attempt,
  type ComputeEnvironment,
  type Job,
  type JobDefinition,
  type JobQueue,
  type JobStatus,
  type SaladQueue,
  type SchedulingPolicy,
} from "./model.js";
import { forwardJob } from "./runners/http-forwarder.js";
import { findMarkedProcesses, reapOrphan, startProcess, type ProcessOutcome } from "./runners/process.js";
import { StorageError, type JournalStore } from "./store.js";

export const SUCCESS_STATUS_REASON = "Essential container in task exited";
export const TIMEOUT_STATUS_REASON = "Job attempt duration exceeded timeout";
export const LOST_HOST_STATUS_REASON = "Host EC2 (instance local-executor) terminated.";
export const DEPENDENCY_FAILED_REASON = "Dependent Job failed";
export const ARRAY_CHILD_FAILED_REASON = "Array Child Job failed";
const ATTEMPT_MARKER_VARIABLE = "MIGRATE_EXECUTOR_ATTEMPT";
/** A Common Compute result larger than this is served as bytes without trying to parse it as JSON. */
const MAX_JSON_RESULT_BYTES = 16 * 1024 * 1024;

export interface EngineOptions {
  stateDir: string;
  maxParallel: number;
  killGraceMs: number;
  leaseMs: number;
  workDir: string;
  config: ExecutorConfig;
  /** The environment every job starts from (the executor's own, minus its key and AWS_BATCH_*). */
  baseEnv: Record<string, string>;
  /** Bytes of log kept per attempt; undefined: the runner's default. */
  maxLogBytes?: number;
}

type StopReason = "timeout" | "terminate";

interface ActiveAttempt {
  job: Job;
  attempt: Attempt;
  lane: Lane;
  stopReason?: StopReason;
  terminateReason?: string;
  stop: () => void;
  timers: NodeJS.Timeout[];
}

interface AttemptResult {
  succeeded: boolean;
  exitCode?: number;
  reason?: string;
  statusReason?: string;
}

/** Concurrency shared by the lanes of one workload or queue (a Common Compute workload has a lane per tier). */
interface Limiter {
  running: number;
  limit: number;
}

class Lane {
  private ids: string[] = [];
  private head = 0;

  constructor(
    readonly key: string,
    public rank: number,
    readonly limiter: Limiter,
    readonly isReady: () => boolean,
  ) {}

  get hasCapacity(): boolean {
    return this.limiter.running < this.limiter.limit;
  }

  push(id: string): void {
    this.ids.push(id);
  }

  /** Back at the head of the lane: a dispatch that could not be recorded. */
  pushFront(id: string): void {
    if (this.head > 0) this.ids[--this.head] = id;
    else this.ids.unshift(id);
  }

  peek(jobs: Map<string, Job>): Job | undefined {
    while (this.head < this.ids.length) {
      const job = jobs.get(this.ids[this.head] ?? "");
      if (job && job.status === "RUNNABLE") return job;
      this.head++;
    }
    if (this.head > 0) {
      this.ids = [];
      this.head = 0;
    }
    return undefined;
  }

  shift(): void {
    this.head++;
    if (this.head > 4096 && this.head * 2 > this.ids.length) {
      this.ids = this.ids.slice(this.head);
      this.head = 0;
    }
  }

  get queued(): number {
    return this.ids.length - this.head;
  }
}

export class JobNotFoundError extends Error {
  constructor(readonly jobId: string) {
    super(`job ${jobId} not found`);
  }
}

/** A job id as one path segment inside the state directory: never a separator, never "." or "..". */
export function safeFileName(id: string): string {
  const name = id.replace(/[^A-Za-z0-9._-]/g, "_");
  return name === "" || /^\.+$/.test(name) ? `_${name}` : name;
}

/** The job state machine, the scheduler and the runners, behind all three faces. */
export class Engine {
  readonly jobs = new Map<string, Job>();
  readonly jobDefinitions = new Map<string, JobDefinition>();
  readonly jobQueues = new Map<string, JobQueue>();
  readonly computeEnvironments = new Map<string, ComputeEnvironment>();
  /** By ARN. */
  readonly schedulingPolicies = new Map<string, SchedulingPolicy>();
  readonly saladQueues = new Map<string, SaladQueue>();
  /** Common Compute Idempotency-Key → job id. */
  readonly idempotencyKeys = new Map<string, string>();
  private readonly dependents = new Map<string, Set<string>>();
  private readonly arrayProgress = new Map<string, { terminal: number; failed: number }>();
  private readonly lanes = new Map<string, Lane>();
  private readonly limiters = new Map<string, Limiter>();
  private readonly active = new Map<string, ActiveAttempt>();
  private readonly pendingChecks: string[] = [];
  private checkingDependencies = false;
  private pumping = false;
  private pumpScheduled = false;
  private runningCount = 0;
  private nextSeq = 1;
  private closing = false;
  private readonly idleWaiters: (() => void)[] = [];

  private constructor(
    readonly store: JournalStore,
    readonly options: EngineOptions,
  ) {}

  static async open(store: JournalStore, options: EngineOptions): Promise<Engine> {
    const engine = new Engine(store, options);
    engine.recover();
    await store.flush();
    // Dispatch stops while the disk refuses writes (see pump) and resumes once a write gets through.
    store.onRecovered = () => engine.pump();
    engine.pump();
    return engine;
  }

  get running(): number {
    return this.runningCount;
  }

  newSeq(): number {
    return this.nextSeq++;
  }

  logFile(jobId: string, attemptNumber: number): string {
    return path.join(this.options.stateDir, "logs", safeFileName(jobId), `${attemptNumber}.log`);
  }

  resultDirectory(jobId: string): string {
    return path.join(this.options.stateDir, "results", safeFileName(jobId));
  }

  inputFile(jobId: string): string {
    return path.join(this.options.stateDir, "inputs", safeFileName(jobId));
  }

  getJob(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  getJobOrThrow(id: string): Job {
    const job = this.jobs.get(id);
    if (!job) throw new JobNotFoundError(id);
    return job;
  }

  childrenOf(parent: Job): Job[] {
    const children: Job[] = [];
    for (let index = 0; index < (parent.arraySize ?? 0); index++) {
      const child = this.jobs.get(`${parent.id}:${index}`);
      if (child) children.push(child);
    }
    return children;
  }

  persistJob(job: Job): Promise<void> {
    // A submission refused by the disk is forgotten; an attempt undone after that must not write it back.
    if (!this.jobs.has(job.id)) return Promise.resolve();
    return this.store.put("job", job.id, job);
  }

  /**
   * Accepts a job (and, for an array job, creates its children) and moves it as far as it can go without
   * running anything, synchronously; the promise resolves once all of it is on disk.
   */
  submit(job: Job): Promise<Job> {
    if (this.closing) throw new Error("the executor is shutting down");
    const failure = this.store.lastFailure;
    if (failure) return Promise.reject(failure);
    this.jobs.set(job.id, job);
    this.persistJob(job);
    if (job.cc?.idempotencyKey) this.idempotencyKeys.set(job.cc.idempotencyKey, job.id);
    if (job.arraySize) {
      for (const child of this.createChildren(job)) {
        this.jobs.set(child.id, child);
        this.persistJob(child);
      }
    }
    this.advanceSubmitted(job);
    return this.store.flush().then(
      () => job,
      (error: unknown) => {
        // Refused, so not accepted: nothing ran yet (dispatch waits for a healthy disk), and nothing may run.
        if (error instanceof StorageError) this.discardSubmission(job);
        throw error;
      },
    );
  }

  /** Forgets a job whose submission could not be written, so it neither runs nor reappears after a restart. */
  private discardSubmission(job: Job): void {
    const ids = [job.id, ...this.childrenOf(job).map((child) => child.id)];
    for (const id of ids) {
      const record = this.jobs.get(id);
      if (!record) continue;
      for (const dependencyId of record.waitFor) this.dependents.get(dependencyId)?.delete(id);
      this.jobs.delete(id);
      // A deletion line, in case part of the refused write reached the disk after all.
      void this.store.delete("job", id).catch(() => undefined);
    }
    this.arrayProgress.delete(job.id);
    if (job.cc?.idempotencyKey && this.idempotencyKeys.get(job.cc.idempotencyKey) === job.id) {
      this.idempotencyKeys.delete(job.cc.idempotencyKey);
    }
  }

  private createChildren(parent: Job): Job[] {
    const size = parent.arraySize ?? 0;
    const children: Job[] = [];
    const now = Date.now();
    for (let index = 0; index < size; index++) {
      const waitFor: string[] = [];
      for (const dependency of parent.dependsOn) {
        if (dependency.type === "SEQUENTIAL") {
          if (index > 0) waitFor.push(`${parent.id}:${index - 1}`);
        } else if (dependency.type === "N_TO_N" && dependency.jobId) {
          waitFor.push(`${dependency.jobId}:${index}`);
        } else if (dependency.jobId) {
          waitFor.push(dependency.jobId);
        }
      }
      children.push({
        ...structuredClone({ ...parent, transitions: [], attempts: [] }),
        id: `${parent.id}:${index}`,
        seq: this.newSeq(),
        createdAt: now,
        arraySize: undefined,
        arrayIndex: index,
        parentId: parent.id,
        waitFor,
        transitions: [{ status: "SUBMITTED", at: now }],
      });
    }
    this.arrayProgress.set(parent.id, { terminal: 0, failed: 0 });
    return children;
  }

  private advanceSubmitted(job: Job): void {
    if (job.arraySize) {
      this.setStatus(job, "PENDING");
      for (const child of this.childrenOf(job)) this.advanceSubmitted(child);
      return;
    }
    if (job.waitFor.length === 0 && !job.cc?.uploadToken) {
      this.makeRunnable(job);
      return;
    }
    this.setStatus(job, "PENDING");
    for (const dependencyId of job.waitFor) this.addDependent(dependencyId, job.id);
    this.scheduleDependencyCheck(job.id);
  }

  private addDependent(dependencyId: string, jobId: string): void {
    let set = this.dependents.get(dependencyId);
    if (!set) this.dependents.set(dependencyId, (set = new Set()));
    set.add(jobId);
  }

  private scheduleDependencyCheck(jobId: string): void {
    this.pendingChecks.push(jobId);
    if (this.checkingDependencies) return;
    this.checkingDependencies = true;
    try {
      // A worklist rather than recursion: a failure can cascade down a 10,000-child SEQUENTIAL chain.
      while (this.pendingChecks.length > 0) {
        const job = this.jobs.get(this.pendingChecks.shift() ?? "");
        if (job) this.checkDependencies(job);
      }
    } finally {
      this.checkingDependencies = false;
    }
  }

  private checkDependencies(job: Job): void {
    if (job.status !== "PENDING" || job.arraySize) return;
    let allSucceeded = true;
    for (const dependencyId of job.waitFor) {
      const dependency = this.jobs.get(dependencyId);
      if (!dependency || dependency.status === "FAILED") {
        this.setStatus(job, "FAILED", DEPENDENCY_FAILED_REASON);
        return;
      }
      if (dependency.status !== "SUCCEEDED") allSucceeded = false;
    }
    if (allSucceeded && !job.cc?.uploadToken) this.makeRunnable(job);
  }

  /** Called by the Common Compute face once the input a job waited for has been uploaded. */
  inputArrived(job: Job): void {
    this.scheduleDependencyCheck(job.id);
    this.pump();
  }

  private makeRunnable(job: Job, reason?: string): void {
    this.setStatus(job, "RUNNABLE", reason);
    job.queuedSeq = this.newSeq();
    this.laneFor(job).push(job.id);
    this.schedulePump();
  }

  /** Dispatch on the next turn, so a submit answers with the state the job was accepted in. */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private laneFor(job: Job): Lane {
    let lane = this.lanes.get(job.lane);
    if (lane) return lane;
    const run = job.run;
    if (run.kind === "workload") {
      const workloads = this.options.config.workloads ?? {};
      const limiter = this.limiterFor(`workload:${run.workload}`, workloads[run.workload]?.maxParallel ?? Infinity);
      lane = new Lane(job.lane, job.rank, limiter, () => Object.hasOwn(workloads, run.workload));
    } else if (run.kind === "forward") {
      const queues = this.options.config.saladQueues ?? {};
      const limiter = this.limiterFor(job.lane, queues[run.queueName]?.replicas ?? 1);
      lane = new Lane(job.lane, job.rank, limiter, () => Object.hasOwn(queues, run.queueName));
    } else {
      lane = new Lane(job.lane, job.rank, this.limiterFor(job.lane, Infinity), () => true);
    }
    this.lanes.set(job.lane, lane);
    return lane;
  }

  private limiterFor(key: string, limit: number): Limiter {
    let limiter = this.limiters.get(key);
    if (!limiter) this.limiters.set(key, (limiter = { running: 0, limit }));
    return limiter;
  }

  setLaneRank(laneKey: string, rank: number): void {
    const lane = this.lanes.get(laneKey);
    if (lane) lane.rank = rank;
  }

  private setStatus(job: Job, status: JobStatus, reason?: string): void {
    const now = Date.now();
    const previous = job.status;
    job.status = status;
    if (reason !== undefined) job.statusReason = reason;
    job.transitions.push({ status, at: now });
    if (TERMINAL_STATUSES.has(status)) {
      job.stoppedAt = now;
      if (job.salad) {
        const action = status === "SUCCEEDED" ? "succeeded" : job.isCancelled ? "cancelled" : "failed";
        job.salad.events.push({ action, time: now });
      }
    }
    this.persistJob(job);
    if (job.parentId) this.onChildStatus(job, previous);
    if (TERMINAL_STATUSES.has(status) && !TERMINAL_STATUSES.has(previous)) {
      for (const dependentId of this.dependents.get(job.id) ?? []) this.scheduleDependencyCheck(dependentId);
      this.dependents.delete(job.id);
    }
  }

  private onChildStatus(child: Job, previous: JobStatus): void {
    const parent = this.jobs.get(child.parentId ?? "");
    if (!parent) return;
    if (child.status === "RUNNING" && parent.startedAt === undefined) {
      parent.startedAt = Date.now();
      this.persistJob(parent);
    }
    if (!TERMINAL_STATUSES.has(child.status) || TERMINAL_STATUSES.has(previous)) return;
    const progress = this.arrayProgress.get(parent.id) ?? { terminal: 0, failed: 0 };
    progress.terminal++;
    if (child.status === "FAILED") progress.failed++;
    this.arrayProgress.set(parent.id, progress);
    this.finishArrayIfDone(parent);
  }

  private finishArrayIfDone(parent: Job): void {
    const progress = this.arrayProgress.get(parent.id);
    if (!progress || TERMINAL_STATUSES.has(parent.status) || progress.terminal < (parent.arraySize ?? 0)) return;
    if (progress.failed === 0) this.setStatus(parent, "SUCCEEDED");
    else this.setStatus(parent, "FAILED", parent.statusReason ?? ARRAY_CHILD_FAILED_REASON);
  }

  /** Counts of children per status, for an array parent's statusSummary. */
  statusSummary(parent: Job): Record<JobStatus, number> {
    const summary: Record<JobStatus, number> = {
      SUBMITTED: 0,
      PENDING: 0,
      RUNNABLE: 0,
      STARTING: 0,
      RUNNING: 0,
      SUCCEEDED: 0,
      FAILED: 0,
    };
    for (const child of this.childrenOf(parent)) summary[child.status]++;
    return summary;
  }

  /** AWS CancelJob: only before STARTING; for STARTING and RUNNING jobs it does nothing, successfully. */
  cancel(jobId: string, reason: string): void {
    const job = this.getJobOrThrow(jobId);
    if (job.arraySize) {
      if (!TERMINAL_STATUSES.has(job.status)) job.statusReason = reason;
      for (const child of this.childrenOf(job)) this.cancel(child.id, reason);
      return;
    }
    if (job.status === "SUBMITTED" || job.status === "PENDING" || job.status === "RUNNABLE") {
      job.isCancelled = true;
      this.setStatus(job, "FAILED", reason);
    }
  }

  /** AWS TerminateJob: stops STARTING and RUNNING jobs (SIGTERM, then SIGKILL); cancels earlier ones. */
  terminate(jobId: string, reason: string): void {
    const job = this.getJobOrThrow(jobId);
    if (job.arraySize) {
      if (!TERMINAL_STATUSES.has(job.status)) job.statusReason = reason;
      for (const child of this.childrenOf(job)) this.terminate(child.id, reason);
      return;
    }
    if (job.status === "STARTING" || job.status === "RUNNING") {
      const active = this.active.get(job.id);
      if (!active) return;
      active.stopReason = "terminate";
      active.terminateReason = reason;
      job.isTerminated = true;
      // On disk too: if the executor dies before the process is gone, the restart must not retry it.
      job.statusReason = reason;
      this.persistJob(job);
      active.stop();
      return;
    }
    this.cancel(jobId, reason);
  }

  pump(): void {
    // Nothing starts while its attempt number could not be recorded.
    if (this.pumping || this.closing || !this.store.healthy) return;
    this.pumping = true;
    try {
      while (this.runningCount < this.options.maxParallel) {
        let best: { lane: Lane; job: Job } | undefined;
        for (const lane of this.lanes.values()) {
          if (!lane.hasCapacity || !lane.isReady()) continue;
          const job = lane.peek(this.jobs);
          if (!job) continue;
          if (
            !best ||
            lane.rank > best.lane.rank ||
            (lane.rank === best.lane.rank && (job.queuedSeq ?? 0) < (best.job.queuedSeq ?? 0))
          ) {
            best = { lane, job };
          }
        }
        if (!best) break;
        best.lane.shift();
        this.startAttempt(best.job, best.lane);
      }
    } finally {
      this.pumping = false;
    }
  }

  private startAttempt(job: Job, lane: Lane): void {
    const attempt: Attempt = {
      number: job.attempts.length + 1,
      logStreamName: `${job.name}/default/${job.id}/${job.attempts.length + 1}`,
    };
    job.attempts.push(attempt);
    const active: ActiveAttempt = { job, attempt, lane, stop: () => undefined, timers: [] };
    this.active.set(job.id, active);
    this.runningCount++;
    lane.limiter.running++;
    if (job.cc) job.cc.leaseExpiresAt = Date.now() + this.options.leaseMs;
    this.setStatus(job, "STARTING");
    void this.runAttempt(active).catch((error: unknown) => {
      this.finishAttempt(active, { succeeded: false, reason: `ExecutorError: ${String(error)}` });
    });
  }

  private async runAttempt(active: ActiveAttempt): Promise<void> {
    // The attempt number must be on disk before anything runs, so a restart never reuses it.
    try {
      await this.store.flush();
    } catch (error) {
      if (!(error instanceof StorageError) || this.closing || active.stopReason) throw error;
      this.undoDispatch(active);
      return;
    }
    const { job, attempt } = active;
    if (this.closing) {
      this.finishAttempt(active, { succeeded: false });
      return;
    }
    if (active.stopReason) {
      this.finishAttempt(active, { succeeded: false, reason: "Job terminated before it started" });
      return;
    }
    if (job.run.kind === "forward") {
      await this.runForward(active, job.run.queueName);
      return;
    }
    const request = this.buildProcessRequest(job, attempt);
    const child = startProcess(request);
    active.stop = () => child.stop();
    if (await child.started) {
      attempt.pid = child.pid;
      this.markRunning(active);
    }
    const outcome = await child.finished;
    this.finishAttempt(active, this.resultOfProcess(job, attempt, outcome));
  }

  /**
   * The disk refused the record of a dispatch, so the attempt must not run: it is taken back and the job
   * goes back to the head of its lane, to start once the disk takes writes again.
   */
  private undoDispatch(active: ActiveAttempt): void {
    const { job, attempt } = active;
    if (this.active.get(job.id) !== active) return;
    for (const timer of active.timers) clearTimeout(timer);
    if (job.attempts.at(-1) === attempt) job.attempts.pop();
    if (job.transitions.at(-1)?.status === "STARTING") job.transitions.pop();
    job.status = "RUNNABLE";
    if (job.cc) job.cc.leaseExpiresAt = undefined;
    this.persistJob(job);
    this.releaseSlot(active);
    if (this.jobs.has(job.id)) active.lane.pushFront(job.id);
  }

  private resultOfProcess(job: Job, attempt: Attempt, outcome: ProcessOutcome): AttemptResult {
    if (outcome.startFailed) {
      return { succeeded: false, reason: outcome.reason, statusReason: "Task failed to start" };
    }
    const succeeded = outcome.exitCode === 0;
    if (succeeded && job.cc) {
      const problem = outcome.stdoutFileError ?? this.captureResult(job, attempt);
      if (problem) {
        return {
          succeeded: false,
          exitCode: outcome.exitCode,
          reason: `ExecutorError: the result could not be stored (${problem})`,
        };
      }
    }
    return { succeeded, exitCode: outcome.exitCode, reason: outcome.reason };
  }

  /** Records where the attempt's result is; returns why it could not, if it could not. */
  private captureResult(job: Job, attempt: Attempt): string | undefined {
    const directory = this.resultDirectory(job.id);
    const written = path.join(directory, `${attempt.number}.result`);
    const stdout = path.join(directory, `${attempt.number}.stdout`);
    const file = existsSync(written) ? written : stdout;
    let contentType = "application/octet-stream";
    try {
      if (!existsSync(file)) writeFileSync(file, "");
      if (statSync(file).size <= MAX_JSON_RESULT_BYTES) {
        JSON.parse(readFileSync(file, "utf8"));
        contentType = "application/json";
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // A SyntaxError means the result is not JSON, so it is served as bytes.
      if (code) return code;
    }
    if (job.cc) {
      job.cc.resultFile = file;
      job.cc.resultContentType = contentType;
    }
    return undefined;
  }

  private buildProcessRequest(job: Job, attempt: Attempt): Parameters<typeof startProcess>[0] {
    const env: Record<string, string> = { ...this.options.baseEnv };
    let argv: string[];
    let cwd = this.options.workDir;
    let stdoutFile: string | undefined;
    let stdin: string | undefined;
    if (job.run.kind === "process") {
      argv = job.run.command;
      Object.assign(env, withoutReservedNames(job.run.environment));
      env.AWS_BATCH_JOB_ID = job.id;
      env.AWS_BATCH_JOB_ATTEMPT = String(attempt.number);
      env.AWS_BATCH_JQ_NAME = job.aws?.jobQueue ?? "";
      env.AWS_BATCH_CE_NAME = job.aws?.computeEnvironment ?? "";
      if (job.arrayIndex !== undefined) {
        const parent = this.jobs.get(job.parentId ?? "");
        env.AWS_BATCH_JOB_ARRAY_INDEX = String(job.arrayIndex);
        env.AWS_BATCH_JOB_ARRAY_SIZE = String(parent?.arraySize ?? "");
      }
    } else if (job.run.kind === "workload") {
      const workload = this.options.config.workloads?.[job.run.workload];
      argv = workload?.command ?? [];
      Object.assign(env, withoutReservedNames(workload?.env ?? {}));
      if (workload?.cwd) cwd = path.resolve(this.options.workDir, workload.cwd);
      const directory = this.resultDirectory(job.id);
      mkdirSync(directory, { recursive: true });
      stdoutFile = path.join(directory, `${attempt.number}.stdout`);
      env.CC_JOB_ID = job.id;
      env.CC_JOB_ATTEMPT = String(attempt.number);
      env.CC_WORKLOAD = job.run.workload;
      if (job.cc?.modelId) env.CC_MODEL_ID = job.cc.modelId;
      if (job.cc?.inputUri) env.CC_INPUT_URI = job.cc.inputUri;
      if (existsSync(this.inputFile(job.id))) env.CC_INPUT_PATH = this.inputFile(job.id);
      env.CC_RESULT_PATH = path.join(directory, `${attempt.number}.result`);
      if (job.cc?.input !== undefined) stdin = JSON.stringify(job.cc.input);
    } else {
      throw new Error("forwarded jobs don't run processes");
    }
    // Last, so no job or config variable can replace the marker the reaper trusts.
    const marker = `${job.id}#${attempt.number}`;
    env[ATTEMPT_MARKER_VARIABLE] = marker;
    return {
      argv,
      env,
      cwd,
      logFile: this.logFile(job.id, attempt.number),
      maxLogBytes: this.options.maxLogBytes,
      stdoutFile,
      stdin,
      killGraceMs: this.options.killGraceMs,
      marker: `${ATTEMPT_MARKER_VARIABLE}=${marker}`,
    };
  }

  private async runForward(active: ActiveAttempt, queueName: string): Promise<void> {
    const { job, attempt } = active;
    const connection = this.options.config.saladQueues?.[queueName];
    if (!connection || !job.salad) {
      this.finishAttempt(active, { succeeded: false, reason: `no connection configured for queue ${queueName}` });
      return;
    }
    const abort = new AbortController();
    active.stop = () => abort.abort();
    this.markRunning(active);
    const outcome = await forwardJob({
      host: connection.host ?? "127.0.0.1",
      port: connection.port,
      path: connection.path,
      jobId: job.id,
      input: job.salad.input,
      timeoutMs: connection.timeoutSeconds === undefined ? undefined : connection.timeoutSeconds * 1000,
      signal: abort.signal,
    });
    const line = outcome.ok
      ? `attempt ${attempt.number}: HTTP ${outcome.status}, job completed\n`
      : `attempt ${attempt.number}: rejected, ${outcome.reason}\n`;
    try {
      mkdirSync(path.dirname(this.logFile(job.id, attempt.number)), { recursive: true });
      writeFileSync(this.logFile(job.id, attempt.number), line, { flag: "a" });
    } catch {
      // The app has answered; a log line the disk refused must not turn that into a retry.
    }
    if (outcome.ok) job.salad.output = outcome.output;
    this.finishAttempt(active, outcome.ok ? { succeeded: true } : { succeeded: false, reason: outcome.reason });
  }

  private markRunning(active: ActiveAttempt): void {
    const { job, attempt } = active;
    if (this.active.get(job.id) !== active || job.status !== "STARTING") return;
    const now = Date.now();
    attempt.startedAt = now;
    job.startedAt ??= now;
    job.salad?.events.push({ action: "started", time: now });
    this.setStatus(job, "RUNNING");
    if (job.timeoutSeconds !== undefined) {
      const timer = setTimeout(() => {
        active.stopReason ??= "timeout";
        active.stop();
      }, job.timeoutSeconds * 1000);
      active.timers.push(timer);
    }
    if (job.cc) {
      // Our runner is the device: while it runs, it heartbeats, which extends the lease.
      const heartbeat = setInterval(
        () => {
          if (job.cc) job.cc.leaseExpiresAt = Date.now() + this.options.leaseMs;
        },
        Math.max(1, Math.floor(this.options.leaseMs / 3)),
      );
      heartbeat.unref();
      active.timers.push(heartbeat);
    }
  }

  private finishAttempt(active: ActiveAttempt, result: AttemptResult): void {
    if (this.active.get(active.job.id) !== active) return;
    for (const timer of active.timers) clearTimeout(timer);
    if (this.closing) {
      // Left as STARTING/RUNNING on disk: the next start treats it like a lost host.
      this.releaseSlot(active);
      return;
    }
    const { job, attempt } = active;
    attempt.stoppedAt = Date.now();
    if (result.exitCode !== undefined) attempt.exitCode = result.exitCode;
    if (result.reason !== undefined) attempt.reason = result.reason;
    if (job.cc) job.cc.leaseExpiresAt = undefined;
    if (active.stopReason === "terminate") {
      attempt.outcome = "terminated";
      attempt.statusReason = active.terminateReason ?? "Terminated";
    } else if (active.stopReason === "timeout") {
      attempt.outcome = "timeout";
      attempt.statusReason = TIMEOUT_STATUS_REASON;
    } else {
      attempt.outcome = result.succeeded ? "succeeded" : "failed";
      attempt.statusReason = result.statusReason ?? SUCCESS_STATUS_REASON;
    }
    this.releaseSlot(active);
    this.settleAttempt(job, attempt);
    this.pump();
  }

  private releaseSlot(active: ActiveAttempt): void {
    this.active.delete(active.job.id);
    this.runningCount--;
    active.lane.limiter.running--;
    if (this.runningCount === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  /** Decides what a finished (or lost) attempt means for its job: done, retried, or failed. */
  private settleAttempt(job: Job, attempt: Attempt): void {
    if (attempt.outcome === "succeeded") {
      this.setStatus(job, "SUCCEEDED", attempt.statusReason);
    } else if (shouldRetry(job, attempt)) {
      this.makeRunnable(job, attempt.statusReason);
    } else {
      if (attempt.outcome === "terminated") job.isTerminated = true;
      this.setStatus(job, "FAILED", attempt.statusReason);
    }
  }

  /** Rebuilds the in-memory indexes from disk and applies the lost-host rule to attempts that were running. */
  private recover(): void {
    for (const definition of this.store.list<JobDefinition>("jobDefinition")) {
      this.jobDefinitions.set(definition.jobDefinitionArn, definition);
    }
    for (const queue of this.store.list<JobQueue>("jobQueue")) this.jobQueues.set(queue.jobQueueName, queue);
    for (const environment of this.store.list<ComputeEnvironment>("computeEnvironment")) {
      this.computeEnvironments.set(environment.computeEnvironmentName, environment);
    }
    for (const policy of this.store.list<SchedulingPolicy>("schedulingPolicy"))
      this.schedulingPolicies.set(policy.arn, policy);
    for (const queue of this.store.list<SaladQueue>("saladQueue")) {
      this.saladQueues.set(`${queue.organizationName}/${queue.projectName}/${queue.name}`, queue);
    }
    const jobs = this.store.list<Job>("job").sort((a, b) => a.seq - b.seq);
    for (const job of jobs) {
      this.jobs.set(job.id, job);
      this.nextSeq = Math.max(this.nextSeq, job.seq + 1, (job.queuedSeq ?? 0) + 1);
      if (job.cc?.idempotencyKey) this.idempotencyKeys.set(job.cc.idempotencyKey, job.id);
    }
    for (const job of jobs) {
      if (job.arraySize) {
        const progress = { terminal: 0, failed: 0 };
        for (const child of this.childrenOf(job)) {
          if (TERMINAL_STATUSES.has(child.status)) progress.terminal++;
          if (child.status === "FAILED") progress.failed++;
        }
        this.arrayProgress.set(job.id, progress);
      }
    }
    // Jobs that were RUNNABLE on disk keep their place; lost attempts re-queued below go behind them.
    const runnable = jobs.filter((job) => job.status === "RUNNABLE");
    runnable.sort((a, b) => (a.queuedSeq ?? a.seq) - (b.queuedSeq ?? b.seq));
    for (const job of runnable) this.laneFor(job).push(job.id);
    const lost = jobs.filter((job) => job.status === "STARTING" || job.status === "RUNNING");
    const markers = new Set(
      lost.map((job) => `${ATTEMPT_MARKER_VARIABLE}=${job.id}#${job.attempts.at(-1)?.number ?? 0}`),
    );
    const markedProcesses = findMarkedProcesses(markers);
    for (const job of lost) this.recoverLostAttempt(job, markedProcesses);
    for (const job of jobs) {
      if (job.status === "SUBMITTED") {
        if (job.arraySize && this.childrenOf(job).length === 0) {
          for (const child of this.createChildren(job)) {
            this.jobs.set(child.id, child);
            this.persistJob(child);
          }
        }
        this.advanceSubmitted(job);
      } else if (job.status === "PENDING" && !job.arraySize) {
        for (const dependencyId of job.waitFor) this.addDependent(dependencyId, job.id);
        this.scheduleDependencyCheck(job.id);
      }
    }
    for (const job of jobs) if (job.arraySize) this.finishArrayIfDone(job);
  }

  private recoverLostAttempt(job: Job, markedProcesses: Map<string, number[]>): void {
    const attempt = job.attempts.at(-1);
    if (!attempt) {
      this.makeRunnable(job);
      return;
    }
    const marker = `${ATTEMPT_MARKER_VARIABLE}=${job.id}#${attempt.number}`;
    reapOrphan(attempt.pid ?? 0, marker, readProcessEnvironment, markedProcesses.get(marker));
    attempt.stoppedAt = Date.now();
    if (job.isTerminated) {
      attempt.outcome = "terminated";
      attempt.statusReason = job.statusReason ?? "Terminated";
    } else {
      attempt.outcome = "lost";
      attempt.statusReason = LOST_HOST_STATUS_REASON;
    }
    if (job.cc) job.cc.leaseExpiresAt = undefined;
    this.settleAttempt(job, attempt);
  }

  /** Resolves when no attempt is running (used by graceful shutdown). */
  private whenIdle(timeoutMs: number): Promise<void> {
    if (this.runningCount === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Stops dispatching, stops running children (SIGTERM, SIGKILL after the grace period) and persists. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const active of this.active.values()) active.stop();
    await this.whenIdle(this.options.killGraceMs + 2_000);
    await this.store.close();
  }
}

function withoutReservedNames(environment: Record<string, string>): Record<string, string> {
  const allowed: Record<string, string> = {};
  for (const [name, value] of Object.entries(environment)) {
    if (!name.startsWith(RESERVED_ENV_PREFIX) && name !== ATTEMPT_MARKER_VARIABLE) allowed[name] = value;
  }
  return allowed;
}

function readProcessEnvironment(pid: number): string | undefined {
  if (process.platform !== "linux" || pid <= 0) return undefined;
  try {
    return readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").join("\n");
  } catch {
    return undefined;
  }
}
