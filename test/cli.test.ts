import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli.js";
import type { CommandIO } from "../src/commands/io.js";
import type { Report } from "../src/report/model.js";

const SAMPLE = path.join(import.meta.dirname, "../fixtures/projects/video-pipeline");

function capture(isTTY = false): CommandIO & { out: () => string; err: () => string } {
  const stdout = Object.assign(new PassThrough(), { isTTY });
  const stderr = Object.assign(new PassThrough(), { isTTY: false });
  let out = "";
  let err = "";
  stdout.on("data", (chunk) => (out += chunk));
  stderr.on("data", (chunk) => (err += chunk));
  return { stdout, stderr, cwd: process.cwd(), env: { CI: "1" }, out: () => out, err: () => err };
}

function tempProject(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "migrate-cli-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe("migrate scan", () => {
  it("writes the JSON report when piped, and the coverage line on stderr", async () => {
    const io = capture(false);
    expect(await main(["scan", SAMPLE], io)).toBe(0);
    const report = JSON.parse(io.out()) as Report;
    expect(report.version).toBe(1);
    expect(report.findings.some((f) => f.operation === "SubmitJob" && f.path === "pipeline/submit.py")).toBe(true);
    expect(io.err()).toMatch(/^\d+ files; \d+ call sites: \d+ shim-ready/m);
    expect(io.err()).toMatch(/\(\d+(\.\d+)? m?s\)\n$/);
  });

  it("prints a table on a terminal", async () => {
    const io = capture(true);
    expect(await main(["scan", SAMPLE], io)).toBe(0);
    expect(io.out()).toMatch(/^location\s+category\s+rule/);
    expect(io.out()).toContain("pipeline/submit.py:17:");
  });

  it("sorts findings by path, line and column", async () => {
    const io = capture();
    await main(["scan", SAMPLE, "--format", "json"], io);
    const keys = (JSON.parse(io.out()) as Report).findings.map((f) => [f.path, f.line, f.column] as const);
    const sorted = [...keys].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1] || a[2] - b[2]));
    expect(keys).toEqual(sorted);
  });

  it("exits 1 when a finding is at or above --fail-on", async () => {
    expect(await main(["scan", SAMPLE, "--format", "json", "--fail-on", "mandatory"], capture())).toBe(1);
  });

  it("exits 0 with --fail-on when nothing reaches the threshold", async () => {
    const dir = tempProject({ "clean.py": "import boto3\ns3 = boto3.client('s3')\n" });
    expect(await main(["scan", dir, "--fail-on", "potential"], capture())).toBe(0);
  });

  it("exits 3 and reports a parse-error finding when a file does not parse", async () => {
    const dir = tempProject({ "broken.py": "import boto3\nc = boto3.client('batch')\ndef f(:\n  c.submit_job()\n" });
    const io = capture();
    expect(await main(["scan", dir, "--format", "json"], io)).toBe(3);
    const report = JSON.parse(io.out()) as Report;
    expect(report.findings.map((f) => f.kind)).toContain("parse-error");
    expect(report.findings.map((f) => f.kind)).toContain("py-client");
  });

  it("skips a binary file and a file over the size limit with a note", async () => {
    const dir = tempProject({
      "blob.py": "batch\u0000\u0001",
      "huge.py": `import boto3\nc = boto3.client('batch')\n${"# padding\n".repeat(200)}`,
    });
    const io = capture();
    expect(await main(["scan", dir, "--format", "json", "--max-file-size", "500"], io)).toBe(0);
    const skipped = (JSON.parse(io.out()) as Report).coverage.skipped;
    expect(skipped.map((s) => [s.path, s.reason])).toEqual([
      ["blob.py", "binary"],
      ["huge.py", "too-large"],
    ]);
    expect(skipped[1]!.hint).toMatch(/--max-file-size/);
  });

  it("honours .migrateignore and --exclude", async () => {
    const dir = tempProject({
      ".migrateignore": "generated.py\n",
      "generated.py": "import boto3\nboto3.client('batch')\n",
      "legacy.py": "import boto3\nboto3.client('batch')\n",
      "kept.py": "import boto3\nboto3.client('batch')\n",
    });
    const io = capture();
    await main(["scan", dir, "--format", "json", "--exclude", "legacy.py"], io);
    expect((JSON.parse(io.out()) as Report).findings.map((f) => f.path)).toEqual(["kept.py"]);
  });

  it("applies nested .gitignore file patterns and negations, and notes nothing about ignored files", async () => {
    const call = "import boto3\nboto3.client('batch')\n";
    const dir = tempProject({
      ".gitignore": "*_gen.py\n!keep_gen.py\nbuild/\n",
      "jobs/.gitignore": "local.py\n",
      "a_gen.py": call,
      "keep_gen.py": call,
      "build/out.py": call,
      "jobs/local.py": call,
      "jobs/local.py.bak": call,
      "jobs/run.py": call,
      "jobs/blob_gen.py": "batch\u0000",
    });
    const io = capture();
    await main(["scan", dir, "--format", "json"], io);
    const report = JSON.parse(io.out()) as Report;
    expect([...new Set(report.findings.map((f) => f.path))]).toEqual(["jobs/run.py", "keep_gen.py"]);
    expect(report.coverage.skipped).toEqual([]);
  });

  it("scans a file named on the command line even when an ignore file names it", async () => {
    const dir = tempProject({ ".gitignore": "*_gen.py\n", "a_gen.py": "import boto3\nboto3.client('batch')\n" });
    const io = capture();
    await main(["scan", path.join(dir, "a_gen.py"), "--format", "json"], io);
    expect((JSON.parse(io.out()) as Report).findings.map((f) => f.path)).toContain("a_gen.py");
  });

  it("writes to --output instead of stdout", async () => {
    const dir = tempProject({});
    const target = path.join(dir, "report.json");
    const io = capture();
    await main(["scan", SAMPLE, "--format", "json", "-o", target], io);
    expect(io.out()).toBe("");
    expect((JSON.parse(readFileSync(target, "utf8")) as Report).findings.length).toBeGreaterThan(0);
  });

  it("exits 2 with a hint for a path that does not exist", async () => {
    const io = capture();
    expect(await main(["scan", "no/such/folder"], io)).toBe(2);
    expect(io.err()).toMatch(/no such file or folder: no\/such\/folder\nhint: /);
  });

  it("exits 2 for an unknown format or option", async () => {
    const unknownFormat = capture();
    expect(await main(["scan", SAMPLE, "--format", "yaml"], unknownFormat)).toBe(2);
    expect(unknownFormat.err()).toMatch(/unknown format "yaml"/);
    expect(await main(["scan", "--bogus"], capture())).toBe(2);
    expect(await main([], capture())).toBe(2);
  });

  it("gives the same report for the same input", async () => {
    const first = capture();
    const second = capture();
    const env = { CI: "1", SOURCE_DATE_EPOCH: "1700000000" };
    await main(["scan", SAMPLE, "--format", "json"], { ...first, env });
    await main(["scan", SAMPLE, "--format", "json"], { ...second, env });
    expect(first.out()).toBe(second.out());
  });
});

describe("migrate report", () => {
  it("exits 1 with --fail-on when findings reach the threshold, 0 without it", async () => {
    expect(await main(["report", SAMPLE, "--format", "json", "--fail-on", "mandatory"], capture())).toBe(1);
    const io = capture();
    expect(await main(["report", SAMPLE, "--format", "json"], io)).toBe(0);
    expect((JSON.parse(io.out()) as Report).findings.length).toBeGreaterThan(0);
  });
});
