/** A Common Compute workload run as a local command (the `workloads` block of migrate.config.json). */
export interface WorkloadConfig {
  /** argv, never run through a shell. */
  command: string[];
  env?: Record<string, string>;
  /** Relative to the executor's working directory. */
  cwd?: string;
  /** At most this many jobs of the workload at once (still bounded by maxParallel). */
  maxParallel?: number;
}

/** Where a Salad queue's jobs go: the app the queue worker would call (`queue_connection` in Salad). */
export interface SaladQueueConnection {
  port: number;
  path: string;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** Workers on the queue; each handles one job at a time, as Salad's worker does. Default 1. */
  replicas?: number;
  /** Abort a request to the app after this long (a transport error, so the job is retried). */
  timeoutSeconds?: number;
}

/** What the executor runs for the Common Compute and Salad faces. AWS jobs run their job definition's command. */
export interface ExecutorConfig {
  workloads?: Record<string, WorkloadConfig>;
  /** Keyed by queue name (any organization and project). */
  saladQueues?: Record<string, SaladQueueConnection>;
  /**
   * Serve the assumed Common Compute API the Batch shim needs (POST/GET /v1/jobs, /v1/me/logs, upload URLs and
   * the extra job fields), which the real backend does not have. Off by default: see runtime/README.md.
   */
  commonComputeExtensions?: boolean;
}

function fail(message: string): never {
  throw new TypeError(`executor config: ${message}`);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((item) => typeof item === "string")
  );
}

/** Checks a parsed config (e.g. from migrate.config.json) and returns it typed; throws a TypeError that says what is wrong. */
export function parseExecutorConfig(raw: unknown): ExecutorConfig {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) fail("must be an object");
  const source = raw as Record<string, unknown>;
  const config: ExecutorConfig = {};
  if (source.workloads !== undefined) {
    if (typeof source.workloads !== "object" || source.workloads === null) fail("workloads must be an object");
    config.workloads = {};
    for (const [name, entry] of Object.entries(source.workloads)) {
      const workload = entry as Partial<WorkloadConfig> | null;
      if (!workload || !isStringArray(workload.command) || workload.command.length === 0) {
        fail(`workloads.${name}.command must be a non-empty array of strings`);
      }
      if (workload.env !== undefined && !isStringRecord(workload.env))
        fail(`workloads.${name}.env must map names to strings`);
      if (workload.cwd !== undefined && typeof workload.cwd !== "string")
        fail(`workloads.${name}.cwd must be a string`);
      if (workload.maxParallel !== undefined && !(Number.isInteger(workload.maxParallel) && workload.maxParallel > 0)) {
        fail(`workloads.${name}.maxParallel must be a positive integer`);
      }
      config.workloads[name] = workload as WorkloadConfig;
    }
  }
  if (source.saladQueues !== undefined) {
    if (typeof source.saladQueues !== "object" || source.saladQueues === null) fail("saladQueues must be an object");
    config.saladQueues = {};
    for (const [name, entry] of Object.entries(source.saladQueues)) {
      const connection = entry as Partial<SaladQueueConnection> | null;
      if (
        !connection ||
        !Number.isInteger(connection.port) ||
        (connection.port ?? 0) < 1 ||
        (connection.port ?? 0) > 65535
      ) {
        fail(`saladQueues.${name}.port must be an integer from 1 to 65535`);
      }
      if (typeof connection.path !== "string" || connection.path.length === 0)
        fail(`saladQueues.${name}.path must be a non-empty string`);
      if (connection.replicas !== undefined && !(Number.isInteger(connection.replicas) && connection.replicas > 0)) {
        fail(`saladQueues.${name}.replicas must be a positive integer`);
      }
      config.saladQueues[name] = connection as SaladQueueConnection;
    }
  }
  if (source.commonComputeExtensions !== undefined) {
    if (typeof source.commonComputeExtensions !== "boolean") fail("commonComputeExtensions must be true or false");
    config.commonComputeExtensions = source.commonComputeExtensions;
  }
  return config;
}
