import { getOperation, type OperationInfo } from "./batch-operations.js";
import type { Category, EffortPoints, Finding, FindingKind, Language, LiteralValue, Origin } from "./types.js";

/** Where in a file a finding sits (1-based lines and columns, end exclusive). */
export type Span = Pick<Finding, "line" | "column" | "endLine" | "endColumn">;

export interface FindingInput {
  kind: FindingKind;
  path: string;
  span: Span;
  language: Language;
  /** API operation (`SubmitJob`) for calls. */
  operation?: string;
  resourceType?: string;
  name?: string;
  args?: Record<string, LiteralValue>;
  dynamic?: boolean;
  /** Where the client this site uses was made (see `Origin`). */
  origin?: Origin;
  /** Replaces the generated message, for findings that need their own words. */
  message?: string;
  detail?: string;
}

const SHIM_TRANSFORMS: Partial<Record<Language, string[]>> = {
  python: ["boto3-to-shim"],
  notebook: [],
  javascript: ["aws-sdk-to-shim"],
  typescript: ["aws-sdk-to-shim"],
};

const NATIVE_TRANSFORMS: Partial<Record<Language, string[]>> = {
  python: ["boto3-to-native"],
  javascript: ["aws-sdk-to-native"],
  typescript: ["aws-sdk-to-native"],
};

const NATIVE_OPERATIONS = new Set(["SubmitJob", "DescribeJobs", "CancelJob", "TerminateJob"]);

interface Verdict {
  ruleId: string;
  category: Category;
  effort: EffortPoints;
  message: string;
  detail: string;
  fix: string;
  transforms: string[];
}

function kebab(name: string): string {
  return name
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1-$2")
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/[^A-Za-z0-9]+/g, "-")
    .toLowerCase();
}

function operationVerdict(op: OperationInfo | undefined, input: FindingInput): Verdict {
  const shim = SHIM_TRANSFORMS[input.language] ?? [];
  if (!op) {
    return {
      ruleId: "batch/dynamic-call",
      category: "mandatory",
      effort: 3,
      message: "Batch client call whose operation is chosen at run time",
      detail: "The operation name is computed, so no tool can tell which Batch API it reaches.",
      fix: "manual: replace the dynamic dispatch with explicit calls, then run `migrate apply`",
      transforms: [],
    };
  }
  const native = NATIVE_OPERATIONS.has(op.name) ? (NATIVE_TRANSFORMS[input.language] ?? []) : [];
  const base = { ruleId: `batch/${kebab(op.name)}`, category: op.category, effort: op.effort };
  switch (op.group) {
    case "job":
      return {
        ...base,
        message: `${op.name} call`,
        detail: op.shimmed
          ? `${op.name} is answered by the runtime shim on every target; the native SDKs have an equivalent.`
          : `${op.name} has no equivalent on the targets yet.`,
        fix: op.shimmed ? (shim[0] ?? "shim") : "manual: no target equivalent",
        transforms: op.shimmed ? [...shim, ...native] : [],
      };
    case "job-definition":
    case "job-queue":
    case "compute-environment":
      return {
        ...base,
        message: `${op.name} call (${op.group.replace("-", " ")} management)`,
        detail: op.shimmed
          ? "The shim answers this from the local registry in migrate.config.json; the targets have no such resource."
          : "The targets have no queues or compute environments to manage: this code has no equivalent and must be removed or replaced by the target's deployment files.",
        fix: op.shimmed ? (shim[0] ?? "shim") : "manual: replace with `migrate init` deployment files",
        transforms: op.shimmed ? shim : [],
      };
    case "fair-share":
    case "service-job":
      return {
        ...base,
        message: `${op.name} call`,
        detail:
          "Fair-share scheduling, quota shares, consumable resources and service jobs have no equivalent on Common Compute or SaladCloud.",
        fix: "manual: drop the feature or emulate it in your own scheduler",
        transforms: [],
      };
    case "tagging":
      return {
        ...base,
        message: `${op.name} call`,
        detail:
          "The targets have no resource tags; the call can be dropped once cost allocation moves to the target's projects or API keys.",
        fix: "manual: remove the tagging call",
        transforms: [],
      };
  }
}

