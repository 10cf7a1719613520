import type { Finding } from "../core/types.js";
import { cdkConstructKind } from "../inventory/index.js";
import { isCallSite, isOrchestrationTask, type Report } from "./model.js";
import { plural } from "./summary.js";

/** One thing the report could not settle, for "What a person must still decide". */
export interface OpenItem {
  what: string;
  path: string;
  line: number;
  why: string;
}

/** Infrastructure findings that declare or drive Batch (IaC, CDK, Step Functions, orchestrators), not SDK calls. */
function isInfrastructure(finding: Finding): boolean {
  if (isCallSite(finding) || finding.kind.endsWith("-import")) return false;
  return !["parse-error", "info", "wrapper-call"].includes(finding.kind);
}

/**
 * Everything the inventory or the links could not resolve: job definitions without a size, workloads whose compute
 * environment is ambiguous or assumed, references that match nothing, and Batch uses in infrastructure (CDK
 * constructs, Step Functions tasks, rules, operators) that no inventory item stands for. Never empty by omission.
 */
export function openItems(report: Report): OpenItem[] {
  const items: OpenItem[] = [];
  for (const definition of report.inventory.jobDefinitions) {
    const p = definition.properties;
    if (p.superseded === true) continue;
    if (p.vcpus === undefined || p.memoryMiB === undefined)
      items.push({
        what: `job definition ${definition.name}`,
        path: definition.source.path,
        line: definition.source.line,
        why: `vCPU or memory not readable${definition.unresolved.length ? ` (${definition.unresolved.slice(0, 4).join(", ")} known only at deploy time)` : ""}: AWS cannot be priced; pin instance_type in the usage file`,
      });
  }
  for (const item of [
    ...report.inventory.jobDefinitions,
    ...report.inventory.jobQueues,
    ...report.inventory.computeEnvironments,
  ]) {
    const dynamicBlocks = (Array.isArray(item.properties.dynamicBlocks) ? item.properties.dynamicBlocks : []).map(
      String,
    );
    if (dynamicBlocks.length)
      items.push({
        what: `dynamic blocks of ${item.name}`,
        path: item.source.path,
        line: item.source.line,
        why: `${plural(dynamicBlocks.length, "dynamic block")} whose for_each is known only at plan time, each read as one block: ${dynamicBlocksText(dynamicBlocks)}`,
      });
    if (typeof item.properties.instances === "string")
      items.push({
        what: `instances of ${item.name}`,
        path: item.source.path,
        line: item.source.line,
        why: `${item.properties.instances}: known only at plan time, so it is listed and priced as one`,
      });
  }
  for (const workload of report.workloads ?? []) {
    const range = report.cost?.lines.find((l) => l.subject === workload.id && l.platform === "aws" && l.range)?.range;
    if (range)
      items.push({
        what: `compute environment of ${workload.name}`,
        path: workload.path,
        line: workload.line,
        why: range.assumed
          ? `${workload.computeEnvironmentBasis}: priced on ${range.likeliest} (range ${range.candidates.length} assumptions); pin queue, compute_environment or instance_type in the usage file`
          : `${workload.computeEnvironmentBasis}: priced on the likeliest, ${range.likeliest}; pin queue or compute_environment in the usage file`,
      });
  }
  const byId = new Map(
    [
      ...report.inventory.jobDefinitions,
      ...report.inventory.jobQueues,
      ...report.inventory.computeEnvironments,
      ...report.inventory.schedulingPolicies,
    ].map((item) => [item.id, item]),
  );
  const findingAt = new Map(report.findings.map((f) => [`call:${f.path}:${f.line}:${f.column}`, f]));
  const seen = new Set<string>();
  for (const link of report.links) {
    if (link.resolved) continue;
    const from = byId.get(link.from);
    const site = findingAt.get(link.from);
    const path = from?.source.path ?? site?.path ?? "";
    const line = from?.source.line ?? site?.line ?? 0;
    const key = `${path}:${line}:${link.via}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const what = link.relation.replace("uses-", "").replaceAll("-", " ");
    items.push({
      what,
      path,
      line,
      why: isExecutionInput(link.via)
        ? `"${link.via}" is read from the state machine's execution input at run time: whatever starts the execution chooses the ${what}; check its callers${what === "job queue" ? ", or pin the workload's queue in the usage file" : ""}`
        : CDK_ATTRIBUTE.test(link.via)
          ? `"${link.via}" is a CDK construct this file is handed (a prop, a parameter or another stack's field): the scan does not follow constructs across files, so the ${what} it stands for is not known${what === "job queue" ? "; pin the workload's queue in the usage file" : ""}`
          : `"${link.via}" matches nothing in the scanned files`,
    });
  }
  const declared = new Set([...byId.values()].map((item) => `${item.source.path}:${item.source.line}`));
  const linkedTasks = new Set([
    ...report.links.filter((link) => link.relation === "uses-job-definition").map((link) => link.from),
    ...(report.workloads ?? []).flatMap((workload) => workload.callSites.map((site) => `call:${site}`)),
  ]);
  for (const finding of report.findings.filter(isInfrastructure)) {
    if (declared.has(`${finding.path}:${finding.line}`)) continue;
    // A task that names a job definition is a call site: of its workload, or listed above as matching nothing.
    if (isOrchestrationTask(finding) && linkedTasks.has(`call:${finding.path}:${finding.line}:${finding.column}`))
      continue;
    // Parts of a construct (container definitions, grants) are read with the construct that takes them.
    if (finding.kind === "cdk-construct" && finding.resourceType && !cdkConstructKind(finding.resourceType)) continue;
    items.push({
      what: finding.message,
      path: finding.path,
      line: finding.line,
      why:
        finding.kind === "eventbridge-rule"
          ? `it stops firing once jobs leave AWS Batch (see the orchestration table for what takes its place); ${finding.fix}`
          : `${finding.kind}: read as a Batch use but not as an inventory item; ${finding.fix}`,
    });
  }
  return items;
}

