import type { Scanner } from "../core/scanner.js";
import javascript from "./javascript/index.js";
import python from "./python/index.js";

/** Every scanner, one line each, sorted by id. */
export const SCANNERS: readonly Scanner[] = [javascript, python];
