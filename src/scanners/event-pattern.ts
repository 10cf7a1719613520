// https://docs.aws.amazon.com/batch/latest/userguide/batch_cwe_events.html — Batch events are `source: aws.batch`
import type { LiteralValue } from "../core/types.js";

/** What an EventBridge pattern on Batch events watches, as the finding's arguments. */
export type BatchEventPattern = Record<string, LiteralValue>;

function strings(value: LiteralValue | undefined): string[] {
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function field(pattern: { [key: string]: LiteralValue }, ...names: string[]): LiteralValue | undefined {
  for (const name of names) if (name in pattern) return pattern[name];
  return undefined;
}

/**
 * The Batch part of an event pattern read as a literal (CloudFormation `EventPattern`, Terraform `event_pattern`,
 * CDK `eventPattern` with its camel-case keys), or undefined when its `source` does not name `aws.batch`.
 */
export function batchEventPattern(pattern: LiteralValue | undefined): BatchEventPattern | undefined {
  if (!pattern || typeof pattern !== "object" || Array.isArray(pattern)) return undefined;
  if (!strings(field(pattern, "source")).includes("aws.batch")) return undefined;
  const out: BatchEventPattern = { source: "aws.batch" };
  const detailTypes = strings(field(pattern, "detail-type", "detailType"));
  if (detailTypes.length) out.detailType = detailTypes.join(", ");
  const detail = field(pattern, "detail");
  if (detail && typeof detail === "object" && !Array.isArray(detail)) {
    const statuses = strings(detail.status);
    if (statuses.length) out.status = statuses.join(", ");
    const jobDefinitions = strings(detail.jobDefinition);
    if (jobDefinitions.length) out.jobDefinition = jobDefinitions.join(", ");
    const queues = strings(detail.jobQueue);
    if (queues.length) out.jobQueue = queues.join(", ");
  }
  return out;
}

/** The finding's message for a rule on Batch events. */
export function batchEventMessage(pattern: BatchEventPattern): string {
  const what = typeof pattern.detailType === "string" ? pattern.detailType : "Batch events";
  const status = typeof pattern.status === "string" ? ` (${pattern.status})` : "";
  return `EventBridge rule on aws.batch: ${what}${status}`;
}
