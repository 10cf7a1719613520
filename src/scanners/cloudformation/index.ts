// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/AWS_Batch.html — templates via the yaml package
// The parsing lives in ./template.js, loaded on first use so that trees without templates never load the YAML parser.
import { defineScanner } from "../../core/scanner.js";

/** A resource's `Type: AWS::Batch::…` (YAML or JSON, quoted or not), not the type merely named in a list. */
const CANDIDATE = /\bType["']?\s*:\s*["']?AWS::Batch::|states:::batch:submitJob|\baws\.batch["'\s\],]/;

export default defineScanner({
  id: "cloudformation",
  description:
    "AWS::Batch::* resources in CloudFormation, SAM and Serverless templates (YAML or JSON); Step Functions batch:submitJob tasks; EventBridge rules on aws.batch events",
  accepts: (file) => /\.(ya?ml|json|template)$/i.test(file),
  // short, so that Node searches them fast (see JAVASCRIPT_NEEDLES)
  needles: ["Batch::", "batch:", "aws.batch"],
  prefilter: (text) => CANDIDATE.test(text),
  async scan({ files }, ctx) {
    const { scanTemplates } = await import("./template.js");
    return scanTemplates(files, ctx.budget);
  },
});
