// https://docs.salad.com/container-engine/how-to-guides/job-processing/queue-worker — facts in reference/targets.md B.3–B.8
import type { InventoryItem } from "../core/types.js";
import { callSiteEntries } from "./call-site-names.js";
import { placeJobDefinitions, gpuMemoryOfInstanceType, sourceOf, type JobPlacement } from "./placement.js";
import {
  registryConfig,
  jsonText,
  registerJobDefinitionShape,
  renderReadme,
  sortGaps,
  substituteDefaults,
  uniqueSaladNames,
  unresolvedGaps,
  unresolvedPlaceholders,
} from "./render.js";
import { commentText, isImageReference, markdownCode, markdownText, shellWord } from "./escape.js";
import saladGpuClasses from "./salad-gpu-classes.json" with { type: "json" };
import {
  KELPIE_CONTAINER_GROUP_PLACEHOLDER,
  KELPIE_THRESHOLD_SECONDS,
  SALAD_AUTOSCALER,
  SALAD_CPU,
  SALAD_DISPLAY_NAME_PATTERN,
  SALAD_MIN_MEMORY_MB,
  SALAD_QUEUE_ATTEMPTS,
  SALAD_QUEUE_WORKER_URL,
  SALAD_SHM_SIZE_MB,
  checkContainerGroupPrototype,
  checkKelpieJob,
  checkQueuePrototype,
  type SaladPriority,
} from "./salad-constraints.js";
import type { DeployDecision, DeployGap, DeployInput, DeployPlan, DeployTarget, GeneratedFile } from "./types.js";
import { RUNTIME_TARBALL, RUNTIME_WHEEL, VENDOR_BUILD_CONTEXT } from "../vendor/names.js";

/** Where the wrapper listens inside the container; the queue worker POSTs each job there. */
export const WRAPPER_PORT = 8080;
export const WRAPPER_PATH = "/process";
export const WRAPPER_HEALTH_PATH = "/health";

interface GpuClass {
  name: string;
  id: string;
  vramGb: number;
  usdPerHour: Partial<Record<SaladPriority, number>>;
}

const GPU_CLASSES: GpuClass[] = saladGpuClasses.classes;
/** Pricing research (reference/pricing.md §6): no source gives Salad's per-container limits; above this, check availability. */
const LARGE_MEMORY_MB = 64 * 1024;

/** Salad classes whose VRAM covers the need and that have a price at the tier, cheapest first. */
export function gpuClassesFor(vramGiB: number, priority: SaladPriority): GpuClass[] {
  return GPU_CLASSES.filter((gpu) => gpu.vramGb >= vramGiB && gpu.usdPerHour[priority] !== undefined).sort(
    (a, b) => a.usdPerHour[priority]! - b.usdPerHour[priority]! || a.vramGb - b.vramGb || (a.name < b.name ? -1 : 1),
  );
}

interface JobContext {
  placement: JobPlacement;
  name: string;
  source: string;
  gaps: DeployGap[];
  decisions: DeployDecision[];
}

function gap(job: JobContext, property: string, generated: string, why: string): void {
  job.gaps.push({ subject: job.placement.definition.name, property, generated, why, source: job.source });
}

function decide(job: JobContext, question: string, meanwhile: string): void {
  job.decisions.push({ subject: job.placement.definition.name, question, meanwhile });
}

function displayName(name: string): string {
  const cleaned = name
    .replace(/[^ ,\-.0-9A-Za-z]+/g, " ")
    .trim()
    .slice(0, 63);
  return SALAD_DISPLAY_NAME_PATTERN.test(cleaned) ? cleaned : `Batch job ${cleaned}`.slice(0, 63).trim();
}

function isSpot(placement: JobPlacement): boolean | undefined {
  const type = placement.computeEnvironmentProperties?.resourceType;
  return type === undefined ? undefined : type === "SPOT" || type === "FARGATE_SPOT";
}

/**
 * Salad bills CPU-only groups at the lowest tier whatever is asked (pricing.md §6). For GPU groups, a job that ran
 * on Spot already tolerated interruption, so the cheapest, pre-emptible `batch` tier matches it; an on-demand
 * one expected not to be interrupted, which is `high`.
 */
