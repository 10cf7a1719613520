// JS/TS: aws-sdk v3 Batch commands → the runtime's CommonComputeClient or SaladClient (runtime/src/clients)
import { applyEdits } from "../src/apply/edits.js";
import { markerEdits } from "../src/apply/markers.js";
import { moduleSpecifiers, replaceLiteral, V3_SHIM_SOURCE, V3_SOURCE } from "../src/apply/javascript/batch-imports.js";
import { NATIVE_MODULES, planJsNative } from "../src/apply/javascript/native.js";
import { detectJsStyle, parseJs } from "../src/apply/javascript/syntax.js";
import { keptOffTheShim, unservedCalls } from "../src/apply/served.js";
import { defineTransform } from "../src/apply/transform.js";

export default defineTransform({
  id: "aws-sdk-to-native",
  language: "javascript",
  to: "native",
  description:
    "v3 `send(new SubmitJobCommand/DescribeJobsCommand/CancelJobCommand/TerminateJobCommand)` → the target's native client, mapped through migrate.config.json; any other Batch use keeps the file on the shim with markers",
  safety: "review",
  prefilter: (text) => text.includes("client-batch"),
  apply(file, ctx) {
    const code = file.text;
    const parsed = parseJs(code, file.path);
    const plan = planJsNative(parsed, code, detectJsStyle(code, parsed.root), ctx.target, ctx.config);
    if (!plan.usesBatch || (plan.edits.length === 0 && plan.manual.length === 0)) return { kind: "unchanged" };
    if (plan.manual.length > 0) {
      // The file moves to the shim whole, unless it calls an operation the shim does not serve: then it stays.
      const unserved = unservedCalls(code, ctx.findings, "javascript", "the AWS SDK", ctx.config?.shimTarget);
      if (unserved.length > 0 || keptOffTheShim(code)) {
        const markers = markerEdits(code, [...unserved, ...plan.manual], "//");
        return markers.length === 0
          ? { kind: "unchanged" }
          : { kind: "changed", code: applyEdits(code, markers), warnings: [] };
      }
      const shimSources = moduleSpecifiers(parsed)
        .filter(({ literal }) => literal.value === V3_SOURCE)
        .map(({ literal }) => replaceLiteral(code, literal, V3_SHIM_SOURCE));
      const edits = [...shimSources, ...markerEdits(code, plan.manual, "//")];
      return edits.length === 0
        ? { kind: "unchanged" }
        : { kind: "changed", code: applyEdits(code, edits), warnings: [] };
    }
    const native = NATIVE_MODULES[ctx.target];
    ctx.imports.require(native.source, native.client);
    ctx.imports.dropIfUnused(V3_SOURCE);
    ctx.imports.dropIfUnused(V3_SHIM_SOURCE);
    return { kind: "changed", code: applyEdits(code, plan.edits), warnings: [] };
  },
});
