// A scanner's `indexFile` runs on the helper thread that read a file, and what it gives reaches `scan` on the main
// thread (src/core/scan-worker.ts). Walks every fixture case of every scanner that has the hook and checks that a
// scan whose files arrive indexed (the index moved across a structured clone with its buffers transferred, as
// between threads) reports exactly what a scan that indexes nothing does.
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FileBudget } from "../src/core/budget.js";
import { scanTree } from "../src/core/scan.js";
import type { Scanner } from "../src/core/scanner.js";
import { SCANNERS } from "../src/scanners/index.js";

const ROOT = path.join(import.meta.dirname, "../fixtures/scanners");

/** The scanner, with each of its files indexed ahead the way a helper thread does it. */
function indexedAhead(scanner: Scanner, indexed: { count: number }): Scanner {
  return {
    ...scanner,
    async scan(input, ctx) {
      const files = await Promise.all(
        input.files.map(async (file) => {
          const index = await scanner.indexFile!(file, new FileBudget(60_000));
          if (!index) return file;
          const moved = structuredClone(index.value, { transfer: index.transfer ?? [] });
          // The buffers left this side, as they leave a helper thread.
          for (const buffer of index.transfer ?? []) expect(buffer.byteLength).toBe(0);
          indexed.count++;
          return { ...file, index: moved };
        }),
      );
      return scanner.scan({ ...input, files }, ctx);
    },
  };
}

const withHook = SCANNERS.filter((scanner) => scanner.indexFile);

describe.each(withHook.map((scanner) => scanner.id))("indexFile ahead: %s", (id) => {
  const dir = path.join(ROOT, id);
  const cases = readdirSync(dir).filter((name) => !name.endsWith(".findings.json") && !name.startsWith("."));
  it("is a scanner with fixture cases", () => expect(cases.length).toBeGreaterThan(10));
  it.each(cases)("%s", async (name) => {
    const casePath = path.join(dir, name);
    const isFolder = statSync(casePath).isDirectory();
    const where = { root: isFolder ? casePath : dir, ...(isFolder ? {} : { paths: [casePath] }) };
    const plain = await scanTree({ ...where, scanners: SCANNERS });
    const indexed = { count: 0 };
    const ahead = await scanTree({
      ...where,
      scanners: SCANNERS.map((scanner) => (scanner.id === id ? indexedAhead(scanner, indexed) : scanner)),
    });
    expect(ahead).toEqual(plain);
    // Notebooks are not indexed ahead; every other case has at least one file that is.
    if (!name.endsWith(".ipynb") && plain.coverage.filesParsed > 0) expect(indexed.count).toBeGreaterThan(0);
  });
});
