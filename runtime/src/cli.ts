import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { isLoopback, startExecutor, type ExecutorConfig } from "./executor/index.js";
import { parseExecutorConfig } from "./executor/config.js";
import { runWrapCommand } from "./wrap/index.js";

const USAGE = `usage: batch-migrate-runtime executor [--port N] [--host ADDRESS] [--allow-remote] [--state-dir DIR]
                                      [--api-key KEY] [--max-parallel N] [--kill-grace-ms MS] [--max-log-bytes N]
                                      [--config migrate.config.json] [--cc-extensions] [--admin-settle-ms MS]

Starts the local executor: the Common Compute, SaladCloud Job Queue and AWS Batch APIs on one job model.
The key comes from --api-key, else MIGRATE_EXECUTOR_KEY, else a new one is generated and printed.
It is a local test tool: anyone with the key runs any command as your user (there is no command allowlist).
Binding anything but 127.0.0.1 needs --host and an API key; an address beyond loopback also --allow-remote.
--cc-extensions also serves the assumed Common Compute API the Batch shim uses (POST/GET /v1/jobs, /v1/me/logs,
upload URLs, extra job fields), which the real Common Compute backend does not have.
--admin-settle-ms keeps new, updated and deleted compute environments and queues CREATING / UPDATING / DELETING
that long before VALID (or gone), as AWS shows them while it provisions; 0 (the default) settles at once.`;

export { StorageError } from "./executor/store.js";

/** Thrown for bad command lines; the bin prints the message and the usage and exits 2. */
export class UsageError extends Error {}

function positiveInteger(value: string | undefined, flag: string, allowZero = false): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < (allowZero ? 0 : 1))
    throw new UsageError(`${flag} must be a ${allowZero ? "non-negative" : "positive"} integer`);
  return number;
}

function readConfig(file: string): ExecutorConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const source = (raw as { executor?: unknown }).executor ?? raw;
  try {
    const config = parseExecutorConfig(source);
    // Commands in the config are written relative to the file, as the analyzer writes it at the repo root.
    const directory = path.dirname(path.resolve(file));
    for (const workload of Object.values(config.workloads ?? {}))
      workload.cwd = path.resolve(directory, workload.cwd ?? ".");
    return config;
  } catch (error) {
    throw new UsageError(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function withExtensions(config: ExecutorConfig | undefined, flag: boolean | undefined): ExecutorConfig | undefined {
  return flag ? { ...config, commonComputeExtensions: true } : config;
}

function parseOptions(args: string[]) {
  try {
    return parseArgs({
      args,
      options: {
        port: { type: "string" },
        host: { type: "string" },
        "allow-remote": { type: "boolean" },
        "state-dir": { type: "string" },
        "api-key": { type: "string" },
        "max-parallel": { type: "string" },
        "kill-grace-ms": { type: "string" },
        "max-log-bytes": { type: "string" },
        config: { type: "string" },
        "cc-extensions": { type: "boolean" },
        "admin-settle-ms": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** Runs one subcommand; resolves to the exit code once the executor has shut down. */
export async function main(argv: string[], print: (line: string) => void): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h") {
    print(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === "wrap") return runWrapCommand(rest, print, (message) => new UsageError(message));
  if (command !== "executor") throw new UsageError(`unknown command ${command}`);
  const { values } = parseOptions(rest);
  if (values.help) {
    print(USAGE);
    return 0;
  }
  const apiKey = values["api-key"] ?? process.env.MIGRATE_EXECUTOR_KEY;
  if (values.host && values.host !== "127.0.0.1" && !apiKey) {
    throw new UsageError(
      `--host ${values.host} makes the executor reachable from other machines: give --api-key (or MIGRATE_EXECUTOR_KEY) too`,
    );
  }
  if (values.host && !isLoopback(values.host) && !values["allow-remote"]) {
    throw new UsageError(
      `--host ${values.host} lets other machines run commands as you (the executor has no command allowlist): add --allow-remote only on a network you trust`,
    );
  }
  const executor = await startExecutor({
    port: positiveInteger(values.port, "--port", true) ?? 0,
    host: values.host,
    allowRemote: !!values["allow-remote"],
    stateDir: values["state-dir"],
    apiKey,
    maxParallel: positiveInteger(values["max-parallel"], "--max-parallel"),
    killGraceMs: positiveInteger(values["kill-grace-ms"], "--kill-grace-ms", true),
    maxLogBytes: positiveInteger(values["max-log-bytes"], "--max-log-bytes"),
    adminSettleMs: positiveInteger(values["admin-settle-ms"], "--admin-settle-ms", true),
    config: withExtensions(values.config ? readConfig(values.config) : undefined, values["cc-extensions"]),
  });
  print(`executor listening on ${executor.url}`);
  print(`api key: ${executor.apiKey}`);
  print(`state: ${executor.stateDir}`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  print("executor shutting down");
  await executor.close();
  return 0;
}