function choosePriority(job: JobContext, needsGpu: boolean): SaladPriority {
  if (!needsGpu) return "batch";
  const spot = isSpot(job.placement);
  if (spot === undefined) {
    decide(
      job,
      "Which priority tier should the container group run at (`high`, `medium`, `low` or `batch`)?",
      "`batch`, the cheapest; the compute environment is not known.",
    );
    return "batch";
  }
  return spot ? "batch" : "high";
}

function resourcesFor(
  job: JobContext,
  priority: SaladPriority,
): { resources: Record<string, unknown>; needsGpu: boolean } {
  const { properties } = job.placement;
  const resources: Record<string, unknown> = {};
  const vcpus = properties.vcpus;
  if (vcpus === undefined) {
    gap(job, "vcpus", `${SALAD_CPU.min} vCPU`, "the job definition gives no vCPU count Salad can use");
  }
  const wantedCpu = Math.ceil(vcpus ?? SALAD_CPU.min);
  const cpu = Math.min(SALAD_CPU.max, Math.max(SALAD_CPU.min, wantedCpu));
  if (vcpus !== undefined && cpu !== vcpus) {
    gap(
      job,
      "vcpus",
      `${cpu} vCPU`,
      vcpus > SALAD_CPU.max
        ? `Salad allows at most ${SALAD_CPU.max} vCPUs per container`
        : "Salad allocates whole vCPUs, at least 1",
    );
  }
  resources.cpu = cpu;
  const memory = properties.memoryMiB;
  if (memory === undefined) gap(job, "memory", `${SALAD_MIN_MEMORY_MB} MB`, "the job definition gives no memory size");
  const wantedMemory = Math.ceil(memory ?? SALAD_MIN_MEMORY_MB);
  resources.memory = Math.max(SALAD_MIN_MEMORY_MB, wantedMemory);
  if (memory !== undefined && wantedMemory < SALAD_MIN_MEMORY_MB)
    gap(job, "memory", `${SALAD_MIN_MEMORY_MB} MB`, `Salad's minimum is ${SALAD_MIN_MEMORY_MB} MB`);
  if (wantedMemory > LARGE_MEMORY_MB) {
    decide(
      job,
      `Is a ${wantedMemory} MB container available on Salad's nodes?`,
      "the size is kept; no source states Salad's per-container memory limit.",
    );
  }
  const gpus = properties.gpus ?? 0;
  if (gpus > 0) {
    if (gpus > 1) gap(job, "gpus", "1 GPU", `Salad gives one GPU per instance; the job asked for ${gpus}`);
    const need = gpuNeed(job);
    if (need !== undefined) {
      const classes = gpuClassesFor(need.vramGiB, priority);
      resources.gpu_classes = classes.map((gpu) => gpu.id);
      if (classes.length === 0) {
        gap(
          job,
          "gpus",
          "no GPU class",
          `no Salad community GPU class has ${need.vramGiB} GB of VRAM (${need.evidence}); only SaladCloud Secure's 8-GPU nodes do`,
        );
      }
    } else {
      resources.gpu_classes = [];
      decide(
        job,
        "How much GPU memory does the job need?",
        "`gpu_classes` is empty, so the group would run without a GPU; add the class ids of `src/deploy/salad-gpu-classes.json` that fit.",
      );
    }
  }
  if (properties.ephemeralStorageGiB !== undefined)
    resources.storage_amount = properties.ephemeralStorageGiB * 1024 ** 3;
  if (properties.sharedMemoryMiB !== undefined) {
    resources.shm_size = Math.min(Math.max(properties.sharedMemoryMiB, SALAD_SHM_SIZE_MB.min), SALAD_SHM_SIZE_MB.max);
    if (properties.sharedMemoryMiB < SALAD_SHM_SIZE_MB.min)
      decide(
        job,
        `Batch gave ${properties.sharedMemoryMiB} MiB of shared memory; SaladCloud's minimum is ${SALAD_SHM_SIZE_MB.min} MB.`,
        `\`shm_size\` is ${SALAD_SHM_SIZE_MB.min}.`,
      );
  }
  return { resources, needsGpu: gpus > 0 };
}

