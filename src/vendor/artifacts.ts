// The runtime's installable artifacts that ship inside the tool (dist/vendor/, built by scripts/build-vendor.ts):
// batch-migrate-runtime is in no registry, so migrated repositories and their images install these files.
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const VENDOR_FOLDER = "dist/vendor";
export const RUNTIME_PACKAGE = "batch-migrate-runtime";
export const RUNTIME_MODULE = "batch_migrate_runtime";

export interface RuntimeArtifacts {
  folder: string;
  /** The npm tarball, `batch-migrate-runtime-<v>.tgz`. */
  node?: string;
  /** The wheel, `batch_migrate_runtime-<v>-py3-none-any.whl`. */
  wheel?: string;
  /** The sdist, `batch_migrate_runtime-<v>.tar.gz`. */
  sdist?: string;
}

/** This tool's own folder: the nearest parent of this module with the tool's package.json (bundled or not). */
function toolRoot(): string {
  for (let directory = path.dirname(fileURLToPath(import.meta.url)); ; directory = path.dirname(directory)) {
    const manifest = path.join(directory, "package.json");
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "batch-migrate")
          return directory;
      } catch {
        // not ours; keep walking up
      }
    }
    if (path.dirname(directory) === directory) throw new Error("cannot find the batch-migrate package folder");
  }
}

/** The artifacts in this tool's dist/vendor/, or an error that says how to build them. */
export function runtimeArtifacts(folder = path.join(toolRoot(), VENDOR_FOLDER)): RuntimeArtifacts {
  const names = existsSync(folder) ? readdirSync(folder).sort() : [];
  const pick = (pattern: RegExp) => names.find((name) => pattern.test(name));
  const node = pick(/^batch-migrate-runtime-\d[\w.+-]*\.tgz$/);
  const wheel = pick(/^batch_migrate_runtime-\d[\w.+]*-py3-none-any\.whl$/);
  const sdist = pick(/^batch_migrate_runtime-\d[\w.+]*\.tar\.gz$/);
  return { folder, ...(node ? { node } : {}), ...(wheel ? { wheel } : {}), ...(sdist ? { sdist } : {}) };
}

export const MISSING_ARTIFACTS_HINT =
  "the tool's dist/vendor/ has no runtime artifacts: run `npm run build` in the batch-migrate checkout";

/**
 * Copies `names` from the artifacts folder into `<root>/<relFolder>/`, refusing a destination that resolves outside
 * `root` (a symlinked folder). Returns the POSIX paths written, relative to root; an identical file is left as is.
 */
export function copyArtifacts(
  artifacts: RuntimeArtifacts,
  names: readonly string[],
  root: string,
  relFolder: string,
): string[] {
  const realRoot = realpathSync(root);
  const destination = path.join(root, ...relFolder.split("/"));
  // Every existing component must stay inside the root: a symlink must not carry the copy elsewhere.
  for (let current = destination; current !== root && current.startsWith(root); current = path.dirname(current)) {
    if (!existsSync(current)) continue;
    if (lstatSync(current).isSymbolicLink())
      throw new Error(`${path.relative(root, current)} is a symbolic link; not writing the runtime through it`);
  }
  mkdirSync(destination, { recursive: true });
  const realDestination = realpathSync(destination);
  if (realDestination !== realRoot && !realDestination.startsWith(realRoot + path.sep))
    throw new Error(`${relFolder} resolves outside the repository; not written`);
  const written: string[] = [];
  for (const name of names) {
    const source = path.join(artifacts.folder, name);
    const target = path.join(destination, name);
    if (existsSync(target) && lstatSync(target).isFile() && readFileSync(target).equals(readFileSync(source))) continue;
    if (existsSync(target) && lstatSync(target).isSymbolicLink())
      throw new Error(`${relFolder}/${name} is a symbolic link; not written`);
    copyFileSync(source, target);
    written.push(`${relFolder}/${name}`);
  }
  return written;
}
