// `report --merge` over the reports of every corpus repository: a valid report, the sum of its parts, a markdown
// that fits a pull-request body and an HTML page that holds on a laptop and a phone. Needs ../corpus.
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FORMATS } from "../src/report/formats/index.js";
import { MARKDOWN_LIMIT } from "../src/report/formats/markdown.js";
import type { Report } from "../src/report/model.js";
import { expectLayoutHolds, HAVE_CHROMIUM } from "./support/chromium.js";
import { expectSumOfParts, mergeOf } from "./support/merge.js";
import { validateReport, validateSarif } from "./support/schema.js";

const CORPUS = path.resolve(import.meta.dirname, "../../corpus");

describe.skipIf(!existsSync(CORPUS))("report --merge of every corpus repository", () => {
  const work = mkdtempSync(path.join(tmpdir(), "migrate-merge-corpus-"));
  let parts: Map<string, Report>;
  let merged: Report;
  beforeAll(async () => {
    const repositories = readdirSync(CORPUS).filter((name) => statSync(path.join(CORPUS, name)).isDirectory());
    ({ parts, merged } = await mergeOf(repositories, work, CORPUS));
  }, 900_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("writes a report the schema accepts, whose totals are the sum of its parts", () => {
    expect(parts.size).toBeGreaterThan(1);
    const validate = validateReport();
    expect(validate(merged), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
    expectSumOfParts(merged, parts);
  });

  it("writes markdown that fits a pull-request body and SARIF the SARIF schema accepts", () => {
    const markdown = FORMATS.markdown(merged);
    expect(markdown.length).toBeLessThanOrEqual(MARKDOWN_LIMIT);
    expect(markdown).toContain(`| **all ${parts.size} repositories** |`);
    const validate = validateSarif();
    const sarif = JSON.parse(FORMATS.sarif(merged)) as unknown;
    expect(validate(sarif), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
  });

  it.skipIf(!HAVE_CHROMIUM)(
    "renders HTML that holds at 1,280 px and 390 px with no console errors",
    async () => {
      const file = path.join(work, "org.html");
      writeFileSync(file, FORMATS.html(merged));
      await expectLayoutHolds(file);
    },
    120_000,
  );
});
