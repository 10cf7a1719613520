// Bundles the CLI into one CommonJS file, dist/migrate.cjs, for bin/migrate.cjs to load, and the scan's helper
// thread into dist/scan-worker.cjs.
// One file instead of ~200 ES modules cuts start-up by a third (no per-module resolve, link and compile), and
// being CommonJS lets it `require` the TypeScript compiler through V8's code cache (src/core/code-cache.ts). Usage: node --import tsx scripts/bundle.ts
import { build, type Plugin } from "esbuild";
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
];

/**
 * `migrate executor` runs the runtime's CLI, which is in no registry: it is bundled from runtime/src into a file
 * of its own, dist/runtime-cli.cjs, loaded only by that command, so the packed tool depends on no unpublished
 * package and the CLI's start-up does not grow.
 */
const runtimeCli: Plugin = {
  name: "runtime-cli",
  setup(plugin) {
    plugin.onResolve({ filter: /^batch-migrate-runtime\/cli$/ }, () => ({ path: "./runtime-cli.cjs", external: true }));
    plugin.onResolve({ filter: /^batch-migrate-runtime(\/|$)/ }, (args) => ({
      errors: [{ text: `${args.path}: only batch-migrate-runtime/cli is bundled with the CLI` }],
    }));
  },
};

/**
 * string-width (two copies, under yargs and cliui) builds an Intl.Segmenter and Unicode-set regular expressions
 * when it loads: 26 of the 45 ms the bundle took to load. Each copy is loaded on its first call instead, and
 * printable ASCII, whose width is its length, never loads it: yargs lays out the whole --help text before every
 * command it runs (to have it ready for showHelp), and ours is all ASCII.
 */
const lazyStringWidth: Plugin = {
  name: "lazy-string-width",
  setup(plugin) {
    plugin.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData === "real") return undefined;
      const real = await plugin.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        pluginData: "real",
      });
      return { path: real.path, namespace: "lazy-string-width" };
    });
    plugin.onLoad({ filter: /.*/, namespace: "lazy-string-width" }, (args) => ({
      contents: [
        "let real;",
        "export default function stringWidth(text, options) {",
        "  if (/^[\\x20-\\x7e]*$/.test(text)) return text.length;",
        `  real ??= require(${JSON.stringify(args.path)}).default;`,
        "  return real(text, options);",
        "}",
        "",
      ].join("\n"),
      resolveDir: path.dirname(args.path),
    }));
  },
};

await build({
  entryPoints: {
    migrate: path.join(PROJECT, "src/cli.ts"),
    // the helper threads of a scan (src/core/scan-pool.ts)
    "scan-worker": path.join(PROJECT, "src/core/scan-worker.ts"),
    "runtime-cli": path.join(PROJECT, "runtime/src/cli.ts"),
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
  plugins: [lazyStringWidth, runtimeCli],
  logLevel: "warning",
});
