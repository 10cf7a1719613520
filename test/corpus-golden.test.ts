import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runReportCommand } from "../src/commands/report.js";
import type { CommandIO } from "../src/commands/io.js";
import { FORMATS } from "../src/report/formats/index.js";

/*
 * Golden reports of two development-corpus repositories, one CloudFormation and one Terraform, checked by hand
 * (docs/report.md#golden-reports). They hold our output only; the corpus itself is never copied here.
 */
const CORPUS = path.resolve(import.meta.dirname, "../../corpus");
const REPOS = ["aws-batch-runtime-monitoring", "ex-aws-batch"];

function quietIO(): CommandIO {
  const sink = { write: () => true, isTTY: false } as unknown as CommandIO["stdout"];
  return {
    stdout: sink,
    stderr: sink,
    cwd: CORPUS,
    env: { SOURCE_DATE_EPOCH: String(Date.parse("2026-12-01T00:00:00Z") / 1000) },
  };
}

describe.skipIf(!existsSync(CORPUS))("golden reports of corpus repositories", () => {
  it.each(REPOS)("%s renders like its hand-checked markdown", async (repo) => {
    const { report } = await runReportCommand({ paths: [repo], target: "all", format: "json" }, quietIO());
    await expect(FORMATS.markdown(report)).toMatchFileSnapshot(`../fixtures/reports/corpus/${repo}.md`);
  });
});
