import type {
  CommandParameter,
  ComputeEnvironmentOrderEntry,
  ComputeEnvironmentProperties,
  JobDefinitionProperties,
  JobQueueProperties,
  Normalized,
  RetryAction,
  SchedulingPolicyProperties,
  Secret,
  ShareDistribution,
  Volume,
} from "./types.js";
import { compact, isObject, PropertyReader, toReference, type LiteralObject } from "./values.js";

/*
 * Normalisers from the Batch API shape. Keys are matched without regard to case or underscores, so the same
 * functions read RegisterJobDefinition JSON (camelCase), CloudFormation properties (PascalCase) and Terraform
 * attributes (snake_case) once the source-specific scanner has turned deploy-time values into `{ $expr }`.
 */

function finish<P extends object>(name: string | undefined, properties: P, reader: PropertyReader): Normalized<P> {
  return { ...(name ? { name } : {}), properties: compact(properties), unresolved: [...reader.unresolved].sort() };
}

const REF_PLACEHOLDER = /Ref::([A-Za-z0-9_.-]+)/g;

function commandParameters(
  command: string[] | undefined,
  defaults: Record<string, string> | undefined,
): CommandParameter[] | undefined {
  if (!command) return undefined;
  const names = [...new Set(command.flatMap((part) => [...part.matchAll(REF_PLACEHOLDER)].map((match) => match[1]!)))];
  if (names.length === 0) return undefined;
  return names.map((name) => (defaults?.[name] !== undefined ? { name, default: defaults[name]! } : { name }));
}

function resourceRequirement(reader: PropertyReader, container: LiteralObject, type: string): number | undefined {
  for (const entry of reader.list(container, "resourceRequirements") ?? []) {
    if (!isObject(entry) || reader.string(entry, "type")?.toUpperCase() !== type) continue;
    const value = reader.child(`resourceRequirements.${type}`).number(entry, "value");
    if (value !== undefined) return value;
    reader.unresolved.add(`resourceRequirements.${type}`);
  }
  return undefined;
}

function readVolumes(reader: PropertyReader, container: LiteralObject): Volume[] | undefined {
  const volumes = reader.list(container, "volumes");
  if (!volumes) return undefined;
  return volumes.filter(isObject).map((volume) => {
    const host = reader.object(volume, "host");
    const efs = reader.object(volume, "efsVolumeConfiguration", "efs_volume_configuration");
    return compact({
      name: reader.string(volume, "name") ?? "",
      hostPath: reader.string(host, "sourcePath"),
      efsFileSystemId: reader.string(efs, "fileSystemId"),
      efsRootDirectory: reader.string(efs, "rootDirectory"),
    });
  });
}

function readSecrets(reader: PropertyReader, container: LiteralObject): Secret[] | undefined {
  const secrets = reader.list(container, "secrets");
  if (!secrets) return undefined;
  return secrets.filter(isObject).map((secret) => {
    const name = reader.string(secret, "name") ?? "";
    return compact({ name, valueFrom: reader.child(`secrets.${name}`).string(secret, "valueFrom") });
  });
}

function readRetry(
  reader: PropertyReader,
  spec: LiteralObject,
): Pick<JobDefinitionProperties, "retryAttempts" | "retryEvaluateOnExit"> {
  const retry = reader.object(spec, "retryStrategy");
  if (!retry) return {};
  const nested = reader.child("retryStrategy");
  const rules = nested.list(retry, "evaluateOnExit");
  const evaluateOnExit: RetryAction[] | undefined = rules?.filter(isObject).map((rule) =>
    compact({
      action: nested.string(rule, "action")?.toUpperCase() ?? "",
      onStatusReason: nested.string(rule, "onStatusReason"),
      onReason: nested.string(rule, "onReason"),
      onExitCode: nested.string(rule, "onExitCode"),
    }),
  );
  return { retryAttempts: nested.number(retry, "attempts"), retryEvaluateOnExit: evaluateOnExit };
}

