/** How much a finding blocks a migration. */
export type Category = "mandatory" | "optional" | "potential";

/** Effort points on the planning-poker scale the report totals. */
export type EffortPoints = 0 | 1 | 3 | 5 | 7 | 13;

export type Language =
  | "python"
  | "javascript"
  | "typescript"
  | "terraform"
  | "cloudformation"
  | "json"
  | "yaml"
  | "notebook";

/**
 * What a finding is, structurally. The names follow the corpus ground truth
 * (`reference/corpus.md` §1) so that scans can be scored against it.
 */
export type FindingKind =
  | "py-client"
  | "py-client-indirect"
  | "py-call"
  | "py-call-dynamic"
  | "py-paginator"
  | "py-waiter-custom"
  | "py-declarative-op"
  | "js-v2-import"
  | "js-v2-client"
  | "js-v2-call"
  | "js-v3-import"
  | "js-v3-client"
  | "js-v3-command"
  | "jobdef-json"
  | "tf-resource"
  | "cfn-resource"
  | "cfn-in-code"
  | "cdk-construct"
  | "cdk-import"
  | "wrapper-call"
  | "tf-module"
  | "tf-in-code"
  | "batch-json-other"
  | "jobdef-json-list"
  | "cdk-sfn-task"
  | "sfn-task"
  | "airflow-operator"
  | "eventbridge-rule"
  | "apigw-batch-integration"
  | "info"
  | "parse-error";

/** A JSON value read literally from source; `{ $expr }` stands for what could not be read. */
export type LiteralValue = string | number | boolean | null | LiteralValue[] | { [key: string]: LiteralValue };

export interface Finding {
  /** Stable rule id, e.g. `batch/submit-job`, `tf/aws-batch-job-definition`, `scan/parse-error`. */
  ruleId: string;
  /** Structural kind, aligned with the corpus truth kinds. */
  kind: FindingKind;
  /** How much this blocks a migration. */
  category: Category;
  /** POSIX path relative to the scan root. */
  path: string;
  /** 1-based start line. */
  line: number;
  /** 1-based start column. */
  column: number;
  /** 1-based end line. */
  endLine: number;
  /** 1-based end column (exclusive). */
  endColumn: number;
  /** Language of the code at this site (embedded code reports its own language). */
  language: Language;
  /** AWS Batch API operation in its API form (`SubmitJob`), when the finding is a call. */
  operation?: string;
  /** Resource type (`AWS::Batch::JobDefinition`, `aws_batch_job_queue`), when the finding defines one. */
  resourceType?: string;
  /** The resource's logical or declared name, when the finding defines one. */
  name?: string;
  /** Literal arguments that could be read (jobName, jobQueue, jobDefinition, arrayProperties, dependsOn, …). */
  args?: Record<string, LiteralValue>;
  /** Set when the operation, the service or an argument is only known at run time. */
  dynamic?: boolean;
  /**
   * Where the Batch client (or command class) this site uses was made, and how it flowed here. Present on every
   * client creation and call-site finding of the Python and JavaScript/TypeScript scanners.
   */
  origin?: Origin;
  /** Effort points this site costs to migrate. */
  effort: EffortPoints;
  /** What was found. */
  message: string;
  /** Why it matters for the migration. */
  detail: string;
  /** What to do: a transform id, or `manual` with the reason. */
  fix: string;
  /** Transforms that can rewrite this site. */
  transforms: string[];
}

/** How a value moved one step on its way from where a client was made to where it is used. */
export type OriginStepKind =
  /** bound to a variable or name (`batch = …`, `const batch = …`, `with … as batch`, `async with`) */
  | "assigned"
  /** stored in an attribute or field (`self.batch = …`, `this.batch = …`, a class field, a dataclass field) */
  | "attribute"
  /** returned or yielded by a function, property, getter, fixture or context manager */
  | "returned"
  /** passed as an argument and received by a parameter */
  | "parameter"
  /** a parameter's default, or the fallback of `client or make()`, `client ?? new Batch()` */
  | "default"
  /** stored in or read from a container (`clients["batch"]`, a tuple element, an object property) */
  | "element"
  /** exported by one module and imported by another (`from .aws import batch`, `import { batch } from "./aws"`) */
  | "imported"
  /** declared by a type annotation only (`batch: BatchClient`, `constructor(private batch: Batch)`) */
  | "annotated";

