// Headless Chromium (Debian's /usr/bin/chromium) for the HTML reports' layout checks.
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { expect } from "vitest";

export const CHROMIUM = "/usr/bin/chromium";
export const HAVE_CHROMIUM = existsSync(CHROMIUM);

export interface Layout {
  width: number;
  /** The page's scroll width and the viewport's: the page scrolls sideways when the first is larger. */
  page: number;
  viewport: number;
  /** Top-level elements reaching past the viewport's right edge. */
  wide: string[];
  /** Console errors and uncaught exceptions. */
  problems: string[];
  /** The text of `#headline`. */
  headline: string | null;
}

/** Opens an HTML file at each viewport width and measures what overflows; screenshots when given a path per width. */
export async function measureLayout(
  file: string,
  widths: readonly number[],
  screenshot?: (width: number) => string,
): Promise<Layout[]> {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu"],
  });
  const layouts: Layout[] = [];
  try {
    for (const width of widths) {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      const problems: string[] = [];
      page.on("console", (message) => message.type() === "error" && problems.push(message.text()));
      page.on("pageerror", (error) => problems.push(error.message));
      await page.goto(pathToFileURL(file).href);
      if (screenshot) await page.screenshot({ path: screenshot(width), fullPage: true });
      const overflow = await page.evaluate(() => ({
        page: document.documentElement.scrollWidth,
        viewport: document.documentElement.clientWidth,
        wide: [...document.querySelectorAll("body > *")]
          .filter((element) => element.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
          .map((element) => element.tagName + (element.id ? `#${element.id}` : "")),
      }));
      layouts.push({ width, ...overflow, problems, headline: await page.locator("#headline").textContent() });
      await page.close();
    }
  } finally {
    await browser.close();
  }
  return layouts;
}

/** At 1,280 px and 390 px: no element past the right edge, no sideways scroll, no console error. */
export async function expectLayoutHolds(file: string, screenshot?: (width: number) => string): Promise<Layout[]> {
  const layouts = await measureLayout(file, [1280, 390], screenshot);
  for (const layout of layouts) {
    expect(layout.wide, `elements wider than ${layout.width} px`).toEqual([]);
    expect(layout.page, `page scrolls sideways at ${layout.width} px`).toBeLessThanOrEqual(layout.viewport);
    expect(layout.problems).toEqual([]);
  }
  return layouts;
}
