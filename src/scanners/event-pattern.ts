// https://docs.aws.amazon.com/batch/latest/userguide/batch_cwe_events.html — Batch events are `source: aws.batch`
import type { LiteralValue } from "../core/types.js";

/** What an EventBridge pattern on Batch events watches, as the finding's arguments. */
export type BatchEventPattern = Record<string, LiteralValue>;

const BATCH_SOURCE = "aws.batch";

function strings(value: LiteralValue | undefined): string[] {
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function isExpression(value: LiteralValue): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value) && "$expr" in value;
}

/**
 * The queues or job definitions a pattern's `detail` names, kept as references the link graph resolves: one value
 * as itself (a name, an ARN or `{ $expr }` for `job.jobDefinitionArn`), several as a list. Content filters
 * (`{ prefix: … }`) name no one resource and are left out.
 */
function references(value: LiteralValue | undefined): LiteralValue | undefined {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  const kept = list.map(cloudFormationReference).filter((item) => typeof item === "string" || isExpression(item));
  if (kept.length === 0) return undefined;
  return kept.length === 1 ? kept[0] : kept;
}

/** `{ Ref: "Queue" }` and `{ "Fn::GetAtt": ["Queue", "JobQueueArn"] }` as the `!Ref`/`!GetAtt` text links read. */
function cloudFormationReference(value: LiteralValue): LiteralValue {
  if (!value || typeof value !== "object" || Array.isArray(value)) return value;
  if (typeof value.Ref === "string") return { $expr: `!Ref ${value.Ref}` };
  const getAtt = value["Fn::GetAtt"];
  if (Array.isArray(getAtt) && typeof getAtt[0] === "string") return { $expr: `!GetAtt ${getAtt.join(".")}` };
  return value;
}

const JOB_STATUS = /\b(SUBMITTED|PENDING|RUNNABLE|STARTING|RUNNING|SUCCEEDED|FAILED)\b/g;

/**
 * A status filter written with CDK's matchers: `Match.anyOf(["SUCCEEDED", "FAILED"])` lists the statuses it takes;
 * any other matcher (`anythingBut`, `prefix`) is kept as written so the report shows it rather than "any status".
 */
function matcherStatuses(value: LiteralValue): string {
  const text = isExpression(value) ? String((value as { $expr: LiteralValue }).$expr) : JSON.stringify(value);
  const listed = /(?:^|\.)Match\.anyOf\(/.test(text) ? [...text.matchAll(JOB_STATUS)].map((m) => m[1]!) : [];
  return listed.length ? [...new Set(listed)].join(", ") : text;
}

function field(pattern: { [key: string]: LiteralValue }, ...names: string[]): LiteralValue | undefined {
  for (const name of names) if (name in pattern) return pattern[name];
  return undefined;
}

/**
 * The Batch part of an event pattern read as a literal (CloudFormation `EventPattern`, SAM `Pattern`, Terraform
 * `event_pattern`, CDK `eventPattern` with its camel-case keys, Python CDK `EventPattern(detail_type=…)`), or
 * undefined when its `source` does not name `aws.batch`.
 */
export function batchEventPattern(pattern: LiteralValue | undefined): BatchEventPattern | undefined {
  if (!pattern || typeof pattern !== "object" || Array.isArray(pattern)) return undefined;
  if (!strings(field(pattern, "source")).includes(BATCH_SOURCE)) return undefined;
  const out: BatchEventPattern = { source: BATCH_SOURCE };
  const detailTypes = strings(field(pattern, "detail-type", "detailType", "detail_type"));
  if (detailTypes.length) out.detailType = detailTypes.join(", ");
  const detail = field(pattern, "detail");
  if (detail && typeof detail === "object" && !Array.isArray(detail)) {
    const statuses = strings(detail.status);
    if (statuses.length) out.status = statuses.join(", ");
    else if (detail.status !== undefined) out.status = matcherStatuses(detail.status);
    const jobDefinitions = references(detail.jobDefinition);
    if (jobDefinitions !== undefined) out.jobDefinition = jobDefinitions;
    const queues = references(detail.jobQueue);
    if (queues !== undefined) out.jobQueue = queues;
  }
  return out;
}

/** The finding's message for a rule on Batch events. */
export function batchEventMessage(pattern: BatchEventPattern): string {
  const what = typeof pattern.detailType === "string" ? pattern.detailType : "Batch events";
  const status = typeof pattern.status === "string" ? ` (${pattern.status})` : "";
  return `EventBridge rule on aws.batch: ${what}${status}`;
}
