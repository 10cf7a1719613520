// The cut-over is one line: `"target"` in the root migrate.config.json, which the shims read (the nearest file
// from the working directory up). Without it they pass every call to the real AWS SDK. `init --target` writes it
// together with the mapping the shims, the native rewrites and the local executor read (root-config.ts).
import { existsSync, lstatSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { UsageError } from "../core/errors.js";
import { mergeRootConfig, type MergeSummary } from "./root-config.js";

export const SHIM_CONFIG_FILE = "migrate.config.json";

export interface CutOver extends MergeSummary {
  file: string;
  created: boolean;
}

function parseObject(text: string, file: string): Record<string, unknown> {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not valid JSON: ${(error as Error).message}`, "fix it, then run init again");
  }
  if (typeof document !== "object" || document === null || Array.isArray(document))
    throw new UsageError(`${file} must hold a JSON object at the top level`, "fix it, then run init again");
  return document as Record<string, unknown>;
}

/**
 * Writes `"target": target` and the generated mapping into `<root>/migrate.config.json`, keeping everything else
 * in it (mergeRootConfig).
 */
export async function writeRootConfig(
  root: string,
  target: string,
  generated: Record<string, unknown>,
): Promise<CutOver> {
  const file = path.join(root, SHIM_CONFIG_FILE);
  if (lstatSync(file, { throwIfNoEntry: false })?.isSymbolicLink())
    throw new UsageError(
      `${file} is a symlink; it was not written, since writing would follow it out of the repository`,
      "replace the link with the file it points to, then run init again",
    );
  const created = !existsSync(file);
  const document = created ? {} : parseObject(await readFile(file, "utf8"), file);
  const summary = mergeRootConfig(document, target, generated);
  await writeFile(file, `${JSON.stringify(document, null, 2)}\n`);
  return { file, created, ...summary };
}

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function namesOf(names: readonly string[]): string {
  return names.length > 4 ? `${names.slice(0, 4).join(", ")} and ${names.length - 4} more` : names.join(", ");
}

/** What `init --target` tells the user about the root config it wrote. */
export function describeCutOver(cutOver: CutOver, target: string, shown: string): string[] {
  const lines = [
    `${cutOver.created ? "wrote" : "updated"} ${shown}: "target": "${target}"${cutOver.previous && cutOver.previous !== target ? ` (was ${cutOver.previous})` : ""}; the shim sends AWS Batch calls to ${target} now — remove the line (or set BATCH_MIGRATE_TARGET=aws) to go back to AWS`,
  ];
  const sections: [string, string, string][] = [
    ["jobQueues", "job queue", "job queues"],
    ["jobDefinitions", "job definition", "job definitions"],
    ["computeEnvironments", "compute environment", "compute environments"],
  ];
  const added = sections
    .filter(([key]) => (cutOver.added[key] ?? []).length > 0)
    .map(([key, one, many]) => `${count(cutOver.added[key]!.length, one, many)} (${namesOf(cutOver.added[key]!)})`);
  const completed = sections.flatMap(([key]) => cutOver.completed[key] ?? []);
  lines.push(
    cutOver.mapped === 0
      ? `the scan found no job queue or job definition to map into ${shown}`
      : added.length === 0 && completed.length === 0
        ? `${shown} already mapped every job queue and job definition the scan found`
        : `${shown} maps for ${target}: added ${added.join(", ") || "nothing"}${completed.length > 0 ? `; completed ${namesOf(completed)} (fields they lacked; nothing written there was changed)` : ""}`,
  );
  if (cutOver.todos.length > 0)
    lines.push(
      `${count(cutOver.todos.length, "entry has", "entries have")} a "todo" to settle (${namesOf(cutOver.todos)}): named at call sites but declared nowhere in the repository`,
    );
  if (target === "local")
    lines.push(
      `run the jobs locally: \`batch-migrate executor --port 8900 --config ${shown}\`, then the code (or its tests) with BATCH_MIGRATE_ENDPOINT=http://127.0.0.1:8900 and BATCH_MIGRATE_API_KEY=<the key the executor prints>`,
    );
  return lines;
}
