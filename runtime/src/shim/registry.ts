// The local registry of job definitions, job queues and compute environments: seeded from migrate.config.json,
// grown by RegisterJobDefinition (in memory, per client). Entries are kept in botocore's output shapes; each may
// carry a `commonCompute` / `salad` section mapping it to the target, which never appears in responses.
import { ConfigurationError } from "./settings.js";
import type { Json } from "./model.js";

const TARGET_SECTION_KEYS: Record<string, string[]> = {
  "common-compute": ["commonCompute", "common-compute", "common_compute"],
  salad: ["salad", "saladCloud", "saladcloud"],
};
const JOB_DEFINITION_FIELDS = [
  "parameters",
  "schedulingPriority",
  "containerProperties",
  "nodeProperties",
  "retryStrategy",
  "propagateTags",
  "timeout",
  "tags",
  "platformCapabilities",
  "eksProperties",
  "ecsProperties",
  "consumableResourceProperties",
];

const deepCopy = <T>(value: T): T => structuredClone(value);

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Accepts both `{name: {...}}` and `[{"<name key>": name, ...}]`. */
function entries(section: unknown, nameKeys: string[], kind: string): [string, Json][] {
  if (section === undefined || section === null) return [];
  if (isObject(section))
    return Object.entries(section).map(([name, body]) => [name, isObject(body) ? { ...body } : {}]);
  if (Array.isArray(section)) {
    return section.map((body) => {
      if (!isObject(body)) throw new ConfigurationError(`each entry of ${kind} must be an object`);
      const name = nameKeys.map((key) => body[key]).find((value) => typeof value === "string" && value !== "");
      if (!name) throw new ConfigurationError(`an entry of ${kind} has none of ${nameKeys.join(", ")}`);
      return [String(name), { ...body }];
    });
  }
  throw new ConfigurationError(`${kind} must be an object or a list`);
}

function targetSection(entry: Json, target: string): Json {
  for (const key of TARGET_SECTION_KEYS[target] ?? []) {
    const value = entry[key];
    if (isObject(value)) return value;
  }
  const targets = entry.targets;
  if (isObject(targets) && isObject(targets[target])) return targets[target];
  return {};
}

type TargetMappings = Record<string, Json>;

export class Registry {
  readonly jobDefinitions = new Map<string, Json[]>();
  /** Keyed by definition name, or `queue:<name>` for queues; per target plus the flat (target-less) keys. */
  readonly targetMappings = new Map<string, TargetMappings>();
  readonly jobQueues = new Map<string, Json>();
  readonly computeEnvironments = new Map<string, Json>();
  queuesDeclared = false;

  constructor(
    readonly region: string,
    readonly accountId: string,
  ) {}

  arn(resource: string): string {
    return `arn:aws:batch:${this.region}:${this.accountId}:${resource}`;
  }

  static fromConfig(config: Json, region: string, accountId: string): Registry {
    const registry = new Registry(region, accountId);
    for (const [name, body] of entries(
      config.computeEnvironments,
      ["computeEnvironmentName", "name"],
      "computeEnvironments",
    )) {
      registry.addComputeEnvironment(name, body);
    }
    for (const [name, body] of entries(config.jobQueues, ["jobQueueName", "name"], "jobQueues"))
      registry.addJobQueue(name, body);
    for (const [name, body] of entries(config.jobDefinitions, ["jobDefinitionName", "name"], "jobDefinitions")) {
      const definition = isObject(body.definition) ? body.definition : body;
      registry.registerJobDefinition({ ...definition, jobDefinitionName: name }, body);
    }
    return registry;
  }

  registerJobDefinition(request: Json, mappingSource?: Json): Json {
    const name = String(request.jobDefinitionName);
    const revisions = this.jobDefinitions.get(name) ?? [];
    this.jobDefinitions.set(name, revisions);
    const revision = revisions.length + 1;
    const definition: Json = {
      jobDefinitionName: name,
      jobDefinitionArn: this.arn(`job-definition/${name}:${revision}`),
      revision,
      status: "ACTIVE",
      type: request.type ?? "container",
    };
    for (const key of JOB_DEFINITION_FIELDS) if (request[key] !== undefined) definition[key] = deepCopy(request[key]);
    definition.parameters ??= {};
    definition.tags ??= {};
    definition.platformCapabilities ??= ["EC2"];
    definition.containerOrchestrationType ??= "ECS";
    revisions.push(definition);
    if (mappingSource) {
      const mappings: TargetMappings = {};
      for (const target of Object.keys(TARGET_SECTION_KEYS)) mappings[target] = targetSection(mappingSource, target);
      const flat: Json = {};
      for (const key of ["workload", "model", "saladQueue"])
        if (mappingSource[key] !== undefined) flat[key] = mappingSource[key];
      mappings.flat = flat;
      this.targetMappings.set(name, mappings);
    }
    return definition;
  }

  /** `name`, `name:revision` or an ARN; without a revision the latest ACTIVE one. */
  findJobDefinition(reference: string): Json | undefined {
    const marker = "job-definition/";
    const text =
      reference.startsWith("arn:") && reference.includes(marker)
        ? reference.slice(reference.indexOf(marker) + marker.length)
        : reference;
    const colon = text.indexOf(":");
    const name = colon < 0 ? text : text.slice(0, colon);
    const revisionText = colon < 0 ? "" : text.slice(colon + 1);
    const revisions = this.jobDefinitions.get(name) ?? [];
    if (revisionText) {
      if (!/^\d+$/.test(revisionText)) return undefined;
      return revisions.find((definition) => definition.revision === Number(revisionText));
    }
    return revisions.filter((definition) => definition.status === "ACTIVE").at(-1);
  }

