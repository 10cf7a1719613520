// Packs the runtime the way migrated code installs it, into dist/vendor/ of the tool: the npm tarball of
// runtime/ and the Python wheel and sdist of runtime/python (built by its own stdlib backend). `apply --write`
// and `init --target` copy them into the user's repository, so nothing needs a registry that lacks them.
// Usage: node --import tsx scripts/build-vendor.ts (after `tsc -p runtime`; part of `npm run build`).
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { VENDOR_FOLDER } from "../src/vendor/artifacts.js";

const PROJECT = path.resolve(import.meta.dirname, "..");
const out = path.join(PROJECT, VENDOR_FOLDER);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("npm_")));
execFileSync("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", out], {
  cwd: path.join(PROJECT, "runtime"),
  env,
  stdio: ["ignore", "ignore", "inherit"],
});
const backend = path.join(PROJECT, "runtime/python/_build");
try {
  execFileSync(
    process.env.PYTHON ?? "python3",
    [
      "-c",
      "import sys; sys.path.insert(0, sys.argv[1]); import batch_migrate_build as b; b.build_wheel(sys.argv[2]); b.build_sdist(sys.argv[2])",
      backend,
      out,
    ],
    {
      env: { ...env, SOURCE_DATE_EPOCH: env.SOURCE_DATE_EPOCH ?? "1767225600" },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
} catch (error) {
  console.warn(`build-vendor: no Python wheel (python3 failed: ${(error as Error).message.split("\n")[0]})`);
}
console.log(`build-vendor: ${readdirSync(out).sort().join(", ")}`);
