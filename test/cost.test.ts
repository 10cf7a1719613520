import { readdirSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runReportCommand } from "../src/commands/report.js";
import { loadUsageFile } from "../src/cost/usage.js";
import { loadPriceBook } from "../src/cost/prices.js";
import { roundUpToFargateSize } from "../src/cost/fargate-sizes.js";
import type { Report } from "../src/report/model.js";
import { costText, priceSourcesText, quantityText, unitPriceText } from "../src/report/view.js";
import type { CommandIO } from "../src/commands/io.js";

function quietIO(): CommandIO {
  const sink = { write: () => true, isTTY: false } as unknown as CommandIO["stdout"];
  return {
    stdout: sink,
    stderr: sink,
    cwd: path.resolve(import.meta.dirname, ".."),
    env: { SOURCE_DATE_EPOCH: String(Date.parse("2026-11-22T00:00:00Z") / 1000) },
  };
}

const ROOT = path.resolve(import.meta.dirname, "..");
const CASES = readdirSync(path.join(ROOT, "fixtures/cost"));

function estimateMarkdown(report: Report): string {
  const lines = report.cost!.lines.map(
    (l) =>
      `| ${[l.workload, l.scenario, l.platform, l.description, quantityText(l), unitPriceText(l), costText(l), l.assumption, priceSourcesText(l)].join(" | ")} |`,
  );
  return [
    "| workload | scenario | platform | what | quantity | unit price | cost | assumption | price source (date) |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...lines,
    "",
  ].join("\n");
}

describe.each(CASES)("cost case %s", (name) => {
  const dir = `fixtures/cost/${name}`;
  const expected = JSON.parse(readFileSync(path.join(ROOT, dir, "expected.json"), "utf8")) as {
    monthly: Record<string, number | null>;
  };

  it("matches the hand-checked monthly totals and its golden estimate", async () => {
    const { report } = await runReportCommand(
      { paths: [dir], usageFile: `${dir}/usage.yml`, target: "all", format: "json" },
      quietIO(),
    );
    for (const [platform, amount] of Object.entries(expected.monthly)) {
      const total = report.cost!.totals.find(
        (t) => t.platform === platform && t.scenario === "monthly" && t.workload === undefined,
      )!;
      if (amount === null) expect(total.unpricedLines, `${platform} has no price`).toBeGreaterThan(0);
      else {
        expect(total.unpricedLines).toBe(0);
        expect(total.cost).toBeCloseTo(amount, 5);
      }
    }
    await expect(estimateMarkdown(report)).toMatchFileSnapshot(`../${dir}/estimate.md`);
  });
});

describe("usage file", () => {
  function withFile(text: string, run: (file: string) => void) {
    const file = path.join(tmpdir(), `migrate-usage-${process.pid}-${Math.random().toString(36).slice(2)}.yml`);
    writeFileSync(file, text);
    try {
      run(file);
    } finally {
      rmSync(file);
    }
  }

  it("names the file, the field and the fix for a misspelt key", () => {
    withFile("job_definitions:\n  video-transcode:\n    jobs_per_mont: 3\n", (file) => {
      expect(() => loadUsageFile(file)).toThrowError(
        expect.objectContaining({
          exitCode: 2,
          message: expect.stringContaining(
            `${file}: job_definitions.video-transcode must NOT have additional properties`,
          ),
          hint: expect.stringContaining('remove "jobs_per_mont"'),
        }),
      );
    });
  });

  it("rejects an unknown Salad priority with the allowed values", () => {
    withFile("job_definitions:\n  a:\n    salad_priority: cheapest\n", (file) => {
      expect(() => loadUsageFile(file)).toThrowError(
        expect.objectContaining({ hint: "use one of: high, medium, low, batch" }),
      );
    });
  });
});

describe("prices", () => {
  it("keeps a source and a date on every bundled row", () => {
    const book = loadPriceBook();
    for (const source of Object.values(book)) {
      for (const row of source.rows)
        expect(row.source && row.date, `${source.id} row ${JSON.stringify(row)}`).toBeTruthy();
    }
  });

  it("replaces a whole table from --prices-file and refuses rows without a date", () => {
    const file = path.join(tmpdir(), `prices-${process.pid}.json`);
    writeFileSync(
      file,
      JSON.stringify({
        salad: [
          {
            kind: "cpu",
            name: "vCPU",
            vram_gb: "",
            usd_hour_high: "",
            usd_hour_medium: "",
            usd_hour_low: "",
            usd_hour_batch: 0.005,
            source: "test",
            date: "2026-11-01",
          },
        ],
      }),
    );
    try {
      const book = loadPriceBook(file);
      expect(book.salad.price({ kind: "cpu" })?.value).toBe(0.005);
      expect(book.salad.price({ kind: "ram" })).toBeUndefined();
      writeFileSync(file, JSON.stringify({ salad: [{ kind: "cpu", source: "test" }] }));
      expect(() => loadPriceBook(file)).toThrowError(/must have required property 'date'/);
    } finally {
      rmSync(file);
    }
  });

  it("rounds jobs up to valid Fargate sizes", () => {
    expect(roundUpToFargateSize(1, 3)).toEqual({ vcpus: 1, memoryGb: 3 });
    expect(roundUpToFargateSize(0.3, 1)).toEqual({ vcpus: 0.5, memoryGb: 1 });
    expect(roundUpToFargateSize(2, 17)).toEqual({ vcpus: 4, memoryGb: 17 });
    expect(roundUpToFargateSize(8, 61)).toEqual({ vcpus: 16, memoryGb: 64 });
    expect(roundUpToFargateSize(16, 121)).toBeUndefined();
  });
});
