import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseMigrateConfig } from "../src/apply/config.js";
import { singleFileFindings, transformText } from "../src/apply/runner.js";
import type { MigrationTarget } from "../src/apply/transform.js";
import { TRANSFORMS } from "../transforms/index.js";

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/transforms");
/** `MIGRATE_UPDATE_FIXTURES=1 npx vitest run test/transforms.test.ts` writes missing outputs for review. */
const UPDATE = process.env.MIGRATE_UPDATE_FIXTURES === "1";

interface CaseOptions {
  target?: MigrationTarget;
  config?: unknown;
}

function casesOf(id: string): { name: string; input: string; output: string; options: CaseOptions }[] {
  const dir = path.join(FIXTURES, id);
  return readdirSync(dir)
    .filter((file) => /\.input\.\w+$/.test(file))
    .sort()
    .map((file) => {
      const name = file.replace(/\.input\.\w+$/, "");
      const extension = path.extname(file);
      const optionsFile = path.join(dir, `${name}.options.json`);
      return {
        name,
        input: path.join(dir, file),
        output: path.join(dir, `${name}.output${extension}`),
        options: existsSync(optionsFile) ? (JSON.parse(readFileSync(optionsFile, "utf8")) as CaseOptions) : {},
      };
    });
}

async function run(
  id: string,
  file: string,
  text: string,
  options: CaseOptions,
): Promise<{ status: string; output: string }> {
  const transform = TRANSFORMS.find((t) => t.id === id)!;
  const relPath = path.basename(file);
  return transformText(relPath, text, {
    transforms: [transform],
    target: options.target ?? "common-compute",
    config: options.config ? parseMigrateConfig(JSON.stringify(options.config), "migrate.config.json") : undefined,
    findingsOf: singleFileFindings(path.dirname(file)),
  });
}

describe.each(TRANSFORMS.map((t) => t.id))("%s", (id) => {
  const cases = casesOf(id);

  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, testCase) => {
    const input = readFileSync(testCase.input, "utf8");
    const result = await run(id, testCase.input, input, testCase.options);
    expect(result.status).not.toBe("failed");
    if (UPDATE && !existsSync(testCase.output)) writeFileSync(testCase.output, result.output);
    expect(result.output).toBe(readFileSync(testCase.output, "utf8"));
    const again = await run(id, testCase.output, result.output, testCase.options);
    expect(again.output).toBe(result.output);
  });

  it("has a no-op case, a CRLF case and a tabs case", () => {
    const names = cases.map((c) => c.name);
    expect(
      cases.some((c) => readFileSync(c.input, "utf8") === (existsSync(c.output) ? readFileSync(c.output, "utf8") : "")),
    ).toBe(true);
    expect(names.some((name) => name.includes("crlf"))).toBe(true);
    expect(names.some((name) => name.includes("tabs"))).toBe(true);
  });
});