/** The job's GPU memory need: the smallest GPU of the instance types it may land on, since it ran on any of them. */
function gpuNeed(job: JobContext): { vramGiB: number; evidence: string } | undefined {
  const { properties, computeEnvironmentProperties, computeEnvironment } = job.placement;
  const candidates = properties.instanceType
    ? [properties.instanceType]
    : (computeEnvironmentProperties?.instanceTypes ?? []);
  const known = candidates
    .map((type) => ({ type, gpu: gpuMemoryOfInstanceType(type) }))
    .filter((entry) => entry.gpu !== undefined);
  if (known.length === 0) return undefined;
  const smallest = known.reduce((a, b) => (b.gpu!.vramGiB < a.gpu!.vramGiB ? b : a));
  const where = properties.instanceType
    ? "the job definition's instance type"
    : `compute environment ${computeEnvironment?.name ?? "?"}`;
  return {
    vramGiB: smallest.gpu!.vramGiB,
    evidence: `${smallest.type} in ${where} has an ${smallest.gpu!.model} with ${smallest.gpu!.vramGiB} GB`,
  };
}

interface Replicas {
  min_replicas: number;
  max_replicas: number;
}

/** Replicas from the compute environment's vCPU bounds, each replica running one job of this definition. */
function replicasFor(job: JobContext, cpu: number): Replicas {
  const environment = job.placement.computeEnvironmentProperties;
  if (!environment || environment.maxVcpus === undefined) {
    decide(
      job,
      "How many replicas at most (and at least) should the group scale to?",
      `min_replicas 0, max_replicas 1: ${job.placement.computeEnvironment ? "the compute environment gives no maxvCpus" : "the queue, and so the compute environment, is not known"}.`,
    );
    return { min_replicas: 0, max_replicas: 1 };
  }
  const perJob = job.placement.properties.vcpus ?? cpu;
  const wantedMin = Math.ceil((environment.minVcpus ?? 0) / perJob);
  const wantedMax = Math.max(1, Math.floor(environment.maxVcpus / perJob));
  const limits = SALAD_AUTOSCALER;
  const max = Math.min(limits.max_replicas.max, wantedMax);
  const min = Math.min(limits.min_replicas.max, wantedMin, max);
  if (max !== wantedMax)
    gap(
      job,
      "computeResources.maxvCpus",
      `max_replicas ${max}`,
      `${environment.maxVcpus} vCPUs / ${perJob} per job = ${wantedMax} replicas; Salad's autoscaler allows at most ${limits.max_replicas.max}`,
    );
  if (min !== wantedMin)
    gap(
      job,
      "computeResources.minvCpus",
      `min_replicas ${min}`,
      `${environment.minVcpus} vCPUs / ${perJob} per job = ${wantedMin} replicas; Salad's autoscaler allows at most ${limits.min_replicas.max} and no more than max_replicas`,
    );
  return { min_replicas: min, max_replicas: max };
}

function httpProbe(startup: boolean): Record<string, unknown> {
  return {
    http: {
      path: WRAPPER_HEALTH_PATH,
      port: WRAPPER_PORT,
      scheme: "http",
      // The API requires at least one header; the wrapper ignores it.
      headers: [{ name: "X-Probe", value: startup ? "startup" : "readiness" }],
    },
    initial_delay_seconds: 0,
    // Startup: up to 20 × 6 s for the wrapper to listen, the API's largest failure threshold.
    period_seconds: startup ? 6 : 5,
    timeout_seconds: 2,
    success_threshold: 1,
    failure_threshold: startup ? 20 : 3,
  };
}

