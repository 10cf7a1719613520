import { describe, expect, it } from "vitest";
import { htmlText, markdownText, pathUrl, visible } from "../src/report/escape.js";
import { FORMATS } from "../src/report/formats/index.js";
import type { Report } from "../src/report/model.js";

const HOSTILE = "evil\u001b[31m|<img src=x onerror=alert(1)>*[x](http://e)\n# h\u202e.tf";

function reportNaming(name: string): Report {
  return {
    version: 1,
    tool: { name: "batch-migrate", version: "0" },
    scannedAt: "2026-01-01T00:00:00.000Z",
    root: ".",
    project: name,
    findings: [],
    inventory: {
      jobDefinitions: [
        {
          id: `job-definition:${name}#${name}`,
          kind: "job-definition",
          name,
          source: { path: name, line: 1, via: "terraform" },
          properties: {},
          unresolved: [],
        },
      ],
      jobQueues: [],
      computeEnvironments: [],
      schedulingPolicies: [],
    },
    links: [],
    coverage: { filesSeen: 1, filesRead: 1, filesParsed: 1, parseErrors: 0, skipped: [] },
  } as unknown as Report;
}

describe("repository text in every text format", () => {
  it("shows control characters and never lets markup through", () => {
    expect(visible("a\u001b[31mb\nc\u202ed")).toBe("a\\u{1b}[31mb c\\u{202e}d");
    expect(markdownText("a|b*c_[d](e)<f>`g`")).toBe("a\\|b\\*c\\_\\[d\\](e)\\<f\\>\\`g\\`");
    expect(htmlText(`<a href="x">'`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;");
    expect(pathUrl("a b/c)d#e")).toBe("a%20b/c)d%23e");
  });

  it("keeps a hostile file and resource name inert in markdown, html and the table", async () => {
    const { analyzeReport } = await import("../src/report/analysis.js");
    const { loadPriceBook } = await import("../src/cost/prices.js");
    const report = analyzeReport(reportNaming(HOSTILE), {
      targets: ["salad"],
      prices: loadPriceBook(),
      now: new Date("2026-01-01"),
    });
    for (const format of ["markdown", "html", "table"] as const) {
      const text = FORMATS[format](report);
      expect(text, format).not.toContain("\u001b");
      expect(text, format).not.toContain("\u202e");
      // Markdown shows it as `\<img`, which GitHub renders as text.
      expect(text, format).not.toMatch(/(^|[^\\])<img/);
      expect(text, format).not.toContain("\n# h");
    }
    const markdown = FORMATS.markdown(report);
    expect(markdown).not.toContain("[x](http://e)");
    expect(markdown).toContain("\\<img src=x onerror=alert(1)\\>");
  });
});
