import type { ScanResult } from "../core/scan.js";
import type { Coverage, Finding, Inventory, Link } from "../core/types.js";
import type { CostScenario, CostSection } from "../cost/model.js";
import type { Gap, Readiness, ReadinessStatus, TargetId } from "../platforms/types.js";
import type { OrchestrationTask } from "./orchestration.js";

export const REPORT_VERSION = 1;

/** The one versioned report model every format renders. */
export interface Report {
  /** Schema version of this model. */
  version: typeof REPORT_VERSION;
  tool: { name: string; version: string };
  /** ISO time of the scan (SOURCE_DATE_EPOCH when set, for reproducible output). */
  scannedAt: string;
  /** The scan root as given (absolute paths are not written, so reports can be shared). */
  root: string;
  /** The scanned repository's folder name, for titles; absent when the report was not made from a folder. */
  project?: string;
  findings: Finding[];
  inventory: Inventory;
  links: Link[];
  coverage: Coverage;
  /** Readiness and gaps per target; absent in `scan` output. */
  targets?: TargetsSection;
  /** Cost today versus each target; absent in `scan` output. */
  cost?: CostSection;
  /** One entry per job definition: its links, readiness, effort and cost per target. */
  workloads?: Workload[];
  /** Workloads ordered by savings per effort point, per target. */
  plan?: PlanItem[];
  /**
   * Step Functions tasks and orchestrator operators that submit Batch jobs, and EventBridge rules on Batch events,
   * with their links, readiness and what takes their place per target; written by `migrate report`.
   */
  orchestration?: OrchestrationTask[];
  /** The repositories of a merged report (`report --merge`): paths of the rest are under a folder of each name. */
  repositories?: RepositorySection[];
}

export interface RepositorySection {
  /** The folder its paths are under. */
  name: string;
  /** The root its own report was scanned from. */
  root: string;
  scannedAt: string;
  findings: number;
  coverage: { filesSeen: number; filesRead: number; filesParsed: number; parseErrors: number };
  /** What the organisation-wide analysis found in this repository; absent before analysis. */
  figures?: RepositoryFigures;
}

/** One repository's share of a merged report's analysis: these summed over the repositories are its totals. */
export interface RepositoryFigures {
  callSites: number;
  jobDefinitions: number;
  jobQueues: number;
  computeEnvironments: number;
  /** Job definitions this repository declares (current revisions), wherever they are submitted from. */
  workloads: number;
  /** Effort points of the job definitions and call sites in this repository, per target. */
  effort: Partial<Record<TargetId, number>>;
  /** AWS today and each target, in the report's headline scenario. */
  cost: { scenario: Exclude<CostScenario, "ceiling">; platforms: RepositoryCost[] };
}

export interface RepositoryCost {
  platform: "aws" | TargetId;
  /** Sum of this repository's priced workloads in USD; null when none has a price (never 0 for "unknown"). */
  cost: number | null;
  /** Workloads with a price on this platform, and without one. */
  priced: number;
  unpriced: number;
}

export interface TargetsSection {
  /** The targets analysed (`--target`). */
  selected: TargetId[];
  readiness: Readiness[];
  gaps: Gap[];
}

/** The cost figure the plan compares: monthly when usage was given, else one run. */
export interface WorkloadCost {
  scenario: Exclude<CostScenario, "ceiling">;
  /** AWS today in USD; null when it has no price. */
  aws: number | null;
  /** Each target in USD; null when it has no price. */
  targets: Partial<Record<TargetId, number | null>>;
}

export interface Workload {
  /** Inventory id of the job definition. */
  id: string;
  name: string;
  path: string;
  line: number;
  /** Call sites (`path:line:column`) that submit it. */
  callSites: string[];
  queue: string | null;
  computeEnvironment: string | null;
  /** How the compute environment was found. */
  computeEnvironmentBasis: string;
  /** Worst readiness of the definition and its call sites, per target. */
  status: Partial<Record<TargetId, ReadinessStatus>>;
  /** Effort points of the definition, its call sites and their gaps, per target. */
  effort: Partial<Record<TargetId, number>>;
  cost: WorkloadCost;
}

export interface PlanItem {
  target: TargetId;
  workload: string;
  status: ReadinessStatus;
  effort: number;
  scenario: Exclude<CostScenario, "ceiling">;
  /** AWS today minus the target, in USD; null when either has no price. */
  savings: number | null;
  /** savings ÷ effort points; null without savings. */
  savingsPerPoint: number | null;
  /** What to do, from the gaps. */
  steps: string[];
}

export interface ReportMeta {
  toolVersion: string;
  rootLabel: string;
  /** ISO time; see reportTime. */
  scannedAt: string;
}

/** The report's time: SOURCE_DATE_EPOCH when the environment sets it (reproducible builds), else now. */
export function reportTime(env: NodeJS.ProcessEnv, now: Date = new Date()): string {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch && /^\d+$/.test(epoch)) return new Date(Number(epoch) * 1000).toISOString();
  return now.toISOString();
}

export function buildReport(scan: ScanResult, meta: ReportMeta, links: Link[] = []): Report {
  return {
    version: REPORT_VERSION,
    tool: { name: "batch-migrate", version: meta.toolVersion },
    scannedAt: meta.scannedAt,
    root: meta.rootLabel,
    findings: scan.findings,
    inventory: scan.inventory,
    links,
    coverage: scan.coverage,
  };
}

/**
 * Call sites: SDK client creations and calls in code. Imports are not sites (the shim changes them with the
 * client), nor are calls of the project's own wrappers (they follow the wrapped call).
 */
export function isCallSite(finding: Finding): boolean {
  return /^(py|js)-/.test(finding.kind) && !finding.kind.endsWith("-import");
}

/**
 * Entry points that call Batch for someone else: tasks of orchestrators that submit jobs (Step Functions, CDK Step
 * Functions tasks, Airflow operators) and API Gateway methods integrated with the Batch API.
 */
export function isOrchestrationTask(finding: Finding): boolean {
  return (
    finding.kind === "sfn-task" ||
    finding.kind === "cdk-sfn-task" ||
    finding.kind === "airflow-operator" ||
    finding.kind === "apigw-batch-integration"
  );
}
