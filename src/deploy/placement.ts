import type { InventoryItem, Link } from "../core/types.js";
import type {
  ComputeEnvironmentOrderEntry,
  ComputeEnvironmentProperties,
  JobDefinitionProperties,
  JobQueueProperties,
} from "../inventory/index.js";
import awsGpuMemory from "./aws-gpu-memory.json" with { type: "json" };
import type { DeployInput } from "./types.js";

/** How the queue of a job definition was found. */
export type QueueEvidence =
  | { kind: "linked"; callSites: string[] }
  | { kind: "inferred"; reason: string }
  | { kind: "unknown"; reason: string };

/** A job definition with the queue and compute environment it runs on, as far as the scan can tell. */
export interface JobPlacement {
  definition: InventoryItem;
  properties: JobDefinitionProperties;
  queue?: InventoryItem;
  queueProperties?: JobQueueProperties;
  computeEnvironment?: InventoryItem;
  computeEnvironmentProperties?: ComputeEnvironmentProperties;
  evidence: QueueEvidence;
  /** Other queues call sites also submit this definition to (the first one is used). */
  otherQueues: string[];
  /** `path:line` of the call sites that submit it. */
  callSites: string[];
}

export const sourceOf = (item: InventoryItem): string => `${item.source.path}:${item.source.line}`;

const callSitePattern = /^call:(.*):(\d+):\d+$/;

/** `call:<path>:<line>:<column>` → `path:line`. */
function callSiteLabel(id: string): string {
  const match = callSitePattern.exec(id);
  return match ? `${match[1]}:${match[2]}` : id;
}

function pathOfCallSite(id: string): string {
  return callSitePattern.exec(id)?.[1] ?? id;
}

/** The GPU memory (GiB) of an EC2 instance type, from its family; undefined when it has no NVIDIA GPU we know. */
export function gpuMemoryOfInstanceType(instanceType: string): { model: string; vramGiB: number } | undefined {
  const family = instanceType.split(".")[0] ?? "";
  const known = (awsGpuMemory.families as Record<string, { gpuModel: string; vramGiB: number }>)[family];
  return known ? { model: known.gpuModel, vramGiB: known.vramGiB } : undefined;
}

function hasGpuInstances(environment: InventoryItem | undefined): boolean {
  const types = (environment?.properties as ComputeEnvironmentProperties | undefined)?.instanceTypes ?? [];
  return types.some((type) => gpuMemoryOfInstanceType(type) !== undefined);
}

/** The first compute environment of a queue's order that the link graph resolved. */
function firstComputeEnvironment(
  queue: InventoryItem,
  links: Link[],
  byId: Map<string, InventoryItem>,
): InventoryItem | undefined {
  const order = [...((queue.properties as JobQueueProperties).computeEnvironmentOrder ?? [])].sort(
    (a: ComputeEnvironmentOrderEntry, b: ComputeEnvironmentOrderEntry) => (a.order ?? 0) - (b.order ?? 0),
  );
  const resolved = links.filter(
    (link) => link.from === queue.id && link.relation === "uses-compute-environment" && link.resolved,
  );
  for (const entry of order) {
    const link = resolved.find((candidate) => candidate.via === entry.computeEnvironment.value);
    if (link) return byId.get(link.to);
  }
  return resolved[0] ? byId.get(resolved[0].to) : undefined;
}

/**
 * Places every job definition on a queue. A call site that names both the definition and a queue links them;
 * when the queue reference cannot be read, a GPU definition goes to the only queue backed by GPU instances,
 * and other definitions submitted with the same unreadable reference in the same file follow it.
 */
