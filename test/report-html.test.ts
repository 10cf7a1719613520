import { existsSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { runReportCommand } from "../src/commands/report.js";
import { FORMATS } from "../src/report/formats/index.js";
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

const CHROMIUM = "/usr/bin/chromium";

describe.skipIf(!existsSync(CHROMIUM))("HTML report in headless Chromium", () => {
  it("renders its charts and tables, sorts and filters, with no console errors and no network", async () => {
    const { chromium } = await import("playwright-core");
    const { report } = await runReportCommand(
      { paths: ["fixtures/projects/video-pipeline"], target: "all", format: "json" },
      quietIO(),
    );
    const file = path.join(tmpdir(), `migrate-report-${process.pid}.html`);
    writeFileSync(file, FORMATS.html(report));
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
      ],
    });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      page.on("console", (message) => message.type() === "error" && problems.push(message.text()));
      page.on("pageerror", (error) => problems.push(error.message));
      page.on("request", (request) => !request.url().startsWith("file:") && requests.push(request.url()));
      await page.goto(pathToFileURL(file).href);

      expect(await page.locator("#cost-chart rect").count()).toBeGreaterThan(0);
      expect(await page.locator("#readiness-chart rect").count()).toBeGreaterThan(0);
      const chartBox = await page.locator("#cost-chart").boundingBox();
      expect(chartBox?.width).toBeGreaterThan(100);

      const names = () => page.locator("#workloads tbody tr td:first-child").allTextContents();
      const before = await names();
      expect(before.length).toBe(report.workloads!.length);
      await page.locator("#workloads th").first().click();
      await page.locator("#workloads th").first().click();
      expect(await names()).toEqual([...before].sort().reverse());

      const allGaps = await page.locator("#gaps tbody tr").count();
      await page.locator('input[data-table="gaps"]').fill("evaluate-on-exit");
      const visible = await page.locator("#gaps tbody tr:not([hidden])").allTextContents();
      expect(visible.length).toBeGreaterThan(0);
      expect(visible.length).toBeLessThan(allGaps);
      expect(visible.every((row) => row.includes("evaluate-on-exit"))).toBe(true);

      expect(problems).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
      rmSync(file);
    }
  });
});
