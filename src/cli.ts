import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { isMigrateError } from "./core/errors.js";
import { processIO, type CommandIO } from "./commands/io.js";
import { runScanCommand } from "./commands/scan.js";
import { TOOL_VERSION } from "./core/version.js";

const CATEGORIES = ["mandatory", "optional", "potential"] as const;
const ISSUES_URL = "https://github.com/batch-migrate/batch-migrate/issues/new";

/** Parses argv, runs one command, and returns its exit code. The only place that knows about argv. */
export async function main(argv: string[], io: CommandIO = processIO()): Promise<number> {
  let exitCode = 0;
  const parser = yargs(argv)
    .scriptName("migrate")
    .usage("$0 <command> [options]")
    .version(TOOL_VERSION)
    .strict()
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .option("format", { alias: "f", type: "string", describe: "Output format" })
    .option("output", { alias: "o", type: "string", describe: "Write the output to a file" })
    .option("include", { type: "array", string: true, describe: "Only scan paths matching these globs" })
    .option("exclude", { type: "array", string: true, describe: "Skip paths matching these globs" })
    .command(
      "scan [paths..]",
      "Find every AWS Batch use: SDK calls, job definitions, queues, compute environments",
      (y) =>
        y
          .positional("paths", { type: "string", array: true, default: [] as string[], describe: "Folders or files (default: .)" })
          .option("fail-on", { choices: CATEGORIES, describe: "Exit 1 when a finding is at or above this category" })
          .option("max-file-size", { type: "number", describe: "Skip files larger than this many bytes", default: 5_000_000 })
          .example("$0 scan", "scan the working directory, a table on a terminal")
          .example("$0 scan services/ --format json -o scan.json", "write the JSON report")
          .example("$0 scan --fail-on mandatory", "fail a CI job while Batch calls remain"),
      async (args) => {
        const result = await runScanCommand(
          {
            paths: args.paths ?? [],
            ...(args.format ? { format: args.format } : {}),
            ...(args.output ? { output: args.output } : {}),
            ...(args.include ? { include: args.include } : {}),
            ...(args.exclude ? { exclude: args.exclude } : {}),
            ...(args.failOn ? { failOn: args.failOn } : {}),
            maxFileSize: args.maxFileSize,
          },
          io,
        );
        exitCode = result.exitCode;
      },
    )
    .demandCommand(1, "Name a command: migrate scan")
    .fail((message, error) => {
      throw error ?? new UsageFailure(message);
    })
    .help();

  try {
    await parser.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof UsageFailure) {
      io.stderr.write(`error: ${error.message}\nRun \`migrate --help\` for usage.\n`);
      return 2;
    }
    if (isMigrateError(error)) {
      io.stderr.write(`error: ${error.message}\n${error.hint ? `hint: ${error.hint}\n` : ""}`);
      return error.exitCode;
    }
    io.stderr.write(
      `internal error: ${(error as Error)?.stack ?? String(error)}\nThis is a bug in batch-migrate ${TOOL_VERSION}; please report it at ${ISSUES_URL}\n`,
    );
    return 3;
  }
}

class UsageFailure extends Error {}

export function run(): void {
  main(hideBin(process.argv)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`internal error: ${String(error)}\n`);
      process.exitCode = 3;
    },
  );
}
