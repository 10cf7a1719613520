// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/AWS_Batch.html — templates via the yaml package
// The parsing lives in ./template.js, loaded on first use so that trees without templates never load the YAML parser.
import { defineScanner, type EmbeddedCode } from "../../core/scanner.js";
import type { Finding } from "../../core/types.js";
import { embedsBatchPython } from "./inline-code.js";

/** A resource's `Type: AWS::Batch::…` (YAML or JSON, quoted or not), not the type merely named in a list. */
const CANDIDATE =
  /\bType["']?\s*:\s*["']?AWS::Batch::|states:::batch:submitJob|\baws\.batch["'\s\],]|:batch:(?:path|action)\//;
/** Inline Lambda code (`ZipFile:`, SAM `InlineCode:`) that makes a Batch client. */
const INLINE_CODE = /\b(?:ZipFile|InlineCode)["']?\s*:/;

/**
 * A block scalar's lines lose their indentation in the embedded text; the context puts it back on the first line
 * only (JavaScript templates keep theirs), so the columns of the later lines get it here.
 */
function reindented(code: EmbeddedCode, findings: Finding[]): Finding[] {
  const first = code.lineOffset + 1;
  const shift = (line: number, column: number) => (line > first ? column + code.columnOffset : column);
  return findings.map((finding) => ({
    ...finding,
    column: shift(finding.line, finding.column),
    endColumn: shift(finding.endLine, finding.endColumn),
    ...(finding.origin?.column !== undefined && finding.origin.path === finding.path
      ? { origin: { ...finding.origin, column: shift(finding.origin.line, finding.origin.column) } }
      : {}),
  }));
}

export default defineScanner({
  id: "cloudformation",
  description:
    "AWS::Batch::* resources in CloudFormation, SAM and Serverless templates (YAML or JSON); Step Functions batch:submitJob tasks; EventBridge rules on aws.batch events; inline Python Lambda code using Batch",
  accepts: (file) => /\.(ya?ml|json|template)$/i.test(file),
  // short, so that Node searches them fast (see JAVASCRIPT_NEEDLES)
  needles: ["Batch::", "batch:", "aws.batch", "batch'", 'batch"'],
  prefilter: (text) => CANDIDATE.test(text) || (INLINE_CODE.test(text) && embedsBatchPython(text)),
  async scan({ files }, ctx) {
    const { scanTemplates } = await import("./template.js");
    const { findings, inventory, embedded } = scanTemplates(files, ctx.budget);
    const found = await Promise.all(embedded.map(async (code) => reindented(code, await ctx.scanEmbedded(code))));
    for (const list of found) findings.push(...list);
    return { findings, inventory };
  },
});
