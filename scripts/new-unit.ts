// Scaffolds a new extension unit: the unit's file, its registry line, a fixture case and its docs row.
// Usage: npm run new -- scanner <id> --ext <extension>
//        npm run new -- transform <id> --lang python|javascript --to shim|native
//        npm run new -- format <id>
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

const ROOT = path.resolve(import.meta.dirname, "..");

function camelCase(id: string): string {
  return id.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function write(relPath: string, text: string): void {
  const file = path.join(ROOT, relPath);
  if (existsSync(file)) throw new Error(`${relPath} already exists`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  console.log(`created ${relPath}`);
}

/** Adds `import name from "spec"` and `name` to the registry's one list, both kept sorted. */
function register(relPath: string, name: string, spec: string, list: RegExp): void {
  const file = path.join(ROOT, relPath);
  const lines = readFileSync(file, "utf8").split("\n");
  const imports = lines.filter((line) => /^import \w+ from "\.\//.test(line));
  const lastImport = lines.lastIndexOf(imports.at(-1)!);
  lines.splice(lastImport + 1, 0, `import ${name} from "${spec}";`);
  const sortedImports = lines.filter((line) => /^import \w+ from "\.\//.test(line)).sort();
  let next = 0;
  const withSorted = lines.map((line) => (/^import \w+ from "\.\//.test(line) ? sortedImports[next++]! : line));
  const text = withSorted.join("\n").replace(list, (_match, open: string, items: string, close: string) => {
    const names = [
      ...items
        .split(",")
        .map((item) => item.trim())
        .filter(Boolean),
      name,
    ].sort();
    return `${open}${names.join(", ")}${close}`;
  });
  writeFileSync(file, text);
  console.log(`registered ${name} in ${relPath}`);
}

function scanner(id: string, ext: string): void {
  write(
    `src/scanners/${id}/index.ts`,
    `// <link to the format's documentation>
import { defineScanner } from "../../core/scanner.js";

export default defineScanner({
  id: "${id}",
  description: "<what it finds, in one line>",
  accepts: (file) => file.endsWith(".${ext}"),
  prefilter: (text) => text.includes("<a string every relevant file contains>"),
  async scan({ files }) {
    // Parse lazily (await import(...)) so trees without these files never load the parser.
    return { findings: files.flatMap(() => []) };
  },
});
`,
  );
  register(
    "src/scanners/index.ts",
    camelCase(id),
    `./${id}/index.js`,
    /(SCANNERS: readonly Scanner\[\] = \[)([^\]]*)(\])/,
  );
  write(`fixtures/scanners/${id}/empty.${ext}`, "");
  const docs = path.join(ROOT, "docs/scanners.md");
  writeFileSync(
    docs,
    `${readFileSync(docs, "utf8").trimEnd()}\n\n## ${id}\n\n<What it reads, its prefilter, what it finds.>\n`,
  );
  console.log(
    "added a section to docs/scanners.md; run `npx vitest run test/scanners.test.ts -u` once the cases are in",
  );
}

function transform(id: string, language: string, to: string): void {
  const ext = language === "python" ? "py" : "ts";
  write(
    `transforms/${id}.ts`,
    `// <one line: what it rewrites, and the runtime module it targets>
import { defineTransform } from "../src/apply/transform.js";

export default defineTransform({
  id: "${id}",
  language: "${language}",
  to: "${to}",
  description: "<one line for migrate apply --list and TRANSFORMS.md>",
  safety: "review",
  prefilter: (text) => text.includes("<a string every file it rewrites contains>"),
  // Return { kind: "changed", code, warnings } | { kind: "unchanged" } | { kind: "skipped", reason }.
  apply: () => ({ kind: "unchanged" }),
});
`,
  );
  register("transforms/index.ts", camelCase(id), `./${id}.js`, /(TRANSFORMS: readonly Transform\[\] = \[)([^\]]*)(\])/);
  write(`fixtures/transforms/${id}/no-batch-client-no-op.input.${ext}`, "");
  write(`fixtures/transforms/${id}/no-batch-client-no-op.output.${ext}`, "");
  const docs = path.join(ROOT, "TRANSFORMS.md");
  writeFileSync(
    docs,
    `${readFileSync(docs, "utf8").trimEnd()}\n| \`${id}\` | ${language} | ${to} | review | <description> |\n`,
  );
  console.log("added a row to TRANSFORMS.md; add input/output cases under fixtures/transforms/" + id);
}

function format(id: string): void {
  write(
    `src/report/formats/${id}.ts`,
    `import type { Report } from "../model.js";

/** <what this format is for> */
export default function render${camelCase(`-${id}`)}(report: Report): string {
  return \`\${JSON.stringify({ findings: report.findings.length })}\\n\`;
}
`,
  );
  register("src/report/formats/index.ts", camelCase(id), `./${id}.js`, /(FORMATS = \{)([^}]*)(\})/);
  console.log("add a golden case to test/report.test.ts's formats and a section to docs/report.md");
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    lang: { type: "string", default: "python" },
    to: { type: "string", default: "shim" },
    ext: { type: "string", default: "txt" },
  },
});
const [kind, id] = positionals;
if (!kind || !id || !/^[a-z][a-z0-9-]*$/.test(id)) {
  console.error(
    "usage: npm run new -- scanner|transform|format <kebab-id> [--ext yaml] [--lang python|javascript] [--to shim|native]",
  );
  process.exitCode = 2;
} else if (kind === "scanner") scanner(id, values.ext!);
else if (kind === "transform") transform(id, values.lang!, values.to!);
else if (kind === "format") format(id);
else {
  console.error(`unknown unit kind ${kind}: scanner, transform or format`);
  process.exitCode = 2;
}
