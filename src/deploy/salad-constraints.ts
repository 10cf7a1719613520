// SaladCloud API constraints on what we generate: reference/targets.md B.2, B.4 and B.7 (from the OpenAPI spec),
// probe ranges from the SDK's generated validators (SaladTechnologies salad-cloud-sdk-java,
// ContainerGroupReadinessProbeValidator / ContainerGroupStartupProbeValidator / ContainerGroupHttpProbeConfigurationValidator).

export const SALAD_NAME_PATTERN = /^[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
export const SALAD_DISPLAY_NAME_PATTERN = /^[ ,\-.0-9A-Za-z]{2,63}$/;
export const SALAD_CPU = { min: 1, max: 16 } as const;
export const SALAD_MIN_MEMORY_MB = 1024;
export const SALAD_PRIORITIES = ["high", "medium", "low", "batch"] as const;
export type SaladPriority = (typeof SALAD_PRIORITIES)[number];
export const SALAD_RESTART_POLICIES = ["always", "on_failure", "never"] as const;
export const SALAD_REPLICAS = { min: 0, max: 500 } as const;
export const SALAD_AUTOSCALER = {
  min_replicas: { min: 0, max: 100 },
  max_replicas: { min: 1, max: 500 },
  desired_queue_length: { min: 1, max: 100 },
  polling_period: { min: 15, max: 1800 },
  max_upscale_per_minute: { min: 1, max: 100 },
  max_downscale_per_minute: { min: 1, max: 100 },
} as const;
export const SALAD_PROBE = {
  initial_delay_seconds: { min: 0, max: 1200 },
  period_seconds: { min: 1, max: 120 },
  timeout_seconds: { min: 1, max: 60 },
  success_threshold: { min: 1, max: 10 },
  failure_threshold: { min: 1, max: 20 },
} as const;
export const SALAD_QUEUE_PATH_LENGTH = { min: 1, max: 1024 } as const;
/** `container.resources.shm_size`, in MB (the SDK's schema: 64 to 1073741824). */
export const SALAD_SHM_SIZE_MB = { min: 64, max: 1_073_741_824 } as const;
/** The job queue worker release the vendor's sample Dockerfile pins. */
export const SALAD_QUEUE_WORKER_URL =
  "https://github.com/SaladTechnologies/salad-cloud-job-queue-worker/releases/download/v0.6.0/salad-http-job-queue-worker_x86_64.tar.gz";
/** The queue worker retries a rejected job 3 times: 4 attempts in all, not configurable. */
export const SALAD_QUEUE_ATTEMPTS = 4;
/** Salad's advice: jobs longer than about 30 minutes belong on Kelpie. */
export const KELPIE_THRESHOLD_SECONDS = 30 * 60;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const isInteger = (value: unknown): value is number => typeof value === "number" && Number.isInteger(value);

function checkRange(
  violations: string[],
  where: string,
  value: unknown,
  range: { min: number; max: number },
  required = true,
): void {
  if (value === undefined && !required) return;
  if (!isInteger(value) || value < range.min || value > range.max) {
    violations.push(`${where} must be an integer from ${range.min} to ${range.max}, not ${JSON.stringify(value)}`);
  }
}

function checkName(violations: string[], where: string, value: unknown): void {
  if (typeof value !== "string" || !SALAD_NAME_PATTERN.test(value))
    violations.push(`${where} must match ${SALAD_NAME_PATTERN.source}, not ${JSON.stringify(value)}`);
}

/** Violations of the QueuePrototype constraints; empty when the body is valid. */
export function checkQueuePrototype(body: unknown): string[] {
  const violations: string[] = [];
  if (!isObject(body)) return ["the queue must be an object"];
  checkName(violations, "name", body.name);
  if (
    body.display_name !== undefined &&
    (typeof body.display_name !== "string" || !SALAD_DISPLAY_NAME_PATTERN.test(body.display_name))
  ) {
    violations.push(`display_name must match ${SALAD_DISPLAY_NAME_PATTERN.source}`);
  }
  if (body.description !== undefined && (typeof body.description !== "string" || body.description.length > 500)) {
    violations.push("description must be a string of at most 500 characters");
  }
  return violations;
}

function checkProbe(violations: string[], where: string, probe: unknown): void {
  if (probe === undefined) return;
  if (!isObject(probe)) {
    violations.push(`${where} must be an object`);
    return;
  }
  for (const [field, range] of Object.entries(SALAD_PROBE))
    checkRange(violations, `${where}.${field}`, probe[field], range);
  const http = probe.http;
  if (!isObject(http)) {
    violations.push(`${where}.http must be set (the generated probes are HTTP probes)`);
    return;
  }
  if (typeof http.path !== "string" || http.path.length < 1 || http.path.length > 2048)
    violations.push(`${where}.http.path must be 1–2048 characters`);
  checkRange(violations, `${where}.http.port`, http.port, { min: 1, max: 65535 });
  if (!Array.isArray(http.headers) || http.headers.length < 1 || http.headers.length > 50)
    violations.push(`${where}.http.headers must hold 1–50 headers`);
  if (http.scheme !== undefined && http.scheme !== "http" && http.scheme !== "https")
    violations.push(`${where}.http.scheme must be http or https`);
}

/** Violations of the ContainerGroupPrototype constraints we generate against; empty when the body is valid. */
export function checkContainerGroupPrototype(body: unknown): string[] {
  const violations: string[] = [];
  if (!isObject(body)) return ["the container group must be an object"];
  checkName(violations, "name", body.name);
  if (
    body.display_name !== undefined &&
    (typeof body.display_name !== "string" || !SALAD_DISPLAY_NAME_PATTERN.test(body.display_name))
  ) {
    violations.push(`display_name must match ${SALAD_DISPLAY_NAME_PATTERN.source}`);
  }
  if (typeof body.autostart_policy !== "boolean") violations.push("autostart_policy is required (a boolean)");
  if (!(SALAD_RESTART_POLICIES as readonly unknown[]).includes(body.restart_policy))
    violations.push(`restart_policy must be one of ${SALAD_RESTART_POLICIES.join(", ")}`);
  checkRange(violations, "replicas", body.replicas, SALAD_REPLICAS);
  const container = body.container;
  if (!isObject(container)) {
    violations.push("container is required");
  } else {
    if (typeof container.image !== "string" || container.image === "") violations.push("container.image is required");
    const resources = container.resources;
    if (!isObject(resources)) {
      violations.push("container.resources is required");
    } else {
      checkRange(violations, "container.resources.cpu", resources.cpu, SALAD_CPU);
      if (!isInteger(resources.memory) || resources.memory < SALAD_MIN_MEMORY_MB) {
        violations.push(
          `container.resources.memory must be an integer of at least ${SALAD_MIN_MEMORY_MB} MB, not ${JSON.stringify(resources.memory)}`,
        );
      }
      const classes = resources.gpu_classes;
      const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
      if (
        classes !== undefined &&
        (!Array.isArray(classes) || !classes.every((id) => typeof id === "string" && uuid.test(id)))
      ) {
        violations.push("container.resources.gpu_classes must be a list of GPU class UUIDs");
      }
      if (resources.shm_size !== undefined)
        checkRange(violations, "container.resources.shm_size", resources.shm_size, SALAD_SHM_SIZE_MB);
    }
    if (
      container.priority !== undefined &&
      container.priority !== null &&
      !(SALAD_PRIORITIES as readonly unknown[]).includes(container.priority)
    ) {
      violations.push(`container.priority must be one of ${SALAD_PRIORITIES.join(", ")}`);
    }
    const environment = container.environment_variables;
    if (
      environment !== undefined &&
      (!isObject(environment) || !Object.values(environment).every((value) => typeof value === "string"))
    ) {
      violations.push("container.environment_variables must map names to strings");
    } else if (environment !== undefined) {
      for (const [name, value] of Object.entries(environment))
        if (value === "") violations.push(`container.environment_variables.${name} must be at least 1 character`);
    }
    if (
      container.command !== undefined &&
      (!Array.isArray(container.command) || !container.command.every((part) => typeof part === "string"))
    ) {
      violations.push("container.command must be a list of strings");
    }
  }
  const connection = body.queue_connection;
  if (connection !== undefined) {
    if (!isObject(connection)) {
      violations.push("queue_connection must be an object");
    } else {
      checkName(violations, "queue_connection.queue_name", connection.queue_name);
      checkRange(violations, "queue_connection.port", connection.port, { min: 1, max: 65535 });
      const path = connection.path;
      if (
        typeof path !== "string" ||
        path.length < SALAD_QUEUE_PATH_LENGTH.min ||
        path.length > SALAD_QUEUE_PATH_LENGTH.max
      ) {
        violations.push("queue_connection.path is required (1–1024 characters)");
      }
    }
  }
  const autoscaler = body.queue_autoscaler;
  if (autoscaler !== undefined) {
    if (!isObject(autoscaler)) {
      violations.push("queue_autoscaler must be an object");
    } else {
      for (const [field, range] of Object.entries(SALAD_AUTOSCALER)) {
        const required = field === "min_replicas" || field === "max_replicas" || field === "desired_queue_length";
        checkRange(violations, `queue_autoscaler.${field}`, autoscaler[field], range, required);
      }
      if (
        isInteger(autoscaler.min_replicas) &&
        isInteger(autoscaler.max_replicas) &&
        autoscaler.min_replicas > autoscaler.max_replicas
      ) {
        violations.push("queue_autoscaler.min_replicas must not exceed max_replicas");
      }
    }
    if (connection === undefined) violations.push("queue_autoscaler needs a queue_connection");
  }
  checkProbe(violations, "readiness_probe", body.readiness_probe);
  checkProbe(violations, "startup_probe", body.startup_probe);
  return violations;
}

/** What a generated Kelpie job holds until the container group exists: its id is known only after creation. */
export const KELPIE_CONTAINER_GROUP_PLACEHOLDER = "REPLACE-WITH-THE-CONTAINER-GROUP-ID";
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KELPIE_SYNC_DIRECTIONS = { before: "download", during: "upload", after: "upload" } as const;

/**
 * Violations of a Kelpie job body (`POST /jobs`, SaladTechnologies/kelpie src/types.ts) as far as we fill it:
 * command, arguments, environment, container_group_id (a UUID, or our placeholder), sync entries with direction.
 */
export function checkKelpieJob(body: unknown): string[] {
  const violations: string[] = [];
  if (!isObject(body)) return ["the Kelpie job must be an object"];
  const group = body.container_group_id;
  if (typeof group !== "string" || !(UUID_PATTERN.test(group) || group === KELPIE_CONTAINER_GROUP_PLACEHOLDER))
    violations.push("container_group_id is required (the container group's UUID)");
  if (typeof body.command !== "string" || body.command === "") violations.push("command is required (a string)");
  if (!Array.isArray(body.arguments) || !body.arguments.every((item) => typeof item === "string"))
    violations.push("arguments must be a list of strings");
  if (!isObject(body.environment) || !Object.values(body.environment).every((value) => typeof value === "string")) {
    violations.push("environment must map names to strings");
  }
  const sync = body.sync;
  if (!isObject(sync)) {
    violations.push("sync must be an object with before, during and after lists");
  } else {
    for (const phase of ["before", "during", "after"]) {
      const list = sync[phase];
      if (!Array.isArray(list)) violations.push(`sync.${phase} must be a list`);
      else if (
        !list.every(
          (entry) =>
            isObject(entry) &&
            typeof entry.bucket === "string" &&
            typeof entry.prefix === "string" &&
            typeof entry.local_path === "string" &&
            entry.direction === KELPIE_SYNC_DIRECTIONS[phase as keyof typeof KELPIE_SYNC_DIRECTIONS],
        )
      ) {
        violations.push(
          `sync.${phase} entries need bucket, prefix, local_path and direction "${KELPIE_SYNC_DIRECTIONS[phase as keyof typeof KELPIE_SYNC_DIRECTIONS]}"`,
        );
      }
    }
  }
  return violations;
}
