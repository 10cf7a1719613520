// The analyzer decides which calls keep a file off the shim from its own list of served operations; that list must
// be what both halves of the runtime really serve.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { expect, it } from "vitest";
import { SHIM_OPERATIONS } from "../runtime/src/shim/core.js";
import { SDK_OPERATIONS } from "../runtime/src/shim/sdk-surface.js";
import { SHIM_SERVED_OPERATIONS } from "../src/apply/served.js";

const snake = (operation: string) => operation.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();

it("lists the operations the TypeScript and Python shims serve, and no others", () => {
  expect([...SHIM_SERVED_OPERATIONS].sort()).toEqual([...SHIM_OPERATIONS].sort());
  const methods = JSON.parse(
    execFileSync(
      "python3",
      [
        "-c",
        "import json; from batch_migrate_runtime.shim.client import BatchShimClient as C; print(json.dumps(sorted(n for n in dir(C) if not n.startswith('_'))))",
      ],
      { env: { ...process.env, PYTHONPATH: path.resolve(import.meta.dirname, "../runtime/python") }, encoding: "utf8" },
    ),
  ) as string[];
  const pythonServed = SDK_OPERATIONS.filter((operation) => methods.includes(snake(operation)));
  expect(pythonServed.sort()).toEqual([...SHIM_SERVED_OPERATIONS].sort());
});
