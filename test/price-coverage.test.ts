import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { scanTree } from "../src/core/scan.js";
import { INSTANCE_FAMILY_ALIASES } from "../src/cost/instance-types.js";
import { loadPriceBook } from "../src/cost/prices.js";
import { SCANNERS } from "../src/scanners/index.js";

const CORPUS = path.resolve(import.meta.dirname, "../../corpus");

/** Instance families a compute environment or job definition names: `c5.large` → c5, `m6i` → m6i; aliases expand. */
function families(written: string): string[] {
  if (INSTANCE_FAMILY_ALIASES[written]) return [...INSTANCE_FAMILY_ALIASES[written]];
  return [written.split(".")[0]!];
}

describe.skipIf(!existsSync(CORPUS))("price table coverage of the development corpus", () => {
  it("has a us-east-1 on-demand price for every instance family a corpus compute environment or job definition names", async () => {
    const table = loadPriceBook()["aws-ec2"];
    const priced = new Set(
      table.rows
        .filter((row) => row.region === "us-east-1" && row.ondemand_usd_hour)
        .map((row) => row.instance_type!.split(".")[0]!),
    );
    const missing: string[] = [];
    let named = 0;
    for (const repo of readdirSync(CORPUS)) {
      const scan = await scanTree({
        root: path.join(CORPUS, repo),
        include: ["**/*.tf", "**/*.tf.json", "**/*.json", "**/*.yml", "**/*.yaml", "**/*.template"],
        scanners: SCANNERS,
      });
      const written = [
        ...scan.inventory.computeEnvironments.flatMap((ce) =>
          Array.isArray(ce.properties.instanceTypes) ? ce.properties.instanceTypes : [],
        ),
        ...scan.inventory.jobDefinitions.map((d) => d.properties.instanceType),
      ].filter((t): t is string => typeof t === "string");
      for (const type of written) {
        named++;
        for (const family of families(type)) if (!priced.has(family)) missing.push(`${repo}: ${type} (${family})`);
      }
    }
    expect(named).toBeGreaterThan(0);
    expect(missing).toEqual([]);
  }, 120_000);
});

describe("migrate prices --check", () => {
  it("lists the rows older than 180 days and exits 1, and 0 when measured on the tables' own day", async () => {
    const { runPricesCommand } = await import("../src/commands/prices.js");
    const chunks: string[] = [];
    const io = {
      stdout: { write: (c: string) => (chunks.push(c), true) },
      stderr: { write: () => true },
      cwd: path.resolve(import.meta.dirname, ".."),
      env: {},
    } as unknown as Parameters<typeof runPricesCommand>[1];
    expect(await runPricesCommand({ check: true, now: "2027-06-01" }, io)).toBe(1);
    const text = chunks.join("");
    expect(text).toMatch(/aws-fargate \(data\/pricing\/fargate\.csv\): 47 rows, oldest 2021-01-14; 47 older/);
    expect(text).toMatch(/2329 days old \(2021-01-14\): 20 rows — af-south-1/);
    chunks.length = 0;
    expect(await runPricesCommand({ check: false, now: "2026-07-20" }, io)).toBe(0);
    expect(chunks.join("")).toMatch(
      /^aws-ec2 \(data\/pricing\/ec2_ondemand\.csv\): 3622 rows, oldest 2025-10-22; \d+ older/,
    );
  });
});

describe("a region the table has no row for", () => {
  it("says so and prices the us-east-1 figure as a labelled estimate", async () => {
    const { cheapestFittingInstance, resolveInstanceTypes } = await import("../src/cost/instance-types.js");
    const ec2 = loadPriceBook()["aws-ec2"];
    const resolved = resolveInstanceTypes(["c7a"], ec2, "eu-west-1");
    expect(resolved.notes).toContain(
      "c7a: no eu-west-1 price in the table; the us-east-1 price is used as an ESTIMATE",
    );
    const choice = cheapestFittingInstance({ vcpus: 2, memoryGiB: 3, gpus: 0 }, resolved.types, ec2, "eu-west-1")!;
    expect(choice.type.name).toBe("c7a.large");
    expect(choice.quote.value).toBe(ec2.price({ region: "us-east-1", instanceType: "c7a.large" })!.value);
    expect(choice.quote.date).toMatch(/ESTIMATE: us-east-1 price; no eu-west-1 row/);
    // A type the region does price keeps the region's own figure.
    const g5 = cheapestFittingInstance(
      { vcpus: 4, memoryGiB: 8, gpus: 1 },
      resolveInstanceTypes(["g5"], ec2, "eu-west-1").types,
      ec2,
      "eu-west-1",
    )!;
    expect(g5.quote.value).toBe(1.123);
  });
});
