import { opendir, open, readFile, realpath } from "node:fs/promises";
import path from "node:path";
import ignore, { type Ignore } from "ignore";
import picomatch from "picomatch";
import type { SkippedFile } from "./types.js";

/** Folders no scan wants: VCS data, installed dependencies, virtualenvs, caches and build output of tools. */
export const DEFAULT_SKIPPED_DIRS: ReadonlySet<string> = new Set([
  ".git",
  ".hg",
  ".svn",
  "node_modules",
  "bower_components",
  "jspm_packages",
  ".venv",
  "venv",
  ".virtualenv",
  "site-packages",
  "__pycache__",
  ".tox",
  ".nox",
  ".mypy_cache",
  ".pytest_cache",
  ".ruff_cache",
  ".terraform",
  ".terragrunt-cache",
  "cdk.out",
  ".serverless",
  ".aws-sam",
  ".migrate",
  "vendor",
  "third_party",
]);

const IGNORE_FILES = [".gitignore", ".migrateignore"];

export interface DiscoverOptions {
  /** Absolute scan root; paths are reported relative to it. */
  root: string;
  /** Absolute files or folders under the root to walk; the root itself when empty. */
  paths?: string[];
  include?: string[];
  exclude?: string[];
  /** Whether any scanner reads a path (by name); others are counted but never opened. */
  accepts: (relPath: string) => boolean;
}

interface IgnoreScope {
  /** POSIX folder of the ignore file, relative to the root ("" for the root). */
  base: string;
  rules: Ignore;
}

export interface WalkResult {
  /** Root-relative POSIX paths a scanner accepts, sorted. */
  files: string[];
  /** Every file the walk saw after ignores. */
  seen: number;
}

function isIgnored(scopes: IgnoreScope[], relPath: string, isDir: boolean): boolean {
  for (const scope of scopes) {
    const local = scope.base ? relPath.slice(scope.base.length + 1) : relPath;
    if (local && scope.rules.ignores(isDir ? `${local}/` : local)) return true;
  }
  return false;
}

async function loadIgnoreScope(absDir: string, base: string, names: string[]): Promise<IgnoreScope | undefined> {
  const present = IGNORE_FILES.filter((name) => names.includes(name));
  if (present.length === 0) return undefined;
  const rules = ignore();
  for (const name of present) {
    rules.add(await readFile(path.join(absDir, name), "utf8").catch(() => ""));
  }
  return { base, rules };
}

function toPosix(relPath: string): string {
  return path.sep === "/" ? relPath : relPath.split(path.sep).join("/");
}

/** Walks the tree honouring .gitignore, .migrateignore, default skips and include/exclude globs. */
export async function discoverFiles(options: DiscoverOptions): Promise<WalkResult> {
  const root = path.resolve(options.root);
  const realRoot = await realpath(root);
  const included = options.include?.length ? picomatch(options.include, { dot: true }) : undefined;
  const excluded = options.exclude?.length ? picomatch(options.exclude, { dot: true }) : undefined;
  const files: string[] = [];
  let seen = 0;

  const consider = (relPath: string) => {
    seen++;
    if (included && !included(relPath)) return;
    if (excluded && excluded(relPath)) return;
    if (options.accepts(relPath)) files.push(relPath);
  };

  const ancestorsScopes = async (relDir: string): Promise<IgnoreScope[]> => {
    const scopes: IgnoreScope[] = [];
    const parts = relDir ? relDir.split("/") : [];
    for (let depth = 0; depth <= parts.length; depth++) {
      const base = parts.slice(0, depth).join("/");
      const absDir = path.join(root, base);
      const names = await Promise.all(
        IGNORE_FILES.map((name) =>
          readFile(path.join(absDir, name), "utf8").then(
            () => name,
            () => "",
          ),
        ),
      );
      const scope = await loadIgnoreScope(absDir, base, names);
      if (scope) scopes.push(scope);
    }
    return scopes;
  };

  const walkDir = async (relDir: string, inherited: IgnoreScope[]): Promise<void> => {
    const absDir = path.join(root, relDir);
    const entries = [];
    try {
      for await (const entry of await opendir(absDir)) entries.push(entry);
    } catch {
      return;
    }
    const names = entries.map((entry) => entry.name);
    const own = await loadIgnoreScope(absDir, relDir, names);
    const scopes = own ? [...inherited, own] : inherited;
    const subdirs: string[] = [];
    for (const entry of entries) {
      const relPath = relDir ? `${relDir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (DEFAULT_SKIPPED_DIRS.has(entry.name) || isIgnored(scopes, relPath, true)) continue;
        subdirs.push(relPath);
      } else if (entry.isFile()) {
        if (!isIgnored(scopes, relPath, false)) consider(relPath);
      } else if (entry.isSymbolicLink()) {
        // Linked folders are never followed (no loops); a linked file is read only when it stays inside the root.
        const target = await realpath(path.join(absDir, entry.name)).catch(() => undefined);
        if (!target || !target.startsWith(realRoot + path.sep)) continue;
        const handle = await open(target, "r").catch(() => undefined);
        const isFile = handle ? (await handle.stat()).isFile() : false;
        await handle?.close();
        if (isFile && !isIgnored(scopes, relPath, false)) consider(relPath);
      }
    }
    await Promise.all(subdirs.map((dir) => walkDir(dir, scopes)));
  };

  const starts = options.paths?.length ? options.paths : [root];
  for (const start of starts) {
    const relStart = toPosix(path.relative(root, path.resolve(start)));
    if (relStart.startsWith("..")) continue;
    const handle = await open(path.resolve(start), "r").catch(() => undefined);
    const stats = await handle?.stat();
    await handle?.close();
    if (!stats) continue;
    if (stats.isDirectory()) {
      const parent = relStart ? relStart.split("/").slice(0, -1).join("/") : "";
      await walkDir(relStart, relStart ? await ancestorsScopes(parent) : []);
    } else if (stats.isFile()) {
      consider(relStart);
    }
  }
  files.sort();
  return { files: [...new Set(files)], seen };
}

/** What reading a file gave: bytes to prefilter, or the reason it was skipped. */
export type ReadOutcome = { ok: true; bytes: Buffer } | { ok: false; skipped: SkippedFile };

const BINARY_PROBE_BYTES = 8000;

export async function readCandidate(absPath: string, relPath: string, maxBytes: number): Promise<ReadOutcome> {
  let handle;
  try {
    handle = await open(absPath, "r");
    const { size } = await handle.stat();
    if (size > maxBytes) {
      return {
        ok: false,
        skipped: {
          path: relPath,
          reason: "too-large",
          hint: `${(size / 1e6).toFixed(1)} MB is over the ${(maxBytes / 1e6).toFixed(1)} MB limit; raise it with --max-file-size if this file holds Batch code`,
        },
      };
    }
    const bytes = await handle.readFile();
    if (bytes.subarray(0, BINARY_PROBE_BYTES).includes(0)) {
      return { ok: false, skipped: { path: relPath, reason: "binary", hint: "binary content (NUL bytes); nothing to scan" } };
    }
    return { ok: true, bytes };
  } catch (error) {
    return {
      ok: false,
      skipped: { path: relPath, reason: "unreadable", hint: `could not be read: ${(error as Error).message}` },
    };
  } finally {
    await handle?.close();
  }
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

export function decodeUtf8(bytes: Buffer): string | undefined {
  try {
    return UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}
