import { realpath, stat } from "node:fs/promises";
import path from "node:path";
import { UsageError } from "../core/errors.js";
import type { ApplyResult } from "../apply/runner.js";
import type { MigrationTarget, Transform } from "../apply/transform.js";
import { defineCommand } from "./command.js";
import { formatElapsed, type CommandIO } from "./io.js";

export interface ApplyArgs {
  paths: string[];
  to?: "shim" | "native";
  target?: MigrationTarget;
  transform?: string[];
  onlySafe?: boolean;
  list?: boolean;
  write?: boolean;
  allowDirty?: boolean;
  include?: string[];
  exclude?: string[];
}

/** Transforms load parsers (jscodeshift, tree-sitter), so they are loaded only when apply runs. */
async function loadTransforms(): Promise<readonly Transform[]> {
  return (await import("../../transforms/index.js")).TRANSFORMS;
}

export function selectTransforms(
  TRANSFORMS: readonly Transform[],
  args: Pick<ApplyArgs, "to" | "transform" | "onlySafe">,
): Transform[] {
  const unknown = (args.transform ?? []).filter((id) => !TRANSFORMS.some((t) => t.id === id));
  if (unknown.length > 0)
    throw new UsageError(`unknown transform ${unknown.join(", ")}`, "`migrate apply --list` shows every transform");
  const chosen = TRANSFORMS.filter(
    (t) =>
      (args.transform?.length ? args.transform.includes(t.id) : t.to === (args.to ?? "shim")) &&
      (!args.onlySafe || t.safety === "safe"),
  );
  if (chosen.length === 0)
    throw new UsageError(
      "no transform selected",
      args.onlySafe
        ? "the native transforms are `review`; drop --only-safe"
        : "name one with --transform or use --to shim|native",
    );
  return chosen;
}

function listing(TRANSFORMS: readonly Transform[]): string {
  const width = Math.max(...TRANSFORMS.map((t) => t.id.length));
  return TRANSFORMS.map(
    (t) => `${t.id.padEnd(width)}  ${t.language.padEnd(10)}  ${t.safety.padEnd(6)}  ${t.description}\n`,
  ).join("");
}

export function summarize(result: ApplyResult, wrote: boolean): string {
  const count = (status: string) => result.files.filter((f) => f.status === status).length;
  const skipped = result.files.filter((f) => f.status === "skipped");
  const reasons = [...new Set(skipped.map((f) => f.reason ?? "no reason"))];
  const lines = [
    `${count("changed")} ${wrote ? "changed" : "would change"}, ${count("unchanged")} unchanged, ${skipped.length} skipped${reasons.length ? ` (${reasons.join("; ")})` : ""}, ${count("failed")} failed`,
  ];
  for (const file of result.files.filter((f) => f.status === "failed"))
    lines.push(`failed: ${file.path}: ${file.reason}`);
  const moved = result.files.flatMap((f) =>
    (f.clientsFrom ?? []).map((site) => `  ${f.path}:${site.line} — client made by ${site.origin.chain.join(" → ")}`),
  );
  if (moved.length > 0)
    lines.push(
      `${moved.length} site${moved.length === 1 ? "" : "s"} use a Batch client made in another module; the shim import goes there:`,
      ...moved,
    );
  const manual = result.files.flatMap((f) => f.manual.map((site) => `  ${f.path}:${site.line} — ${site.why}`));
  if (manual.length > 0)
    lines.push(`${manual.length} site${manual.length === 1 ? "" : "s"} left for a person:`, ...manual);
  return `${lines.join("\n")}\n`;
}

async function resolveRoot(paths: string[], cwd: string): Promise<{ root: string; paths?: string[] }> {
  if (paths.length === 0) return { root: cwd };
  const absolute = paths.map((p) => path.resolve(cwd, p));
  for (const [i, p] of absolute.entries()) {
    if (!(await stat(p).catch(() => undefined)))
      throw new UsageError(`no such file or folder: ${paths[i]}`, "check the path, or run from the repository root");
  }
  const realCwd = await realpath(cwd);
  for (const [i, p] of absolute.entries()) {
    // A folder of the checkout that is a symlink to somewhere else must not become a root of its own.
    const real = await realpath(p);
    if (!path.relative(cwd, p).startsWith("..") && path.relative(realCwd, real).startsWith(".."))
      throw new UsageError(
        `${paths[i]} resolves to ${real}, outside the working directory (a symlink); nothing was read or written`,
        "run apply in the folder the link points to if you mean to rewrite it",
      );
  }
  if (absolute.length === 1 && (await stat(absolute[0]!)).isDirectory()) return { root: absolute[0]! };
  if (absolute.some((p) => path.relative(cwd, p).startsWith("..")))
    throw new UsageError("paths must be inside the working directory", "run from the repository root");
  return { root: cwd, paths: absolute };
}

