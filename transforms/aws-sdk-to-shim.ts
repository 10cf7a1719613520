// JS/TS: aws-sdk v3 and v2 Batch clients → the runtime's shim modules (same names, same response shapes)
import { applyEdits } from "../src/apply/edits.js";
import { shimEdits } from "../src/apply/javascript/shim-edits.js";
import { parseJs } from "../src/apply/javascript/syntax.js";
import { markerEdits } from "../src/apply/markers.js";
import { keptOffTheShim, unservedCalls } from "../src/apply/served.js";
import { defineTransform } from "../src/apply/transform.js";

export default defineTransform({
  id: "aws-sdk-to-shim",
  language: "javascript",
  to: "shim",
  description:
    "`@aws-sdk/client-batch` → `batch-migrate-runtime/client-batch`; `aws-sdk/clients/batch` and `new AWS.Batch()` → `batch-migrate-runtime/aws-sdk-v2`",
  safety: "safe",
  prefilter: (text) => text.includes("aws-sdk"),
  apply(file, ctx) {
    const code = file.text;
    // A file that also calls an operation the shim does not serve keeps the real SDK, with a marker on each such call.
    const unserved = unservedCalls(code, ctx.findings, "javascript", "the AWS SDK", ctx.config?.shimTarget);
    if (unserved.length > 0 || keptOffTheShim(code)) {
      const markers = markerEdits(code, unserved, "//");
      return markers.length === 0
        ? { kind: "unchanged" }
        : { kind: "changed", code: applyEdits(code, markers), warnings: [] };
    }
    const edits = shimEdits(parseJs(code, file.path), code, ctx.imports);
    if (edits.length === 0) return { kind: "unchanged" };
    return { kind: "changed", code: applyEdits(code, edits), warnings: [] };
  },
});
