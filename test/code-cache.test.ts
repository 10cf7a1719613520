import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { requireWithCodeCache } from "../src/core/code-cache.js";

function moduleDir(): { dir: string; from: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "migrate-code-cache-"));
  writeFileSync(
    path.join(dir, "answer.cjs"),
    "const path = require('node:path');\nexports.answer = (x) => x * 2;\nexports.base = path.basename(__filename);\n",
  );
  return { dir, from: pathToFileURL(path.join(dir, "index.js")).href };
}

describe("requireWithCodeCache", () => {
  it("loads a CommonJS module, keeps V8's code on save, and uses it on the next load", () => {
    const { from } = moduleDir();
    const cacheHome = mkdtempSync(path.join(tmpdir(), "migrate-cache-home-"));
    const env = { XDG_CACHE_HOME: cacheHome };
    const first = requireWithCodeCache<{ answer: (x: number) => number; base: string }>("./answer.cjs", from, env);
    expect(first.exports.answer(21)).toBe(42);
    expect(first.exports.base).toBe("answer.cjs");
    first.save();
    const files = readdirSync(path.join(cacheHome, "batch-migrate", "code-cache"));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^[0-9a-f]{16}-[0-9a-f]{16}\.bin$/);

    const second = requireWithCodeCache<{ answer: (x: number) => number }>("./answer.cjs", from, env);
    expect(second.exports.answer(2)).toBe(4);
    second.save();
    expect(readdirSync(path.join(cacheHome, "batch-migrate", "code-cache"))).toEqual(files);
  });

  it("keeps one cache file per module: a changed module's replaces the old one", () => {
    const { dir, from } = moduleDir();
    const cacheHome = mkdtempSync(path.join(tmpdir(), "migrate-cache-home-"));
    const cache = path.join(cacheHome, "batch-migrate", "code-cache");
    const env = { XDG_CACHE_HOME: cacheHome };
    requireWithCodeCache("./answer.cjs", from, env).save();
    const [first] = readdirSync(cache);
    writeFileSync(path.join(cache, `${"0".repeat(32)}.bin`), "left by an older release");
    writeFileSync(path.join(dir, "answer.cjs"), "exports.answer = (x) => x * 3;\n");
    const changed = requireWithCodeCache<{ answer: (x: number) => number }>("./answer.cjs", from, env);
    expect(changed.exports.answer(2)).toBe(6);
    changed.save();
    const after = readdirSync(cache);
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(first);
    expect(after[0]!.split("-")[0]).toBe(first!.split("-")[0]);
  });

  it("reads a module that is not ASCII as UTF-8", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "migrate-code-cache-"));
    writeFileSync(path.join(dir, "words.cjs"), "exports.word = 'Straße ✓';\n");
    const env = { XDG_CACHE_HOME: mkdtempSync(path.join(tmpdir(), "migrate-cache-home-")) };
    const from = pathToFileURL(path.join(dir, "index.js")).href;
    expect(requireWithCodeCache<{ word: string }>("./words.cjs", from, env).exports.word).toBe("Straße ✓");
  });

  it("falls back to require when the cache cannot be written, or when told not to cache", () => {
    const { dir, from } = moduleDir();
    // a file where the cache folder should be: nothing can be created under it
    const unwritable = { XDG_CACHE_HOME: path.join(dir, "answer.cjs") };
    const loaded = requireWithCodeCache<{ answer: (x: number) => number }>("./answer.cjs", from, unwritable);
    expect(loaded.exports.answer(1)).toBe(2);
    expect(() => loaded.save()).not.toThrow();
    const plain = requireWithCodeCache<{ answer: (x: number) => number }>("./answer.cjs", from, {
      MIGRATE_NO_CODE_CACHE: "1",
    });
    expect(plain.exports.answer(3)).toBe(6);
  });
});
