import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import path from "node:path";

/** Files among `relPaths` with uncommitted changes (modified, staged or untracked); empty outside a git checkout. */
export function uncommittedFiles(root: string, relPaths: readonly string[]): string[] {
  if (relPaths.length === 0) return [];
  let output: string;
  try {
    output = execFileSync("git", ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--", ...relPaths], {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch {
    return [];
  }
  const prefix = gitPrefix(root);
  return output
    .split("\0")
    .filter((entry) => entry.length > 3)
    .map((entry) => entry.slice(3))
    .map((file) => (prefix && file.startsWith(prefix) ? file.slice(prefix.length) : file))
    .filter((file) => relPaths.includes(file));
}

function gitPrefix(root: string): string {
  try {
    return execFileSync("git", ["rev-parse", "--show-prefix"], {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return "";
  }
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
  const realRoot = realpathSync(root);
  if (real !== realRoot && !real.startsWith(realRoot + path.sep))
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
    chmodSync(temporary, statSync(real).mode & 0o7777);
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
