import { existsSync, lstatSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import commonCompute from "./common-compute.js";
import salad from "./salad.js";
import type { DeployPlan, DeployTarget, DeployTargetId } from "./types.js";

export type * from "./types.js";
export { DEPLOY_TARGET_IDS } from "./types.js";

/** Every deployment target, one line each, sorted by id. */
export const DEPLOY_TARGETS: readonly DeployTarget[] = [commonCompute, salad];

export function deployTarget(id: DeployTargetId): DeployTarget {
  const target = DEPLOY_TARGETS.find((candidate) => candidate.id === id);
  if (!target) throw new Error(`no deployment target ${id}`);
  return target;
}

/** The folder a plan is written to: `migration/<target>/` under the scanned root. */
export function deploymentFolder(root: string, target: DeployTargetId): string {
  return path.join(root, "migration", target);
}

export interface WriteOutcome {
  written: string[];
  /** Files left alone because they exist and `force` was not given. */
  kept: string[];
  /** Paths under the root that are symlinks (the folder, a parent, the file): writing would follow them out. */
  linked: string[];
}

/** The first component of `relative` under `root` that is a symlink, if any (a checkout may commit one). */
function linkOnTheWay(root: string, relative: string): string | undefined {
  let current = root;
  for (const part of relative.split(path.sep)) {
    current = path.join(current, part);
    try {
      if (lstatSync(current).isSymbolicLink()) return path.relative(root, current).split(path.sep).join("/");
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * Writes a plan under `migration/<target>/`. An existing file is never overwritten without `force`; when any
 * would be, nothing is written and every such file is returned in `kept`, so a run never half-updates the folder.
 */
export async function writeDeployPlan(
  root: string,
  plan: DeployPlan,
  options: { force?: boolean } = {},
): Promise<WriteOutcome> {
  const folder = deploymentFolder(root, plan.target);
  const targets = plan.files.map((file) => ({ file, absolute: path.join(folder, ...file.path.split("/")) }));
  const linked = [
    ...new Set(
      targets
        .map((entry) => linkOnTheWay(root, path.relative(root, entry.absolute)))
        .filter((link): link is string => link !== undefined),
    ),
  ];
  if (linked.length > 0) return { written: [], kept: [], linked };
  const existing = targets
    .filter((entry) => existsSync(entry.absolute))
    .map((entry) => path.relative(root, entry.absolute).split(path.sep).join("/"));
  if (existing.length > 0 && !options.force) return { written: [], kept: existing, linked: [] };
  const written: string[] = [];
  for (const { file, absolute } of targets) {
    await mkdir(path.dirname(absolute), { recursive: true });
    // A fresh file ("wx"): what was there (checked above not to be a link) is replaced, never written through.
    await rm(absolute, { force: true });
    await writeFile(absolute, file.content, { flag: "wx", ...(file.path.endsWith(".sh") ? { mode: 0o755 } : {}) });
    written.push(path.relative(root, absolute).split(path.sep).join("/"));
  }
  return { written, kept: [], linked: [] };
}