function verdictFor(input: FindingInput): Verdict {
  const op = input.operation ? getOperation(input.operation) : undefined;
  const shim = SHIM_TRANSFORMS[input.language] ?? [];
  switch (input.kind) {
    case "py-client":
    case "py-client-indirect":
    case "js-v2-client":
    case "js-v3-client":
      return {
        ruleId: "batch/client",
        category: "mandatory",
        effort: 1,
        message: input.dynamic
          ? "AWS Batch client created (service name read at run time)"
          : "AWS Batch client created",
        detail:
          "Every call made through this client goes to AWS Batch; pointing it at the shim moves them all at once.",
        fix: shim[0] ?? "shim",
        transforms: shim,
      };
    case "js-v2-import":
    case "js-v3-import":
      return {
        ruleId: "batch/import",
        category: "mandatory",
        effort: 0,
        message: "AWS Batch SDK import",
        detail: "The import is where the shim takes over: only this line changes.",
        fix: shim[0] ?? "shim",
        transforms: shim,
      };
    case "py-call":
    case "js-v2-call":
    case "js-v3-command":
      return operationVerdict(op, input);
    case "py-call-dynamic":
      return operationVerdict(undefined, input);
    case "py-paginator": {
      const verdict = operationVerdict(op, input);
      return { ...verdict, ruleId: `${verdict.ruleId}-paginator`, message: `${verdict.message} (paginator)` };
    }
    case "py-waiter-custom":
      return {
        ruleId: "batch/custom-waiter",
        category: "optional",
        effort: 3,
        message: "Custom botocore waiter on a Batch client",
        detail:
          "Batch has no built-in waiters; this waiter polls a Batch API through botocore internals the shim does not expose.",
        fix: "manual: replace the waiter with a polling loop over describe calls",
        transforms: [],
      };
    case "py-declarative-op":
      return {
        ruleId: "batch/declarative-operation",
        category: "potential",
        effort: 3,
        message: `Batch operation named in a framework table${op ? ` (${op.name})` : ""}`,
        detail: "A framework calls this operation by name on a Batch client at run time.",
        fix: "manual: check what the framework does with it",
        transforms: [],
      };
    case "wrapper-call":
      return {
        ruleId: "batch/wrapper-call",
        category: "potential",
        effort: 0,
        message: `Call of a project method named like a Batch operation${op ? ` (${op.name})` : ""}`,
        detail: "The project wraps its Batch client; the wrapped call is reported where the client is used.",
        fix: "none: follows the wrapped call",
        transforms: [],
      };
    case "parse-error":
      return {
        ruleId: "scan/parse-error",
        category: "potential",
        effort: 0,
        message: "File could not be parsed",
        detail: "Batch uses in this file may be missed.",
        fix: "manual: fix the syntax or exclude the file with .migrateignore",
        transforms: [],
      };
    default:
      return resourceVerdict(input);
  }
}

const INFRASTRUCTURE_DETAIL = "Batch infrastructure: its settings decide what each target can run and what it costs.";
const INIT_FIX = "manual: generate the target's deployment files with `migrate init`";

