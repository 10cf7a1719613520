import apply from "./apply.js";
import type { Command } from "./command.js";
import executor from "./executor.js";
import init from "./init.js";
import prices from "./prices.js";
import report from "./report.js";
import scan from "./scan.js";

/** Every subcommand, one line each. */
export const COMMANDS: readonly Command[] = [apply, executor, init, prices, report, scan];
