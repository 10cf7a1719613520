// The runtime as migrated code gets it: `npm pack` of runtime/ installed into an empty project, where every
// subpath the codemods emit resolves under ESM, CommonJS, and TypeScript's node10, node16 and bundler resolutions.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ROOT, installIntoEmptyProject, npmPack, temporary } from "./support/pack.js";

const SUBPATHS: Record<string, string> = {
  "batch-migrate-runtime": "CommonComputeClient",
  "batch-migrate-runtime/client-batch": "BatchClient",
  "batch-migrate-runtime/aws-sdk-v2": "Batch",
  "batch-migrate-runtime/common-compute": "CommonComputeClient",
  "batch-migrate-runtime/salad": "SaladClient",
  "batch-migrate-runtime/routing": "commonComputeRoute",
  "batch-migrate-runtime/executor": "startExecutor",
  "batch-migrate-runtime/cli": "main",
};

const TYPED_USE = [
  'import { BatchClient, SubmitJobCommand, type SubmitJobCommandOutput } from "batch-migrate-runtime/client-batch";',
  'import { Batch } from "batch-migrate-runtime/aws-sdk-v2";',
  'import { CommonComputeClient } from "batch-migrate-runtime/common-compute";',
  'import { SaladClient } from "batch-migrate-runtime/salad";',
  'import { commonComputeSubmit, saladQueue, submitJobResponse } from "batch-migrate-runtime/routing";',
  'import { startExecutor } from "batch-migrate-runtime/executor";',
  'import { main } from "batch-migrate-runtime/cli";',
  'import { HttpError } from "batch-migrate-runtime";',
  'const client = new BatchClient({ region: "us-east-1" });',
  'const sent: Promise<SubmitJobCommandOutput> = client.send(new SubmitJobCommand({ jobName: "a", jobQueue: "q", jobDefinition: "d" }));',
  'const v2: Promise<unknown> = new Batch({ region: "us-east-1" }).submitJob({ jobName: "a", jobQueue: "q", jobDefinition: "d" }).promise();',
  "const routed = (request: { jobName: string; jobQueue: string | undefined; jobDefinition: string }) => [new CommonComputeClient().jobs.submit(commonComputeSubmit(request)).then(submitJobResponse), saladQueue(request.jobQueue, request.jobDefinition)];",
  "export const used = [sent, v2, routed, CommonComputeClient, SaladClient, startExecutor, main, HttpError];",
  "",
].join("\n");

let project: string;

beforeAll(() => {
  const tarball = npmPack(path.join(ROOT, "runtime"), temporary("bm-runtime-pack-"), "dist/cjs/index.js");
  project = installIntoEmptyProject(tarball);
}, 120_000);

function node(file: string): string {
  return execFileSync(process.execPath, [file], { cwd: project, encoding: "utf8", env: { PATH: process.env.PATH } });
}

describe("batch-migrate-runtime installed from its tarball", () => {
  it("resolves every subpath with import and with require", () => {
    const specifiers = Object.entries(SUBPATHS);
    writeFileSync(
      path.join(project, "esm.mjs"),
      specifiers
        .map(([specifier, name], index) => `import { ${name} as n${index} } from "${specifier}";`)
        .concat([`console.log(JSON.stringify([${specifiers.map((_, index) => `typeof n${index}`).join(", ")}]));`])
        .join("\n"),
    );
    writeFileSync(
      path.join(project, "cjs.cjs"),
      `console.log(JSON.stringify(${JSON.stringify(specifiers)}.map(([s, n]) => typeof require(s)[n])));`,
    );
    const expected = JSON.stringify(specifiers.map(() => "function"));
    expect(node("esm.mjs").trim()).toBe(expected);
    expect(node("cjs.cjs").trim()).toBe(expected);
    // As `require("aws-sdk/clients/batch")` is, the v2 module required is the Batch class itself.
    writeFileSync(
      path.join(project, "v2.cjs"),
      'const Batch = require("batch-migrate-runtime/aws-sdk-v2"); console.log(Batch === Batch.Batch && Batch === Batch.default && typeof new Batch({ batchMigrate: { env: { BATCH_MIGRATE_TARGET: "salad" } } }).submitJob === "function");',
    );
    expect(node("v2.cjs").trim()).toBe("true");
  });

  it.each([
    ["node10", { module: "commonjs", moduleResolution: "node10" }, "check.ts"],
    ["node16 (CommonJS file)", { module: "node16", moduleResolution: "node16" }, "check.cts"],
    ["node16 (ES module file)", { module: "node16", moduleResolution: "node16" }, "check.mts"],
    ["bundler", { module: "esnext", moduleResolution: "bundler" }, "check.ts"],
  ])("type-checks under TypeScript's %s resolution", (name, options, file) => {
    const folder = path.join(project, name.replace(/\W+/g, "-"));
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, file), TYPED_USE);
    writeFileSync(
      path.join(folder, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          ...options,
          target: "es2022",
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ["node"],
          typeRoots: [path.join(ROOT, "node_modules/@types")],
        },
        files: [file],
      }),
    );
    const tsc = path.join(ROOT, "node_modules/typescript/bin/tsc");
    let output = "";
    try {
      execFileSync(process.execPath, [tsc, "-p", folder], { cwd: folder, encoding: "utf8" });
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? error);
    }
    expect(output).toBe("");
  });
});