function featureGaps(job: JobContext, kelpie: boolean): void {
  const { properties } = job.placement;
  if (properties.retryAttempts !== undefined && properties.retryAttempts !== SALAD_QUEUE_ATTEMPTS && !kelpie) {
    gap(
      job,
      "retryStrategy.attempts",
      `${SALAD_QUEUE_ATTEMPTS} attempts`,
      `a Salad queue always gives a job ${SALAD_QUEUE_ATTEMPTS} attempts (3 retries); Batch had ${properties.retryAttempts}`,
    );
  }
  if (kelpie && properties.retryAttempts !== undefined && properties.retryAttempts !== 3) {
    gap(
      job,
      "retryStrategy.attempts",
      "3 failures",
      `Kelpie fails a job after 3 failures (interruptions do not count); Batch had ${properties.retryAttempts} attempts`,
    );
  }
  if (properties.retryEvaluateOnExit) {
    gap(
      job,
      "retryStrategy.evaluateOnExit",
      kelpie ? "every failure retried" : "every non-zero exit answered with HTTP 500, so retried",
      "the queue sees no exit code or status reason, so per-exit rules cannot be applied",
    );
  }
  if (properties.privileged) gap(job, "privileged", "not generated", "Salad containers cannot run privileged");
  for (const volume of properties.volumes ?? []) {
    gap(
      job,
      `volumes.${volume.name}`,
      "not generated",
      volume.efsFileSystemId
        ? "Salad has no EFS mounts; read and write the data through object storage"
        : "Salad has no host or shared volumes",
    );
  }
  if (properties.type === "multinode" || properties.numNodes !== undefined)
    gap(job, "nodeProperties", "one container", "Salad has no multi-node parallel jobs");
  if (properties.orchestration === "EKS")
    gap(job, "eksProperties", "the first container only", "Salad runs one container per group, not a pod");
  if (properties.instanceType)
    gap(job, "instanceType", "resources and GPU classes instead", "Salad schedules by resources, not instance types");
  for (const secret of properties.secrets ?? []) {
    decide(
      job,
      `Supply secret \`${secret.name}\` (was \`${secret.valueFrom}\`) as an environment variable of the container group.`,
      "it is not in the generated files; values are never copied.",
    );
  }
  if (properties.jobRoleArn) {
    decide(
      job,
      `The job used IAM role \`${properties.jobRoleArn}\` for AWS calls; give the container credentials for what it still reads (S3…).`,
      "no credentials are generated.",
    );
  }
  if (properties.image !== undefined && !isImageReference(properties.image)) {
    decide(
      job,
      `The image ${markdownText(JSON.stringify(properties.image))} is not an image reference: write the job's image into the Dockerfile's FROM line.`,
      "the Dockerfile builds FROM a placeholder.",
    );
  }
  if (properties.image && /\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com/.test(properties.image)) {
    decide(
      job,
      "The image is in a private ECR registry: add `registry_authentication` (aws_ecr) to the container group, or push the built image elsewhere.",
      "no registry authentication is generated.",
    );
  }
}

function commandOf(job: JobContext): string[] | undefined {
  const command = job.placement.properties.command;
  if (!command || command.length === 0) {
    decide(
      job,
      "The job definition has no command (the image's own CMD ran): write the command the wrapper should run.",
      "the wrapper runs `true` in the start script.",
    );
    return undefined;
  }
  return command;
}

function wrapperLine(job: JobContext, command: string[]): { line: string; python: boolean } {
  const { properties, queue, computeEnvironment } = job.placement;
  const python = /(^|\/)python[0-9.]*$/.test(command[0] ?? "");
  const launcher = python ? ["python3", "-m", "batch_migrate_runtime.wrap"] : ["batch-migrate-runtime", "wrap"];
  // Explicit, so the script says what it does: loopback only (the worker runs beside it), one job at a time.
  const flags = [
    "--host",
    "127.0.0.1",
    "--port",
    String(WRAPPER_PORT),
    "--path",
    WRAPPER_PATH,
    "--max-concurrent",
    "1",
  ];
  for (const [name, value] of Object.entries(properties.parameters ?? {})) flags.push("--param", `${name}=${value}`);
  if (properties.timeoutSeconds !== undefined) flags.push("--timeout", String(properties.timeoutSeconds));
  if (queue) flags.push("--job-queue", queue.name);
  if (computeEnvironment) flags.push("--compute-environment", computeEnvironment.name);
  return { line: [...launcher, ...flags, "--", ...command].map(shellWord).join(" "), python };
}

function startScript(job: JobContext, command: string[] | undefined): { script: string; python: boolean } {
  const { line, python } = wrapperLine(job, command ?? ["true"]);
  const script = [
    "#!/bin/bash",
    `# Starts the job wrapper and SaladCloud's queue worker side by side (generated for ${commentText(job.placement.definition.name)}).`,
    "# The worker POSTs each job to the wrapper; when either process exits, the container exits and Salad restarts it.",
    "set -u",
    `${line} &`,
    "salad-http-job-queue-worker &",
    "wait -n",
    "exit $?",
    "",
  ].join("\n");
  return { script, python };
}

