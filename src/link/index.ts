import type { Finding, Inventory, InventoryItem, Link, LiteralValue, ResourceKind } from "../core/types.js";
import { isExpression } from "../inventory/index.js";
import type { ComputeEnvironmentOrderEntry, ResourceReference } from "../inventory/index.js";
import { resolveReference } from "./references.js";

const CALL_ARGUMENTS: { argument: string; kind: ResourceKind; relation: Link["relation"] }[] = [
  { argument: "jobDefinition", kind: "job-definition", relation: "uses-job-definition" },
  { argument: "jobQueue", kind: "job-queue", relation: "uses-job-queue" },
];

/** How tasks of orchestrators spell the same arguments: CDK `jobDefinitionArn`, Airflow `job_definition`. */
const ARGUMENT_SPELLINGS: Record<string, string[]> = {
  jobDefinition: ["jobdefinition", "jobdefinitionarn"],
  jobQueue: ["jobqueue", "jobqueuearn"],
};

/** A call's or a task's `jobDefinition`/`jobQueue` argument, however the API, CDK or the orchestrator spells it. */
export function callArgument(finding: Finding, argument: "jobDefinition" | "jobQueue"): LiteralValue | undefined {
  const args = finding.args;
  if (!args) return undefined;
  if (args[argument] !== undefined) return args[argument];
  const spellings = ARGUMENT_SPELLINGS[argument]!;
  const key = Object.keys(args).find((name) => spellings.includes(name.replace(/[_.$]/g, "").toLowerCase()));
  return key === undefined ? undefined : args[key];
}

/** The node id of a call site in the graph. */
export function callSiteId(finding: Finding): string {
  return `call:${finding.path}:${finding.line}:${finding.column}`;
}

function referenceOf(value: LiteralValue): ResourceReference | undefined {
  if (typeof value === "string") return { value, literal: true };
  if (isExpression(value))
    return { value: typeof value.$expr === "string" ? value.$expr : JSON.stringify(value.$expr), literal: false };
  return undefined;
}

function linksTo(
  items: InventoryItem[],
  from: string,
  fromPath: string,
  reference: ResourceReference,
  kind: ResourceKind,
  relation: Link["relation"],
): Link[] {
  const targets = resolveReference(items, reference, fromPath, kind);
  if (targets.length === 0)
    return [{ from, to: `unresolved:${kind}`, relation, via: reference.value, resolved: false }];
  return targets.map((target) => ({ from, to: target.id, relation, via: reference.value, resolved: true }));
}

function isReference(value: LiteralValue | undefined): value is ResourceReference {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    typeof value.value === "string" &&
    typeof value.literal === "boolean"
  );
}

/**
 * The link graph: call sites → job definitions and queues (by literal name, `name:rev`, ARN, IaC reference or
 * variable), queues → compute environments and scheduling policies. A reference that matches nothing is kept
 * as an unresolved link, never dropped.
 */
export function buildLinks(findings: Finding[], inventory: Inventory): Link[] {
  const items = [
    ...inventory.jobDefinitions,
    ...inventory.jobQueues,
    ...inventory.computeEnvironments,
    ...inventory.schedulingPolicies,
  ];
  const links: Link[] = [];
  for (const finding of findings) {
    if (!finding.args) continue;
    for (const { argument, kind, relation } of CALL_ARGUMENTS) {
      const value = callArgument(finding, argument as "jobDefinition" | "jobQueue");
      // An EventBridge pattern may name several: `detail.jobQueue: [high, low]`.
      for (const each of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
        const reference = referenceOf(each);
        if (reference) links.push(...linksTo(items, callSiteId(finding), finding.path, reference, kind, relation));
      }
    }
  }
  for (const queue of inventory.jobQueues) {
    const order = queue.properties.computeEnvironmentOrder;
    for (const entry of Array.isArray(order) ? order : []) {
      const reference = (entry as ComputeEnvironmentOrderEntry | null)?.computeEnvironment;
      if (isReference(reference))
        links.push(
          ...linksTo(items, queue.id, queue.source.path, reference, "compute-environment", "uses-compute-environment"),
        );
    }
    const policy = queue.properties.schedulingPolicy;
    if (isReference(policy))
      links.push(...linksTo(items, queue.id, queue.source.path, policy, "scheduling-policy", "uses-scheduling-policy"));
  }
  const seen = new Set<string>();
  return links
    .filter((link) => {
      const key = `${link.from}\0${link.to}\0${link.relation}\0${link.via}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) =>
      a.from < b.from
        ? -1
        : a.from > b.from
          ? 1
          : a.relation < b.relation
            ? -1
            : a.relation > b.relation
              ? 1
              : a.to < b.to
                ? -1
                : a.to > b.to
                  ? 1
                  : 0,
    );
}
