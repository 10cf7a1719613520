// Loads what a rewritten JS/TS file takes from batch-migrate-runtime, for real: the packed runtime is installed in a
// scratch project, each file's runtime imports are replayed there (ESM or CommonJS, as the file is), and TypeScript
// files are type-checked with their repository's own compiler options against the original's diagnostics.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { moduleSpecifiers } from "../../src/apply/javascript/batch-imports.js";
import { parseJs, type JsNode } from "../../src/apply/javascript/syntax.js";

const RUNTIME_PREFIX = "batch-migrate-runtime";

/** A scratch project with the packed runtime and the real AWS SDKs, rebuilt when the runtime's dist changes. */
export function prepareScratch(projectRoot: string, base: string): string {
  const runtimeDir = path.join(projectRoot, "runtime");
  const hash = createHash("sha256");
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else hash.update(name).update(readFileSync(file));
    }
  };
  walk(path.join(runtimeDir, "dist"));
  hash.update(readFileSync(path.join(runtimeDir, "package.json")));
  const scratch = path.join(base, `scratch-${hash.digest("hex").slice(0, 12)}`);
  if (existsSync(path.join(scratch, "node_modules", RUNTIME_PREFIX, "package.json"))) return scratch;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const packed = execFileSync("npm", ["pack", "--silent", "--pack-destination", scratch], {
    cwd: runtimeDir,
    encoding: "utf8",
  })
    .trim()
    .split("\n")
    .pop()!;
  writeFileSync(path.join(scratch, "package.json"), JSON.stringify({ name: "eval-apply-scratch", private: true }));
  execFileSync(
    "npm",
    [
      "install",
      "--silent",
      "--no-audit",
      "--no-fund",
      path.join(scratch, packed),
      "@aws-sdk/client-batch@3",
      "aws-sdk@2",
    ],
    { cwd: scratch, stdio: ["ignore", "ignore", "inherit"] },
  );
  return scratch;
}

function isEsm(absPath: string, code: string): boolean {
  if (/\.m[jt]s$/.test(absPath)) return true;
  if (/\.c[jt]s$/.test(absPath)) return false;
  for (let dir = path.dirname(absPath); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, "utf8")) as { type?: string }).type === "module") return true;
      } catch {
        /* an unreadable manifest: decide from the syntax below */
      }
      break;
    }
    if (path.dirname(dir) === dir) break;
  }
  return /^\s*(import|export)\s/m.test(code);
}

/** The statements that bring in the runtime, their local names, and the uses of each name the probe checks. */
function runtimeProbe(code: string, file: string, esm: boolean): string | undefined {
  const parsed = parseJs(code, file);
  const statements: string[] = [];
  const names = new Set<string>();
  for (const { literal, owner } of moduleSpecifiers(parsed)) {
    if (typeof literal.value !== "string" || !literal.value.startsWith(RUNTIME_PREFIX)) continue;
    if (owner.type === "ImportDeclaration") {
      if (owner.importKind === "type") continue;
      const specifiers = ((owner.specifiers ?? []) as JsNode[]).filter((s) => s.importKind !== "type");
      const source = JSON.stringify(literal.value);
      for (const s of specifiers) {
        names.add(s.local.name);
        if (s.type === "ImportDefaultSpecifier") statements.push(`import ${s.local.name} from ${source};`);
        else if (s.type === "ImportNamespaceSpecifier") statements.push(`import * as ${s.local.name} from ${source};`);
        else statements.push(`import { ${s.imported.name} as ${s.local.name} } from ${source};`);
      }
      if (specifiers.length === 0) statements.push(`import ${source};`);
      continue;
    }
    // require()/import(): replay the declaration that holds it.
    let statement: JsNode | undefined;
    parsed.root.find(parsed.api.VariableDeclarator).forEach((p) => {
      const node = p.node as JsNode;
      if (node.init && node.init.start <= literal.start && node.init.end >= literal.end) statement = node;
    });
    if (!statement) {
      statements.push(`${esm ? "await import" : "require"}(${JSON.stringify(literal.value)});`);
      continue;
    }
    const text = code.slice(statement.start, statement.end).replace(/^([^=]*)\bawait\b/, "$1");
    statements.push(`const ${text};`);
    const id = statement.id as JsNode;
    if (id.type === "Identifier") names.add(id.name);
    else if (id.type === "ObjectPattern")
      for (const property of id.properties as JsNode[])
        if (property.value?.type === "Identifier") names.add(property.value.name);
  }
  if (statements.length === 0) return undefined;
  const checks: string[] = [];
  for (const name of names) {
    const escaped = name.replace(/\$/g, "\\$");
    if (new RegExp(`\\bnew\\s+${escaped}\\s*\\(`).test(code))
      checks.push(`if (typeof ${name} !== "function") fail("new ${name}(): ${name} is " + typeof ${name});`);
    for (const match of code.matchAll(new RegExp(`(?<![\\w.$])${escaped}\\.([A-Za-z_$][\\w$]*)`, "g"))) {
      const member = match[1]!;
      const constructed = new RegExp(`\\bnew\\s+${escaped}\\.${member.replace(/\$/g, "\\$")}\\b`).test(code);
      checks.push(
        constructed
          ? `if (typeof ${name}.${member} !== "function") fail("new ${name}.${member}: not a constructor");`
          : `if (${name}.${member} === undefined && !(typeof ${name} === "function" && "${member}" in ${name}.prototype)) fail("${name}.${member} is undefined");`,
      );
    }
  }
  const fail = `function fail(m) { console.error(m); process.exitCode = 1; }`;
  return [esm ? "" : "", ...statements, fail, ...new Set(checks)].join("\n");
}

