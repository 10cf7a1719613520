import { readFileSync, readdirSync, realpathSync, statSync, type Dirent } from "node:fs";
import path from "node:path";
import ignore, { type Ignore } from "ignore";
import { createRequire } from "node:module";
import type picomatchType from "picomatch";
import { decodeUtf8 } from "./read.js";

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
  /** Hears of each accepted file as the walk finds it, in walk order, so that reading can start before it ends. */
  onFile?: (relPath: string) => void;
}

interface IgnoreScope {
  /** POSIX folder of the ignore file, relative to the root ("" for the root). */
  base: string;
  rules: Ignore;
}

/** What a walk keeps: counts and the ignore scopes of folders, never a list of the files it handed on. */
export interface WalkSummary {
  /** Every file in the folders the walk entered. */
  seen: number;
  /** Files handed to `onFile`: those a scanner accepts by name. */
  accepted: number;
  /** Whether an accepted file is ignored by a pattern of a .gitignore or .migrateignore. */
  isIgnoredFile(relPath: string): boolean;
}

export interface WalkResult extends WalkSummary {
  /**
   * Root-relative POSIX paths a scanner accepts, sorted. Ignored folders are pruned already; patterns that name
   * files are applied later through `isIgnoredFile`, to the few files worth keeping, since testing every file
   * against every pattern cost more than reading it.
   */
  files: string[];
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

function loadIgnoreScope(absDir: string | Buffer, base: string, entries: readonly Entry[]): IgnoreScope | undefined {
  // A loop rather than a set of the folder's names: this runs for every folder of the tree.
  const present = IGNORE_FILES.filter((name) => entries.some((entry) => entry.name === name));
  if (present.length === 0) return undefined;
  const rules = ignore();
  for (const name of present) {
    try {
      const file =
        typeof absDir === "string" ? path.join(absDir, name) : Buffer.concat([absDir, SEPARATOR, Buffer.from(name)]);
      rules.add(readFileSync(file, "utf8"));
    } catch {
      // an unreadable ignore file ignores nothing
    }
  }
  return { base, rules };
}

function toPosix(relPath: string): string {
  return path.sep === "/" ? relPath : relPath.split(path.sep).join("/");
}

/**
 * Files and folders whose names are not valid UTF-8, by the absolute path they are reported under (invalid bytes
 * written `\xNN`): the bytes to open them by. Only this thread knows them, so the walk keeps them off the helper
 * threads.
 */
const RAW_PATHS = new Map<string, Buffer>();

/**
 * A walked path under the root, absolute. The walk's paths are normalized already, so on POSIX a root that is
 * not `/` needs only a separator: `path.join` normalizes again, once per file read.
 */
function underRoot(root: string, relPath: string): string {
  if (relPath === "") return root;
  return path.sep === "/" && root.length > 1 && !root.endsWith("/") ? `${root}/${relPath}` : path.join(root, relPath);
}

/** The path to open a file by: its bytes when its name (or a folder's above it) is not valid UTF-8. */
export function diskPath(root: string, relPath: string): string | Buffer {
  const shown = underRoot(root, relPath);
  return RAW_PATHS.size > 0 ? (RAW_PATHS.get(shown) ?? shown) : shown;
}

/** Whether a path has a name that is not valid UTF-8, so that only this thread can open it. */
export function hasRawName(root: string, relPath: string): boolean {
  return RAW_PATHS.size > 0 && RAW_PATHS.has(underRoot(root, relPath));
}

/** A name as it is reported: valid UTF-8 as it is, each byte of an invalid sequence as `\xNN`. */
export function escapeInvalidUtf8(bytes: Buffer): string {
  let out = "";
  let start = 0;
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    const length =
      lead < 0x80
        ? 1
        : lead >= 0xc2 && lead < 0xe0
          ? 2
          : lead >= 0xe0 && lead < 0xf0
            ? 3
            : lead >= 0xf0 && lead < 0xf5
              ? 4
              : 0;
    if (length > 0 && i + length <= bytes.length && decodeUtf8(bytes.subarray(i, i + length)) !== undefined) {
      i += length;
      continue;
    }
    out += bytes.subarray(start, i).toString("utf8") + `\\x${lead.toString(16).padStart(2, "0")}`;
    i++;
    start = i;
  }
  return out + bytes.subarray(start).toString("utf8");
}

/**
 * A folder entry: its name as reported and, when that name is not valid UTF-8, the path to open it by. Node's own
 * entry when its name is valid UTF-8 (nearly always), so that listing a folder makes no object per entry.
 */
type Entry =
  | (Dirent<string> & { raw?: undefined })
  | {
      name: string;
      raw?: Buffer;
      isDirectory(): boolean;
      isFile(): boolean;
      isSymbolicLink(): boolean;
    };

const SEPARATOR = Buffer.from(path.sep);

