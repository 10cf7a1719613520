// Parsing and resolution live in ./analyze.js, loaded on first use so that trees without JavaScript never load
// the TypeScript compiler.
import { BATCH_OPERATIONS } from "../../core/batch-operations.js";
import { defineScanner } from "../../core/scanner.js";
import { passesServiceName } from "../../core/service-argument.js";

const SOURCE = /\.[cm]?[jt]sx?$/;
/** Declaration files hold types only, and bundles are vendored code. */
const SKIPPED = /\.d\.[cm]?ts$|\.min\.js$/;

/**
 * A Batch-specific name: the SDK's Batch modules and classes (`AWS.Batch`, `sdk.Batch`), CDK and CloudFormation
 * types, and EventBridge patterns on Batch events (`source: ["aws.batch"]`). A bare "aws-sdk" is not enough (most of its users never touch Batch), nor a bare word "batch".
 */
const BATCH_MENTION =
  /client-batch|clients\/batch|\.Batch\b|BatchClient|BatchSubmitJob|aws-batch|aws_batch|AWS::Batch|["'`]aws\.batch["'`]|\bservice:\s*["'`]batch["'`]/;
/** Python that makes a boto3 Batch client inside a template string (inline Lambda code), for the Python scanner. */
const embedsBatchPython = (text: string) =>
  text.includes("boto3") &&
  passesServiceName(text, "batch", { keywords: ["client", "session", "service"], escapedQuotes: true });
/**
 * A Batch operation called on a client that may have been created elsewhere and named anything. The tagging
 * operations are left out: every AWS client has them, so alone they say nothing of Batch.
 */
const OPERATION_CALL = new RegExp(
  `\\.(${BATCH_OPERATIONS.filter((operation) => operation.group !== "tagging")
    .map((operation) => operation.camel)
    .join("|")})\\b`,
);
/**
 * Byte strings every file the prefilter passes contains: "batch" or "Batch" for the Batch names and embedded
 * Python, and for the operations, parts that every operation name has one of (a test checks that they do). Each is
 * at most six bytes and starts with an uncommon letter: Node searches such needles several times faster than longer
 * ones, and this check runs over every JavaScript file of a tree.
 */
export const JAVASCRIPT_NEEDLES = ["batch", "Batch", "Job", "Enviro", "Consum", "Quota", "Schedu"];
/**
 * Barrels that re-export: read so that an import can be followed through them, parsed only when one is. One space
 * after `export`, as every formatter writes it, lets the needles below skip the thousands of files that only export.
 */
function reexports(text: string): boolean {
  // `\bexport (\*|\{[^}]*\})\s*from\b` searched by hand: `[^}]*` ran to the end of the text at every "export {"
  // without a "}". Each "}" (and the space after it) is looked at once however many lists it closes.
  let close = -2;
  let closeChecked = -2;
  for (let at = text.indexOf("export "); at !== -1; at = text.indexOf("export ", at + 1)) {
    if (at > 0 && isWordCharacter(text.charCodeAt(at - 1))) continue;
    let next = at + "export ".length;
    if (text[next] === "{") {
      if (close < next) close = text.indexOf("}", next);
      if (close === -1) return false;
      if (close === closeChecked) continue;
      closeChecked = close;
      next = close + 1;
    } else if (text[next] === "*") next++;
    else continue;
    while (next < text.length && /\s/.test(text[next]!)) next++;
    if (text.startsWith("from", next) && !isWordCharacter(text.charCodeAt(next + 4))) return true;
  }
  return false;
}

function isWordCharacter(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
}

export default defineScanner({
  id: "javascript",
  description:
    "aws-sdk v2 and v3 Batch clients, calls and commands; CDK Batch constructs and CloudFormation built in JS/TS; Python in template strings",
  accepts: (path) => SOURCE.test(path) && !SKIPPED.test(path),
  needles: JAVASCRIPT_NEEDLES,
  prefilter: (text) => BATCH_MENTION.test(text) || OPERATION_CALL.test(text) || embedsBatchPython(text),
  contextNeedles: ["xport *", "xport {"],
  context: (text) => reexports(text),
  async warm() {
    await import("./analyze.js");
  },
  async prepare(file) {
    const { prepareFile } = await import("./project.js");
    prepareFile(file);
  },
  async scan({ files, context }, ctx) {
    const { analyze } = await import("./analyze.js");
    return analyze(files, context, ctx);
  },
});
