import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { UsageError } from "../core/errors.js";
import type { Report } from "../report/model.js";
import { defineCommand } from "./command.js";
import type { CommandIO } from "./io.js";
import { USAGE_FILE_NAME } from "./report.js";
import { runScanCommand } from "./scan.js";
// --- deployment files (--target), owned by src/deploy/ ---
import { DEPLOY_TARGET_IDS, type DeployTargetId } from "../deploy/types.js";
// --- end deployment files ---

/** One file `migrate init` writes from a scan. Deployment files for the targets are meant to be further parts. */
interface InitPart {
  file: string;
  describe: string;
  render(report: Report): Promise<string>;
}

/** Usage assumptions for the cost estimate (`migrate report`). */
const USAGE_PART: InitPart = {
  file: USAGE_FILE_NAME,
  describe: "usage template for the cost estimate",
  render: async (report) =>
    (await import("../cost/usage-template.js")).renderUsageTemplate(report.inventory.jobDefinitions),
};

const PARTS: readonly InitPart[] = [USAGE_PART];

export interface InitArgs {
  paths: string[];
  force: boolean;
  /** Also write migration/<target>/ deployment files. */
  target?: DeployTargetId;
  include?: string[];
  exclude?: string[];
}

export async function runInitCommand(args: InitArgs, io: CommandIO): Promise<number> {
  const silent: CommandIO = {
    ...io,
    stdout: { write: () => true } as unknown as CommandIO["stdout"],
    stderr: { write: () => true } as unknown as CommandIO["stderr"],
  };
  const { report } = await runScanCommand(
    {
      paths: args.paths,
      format: "json",
      ...(args.include ? { include: args.include } : {}),
      ...(args.exclude ? { exclude: args.exclude } : {}),
    },
    silent,
  );
  const folder = path.resolve(io.cwd, args.paths.length === 1 ? args.paths[0]! : ".");
  for (const part of PARTS) {
    const target = path.join(folder, part.file);
    if (existsSync(target) && !args.force)
      throw new UsageError(
        `${path.relative(io.cwd, target)} already exists`,
        "edit it, or pass --force to overwrite it",
      );
  }
  for (const part of PARTS) {
    const target = path.join(folder, part.file);
    await writeFile(target, await part.render(report));
    io.stderr.write(`wrote ${path.relative(io.cwd, target) || part.file}: ${part.describe}\n`);
  }
  // --- deployment files (--target), owned by src/deploy/ ---
  if (args.target) {
    const { writeDeploymentPart } = await import("../deploy/init-part.js");
    await writeDeploymentPart(report, folder, args.target, {
      force: args.force,
      cwd: io.cwd,
      log: (line) => io.stderr.write(`${line}\n`),
    });
    const { vendorRuntime } = await import("../vendor/init-vendor.js");
    const vendored = vendorRuntime(folder, args.target);
    io.stderr.write(
      `vendored the runtime into migration/${args.target}/vendor/ (${vendored.join(", ")}): the Dockerfiles install it from there\n`,
    );
    const { writeShimTarget } = await import("../deploy/cut-over.js");
    const cutOver = await writeShimTarget(folder, args.target);
    io.stderr.write(
      `${cutOver.created ? "wrote" : "updated"} ${path.relative(io.cwd, cutOver.file) || "migrate.config.json"}: "target": "${args.target}"` +
        `${cutOver.previous && cutOver.previous !== args.target ? ` (was ${cutOver.previous})` : ""}; the shim sends AWS Batch calls to ${args.target} now — remove the line (or set BATCH_MIGRATE_TARGET=aws) to go back to AWS\n`,
    );
  }
  // --- end deployment files ---
  return 0;
}

export default defineCommand({
  command: "init [paths..]",
  describe: "Write migrate-usage.yml (a commented usage template) from a scan",
  builder: (y) =>
    y
      .positional("paths", {
        type: "string",
        array: true,
        default: [] as string[],
        describe: "Folder to scan and write into (default: .)",
      })
      .option("force", { type: "boolean", default: false, describe: "Overwrite existing files" })
      .option("target", {
        choices: DEPLOY_TARGET_IDS,
        describe: "Also write deployment files for this target under migration/<target>/",
      }),
  run: (args, io) =>
    runInitCommand(
      {
        paths: args.paths ?? [],
        force: args.force,
        ...(args.target ? { target: args.target } : {}),
        ...(args.include ? { include: args.include } : {}),
        ...(args.exclude ? { exclude: args.exclude } : {}),
      },
      io,
    ),
});
