import type { Scanner } from "../core/scanner.js";
import cloudformation from "./cloudformation/index.js";
import javascript from "./javascript/index.js";
import jobDefinitionJson from "./job-definition-json/index.js";
import python from "./python/index.js";
import terraform from "./terraform/index.js";

/** Every scanner, one line each, sorted by id. */
export const SCANNERS: readonly Scanner[] = [cloudformation, javascript, jobDefinitionJson, python, terraform];
