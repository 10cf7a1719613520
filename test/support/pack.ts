// Packs this checkout's packages as `npm pack` does, and installs tarballs into empty folders offline (the npm
// cache already holds every dependency), for the tests that use them as a user would.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const NPM_ENV: NodeJS.ProcessEnv = {
  ...Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(npm_|NODE_PATH$|NODE_OPTIONS$|BATCH_MIGRATE_)/i.test(key)),
  ),
  npm_config_audit: "false",
  npm_config_fund: "false",
  npm_config_update_notifier: "false",
};

export function temporary(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** `npm pack` of `folder` (built already: the test does not rebuild) into `destination`; the tarball's path. */
export function npmPack(folder: string, destination: string, built: string): string {
  if (!existsSync(path.join(folder, built)))
    throw new Error(`${path.join(folder, built)} is missing: run \`npm run build\` first`);
  const output = execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", destination], {
    cwd: folder,
    env: NPM_ENV,
    encoding: "utf8",
    timeout: 60_000,
  });
  const [{ filename }] = JSON.parse(output) as [{ filename: string }];
  return path.join(destination, filename);
}

/** An empty project that depends on `tarball` only, installed without the network. */
export function installIntoEmptyProject(tarball: string, extra: string[] = []): string {
  const project = temporary("bm-consumer-");
  mkdirSync(project, { recursive: true });
  writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "consumer", private: true }));
  execFileSync("npm", ["install", "--offline", "--ignore-scripts", "--no-package-lock", tarball, ...extra], {
    cwd: project,
    env: NPM_ENV,
    encoding: "utf8",
    timeout: 120_000,
  });
  return project;
}
