// The cut-over is one line: `"target"` in the root migrate.config.json, which the shims read (the nearest file
// from the working directory up). Without it they pass every call to the real AWS SDK.
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { UsageError } from "../core/errors.js";
import type { DeployTargetId } from "./types.js";

export const SHIM_CONFIG_FILE = "migrate.config.json";

export interface CutOver {
  file: string;
  /** The target the file named before, if any. */
  previous?: string;
  created: boolean;
}

function parseObject(text: string, file: string): Record<string, unknown> {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not valid JSON: ${(error as Error).message}`, "fix it, then run init again");
  }
  if (typeof document !== "object" || document === null || Array.isArray(document))
    throw new UsageError(`${file} must hold a JSON object at the top level`, "fix it, then run init again");
  return document as Record<string, unknown>;
}

/**
 * Writes `"target": target` into `<root>/migrate.config.json`, keeping everything else in it. A `shim.target`
 * (which the shims read first) is set to the same value, so the file never names two targets.
 */
export async function writeShimTarget(root: string, target: DeployTargetId): Promise<CutOver> {
  const file = path.join(root, SHIM_CONFIG_FILE);
  const created = !existsSync(file);
  const document = created ? {} : parseObject(await readFile(file, "utf8"), file);
  const shim = document.shim;
  const shimSection =
    typeof shim === "object" && shim !== null && !Array.isArray(shim) ? (shim as Record<string, unknown>) : undefined;
  const previous = (shimSection?.target ?? document.target) as string | undefined;
  if (shimSection && "target" in shimSection) shimSection.target = target;
  const updated = { target, ...Object.fromEntries(Object.entries(document).filter(([key]) => key !== "target")) };
  await writeFile(file, `${JSON.stringify(updated, null, 2)}\n`);
  return { file, created, ...(typeof previous === "string" ? { previous } : {}) };
}
