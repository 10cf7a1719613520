// Bundles the CLI into one CommonJS file, dist/migrate.cjs, for bin/migrate.js to load, and the scan's reader
// thread into dist/read-worker.cjs.
// One file instead of ~200 ES modules cuts start-up by a third (no per-module resolve, link and compile), and
// being CommonJS lets v8-compile-cache keep V8's compiled code between runs, for this file and for the heavy
// parsers it requires lazily (the TypeScript compiler above all). Usage: node --import tsx scripts/bundle.ts
import { build } from "esbuild";
import path from "node:path";

const PROJECT = path.resolve(import.meta.dirname, "..");

/**
 * Loaded on demand and large, or native, or a package of its own: required from node_modules at run time, so
 * they stay out of the start-up path and share the compile cache.
 */
const EXTERNAL = [
  "yaml",
  "ajv",
  "typescript",
  "ts-morph",
  "jscodeshift",
  "tree-sitter",
  "tree-sitter-python",
  "@cdktf/hcl2json",
  "batch-migrate-runtime",
  "batch-migrate-runtime/*",
];

await build({
  entryPoints: {
    migrate: path.join(PROJECT, "src/cli.ts"),
    // the reader threads of a scan (src/core/read-pool.ts)
    "read-worker": path.join(PROJECT, "src/core/read-worker.ts"),
  },
  outdir: path.join(PROJECT, "dist"),
  outExtension: { ".js": ".cjs" },
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  external: EXTERNAL,
  // The sources are ES modules that find their data files relative to import.meta.url.
  define: { "import.meta.url": "__bundleUrl" },
  banner: { js: 'const __bundleUrl = require("node:url").pathToFileURL(__filename).href;' },
  sourcemap: true,
  legalComments: "linked",
  logLevel: "warning",
});
