import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Report } from "../report/model.js";
import { defineCommand } from "./command.js";
import type { CommandIO } from "./io.js";
import { USAGE_FILE_NAME } from "./report.js";
import { runScanCommand } from "./scan.js";
// --- deployment files (--target), owned by src/deploy/ ---
import { INIT_TARGET_IDS, type InitTargetId } from "../deploy/types.js";
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
  /** Also map the scan into migrate.config.json for this target (and, but for `local`, write migration/<target>/). */
  target?: InitTargetId;
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
    const log = (line: string) => io.stderr.write(`${line}\n`);
    let generated: Record<string, unknown>;
    if (args.target === "local") {
      const { localConfig } = await import("../deploy/local.js");
      generated = localConfig(report);
    } else {
      const { writeDeploymentPart } = await import("../deploy/init-part.js");
      const plan = await writeDeploymentPart(report, folder, args.target, { force: args.force, cwd: io.cwd, log });
      generated = plan.config;
      const { vendorRuntime } = await import("../vendor/init-vendor.js");
      const vendored = vendorRuntime(folder, args.target);
      log(
        `vendored the runtime into migration/${args.target}/vendor/ (${vendored.join(", ")}): the Dockerfiles install it from there`,
      );
    }
    const { describeCutOver, writeRootConfig } = await import("../deploy/cut-over.js");
    const cutOver = await writeRootConfig(folder, args.target, generated);
    for (const line of describeCutOver(
      cutOver,
      args.target,
      path.relative(io.cwd, cutOver.file) || "migrate.config.json",
    ))
      log(line);
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
        choices: INIT_TARGET_IDS,
        describe:
          "Map every queue and job definition into migrate.config.json and point the shim at this target; salad and common-compute also get deployment files under migration/<target>/, local runs on the local executor",
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
