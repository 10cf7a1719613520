// Config, usage and price files that are missing, empty, or of the wrong type or shape: exit 2, a message that
// names the file (and the field where there is one) and a hint, and never a stack trace.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { main } from "../src/cli.js";

const SAMPLE = path.join(import.meta.dirname, "../fixtures/projects/video-pipeline");
const PYTHON_SITE =
  'import boto3\nclient = boto3.client("batch")\nclient.submit_job(jobName="a", jobQueue="q", jobDefinition="d")\n';

interface Case {
  /** The file to write (relative to a fresh folder), and its content; no content means the file is missing. */
  file: string;
  content?: string;
  /** The command, with {dir} and {file} standing for the folder and the file. */
  argv: string[];
  /** What the message must name besides the file. */
  mentions?: RegExp;
}

const CASES: Record<string, Case> = {
  "usage file missing": { file: "usage.yml", argv: ["report", SAMPLE, "--format", "json", "--usage-file", "{file}"] },
  "usage file empty": {
    file: "usage.yml",
    content: "",
    argv: ["report", SAMPLE, "--format", "json", "--usage-file", "{file}"],
  },
  "usage file of the wrong type": {
    file: "usage.yml",
    content: "- just\n- a list\n",
    argv: ["report", SAMPLE, "--format", "json", "--usage-file", "{file}"],
  },
  "usage field of the wrong type": {
    file: "usage.yml",
    content: 'version: 1\njob_definitions:\n  video-merge:\n    jobs_per_month: "many"\n',
    argv: ["report", SAMPLE, "--format", "json", "--usage-file", "{file}"],
    mentions: /jobs_per_month/,
  },
  "prices file missing": {
    file: "prices.json",
    argv: ["report", SAMPLE, "--format", "json", "--prices-file", "{file}"],
  },
  "prices file empty": {
    file: "prices.json",
    content: "",
    argv: ["report", SAMPLE, "--format", "json", "--prices-file", "{file}"],
  },
  "prices file of the wrong shape": {
    file: "prices.json",
    content: '{"salad": "cheap"}',
    argv: ["report", SAMPLE, "--format", "json", "--prices-file", "{file}"],
  },
  "migrate.config.json empty": { file: "migrate.config.json", content: "", argv: ["apply", "{dir}", "--to", "native"] },
  "migrate.config.json of the wrong type": {
    file: "migrate.config.json",
    content: "[1, 2, 3]",
    argv: ["apply", "{dir}", "--to", "native"],
  },
};

function capture(cwd: string) {
  const sink = () => Object.assign(new PassThrough(), { isTTY: false });
  const stderr = sink();
  let err = "";
  stderr.on("data", (chunk) => (err += chunk));
  return { io: { stdout: sink(), stderr, cwd, env: { CI: "1" } }, err: () => err };
}

describe("bad config, usage and price files", () => {
  it.each(Object.entries(CASES))("%s", async (_name, testCase) => {
    const dir = mkdtempSync(path.join(tmpdir(), "migrate-bad-config-"));
    writeFileSync(path.join(dir, "submit.py"), PYTHON_SITE);
    const file = path.join(dir, testCase.file);
    if (testCase.content !== undefined) writeFileSync(file, testCase.content);
    const argv = testCase.argv.map((arg) => arg.replace("{dir}", dir).replace("{file}", file));
    const { io, err } = capture(dir);
    expect(await main(argv, io)).toBe(2);
    expect(err()).toContain(path.basename(testCase.file));
    expect(err()).toMatch(/\nhint: \S/);
    if (testCase.mentions) expect(err()).toMatch(testCase.mentions);
    expect(err()).not.toMatch(/\n\s+at /);
  });
});
