import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { isMigrateError } from "./core/errors.js";
import { processIO, type CommandIO } from "./commands/io.js";
import { COMMANDS } from "./commands/index.js";
import { TOOL_VERSION } from "./core/version.js";

const ISSUES_URL = "https://github.com/batch-migrate/batch-migrate/issues/new";

class UsageFailure extends Error {}

/** Parses argv, runs one command, and returns its exit code. The only place that knows about argv. */
export async function main(argv: string[], io: CommandIO = processIO()): Promise<number> {
  let exitCode = 0;
  let parser = yargs(argv)
    .scriptName("migrate")
    .usage("$0 <command> [options]")
    .version(TOOL_VERSION)
    .strict()
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .option("format", { alias: "f", type: "string", describe: "Output format" })
    .option("output", { alias: "o", type: "string", describe: "Write the output to a file" })
    .option("include", { type: "array", string: true, describe: "Only scan paths matching these globs" })
    .option("exclude", { type: "array", string: true, describe: "Skip paths matching these globs" });
  for (const command of COMMANDS) {
    parser = parser.command(command.command, command.describe, command.builder, async (args) => {
      exitCode = await command.run(args, io);
    });
  }
  parser = parser
    .demandCommand(1, "Name a command, e.g. migrate scan")
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

export function run(): void {
  // `migrate scan | head` closes the pipe early; that is the reader being done, not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
      process.exit(process.exitCode ?? 0);
    });
  }
  main(hideBin(process.argv)).then(
    (code) => {
      process.exitCode = code;
      // Every command has finished its work by now. Exiting once the output is flushed spares the 10–30 ms Node
      // spends tearing down a heap that held the TypeScript compiler and idle helper threads.
      process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
    },
    (error: unknown) => {
      process.stderr.write(`internal error: ${String(error)}\n`);
      process.exitCode = 3;
    },
  );
}
