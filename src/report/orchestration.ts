import type { Finding, Link } from "../core/types.js";
import { callSiteId } from "../link/index.js";
import { callSiteId as workloadSiteId } from "../platforms/analyze.js";
import type { ReadinessStatus, TargetId } from "../platforms/types.js";
import { isOrchestrationTask, type Report } from "./model.js";
import { plural } from "./summary.js";
import { isExecutionInput } from "./unresolved.js";

/**
 * Orchestration around Batch: a Step Functions task or orchestrator operator that submits a job, or an EventBridge
 * rule that listens to Batch events, with what it was linked to and what each target offers in its place.
 */
export interface OrchestrationTask {
  /** `Step Functions`, `CDK Step Functions`, `Airflow`, `API Gateway` or `EventBridge`. */
  orchestrator: string;
  /** The task's class or resource (`BatchSubmitJob`, `arn:aws:states:::batch:submitJob.sync`, `aws_events.Rule`). */
  task: string;
  path: string;
  line: number;
  /** What a rule listens for (`Batch Job State Change: FAILED`); absent for tasks, which submit. */
  listensFor?: string;
  /** The Batch API operation an API Gateway integration calls (`SubmitJob`, `DescribeJobs`…); absent otherwise. */
  calls?: string;
  /** The job definition it runs or watches (its name), `any` for a rule that names none, or `unresolved: <reference>`. */
  jobDefinition: string;
  /** The queue it names, when linked or written. */
  queue: string | null;
  /**
   * Its own readiness per target: `manual` for every task and rule, since neither target has a Step Functions,
   * Airflow or EventBridge integration.
   */
  status: Partial<Record<TargetId, ReadinessStatus>>;
  /** For a task, the readiness of the workload it runs, per target (`unresolved` when linked to none). */
  workloadStatus?: Partial<Record<TargetId, ReadinessStatus | "unresolved">>;
  /** What takes its place on each target, and why a person must do it. */
  replacement: Partial<Record<TargetId, string>>;
}

const ORCHESTRATOR: Record<string, string> = {
  "sfn-task": "Step Functions",
  "cdk-sfn-task": "CDK Step Functions",
  "airflow-operator": "Airflow",
  "eventbridge-rule": "EventBridge",
  "apigw-batch-integration": "API Gateway",
};

/** The job states SaladCloud's job webhook reports: it posts the result once the job has finished. */
const TERMINAL = new Set(["SUCCEEDED", "FAILED"]);
const STATE_CHANGE = "Batch Job State Change";
/** Common Compute's job `state` for each Batch job status (its running state is `leased`; a cancel is `failed`). */
const COMMON_COMPUTE_STATE: Record<string, string> = {
  SUBMITTED: "queued",
  PENDING: "queued",
  RUNNABLE: "queued",
  STARTING: "leased",
  RUNNING: "leased",
  SUCCEEDED: "completed",
  FAILED: "failed",
};

const TASK_REPLACEMENT: Record<string, Record<TargetId, string>> = {
  "Step Functions": {
    salad:
      "manual: no Step Functions integration; a Lambda or HTTP task creates the SaladCloud queue job and waits on its webhook or polls it",
    "common-compute":
      "manual: no Step Functions integration; a Lambda or HTTP task submits to Common Compute and polls GET /v1/jobs/{id}",
  },
  "API Gateway": {
    salad:
      "manual: replace the Batch service integration with a Lambda or HTTP integration that calls SaladCloud's job API (through the shim or its SDK)",
    "common-compute":
      "manual: replace the Batch service integration with a Lambda or HTTP integration that calls Common Compute's job API (through the shim)",
  },
  Airflow: {
    salad: "manual: replace the operator with a Python task that calls SaladCloud through the shim or its SDK",
    "common-compute": "manual: replace the operator with a Python task that calls Common Compute through the shim",
  },
};
TASK_REPLACEMENT["CDK Step Functions"] = TASK_REPLACEMENT["Step Functions"]!;

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** `Batch Job State Change: FAILED, SUCCEEDED` — what a rule's pattern selects, as written. */
export function ruleListensFor(finding: Finding): string {
  const type = text(finding.args?.detailType) ?? "any Batch event";
  const status = text(finding.args?.status);
  return status ? `${type}: ${status}` : type;
}

