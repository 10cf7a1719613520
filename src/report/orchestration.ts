import type { Finding } from "../core/types.js";
import { callSiteId } from "../link/index.js";
import { callSiteId as workloadSiteId } from "../platforms/analyze.js";
import type { ReadinessStatus, TargetId } from "../platforms/types.js";
import { isOrchestrationTask, type Report } from "./model.js";

/** A Step Functions task or orchestrator operator that submits a Batch job, with what it was linked to. */
export interface OrchestrationTask {
  /** `Step Functions`, `CDK Step Functions` or `Airflow`. */
  orchestrator: string;
  /** The task's class or resource (`BatchSubmitJob`, `arn:aws:states:::batch:submitJob.sync`). */
  task: string;
  path: string;
  line: number;
  /** The job definition it runs (its name), or `unresolved: <reference>`. */
  jobDefinition: string;
  /** The queue it names, when linked. */
  queue: string | null;
  /** Readiness of the workload it runs, per target; `unresolved` when it is linked to none. */
  status: Partial<Record<TargetId, ReadinessStatus | "unresolved">>;
}

const ORCHESTRATOR: Record<string, string> = {
  "sfn-task": "Step Functions",
  "cdk-sfn-task": "CDK Step Functions",
  "airflow-operator": "Airflow",
};

function referenceText(report: Report, finding: Finding, relation: string): string | undefined {
  return report.links.find((link) => link.from === callSiteId(finding) && link.relation === relation)?.via;
}

/** Every orchestration task of the scan, linked or not, in source order. */
export function orchestrationTasks(report: Report): OrchestrationTask[] {
  const targets = report.targets?.selected ?? [];
  return report.findings.filter(isOrchestrationTask).map((finding) => {
    const id = workloadSiteId(finding);
    const workload = (report.workloads ?? []).find((w) => w.callSites.includes(id));
    const written = referenceText(report, finding, "uses-job-definition");
    const status: OrchestrationTask["status"] = {};
    for (const target of targets) status[target] = workload?.status[target] ?? "unresolved";
    return {
      orchestrator: ORCHESTRATOR[finding.kind] ?? finding.kind,
      task: finding.resourceType ?? finding.operation ?? finding.name ?? finding.kind,
      path: finding.path,
      line: finding.line,
      jobDefinition: workload ? workload.name : `unresolved: ${written ?? "no job definition argument read"}`,
      queue: workload?.queue ?? referenceText(report, finding, "uses-job-queue") ?? null,
      status,
    };
  });
}
