import type { InventoryItem } from "../core/types.js";
import type { ComputeEnvironmentProperties, JobDefinitionProperties, JobQueueProperties } from "../inventory/index.js";
import { markdownCode, markdownText, visibleControls } from "./escape.js";
import type { JobPlacement } from "./placement.js";
import { SALAD_NAME_PATTERN } from "./salad-constraints.js";
import type { DeployDecision, DeployGap, DeployInput, DeployPlan } from "./types.js";

export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export { shellWord } from "./escape.js";

/** A name Salad accepts (`^[a-z][a-z0-9-]{0,61}[a-z0-9]$`), derived from a Batch name. */
export function toSaladName(name: string): string {
  let derived = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (!/^[a-z]/.test(derived)) derived = `job-${derived}`;
  derived = derived.slice(0, 63).replace(/-+$/g, "");
  return SALAD_NAME_PATTERN.test(derived) ? derived : `${derived}-job`.slice(0, 63);
}

/** Unique Salad names per job definition, suffixed `-2`, `-3`… when two definitions derive the same name. */
export function uniqueSaladNames(placements: JobPlacement[]): Map<string, string> {
  const taken = new Set<string>();
  const names = new Map<string, string>();
  for (const placement of placements)
    names.set(placement.definition.id, uniqueSaladName(toSaladName(placement.definition.name), taken));
  return names;
}

/** `base`, else `base-2`, `base-3`…: the first not in `taken`, which it is then added to. */
export function uniqueSaladName(base: string, taken: Set<string>): string {
  let name = base;
  for (let suffix = 2; taken.has(name); suffix++) name = `${base.slice(0, 60 - String(suffix).length)}-${suffix}`;
  taken.add(name);
  return name;
}

/** `Ref::name` replaced by the definition's default where it has one; the others stay literal, as AWS leaves them. */
export function substituteDefaults(command: string[], defaults: Record<string, string> | undefined): string[] {
  return command.map((part) =>
    part.replace(/Ref::([A-Za-z0-9_.-]+)/g, (whole, name: string) => defaults?.[name] ?? whole),
  );
}

export function unresolvedPlaceholders(command: string[]): string[] {
  return [
    ...new Set(command.flatMap((part) => [...part.matchAll(/Ref::([A-Za-z0-9_.-]+)/g)].map((match) => match[1]!))),
  ];
}

/** The job definition in RegisterJobDefinition's shape, as both shims read `jobDefinitions` of migrate.config.json. */
export function registerJobDefinitionShape(properties: JobDefinitionProperties): Record<string, unknown> {
  const requirements = [
    properties.vcpus !== undefined ? { type: "VCPU", value: String(properties.vcpus) } : undefined,
    properties.memoryMiB !== undefined ? { type: "MEMORY", value: String(properties.memoryMiB) } : undefined,
    properties.gpus !== undefined ? { type: "GPU", value: String(properties.gpus) } : undefined,
  ].filter((entry) => entry !== undefined);
  const container: Record<string, unknown> = {};
  if (properties.image) container.image = properties.image;
  if (properties.command) container.command = properties.command;
  if (requirements.length > 0) container.resourceRequirements = requirements;
  if (properties.environment)
    container.environment = Object.entries(properties.environment).map(([name, value]) => ({ name, value }));
  const shape: Record<string, unknown> = { type: properties.type ?? "container" };
  if (properties.parameters) shape.parameters = properties.parameters;
  shape.containerProperties = container;
  if (properties.retryAttempts !== undefined || properties.retryEvaluateOnExit) {
    shape.retryStrategy = {
      ...(properties.retryAttempts !== undefined ? { attempts: properties.retryAttempts } : {}),
      ...(properties.retryEvaluateOnExit ? { evaluateOnExit: properties.retryEvaluateOnExit } : {}),
    };
  }
  if (properties.timeoutSeconds !== undefined) shape.timeout = { attemptDurationSeconds: properties.timeoutSeconds };
  if (properties.platform) shape.platformCapabilities = [properties.platform];
  return shape;
}

export function jobQueueShape(queue: InventoryItem, environments: InventoryItem[]): Record<string, unknown> {
  const properties = queue.properties as JobQueueProperties;
  return {
    ...(properties.priority !== undefined ? { priority: properties.priority } : {}),
    ...(properties.state ? { state: properties.state } : {}),
    computeEnvironments: environments.map((environment) => environment.name),
  };
}