function queueDockerfile(job: JobContext, python: boolean): string {
  // batch-migrate-runtime is in no registry: `init --target` vendors it into migration/salad/vendor/.
  const artifact = python ? RUNTIME_WHEEL : RUNTIME_TARBALL;
  const install = [
    `# batch-migrate-runtime from migration/salad/vendor/, a second build context (no registry has it):`,
    `#   docker build --build-context ${VENDOR_BUILD_CONTEXT}=migration/salad/vendor migration/salad/<this folder>`,
    `COPY --from=${VENDOR_BUILD_CONTEXT} ${artifact} /tmp/batch-migrate/`,
    python
      ? `RUN python3 -m pip install --no-cache-dir --no-index /tmp/batch-migrate/${artifact} && rm -rf /tmp/batch-migrate`
      : `RUN npm install --global --offline /tmp/batch-migrate/${artifact} && rm -rf /tmp/batch-migrate`,
  ].join("\n");
  return [
    `# The Batch image of ${commentText(job.placement.definition.name)}, plus SaladCloud's queue worker and the batch-migrate job wrapper.`,
    `FROM ${baseImage(job)}`,
    "# SaladCloud's job queue worker: the release asset the vendor's sample Dockerfile pins (x86_64).",
    `ARG SALAD_QUEUE_WORKER_URL=${SALAD_QUEUE_WORKER_URL}`,
    "ADD ${SALAD_QUEUE_WORKER_URL} /tmp/salad-queue-worker.tar.gz",
    "RUN tar -xzf /tmp/salad-queue-worker.tar.gz -C /usr/local/bin salad-http-job-queue-worker && rm /tmp/salad-queue-worker.tar.gz",
    install,
    "COPY start.sh /usr/local/bin/batch-migrate-start",
    "RUN chmod +x /usr/local/bin/batch-migrate-start",
    'CMD ["/usr/local/bin/batch-migrate-start"]',
    "",
  ].join("\n");
}

function kelpieDockerfile(job: JobContext): string {
  return [
    `# The Batch image of ${commentText(job.placement.definition.name)}, with Kelpie's worker as the entry point (reference/targets.md B.7).`,
    `FROM ${baseImage(job)}`,
    "# The kelpie binary from a SaladTechnologies/kelpie release for your architecture.",
    "ARG KELPIE_URL",
    "ADD ${KELPIE_URL} /kelpie",
    "RUN chmod +x /kelpie",
    'CMD ["/kelpie"]',
    "",
  ].join("\n");
}

/** The job's image for a `FROM` line; one that is not an image reference (a newline, a flag) is never pasted. */
function baseImage(job: JobContext): string {
  const image = job.placement.properties.image;
  return image !== undefined && isImageReference(image) ? image : "REPLACE-WITH-THE-JOB-IMAGE";
}

function builtImage(job: JobContext): string {
  const image = job.placement.properties.image;
  if (!image || !isImageReference(image)) return "REPLACE-WITH-THE-BUILT-IMAGE";
  const slash = image.lastIndexOf("/");
  const colon = image.lastIndexOf(":");
  return colon > slash ? `${image}-salad` : `${image}:salad`;
}

function containerGroup(
  job: JobContext,
  kelpie: boolean,
): { body: Record<string, unknown>; replicas: Replicas; priority: SaladPriority } {
  const gpus = (job.placement.properties.gpus ?? 0) > 0;
  const priority = choosePriority(job, gpus);
  const { resources } = resourcesFor(job, priority);
  const replicas = replicasFor(job, resources.cpu as number);
  const container: Record<string, unknown> = { image: builtImage(job), resources, priority };
  const environment = nonEmptyEnvironment(job, job.placement.properties.environment);
  if (environment && !kelpie) container.environment_variables = environment;
  const body: Record<string, unknown> = {
    name: job.name,
    display_name: displayName(job.placement.definition.name),
    container,
    autostart_policy: false,
    restart_policy: "always",
    replicas: replicas.min_replicas,
  };
  if (!kelpie) {
    body.queue_connection = { queue_name: job.name, port: WRAPPER_PORT, path: WRAPPER_PATH };
    body.queue_autoscaler = { ...replicas, desired_queue_length: 1 };
    body.readiness_probe = httpProbe(false);
    body.startup_probe = httpProbe(true);
  }
  return { body, replicas, priority };
}

