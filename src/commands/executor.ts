import { InputError, UsageError } from "../core/errors.js";
import { defineCommand } from "./command.js";

/** `migrate executor` is the runtime package's own command, so both start the same server the same way. */
export default defineCommand({
  command: "executor",
  describe:
    "Start the local executor: Common Compute, SaladCloud and AWS Batch job APIs on 127.0.0.1, jobs as local processes",
  builder: (y) =>
    y
      .option("port", { type: "number", describe: "Port (0 picks a free one)", default: 0 })
      .option("host", { type: "string", describe: "Address to bind; anything but 127.0.0.1 needs an API key" })
      .option("state-dir", {
        type: "string",
        describe: "Where jobs, queues and logs are kept",
        default: ".migrate/executor",
      })
      .option("api-key", {
        type: "string",
        describe: "Key clients must send (else MIGRATE_EXECUTOR_KEY, else generated)",
      })
      .option("max-parallel", { type: "number", describe: "Jobs running at once" })
      .option("kill-grace-ms", {
        type: "number",
        describe: "Between SIGTERM and SIGKILL for timed-out or terminated jobs",
      })
      .option("max-log-bytes", { type: "number", describe: "Log bytes kept per attempt (older output rotates out)" })
      .option("config", { type: "string", describe: "migrate.config.json with workloads and queue connections" })
      .option("cc-extensions", {
        type: "boolean",
        describe: "Also serve the assumed Common Compute job API the Batch shim uses (not on the real service)",
      })
      .option("admin-settle-ms", {
        type: "number",
        describe: "How long new or deleted compute environments and queues stay CREATING / DELETING (default 0)",
      })
      .example("$0 executor --port 8900 --config migrate.config.json", "run migrated code's jobs locally"),
  run: async (args, io) => {
    const { main, StorageError, UsageError: RuntimeUsageError } = await import("batch-migrate-runtime/cli");
    const argv = ["executor"];
    const pass = (flag: string, value: string | number | undefined) =>
      value !== undefined && argv.push(`--${flag}`, String(value));
    pass("port", args.port);
    pass("host", args.host);
    pass("state-dir", args.stateDir);
    pass("api-key", args.apiKey);
    pass("max-parallel", args.maxParallel);
    pass("kill-grace-ms", args.killGraceMs);
    pass("max-log-bytes", args.maxLogBytes);
    pass("config", args.config);
    pass("admin-settle-ms", args.adminSettleMs);
    if (args.ccExtensions) argv.push("--cc-extensions");
    try {
      return await main(argv, (line: string) => io.stdout.write(`${line}\n`));
    } catch (error) {
      if (error instanceof RuntimeUsageError)
        throw new UsageError(error.message, "migrate executor --help lists the options");
      if (error instanceof StorageError)
        throw new InputError(error.message, "give --state-dir a writable folder with free space");
      throw error;
    }
  },
});