export interface OriginStep {
  /** POSIX path of the file where the step happens, relative to the scan root. */
  path: string;
  /** 1-based line of the step. */
  line: number;
  step: OriginStepKind;
  /** The name the value is bound to or read through (variable, attribute, parameter, export, key). */
  name?: string;
}

/**
 * Where the client a finding uses was made: the maker's site, what made it, and the steps from there to the finding
 * (in flow order: first step nearest the maker). A site whose client could not be traced to a maker has
 * `via: "unresolved"` and a `reason`, and its finding is `dynamic`.
 */
export interface Origin {
  /** POSIX path of the file where the client was made. */
  path: string;
  /** 1-based line of the maker (or of the declaration that stands for it). */
  line: number;
  /** 1-based column of the maker. */
  column?: number;
  /**
   * What made it: `boto3.client`, `session.client`, `botocore.create_client`, `aioboto3.client`, `helper:get_client`,
   * `new AWS.Batch`, `new Batch`, `new BatchClient`, `import SubmitJobCommand`, `type BatchClient`, `unresolved`.
   */
  via: string;
  steps: OriginStep[];
  /** Why the maker could not be told (a service name read at run time, a client from a framework). */
  reason?: string;
}

export type ResourceKind =
  | "job-definition"
  | "job-queue"
  | "compute-environment"
  | "scheduling-policy"
  | "consumable-resource";

export interface ResourceSource {
  path: string;
  line: number;
  /** How it was declared: terraform, cloudformation, cdk, job-definition-json, code… */
  via: string;
  /** IaC address (`aws_batch_job_queue.main`, a CFN logical id, a CDK construct id). */
  address?: string;
  /** The code variable or field a CDK construct is kept in (`queue` of `const queue = new JobQueue(…)`). */
  binding?: string;
}

/** A Batch resource found in infrastructure files or code, with its normalised properties. */
export interface InventoryItem {
  /** Stable id: `<kind>:<path>#<address or name>`. */
  id: string;
  kind: ResourceKind;
  /** The Batch name when it could be read (`jobDefinitionName`, `name`), else the IaC address. */
  name: string;
  source: ResourceSource;
  /** Normalised properties (see the inventory types of each kind). */
  properties: Record<string, LiteralValue>;
  /** Names of properties whose value is only known at deploy or run time. */
  unresolved: string[];
}

export interface Inventory {
  jobDefinitions: InventoryItem[];
  jobQueues: InventoryItem[];
  computeEnvironments: InventoryItem[];
  schedulingPolicies: InventoryItem[];
}

/** An edge of the link graph: call site → job definition/queue, queue → compute environment. */
export interface Link {
  from: string;
  to: string;
  relation: "uses-job-definition" | "uses-job-queue" | "uses-compute-environment" | "uses-scheduling-policy";
  /** The reference as written (`my-def:3`, an ARN, `aws_batch_job_queue.q.arn`). */
  via: string;
  resolved: boolean;
}

export type SkipReason = "binary" | "too-large" | "not-utf8" | "unreadable";

export interface SkippedFile {
  path: string;
  reason: SkipReason;
  hint: string;
}

export interface Coverage {
  /** Files in the folders the walk entered (ignored folders are never entered). */
  filesSeen: number;
  /**
   * Files whose content was read: those a scanner accepts by name. This may include files an ignore pattern
   * names, as such patterns are applied after reading (docs/scanners.md); those are never parsed or reported.
   */
  filesRead: number;
  /** Files handed to a parser. */
  filesParsed: number;
  skipped: SkippedFile[];
  /** Files with a parse error (each also a `parse-error` finding). */
  parseErrors: number;
  /** Scanners that failed as a whole (a bug in batch-migrate: their findings are missing). */
  scannerErrors: ScannerError[];
}

export interface ScannerError {
  scanner: string;
  message: string;
}