/** Weight of findings that are not SDK calls, by kind: what they cost to move and how much they block. */
const KIND_WEIGHTS: Partial<Record<FindingKind, Pick<Verdict, "category" | "effort" | "detail" | "fix">>> = {
  "cdk-import": {
    category: "mandatory",
    effort: 0,
    detail: "The CDK app builds Batch resources; its constructs are reported one by one.",
    fix: INIT_FIX,
  },
  "tf-module": {
    category: "optional",
    effort: 1,
    detail: "A module that creates Batch resources; they are reported where the module declares them.",
    fix: INIT_FIX,
  },
  "batch-json-other": {
    category: "potential",
    effort: 1,
    detail: "A Batch API input kept as JSON (a SubmitJob, compute environment or queue request for the CLI).",
    fix: "manual: replace the CLI call that reads it",
  },
  "jobdef-json-list": {
    category: "potential",
    effort: 0,
    detail: "A saved Batch API response; nothing runs from it.",
    fix: "none: delete it once migrated",
  },
  "sfn-task": {
    category: "mandatory",
    effort: 5,
    detail: "A Step Functions state submits this Batch job; the targets have no Step Functions integration.",
    fix: "manual: call the target's API from a Lambda task, or move orchestration to the target's client",
  },
  "cdk-sfn-task": {
    category: "mandatory",
    effort: 5,
    detail: "A Step Functions state submits this Batch job; the targets have no Step Functions integration.",
    fix: "manual: call the target's API from a Lambda task, or move orchestration to the target's client",
  },
  "airflow-operator": {
    category: "mandatory",
    effort: 3,
    detail: "An Airflow task submits this Batch job through the Amazon provider.",
    fix: "manual: replace the operator with a task that calls the target's client",
  },
  "apigw-batch-integration": {
    category: "mandatory",
    effort: 3,
    detail:
      "An API Gateway method calls the Batch API itself (an AWS service integration); neither target is an API Gateway service, so the method stops working.",
    fix: "manual: replace the integration with a Lambda or HTTP integration that calls the target's API (through the shim or the target's client)",
  },
  "eventbridge-rule": {
    category: "potential",
    effort: 3,
    detail:
      "An EventBridge rule listens to AWS Batch events (job state changes); the targets publish no such event stream, so whatever it triggers stops firing.",
    fix: "manual: decide how to learn of job state on the target: SaladCloud job webhooks or polling its job API; polling on Common Compute",
  },
  "tf-in-code": { category: "potential", effort: 1, detail: "Terraform for Batch generated from code.", fix: INIT_FIX },
  info: {
    category: "potential",
    effort: 0,
    detail: "Related to Batch, but nothing to migrate here (a type, an exception class, a generic SDK import).",
    fix: "none",
  },
};

function resourceVerdict(input: FindingInput): Verdict {
  const type = input.resourceType ?? input.kind;
  const weight = KIND_WEIGHTS[input.kind] ?? {
    category: "mandatory",
    effort: 3,
    detail: INFRASTRUCTURE_DETAIL,
    fix: INIT_FIX,
  };
  return {
    ruleId:
      input.kind === "eventbridge-rule"
        ? "eventbridge/batch-event-rule"
        : input.kind === "apigw-batch-integration"
          ? "apigw/batch-integration"
          : `${input.kind === "info" ? "info" : input.kind.split("-")[0]}/${kebab(type)}`,
    message:
      input.kind === "apigw-batch-integration"
        ? `API Gateway integration calls Batch ${input.operation ?? "(operation not read)"} directly`
        : `${type}${input.name ? ` ${input.name}` : ""}`,
    transforms: [],
    ...weight,
  };
}

/** Builds a finding with the rule id, category, effort and advice its kind and operation call for. */
export function createFinding(input: FindingInput): Finding {
  const verdict = verdictFor(input);
  const finding: Finding = {
    ruleId: verdict.ruleId,
    kind: input.kind,
    category: verdict.category,
    path: input.path,
    ...input.span,
    language: input.language,
    effort: verdict.effort,
    message: input.message ?? verdict.message,
    detail: input.detail ?? verdict.detail,
    fix: verdict.fix,
    transforms: verdict.transforms,
  };
  if (input.operation) finding.operation = input.operation;
  if (input.resourceType) finding.resourceType = input.resourceType;
  if (input.name) finding.name = input.name;
  if (input.args && Object.keys(input.args).length > 0) finding.args = input.args;
  if (input.dynamic) finding.dynamic = true;
  if (input.origin) finding.origin = input.origin;
  return finding;
}

const CATEGORY_RANK: Record<Category, number> = { mandatory: 0, optional: 1, potential: 2 };

export function isAtOrAbove(category: Category, threshold: Category): boolean {
  return CATEGORY_RANK[category] <= CATEGORY_RANK[threshold];
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
    a.line - b.line ||
    a.column - b.column ||
    (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0) ||
    (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0)
  );
}
