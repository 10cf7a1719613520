// JS/TS: aws-sdk v3 and v2 Batch job operations → the runtime's CommonComputeClient or SaladClient (runtime/src/clients)
import { applyEdits, type TextEdit } from "../src/apply/edits.js";
import { markerEdits } from "../src/apply/markers.js";
import {
  V2_BATCH_SOURCE,
  V2_SHIM_SOURCE,
  V2_SOURCE,
  V3_SHIM_SOURCE,
  V3_SOURCE,
} from "../src/apply/javascript/batch-imports.js";
import { NATIVE_MODULES, planJsNative } from "../src/apply/javascript/native.js";
import { ROUTING_SOURCE } from "../src/apply/javascript/native-operation.js";
import { shimEdits } from "../src/apply/javascript/shim-edits.js";
import { detectJsStyle, parseJs } from "../src/apply/javascript/syntax.js";
import { keptOffTheShim, unservedCalls } from "../src/apply/served.js";
import { defineTransform } from "../src/apply/transform.js";

/** An edit inside another one is a read of a response the outer edit's text quotes: apply it there. */
function foldNested(code: string, edits: TextEdit[]): TextEdit[] {
  const sorted = [...edits].sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: TextEdit[] = [];
  for (const edit of sorted) {
    const outer = kept.find((k) => k.start <= edit.start && edit.end <= k.end && k !== edit && k.end > k.start);
    if (!outer || edit.start === edit.end) {
      kept.push({ ...edit });
      continue;
    }
    const original = code.slice(edit.start, edit.end);
    if (!outer.text.includes(original)) throw new Error(`overlapping edits at ${edit.start}`);
    outer.text = outer.text.replace(original, edit.text);
  }
  return kept;
}

export default defineTransform({
  id: "aws-sdk-to-native",
  language: "javascript",
  to: "native",
  description:
    "v3 `send(new SubmitJob/DescribeJobs/CancelJob/TerminateJobCommand)` and v2 `submitJob/describeJobs/cancelJob/terminateJob` (`.promise()` or a callback) → the target's native client, mapped through migrate.config.json (at run time through batch-migrate-runtime/routing when the queue, definition or request is not literal); any use that cannot move keeps the file on the shim with a marker",
  safety: "review",
  prefilter: (text) => text.includes("client-batch") || text.includes("aws-sdk"),
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
      const edits = [...shimEdits(parsed, code, ctx.imports), ...markerEdits(code, plan.manual, "//")];
      return edits.length === 0
        ? { kind: "unchanged" }
        : { kind: "changed", code: applyEdits(code, edits), warnings: [] };
    }
    const native = NATIVE_MODULES[ctx.target];
    if (!plan.nativeImported) ctx.imports.require(native.source, native.client);
    for (const helper of plan.routing) ctx.imports.require(ROUTING_SOURCE, helper);
    if (plan.callbackify) ctx.imports.require("node:util", "callbackify");
    for (const source of [V3_SOURCE, V3_SHIM_SOURCE, V2_SOURCE, V2_BATCH_SOURCE, V2_SHIM_SOURCE])
      ctx.imports.dropIfUnused(source);
    return { kind: "changed", code: applyEdits(code, foldNested(code, plan.edits)), warnings: [] };
  },
});