/** Runs `migrate apply`; returns the exit code (3 when a file failed, 2 when a write was refused). */
export async function runApplyCommand(args: ApplyArgs, io: CommandIO): Promise<number> {
  const available = await loadTransforms();
  if (args.list) {
    io.stdout.write(listing(available));
    return 0;
  }
  const started = performance.now();
  const transforms = selectTransforms(available, args);
  const { root, paths } = await resolveRoot(args.paths, io.cwd);
  const { runApply } = await import("../apply/runner.js");
  const result = await runApply({
    root,
    ...(paths ? { paths } : {}),
    ...(args.include ? { include: args.include } : {}),
    ...(args.exclude ? { exclude: args.exclude } : {}),
    transforms,
    target: args.target ?? "common-compute",
    write: !!args.write,
    allowDirty: !!args.allowDirty,
  });
  if (result.refused) {
    if (result.refused.reason !== "uncommitted changes")
      throw new UsageError(
        `refusing to write: ${result.refused.reason}`,
        'fix what git reports (for "dubious ownership", run as the repository\'s owner), or pass --allow-dirty to write without the check',
      );
    throw new UsageError(
      `refusing to write over uncommitted changes in ${result.refused.files.join(", ")}`,
      "commit or stash them first, or pass --allow-dirty",
    );
  }
  if (!args.write) for (const file of result.files) if (file.diff) io.stdout.write(file.diff);
  io.stderr.write(summarize(result, !!args.write));
  const { runtimeDependencyLines } = await import("../apply/dependencies.js");
  for (const line of runtimeDependencyLines(root, result, { write: !!args.write, allowDirty: !!args.allowDirty }))
    io.stderr.write(`${line}\n`);
  io.stderr.write(
    `${transforms.map((t) => t.id).join(", ")} over ${result.files.length} files (${formatElapsed(performance.now() - started)})\n`,
  );
  return result.files.some((f) => f.status === "failed") ? 3 : 0;
}

export default defineCommand({
  command: "apply [paths..]",
  describe: "Rewrite Batch call sites to the shim or a target's native SDK (a dry run unless --write)",
  builder: (y) =>
    y
      .positional("paths", {
        type: "string",
        array: true,
        default: [] as string[],
        describe: "Folders or files (default: .)",
      })
      .option("to", {
        choices: ["shim", "native"] as const,
        default: "shim" as const,
        describe: "Rewrite to the shim (one import line) or the native SDK",
      })
      .option("target", {
        choices: ["common-compute", "salad"] as const,
        default: "common-compute" as const,
        describe: "Target of --to native",
      })
      .option("transform", { type: "array", string: true, describe: "Run only these transforms (repeatable)" })
      .option("only-safe", { type: "boolean", describe: "Leave out transforms whose output needs review" })
      .option("list", { type: "boolean", describe: "List every transform and exit" })
      .option("write", { type: "boolean", describe: "Write the files (default: print a unified diff)" })
      .option("allow-dirty", { type: "boolean", describe: "Write even over uncommitted changes" })
      .example("$0 apply --to shim", "show the diff that moves every Batch client to the shim")
      .example("$0 apply services/ --to native --target salad --write", "rewrite to SaladCloud's client and write"),
  run: async (args, io) =>
    runApplyCommand(
      {
        paths: args.paths ?? [],
        to: args.to,
        target: args.target,
        ...(args.transform ? { transform: args.transform } : {}),
        ...(args.include ? { include: args.include } : {}),
        ...(args.exclude ? { exclude: args.exclude } : {}),
        onlySafe: !!args.onlySafe,
        list: !!args.list,
        write: !!args.write,
        allowDirty: !!args.allowDirty,
      },
      io,
    ),
});
