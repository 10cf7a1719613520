import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  chownSync,
  closeSync,
  fsyncSync,
  lstatSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import path from "node:path";

/** The outcome of the dirty check: the files with uncommitted changes, or why the check could not be made. */
export type DirtyCheck = { ok: true; dirty: string[] } | { ok: false; error: string };

// Git's own settings for every call: no program the repository configures runs (fsmonitor, hooks), nothing is
// written (optional locks, untracked cache), no prompt waits. Filters are neutralised per repository below.
const GIT_SAFE_CONFIG = [
  "core.fsmonitor=false",
  "core.hooksPath=/dev/null",
  "core.untrackedCache=false",
  "core.preloadIndex=false",
  "core.pager=cat",
  "status.showUntrackedFiles=all",
  "status.relativePaths=false",
  "diff.external=",
];
const GIT_TIMEOUT_MS = 60_000;
// Argument bytes per `git status` call: far below Linux's ARG_MAX, so a long list of files never fails to start.
const PATHSPEC_BYTES_PER_CALL = 96 * 1024;

/** The environment git runs in: none of the caller's GIT_* variables (GIT_DIR would point it elsewhere). */
function gitEnvironment(): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith("GIT_")) environment[name] = value;
  return { ...environment, GIT_OPTIONAL_LOCKS: "0", GIT_TERMINAL_PROMPT: "0", GIT_LITERAL_PATHSPECS: "1", LC_ALL: "C" };
}

function runGit(cwd: string, config: readonly string[], args: readonly string[]): string {
  return execFileSync("git", [...config.flatMap((setting) => ["-c", setting]), ...args], {
    cwd,
    env: gitEnvironment(),
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 256 * 1024 * 1024,
    timeout: GIT_TIMEOUT_MS,
  });
}

function gitFailure(error: unknown): string {
  const failure = error as { code?: string; stderr?: string; message?: string };
  if (failure.code === "ENOENT") return "git is not installed";
  const stderr = (failure.stderr ?? "").trim().split("\n").slice(0, 3).join(" ");
  return stderr || failure.message || String(error);
}

/**
 * `-c` settings that disable every filter driver the repository's own configuration (or a file it includes)
 * defines: `git status` runs a clean filter to compare a file whose timestamps moved, so a hostile `.git/config`
 * plus `.gitattributes` would run code. Drivers from the user's global or the system configuration are trusted.
 */
function neutralisedFilters(top: string): string[] {
  const listing = runGit(top, GIT_SAFE_CONFIG, ["config", "--list", "--show-scope", "-z"]);
  const names = new Set<string>();
  const fields = listing.split("\0");
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const scope = fields[i]!;
    const key = fields[i + 1]!.split("\n", 1)[0]!;
    const filter = /^filter\.(.+)\.[^.]+$/i.exec(key);
    if (filter && scope !== "global" && scope !== "system") names.add(filter[1]!);
  }
  return [...names].flatMap((name) => [
    `filter.${name}.clean=`,
    `filter.${name}.smudge=`,
    `filter.${name}.process=`,
    `filter.${name}.required=false`,
  ]);
}

/** The nearest folder at or above `folder` that holds `.git` (a folder, or a file for worktrees and submodules). */
function repositoryTop(folder: string): string | undefined {
  for (let current = folder; ; current = path.dirname(current)) {
    try {
      lstatSync(path.join(current, ".git"));
      return current;
    } catch {
      // not here
    }
    if (path.dirname(current) === current) return undefined;
  }
}

function statusOf(top: string, pathspecs: string[]): Set<string> {
  const config = [...GIT_SAFE_CONFIG, ...neutralisedFilters(top)];
  // With no-optional-locks git never refreshes the index: a file whose timestamps changed but whose content did
  // not may show as modified, which only errs towards refusing.
  const changed = new Set<string>();
  for (let start = 0; start < pathspecs.length;) {
    let end = start;
    for (
      let bytes = 0;
      end < pathspecs.length && (end === start || bytes + pathspecs[end]!.length < PATHSPEC_BYTES_PER_CALL);
      end++
    )
      bytes += pathspecs[end]!.length + 1;
    const output = runGit(top, config, [
      "--no-optional-locks",
      "status",
      "--porcelain=v1",
      "-z",
      "--untracked-files=all",
      "--ignored=matching",
      // Each submodule and nested repository is asked on its own, with its own filters neutralised.
      "--ignore-submodules=all",
      "--no-renames",
      "--",
      ...pathspecs.slice(start, end),
    ]);
    for (const entry of output.split("\0")) if (entry.length > 3) changed.add(entry.slice(3));
    start = end;
  }
  return changed;
}

