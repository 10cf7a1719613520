// Python: Batch calls → the runtime's Common Compute or SaladCloud client (runtime/python/README.md, "The clients")
import { applyEdits } from "../src/apply/edits.js";
import { markerEdits } from "../src/apply/markers.js";
import { planShimImports, SHIM_MODULE } from "../src/apply/python/boto3-imports.js";
import { planPythonNative } from "../src/apply/python/native.js";
import { parsePython } from "../src/apply/python/syntax.js";
import { keptOffTheShim, unservedCalls } from "../src/apply/served.js";
import { defineTransform } from "../src/apply/transform.js";

export default defineTransform({
  id: "boto3-to-native",
  language: "python",
  to: "native",
  description:
    "submit_job / describe_jobs / cancel_job / terminate_job → the target's native client, mapped through migrate.config.json (at run time, through common_compute_route / salad_queue, when the queue or definition is not a literal); a file with any other Batch use stays on the shim with markers",
  safety: "review",
  prefilter: (text) => text.includes("boto3"),
  apply(file, ctx) {
    const code = file.text;
    const tree = parsePython(code);
    const plan = planPythonNative(code, tree, ctx.findings, ctx.target, ctx.config);
    if (plan.edits.length === 0 && plan.manual.length === 0) return { kind: "unchanged" };
    if (plan.manual.length > 0) {
      // Never half-migrated: the whole file moves to the shim, and each site that blocked it is marked.
      // …unless it calls an operation the shim does not serve either: then it keeps real boto3.
      const staysOnAws =
        unservedCalls(code, ctx.findings, "python", "real boto3", ctx.config?.shimTarget).length > 0 ||
        keptOffTheShim(code);
      const shimImports =
        !staysOnAws && ctx.findings.some((finding) => finding.kind === "py-client")
          ? planShimImports(tree, code)
          : { edits: [], unsupported: [] };
      const markers = markerEdits(code, plan.manual);
      const edits = shimImports.unsupported.length > 0 ? markers : [...shimImports.edits, ...markers];
      if (edits.length === 0) return { kind: "unchanged" };
      return { kind: "changed", code: applyEdits(code, edits), warnings: [] };
    }
    ctx.imports.require(SHIM_MODULE, plan.clientClass, "boto3");
    for (const helper of [...plan.helpers].sort()) ctx.imports.require(SHIM_MODULE, helper, "boto3");
    ctx.imports.dropIfUnused("boto3");
    ctx.imports.dropIfUnused(SHIM_MODULE, "boto3");
    return { kind: "changed", code: applyEdits(code, plan.edits), warnings: [] };
  },
});
