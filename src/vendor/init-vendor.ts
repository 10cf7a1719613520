// `init --target` copies the runtime's artifacts into migration/<target>/vendor/, where the generated Dockerfiles
// COPY them from (a second build context), so building an image needs no registry for our package.
import { UsageError } from "../core/errors.js";
import { copyArtifacts, MISSING_ARTIFACTS_HINT, runtimeArtifacts, type RuntimeArtifacts } from "./artifacts.js";

/** Copies the npm tarball, the wheel and the sdist; returns their names. */
export function vendorRuntime(
  root: string,
  target: string,
  artifacts: RuntimeArtifacts = runtimeArtifacts(),
): string[] {
  const names = [artifacts.node, artifacts.wheel, artifacts.sdist].filter((name): name is string => !!name);
  if (names.length < 3) throw new UsageError("the runtime's artifacts are missing", MISSING_ARTIFACTS_HINT);
  try {
    copyArtifacts(artifacts, names, root, `migration/${target}/vendor`);
  } catch (error) {
    throw new UsageError(
      `cannot vendor the runtime: ${(error as Error).message}`,
      "remove the link and run init again",
    );
  }
  return names;
}
