// The CommonJS build, dist/cjs/: every module of src/ as its own CommonJS file (so classes keep one identity
// across entry points), beside copies of the ES build's declarations, which TypeScript reads as CommonJS there
// (dist/cjs/package.json says so). Run after `tsc -p runtime`, which writes dist/ and its .d.ts files.
import { build } from "esbuild";
import { appendFileSync, copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

const RUNTIME = path.resolve(import.meta.dirname, "..");
const SOURCE = path.join(RUNTIME, "src");
const ESM = path.join(RUNTIME, "dist");
const CJS = path.join(ESM, "cjs");

function walk(directory, keep) {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return full === CJS ? [] : walk(full, keep);
    return keep(entry.name) ? [full] : [];
  });
}

rmSync(CJS, { recursive: true, force: true });
await build({
  entryPoints: walk(SOURCE, (name) => name.endsWith(".ts") && !name.endsWith(".d.ts")),
  outbase: SOURCE,
  outdir: CJS,
  bundle: false,
  platform: "node",
  target: "node20",
  format: "cjs",
  define: { "import.meta.url": "__moduleUrl" },
  banner: { js: '"use strict"; const __moduleUrl = require("node:url").pathToFileURL(__filename).href;' },
  logLevel: "warning",
});
// `require("aws-sdk/clients/batch")` is the Batch class itself, so `require("batch-migrate-runtime/aws-sdk-v2")`
// is too (with every named export on it as well: `.Batch`, `.default`, `.ConfigurationError`…).
appendFileSync(
  path.join(CJS, "shim/aws-sdk-v2.js"),
  [
    "{",
    "  const namespace = module.exports;",
    "  const Batch = namespace.Batch;",
    "  for (const key of Object.keys(namespace))",
    "    if (!Object.prototype.hasOwnProperty.call(Batch, key))",
    "      Object.defineProperty(Batch, key, { enumerable: true, get: () => namespace[key] });",
    "  module.exports = Batch;",
    "}",
    "",
  ].join("\n"),
);
writeFileSync(path.join(CJS, "package.json"), `${JSON.stringify({ type: "commonjs" }, null, 2)}\n`);
for (const declaration of walk(ESM, (name) => name.endsWith(".d.ts"))) {
  const target = path.join(CJS, path.relative(ESM, declaration));
  mkdirSync(path.dirname(target), { recursive: true });
  copyFileSync(declaration, target);
}
