// Hostile files for the scanners, each generated here (none is committed) and each at most 1 MB: every one is
// handled in bounded time, or becomes a `scan/timeout` finding at the file's budget, and the files beside it are
// still scanned. Time bounds are loose (the machines that run this are shared); the algorithms they guard against
// took from ten seconds to hours on these inputs.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { scanTree } from "../../src/core/scan.js";
import { isSuppressedAt } from "../../src/core/suppression.js";
import { SCANNERS } from "../../src/scanners/index.js";
import javascript from "../../src/scanners/javascript/index.js";
import python from "../../src/scanners/python/index.js";

const MB = 1_000_000;
/** Wall time one hostile input may take on its own. */
const BOUND_MS = 2000;

/** `unit` repeated to `bytes`, after `head`. */
function repeatTo(head: string, unit: string, bytes = MB): string {
  return head + unit.repeat(Math.floor((bytes - head.length) / unit.length));
}

function timed<T>(work: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = work();
  return { value, ms: performance.now() - started };
}

async function timedAsync<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A folder holding the given files. */
function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "migrate-attack-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const GOOD_TF = 'resource "aws_batch_job_queue" "good" {\n  name     = "good-queue"\n  priority = 1\n}\n';

describe("prefilters and suppression run in linear time", () => {
  const cases: [string, () => boolean][] = [
    ["python: batch then aws × N", () => python.prefilter(repeatTo("batch", "aws"), "x.py")],
    ["python: batch then AWS × N", () => python.prefilter(repeatTo("batch ", "AWS"), "x.py")],
    [
      "python: one quoted batch after a word of keywords",
      () => python.prefilter(repeatTo("batch", "aws") + '("batch")', "x.py"),
    ],
    ["python helpers: def then client × N", () => python.context!(repeatTo("def ", "client"), "x.py")],
    ["javascript: boto3 batch then client × N", () => javascript.prefilter(repeatTo("boto3 batch ", "client"), "x.js")],
    ["javascript barrels: export { × N", () => javascript.context!(repeatTo("", "export {"), "x.js")],
    ["suppression: # × N after the marker", () => isSuppressedAt([repeatTo("x = 1  migrate-ignore", "#", 100_000)], 1)],
    ["suppression: // × N before no marker", () => isSuppressedAt(["", repeatTo("", "//", 100_000)], 1)],
  ];
  it.each(cases)("%s", (_name, check) => {
    const { ms } = timed(check);
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it("still finds what the patterns found", () => {
    expect(python.prefilter('import boto3\nc = boto3.client("batch")\n', "x.py")).toBe(true);
    expect(python.prefilter("s = make_aws_client_for_region( 'batch')\n", "x.py")).toBe(true);
    expect(python.prefilter('SERVICE = "batch"\n', "x.py")).toBe(true);
    expect(python.prefilter("aws" + "x".repeat(70) + '("batch")\n', "x.py")).toBe(false);
    expect(python.context!("def get_client(name):\n    pass\n", "x.py")).toBe(true);
    expect(javascript.prefilter('const code = `import boto3\\nc = boto3.client(\\"batch\\")`;\n', "x.js")).toBe(true);
    expect(javascript.context!('export { a, b } from "./a";\n', "x.js")).toBe(true);
    expect(javascript.context!('export * from "./a";\n', "x.js")).toBe(true);
    expect(javascript.context!("export { a };\nconst from = 1;\n", "x.js")).toBe(false);
    expect(isSuppressedAt(['c = boto3.client("batch")  # migrate-ignore'], 1)).toBe(true);
    expect(isSuppressedAt(["// migrate-ignore: legacy", "x"], 2)).toBe(true);
    expect(isSuppressedAt(['c = boto3.client("batch")  # migrate-ignore'], 2)).toBe(false);
    expect(isSuppressedAt(["migrate-ignore # not before the comment"], 1)).toBe(false);
  });
});

describe("scanners on hostile files", () => {
  it("a suppression line of 100 KB does not stall the scan", async () => {
    const dir = tree({ "s.py": `import boto3\nc = boto3.client("batch")  migrate-ignore${"#".repeat(100_000)}\n` });
    const { value: scan, ms } = await timedAsync(() => scanTree({ root: dir, scanners: SCANNERS }));
    expect(ms).toBeLessThan(BOUND_MS * 2);
    expect(scan.findings.some((f) => f.kind === "py-client")).toBe(true);
  });

  it("a notebook with tens of thousands of source lines keeps each line's place", async () => {
    const source = ["import boto3\n", 'batch = boto3.client("batch")\n'];
    for (let i = 0, length = 0; length < 600_000; i++) length += source[source.push(`x${i} = ${i}\n`) - 1]!.length;
    source.push('batch.submit_job(jobName="j", jobQueue="q", jobDefinition="d")\n');
    const notebook = JSON.stringify({ cells: [{ cell_type: "code", source }] }, null, 1);
    expect(notebook.length).toBeLessThan(MB);
    const dir = tree({ "n.ipynb": notebook });
    const scan = await scanTree({ root: dir, scanners: SCANNERS, fileTimeoutMs: BOUND_MS * 2 });
    const call = scan.findings.find((f) => f.kind === "py-call");
    const timedOut = scan.findings.some((f) => f.ruleId === "scan/timeout");
    if (!timedOut) {
      expect(call).toBeDefined();
      expect(notebook.split("\n")[call!.line - 1]).toContain("submit_job");
    }
  }, 30_000);

  it("a template literal with a hundred thousand substitutions", async () => {
    const code = repeatTo(
      'import { BatchClient } from "@aws-sdk/client-batch";\nconst a = 1;\nconst t = `',
      "'${a}",
      MB / 2,
    );
    const dir = tree({ "t.ts": `${code}\`;\n` });
    const { value: scan, ms } = await timedAsync(() => scanTree({ root: dir, scanners: SCANNERS }));
    expect(scan.findings.some((f) => f.kind === "js-v3-import")).toBe(true);
    expect(ms).toBeLessThan(BOUND_MS * 5);
  }, 30_000);

  it("a Step Functions template with thousands of batch:submitJob scalars", async () => {
    const yaml = repeatTo(
      "Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      L:\n",
      "        - arn:aws:states:::batch:submitJob\n",
      MB / 2,
    );
    const dir = tree({ "sfn.yaml": yaml });
    const { value: scan, ms } = await timedAsync(() =>
      scanTree({ root: dir, scanners: SCANNERS, fileTimeoutMs: BOUND_MS }),
    );
    const tasks = scan.findings.filter((f) => f.kind === "sfn-task").length;
    expect(tasks > 10_000 || scan.findings.some((f) => f.ruleId === "scan/timeout")).toBe(true);
    // The YAML parse itself is not interruptible: the bound is the parse plus the budget.
    expect(ms).toBeLessThan(BOUND_MS * 5);
  }, 30_000);

  it("a .tf.json with tens of thousands of resources", async () => {
    const queues: Record<string, object> = {};
    // Each entry is about 40 bytes of JSON.
    for (let i = 0; i < 24_000; i++) queues[`q${i}`] = { name: `q${i}`, priority: 1 };
    const dir = tree({ "main.tf.json": JSON.stringify({ resource: { aws_batch_job_queue: queues } }) });
    const { value: scan, ms } = await timedAsync(() => scanTree({ root: dir, scanners: SCANNERS }));
    const resources = scan.findings.filter((f) => f.kind === "tf-resource");
    expect(resources.length).toBe(Object.keys(queues).length);
    expect(ms).toBeLessThan(BOUND_MS * 5);
  }, 30_000);

  it("ten thousand nested template strings lose no Terraform findings", async () => {
    let template = '"x"';
    for (let i = 0; i < 10_000; i++) template = `"\${${template}}"`;
    const nested = `resource "aws_batch_job_queue" "q" {\n  name = ${template}\n}\n`;
    const dir = tree({ "a-nested.tf": nested, "b-good.tf": GOOD_TF });
    const scan = await scanTree({ root: dir, scanners: SCANNERS });
    expect(scan.coverage.scannerErrors).toEqual([]);
    expect(scan.findings.filter((f) => f.kind === "tf-resource").map((f) => f.path)).toEqual([
      "a-nested.tf",
      "b-good.tf",
    ]);
    expect(scan.findings.find((f) => f.path === "b-good.tf")!.args).toMatchObject({ name: "good-queue" });
  }, 30_000);

  it("HCL that kills hcl2json's runtime fails that file only", async () => {
    const dir = tree({
      "a-not.tf": `resource "aws_batch_job_queue" "n" {\n  state = ${"!".repeat(20_000)}true\n}\n`,
      "c-good.tf": GOOD_TF,
    });
    const scan = await scanTree({ root: dir, scanners: SCANNERS, fileTimeoutMs: BOUND_MS * 2 });
    expect(scan.coverage.scannerErrors).toEqual([]);
    const problems = scan.findings.filter((f) => f.kind === "parse-error").map((f) => f.path);
    expect(problems).toEqual(["a-not.tf"]);
    expect(scan.findings.find((f) => f.path === "c-good.tf" && f.kind === "tf-resource")!.args).toMatchObject({
      name: "good-queue",
    });
  }, 60_000);

  it("a file past its budget becomes scan/timeout, and the next file is scanned in full", async () => {
    // hcl2json takes seconds over a long file of attributes: its thread is ended at the budget.
    const slow = repeatTo('resource "aws_batch_job_queue" "slow" {\n  name = "slow"\n}\n', "a = 1\n", 700_000);
    const dir = tree({ "a-slow.tf": slow, "b-good.tf": GOOD_TF });
    const budget = 300;
    const { value: scan, ms } = await timedAsync(() =>
      scanTree({ root: dir, scanners: SCANNERS, fileTimeoutMs: budget }),
    );
    const timeout = scan.findings.find((f) => f.ruleId === "scan/timeout");
    expect(timeout).toMatchObject({ path: "a-slow.tf", kind: "parse-error" });
    expect(timeout!.message).toContain(`${budget} ms`);
    // The block is still located from the text.
    expect(scan.findings.some((f) => f.path === "a-slow.tf" && f.kind === "tf-resource")).toBe(true);
    expect(scan.findings.find((f) => f.path === "b-good.tf")!.args).toMatchObject({ name: "good-queue" });
    expect(ms).toBeLessThan(BOUND_MS * 4);
  }, 60_000);

  it("tree-sitter stops at the budget", async () => {
    const big = repeatTo('import boto3\nc = boto3.client("batch")\n', "def f(a):\n    return [a, (a, {a: a})]\n");
    const dir = tree({ "big.py": big, "small.py": 'import boto3\nboto3.client("batch").list_jobs(jobQueue="q")\n' });
    const scan = await scanTree({ root: dir, scanners: SCANNERS, fileTimeoutMs: 50 });
    expect(scan.findings.filter((f) => f.ruleId === "scan/timeout").map((f) => f.path)).toContain("big.py");
    expect(scan.findings.filter((f) => f.path === "small.py").map((f) => f.kind)).toEqual(["py-client", "py-call"]);
  }, 30_000);
});