/** SaladCloud requires every environment value to be at least 1 character: empty ones are left out, and said so. */
function nonEmptyEnvironment(
  job: JobContext,
  environment: Record<string, string> | undefined,
): Record<string, string> | undefined {
  if (!environment) return undefined;
  const kept = Object.entries(environment).filter(([, value]) => value !== "");
  for (const [name] of Object.entries(environment).filter(([, value]) => value === ""))
    decide(
      job,
      `\`${name}\` is empty in the job definition; SaladCloud refuses empty environment values.`,
      `\`${name}\` is left out of the container group, so the program sees it unset rather than empty.`,
    );
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}

function kelpieJob(job: JobContext, command: string[] | undefined): Record<string, unknown> {
  const { properties } = job.placement;
  const argv = substituteDefaults(command ?? ["true"], properties.parameters);
  for (const name of unresolvedPlaceholders(argv)) {
    decide(
      job,
      `Kelpie does no \`Ref::\` substitution: the code that submits the job must put the value of \`${name}\` in \`arguments\`.`,
      `\`Ref::${name}\` is left literal.`,
    );
  }
  decide(
    job,
    "Which folders should Kelpie download before the job (`sync.before`) and upload as checkpoints (`sync.during`) and results (`sync.after`)?",
    "the sync lists are empty: nothing is checkpointed, so an interrupted job restarts from the beginning.",
  );
  decide(
    job,
    `Put the id of container group \`${job.name}\` (created from container-group.json) in \`container_group_id\`.`,
    `\`container_group_id\` is \`${KELPIE_CONTAINER_GROUP_PLACEHOLDER}\`; Kelpie refuses the job until it is a UUID.`,
  );
  return {
    command: argv[0] ?? "true",
    arguments: argv.slice(1),
    environment: properties.environment ?? {},
    container_group_id: KELPIE_CONTAINER_GROUP_PLACEHOLDER,
    // Entries are {bucket, prefix, local_path, direction}: "download" before, "upload" during and after.
    sync: { before: [], during: [], after: [] },
  };
}

function checked(kind: string, name: string, violations: string[]): void {
  // The generator clamps every value it writes; a violation here is a bug in this file, not in the user's input.
  if (violations.length > 0)
    throw new Error(`generated ${kind} for ${name} breaks the SaladCloud API constraints: ${violations.join("; ")}`);
}

function placementNote(job: JobContext): void {
  const { evidence, queue, otherQueues } = job.placement;
  if (evidence.kind === "inferred")
    decide(job, `Confirm it runs on queue ${queue!.name}.`, `inferred: ${evidence.reason}.`);
  if (evidence.kind === "unknown")
    decide(
      job,
      "Which Batch queue (and so compute environment) does it run on?",
      `unknown: ${evidence.reason}; sizes come from the job definition alone.`,
    );
  if (otherQueues.length > 0)
    decide(
      job,
      `It is also submitted to ${otherQueues.join(", ")}; one container group serves all of them.`,
      `sized for ${queue!.name}.`,
    );
}

interface GeneratedJob {
  files: GeneratedFile[];
  gaps: DeployGap[];
  decisions: DeployDecision[];
  /** The job definition's entry in migrate.config.json. */
  config: Record<string, unknown>;
  priority: SaladPriority;
  kelpie: boolean;
}