/** Statuses a rule selects, or undefined when it takes every status (or a matcher the scan kept as written). */
function statusesOf(finding: Finding): string[] | undefined {
  const status = text(finding.args?.status);
  if (!status || !/^[A-Z]+(, [A-Z]+)*$/.test(status)) return undefined;
  return status.split(", ");
}

/**
 * What stands in for a rule on Batch events on each target. Neither target publishes an event stream: SaladCloud
 * posts a job's result to the `webhook` set on the queue job (so finished states are covered, others are polled
 * from the job's `events`); Common Compute has no webhook, so `GET /v1/jobs/{id}` is polled for `state`.
 */
export function ruleReplacement(finding: Finding): Record<TargetId, string> {
  const types = (text(finding.args?.detailType) ?? STATE_CHANGE).split(", ");
  const onlyJobStates = types.every((type) => type === STATE_CHANGE);
  const statuses = statusesOf(finding);
  if (!onlyJobStates) {
    const other = types.filter((type) => type !== STATE_CHANGE).join(", ");
    return {
      salad: `manual: SaladCloud has no event like "${other}"; poll the queue's jobs and the container group's state instead`,
      "common-compute": `manual: Common Compute has no event like "${other}"; poll GET /v1/jobs/{id} of the jobs you submitted`,
    };
  }
  const finishedOnly = statuses !== undefined && statuses.every((status) => TERMINAL.has(status));
  return {
    salad: finishedOnly
      ? "manual: set `webhook` on each queue job: SaladCloud posts the job's result (succeeded or failed) to it, signed; verify it with the webhook secret key"
      : `manual: SaladCloud's job webhook posts only the result; poll the queue job's \`events\` (created, started) for ${statuses ? statuses.filter((s) => !TERMINAL.has(s)).join(", ") : "the states before it finishes"}`,
    "common-compute": `manual: Common Compute publishes no job events and has no webhook; poll GET /v1/jobs/{id} for its \`state\`${statuses ? ` (${[...new Set(statuses.map((status) => `${COMMON_COMPUTE_STATE[status] ?? "?"} for ${status}`))].join(", ")})` : ""}`,
  };
}

function linksFrom(report: Report, finding: Finding, relation: Link["relation"]): Link[] {
  return report.links.filter((link) => link.from === callSiteId(finding) && link.relation === relation);
}

/** A rule's linked job definitions or queues by name, `unresolved: <reference>` for those matching nothing. */
function linkedNames(report: Report, finding: Finding, relation: Link["relation"]): string | undefined {
  const links = linksFrom(report, finding, relation);
  if (links.length === 0) return undefined;
  const items = [
    ...report.inventory.jobDefinitions,
    ...report.inventory.jobQueues,
    ...report.inventory.computeEnvironments,
  ];
  return links
    .map((link) =>
      link.resolved ? (items.find((item) => item.id === link.to)?.name ?? link.to) : `unresolved: ${link.via}`,
    )
    .join(", ");
}

function ruleEntry(report: Report, finding: Finding, targets: TargetId[]): OrchestrationTask {
  const replacement = ruleReplacement(finding);
  const entry: OrchestrationTask = {
    orchestrator: ORCHESTRATOR[finding.kind]!,
    task: finding.resourceType ?? finding.kind,
    path: finding.path,
    line: finding.line,
    listensFor: ruleListensFor(finding),
    jobDefinition: linkedNames(report, finding, "uses-job-definition") ?? "any",
    queue: linkedNames(report, finding, "uses-job-queue") ?? null,
    status: {},
    replacement: {},
  };
  for (const target of targets) {
    entry.status[target] = "manual";
    entry.replacement[target] = replacement[target];
  }
  return entry;
}

/** `GpuBatchOperator (BatchOperator)` for a project subclass of an operator; the type or operation otherwise. */
function taskName(finding: Finding): string {
  if (finding.kind === "airflow-operator" && finding.name && finding.resourceType)
    return `${finding.name} (${finding.resourceType})`;
  if (finding.kind === "apigw-batch-integration")
    return `${finding.resourceType ?? "integration"} → batch:${finding.operation ?? "?"}${finding.name ? ` (${finding.name})` : ""}`;
  return finding.resourceType ?? finding.operation ?? finding.name ?? finding.kind;
}

