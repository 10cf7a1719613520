import type { InventoryItem, LiteralValue, ResourceKind } from "../core/types.js";
import { normalizeCloudFormationResource, normalizeByKind } from "./cloudformation.js";
import type { Normalized } from "./types.js";
import { expressionText, isExpression, isObject, type LiteralObject } from "./values.js";

/*
 * CDK constructs of aws-batch, TypeScript and Python alike (keys are matched without regard to case or
 * underscores). L1 `Cfn*` constructs take CloudFormation's properties; L2 constructs take their own props, which are
 * rewritten here into the API shape the normalisers read. CDK value helpers the scanners keep as source text
 * (`Size.mebibytes(1000)`, `Duration.hours(2)`, `new ec2.InstanceType("m5.large")`) are read back into numbers and
 * names; anything else stays `{ $expr }` and is listed as unresolved.
 */

const L2_KIND: Record<string, ResourceKind> = {
  JobDefinition: "job-definition",
  EcsJobDefinition: "job-definition",
  EksJobDefinition: "job-definition",
  MultiNodeJobDefinition: "job-definition",
  JobQueue: "job-queue",
  ComputeEnvironment: "compute-environment",
  ManagedEc2EcsComputeEnvironment: "compute-environment",
  ManagedEc2EksComputeEnvironment: "compute-environment",
  FargateComputeEnvironment: "compute-environment",
  UnmanagedComputeEnvironment: "compute-environment",
  FairshareSchedulingPolicy: "scheduling-policy",
};

const SIZE_MIB: Record<string, number> = { kibibytes: 1 / 1024, mebibytes: 1, gibibytes: 1024, tebibytes: 1024 * 1024 };
const DURATION_SECONDS: Record<string, number> = { millis: 0.001, seconds: 1, minutes: 60, hours: 3600, days: 86400 };
/** `InstanceClass` members whose name is not the family (the short members, `M5`, `C6GN`, read as written). */
const INSTANCE_CLASS_ALIAS: Record<string, string> = {
  STANDARD5: "m5",
  STANDARD6_INTEL: "m6i",
  STANDARD6_GRAVITON: "m6g",
  STANDARD7_GRAVITON: "m7g",
  COMPUTE5: "c5",
  COMPUTE6_INTEL: "c6i",
  COMPUTE6_GRAVITON2: "c6g",
  COMPUTE7_GRAVITON3: "c7g",
  MEMORY5: "r5",
  MEMORY6_INTEL: "r6i",
  MEMORY6_GRAVITON: "r6g",
  GRAPHICS4_NVME_DRIVE_HIGH_PERFORMANCE: "g4dn",
  GRAPHICS5: "g5",
  PARALLEL3: "p3",
  PARALLEL4: "p4d",
  BURSTABLE3: "t3",
};

function call(value: LiteralValue | undefined, pattern: RegExp): RegExpExecArray | undefined {
  if (!isExpression(value)) return undefined;
  return pattern.exec(expressionText(value).replace(/\s+/g, "")) ?? undefined;
}

/** `Size.gibibytes(4)` → 4096 MiB. */
export function cdkSizeMiB(value: LiteralValue | undefined): number | undefined {
  if (typeof value === "number") return value;
  const match = call(value, /(?:^|\.)Size\.(kibibytes|mebibytes|gibibytes|tebibytes)\((\d+(?:\.\d+)?)\)$/);
  return match ? Math.round(Number(match[2]) * SIZE_MIB[match[1]!]!) : undefined;
}

/** `Duration.hours(2)` → 7200 s. */
export function cdkDurationSeconds(value: LiteralValue | undefined): number | undefined {
  if (typeof value === "number") return value;
  const match = call(value, /(?:^|\.)Duration\.(millis|seconds|minutes|hours|days)\((\d+(?:\.\d+)?)\)$/);
  return match ? Math.round(Number(match[2]) * DURATION_SECONDS[match[1]!]!) : undefined;
}

function instanceClass(member: string): string | undefined {
  if (INSTANCE_CLASS_ALIAS[member]) return INSTANCE_CLASS_ALIAS[member];
  return /^[A-Z]+\d+[A-Z]*$/.test(member) ? member.toLowerCase() : undefined;
}

function instanceSize(member: string): string | undefined {
  const scaled = /^XLARGE(\d+)$/.exec(member);
  if (scaled) return `${scaled[1]}xlarge`;
  return /^(NANO|MICRO|SMALL|MEDIUM|LARGE|XLARGE|METAL)$/.test(member) ? member.toLowerCase() : undefined;
}

