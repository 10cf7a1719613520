// The shim's types against the real SDKs' under the strictest options a migrated project may set (`strict`,
// `exactOptionalPropertyTypes`): the assignments in types/sdk-assignability.ts must compile, both ways across the
// boundary. Only that file's diagnostics count: the runtime's own sources are not written for those options.
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const FILE = path.join(import.meta.dirname, "types", "sdk-assignability.ts");

function diagnosticsUnder(options: ts.CompilerOptions): string[] {
  const program = ts.createProgram([FILE], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: ["node"],
    typeRoots: [path.join(import.meta.dirname, "..", "..", "node_modules", "@types")],
    ...options,
  });
  const source = program.getSourceFile(FILE);
  if (!source) throw new Error(`${FILE} is not in the program`);
  return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map((d) =>
    ts.flattenDiagnosticMessageText(d.messageText, "\n").split("\n").slice(0, 6).join("\n"),
  );
}

describe("shim types against aws-sdk v2 and @aws-sdk/client-batch", () => {
  it("compile where the SDKs' types are declared, with exactOptionalPropertyTypes", { timeout: 180_000 }, () => {
    expect(diagnosticsUnder({ exactOptionalPropertyTypes: true })).toEqual([]);
  });
});
