// Every extension unit is registered in one line, its id equals its folder name, and it has fixtures and docs.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SCANNERS } from "../src/scanners/index.js";

const ROOT = path.join(import.meta.dirname, "..");
const scannerFolders = readdirSync(path.join(ROOT, "src/scanners")).filter((name) =>
  statSync(path.join(ROOT, "src/scanners", name)).isDirectory(),
);

describe("scanner registry", () => {
  it("registers every scanner folder exactly once", () => {
    expect(SCANNERS.map((s) => s.id).sort()).toEqual([...scannerFolders].sort());
  });

  it("keeps the registry sorted by id", () => {
    const ids = SCANNERS.map((s) => s.id);
    expect(ids).toEqual([...ids].sort());
  });

  it.each(scannerFolders)("%s has fixture cases", (id) => {
    const dir = path.join(ROOT, "fixtures/scanners", id);
    expect(existsSync(dir)).toBe(true);
    expect(readdirSync(dir).some((name) => name.endsWith(".findings.json"))).toBe(true);
  });

  it.each(scannerFolders)("%s is documented in docs/scanners.md", (id) => {
    const docs = readFileSync(path.join(ROOT, "docs/scanners.md"), "utf8");
    expect(docs).toMatch(new RegExp(`^#+ .*\\b${id}\\b`, "im"));
  });
});
