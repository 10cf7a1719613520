import path from "node:path";
import { UsageError } from "../core/errors.js";
import { deployTarget, writeDeployPlan } from "./index.js";
import { DEPLOY_TARGET_IDS, type DeployInput, type DeployPlan, type DeployTargetId } from "./types.js";

export { DEPLOY_TARGET_IDS };

/**
 * The `--target` part of `migrate init`: generates `migration/<target>/` from the scan and writes it under
 * `folder`, and returns the plan. Refuses, writing nothing, when any of its files exists and `force` is not set.
 */
export async function writeDeploymentPart(
  scan: DeployInput,
  folder: string,
  target: DeployTargetId,
  options: { force: boolean; cwd: string; log: (line: string) => void },
): Promise<DeployPlan> {
  const plan = deployTarget(target).generate(scan);
  const outcome = await writeDeployPlan(folder, plan, { force: options.force });
  const shown = (file: string) => path.relative(options.cwd, path.join(folder, file)) || file;
  if (outcome.linked.length > 0) {
    throw new UsageError(
      `${outcome.linked.map(shown).join(", ")} ${outcome.linked.length === 1 ? "is a symlink" : "are symlinks"}; nothing was written to migration/${target}/, since writing would follow ${outcome.linked.length === 1 ? "it" : "them"} out of the repository`,
      "remove the link, or generate the files in a checkout without it",
    );
  }
  if (outcome.kept.length > 0) {
    throw new UsageError(
      `${outcome.kept.map(shown).join(", ")} already exist${outcome.kept.length === 1 ? "s" : ""}; nothing was written to migration/${target}/`,
      "review them, or pass --force to overwrite them",
    );
  }
  options.log(
    `wrote ${shown(`migration/${target}`)}/: ${outcome.written.length} files, ${plan.gaps.length} gaps, ${plan.decisions.length} decisions to make (see its README.md)`,
  );
  return plan;
}
