import type { ArgumentsCamelCase, Argv } from "yargs";
import type { CommandIO } from "./io.js";

/** The options every command accepts (declared once in cli.ts). */
export interface GlobalArgs {
  format?: string;
  output?: string;
  include?: string[];
  exclude?: string[];
}

/** One CLI subcommand: its yargs definition and a handler that returns the exit code. */
export interface Command {
  /** yargs command string, e.g. `scan [paths..]`. */
  command: string;
  describe: string;
  builder: (yargs: Argv) => Argv;
  run: (args: Record<string, unknown>, io: CommandIO) => Promise<number>;
}

/** Typed in the definition, erased in the registry: yargs' builder types do not survive a shared list. */
export function defineCommand<Args>(definition: {
  command: string;
  describe: string;
  builder: (yargs: Argv<GlobalArgs>) => Argv<Args>;
  run: (args: ArgumentsCamelCase<Args & GlobalArgs>, io: CommandIO) => Promise<number>;
}): Command {
  return definition as unknown as Command;
}
