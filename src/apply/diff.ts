import { createTwoFilesPatch } from "diff";

/** A git-style unified diff of one file, with a/ and b/ prefixes so `git apply` takes it. */
export function unifiedDiff(relPath: string, before: string, after: string): string {
  const patch = createTwoFilesPatch(`a/${relPath}`, `b/${relPath}`, before, after, undefined, undefined, {
    context: 3,
  });
  return patch.replace(/^=+\n/, "");
}