function listDir(absDir: string | Buffer): Entry[] {
  try {
    const entries = typeof absDir === "string" ? readdirSync(absDir, { withFileTypes: true }) : [];
    // Node turns invalid bytes into U+FFFD, which names no file: such folders are listed again as bytes.
    if (typeof absDir === "string" && !entries.some((entry) => entry.name.includes("\uFFFD"))) return entries;
    const dirBytes = typeof absDir === "string" ? Buffer.from(absDir) : absDir;
    return readdirSync(absDir, { withFileTypes: true, encoding: "buffer" }).map((dirent): Entry => {
      const name = decodeUtf8(dirent.name);
      const kind = {
        isDirectory: () => dirent.isDirectory(),
        isFile: () => dirent.isFile(),
        isSymbolicLink: () => dirent.isSymbolicLink(),
      };
      if (name !== undefined && typeof absDir === "string") return { name, ...kind };
      return {
        name: name ?? escapeInvalidUtf8(dirent.name),
        raw: Buffer.concat([dirBytes, SEPARATOR, dirent.name]),
        ...kind,
      };
    });
  } catch {
    return [];
  }
}

/** Walks the tree and lists the accepted files, sorted (for callers that want them all at once). */
export async function discoverFiles(options: Omit<DiscoverOptions, "onFile">): Promise<WalkResult> {
  const files: string[] = [];
  const summary = walkTree({ ...options, onFile: (relPath) => files.push(relPath) });
  return { ...summary, files: files.sort() };
}

/**
 * Walks the tree honouring .gitignore, .migrateignore, default skips and include/exclude globs, handing each
 * accepted file to `onFile` as it is found; the walk keeps none of them. Synchronous on purpose: on a warm cache,
 * blocking readdir is several times faster than the thread pool.
 */
export function walkTree(options: DiscoverOptions & { onFile: (relPath: string) => void }): WalkSummary {
  const root = path.resolve(options.root);
  const realRoot = realpathSync(root);
  const included = options.include?.length ? loadPicomatch()(options.include, { dot: true }) : undefined;
  const excluded = options.exclude?.length ? loadPicomatch()(options.exclude, { dot: true }) : undefined;
  /** Files already handed on, kept only when several starts could name one file twice. */
  const handed = (options.paths?.length ?? 0) > 1 ? new Set<string>() : undefined;
  let accepted = 0;
  /** The ignore scopes in force in each folder a file was kept from. */
  const scopesOfDir = new Map<string, IgnoreScope[]>();
  const named = new Set<string>();
  let seen = 0;

  const consider = (relPath: string) => {
    seen++;
    if (included && !included(relPath)) return;
    if (excluded && excluded(relPath)) return;
    if (!options.accepts(relPath) || handed?.has(relPath)) return;
    handed?.add(relPath);
    accepted++;
    options.onFile(relPath);
  };

  const scopesAbove = (relDir: string): IgnoreScope[] => {
    const scopes: IgnoreScope[] = [];
    const parts = relDir ? relDir.split("/") : [];
    for (let depth = 0; depth < parts.length; depth++) {
      const base = parts.slice(0, depth).join("/");
      const absDir = diskPath(root, base);
      const scope = loadIgnoreScope(absDir, base, listDir(absDir));
      if (scope) scopes.push(scope);
    }
    return scopes;
  };

  const walk = (startDir: string, inherited: IgnoreScope[]) => {
    const stack: Array<[string, IgnoreScope[]]> = [[startDir, inherited]];
    while (stack.length > 0) {
      const [relDir, parentScopes] = stack.pop()!;
      const absDir = diskPath(root, relDir);
      const entries = listDir(absDir);
      const own = loadIgnoreScope(absDir, relDir, entries);
      const scopes = own ? [...parentScopes, own] : parentScopes;
      if (scopes.length > 0) scopesOfDir.set(relDir, scopes);
      for (const entry of entries) {
        const { name, raw } = entry;
        const relPath = relDir ? `${relDir}/${name}` : name;
        if (raw) RAW_PATHS.set(underRoot(root, relPath), raw);
        if (entry.isDirectory()) {
          if (!DEFAULT_SKIPPED_DIRS.has(name) && !isIgnored(scopes, relPath, true)) stack.push([relPath, scopes]);
        } else if (entry.isFile()) {
          consider(relPath);
        } else if (entry.isSymbolicLink() && isLinkedFileInside(diskPath(root, relPath), realRoot)) {
          // Linked folders are never followed (no loops); a linked file is read when it stays inside the root.
          consider(relPath);
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
    else if (stats.isFile()) {
      // A file named on the command line is scanned even when an ignore file names it.
      named.add(relStart);
      consider(relStart);
    }
  }
  return {
    seen,
    accepted,
    isIgnoredFile: (relPath) => {
      if (named.has(relPath)) return false;
      const slash = relPath.lastIndexOf("/");
      const scopes = scopesOfDir.get(slash < 0 ? "" : relPath.slice(0, slash));
      return scopes !== undefined && isIgnored(scopes, relPath, false);
    },
  };
}

function isLinkedFileInside(absPath: string | Buffer, realRoot: string): boolean {
  // A link whose name is not UTF-8 is not followed: its target could not be told from its bytes here.
  if (typeof absPath !== "string") return false;
  try {
    const target = realpathSync(absPath);
    return target.startsWith(realRoot + path.sep) && statSync(target).isFile();
  } catch {
    return false;
  }
}