/** The container a job runs: container properties, the first node range of a multinode job, or the first ECS/EKS container. */
function mainContainer(
  reader: PropertyReader,
  spec: LiteralObject,
): { container?: LiteralObject; orchestration: string; nodes?: LiteralObject } {
  const container = reader.object(spec, "containerProperties");
  if (container) return { container, orchestration: "ECS" };
  const nodes = reader.object(spec, "nodeProperties");
  if (nodes) {
    const ranges = reader.child("nodeProperties").list(nodes, "nodeRangeProperties")?.filter(isObject) ?? [];
    const first = ranges.map((range) => reader.object(range, "container")).find((c) => c !== undefined);
    return { ...(first ? { container: first } : {}), orchestration: "ECS", nodes };
  }
  const ecs = reader.object(spec, "ecsProperties");
  if (ecs) {
    const tasks = reader.list(ecs, "taskProperties")?.filter(isObject) ?? [];
    const containers = tasks.flatMap((task) => reader.list(task, "containers")?.filter(isObject) ?? []);
    const essential = containers.find((c) => reader.boolean(c, "essential") !== false) ?? containers[0];
    return { ...(essential ? { container: essential } : {}), orchestration: "ECS" };
  }
  const eks = reader.object(spec, "eksProperties");
  if (eks) {
    const pod = reader.object(eks, "podProperties");
    const first = reader.list(pod, "containers")?.filter(isObject)[0];
    return { ...(first ? { container: first } : {}), orchestration: "EKS" };
  }
  return { orchestration: "ECS" };
}

function eksResources(
  reader: PropertyReader,
  container: LiteralObject,
): Pick<JobDefinitionProperties, "vcpus" | "memoryMiB" | "gpus"> {
  const resources = reader.object(container, "resources");
  const limits = reader.object(resources, "limits") ?? reader.object(resources, "requests");
  if (!limits) return {};
  const memory = reader.string(limits, "memory");
  const memoryMiB = memory ? kubernetesMemoryMiB(memory) : undefined;
  return { vcpus: reader.number(limits, "cpu"), memoryMiB, gpus: reader.number(limits, "nvidia.com/gpu") };
}

function kubernetesMemoryMiB(quantity: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|K|M|G|T)?$/.exec(quantity.trim());
  if (!match) return undefined;
  const factor: Record<string, number> = {
    Ki: 1 / 1024,
    Mi: 1,
    Gi: 1024,
    Ti: 1024 * 1024,
    K: 1000 / 1048576,
    M: 1e6 / 1048576,
    G: 1e9 / 1048576,
    T: 1e12 / 1048576,
  };
  return Math.round(Number(match[1]) * (match[2] ? factor[match[2]]! : 1 / 1048576));
}

/** A job definition from RegisterJobDefinition-shaped input (JSON file, CloudFormation, Terraform). */
export function normalizeJobDefinition(spec: LiteralObject): Normalized<JobDefinitionProperties> {
  const reader = new PropertyReader();
  const name = reader.string(spec, "jobDefinitionName", "name");
  const { container, orchestration, nodes } = mainContainer(reader, spec);
  const inner = reader.child(nodes ? "nodeProperties.container" : "containerProperties");
  const parameters = reader.map(spec, "parameters");
  const platforms = reader.strings(spec, "platformCapabilities");
  const eks = orchestration === "EKS";
  const command = container
    ? [...(inner.strings(container, "command") ?? []), ...(eks ? (inner.strings(container, "args") ?? []) : [])]
    : undefined;
  const linux = inner.object(container, "linuxParameters");
  const ephemeral = inner.object(container, "ephemeralStorage");
  const timeout = reader.object(spec, "timeout");
  const sized = container
    ? eks
      ? eksResources(inner, container)
      : {
          vcpus: resourceRequirement(inner, container, "VCPU") ?? inner.number(container, "vcpus"),
          memoryMiB: resourceRequirement(inner, container, "MEMORY") ?? inner.number(container, "memory"),
          gpus: resourceRequirement(inner, container, "GPU"),
        }
    : {};
  const properties: JobDefinitionProperties = {
    type: reader.string(spec, "type")?.toLowerCase(),
    platform: platforms?.[0]?.toUpperCase(),
    orchestration,
    image: inner.string(container, "image"),
    command: command && command.length > 0 ? command : undefined,
    commandParameters: commandParameters(command, parameters),
    parameters: parameters && Object.keys(parameters).length > 0 ? parameters : undefined,
    ...sized,
    environment: container ? nonEmpty(inner.map(container, eks ? "env" : "environment")) : undefined,
    secrets: container ? nonEmptyList(readSecrets(inner, container)) : undefined,
    timeoutSeconds: reader.child("timeout").number(timeout, "attemptDurationSeconds"),
    ...readRetry(reader, spec),
    privileged:
      inner.boolean(container, "privileged") ?? inner.boolean(inner.object(container, "securityContext"), "privileged"),
    readonlyRootFilesystem: inner.boolean(container, "readonlyRootFilesystem"),
    volumes: container ? nonEmptyList(readVolumes(inner, container)) : undefined,
    ephemeralStorageGiB: inner.number(ephemeral, "sizeInGiB"),
    sharedMemoryMiB: inner.number(linux, "sharedMemorySize"),
    instanceType: inner.string(container, "instanceType"),
    jobRoleArn: inner.string(container, "jobRoleArn"),
    executionRoleArn: inner.string(container, "executionRoleArn"),
    numNodes: nodes ? reader.child("nodeProperties").number(nodes, "numNodes") : undefined,
    mainNode: nodes ? reader.child("nodeProperties").number(nodes, "mainNode") : undefined,
    nodeRanges: nodes ? reader.list(nodes, "nodeRangeProperties")?.length : undefined,
    schedulingPriority: reader.number(spec, "schedulingPriority"),
    revision: reader.number(spec, "revision"),
    status: reader.string(spec, "status")?.toUpperCase(),
  };
  return finish(name, properties, reader);
}

