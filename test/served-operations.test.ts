// The analyzer decides which calls keep a file off the shim from its own lists of served operations, one per shim
// target; each list must be what both halves of the runtime really serve on that target.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { servedOperations } from "../runtime/src/shim/core.js";
import { SDK_OPERATIONS } from "../runtime/src/shim/sdk-surface.js";
import { SHIM_SERVED_OPERATIONS, shimServedOperations } from "../src/apply/served.js";

const snake = (operation: string) => operation.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();

function pythonMethods(target: string): string[] {
  const script =
    "import json, sys; from batch_migrate_runtime.shim.local_client import client_class_for as c; " +
    "print(json.dumps(sorted(n for n in dir(c(sys.argv[1])) if not n.startswith('_'))))";
  return JSON.parse(
    execFileSync("python3", ["-c", script, target], {
      env: { ...process.env, PYTHONPATH: path.resolve(import.meta.dirname, "../runtime/python") },
      encoding: "utf8",
    }),
  ) as string[];
}

describe.each(["common-compute", "salad", "local"])("on target %s", (target) => {
  it("lists the operations the TypeScript and Python shims serve, and no others", () => {
    const analyzer = [...shimServedOperations(target)].sort();
    expect(analyzer).toEqual([...servedOperations(target)].sort());
    const methods = pythonMethods(target);
    expect(SDK_OPERATIONS.filter((operation) => methods.includes(snake(operation))).sort()).toEqual(analyzer);
  });
});

it("holds a file with no target configured to what Common Compute and SaladCloud serve", () => {
  expect(shimServedOperations(undefined)).toBe(SHIM_SERVED_OPERATIONS);
  expect(shimServedOperations("local").has("CreateComputeEnvironment")).toBe(true);
  expect(SHIM_SERVED_OPERATIONS.has("CreateComputeEnvironment")).toBe(false);
});
