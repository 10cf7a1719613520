// Pure conversions between AWS Batch shapes and the targets' job objects: status mapping, timestamps,
// evaluateOnExit matching, parameter substitution, ListJobs selection and opaque pagination tokens.
// Facts: reference/targets.md A.4 (Common Compute mapping), B/E.4 (SaladCloud), C.3–C.4 and D.5 (AWS Batch).
import { createHash } from "node:crypto";
import type { CommonComputeJob } from "../clients/common-compute.js";
import type { QueueJob } from "../clients/salad.js";

export const JOB_STATUSES = ["SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(["SUCCEEDED", "FAILED"]);
export const NOT_STARTED_STATUSES: ReadonlySet<string> = new Set(["SUBMITTED", "PENDING", "RUNNABLE"]);
export const NORMAL_EXIT_REASON = "Essential container in task exited";
export const DEPENDENCY_FAILED_REASON = "Dependent Job failed";
export const TIMEOUT_REASON = "Job attempt duration exceeded timeout";

export const DESCRIBE_JOBS_MAX_IDS = 100;
export const LIST_JOBS_DEFAULT_PAGE = 100;
export const LIST_JOBS_MAX_WITH_STATUS = 1000;
export const LIST_JOBS_MAX_WITH_FILTERS = 100;
export const LIST_JOBS_FILTER_NAMES = [
  "JOB_NAME",
  "JOB_DEFINITION",
  "BEFORE_CREATED_AT",
  "AFTER_CREATED_AT",
  "SHARE_IDENTIFIER",
];

export type Json = Record<string, unknown>;

export const nowMs = (): number => Date.now();

/** SaladCloud RFC 3339 date-times → epoch milliseconds (fractions beyond ms are truncated). */
export function isoToEpochMs(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const parsed = Date.parse(value.trim());
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** A target job's state in AWS Batch's words. */
export interface StatusView {
  status: JobStatus;
  statusReason?: string;
  isCancelled: boolean;
  isTerminated: boolean;
}

/**
 * Common Compute has no cancelled state: a cancel sets `failed`. A cancelled job that had started
 * (`started_at` set) was running, which AWS calls terminated.
 */
export function commonComputeStatus(job: CommonComputeJob): StatusView {
  const error = job.error ?? undefined;
  const view: StatusView = { status: "RUNNABLE", isCancelled: false, isTerminated: false };
  switch (job.state) {
    case "queued":
      return view;
    case "leased":
      return { ...view, status: "RUNNING" };
    case "completed":
      return { ...view, status: "SUCCEEDED", statusReason: NORMAL_EXIT_REASON };
    case "dead_letter": {
      // AWS words a non-zero exit and a timeout its own way, whatever the target said.
      if (error?.code === "timeout") return { ...view, status: "FAILED", statusReason: TIMEOUT_REASON };
      if (exitCodeFromError(error) !== undefined)
        return { ...view, status: "FAILED", statusReason: NORMAL_EXIT_REASON };
      const maxAttempts = job.max_attempts || job.attempts || 3;
      const lastError = error?.message || error?.code || "unknown error";
      const alreadyWorded = lastError.startsWith("Max attempts (");
      return {
        ...view,
        status: "FAILED",
        statusReason: alreadyWorded ? lastError : `Max attempts (${maxAttempts}) exhausted: ${lastError}`,
      };
    }
    case "failed": {
      const cancelled = error?.code === "cancelled" || (!error?.code && !error?.message);
      if (cancelled) {
        const wasRunning = job.started_at !== null && job.started_at !== undefined;
        return {
          status: "FAILED",
          statusReason: error?.message || "Cancelled",
          isCancelled: !wasRunning,
          isTerminated: wasRunning,
        };
      }
      return { ...view, status: "FAILED", statusReason: error?.message || error?.code || "Job failed" };
    }
    default:
      throw new Error(`unknown Common Compute job state ${JSON.stringify(job.state)}`);
  }
}

const EXIT_CODE_IN_MESSAGE = /\bexit code (-?\d+)\b/;

/** The assumed `error.exit_code` field, else an "exit code N" in the error message. */
export function exitCodeFromError(
  error: { exit_code?: unknown; message?: unknown } | null | undefined,
): number | undefined {
  if (!error) return undefined;
  const value = error.exit_code;
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string" && /^-?\d+$/.test(value)) return Number(value);
  const match = EXIT_CODE_IN_MESSAGE.exec(String(error.message ?? ""));
  return match?.[1] !== undefined ? Number(match[1]) : undefined;
}

export function saladStatus(job: QueueJob): StatusView {
  const view: StatusView = { status: "RUNNABLE", isCancelled: false, isTerminated: false };
  switch (job.status) {
    case "pending":
      return view;
    case "running":
      return { ...view, status: "RUNNING" };
    case "succeeded": {
      // The job wrapper completes a job whose failure AWS would not retry (its last attempt, or a timeout).
      const report = finalFailure(job.output);
      if (report)
        return { ...view, status: "FAILED", statusReason: report.timedOut ? TIMEOUT_REASON : NORMAL_EXIT_REASON };
      return { ...view, status: "SUCCEEDED", statusReason: NORMAL_EXIT_REASON };
    }
    case "failed":
      // The queue's 4 attempts all failed: to AWS, the container exited non-zero each time.
      return { ...view, status: "FAILED", statusReason: NORMAL_EXIT_REASON };
    case "cancelled":
      return { ...view, status: "FAILED", isCancelled: true, statusReason: "Cancelled" };
    default:
      throw new Error(`unknown SaladCloud job status ${JSON.stringify(job.status)}`);
  }
}

/** The job wrapper's report of a failure it answered as final (`lastAttempt: true`), else undefined. */
export function finalFailure(output: unknown): { exitCode?: number; timedOut: boolean } | undefined {
  if (typeof output !== "object" || output === null) return undefined;
  const report = output as { lastAttempt?: unknown; exitCode?: unknown; timedOut?: unknown };
  if (report.lastAttempt !== true || report.exitCode === 0) return undefined;
  return {
    ...(typeof report.exitCode === "number" ? { exitCode: report.exitCode } : {}),
    timedOut: report.timedOut === true,
  };
}

/** Start times of every attempt (`started` events) and the terminal event's time, in epoch ms. */
export function saladEventTimes(job: QueueJob): { starts: number[]; stopped?: number } {
  const starts: number[] = [];
  let stopped: number | undefined;
  for (const event of job.events ?? []) {
    const moment = isoToEpochMs(event.time);
    if (moment === undefined) continue;
    if (event.action === "started") starts.push(moment);
    else if (event.action === "succeeded" || event.action === "failed" || event.action === "cancelled")
      stopped = moment;
  }
  return { starts, stopped };
}

/** AWS Batch's evaluateOnExit globs: exact match, or a prefix match when the pattern ends in `*`. */
export function globMatches(pattern: string, value: string | undefined): boolean {
  if (value === undefined) return pattern === "*";
  return pattern.endsWith("*") ? value.startsWith(pattern.slice(0, -1)) : value === pattern;
}

export interface EvaluateOnExitRule {
  action: string;
  onExitCode?: string;
  onReason?: string;
  onStatusReason?: string;
}

/** First matching rule decides RETRY or EXIT; when none matches the job is retried. */
export function evaluateOnExit(
  rules: readonly EvaluateOnExitRule[],
  outcome: { exitCode?: number; reason?: string; statusReason?: string },
): "RETRY" | "EXIT" {
  for (const rule of rules) {
    const conditions: [string | undefined, string | undefined][] = [
      [rule.onExitCode, outcome.exitCode === undefined ? undefined : String(outcome.exitCode)],
      [rule.onReason, outcome.reason],
      [rule.onStatusReason, outcome.statusReason],
    ];
    if (conditions.every(([pattern, value]) => pattern === undefined || globMatches(pattern, value))) {
      return String(rule.action ?? "RETRY").toUpperCase() === "EXIT" ? "EXIT" : "RETRY";
    }
  }
  return "RETRY";
}

/** `Ref::name` → value in every command element; unresolved placeholders stay literal, as on AWS Batch. */
export function substituteParameters(command: readonly string[], parameters: Record<string, string>): string[] {
  const namesLongestFirst = Object.keys(parameters).sort((a, b) => b.length - a.length);
  return command.map((element) => {
    const whole = element.startsWith("Ref::") ? element.slice(5) : undefined;
    if (whole !== undefined && whole in parameters) return String(parameters[whole]);
    let resolved = element;
    for (const name of namesLongestFirst) resolved = resolved.split(`Ref::${name}`).join(String(parameters[name]));
    return resolved;
  });
}

export interface ListJobsFilter {
  name?: string;
  values?: string[];
}

export function listFilterMatches(summary: Json, filter: ListJobsFilter): boolean {
  const value = filter.values?.[0];
  if (value === undefined) return true;
  switch (filter.name) {
    case "JOB_NAME": {
      const jobName = String(summary.jobName ?? "").toLowerCase();
      const wanted = value.toLowerCase();
      return wanted.endsWith("*") ? jobName.startsWith(wanted.slice(0, -1)) : jobName === wanted;
    }
    case "JOB_DEFINITION": {
      const definition = String(summary.jobDefinition ?? "");
      const short = definition.slice(definition.lastIndexOf("/") + 1);
      const shortName = short.split(":")[0] ?? "";
      if (value.endsWith("*")) return shortName.startsWith(value.slice(0, -1));
      if (value.startsWith("arn:")) return definition === value;
      return shortName === value || short === value;
    }
    case "BEFORE_CREATED_AT":
      return Number(summary.createdAt ?? 0) < Number(value);
    case "AFTER_CREATED_AT":
      return Number(summary.createdAt ?? 0) > Number(value);
    case "SHARE_IDENTIFIER":
      return summary.shareIdentifier === value;
    default:
      return true;
  }
}

/**
 * ListJobs' selection rules, newest first: no status and no filter means RUNNING only; with a filter the
 * status is ignored, except with SHARE_IDENTIFIER.
 */
export function selectJobs(
  jobs: readonly Json[],
  jobStatus: string | undefined,
  filters: readonly ListJobsFilter[],
): Json[] {
  const selected = jobs.filter((job) => {
    if (filters.length > 0) {
      if (!filters.every((filter) => listFilterMatches(job, filter))) return false;
      const shareFilter = filters.some((filter) => filter.name === "SHARE_IDENTIFIER");
      return !(shareFilter && jobStatus && job.status !== jobStatus);
    }
    return job.status === (jobStatus ?? "RUNNING");
  });
  return selected.sort(
    (a, b) => Number(b.createdAt ?? 0) - Number(a.createdAt ?? 0) || String(a.jobId).localeCompare(String(b.jobId)),
  );
}

const SUMMARY_KEYS = [
  "jobArn",
  "jobId",
  "jobName",
  "createdAt",
  "startedAt",
  "stoppedAt",
  "status",
  "statusReason",
  "jobDefinition",
  "shareIdentifier",
];

export function summaryFromDetail(detail: Json): Json {
  const summary: Json = {};
  for (const key of SUMMARY_KEYS) if (detail[key] !== undefined) summary[key] = detail[key];
  const container = (detail.container ?? {}) as Json;
  const containerSummary: Json = {};
  for (const key of ["exitCode", "reason"]) if (container[key] !== undefined) containerSummary[key] = container[key];
  if (Object.keys(containerSummary).length > 0) summary.container = containerSummary;
  const array = detail.arrayProperties as Json | undefined;
  if (array) {
    const arraySummary: Json = {};
    for (const key of ["size", "index", "statusSummary", "statusSummaryLastUpdatedAt"]) {
      if (array[key] !== undefined) arraySummary[key] = array[key];
    }
    summary.arrayProperties = arraySummary;
  }
  return summary;
}

// Opaque pagination tokens, bound to the query that issued them.

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    const sorted: Json = {};
    for (const key of Object.keys(value).sort()) {
      const item = (value as Json)[key];
      if (item !== undefined) sorted[key] = canonical(item);
    }
    return sorted;
  }
  return value ?? null;
}

