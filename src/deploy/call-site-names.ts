// Job queues and job definitions that code names by a literal (`submit_job(jobQueue="video-jobs", …)`) or creates
// itself (`register_job_definition(jobDefinitionName=…, containerProperties=…)`) but that no Terraform,
// CloudFormation, CDK or job-definition JSON in the repository declares. `init` maps them too, with what the name
// (or the literal part of the code's request) tells and a `todo` for what it does not: a native rewrite or the shim
// then finds every name its call sites use in migrate.config.json.
import { jobDefinitionName, jobQueueName } from "../apply/config.js";
import type { Finding, LiteralValue } from "../core/types.js";
import { callArgument } from "../link/index.js";
import { isCallSite, isOrchestrationTask } from "../report/model.js";
import { guessWorkloadIn } from "./workloads.js";
import { toSaladName, uniqueSaladName } from "./render.js";
import type { DeployDecision } from "./types.js";

/** What AWS Batch accepts as a queue or job definition name. */
const BATCH_NAME = /^[A-Za-z0-9_-]{1,128}$/;

export interface NamedAtCallSites {
  /** Queue name → `path:line` of the sites that name it. */
  queues: Map<string, string[]>;
  /** Job definition name → `path:line` of the sites that name it. */
  definitions: Map<string, string[]>;
  /** Names code itself creates (`register_job_definition`, `create_job_queue`): the literal part of its request. */
  registered: Map<string, Registration>;
}

interface Registration {
  site: string;
  request: Record<string, LiteralValue>;
  /** Fields of the request read only at run time, left out (`containerProperties.environment`). */
  dropped: string[];
}

/** The request fields of a code registration that migrate.config.json holds, as the entry's own fields. */
const REGISTERED_FIELDS: Record<string, { kind: "queue" | "definition"; nameKey: string; fields: string[] }> = {
  RegisterJobDefinition: {
    kind: "definition",
    nameKey: "jobDefinitionName",
    fields: ["type", "parameters", "containerProperties", "retryStrategy", "timeout", "platformCapabilities"],
  },
  CreateJobQueue: { kind: "queue", nameKey: "jobQueueName", fields: ["priority", "state", "computeEnvironmentOrder"] },
};

const isExpression = (value: LiteralValue): boolean =>
  typeof value === "object" && value !== null && !Array.isArray(value) && "$expr" in value;

function isLiteral(value: LiteralValue): boolean {
  if (Array.isArray(value)) return value.every(isLiteral);
  if (typeof value === "object" && value !== null) return !isExpression(value) && Object.values(value).every(isLiteral);
  return true;
}

/**
 * What of a value was written literally: an object keeps its literal keys (a key read at run time is left out and
 * its path added to `dropped`); a list is kept only whole, since leaving out an element would change it.
 */
function literalPart(value: LiteralValue, at: string, dropped: string[]): LiteralValue | undefined {
  if (typeof value === "object" && value !== null && !Array.isArray(value) && !isExpression(value)) {
    const kept: Record<string, LiteralValue> = {};
    for (const [key, inner] of Object.entries(value)) {
      const part = literalPart(inner, `${at}.${key}`, dropped);
      if (part !== undefined) kept[key] = part;
    }
    return kept;
  }
  if (isLiteral(value)) return value;
  dropped.push(at);
  return undefined;
}