export interface LoadResult {
  ok: boolean;
  problems: string[];
}

/** Runs the runtime imports of a rewritten JS file in the scratch project. */
export function loadJs(scratch: string, absPath: string, code: string): LoadResult {
  const esm = isEsm(absPath, code);
  const probe = runtimeProbe(code, absPath, esm);
  if (!probe) return { ok: true, problems: [] };
  const file = path.join(
    scratch,
    `probe-${createHash("sha1").update(absPath).digest("hex").slice(0, 10)}.${esm ? "mjs" : "cjs"}`,
  );
  writeFileSync(file, probe);
  try {
    execFileSync(process.execPath, [file], {
      cwd: scratch,
      stdio: ["ignore", "pipe", "pipe"],
      env: { PATH: process.env.PATH ?? "" },
      timeout: 20_000,
    });
    return { ok: true, problems: [] };
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? "");
    const line = stderr.split("\n").find((l) => /Error|fail|not a constructor|undefined|is /.test(l)) ?? stderr.trim();
    return { ok: false, problems: [`${esm ? "ESM" : "CJS"}: ${line.trim().slice(0, 200)}`] };
  } finally {
    rmSync(file, { force: true });
  }
}

const PACKAGE_NAME = /^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/;
const VERSION_RANGE = /^[\w.^~<>=|* -]+$/;

/** The version range the repository declares for a package, from the nearest package.json that names it. */
function declaredRange(name: string, from: string, repoRoot: string): string | undefined {
  for (let dir = from; dir.startsWith(repoRoot); dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (!existsSync(manifest)) continue;
    try {
      const json = JSON.parse(readFileSync(manifest, "utf8")) as Record<string, Record<string, string> | undefined>;
      const range = json.devDependencies?.[name] ?? json.dependencies?.[name];
      if (range && VERSION_RANGE.test(range)) return range;
    } catch {
      /* an unreadable manifest declares nothing */
    }
  }
  return undefined;
}

/**
 * A tsconfig `extends` of a package the copy has no node_modules for (`@tsconfig/recommended/tsconfig.json`) is
 * installed from the npm registry into the scratch project, at the version the repository declares, without its
 * install scripts, and the extends is pointed there: the file is checked with the settings its project really has.
 */
