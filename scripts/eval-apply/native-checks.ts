// What a native rewrite really did to a site: the call at the site itself became a target-client call, and no AWS
// call is left on a client the file re-created as a target client. Pure functions over file texts.
import { diffLines } from "diff";
import { SDK_OPERATIONS, SDK_V2_OPERATIONS } from "../../runtime/src/shim/sdk-surface.js";

/** A call of a Common Compute or SaladCloud client of the runtime (TypeScript and Python spellings). */
const TARGET_CALL =
  /\.jobs\.(submit|get|list|cancel)\(|\b(create|get|delete|list|iterate)(QueueJobs?|_queue_jobs?)\(|\b(commonComputeSubmit|common_compute_submit_arguments|salad_submit_arguments)\(/;

/**
 * The output lines that replaced original line `line`: undefined when the line is unchanged (the file, or that line,
 * was not rewritten), an empty range when it was deleted.
 */
export function replacementOf(before: string, after: string, line: number): { start: number; end: number } | undefined {
  let a = 1;
  let b = 1;
  const parts = diffLines(before, after);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const count = part.count ?? 0;
    if (part.added) {
      b += count;
    } else if (part.removed) {
      if (line >= a && line < a + count) {
        const next = parts[i + 1];
        return { start: b, end: b + (next?.added ? (next.count ?? 0) : 0) };
      }
      a += count;
    } else {
      if (line >= a && line < a + count) return undefined;
      a += count;
      b += count;
    }
  }
  return undefined;
}

/** The site's own file changed, and the lines that replaced the call at the site call the target client. */
export function rewrittenToTarget(before: string, after: string, line: number): boolean {
  if (before === after) return false;
  const range = replacementOf(before, after, line);
  if (!range) return false;
  return after
    .split("\n")
    .slice(range.start - 1, range.end - 1)
    .some((text) => TARGET_CALL.test(text));
}

const AWS_METHODS = new Set(
  ["send", ...SDK_OPERATIONS, ...SDK_V2_OPERATIONS].map((name) => name.charAt(0).toLowerCase() + name.slice(1)),
);

/**
 * Calls of an AWS Batch method (`send`, `submitJob`, …) on a name the file binds to a new target client
 * (`const batch = new CommonComputeClient()`, `this.batch = new SaladClient(…)`): the client was re-created, its
 * AWS call was left. Lines for which `marked` holds are skipped.
 */
export function awsCallsOnTargetClients(
  code: string,
  marked: (line: number) => boolean,
): { line: number; call: string }[] {
  const names = new Set(
    [
      ...code.matchAll(
        /(?:\bthis\.|\b)([A-Za-z_$][\w$]*)\s*(?::[^=;]+)?=\s*new\s+(?:CommonComputeClient|SaladClient)\s*\(/g,
      ),
    ].map((m) => m[1]!),
  );
  if (names.size === 0) return [];
  const found: { line: number; call: string }[] = [];
  code.split("\n").forEach((text, index) => {
    for (const m of text.matchAll(/(?:\bthis\.|(?<![\w$.]))([A-Za-z_$][\w$]*)\s*\.\s*([A-Za-z_$][\w$]*)\s*\(/g)) {
      if (!names.has(m[1]!) || !AWS_METHODS.has(m[2]!) || marked(index + 1)) continue;
      found.push({ line: index + 1, call: `${m[1]}.${m[2]}(…)` });
    }
  });
  return found;
}