/** `new ec2.InstanceType("m5.large")`, `InstanceType.of(InstanceClass.M5, InstanceSize.XLARGE2)` → `m5.2xlarge`. */
export function cdkInstanceType(value: LiteralValue | undefined): string | undefined {
  if (typeof value === "string") return value;
  const named = call(value, /(?:^|\.)InstanceType\((['"])([\w.-]+)\1\)$/);
  if (named) return named[2];
  const of = call(
    value,
    /(?:^|\.)InstanceType\.of\((?:[\w.]*\.)?InstanceClass\.(\w+),(?:[\w.]*\.)?InstanceSize\.(\w+)\)$/,
  );
  if (!of) return undefined;
  const family = instanceClass(of[1]!);
  const size = instanceSize(of[2]!);
  return family && size ? `${family}.${size}` : undefined;
}

/** `ec2.InstanceClass.R5` → `r5` (an instance family, as Batch's `instanceTypes` takes it). */
function cdkInstanceClass(value: LiteralValue): string | undefined {
  if (typeof value === "string") return value;
  const match = call(value, /(?:^|\.)InstanceClass\.(\w+)$/);
  return match ? instanceClass(match[1]!) : undefined;
}

function get(object: LiteralObject | undefined, ...names: string[]): LiteralValue | undefined {
  if (!object) return undefined;
  const wanted = names.map((name) => name.replace(/_/g, "").toLowerCase());
  for (const [key, value] of Object.entries(object))
    if (wanted.includes(key.replace(/_/g, "").toLowerCase())) return value;
  return undefined;
}

function set(target: LiteralObject, key: string, value: LiteralValue | undefined): void {
  if (value !== undefined) target[key] = value;
}

/** A number helper's value, or the value as written (so an unreadable one is recorded as unresolved). */
function readOr(value: LiteralValue | undefined, read: (v: LiteralValue | undefined) => number | undefined) {
  return read(value) ?? value;
}

function containerSpec(container: LiteralObject, eks: boolean): LiteralObject {
  const spec: LiteralObject = {};
  for (const key of ["image", "command", "environment", "privileged", "readonlyRootFilesystem", "instanceType"])
    set(spec, key, get(container, key));
  set(spec, "secrets", get(container, "secrets"));
  set(spec, "jobRoleArn", get(container, "jobRole", "jobRoleArn"));
  set(spec, "executionRoleArn", get(container, "executionRole", "executionRoleArn"));
  const image = spec.image;
  // `ContainerImage.fromRegistry("repo:tag")` names the image; other sources (assets, ECR) are built at deploy time.
  const registry = call(image, /ContainerImage\.from_?[Rr]egistry\((['"])([^'"]+)\1\)$/);
  if (registry) spec.image = registry[2]!;
  const requirements: LiteralObject[] = [];
  const vcpu = get(container, eks ? "cpuLimit" : "cpu", "cpuReservation", "vcpus");
  const memory = readOr(
    get(container, eks ? "memoryLimit" : "memory", "memoryReservation", "memoryLimitMiB"),
    cdkSizeMiB,
  );
  const gpu = get(container, eks ? "gpuLimit" : "gpu", "gpuCount");
  if (vcpu !== undefined) requirements.push({ type: "VCPU", value: vcpu });
  if (memory !== undefined) requirements.push({ type: "MEMORY", value: memory });
  if (gpu !== undefined) requirements.push({ type: "GPU", value: gpu });
  if (requirements.length > 0) spec.resourceRequirements = requirements;
  const ephemeral = cdkSizeMiB(get(container, "ephemeralStorageSize"));
  if (ephemeral !== undefined) spec.ephemeralStorage = { sizeInGiB: Math.round(ephemeral / 1024) };
  if (eks) {
    set(spec, "args", get(container, "args"));
    set(spec, "env", get(container, "env"));
  }
  return spec;
}

function jobDefinitionSpec(className: string, props: LiteralObject): LiteralObject {
  const spec: LiteralObject = {};
  set(spec, "jobDefinitionName", get(props, "jobDefinitionName"));
  set(spec, "parameters", get(props, "parameters"));
  set(spec, "schedulingPriority", get(props, "schedulingPriority"));
  const timeout = readOr(get(props, "timeout"), cdkDurationSeconds);
  if (timeout !== undefined) spec.timeout = { attemptDurationSeconds: timeout };
  const attempts = get(props, "retryAttempts");
  if (attempts !== undefined) spec.retryStrategy = { attempts };
  const container = get(props, "container");
  if (className === "MultiNodeJobDefinition") {
    const ranges = get(props, "containers");
    const first = Array.isArray(ranges) ? ranges.find(isObject) : undefined;
    const inner = first ? get(first, "container") : undefined;
    const nodeRange: LiteralObject = isObject(inner) ? { container: containerSpec(inner, false) } : {};
    spec.type = "multinode";
    spec.nodeProperties = {
      ...(get(props, "mainNode") !== undefined ? { mainNode: get(props, "mainNode")! } : {}),
      nodeRangeProperties: [nodeRange],
    };
    if (!isObject(inner) && ranges !== undefined) spec.nodeProperties = { nodeRangeProperties: ranges };
    const instanceType = cdkInstanceType(get(props, "instanceType"));
    if (instanceType && isObject(inner)) (nodeRange.container as LiteralObject).instanceType = instanceType;
  } else if (className === "EksJobDefinition") {
    spec.eksProperties = isObject(container)
      ? { podProperties: { containers: [eksContainerSpec(container)] } }
      : { podProperties: { containers: container ?? [] } };
  } else if (isObject(container)) {
    spec.type = "container";
    spec.containerProperties = containerSpec(container, false);
    // The scanners keep the container's construct class as `$class`; only Fargate container definitions take the
    // Fargate keys, which tells them apart when the class was not read.
    if (
      get(container, "$class") === "EcsFargateContainerDefinition" ||
      ["fargatePlatformVersion", "fargateCpuArchitecture", "assignPublicIp"].some(
        (key) => get(container, key) !== undefined,
      )
    )
      spec.platformCapabilities = ["FARGATE"];
  } else if (container !== undefined) spec.containerProperties = container;
  return spec;
}

function eksContainerSpec(container: LiteralObject): LiteralObject {
  const spec = containerSpec(container, true);
  const limits: LiteralObject = {};
  for (const requirement of (spec.resourceRequirements as LiteralObject[] | undefined) ?? []) {
    const value = requirement.value!;
    if (requirement.type === "VCPU") limits.cpu = value;
    if (requirement.type === "MEMORY") limits.memory = typeof value === "number" ? `${value}Mi` : value;
    if (requirement.type === "GPU") limits["nvidia.com/gpu"] = value;
  }
  delete spec.resourceRequirements;
  return { ...spec, resources: { limits } };
}

function jobQueueSpec(props: LiteralObject): LiteralObject {
  const spec: LiteralObject = {};
  set(spec, "jobQueueName", get(props, "jobQueueName"));
  set(spec, "priority", get(props, "priority"));
  const enabled = get(props, "enabled");
  if (typeof enabled === "boolean") spec.state = enabled ? "ENABLED" : "DISABLED";
  const environments = get(props, "computeEnvironments");
  if (Array.isArray(environments))
    spec.computeEnvironmentOrder = environments.map((entry, index) =>
      isObject(entry)
        ? { order: get(entry, "order") ?? index + 1, computeEnvironment: get(entry, "computeEnvironment") ?? null }
        : { order: index + 1, computeEnvironment: entry },
    );
  else if (environments !== undefined) spec.computeEnvironmentOrder = environments;
  set(spec, "schedulingPolicyArn", get(props, "schedulingPolicy"));
  return spec;
}

function computeEnvironmentSpec(className: string, props: LiteralObject): LiteralObject {
  const spec: LiteralObject = {};
  set(spec, "computeEnvironmentName", get(props, "computeEnvironmentName"));
  const enabled = get(props, "enabled");
  if (typeof enabled === "boolean") spec.state = enabled ? "ENABLED" : "DISABLED";
  if (className === "ComputeEnvironment") {
    // The pre-2.96 construct: `managed` and `computeResources` as in the API, with CDK values inside.
    const managed = get(props, "managed");
    spec.type = managed === false ? "UNMANAGED" : "MANAGED";
    const resources = get(props, "computeResources");
    if (isObject(resources)) {
      const type = get(resources, "type");
      const typeName = call(type, /ComputeResourceType\.(\w+)$/)?.[1];
      spec.computeResources = {
        ...resources,
        ...(typeName ? { type: typeName } : {}),
        ...instanceTypesOf(get(resources, "instanceTypes")),
      };
    } else if (resources !== undefined) spec.computeResources = resources;
    return spec;
  }
  if (className === "UnmanagedComputeEnvironment") {
    spec.type = "UNMANAGED";
    return spec;
  }
  spec.type = "MANAGED";
  const spot = get(props, "spot") === true;
  const resources: LiteralObject = {};
  const fargate = className === "FargateComputeEnvironment";
  resources.type = fargate ? (spot ? "FARGATE_SPOT" : "FARGATE") : spot ? "SPOT" : "EC2";
  set(resources, "maxvCpus", get(props, "maxvCpus") ?? 256);
  if (!fargate) {
    set(resources, "minvCpus", get(props, "minvCpus") ?? 0);
    set(resources, "bidPercentage", get(props, "spotBidPercentage"));
    const strategy = call(get(props, "allocationStrategy"), /AllocationStrategy\.(\w+)$/)?.[1];
    set(resources, "allocationStrategy", strategy ?? get(props, "allocationStrategy"));
    const types = instanceTypesOf(get(props, "instanceTypes"), get(props, "instanceClasses"));
    // Without types or classes, or with `useOptimalInstanceClasses` (its default), Batch adds `optimal`.
    const optimal = get(props, "useOptimalInstanceClasses") !== false;
    const listed = (types.instanceTypes as LiteralValue[] | undefined) ?? [];
    if (isExpression(types.instanceTypes as LiteralValue)) resources.instanceTypes = types.instanceTypes!;
    else if (optimal || listed.length === 0) resources.instanceTypes = [...listed, "optimal"];
    else resources.instanceTypes = listed;
  }
  if (className === "ManagedEc2EksComputeEnvironment") spec.eksConfiguration = get(props, "eksCluster") ?? {};
  spec.computeResources = resources;
  return spec;
}

function schedulingPolicySpec(props: LiteralObject): LiteralObject {
  const policy: LiteralObject = {};
  set(policy, "shareDecaySeconds", readOr(get(props, "shareDecay"), cdkDurationSeconds));
  set(policy, "computeReservation", get(props, "computeReservation"));
  set(policy, "shareDistribution", get(props, "shares"));
  const spec: LiteralObject = { fairsharePolicy: policy };
  set(spec, "name", get(props, "schedulingPolicyName"));
  return spec;
}

function instanceTypesOf(...lists: (LiteralValue | undefined)[]): { instanceTypes?: LiteralValue } {
  const names: LiteralValue[] = [];
  for (const [index, list] of lists.entries()) {
    if (list === undefined) continue;
    if (!Array.isArray(list)) return { instanceTypes: list };
    for (const item of list) {
      const name = index === 0 ? cdkInstanceType(item) : cdkInstanceClass(item);
      if (name === undefined) return { instanceTypes: { $expr: expressionText(item) } };
      names.push(name);
    }
  }
  return names.length > 0 ? { instanceTypes: names } : {};
}

/** The kind of a CDK aws-batch construct class, L1 or L2. */
export function cdkConstructKind(className: string): ResourceKind | undefined {
  if (className.startsWith("Cfn"))
    return normalizeCloudFormationResource(`AWS::Batch::${className.slice(3)}`, {})?.kind;
  return L2_KIND[className];
}

/**
 * Normalises a CDK aws-batch construct's props into the inventory's shape; `undefined` for classes that are not
 * Batch resources (container definitions, grants). Props read as one expression are all unresolved.
 */
export function normalizeCdkConstruct(
  className: string,
  props: LiteralValue | undefined,
): { kind: ResourceKind; normalized: Normalized<object> } | undefined {
  if (className.startsWith("Cfn")) return normalizeCloudFormationResource(`AWS::Batch::${className.slice(3)}`, props);
  const kind = L2_KIND[className];
  if (!kind) return undefined;
  const object = isObject(props) ? props : {};
  const unreadable = props !== undefined && !isObject(props) ? ["props"] : [];
  const spec =
    kind === "job-definition"
      ? jobDefinitionSpec(className, object)
      : kind === "job-queue"
        ? jobQueueSpec(object)
        : kind === "compute-environment"
          ? computeEnvironmentSpec(className, object)
          : schedulingPolicySpec(object);
  const normalized = normalizeByKind(kind, spec);
  return { kind, normalized: { ...normalized, unresolved: [...unreadable, ...normalized.unresolved] } };
}

/**
 * `queue.addComputeEnvironment(environment, order)` (`add_compute_environment` in Python): adds the entry to the CDK
 * queue kept in `queueBinding` in the same file. False when no such queue is in the inventory.
 */
export function addCdkComputeEnvironment(
  items: InventoryItem[],
  path: string,
  queueBinding: string,
  environment: string,
  order: number | undefined,
): boolean {
  const queue = items.find(
    (item) => item.kind === "job-queue" && item.source.path === path && item.source.binding === queueBinding,
  );
  if (!queue) return false;
  const existing = queue.properties.computeEnvironmentOrder;
  const entries = Array.isArray(existing) ? existing : [];
  const entry: LiteralObject = { computeEnvironment: { value: environment, literal: false } };
  if (order !== undefined) entry.order = order;
  else queue.unresolved = [...new Set([...queue.unresolved, "computeEnvironmentOrder.order"])].sort();
  queue.properties.computeEnvironmentOrder = [...entries, entry];
  return true;
}