function resolveExtends(config: Record<string, unknown>, dir: string, repoRoot: string, scratch: string): void {
  const list = Array.isArray(config.extends) ? config.extends : [config.extends];
  const resolved = list.map((specifier: unknown) => {
    if (typeof specifier !== "string" || specifier.startsWith(".") || path.isAbsolute(specifier)) return specifier;
    const parts = specifier.split("/");
    const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
    if (!PACKAGE_NAME.test(name)) return specifier;
    for (let d = dir; d.startsWith(repoRoot); d = path.dirname(d))
      if (existsSync(path.join(d, "node_modules", name))) return specifier;
    const bases = path.join(scratch, "tsconfig-bases");
    if (!existsSync(path.join(bases, "node_modules", name, "package.json"))) {
      mkdirSync(bases, { recursive: true });
      if (!existsSync(path.join(bases, "package.json")))
        writeFileSync(path.join(bases, "package.json"), JSON.stringify({ name: "tsconfig-bases", private: true }));
      const range = declaredRange(name, dir, repoRoot);
      try {
        execFileSync(
          "npm",
          ["install", "--silent", "--no-audit", "--no-fund", "--ignore-scripts", range ? `${name}@${range}` : name],
          { cwd: bases, stdio: ["ignore", "ignore", "ignore"], timeout: 120_000 },
        );
      } catch {
        return specifier;
      }
    }
    const target = path.join(bases, "node_modules", specifier);
    return existsSync(target) || existsSync(`${target}.json`) ? target : path.join(bases, "node_modules", name);
  });
  config.extends = Array.isArray(config.extends) ? resolved : resolved[0];
}

/** The repository's compiler options for a file: its nearest tsconfig.json, else TypeScript's defaults. */
function compilerOptionsFor(absPath: string, repoRoot: string, scratch: string): ts.CompilerOptions {
  for (let dir = path.dirname(absPath); dir.startsWith(repoRoot); dir = path.dirname(dir)) {
    const config = path.join(dir, "tsconfig.json");
    if (!existsSync(config)) continue;
    const read = ts.readConfigFile(config, ts.sys.readFile);
    if (read.error) break;
    if (read.config?.extends) resolveExtends(read.config as Record<string, unknown>, dir, repoRoot, scratch);
    return ts.parseJsonConfigFileContent(read.config, ts.sys, dir).options;
  }
  return {};
}

function diagnosticsOf(file: string, options: ts.CompilerOptions): string[] {
  const program = ts.createProgram([file], {
    ...options,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    typeRoots: [],
    rootDir: undefined,
    rootDirs: undefined,
    baseUrl: undefined,
    paths: undefined,
    outDir: undefined,
    composite: false,
    incremental: false,
    declaration: false,
    tsBuildInfoFile: undefined,
  });
  const source = program.getSourceFile(file);
  return (
    ts
      .getPreEmitDiagnostics(program, source)
      .filter((d) => d.file === source)
      .map((d) => `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`)
      // The same resolution failure for the SDK and for its shim is the environment's, not the rewrite's.
      .map((d) =>
        d.replace(
          /'(@aws-sdk\/client-batch|aws-sdk(\/clients\/batch)?|batch-migrate-runtime\/[\w-]+)'/g,
          "'<batch module>'",
        ),
      )
  );
}

/** Type-checks original and rewritten text with the repository's options; reports diagnostics only the rewrite has. */
export function typeCheckTs(
  scratch: string,
  repoRoot: string,
  absPath: string,
  original: string,
  rewritten: string,
): LoadResult {
  const options = compilerOptionsFor(absPath, repoRoot, scratch);
  const dir = path.join(scratch, "ts", createHash("sha1").update(absPath).digest("hex").slice(0, 10));
  const extension = path.extname(absPath);
  mkdirSync(dir, { recursive: true });
  const before = path.join(dir, `before${extension}`);
  const after = path.join(dir, `after${extension}`);
  writeFileSync(before, original);
  writeFileSync(after, rewritten);
  try {
    const known = new Map<string, number>();
    for (const d of diagnosticsOf(before, options)) known.set(d, (known.get(d) ?? 0) + 1);
    const problems: string[] = [];
    for (const d of diagnosticsOf(after, options)) {
      const left = known.get(d) ?? 0;
      if (left > 0) known.set(d, left - 1);
      else problems.push(`tsc (module ${ts.ModuleKind[options.module ?? ts.ModuleKind.CommonJS]}): ${d.slice(0, 200)}`);
    }
    return { ok: problems.length === 0, problems };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
