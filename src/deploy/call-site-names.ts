// Job queues and job definitions that code names by a literal (`submit_job(jobQueue="video-jobs", …)`) but that no
// Terraform, CloudFormation, CDK or job-definition JSON in the repository declares. `init` maps them too, with what
// can be derived from the name alone and a `todo` for what cannot: a native rewrite or the shim then finds every
// name its call sites use in migrate.config.json.
import { jobDefinitionName, jobQueueName } from "../apply/config.js";
import type { Finding } from "../core/types.js";
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
  for (const finding of findings) {
    if (!isCallSite(finding) && !isOrchestrationTask(finding)) continue;
    const site = `${finding.path}:${finding.line}`;
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
  return { queues: sorted(queues), definitions: sorted(definitions) };
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
    const where = undeclared(sites);
    entries.jobQueues[name] =
      target === "common-compute"
        ? {
            commonCompute: { priority: "batch" },
            todo: `${where}: "batch" is Common Compute's default tier (its AWS priority and compute environments are unknown); ${FOR_THE_EXECUTOR.queue}`,
          }
        : target === "salad"
          ? {
              todo: `${where}: its jobs go to the SaladCloud queue of their job definition (salad.queue); ${FOR_THE_EXECUTOR.queue}`,
            }
          : { todo: `${where}: ${FOR_THE_EXECUTOR.queue}` };
  }
  for (const [name, sites] of named.definitions) {
    if (definitions.has(name)) continue;
    const where = undeclared(sites);
    if (target === "common-compute") {
      const guess = guessWorkloadIn(name);
      entries.jobDefinitions[name] = {
        ...(guess ? { commonCompute: { workload: guess.workload } } : {}),
        todo: `${where}: ${guess ? `workload ${guess.workload} is guessed from its name ("${guess.matched}"); confirm it` : "no Common Compute workload matches its name, so the name itself is sent as the workload: set commonCompute.workload, or keep its jobs on AWS Batch"}; ${FOR_THE_EXECUTOR.definition}`,
      };
      entries.decisions.push({
        subject: name,
        question: `Job definition ${name} is ${where}: find where it is defined, and confirm its Common Compute workload.`,
        meanwhile: guess
          ? `\`${guess.workload}\`, because its name mentions "${guess.matched}".`
          : "mapped without a workload: its name is sent as the workload.",
      });
    } else if (target === "salad") {
      const queue = uniqueSaladName(toSaladName(name), saladNames);
      entries.jobDefinitions[name] = {
        salad: { queue },
        todo: `${where}, so no queue.json or container group was generated for it: create SaladCloud queue ${queue} and a container group that runs its command (as migration/salad/<job>/ does for a declared one); ${FOR_THE_EXECUTOR.definition}`,
      };
      entries.decisions.push({
        subject: name,
        question: `Job definition ${name} is ${where}: find where it is defined, and create SaladCloud queue \`${queue}\` and a container group for it.`,
        meanwhile: `mapped to queue \`${queue}\` (derived from its name); no deployment files were generated.`,
      });
    } else {
      entries.jobDefinitions[name] = { todo: `${where}: ${FOR_THE_EXECUTOR.definition}` };
    }
  }
  return entries;
}