/**
 * A CDK construct's ARN attribute read off a name (`props.queue.jobQueueArn`, `ownProps.job.jobDefinitionArn`): an
 * unresolved one was not made in the same file, since the link graph resolves those through their binding.
 */
const CDK_ATTRIBUTE =
  /^(?:this\.)?[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*\.(jobQueueArn|jobDefinitionArn|computeEnvironmentArn|schedulingPolicyArn|job_queue_arn|job_definition_arn|compute_environment_arn)$/;

/** A Step Functions JsonPath (`$.jobdefs.bwa`, `$$.Execution.Input.queue`): a value the execution brings. */
export function isExecutionInput(reference: string): boolean {
  return /^\$\$?(\.|\[|$)/.test(reference.trim());
}

/** `compute_resources (for_each = …)`, the first few with their expression, the rest by label (JSON has them all). */
function dynamicBlocksText(blocks: readonly string[]): string {
  const shown = blocks.slice(0, 3).map((block) => {
    const [label, forEach = ""] = block.split(/: (.*)/s);
    return `${label} (${forEach.length > 80 ? `${forEach.slice(0, 77)}...` : forEach})`;
  });
  const rest = [...new Set(blocks.slice(3).map((block) => block.split(": ")[0]))];
  return [...shown, ...(rest.length ? [`and ${rest.join(", ")}`] : [])].join("; ");
}

/** Older revisions of job definitions: listed, not priced or migrated. */
export function supersededRevisions(
  report: Report,
): { name: string; path: string; line: number; revision: string; status: string; by: string }[] {
  const byId = new Map(report.inventory.jobDefinitions.map((d) => [d.id, d]));
  return report.inventory.jobDefinitions
    .filter((d) => d.properties.superseded === true)
    .map((d) => ({
      name: d.name,
      path: d.source.path,
      line: d.source.line,
      revision: String(d.properties.revision ?? "?"),
      status: String(d.properties.status ?? "?"),
      by: `${byId.get(String(d.properties.supersededBy))?.name ?? "?"}:${String(byId.get(String(d.properties.supersededBy))?.properties.revision ?? "?")}`,
    }));
}
