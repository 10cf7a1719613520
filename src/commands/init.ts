import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Report } from "../report/model.js";
import { defineCommand } from "./command.js";
import type { CommandIO } from "./io.js";
import { USAGE_FILE_NAME } from "./report.js";
import { runScanCommand } from "./scan.js";
// --- deployment files (--target), owned by src/deploy/ ---
import { DEPLOY_TARGET_IDS, type DeployTargetId } from "../deploy/types.js";
// --- end deployment files ---

/** Usage assumptions for the cost estimate (`migrate report`): written once, then only completed. */
async function writeUsagePart(report: Report, folder: string, force: boolean, io: CommandIO): Promise<void> {
  const target = path.join(folder, USAGE_FILE_NAME);
  const shown = path.relative(io.cwd, target) || USAGE_FILE_NAME;
  const { renderUsageTemplate, completeUsageFile } = await import("../cost/usage-template.js");
  if (!existsSync(target) || force) {
    await writeFile(target, renderUsageTemplate(report.inventory.jobDefinitions));
    io.stderr.write(`wrote ${shown}: usage template for the cost estimate\n`);
    return;
  }
  const { text, added } = completeUsageFile(await readFile(target, "utf8"), report.inventory.jobDefinitions, shown);
  if (added.length === 0) {
    io.stderr.write(`kept ${shown}: it lists every job definition\n`);
    return;
  }
  await writeFile(target, text);
  io.stderr.write(
    `kept ${shown} and added ${added.length === 1 ? "1 job definition" : `${added.length} job definitions`} it did not list: ${added.join(", ")}\n`,
  );
}

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
  await writeUsagePart(report, folder, args.force, io);
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
  describe: "Write migrate-usage.yml (a commented usage template) from a scan, or add what it is missing",
  builder: (y) =>
    y
      .positional("paths", {
        type: "string",
        array: true,
        default: [] as string[],
        describe: "Folder to scan and write into (default: .)",
      })
      .option("force", {
        type: "boolean",
        default: false,
        describe: "Overwrite existing files (the usage file is otherwise kept and only completed)",
      })
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