export function computeEnvironmentShape(environment: InventoryItem): Record<string, unknown> {
  const properties = environment.properties as ComputeEnvironmentProperties;
  const resources: Record<string, unknown> = {};
  if (properties.resourceType) resources.type = properties.resourceType;
  if (properties.minVcpus !== undefined) resources.minvCpus = properties.minVcpus;
  if (properties.maxVcpus !== undefined) resources.maxvCpus = properties.maxVcpus;
  if (properties.instanceTypes) resources.instanceTypes = properties.instanceTypes;
  return {
    type: properties.type ?? "MANAGED",
    ...(Object.keys(resources).length > 0 ? { computeResources: resources } : {}),
  };
}

/**
 * The registry part of `migrate.config.json` both targets share: compute environments, and queues with the
 * target's own block (`commonCompute` or `salad`) added to each.
 */
export function registryConfig(
  input: DeployInput,
  queueTarget: (queue: InventoryItem) => Record<string, unknown>,
): { computeEnvironments: Record<string, unknown>; jobQueues: Record<string, unknown> } {
  const environmentsOf = (queue: InventoryItem) =>
    input.links
      .filter((link) => link.from === queue.id && link.relation === "uses-compute-environment" && link.resolved)
      .map((link) => input.inventory.computeEnvironments.find((environment) => environment.id === link.to))
      .filter((environment): environment is InventoryItem => environment !== undefined);
  return {
    computeEnvironments: Object.fromEntries(
      input.inventory.computeEnvironments.map((environment) => [
        environment.name,
        computeEnvironmentShape(environment),
      ]),
    ),
    jobQueues: Object.fromEntries(
      input.inventory.jobQueues.map((queue) => [
        queue.name,
        { ...jobQueueShape(queue, environmentsOf(queue)), ...queueTarget(queue) },
      ]),
    ),
  };
}

/** Gaps every target shares: values only known at deploy time. */
export function unresolvedGaps(item: InventoryItem, source: string): DeployGap[] {
  return item.unresolved.map((property) => ({
    subject: item.name,
    property,
    generated: "not generated",
    why: "its value is only known at deploy or run time (a variable or an IaC expression), so the scan could not read it",
    source,
  }));
}

/** Rows of markdown cells, each already escaped (markdownText / markdownCode) or our own prose. */
function table(header: string[], rows: string[][]): string {
  const cell = (text: string) => visibleControls(text).replace(/(?<!\\)\|/g, "\\|");
  return [
    `| ${header.join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...rows.map((row) => `| ${row.map(cell).join(" | ")} |`),
  ].join("\n");
}

/** The README of `migration/<target>/`: what was generated from where, what differs from Batch, what a person decides. */
export function renderReadme(
  plan: Omit<DeployPlan, "files"> & { files: { path: string; description: string; from: string[] }[] },
  intro: string[],
  extra: string[] = [],
): string {
  const lines: string[] = [
    `# ${plan.target === "salad" ? "SaladCloud" : "Common Compute"} deployment files (generated by \`migrate init --target ${plan.target}\`)`,
    "",
  ];
  lines.push(...intro, "");
  lines.push("## What was generated", "");
  lines.push(
    table(
      ["file", "what", "from"],
      [...plan.files, { path: "README.md", description: "this file", from: [] }]
        .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
        .map((file) => [
          markdownCode(file.path),
          visibleControls(file.description),
          file.from.map(markdownCode).join(", ") || "—",
        ]),
    ),
    "",
  );
  lines.push("## What the target cannot do as Batch did (gaps)", "");
  if (plan.gaps.length === 0) lines.push("None found.", "");
  else
    lines.push(
      table(
        ["job", "Batch property", "generated instead", "why", "declared at"],
        plan.gaps.map((gap) => [
          markdownText(gap.subject),
          markdownCode(gap.property),
          visibleControls(gap.generated),
          visibleControls(gap.why),
          markdownCode(gap.source),
        ]),
      ),
      "",
    );
  lines.push("## What a person must still decide", "");
  if (plan.decisions.length === 0) lines.push("Nothing.", "");
  else
    lines.push(
      ...plan.decisions.map(
        (decision: DeployDecision) =>
          `- **${markdownText(decision.subject)}**: ${visibleControls(decision.question)} Meanwhile: ${visibleControls(decision.meanwhile)}`,
      ),
      "",
    );
  if (extra.length > 0) lines.push(...extra, "");
  return `${lines.join("\n").trimEnd()}\n`;
}

export const sortGaps = (gaps: DeployGap[]): DeployGap[] =>
  [...gaps].sort((a, b) =>
    a.subject < b.subject
      ? -1
      : a.subject > b.subject
        ? 1
        : a.property < b.property
          ? -1
          : a.property > b.property
            ? 1
            : 0,
  );
