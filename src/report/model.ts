import type { ScanResult } from "../core/scan.js";
import type { Coverage, Finding, Inventory, Link } from "../core/types.js";

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
  findings: Finding[];
  inventory: Inventory;
  links: Link[];
  coverage: Coverage;
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

/** Call sites (code findings), for the coverage line. */
export function isCallSite(finding: Finding): boolean {
  return /^(py|js)-/.test(finding.kind) || finding.kind === "wrapper-call";
}