export function queryFingerprint(query: Json): string {
  return createHash("sha256")
    .update(JSON.stringify(canonical(query)), "utf8")
    .digest("hex")
    .slice(0, 16);
}

export function encodeNextToken(offset: number, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ o: offset, f: fingerprint }), "utf8").toString("base64url");
}

/** The offset of a token this shim issued for the same query; throws an Error saying why otherwise. */
export function decodeNextToken(token: string, fingerprint: string): number {
  let payload: { o?: unknown; f?: unknown };
  try {
    payload = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { o?: unknown; f?: unknown };
  } catch {
    throw new Error("the nextToken is not one this client issued");
  }
  if (!payload || typeof payload !== "object" || payload.f === undefined)
    throw new Error("the nextToken is not one this client issued");
  if (payload.f !== fingerprint) throw new Error("the nextToken belongs to a different query");
  if (typeof payload.o !== "number" || !Number.isInteger(payload.o) || payload.o < 0)
    throw new Error("the nextToken is malformed");
  return payload.o;
}

export function paginate<T>(
  items: readonly T[],
  offset: number,
  pageSize: number,
  fingerprint: string,
): { page: T[]; nextToken?: string } {
  const page = items.slice(offset, offset + pageSize);
  const nextOffset = offset + pageSize;
  return nextOffset < items.length ? { page, nextToken: encodeNextToken(nextOffset, fingerprint) } : { page };
}