/** Every queue and job definition a code call site or an orchestrator task names by a literal, in name order. */
export function namedAtCallSites(findings: readonly Finding[]): NamedAtCallSites {
  const queues = new Map<string, string[]>();
  const definitions = new Map<string, string[]>();
  const add = (into: Map<string, string[]>, name: string, site: string) => {
    if (!BATCH_NAME.test(name)) return;
    const sites = into.get(name) ?? [];
    if (!sites.includes(site)) sites.push(site);
    into.set(name, sites);
  };
  const registered = new Map<string, Registration>();
  for (const finding of findings) {
    if (!isCallSite(finding) && !isOrchestrationTask(finding)) continue;
    const site = `${finding.path}:${finding.line}`;
    const registration = REGISTERED_FIELDS[finding.operation ?? ""];
    const registeredName = registration ? finding.args?.[registration.nameKey] : undefined;
    if (registration && typeof registeredName === "string" && BATCH_NAME.test(registeredName)) {
      add(registration.kind === "queue" ? queues : definitions, registeredName, site);
      const dropped: string[] = [];
      const request: Record<string, LiteralValue> = {};
      for (const field of registration.fields) {
        const value = finding.args![field];
        const part = value === undefined ? undefined : literalPart(value, field, dropped);
        if (part !== undefined) request[field] = part;
      }
      const key = `${registration.kind}:${registeredName}`;
      if (!registered.has(key)) registered.set(key, { site, request, dropped });
    }
    for (const [argument, into, nameOf] of [
      ["jobQueue", queues, jobQueueName],
      ["jobDefinition", definitions, jobDefinitionName],
    ] as const) {
      const value = callArgument(finding, argument);
      for (const each of Array.isArray(value) ? value : [value])
        if (typeof each === "string" && each !== "") add(into, nameOf(each), site);
    }
  }
  const sorted = (map: Map<string, string[]>) =>
    new Map([...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, sites]) => [name, sites.sort()]));
  return { queues: sorted(queues), definitions: sorted(definitions), registered };
}

/** `a.py:3, b.py:9` (the first three, then how many more). */
export function siteList(sites: readonly string[]): string {
  const shown = sites.slice(0, 3).join(", ");
  return sites.length > 3 ? `${shown} and ${sites.length - 3} more` : shown;
}

export type MappedTarget = "common-compute" | "salad" | "local";

/** What the config already holds, so only names it lacks are added (and Salad names stay unique). */
export interface KnownEntries {
  queues: Iterable<string>;
  definitions: Iterable<string>;
  /** Salad queue names already given to job definitions. */
  saladQueues?: Iterable<string>;
}

export interface CallSiteEntries {
  jobQueues: Record<string, Record<string, unknown>>;
  jobDefinitions: Record<string, Record<string, unknown>>;
  decisions: DeployDecision[];
}

const FOR_THE_EXECUTOR = {
  queue: "add its computeEnvironments (declared under computeEnvironments) so that the local executor can create it",
  definition: "add its containerProperties (image, command) so that the local executor can run it",
};

function undeclared(sites: readonly string[]): string {
  return `named at ${siteList(sites)} but declared nowhere in this repository`;
}

/**
 * An entry, with a `todo` for what the name alone does not tell, for every queue and job definition the call sites
 * name that `known` lacks. Nothing is invented: Common Compute's tier is its documented default (`batch`, as for a
 * declared queue that shares no compute environment), a workload only when the name suggests one, a Salad queue
 * name derived from the definition's name the way a declared definition's is.
 */
