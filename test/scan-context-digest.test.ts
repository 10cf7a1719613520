// Context files reach a scanner with a digestContext hook as that digest, not their text, and the scanner reads
// again only the files it parses: the result is the one the whole texts gave.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { scanTree } from "../src/core/scan.js";
import type { Scanner, SourceFile } from "../src/core/scanner.js";
import { SCANNERS } from "../src/scanners/index.js";

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), "migrate-digest-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(root, name), text);
  return root;
}

const FILES = {
  "jobs.py":
    'from helpers import get_batch_client\n\nclient = get_batch_client("batch")\nclient.submit_job(jobName="j", jobQueue="q", jobDefinition="d")\n',
  // A helper that forwards the service name: kept as a digest naming it, then read again and parsed.
  "helpers.py": "import boto3\n\n\ndef get_batch_client(service):\n    return boto3.client(service)\n",
  // Passes the context test (`.client(name`) but defines no client helper: nothing to keep.
  "other.py": "import boto3\n\ns3 = boto3.session.Session().client(name)\n",
};

describe("context digests", () => {
  it("keeps a helper file as the names it defines, drops one with none, and still resolves the helper", async () => {
    const seen: SourceFile[] = [];
    const scanners: Scanner[] = SCANNERS.map((scanner) =>
      scanner.id === "python"
        ? {
            ...scanner,
            scan: (input, ctx) => {
              seen.push(...input.context);
              return scanner.scan(input, ctx);
            },
          }
        : scanner,
    );
    const scan = await scanTree({ root: tree(FILES), scanners });
    expect(seen.map((file) => [file.path, file.text, file.digest])).toEqual([["helpers.py", "", "- get_batch_client"]]);
    const found = scan.findings.filter((f) => f.path === "jobs.py").map((f) => [f.kind, f.line, f.origin?.via]);
    expect(found).toEqual([
      ["py-client", 3, "helper:get_batch_client"],
      ["py-call", 4, "helper:get_batch_client"],
    ]);
  });

  it("gives the same findings when context files come whole, as callers outside the scan pipeline hand them", async () => {
    const python = SCANNERS.find((scanner) => scanner.id === "python")!;
    const file = (name: keyof typeof FILES): SourceFile => ({ path: name, absPath: name, text: FILES[name] });
    const output = await python.scan(
      { files: [file("jobs.py")], context: [file("helpers.py"), file("other.py")] },
      { root: "/", scanEmbedded: async () => [] },
    );
    expect(output.findings.map((f) => [f.kind, f.line, f.origin?.via])).toEqual([
      ["py-client", 3, "helper:get_batch_client"],
      ["py-call", 4, "helper:get_batch_client"],
    ]);
  });
});
