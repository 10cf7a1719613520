import { parseArgs } from "node:util";
import { startWrapper, type RunningWrapper, type WrapperOptions } from "./server.js";

export { JobInputError, prepareRun, type PreparedRun, type WrappedCommand } from "./job-input.js";
export {
  startWrapper,
  OUTPUT_PATH_VARIABLE,
  type RunReport,
  type RunningWrapper,
  type WrapperOptions,
} from "./server.js";

export const WRAP_USAGE = `usage: batch-migrate-runtime wrap [--port 8080] [--path /process] [--host 127.0.0.1] [--health-path /health]
                                  [--max-concurrent 1] [--param name=value]… [--timeout SECONDS] [--job-queue NAME]
                                  [--compute-environment NAME] [--output-file PATH] [--tail-bytes N] -- <command…>

Runs an AWS Batch container's command under SaladCloud's queue worker: each job POSTed to --path runs the
command once (never through a shell) with Ref:: parameters substituted and the AWS_BATCH_* variables set.
200 with {exitCode, durationMs, stdoutTail, stderrTail, output} on exit 0; 500 otherwise, so the queue retries,
except when AWS would not retry (the input's maxAttempts reached, or a timeout): 200 with lastAttempt: true.
The command is always the one after --: a job's input sets only parameters, environment (not PATH, LD_*,
NODE_OPTIONS, PYTHONPATH or other variables that choose the program), attempt and array position. It listens on
127.0.0.1 (the worker runs in the same container) and checks no key: give --host only inside a closed network.`;

function integer(
  value: string | undefined,
  flag: string,
  minimum: number,
  fail: (message: string) => Error,
): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < minimum) throw fail(`${flag} must be an integer ≥ ${minimum}`);
  return number;
}

/** Parses `wrap`'s arguments (everything after the subcommand) into wrapper options; `fail` makes the usage error. */
export function parseWrapArguments(args: string[], fail: (message: string) => Error): WrapperOptions | "help" {
  const separator = args.indexOf("--");
  const flags = separator < 0 ? args : args.slice(0, separator);
  const command = separator < 0 ? [] : args.slice(separator + 1);
  const { values } = parseArgs({
    args: flags,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "max-concurrent": { type: "string" },
      path: { type: "string" },
      "health-path": { type: "string" },
      param: { type: "string", multiple: true },
      timeout: { type: "string" },
      "job-queue": { type: "string" },
      "compute-environment": { type: "string" },
      "output-file": { type: "string" },
      "tail-bytes": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) return "help";
  if (command.length === 0)
    throw fail("give the command to run after --, e.g. wrap --port 8080 --path /process -- python3 job.py Ref::input");
  const parameters: Record<string, string> = {};
  for (const pair of values.param ?? []) {
    const equals = pair.indexOf("=");
    if (equals <= 0) throw fail(`--param takes name=value, not ${JSON.stringify(pair)}`);
    parameters[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  const timeoutSeconds = integer(values.timeout, "--timeout", 1, fail);
  const tailBytes = integer(values["tail-bytes"], "--tail-bytes", 0, fail);
  const maxConcurrent = integer(values["max-concurrent"], "--max-concurrent", 1, fail);
  return {
    port: integer(values.port, "--port", 0, fail) ?? 8080,
    ...(values.host ? { host: values.host } : {}),
    ...(maxConcurrent !== undefined ? { maxConcurrent } : {}),
    path: values.path ?? "/process",
    ...(values["health-path"] ? { healthPath: values["health-path"] } : {}),
    command,
    parameters,
    ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
    ...(values["job-queue"] ? { jobQueue: values["job-queue"] } : {}),
    ...(values["compute-environment"] ? { computeEnvironment: values["compute-environment"] } : {}),
    ...(values["output-file"] ? { outputFile: values["output-file"] } : {}),
    ...(tailBytes !== undefined ? { tailBytes } : {}),
  };
}

/** The `wrap` subcommand: serves until SIGINT/SIGTERM, then resolves to the exit code. */
export async function runWrapCommand(
  args: string[],
  print: (line: string) => void,
  fail: (message: string) => Error,
): Promise<number> {
  const options = parseWrapArguments(args, fail);
  if (options === "help") {
    print(WRAP_USAGE);
    return 0;
  }
  const wrapper: RunningWrapper = await startWrapper(options);
  const host = new URL(wrapper.url).hostname;
  if (host !== "127.0.0.1" && host !== "[::1]" && host !== "localhost") {
    process.stderr.write(
      `wrap: listening on ${host}: anyone who reaches this port runs the command (the wrapper checks no key)\n`,
    );
  }
  print(`wrap: serving POST ${options.path} on ${wrapper.url}; running ${options.command.join(" ")}`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await wrapper.close();
  return 0;
}