function generateJob(placement: JobPlacement, name: string): GeneratedJob {
  const job: JobContext = { placement, name, source: sourceOf(placement.definition), gaps: [], decisions: [] };
  const from = [
    job.source,
    ...(placement.queue ? [sourceOf(placement.queue)] : []),
    ...(placement.computeEnvironment ? [sourceOf(placement.computeEnvironment)] : []),
  ];
  job.gaps.push(...unresolvedGaps(placement.definition, job.source));
  placementNote(job);
  const timeout = placement.properties.timeoutSeconds;
  const kelpie = timeout !== undefined && timeout > KELPIE_THRESHOLD_SECONDS;
  featureGaps(job, kelpie);
  const command = commandOf(job);
  const { body: group, replicas, priority } = containerGroup(job, kelpie);
  checked("container group", name, checkContainerGroupPrototype(group));
  const files: GeneratedFile[] = [];
  const folder = name;
  files.push({
    path: `${folder}/container-group.json`,
    content: jsonText(group),
    description: kelpie
      ? "ContainerGroupPrototype for Kelpie's worker (no queue connection)"
      : "ContainerGroupPrototype connected to the queue",
    from,
  });
  if (kelpie) {
    const body = kelpieJob(job, command);
    checked("Kelpie job", name, checkKelpieJob(body));
    files.push({
      path: `${folder}/kelpie-job.json`,
      content: jsonText(body),
      description: `Kelpie job definition, instead of a queue: the Batch timeout is ${timeout} s, over Salad's 30-minute guidance for queue jobs; Kelpie checkpoints and hands interrupted jobs to another node`,
      from: [job.source],
    });
    files.push({
      path: `${folder}/Dockerfile`,
      content: kelpieDockerfile(job),
      description: "the job's image with Kelpie's worker as CMD",
      from: [job.source],
    });
    decide(
      job,
      `Create a Kelpie scaling rule for the container group (min_replicas ${replicas.min_replicas}, max_replicas ${replicas.max_replicas}, from the compute environment), and add the Kelpie user to the organization.`,
      "the container group is created with the replica count only.",
    );
    gap(
      job,
      "AWS_BATCH_* variables",
      "not set",
      "Kelpie runs the command directly, without the wrapper that sets them",
    );
  } else {
    const queueBody = {
      name,
      display_name: displayName(placement.definition.name),
      description: `Jobs of AWS Batch job definition ${placement.definition.name} (${job.source}).`.slice(0, 500),
    };
    checked("queue", name, checkQueuePrototype(queueBody));
    files.push({
      path: `${folder}/queue.json`,
      content: jsonText(queueBody),
      description:
        "QueuePrototype: one queue per job definition, since a container group serves one queue and runs one command",
      from: [job.source],
    });
    const { script, python } = startScript(job, command);
    files.push({
      path: `${folder}/start.sh`,
      content: script,
      description: `starts the ${python ? "Python" : "Node"} job wrapper and the queue worker together`,
      from: [job.source],
    });
    files.push({
      path: `${folder}/Dockerfile`,
      content: queueDockerfile(job, python),
      description: "the job's image plus the queue worker and the wrapper",
      from: [job.source],
    });
    if (timeout !== undefined) {
      gap(
        job,
        "timeout.attemptDurationSeconds",
        "the wrapper stops the command and answers 500",
        "a Salad queue job has no timeout; a timed-out attempt is retried, where Batch would not retry it",
      );
    }
  }
  const config: Record<string, unknown> = {
    ...registerJobDefinitionShape(placement.properties),
    salad: kelpie ? { kelpieContainerGroup: name } : { queue: name },
  };
  return { files, gaps: job.gaps, decisions: job.decisions, config, priority, kelpie };
}

function queueTier(queue: InventoryItem, placements: JobPlacement[], groups: Map<string, string>): string {
  const tiers = new Set(
    placements.filter((p) => p.queue?.id === queue.id).map((p) => groups.get(p.definition.id) ?? "batch"),
  );
  return [...tiers].sort().join(",") || "batch";
}