function taskEntry(report: Report, finding: Finding, targets: TargetId[]): OrchestrationTask {
  const id = workloadSiteId(finding);
  const workload = (report.workloads ?? []).find((w) => w.callSites.includes(id));
  const written = linksFrom(report, finding, "uses-job-definition")[0]?.via;
  const orchestrator = ORCHESTRATOR[finding.kind] ?? finding.kind;
  const calls = finding.kind === "apigw-batch-integration" ? finding.operation : undefined;
  const entry: OrchestrationTask = {
    orchestrator,
    task: taskName(finding),
    path: finding.path,
    line: finding.line,
    ...(calls ? { calls } : {}),
    jobDefinition: workload
      ? workload.name
      : calls && calls !== "SubmitJob"
        ? "—"
        : `unresolved: ${written ?? (finding.kind === "apigw-batch-integration" ? "the request names it (mapping template)" : "no job definition argument read")}${written && isExecutionInput(written) ? " (execution input, chosen at run time)" : ""}`,
    queue: workload?.queue ?? linksFrom(report, finding, "uses-job-queue")[0]?.via ?? null,
    status: {},
    workloadStatus: {},
    replacement: {},
  };
  for (const target of targets) {
    entry.status[target] = "manual";
    entry.workloadStatus![target] = workload?.status[target] ?? "unresolved";
    entry.replacement[target] = TASK_REPLACEMENT[orchestrator]?.[target] ?? finding.fix;
  }
  return entry;
}

/** Every orchestration task and rule on Batch events of the scan, linked or not, in source order. */
export function orchestrationTasks(report: Report): OrchestrationTask[] {
  const targets = report.targets?.selected ?? [];
  return report.findings.flatMap((finding) => {
    if (finding.kind === "eventbridge-rule") return [ruleEntry(report, finding, targets)];
    return isOrchestrationTask(finding) ? [taskEntry(report, finding, targets)] : [];
  });
}

/** `2 orchestration tasks submitting Batch jobs and 1 EventBridge rule on Batch events`, for headings. */
export function orchestrationSummary(tasks: readonly OrchestrationTask[]): string {
  const rules = tasks.filter((task) => task.listensFor !== undefined).length;
  const integrations = tasks.filter((task) => task.orchestrator === ORCHESTRATOR["apigw-batch-integration"]).length;
  const submitting = tasks.length - rules - integrations;
  const parts = [
    ...(submitting ? [`${plural(submitting, "orchestration task")} submitting Batch jobs`] : []),
    ...(integrations ? [`${plural(integrations, "API Gateway integration")} calling the Batch API`] : []),
    ...(rules ? [`${plural(rules, "EventBridge rule")} on Batch events`] : []),
  ];
  return parts.join(" and ");
}

/** An integration that calls the Batch API for something other than a submission runs no job of its own. */
function submits(task: OrchestrationTask): boolean {
  return task.listensFor === undefined && (task.calls === undefined || task.calls === "SubmitJob");
}

/** The "listens for" cell: what a rule selects, `— (submits)` for a task, `— (calls DescribeJobs)` for an integration that reads. */
export function roleText(task: OrchestrationTask): string {
  if (task.listensFor !== undefined) return task.listensFor;
  return submits(task) ? "— (submits)" : `— (calls ${task.calls})`;
}

/** `Listens for … of`, `Runs` or `Calls batch:DescribeJobs for`: how a result names what the entry does. */
export function roleVerb(task: OrchestrationTask): string {
  if (task.listensFor !== undefined) return `Listens for ${task.listensFor} of`;
  return submits(task) ? "Runs" : `Calls batch:${task.calls} for`;
}

/** `manual (job: via shim)` for a task, `manual` for a rule: the entry's readiness and its workload's. */
export function readinessText(task: OrchestrationTask, target: TargetId): string {
  const own = task.status[target] ?? "—";
  const workload = task.workloadStatus?.[target];
  return workload ? `${own} (job: ${workload})` : own;
}
