import { describe, expect, it } from "vitest";
import type { ScanContext, SourceFile } from "../src/core/scanner.js";
import javascript from "../src/scanners/javascript/index.js";

const ctx: ScanContext = { root: "/repo", scanEmbedded: async () => [] };

function source(text: string): SourceFile {
  return { path: "jobs/submit.ts", absPath: "/repo/jobs/submit.ts", text };
}

const SUBMIT = `import { BatchClient, SubmitJobCommand } from "@aws-sdk/client-batch";
const client = new BatchClient({});
export const run = () => client.send(new SubmitJobCommand({ jobName: "a", jobQueue: "q", jobDefinition: "d" }));
`;

describe("scanners' prepare hook", () => {
  it("javascript: a file parsed ahead gives the same findings as one parsed by the scan", async () => {
    const plain = await javascript.scan({ files: [source(SUBMIT)], context: [] }, ctx);
    await javascript.prepare!(source(SUBMIT));
    const prepared = await javascript.scan({ files: [source(SUBMIT)], context: [] }, ctx);
    expect(prepared).toEqual(plain);
    expect(plain.findings.some((f) => f.operation === "SubmitJob")).toBe(true);
  });

  it("javascript: a file prepared with other text is parsed again", async () => {
    await javascript.prepare!(source(SUBMIT));
    const changed = SUBMIT.replace('jobName: "a"', 'jobName: "b"');
    const output = await javascript.scan({ files: [source(changed)], context: [] }, ctx);
    const submit = output.findings.find((f) => f.operation === "SubmitJob");
    expect(submit?.args?.jobName).toBe("b");
  });
});