  mappingFor(definitionName: string, target: string): Json {
    const mappings = this.targetMappings.get(definitionName) ?? {};
    return { ...mappings.flat, ...mappings[target] };
  }

  allJobDefinitions(): Json[] {
    return [...this.jobDefinitions.keys()].sort().flatMap((name) => this.jobDefinitions.get(name) ?? []);
  }

  addComputeEnvironment(name: string, body: Json): Json {
    const environment: Json = {
      computeEnvironmentName: name,
      computeEnvironmentArn: this.arn(`compute-environment/${name}`),
      type: body.type ?? "MANAGED",
      state: body.state ?? "ENABLED",
      status: "VALID",
      statusReason: "ComputeEnvironment Healthy",
      tags: isObject(body.tags) ? { ...body.tags } : {},
      containerOrchestrationType: "ECS",
    };
    for (const key of ["computeResources", "serviceRole", "unmanagedvCpus"])
      if (body[key] !== undefined) environment[key] = deepCopy(body[key]);
    this.computeEnvironments.set(name, environment);
    return environment;
  }

  addJobQueue(name: string, body: Json): Json {
    const declaredOrder = Array.isArray(body.computeEnvironmentOrder)
      ? (body.computeEnvironmentOrder as Json[])
      : (Array.isArray(body.computeEnvironments) ? body.computeEnvironments : []).map((environment, index) => ({
          order: index + 1,
          computeEnvironment: environment,
        }));
    const computeEnvironmentOrder = declaredOrder.map((item, index) => {
      const environment = String(item.computeEnvironment);
      return {
        order: Number(item.order ?? index + 1),
        computeEnvironment: environment.startsWith("arn:")
          ? environment
          : this.arn(`compute-environment/${environment}`),
      };
    });
    const numericPriority = body.priority;
    const queue: Json = {
      jobQueueName: name,
      jobQueueArn: this.arn(`job-queue/${name}`),
      state: body.state ?? "ENABLED",
      status: "VALID",
      statusReason: "JobQueue Healthy",
      priority: typeof numericPriority === "number" && Number.isInteger(numericPriority) ? numericPriority : 1,
      computeEnvironmentOrder,
      tags: isObject(body.tags) ? { ...body.tags } : {},
      jobStateTimeLimitActions: [],
    };
    this.jobQueues.set(name, queue);
    this.queuesDeclared = true;
    const mappings: TargetMappings = {};
    for (const target of Object.keys(TARGET_SECTION_KEYS)) mappings[target] = targetSection(body, target);
    const flat: Json = {};
    // A string priority names the Common Compute tier directly (`"priority": "standard"`).
    if (typeof numericPriority === "string") flat.priority = numericPriority;
    if (body.saladQueue) flat.queue = body.saladQueue;
    mappings.flat = flat;
    this.targetMappings.set(`queue:${name}`, mappings);
    return queue;
  }

  queueName(reference: string): string {
    const marker = "job-queue/";
    return reference.startsWith("arn:") && reference.includes(marker)
      ? reference.slice(reference.lastIndexOf(marker) + marker.length)
      : reference;
  }

  /** A declared queue, or (when the config declares none) an implicit one so any queue name works. */
  findJobQueue(reference: string): Json | undefined {
    const name = this.queueName(reference);
    const declared = this.jobQueues.get(name);
    if (declared) return declared;
    if (this.queuesDeclared) return undefined;
    return { jobQueueName: name, jobQueueArn: this.arn(`job-queue/${name}`) };
  }

  /** AWS_BATCH_CE_NAME: the first compute environment in the queue's order, when the config declares it. */
  computeEnvironmentOf(queueName: string): string | undefined {
    const order = this.jobQueues.get(this.queueName(queueName))?.computeEnvironmentOrder;
    if (!Array.isArray(order)) return undefined;
    const first = [...(order as Json[])].sort((a, b) => Number(a.order ?? 0) - Number(b.order ?? 0))[0];
    const reference = typeof first?.computeEnvironment === "string" ? first.computeEnvironment : undefined;
    return reference?.startsWith("arn:") ? reference.slice(reference.lastIndexOf("/") + 1) : reference;
  }

  queueMappingFor(queueName: string, target: string): Json {
    const mappings = this.targetMappings.get(`queue:${queueName}`) ?? {};
    return { ...mappings.flat, ...mappings[target] };
  }

  /** BATCH_MIGRATE_QUEUE_MAP / shim.queueMap: the tier (Common Compute) or queue (SaladCloud) per AWS queue. */
  applyQueueMap(queueMap: Record<string, string>, target: string): void {
    const key = target === "common-compute" ? "priority" : "queue";
    for (const [awsQueue, targetValue] of Object.entries(queueMap)) {
      const mappings = this.targetMappings.get(`queue:${awsQueue}`) ?? {};
      mappings[target] = { ...mappings[target], [key]: targetValue };
      this.targetMappings.set(`queue:${awsQueue}`, mappings);
    }
  }
}
