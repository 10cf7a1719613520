// Python: Batch job calls → the runtime's Common Compute or SaladCloud client (runtime/python/README.md, "The clients")
import { applyEdits } from "../src/apply/edits.js";
import { markerEdits } from "../src/apply/markers.js";
import { planShimImports, SHIM_MODULE } from "../src/apply/python/boto3-imports.js";
import { madeInFile } from "../src/apply/python/client-origin.js";
import { planPythonNative } from "../src/apply/python/native.js";
import { parsePython } from "../src/apply/python/syntax.js";
import { keptOffTheShim, unservedCalls } from "../src/apply/served.js";
import { TARGET_NAME } from "../src/apply/target-status.js";
import { defineTransform } from "../src/apply/transform.js";

/** An earlier run left calls here on the AWS client: the file keeps real boto3 until a person removes the markers. */
function keptOnAws(code: string): boolean {
  return code.includes("it stays on the AWS client") || code.includes("it stays on AWS Batch (real boto3)");
}

export default defineTransform({
  id: "boto3-to-native",
  language: "python",
  to: "native",
  description:
    "submit_job / describe_jobs / list_jobs / cancel_job / terminate_job → the target's native client, mapped through migrate.config.json (at run time, through the runtime's routing helpers, when the queue, definition or arguments are not literals); the target client replaces the Batch client, or sits beside it when other calls (infrastructure, paginators) stay on AWS or the shim, each with a marker",
  safety: "review",
  // Not only files that import boto3: a client made by a helper in another module is used here by name.
  prefilter: (text) => /boto3|batch|_job\b|_jobs\b/.test(text),
  apply(file, ctx) {
    const code = file.text;
    const tree = parsePython(code);
    // Only a client this file makes with its own boto3 import moves with that import: one from a helper in another
    // module (`aws_utils.get_aws_client("batch")`) stays on whatever that module imports.
    const madeHere = ctx.findings.some((finding) => finding.kind === "py-client" && madeInFile(finding, code, tree));
    const usedElsewhere = (ctx.clientsMadeFor?.length ?? 0) > 0;
    const shimImports = madeHere ? planShimImports(tree, code) : undefined;
    // The calls that stay can go to the shim only when this file makes the client itself, nothing elsewhere relies
    // on it being AWS, and the shim serves them all. The shim names jobs by its own ids, not the target's, so job
    // calls that share ids still move together or not at all (planPythonNative groups them).
    const shimmable =
      shimImports !== undefined &&
      shimImports.unsupported.length === 0 &&
      !usedElsewhere &&
      !keptOffTheShim(code) &&
      !keptOnAws(code) &&
      unservedCalls(code, ctx.findings, "python", "real boto3", ctx.config?.shimTarget).length === 0;
    const plan = planPythonNative(code, tree, ctx.findings, ctx.target, ctx.config, {
      clientsUsedElsewhere: usedElsewhere,
    });
    const target = TARGET_NAME[ctx.target];
    const toShim = shimmable && plan.left.length > 0;
    const marked = plan.left
      .filter((call) => !toShim || call.job || !call.operation)
      .map((call) => ({
        index: call.index,
        why: !call.job
          ? call.why
          : toShim
            ? `${call.why}; it stays on the batch-migrate shim, which answers it on ${target}`
            : `${call.why}; it stays on AWS Batch (real boto3)`,
      }));
    const oneLine = (why: string) => why.replace(/\s*\n\s*/g, " ");
    const sites = [...marked, ...plan.notes].map((site) => ({ index: site.index, why: oneLine(site.why) }));
    const edits = [...plan.edits, ...markerEdits(code, sites)];
    if (toShim) edits.push(...shimImports!.edits);
    if (edits.length === 0) return { kind: "unchanged" };
    if (plan.edits.length > 0) {
      ctx.imports.require(SHIM_MODULE, plan.clientClass, "boto3");
      for (const helper of [...plan.helpers].sort()) ctx.imports.require(SHIM_MODULE, helper, "boto3");
      ctx.imports.dropIfUnused("boto3");
      ctx.imports.dropIfUnused(SHIM_MODULE, "boto3");
    }
    return { kind: "changed", code: applyEdits(code, edits), warnings: [] };
  },
});
