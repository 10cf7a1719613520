import {
  closeSync,
  fstatSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  realpathSync,
  statSync,
  type Dirent,
} from "node:fs";
import path from "node:path";
import ignore, { type Ignore } from "ignore";
import { createRequire } from "node:module";
import type picomatchType from "picomatch";
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

/** Glob matching is only needed with --include/--exclude, so it is loaded then. */
function loadPicomatch(): typeof picomatchType {
  return createRequire(import.meta.url)("picomatch") as typeof picomatchType;
}

function isIgnored(scopes: IgnoreScope[], relPath: string, isDir: boolean): boolean {
  for (const scope of scopes) {
    const local = scope.base ? relPath.slice(scope.base.length + 1) : relPath;
    if (local && scope.rules.ignores(isDir ? `${local}/` : local)) return true;
  }
  return false;
}

function loadIgnoreScope(absDir: string, base: string, names: Set<string>): IgnoreScope | undefined {
  const present = IGNORE_FILES.filter((name) => names.has(name));
  if (present.length === 0) return undefined;
  const rules = ignore();
  for (const name of present) {
    try {
      rules.add(readFileSync(path.join(absDir, name), "utf8"));
    } catch {
      // an unreadable ignore file ignores nothing
    }
  }
  return { base, rules };
}

function toPosix(relPath: string): string {
  return path.sep === "/" ? relPath : relPath.split(path.sep).join("/");
}

function listDir(absDir: string): Dirent[] {
  try {
    return readdirSync(absDir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/**
 * Walks the tree honouring .gitignore, .migrateignore, default skips and include/exclude globs.
 * Synchronous on purpose: on a warm cache, blocking readdir is several times faster than the thread pool.
 */
export async function discoverFiles(options: DiscoverOptions): Promise<WalkResult> {
  const root = path.resolve(options.root);
  const realRoot = realpathSync(root);
  const included = options.include?.length ? loadPicomatch()(options.include, { dot: true }) : undefined;
  const excluded = options.exclude?.length ? loadPicomatch()(options.exclude, { dot: true }) : undefined;
  const files = new Set<string>();
  let seen = 0;

  const consider = (relPath: string) => {
    seen++;
    if (included && !included(relPath)) return;
    if (excluded && excluded(relPath)) return;
    if (options.accepts(relPath)) files.add(relPath);
  };

  const scopesAbove = (relDir: string): IgnoreScope[] => {
    const scopes: IgnoreScope[] = [];
    const parts = relDir ? relDir.split("/") : [];
    for (let depth = 0; depth < parts.length; depth++) {
      const base = parts.slice(0, depth).join("/");
      const absDir = path.join(root, base);
      const scope = loadIgnoreScope(absDir, base, new Set(listDir(absDir).map((entry) => entry.name)));
      if (scope) scopes.push(scope);
    }
    return scopes;
  };

  const walk = (startDir: string, inherited: IgnoreScope[]) => {
    const stack: Array<[string, IgnoreScope[]]> = [[startDir, inherited]];
    while (stack.length > 0) {
      const [relDir, parentScopes] = stack.pop()!;
      const absDir = path.join(root, relDir);
      const entries = listDir(absDir);
      const own = loadIgnoreScope(absDir, relDir, new Set(entries.map((entry) => entry.name)));
      const scopes = own ? [...parentScopes, own] : parentScopes;
      for (const entry of entries) {
        const relPath = relDir ? `${relDir}/${entry.name}` : entry.name;
        if (entry.isDirectory()) {
          if (!DEFAULT_SKIPPED_DIRS.has(entry.name) && !isIgnored(scopes, relPath, true)) stack.push([relPath, scopes]);
        } else if (entry.isFile()) {
          if (!isIgnored(scopes, relPath, false)) consider(relPath);
        } else if (entry.isSymbolicLink() && isLinkedFileInside(path.join(absDir, entry.name), realRoot)) {
          // Linked folders are never followed (no loops); a linked file is read when it stays inside the root.
          if (!isIgnored(scopes, relPath, false)) consider(relPath);
        }
      }
    }
  };

  const starts = options.paths?.length ? options.paths : [root];
  for (const start of starts) {
    const relStart = toPosix(path.relative(root, path.resolve(start)));
    if (relStart.startsWith("..")) continue;
    let stats;
    try {
      stats = statSync(path.resolve(start));
    } catch {
      continue;
    }
    if (stats.isDirectory()) walk(relStart, scopesAbove(relStart));
    else if (stats.isFile()) consider(relStart);
  }
  return { files: [...files].sort(), seen };
}

function isLinkedFileInside(absPath: string, realRoot: string): boolean {
  try {
    const target = realpathSync(absPath);
    return target.startsWith(realRoot + path.sep) && statSync(target).isFile();
  } catch {
    return false;
  }
}

/** What reading a file gave: bytes to prefilter, or the reason it was skipped. */
export type ReadOutcome = { ok: true; bytes: Buffer } | { ok: false; skipped: SkippedFile };

const BINARY_PROBE_BYTES = 8000;

export function readCandidate(absPath: string, relPath: string, maxBytes: number): ReadOutcome {
  let fd: number | undefined;
  try {
    fd = openSync(absPath, "r");
    const { size } = fstatSync(fd);
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
    const bytes = Buffer.allocUnsafe(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, bytes, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    const content = read === size ? bytes : bytes.subarray(0, read);
    if (content.subarray(0, BINARY_PROBE_BYTES).includes(0)) {
      return {
        ok: false,
        skipped: { path: relPath, reason: "binary", hint: "binary content (NUL bytes); nothing to scan" },
      };
    }
    return { ok: true, bytes: content };
  } catch (error) {
    return {
      ok: false,
      skipped: { path: relPath, reason: "unreadable", hint: `could not be read: ${(error as Error).message}` },
    };
  } finally {
    if (fd !== undefined) closeSync(fd);
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