export function generateSalad(input: DeployInput): DeployPlan {
  const placements = placeJobDefinitions(input);
  const names = uniqueSaladNames(placements);
  const files: GeneratedFile[] = [];
  const gaps: DeployGap[] = [];
  const decisions: DeployDecision[] = [];
  const jobDefinitions: Record<string, unknown> = {};
  const saladQueues: Record<string, unknown> = {};
  const tiers = new Map<string, string>();
  const kelpieJobs = new Set<string>();
  for (const placement of placements) {
    const name = names.get(placement.definition.id)!;
    const generated = generateJob(placement, name);
    files.push(...generated.files);
    gaps.push(...generated.gaps);
    decisions.push(...generated.decisions);
    jobDefinitions[placement.definition.name] = generated.config;
    tiers.set(placement.definition.id, generated.priority);
    if (generated.kelpie) kelpieJobs.add(placement.definition.id);
    else saladQueues[name] = { port: WRAPPER_PORT, path: WRAPPER_PATH };
  }
  for (const queue of input.inventory.jobQueues) gaps.push(...unresolvedGaps(queue, sourceOf(queue)));
  for (const environment of input.inventory.computeEnvironments) {
    const sharing = placements.filter(
      (placement) => placement.computeEnvironment?.id === environment.id && !kelpieJobs.has(placement.definition.id),
    );
    if (sharing.length < 2) continue;
    decisions.push({
      subject: environment.name,
      question: `${sharing.map((p) => p.definition.name).join(", ")} shared its ${(environment.properties as { maxVcpus?: number }).maxVcpus ?? "?"} vCPUs on AWS; split max_replicas between their container groups if the total must stay within that.`,
      meanwhile: "each group's max_replicas is computed as if it had the whole compute environment.",
    });
  }
  const registry = registryConfig(input, (queue) => ({ salad: { priority: queueTier(queue, placements, tiers) } }));
  const named = callSiteEntries(input.findings, "salad", {
    queues: Object.keys(registry.jobQueues),
    definitions: Object.keys(jobDefinitions),
    saladQueues: names.values(),
  });
  decisions.push(...named.decisions);
  const config = {
    shim: { target: "salad" },
    computeEnvironments: registry.computeEnvironments,
    jobQueues: { ...registry.jobQueues, ...named.jobQueues },
    jobDefinitions: { ...jobDefinitions, ...named.jobDefinitions },
    executor: { saladQueues },
  };
  files.push({
    path: "migrate.config.json",
    content: jsonText(config),
    description:
      "job definition → Salad queue, queue → priority tier; read by the shims and by `batch-migrate-runtime executor --config`",
    from: [
      ...new Set([...placements.map((p) => sourceOf(p.definition)), ...input.inventory.jobQueues.map(sourceOf)]),
    ].sort(),
  });
  const sortedGaps = sortGaps(gaps);
  const plan: DeployPlan = { target: "salad", files, gaps: sortedGaps, decisions, config };
  files.push({
    path: "README.md",
    content: renderReadme(plan, readmeIntro(placements, names)),
    description: "this file",
    from: [],
  });
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return plan;
}

function readmeIntro(placements: JobPlacement[], names: Map<string, string>): string[] {
  const lines = [
    "One SaladCloud queue and container group per AWS Batch job definition: a container group connects to one queue",
    "and runs one command, while a Batch queue served many job definitions. Each queue job is POSTed by Salad's queue",
    `worker to the batch-migrate job wrapper on port ${WRAPPER_PORT}, path \`${WRAPPER_PATH}\`, which runs the job's command with \`Ref::\``,
    "parameters and the `AWS_BATCH_*` variables and answers 500 on a non-zero exit so that the queue retries it (4 attempts",
    "in all). Jobs whose Batch timeout is over 30 minutes go to Kelpie instead: submit those with Kelpie's API",
    "(`kelpie-job.json`, once its `container_group_id` is filled in); the shim refuses to submit them. See `docs/deploy.md`",
    "of batch-migrate.",
    "",
    "Deploy, per job definition: build and push the `Dockerfile` (the queue worker is pinned to v0.6.0 x86_64; override",
    "with `--build-arg SALAD_QUEUE_WORKER_URL=…` for another release or architecture; Kelpie needs `--build-arg KELPIE_URL=…`;",
    `and \`--build-context ${VENDOR_BUILD_CONTEXT}=migration/salad/vendor\`: the runtime, vendored there by \`init --target\`),`,
    "set `container.image` to the pushed image, then `POST /organizations/{org}/projects/{project}/queues` with `queue.json`",
    "and `POST …/containers` with `container-group.json` (the queue must exist first), and start the group.",
    "Copy `migrate.config.json` to the repository root (or point `BATCH_MIGRATE_CONFIG` at it) for the shim.",
    "",
    "| job definition | Salad name | queue | how the queue was found |",
    "|---|---|---|---|",
  ];
  for (const placement of placements) {
    lines.push(
      `| ${markdownText(placement.definition.name)} (${markdownCode(sourceOf(placement.definition))}) | \`${names.get(placement.definition.id)}\` | ${placement.queue ? markdownText(placement.queue.name) : "unknown"} | ${placement.evidence.kind === "linked" ? `submitted at ${placement.evidence.callSites.map(markdownCode).join(", ")}` : `${placement.evidence.kind}: ${markdownText(placement.evidence.reason)}`} |`,
    );
  }
  return lines;
}

const salad: DeployTarget = {
  id: "salad",
  title: "SaladCloud (queues, container groups, Kelpie)",
  generate: generateSalad,
};
export default salad;
