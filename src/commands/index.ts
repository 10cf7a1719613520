import apply from "./apply.js";
import type { Command } from "./command.js";
import scan from "./scan.js";

/** Every subcommand, one line each. */
export const COMMANDS: readonly Command[] = [apply, scan];