function nonEmpty<T extends object>(value: T | undefined): T | undefined {
  return value && Object.keys(value).length > 0 ? value : undefined;
}

function nonEmptyList<T>(value: T[] | undefined): T[] | undefined {
  return value && value.length > 0 ? value : undefined;
}

/** A compute environment from CreateComputeEnvironment-shaped input. */
export function normalizeComputeEnvironment(spec: LiteralObject): Normalized<ComputeEnvironmentProperties> {
  const reader = new PropertyReader();
  const name = reader.string(spec, "computeEnvironmentName", "name");
  if (!name && reader.raw(spec, "namePrefix") !== undefined) reader.unresolved.add("name");
  const resources = reader.object(spec, "computeResources");
  const nested = reader.child("computeResources");
  const properties: ComputeEnvironmentProperties = {
    type: reader.string(spec, "type")?.toUpperCase(),
    state: reader.string(spec, "state")?.toUpperCase(),
    resourceType: nested.string(resources, "type")?.toUpperCase(),
    instanceTypes: nested.strings(resources, "instanceTypes", "instanceType"),
    minVcpus: nested.number(resources, "minvCpus"),
    maxVcpus: nested.number(resources, "maxvCpus"),
    desiredVcpus: nested.number(resources, "desiredvCpus"),
    allocationStrategy: nested.string(resources, "allocationStrategy")?.toUpperCase(),
    bidPercentage: nested.number(resources, "bidPercentage"),
    orchestration:
      reader.raw(spec, "eksConfiguration") !== undefined
        ? "EKS"
        : resources || reader.raw(spec, "type")
          ? "ECS"
          : undefined,
  };
  return finish(name, properties, reader);
}

/** A job queue from CreateJobQueue-shaped input; Terraform's `compute_environments` list is ordered by position. */
export function normalizeJobQueue(spec: LiteralObject): Normalized<JobQueueProperties> {
  const reader = new PropertyReader();
  const name = reader.string(spec, "jobQueueName", "name");
  let order: ComputeEnvironmentOrderEntry[] | undefined;
  const entries = reader.list(spec, "computeEnvironmentOrder");
  if (entries) {
    const nested = reader.child("computeEnvironmentOrder");
    order = entries.filter(isObject).flatMap((entry) => {
      const computeEnvironment = nested.reference(entry, "computeEnvironment");
      return computeEnvironment ? [compact({ order: nested.number(entry, "order"), computeEnvironment })] : [];
    });
  } else {
    const list = reader.raw(spec, "computeEnvironments");
    if (Array.isArray(list))
      order = list.map((item, index) => ({ order: index + 1, computeEnvironment: toReference(item) }));
    else if (list !== undefined) reader.unresolved.add("computeEnvironmentOrder");
  }
  const properties: JobQueueProperties = {
    priority: reader.number(spec, "priority"),
    state: reader.string(spec, "state")?.toUpperCase(),
    computeEnvironmentOrder: order,
    schedulingPolicy: reader.reference(spec, "schedulingPolicyArn"),
  };
  return finish(name, properties, reader);
}

/** A fair-share scheduling policy from CreateSchedulingPolicy-shaped input. */
export function normalizeSchedulingPolicy(spec: LiteralObject): Normalized<SchedulingPolicyProperties> {
  const reader = new PropertyReader();
  const name = reader.string(spec, "name");
  const policy = reader.object(spec, "fairsharePolicy", "fairSharePolicy");
  const nested = reader.child("fairsharePolicy");
  const shares: ShareDistribution[] | undefined = nested
    .list(policy, "shareDistribution")
    ?.filter(isObject)
    .map((share) =>
      compact({
        shareIdentifier: nested.string(share, "shareIdentifier") ?? "",
        weightFactor: nested.number(share, "weightFactor"),
      }),
    );
  const properties: SchedulingPolicyProperties = {
    shareDecaySeconds: nested.number(policy, "shareDecaySeconds"),
    computeReservation: nested.number(policy, "computeReservation"),
    shareDistribution: shares,
  };
  return finish(name, properties, reader);
}
