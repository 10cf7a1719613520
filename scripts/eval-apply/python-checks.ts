// Python half of eval:apply: what the runtime really serves (read from the runtime's own classes, not a list kept
// here), imports of batch_migrate_runtime that must resolve, and calls on a native client the client lacks.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { findAll, parsePython } from "../../src/apply/python/syntax.js";
import type { Finding } from "../../src/core/types.js";

export interface PythonSurface {
  /** Public methods of the shim's Batch client (`boto3.client("batch")` on a migration target). */
  shim: Set<string>;
  /** Public attributes of each native client class, by class name. */
  native: Map<string, Set<string>>;
}

const INTROSPECT = `
import json, inspect
from batch_migrate_runtime.shim.client import BatchShimClient
import batch_migrate_runtime as r
def public(cls):
    return sorted(n for n in dir(cls) if not n.startswith("_"))
native = {}
for name in ("CommonCompute", "SaladCloud"):
    cls = getattr(r, name, None)
    if cls is not None:
        native[name] = public(cls)
print(json.dumps({"shim": public(BatchShimClient), "native": native}))
`;

export function pythonSurface(projectRoot: string): PythonSurface {
  const out = execFileSync("python3", ["-c", INTROSPECT], {
    env: { PATH: process.env.PATH ?? "", PYTHONPATH: path.join(projectRoot, "runtime", "python") },
    encoding: "utf8",
  });
  const parsed = JSON.parse(out) as { shim: string[]; native: Record<string, string[]> };
  return {
    shim: new Set(parsed.shim),
    native: new Map(Object.entries(parsed.native).map(([k, v]) => [k, new Set(v)])),
  };
}

/** `from batch_migrate_runtime… import …` / `import batch_migrate_runtime…` statements replayed against the runtime. */
export function runtimeImportProblems(projectRoot: string, code: string): string[] {
  const tree = parsePython(code);
  const statements = findAll(
    tree.rootNode,
    (n) =>
      (n.type === "import_from_statement" || n.type === "import_statement") && n.text.includes("batch_migrate_runtime"),
  ).map((n) => n.text.replace(/\s*\\\n\s*/g, " ").replace(/[()]/g, " "));
  if (statements.length === 0) return [];
  const program = statements.map((s) => `${s.replace(/\n/g, " ")}`).join("\n");
  try {
    execFileSync("python3", ["-c", program], {
      env: { PATH: process.env.PATH ?? "", PYTHONPATH: path.join(projectRoot, "runtime", "python") },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 20_000,
    });
    return [];
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? "")
      .trim()
      .split("\n");
    return [`python import: ${stderr[stderr.length - 1]?.slice(0, 200) ?? "failed"}`];
  }
}

/** `x = CommonCompute(…)` / `self.x = SaladCloud(…)` then `x.method(…)` where the class has no `method`. */
export function nativeMisuse(code: string, surface: PythonSurface): { line: number; what: string }[] {
  const tree = parsePython(code);
  const bound = new Map<string, string>();
  for (const assignment of findAll(tree.rootNode, (n) => n.type === "assignment")) {
    const right = assignment.childForFieldName("right");
    const left = assignment.childForFieldName("left");
    if (right?.type !== "call" || !left) continue;
    const callee = right.childForFieldName("function")?.text ?? "";
    const className = callee.split(".").pop() ?? "";
    if (surface.native.has(className)) bound.set(left.text, className);
  }
  const problems: { line: number; what: string }[] = [];
  if (bound.size === 0) return problems;
  for (const call of findAll(tree.rootNode, (n) => n.type === "call")) {
    const fn = call.childForFieldName("function");
    if (fn?.type !== "attribute") continue;
    const object = fn.childForFieldName("object")?.text ?? "";
    const method = fn.childForFieldName("attribute")?.text ?? "";
    const className = bound.get(object);
    if (className && !surface.native.get(className)!.has(method))
      problems.push({
        line: call.startPosition.row + 1,
        what: `${object}.${method}() — ${className} has no ${method}`,
      });
  }
  return problems;
}

/** boto3 method name of an API operation: SubmitJob → submit_job. */
export function snakeCase(operation: string): string {
  return operation.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

/** Makers that are boto3 itself (the scanner's `origin.via`): the module holding one makes the client. */
const BOTO_MAKER = /^(boto3\.|session\.|botocore\.|aioboto3\.|aiobotocore\.)/;

/**
 * The module that really makes the Batch client a Python site uses, so a shim rewrite is credited only when that
 * module now uses the shim (a file whose own `import boto3` moved proves nothing when its client comes from a
 * helper elsewhere). The factory apply said it moved (`clientsFrom`, checked by the caller against the output); the
 * scanner's origin when it names boto3; a helper defined in the origin's file; else unknown.
 */
export function pythonClientMaker(
  site: Finding,
  readPristine: (relPath: string) => string | undefined,
  clientsFrom: readonly { line: number; origin: { path: string } }[],
): string | undefined {
  const origin = site.origin;
  // First the factory apply moved: a `session.client("batch")` here may be on a session another module makes.
  const moved = clientsFrom.find((c) => c.line === site.line || (origin && c.line === origin.line));
  if (moved) return moved.origin.path;
  if (!origin) return site.path;
  if (BOTO_MAKER.test(origin.via)) return origin.path;
  const helper = /^helper:(?:.*\.)?([A-Za-z_]\w*)$/.exec(origin.via)?.[1];
  const text = helper ? readPristine(origin.path) : undefined;
  if (helper && text && new RegExp(`^[ \\t]*(async[ \\t]+)?def[ \\t]+${helper}\\b`, "m").test(text)) return origin.path;
  return undefined;
}