export function placeJobDefinitions(input: DeployInput): JobPlacement[] {
  const { inventory, links } = input;
  const byId = new Map<string, InventoryItem>(
    [...inventory.jobDefinitions, ...inventory.jobQueues, ...inventory.computeEnvironments].map((item) => [
      item.id,
      item,
    ]),
  );
  const environmentOf = new Map(
    inventory.jobQueues.map((queue) => [queue.id, firstComputeEnvironment(queue, links, byId)]),
  );
  const gpuQueues = inventory.jobQueues.filter((queue) => hasGpuInstances(environmentOf.get(queue.id)));

  // An older revision of a job definition is not migrated: its current revision is (inventory/revisions.ts).
  const current = inventory.jobDefinitions.filter((definition) => definition.properties.superseded !== true);
  const placements = current.map((definition) => {
    const properties = definition.properties as JobDefinitionProperties;
    const calls = links
      .filter((link) => link.relation === "uses-job-definition" && link.to === definition.id)
      .map((link) => link.from);
    const queueLinks = links.filter((link) => link.relation === "uses-job-queue" && calls.includes(link.from));
    const queueIds = [...new Set(queueLinks.filter((link) => link.resolved).map((link) => link.to))].sort();
    const unreadable = queueLinks
      .filter((link) => !link.resolved)
      .map((link) => ({ path: pathOfCallSite(link.from), via: link.via, site: callSiteLabel(link.from) }));
    let queue = queueIds[0] ? byId.get(queueIds[0]) : undefined;
    let evidence: QueueEvidence;
    if (queue) {
      evidence = {
        kind: "linked",
        callSites: queueLinks.filter((link) => link.to === queue!.id).map((link) => callSiteLabel(link.from)),
      };
    } else if ((properties.gpus ?? 0) > 0 && gpuQueues.length === 1) {
      queue = gpuQueues[0]!;
      const why =
        unreadable.length > 0
          ? `${unreadable.map((u) => `${u.site} passes ${u.via}`).join(", ")}, which the scan could not read; `
          : "no call site names its queue; ";
      evidence = {
        kind: "inferred",
        reason: `${why}it needs a GPU and ${queue.name} is the only queue backed by GPU instances`,
      };
    } else {
      evidence = {
        kind: "unknown",
        reason:
          unreadable.length > 0
            ? `${unreadable.map((u) => `${u.site} passes ${u.via}`).join(", ")}, which the scan could not read`
            : calls.length > 0
              ? "its call sites name no queue"
              : "no call site submits it",
      };
    }
    return {
      definition,
      properties,
      queue,
      evidence,
      otherQueues: queueIds.slice(1).map((id) => byId.get(id)?.name ?? id),
      callSites: calls.map(callSiteLabel).sort(),
      unreadable,
    };
  });

  // Same unreadable expression in the same file: the same queue.
  for (const placement of placements) {
    if (placement.evidence.kind !== "unknown") continue;
    const sibling = placements.find(
      (other) =>
        other.evidence.kind === "inferred" &&
        other.unreadable.some((mine) =>
          placement.unreadable.some((theirs) => theirs.path === mine.path && theirs.via === mine.via),
        ),
    );
    if (!sibling?.queue) continue;
    const shared = placement.unreadable.find((mine) =>
      sibling.unreadable.some((theirs) => theirs.path === mine.path && theirs.via === mine.via),
    )!;
    placement.queue = sibling.queue;
    placement.evidence = {
      kind: "inferred",
      reason: `${shared.site} passes ${shared.via}, the same unreadable queue reference as ${sibling.definition.name}, placed on ${sibling.queue.name}`,
    };
  }

  return placements.map(({ unreadable: _unreadable, ...placement }) => {
    const environment = placement.queue ? environmentOf.get(placement.queue.id) : undefined;
    return {
      ...placement,
      ...(placement.queue ? { queueProperties: placement.queue.properties as JobQueueProperties } : {}),
      ...(environment
        ? {
            computeEnvironment: environment,
            computeEnvironmentProperties: environment.properties as ComputeEnvironmentProperties,
          }
        : {}),
    };
  });
}

/** Queues whose compute environments are shared with another queue: only there does AWS's queue priority order anything. */
export function queuesSharingComputeEnvironments(input: DeployInput): Map<string, InventoryItem[]> {
  const environmentsOf = new Map<string, Set<string>>();
  for (const link of input.links) {
    if (link.relation !== "uses-compute-environment" || !link.resolved) continue;
    const set = environmentsOf.get(link.from) ?? new Set<string>();
    set.add(link.to);
    environmentsOf.set(link.from, set);
  }
  const rivals = new Map<string, InventoryItem[]>();
  for (const queue of input.inventory.jobQueues) {
    const mine = environmentsOf.get(queue.id) ?? new Set<string>();
    rivals.set(
      queue.id,
      input.inventory.jobQueues.filter(
        (other) => other.id !== queue.id && [...(environmentsOf.get(other.id) ?? [])].some((id) => mine.has(id)),
      ),
    );
  }
  return rivals;
}
