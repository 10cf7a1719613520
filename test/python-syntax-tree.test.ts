import { describe, expect, it } from "vitest";
import { firstErrorNode, parsePython, releaseNativeTrees, type SyntaxNode } from "../src/scanners/python/parser.js";

const CODE = `import boto3 as b
async def submit(name, *args, queue="q", **kw):
    client = b.client("batch")
    if not name or name in ("a", "b"):
        yield client.submit_job(jobName=f"{name}-x", jobQueue=queue, **kw)
    return [x for x in args if x != 1]  # a comment
`;

function outline(node: SyntaxNode, keep: (node: SyntaxNode) => boolean): string[] {
  const lines: string[] = [];
  const visit = (n: SyntaxNode, depth: number): void => {
    if (!keep(n)) return;
    lines.push(`${"  ".repeat(depth)}${n.field ?? ""}:${n.type}${n.isNamed ? "" : "~"} ${n.startIndex}-${n.endIndex}`);
    for (const child of n.children) visit(child, depth + 1);
  };
  visit(node, 0);
  return lines;
}

const punctuation = (node: SyntaxNode) => !node.isNamed && !node.field && /^[^\w]+$/.test(node.type);

describe("python syntax tree copy", () => {
  it("leaving out punctuation keeps every other node, its field, span, parent and text", () => {
    const full = parsePython(CODE).rootNode;
    const compact = parsePython(CODE, { skipPunctuation: true }).rootNode;
    expect(outline(compact, () => true)).toEqual(outline(full, (n) => !punctuation(n)));
    expect(outline(compact, () => true).some((line) => line.includes("~"))).toBe(true); // keywords stay
    expect(outline(full, () => true).length).toBeGreaterThan(outline(compact, () => true).length);
    const call = compact.descendantsOfType("call").find((c) => c.text.startsWith("client.submit_job"))!;
    expect(call.childForFieldName("arguments")!.namedChildren.map((a) => a.type)).toEqual([
      "keyword_argument",
      "keyword_argument",
      "dictionary_splat",
    ]);
    for (const child of call.children) expect(child.parent).toBe(call);
  });

  it("keeps operators that fill a field and the tokens codemods compare", () => {
    const full = parsePython("x = a != b\ny = a + b\n").rootNode;
    const compact = parsePython("x = a != b\ny = a + b\n", { skipPunctuation: true }).rootNode;
    expect(full.descendantsOfType("comparison_operator")[0]!.children.map((c) => c.type)).toEqual([
      "identifier",
      "!=",
      "identifier",
    ]);
    expect(compact.descendantsOfType("binary_operator")[0]!.childForFieldName("operator")?.type).toBe("+");
  });

  it("keeps missing tokens, so syntax errors are still found", () => {
    const compact = parsePython("f(a, b\n", { skipPunctuation: true }).rootNode;
    expect(firstErrorNode(compact)).toBeDefined();
  });

  it("leaves share one empty, frozen child list", () => {
    const root = parsePython(CODE, { skipPunctuation: true }).rootNode;
    const leaves = root.descendantsOfType("identifier");
    expect(leaves.length).toBeGreaterThan(2);
    expect(new Set(leaves.map((leaf) => leaf.children)).size).toBe(1);
    expect(Object.isFrozen(leaves[0]!.children)).toBe(true);
  });

  it("a tree that keeps no node objects gives the same nodes, compared by id, and holds none it gave", () => {
    const kept = parsePython(CODE, { skipPunctuation: true }).rootNode;
    const viewed = parsePython(CODE, { skipPunctuation: true, keepNodes: false }).rootNode;
    expect(outline(viewed, () => true)).toEqual(outline(kept, () => true));
    const call = viewed.descendantsOfType("call").find((c) => c.text.startsWith("client.submit_job"))!;
    const again = viewed.descendantsOfType("call").find((c) => c.text.startsWith("client.submit_job"))!;
    expect(again).not.toBe(call);
    expect(again.id).toBe(call.id);
    for (const child of call.children) expect(child.parent?.id).toBe(call.id);
    expect(call.children).not.toBe(call.children); // child lists are made afresh, never cached on a node
    expect(call.namedChildren.map((c) => c.id)).toEqual(call.children.filter((c) => c.isNamed).map((c) => c.id));
    const keptCall = kept.descendantsOfType("call").find((c) => c.text.startsWith("client.submit_job"))!;
    expect(kept.descendantsOfType("call")).toContain(keptCall); // the default keeps identity
  });

  it("copies keep what the analysis reads after the native tree is gone, and native trees do not pile up", async () => {
    // 40 modules of 100 KB: their native trees took 178 MB when all were kept to the end.
    const module = Array.from(
      { length: 2000 },
      (_, i) => `def f${i}(client):\n    return client.submit_job(jobName="j${i}")\n`,
    )
      .join("")
      .slice(0, 100_000);
    parsePython(module); // loads tree-sitter
    await releaseNativeTrees();
    const before = process.memoryUsage().rss;
    let last: SyntaxNode | undefined;
    for (let i = 0; i < 40; i++) {
      last = parsePython(module, { skipPunctuation: true }).rootNode;
      await releaseNativeTrees();
    }
    const grown = (process.memoryUsage().rss - before) / 1e6;
    expect(grown).toBeLessThan(100);
    const call = last!.descendantsOfType("call")[0]!;
    expect(call.text).toBe('client.submit_job(jobName="j0")');
    expect(call.parent?.type).toBe("return_statement");
    expect(call.childForFieldName("arguments")?.namedChildren[0]?.childForFieldName("name")?.text).toBe("jobName");
    expect(call.startPosition).toEqual({ row: 1, column: 11 });
  }, 60_000);
});
