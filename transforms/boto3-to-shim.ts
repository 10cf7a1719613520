// Python: point boto3's Batch clients at the runtime's shim by changing the import line (runtime/python/README.md)
import { applyEdits, type TextEdit } from "../src/apply/edits.js";
import { markerEdits } from "../src/apply/markers.js";
import { planShimImports } from "../src/apply/python/boto3-imports.js";
import { indexOfPosition, parsePython } from "../src/apply/python/syntax.js";
import { keptOffTheShim, unservedCalls } from "../src/apply/served.js";
import { defineTransform } from "../src/apply/transform.js";

const CLIENT_KINDS = new Set(["py-client", "py-client-indirect"]);

export default defineTransform({
  id: "boto3-to-shim",
  language: "python",
  to: "shim",
  description:
    "`import boto3` → `from batch_migrate_runtime import boto3` in files that create a Batch client; nothing else moves",
  safety: "safe",
  // "batch" too: a file whose client comes from a helper has no boto3 of its own, yet may need markers.
  prefilter: (text) => text.includes("boto3") || text.includes("batch"),
  apply(file, ctx) {
    // A file that makes Batch clients: itself, or as the factory of clients used elsewhere (ctx.clientsMadeFor).
    const makesClients =
      (ctx.clientsMadeFor?.length ?? 0) > 0 || ctx.findings.some((finding) => CLIENT_KINDS.has(finding.kind));
    if (!makesClients || (ctx.clientsKeptBecause && !ctx.findings.some((f) => CLIENT_KINDS.has(f.kind))))
      return { kind: "unchanged" };
    const code = file.text;
    // A file that also calls an operation the shim does not serve keeps real boto3, with a marker on each such call.
    const unserved = unservedCalls(code, ctx.findings, "python", "real boto3", ctx.config?.shimTarget);
    // A factory whose client another module uses for unserved calls stays too, marked where it makes the client.
    if (ctx.clientsKeptBecause)
      for (const finding of ctx.findings.filter((f) => CLIENT_KINDS.has(f.kind)))
        unserved.push({ index: indexOfPosition(code, finding.line, finding.column), why: ctx.clientsKeptBecause });
    if (unserved.length > 0 || keptOffTheShim(code)) {
      const markers = markerEdits(code, unserved);
      return markers.length === 0
        ? { kind: "unchanged" }
        : { kind: "changed", code: applyEdits(code, markers), warnings: [] };
    }
    const plan = planShimImports(parsePython(code), code);
    // A file with an import the shim cannot take keeps real boto3 everywhere: markers only, never half-moved.
    const edits: TextEdit[] =
      plan.unsupported.length > 0
        ? markerEdits(
            code,
            plan.unsupported.map((site) => ({ index: site.node.startIndex, why: site.why })),
          )
        : plan.edits;
    if (edits.length === 0) return { kind: "unchanged" };
    return { kind: "changed", code: applyEdits(code, edits), warnings: [] };
  },
});
