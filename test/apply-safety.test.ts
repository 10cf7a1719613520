// migrate apply never writes over work in progress, outside the root, or a file that moved under it, and a kill
// mid-write leaves the old file or the new one, never part of either.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { writeAtomically } from "../src/apply/write.js";
import { main } from "../src/cli.js";

const BATCH_FILE =
  'import boto3\n\nclient = boto3.client("batch")\nclient.submit_job(jobName="a", jobQueue="q", jobDefinition="d")\n';

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), "migrate-apply-safety-"));
}

function quietIO(cwd: string) {
  const sink = () => Object.assign(new PassThrough(), { isTTY: false });
  let err = "";
  const stderr = sink();
  stderr.on("data", (chunk) => (err += chunk));
  return { io: { stdout: sink(), stderr, cwd, env: { CI: "1" } }, err: () => err };
}

function git(cwd: string, ...args: string[]): void {
  execFileSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], { cwd, stdio: "ignore" });
}

describe("apply --write safety", () => {
  it("refuses to write over uncommitted changes, and --allow-dirty overrides it", async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "submit.py"), BATCH_FILE);
    git(dir, "init", "-q");
    git(dir, "add", "-A");
    git(dir, "commit", "-qm", "init");
    writeFileSync(path.join(dir, "submit.py"), `${BATCH_FILE}# local edit\n`);
    const refused = quietIO(dir);
    expect(await main(["apply", dir, "--to", "shim", "--write"], refused.io)).toBe(2);
    expect(refused.err()).toMatch(/uncommitted changes in submit\.py/);
    expect(readFileSync(path.join(dir, "submit.py"), "utf8")).toBe(`${BATCH_FILE}# local edit\n`);
    expect(await main(["apply", dir, "--to", "shim", "--write", "--allow-dirty"], quietIO(dir).io)).toBe(0);
    expect(readFileSync(path.join(dir, "submit.py"), "utf8")).toContain("from batch_migrate_runtime import boto3");
  });

  it("refuses a file that changed on disk since it was read", () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "a.py"), "old\n");
    const read = readFileSync(path.join(dir, "a.py"));
    writeFileSync(path.join(dir, "a.py"), "edited meanwhile\n");
    expect(writeAtomically(dir, "a.py", read, "new\n")).toEqual({
      ok: false,
      error: "changed on disk while apply ran; not written",
    });
    expect(readFileSync(path.join(dir, "a.py"), "utf8")).toBe("edited meanwhile\n");
  });

  it("refuses a path that a symlink takes outside the root", () => {
    const outside = tempDir();
    const root = tempDir();
    writeFileSync(path.join(outside, "elsewhere.py"), "x = 1\n");
    symlinkSync(path.join(outside, "elsewhere.py"), path.join(root, "linked.py"));
    const outcome = writeAtomically(root, "linked.py", readFileSync(path.join(outside, "elsewhere.py")), "x = 2\n");
    expect(outcome).toEqual({ ok: false, error: "resolves outside the root (symlink); not written" });
    expect(readFileSync(path.join(outside, "elsewhere.py"), "utf8")).toBe("x = 1\n");
  });

  it("leaves the old file or the new one whole when killed mid-write", async () => {
    const dir = tempDir();
    const size = 8 * 1024 * 1024;
    const [a, b] = ["a", "b"].map((letter) => letter.repeat(size));
    writeFileSync(path.join(dir, "big.py"), a!);
    const firstInode = statSync(path.join(dir, "big.py")).ino;
    const writer = path.join(dir, "writer.ts");
    writeFileSync(
      writer,
      `import { readFileSync } from "node:fs";
import { writeAtomically } from ${JSON.stringify(path.join(import.meta.dirname, "../src/apply/write.ts"))};
const dir = ${JSON.stringify(dir)};
for (;;) {
  const current = readFileSync(dir + "/big.py");
  writeAtomically(dir, "big.py", current, String.fromCharCode(current[0] === 97 ? 98 : 97).repeat(${size}));
}
`,
    );
    const inode = () => statSync(path.join(dir, "big.py")).ino;
    for (let round = 0; round < 5; round++) {
      const child = spawn(process.execPath, ["--import", "tsx", writer], { stdio: "ignore" });
      // Kill only once this writer has renamed a file into place, however slowly it started on a loaded machine.
      const before = inode();
      for (let waited = 0; inode() === before && waited < 20_000; waited += 20) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await new Promise((resolve) => setTimeout(resolve, round * 37));
      child.kill("SIGKILL");
      await new Promise((resolve) => child.once("exit", resolve));
      const text = readFileSync(path.join(dir, "big.py"), "utf8");
      expect(text === a || text === b).toBe(true);
    }
    // Each completed write renames a new file into place: the kills did land among real writes.
    expect(statSync(path.join(dir, "big.py")).ino).not.toBe(firstInode);
    expect(readdirSync(dir).filter((name) => name.endsWith(".tmp")).length).toBeLessThanOrEqual(5);
  }, 120_000);
});