export function callSiteEntries(
  findings: readonly Finding[],
  target: MappedTarget,
  known: KnownEntries,
): CallSiteEntries {
  const named = namedAtCallSites(findings);
  const queues = new Set(known.queues);
  const definitions = new Set(known.definitions);
  const saladNames = new Set(known.saladQueues ?? []);
  const entries: CallSiteEntries = { jobQueues: {}, jobDefinitions: {}, decisions: [] };
  for (const [name, sites] of named.queues) {
    if (queues.has(name)) continue;
    const registration = named.registered.get(`queue:${name}`);
    if (registration) {
      entries.jobQueues[name] = {
        ...registeredQueue(registration.request),
        ...(target === "common-compute" ? { commonCompute: { priority: "batch" } } : {}),
      };
      continue;
    }
    const where = undeclared(sites);
    entries.jobQueues[name] =
      target === "common-compute"
        ? {
            commonCompute: { priority: "batch" },
            todo: `${where}: "batch" is Common Compute's default tier (its AWS priority and compute environments are unknown); ${FOR_THE_EXECUTOR.queue}`,
          }
        : target === "salad"
          ? {
              todo: `${where}: its jobs go to the SaladCloud queue of their job definition (salad.queue); a list_jobs of it needs salad.queue here, which only holds when every job sent to it goes to one SaladCloud queue (set it then); ${FOR_THE_EXECUTOR.queue}`,
            }
          : { todo: `${where}: ${FOR_THE_EXECUTOR.queue}` };
  }
  for (const [name, sites] of named.definitions) {
    if (definitions.has(name)) continue;
    const registration = named.registered.get(`definition:${name}`);
    // Registered by code: its literal request is the definition; only what was read at run time is missing.
    const request = registration?.request ?? {};
    const where = registration
      ? `registered by code at ${registration.site} (no infrastructure file declares it${registration.dropped.length > 0 ? `; ${registration.dropped.join(", ")} ${registration.dropped.length === 1 ? "is" : "are"} read at run time there and left out` : ""})`
      : undeclared(sites);
    const forExecutor = request.containerProperties === undefined ? `; ${FOR_THE_EXECUTOR.definition}` : "";
    if (target === "common-compute") {
      const command = (request.containerProperties as { command?: LiteralValue } | undefined)?.command;
      const guess = guessWorkloadIn([name, ...(Array.isArray(command) ? command.map(String) : [])].join(" "));
      entries.jobDefinitions[name] = {
        ...request,
        ...(guess ? { commonCompute: { workload: guess.workload } } : {}),
        todo: `${where}: ${guess ? `workload ${guess.workload} is guessed from its name or command ("${guess.matched}"); confirm it` : "no Common Compute workload matches its name, so the name itself is sent as the workload: set commonCompute.workload, or keep its jobs on AWS Batch"}${forExecutor}`,
      };
      entries.decisions.push({
        subject: name,
        question: `Job definition ${name} is ${where}: ${registration ? "confirm" : "find where it is defined, and confirm"} its Common Compute workload.`,
        meanwhile: guess
          ? `\`${guess.workload}\`, because its name mentions "${guess.matched}".`
          : "mapped without a workload: its name is sent as the workload.",
      });
    } else if (target === "salad") {
      const queue = uniqueSaladName(toSaladName(name), saladNames);
      entries.jobDefinitions[name] = {
        ...request,
        salad: { queue },
        todo: `${where}, so no queue.json or container group was generated for it: create SaladCloud queue ${queue} and a container group that runs its command (as migration/salad/<job>/ does for a declared one)${forExecutor}`,
      };
      entries.decisions.push({
        subject: name,
        question: `Job definition ${name} is ${where}: ${registration ? "create" : "find where it is defined, and create"} SaladCloud queue \`${queue}\` and a container group for it.`,
        meanwhile: `mapped to queue \`${queue}\` (derived from its name); no deployment files were generated.`,
      });
    } else {
      entries.jobDefinitions[name] = !registration
        ? { todo: `${where}: ${FOR_THE_EXECUTOR.definition}` }
        : registration.dropped.length > 0 || forExecutor
          ? { ...request, todo: `${where}${forExecutor}` }
          : request;
    }
  }
  return entries;
}

/** A `create_job_queue` request's literal fields as a config entry (compute environments by name). */
function registeredQueue(request: Record<string, LiteralValue>): Record<string, unknown> {
  const order = Array.isArray(request.computeEnvironmentOrder) ? request.computeEnvironmentOrder : [];
  const environments = order
    .map((entry) => (entry as { computeEnvironment?: LiteralValue } | null)?.computeEnvironment)
    .filter((environment): environment is string => typeof environment === "string")
    .map((environment) => environment.slice(environment.lastIndexOf("/") + 1));
  return {
    ...(typeof request.priority === "number" ? { priority: request.priority } : {}),
    ...(typeof request.state === "string" ? { state: request.state } : {}),
    ...(environments.length > 0 ? { computeEnvironments: environments } : {}),
  };
}
