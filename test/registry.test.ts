import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { TRANSFORMS } from "../transforms/index.js";

const ROOT = path.resolve(import.meta.dirname, "..");
const TRANSFORM_FILES = readdirSync(path.join(ROOT, "transforms"))
  .filter((file) => file.endsWith(".ts") && file !== "index.ts")
  .map((file) => file.replace(/\.ts$/, ""))
  .sort();

describe("transform registry", () => {
  it("registers every file in transforms/, sorted by id", () => {
    const ids = TRANSFORMS.map((t) => t.id);
    expect(ids).toEqual(TRANSFORM_FILES);
    expect(ids).toEqual([...ids].sort());
  });

  it.each(TRANSFORMS.map((t) => [t.id, t] as const))(
    "%s has fixtures and a TRANSFORMS.md row that match it",
    (id, transform) => {
      const fixtures = path.join(ROOT, "fixtures/transforms", id);
      expect(existsSync(fixtures)).toBe(true);
      expect(readdirSync(fixtures).some((file) => file.includes(".input."))).toBe(true);
      const row = readFileSync(path.join(ROOT, "TRANSFORMS.md"), "utf8")
        .split("\n")
        .find((line) => line.startsWith(`| \`${id}\` |`));
      expect(
        row
          ?.split("|")
          .map((cell) => cell.trim())
          .slice(2, 5),
      ).toEqual([transform.language, transform.to, transform.safety]);
    },
  );
});
