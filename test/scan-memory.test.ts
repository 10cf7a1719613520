// The scan keeps what the report needs, not the tree: the heap retained once every file is read must not grow with
// the number of files that no scanner wants.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { scanTree } from "../src/core/scan.js";
import { SCANNERS } from "../src/scanners/index.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** `files` files in folders of 50: Python and TypeScript that no prefilter passes, and 10 Batch files. */
function tree(files: number): string {
  const root = mkdtempSync(path.join(tmpdir(), `migrate-memory-${files}-`));
  writeFileSync(path.join(root, ".gitignore"), "*_gen.py\nbuild/\n");
  for (let i = 0; i < files; i++) {
    const dir = path.join(root, `package_${Math.floor(i / 50)}`, "src");
    if (i % 50 === 0) mkdirSync(dir, { recursive: true });
    if (i % (files / 10) === 0)
      writeFileSync(
        path.join(dir, `jobs_${i}.py`),
        `import boto3\nboto3.client("batch").submit_job(jobName="j${i}")\n`,
      );
    else if (i % 2 === 0)
      writeFileSync(path.join(dir, `module_with_a_long_name_${i}.py`), `def f${i}():\n    return ${i}\n`);
    else writeFileSync(path.join(dir, `component_with_a_long_name_${i}.ts`), `export const c${i} = ${i};\n`);
  }
  return root;
}

/** The heap once every file is read, before the scanners run. */
async function heapAfterRead(root: string): Promise<{ bytes: number; filesRead: number }> {
  let bytes = 0;
  const scan = await scanTree({
    root,
    scanners: SCANNERS,
    onRead: () => {
      gc();
      gc();
      bytes = process.memoryUsage().heapUsed;
    },
  });
  return { bytes, filesRead: scan.coverage.filesRead };
}

describe("scan memory", () => {
  it("retains less than 10% more heap after reading 20,000 files than after 5,000", async () => {
    const small = tree(5000);
    const large = tree(20000);
    await heapAfterRead(small); // loads the code both runs share
    const before = await heapAfterRead(small);
    const after = await heapAfterRead(large);
    expect(before.filesRead).toBe(5000);
    expect(after.filesRead).toBe(20000);
    expect(after.bytes / before.bytes).toBeLessThan(1.1);
  }, 120_000);
});
