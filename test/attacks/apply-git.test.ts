// Hostile checkouts against `migrate apply --write`: the repository's own programs never run, nothing outside the
// root changes, every repository a file lives in is checked, and a git that cannot answer refuses the write.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli.js";

const BATCH_FILE =
  'import boto3\n\nclient = boto3.client("batch")\nclient.submit_job(jobName="a", jobQueue="q", jobDefinition="d")\n';
const REWRITTEN = "from batch_migrate_runtime import boto3";

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), "migrate-attack-apply-"));
}

function run(cwd: string, ...args: string[]): Promise<{ code: number; err: string }> {
  const sink = () => Object.assign(new PassThrough(), { isTTY: false });
  let err = "";
  const stderr = sink();
  stderr.on("data", (chunk) => (err += chunk));
  return main(args, { stdout: sink(), stderr, cwd, env: { CI: "1" } }).then((code) => ({ code, err }));
}

function git(cwd: string, ...args: string[]): void {
  execFileSync(
    "git",
    ["-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "protocol.file.allow=always", ...args],
    {
      cwd,
      stdio: "ignore",
    },
  );
}

function committedRepository(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  git(dir, "init", "-q");
  git(dir, "add", "-A");
  git(dir, "commit", "-qm", "init");
  return dir;
}

/** A hash of every name, mode and byte under a folder. */
function treeHash(folder: string): string {
  const hash = createHash("sha256");
  for (const entry of readdirSync(folder, { recursive: true, encoding: "utf8" }).sort()) {
    const file = path.join(folder, entry);
    const stats = statSync(file);
    hash.update(`${entry}\0${stats.mode}\0`);
    if (stats.isFile()) hash.update(readFileSync(file));
  }
  return hash.digest("hex");
}

/** Moves a file's timestamps so git must look at its content (and would run a clean filter to do so). */
function touchLater(file: string): void {
  const later = new Date(Date.now() + 5_000);
  utimesSync(file, later, later);
}

describe("apply --write in a hostile checkout", () => {
  it("runs none of the repository's programs: fsmonitor, hooks, clean/process filters", async () => {
    const sentinel = tempDir();
    const mark = (name: string) => `sh -c 'touch ${path.join(sentinel, name)}; cat'`;
    const dir = committedRepository({
      "submit.py": BATCH_FILE,
      ".gitattributes": "*.py filter=evil\n*.txt filter=evil2\n",
    });
    git(dir, "config", "core.fsmonitor", mark("fsmonitor"));
    git(dir, "config", "filter.evil.clean", mark("clean"));
    git(dir, "config", "filter.evil.smudge", mark("smudge"));
    git(dir, "config", "filter.evil2.process", mark("process"));
    mkdirSync(path.join(dir, "hooks"));
    for (const hook of ["post-index-change", "pre-commit", "post-checkout", "reference-transaction"]) {
      writeFileSync(path.join(dir, "hooks", hook), `#!/bin/sh\ntouch ${path.join(sentinel, hook)}\n`, { mode: 0o755 });
    }
    git(dir, "config", "core.hooksPath", path.join(dir, "hooks"));
    touchLater(path.join(dir, "submit.py"));
    const before = treeHash(sentinel);
    const { code, err } = await run(dir, "apply", "--to", "shim", "--write");
    expect(readdirSync(sentinel)).toEqual([]);
    expect(treeHash(sentinel)).toBe(before);
    // The hooks folder is untracked, but only the rewritten files are checked: the write goes ahead.
    expect({ code, err: err.split("\n")[0] }).toEqual({ code: 0, err: "1 changed, 0 unchanged, 0 skipped, 0 failed" });
    expect(readFileSync(path.join(dir, "submit.py"), "utf8")).toContain(REWRITTEN);
  });

  it("never takes a committed symlink to a folder outside as a root: nothing outside changes", async () => {
    const outside = tempDir();
    writeFileSync(path.join(outside, "worker.py"), BATCH_FILE);
    writeFileSync(path.join(outside, "other.py"), BATCH_FILE);
    const dir = committedRepository({ "main.py": "print('hi')\n" });
    symlinkSync(outside, path.join(dir, "services"));
    git(dir, "add", "-A");
    git(dir, "commit", "-qm", "link");
    const before = treeHash(outside);
    for (const args of [["services/"], ["services/worker.py"], ["services", "main.py"], ["."], []]) {
      const { code, err } = await run(dir, "apply", ...args, "--to", "shim", "--write");
      expect(treeHash(outside)).toBe(before);
      if (args[0]?.startsWith("services")) {
        expect(code).toBe(2);
        expect(err).toContain("outside the working directory (a symlink)");
      }
    }
  });

  it("refuses uncommitted work in a nested repository, a submodule and a worktree inside the root", async () => {
    const library = committedRepository({ "lib.py": BATCH_FILE });
    const dir = committedRepository({ "main.py": BATCH_FILE });
    git(dir, "submodule", "add", "-q", library, "modules/lib");
    git(dir, "commit", "-qm", "submodule");
    git(dir, "worktree", "add", "-q", path.join(dir, "wt"));
    const nested = path.join(dir, "tools/nested");
    mkdirSync(nested, { recursive: true });
    writeFileSync(path.join(nested, "job.py"), BATCH_FILE);
    git(nested, "init", "-q");
    git(nested, "add", "-A");
    git(nested, "commit", "-qm", "nested");
    for (const edited of ["modules/lib/lib.py", "wt/main.py", "tools/nested/job.py"]) {
      const file = path.join(dir, edited);
      const original = readFileSync(file, "utf8");
      writeFileSync(file, `${original}# local edit\n`);
      const { code, err } = await run(dir, "apply", "--to", "shim", "--write");
      expect(code, edited).toBe(2);
      expect(err).toContain(`uncommitted changes in ${edited}`);
      expect(readFileSync(file, "utf8")).toBe(`${original}# local edit\n`);
      writeFileSync(file, original);
    }
    // All clean again: every file, in every repository, is rewritten.
    expect((await run(dir, "apply", "--to", "shim", "--write")).code).toBe(0);
    for (const file of ["main.py", "modules/lib/lib.py", "wt/main.py", "tools/nested/job.py"])
      expect(readFileSync(path.join(dir, file), "utf8"), file).toContain(REWRITTEN);
  });

  it("refuses the write when git cannot answer: a broken .git, and a repository another user owns", async () => {
    const broken = tempDir();
    writeFileSync(path.join(broken, "submit.py"), BATCH_FILE);
    writeFileSync(path.join(broken, ".git"), `gitdir: ${path.join(broken, "missing")}\n`);
    const first = await run(broken, "apply", "--to", "shim", "--write");
    expect(first.code).toBe(2);
    expect(first.err).toContain("refusing to write: git could not tell whether");
    expect(readFileSync(path.join(broken, "submit.py"), "utf8")).toBe(BATCH_FILE);

    if (process.getuid?.() !== 0) return;
    const foreign = committedRepository({ "submit.py": BATCH_FILE });
    execFileSync("chown", ["-R", "4242:4242", foreign]);
    const second = await run(foreign, "apply", "--to", "shim", "--write");
    expect(second.code).toBe(2);
    expect(second.err).toContain("dubious ownership");
    expect(readFileSync(path.join(foreign, "submit.py"), "utf8")).toBe(BATCH_FILE);
    expect(statSync(path.join(foreign, "submit.py")).uid).toBe(4242);
  });

  it("keeps a UTF-8 BOM, the file's mode and its owner", async () => {
    const dir = committedRepository({ "submit.py": `\uFEFF${BATCH_FILE}` });
    chmodSync(path.join(dir, "submit.py"), 0o751);
    if (process.getuid?.() === 0) chownSync(path.join(dir, "submit.py"), 4243, 4244);
    git(dir, "add", "-A");
    git(dir, "commit", "-qm", "mode");
    // The file belongs to someone else now, which git itself does not mind (the folder is ours).
    expect((await run(dir, "apply", "--to", "shim", "--write")).code).toBe(0);
    const bytes = readFileSync(path.join(dir, "submit.py"));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString("utf8")).toContain(REWRITTEN);
    const stats = statSync(path.join(dir, "submit.py"));
    expect(stats.mode & 0o7777).toBe(0o751);
    if (process.getuid?.() === 0) expect([stats.uid, stats.gid]).toEqual([4243, 4244]);
    expect(existsSync(path.join(dir, "submit.py"))).toBe(true);
  });
});