/**
 * Files among `relPaths` (under `root`) with uncommitted changes: modified, staged, untracked or ignored, in
 * whichever repository holds each one (the root's, a nested repository's, a submodule's or a worktree's), each
 * file taken where its real path is. Git runs with the repository's programs disabled; when it cannot answer
 * (not installed, "dubious ownership", a broken repository) the check fails and nothing may be written. Files
 * in no repository at all have no uncommitted state to lose track of and are not listed.
 */
export function uncommittedFiles(root: string, relPaths: readonly string[]): DirtyCheck {
  const byRepository = new Map<string, { relPath: string; inRepository: string }[]>();
  const realRoot = realpathSync(root);
  for (const relPath of relPaths) {
    let real: string;
    try {
      real = realpathSync(path.join(root, relPath));
    } catch (error) {
      return { ok: false, error: `cannot resolve ${relPath}: ${(error as Error).message}` };
    }
    // writeAtomically refuses it: no repository outside the root is asked about anything.
    if (!isInside(realRoot, real)) continue;
    const top = repositoryTop(path.dirname(real));
    if (top === undefined) continue;
    const inRepository = path.relative(top, real).split(path.sep).join("/");
    byRepository.set(top, [...(byRepository.get(top) ?? []), { relPath, inRepository }]);
  }
  const dirty: string[] = [];
  for (const [top, files] of byRepository) {
    let changed: Set<string>;
    try {
      changed = statusOf(
        top,
        files.map((file) => file.inRepository),
      );
    } catch (error) {
      return {
        ok: false,
        error: `git could not tell whether ${top} has uncommitted changes (${gitFailure(error)}); nothing was written`,
      };
    }
    for (const file of files) if (changed.has(file.inRepository)) dirty.push(file.relPath);
  }
  return { ok: true, dirty: dirty.sort() };
}

const UTF8_KEEPING_BOM = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The text of a file to rewrite, its BOM kept (the runner hands transforms the text without it, then restores it). */
export function decodeForRewrite(bytes: Uint8Array): string | undefined {
  try {
    return UTF8_KEEPING_BOM.decode(bytes);
  } catch {
    return undefined;
  }
}

function isInside(realRoot: string, real: string): boolean {
  return real === realRoot || real.startsWith(realRoot.endsWith(path.sep) ? realRoot : realRoot + path.sep);
}

export type WriteOutcome = { ok: true } | { ok: false; error: string };

/**
 * Writes through a temporary file and a rename, so a reader never sees half a file. Refuses a path that resolves
 * outside the root (a symlink) and a file that changed on disk since it was read.
 */
export function writeAtomically(root: string, relPath: string, expectedBytes: Buffer, content: string): WriteOutcome {
  const absolute = path.join(root, relPath);
  let real: string;
  try {
    real = realpathSync(absolute);
  } catch (error) {
    return { ok: false, error: `cannot resolve: ${(error as Error).message}` };
  }
  if (!isInside(realpathSync(root), real))
    return { ok: false, error: "resolves outside the root (symlink); not written" };
  let current: Buffer;
  try {
    current = readFileSync(real);
  } catch (error) {
    return { ok: false, error: `cannot re-read before writing: ${(error as Error).message}` };
  }
  if (!current.equals(expectedBytes)) return { ok: false, error: "changed on disk while apply ran; not written" };
  const temporary = path.join(
    path.dirname(real),
    `.${path.basename(real)}.migrate-${randomBytes(6).toString("hex")}.tmp`,
  );
  try {
    const fd = openSync(temporary, "wx");
    try {
      writeSync(fd, content);
      // On disk before the rename: a crash then leaves the old file or the new one, never an empty one.
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    const original = statSync(real);
    // The rewritten file keeps its owner (when we may set it: as root, or as the owner) and then its mode, since
    // a change of owner clears set-id bits.
    if (original.uid !== process.getuid?.() || original.gid !== process.getgid?.()) {
      try {
        chownSync(temporary, original.uid, original.gid);
      } catch {
        // not permitted: the file is ours now, as any editor's save would make it
      }
    }
    chmodSync(temporary, original.mode & 0o7777);
    renameSync(temporary, real);
    return { ok: true };
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // nothing was left behind
    }
    return { ok: false, error: `write failed: ${(error as Error).message}` };
  }
}
