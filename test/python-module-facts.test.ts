import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import {
  indexPythonModule,
  moduleFactsBuffers,
  moduleOfFacts,
  type ModuleFacts,
} from "../src/scanners/python/module-facts.js";
import { indexModule, type ModuleIndex } from "../src/scanners/python/module-index.js";
import { extractNotebookCode } from "../src/scanners/python/notebook.js";
import { parsePython, type SyntaxNode } from "../src/scanners/python/parser.js";

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/scanners/python");

function pythonFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) return pythonFiles(full);
      return /\.(py|ipynb)$/.test(name) ? [full] : [];
    });
}

/** Everything an index says, with each node written as its type, span and text and each reference as its key. */
function describeIndex(index: ModuleIndex): unknown {
  const node = (n: SyntaxNode | undefined) => n && `${n.type}@${n.startIndex}-${n.endIndex}:${n.text.slice(0, 40)}`;
  const nodes = (list: Iterable<SyntaxNode>) => [...list].map(node);
  return {
    file: index.file.path,
    moduleName: index.moduleName,
    language: index.language,
    lineMap: index.lineMap,
    root: node(index.tree.rootNode),
    imports: [...index.imports],
    constants: [...index.constants],
    moduleNames: [...index.moduleNames],
    functions: index.functions.map((fn) => ({
      key: fn.key,
      name: fn.name,
      node: node(fn.node),
      module: fn.module === index,
      params: fn.params.map((p) => [p.name, p.index, node(p.defaultValue), node(p.annotation)]),
      owner: fn.owner?.key,
      parent: fn.parent?.key,
      isFixture: fn.isFixture,
      locals: [...fn.locals],
      globals: [...fn.globals],
      byNode: index.functionByNode.get(fn.node.id) === fn,
    })),
    topFunctions: [...index.topFunctions].map(([name, fn]) => [name, fn.key]),
    classes: [...index.classByNode.values()].map((cls) => ({
      key: cls.key,
      node: node(cls.node),
      module: cls.module === index,
      bases: cls.bases,
      methods: [...cls.methods].map(([name, fn]) => [name, fn.key, fn.owner === cls]),
      byNode: index.classByNode.get(cls.node.id) === cls,
    })),
    topClasses: [...index.classes].map(([name, cls]) => [name, cls.key]),
    scopes: index.scopes.map((s) => [s.start, s.end, s.fn?.key, s.cls?.key]),
    calls: nodes(index.calls),
    assignments: nodes(index.assignments),
    returns: nodes(index.returns),
    withItems: nodes(index.withItems),
    attributes: nodes(index.attributes),
    dictionaries: nodes(index.dictionaries),
  };
}

/** The index made straight from a tree that keeps its node objects, as the analysis made it before. */
function directIndex(relative: string, text: string): ModuleIndex | undefined {
  if (!relative.endsWith(".ipynb"))
    return indexModule({ path: relative }, parsePython(text, { skipPunctuation: true }), "python");
  const code = extractNotebookCode(text);
  if (!code) return undefined;
  return indexModule({ path: relative }, parsePython(code.text, { skipPunctuation: true }), "notebook", code.lineMap);
}

describe("python module facts", () => {
  const files = pythonFiles(FIXTURES);

  it("covers every Python fixture", () => {
    expect(files.length).toBeGreaterThan(90);
  });

  for (const file of files) {
    const relative = path.relative(FIXTURES, file);
    it(`${relative}: the facts survive a transfer to another thread and rebuild the same index`, () => {
      const text = readFileSync(file, "utf8");
      const direct = directIndex(relative, text);
      const indexed = indexPythonModule(relative, text);
      if (!direct) {
        expect(indexed.module).toBeUndefined();
        return;
      }
      const facts = indexed.module!;
      // What a helper thread would post: the facts, their typed arrays moved rather than copied.
      const received = structuredClone(facts, { transfer: moduleFactsBuffers(facts) });
      expect(facts.syntax.types.length).toBe(0); // moved, not copied
      expect(describeIndex(moduleOfFacts(received))).toEqual(describeIndex(direct));
    });
  }

  it("gives the parse error of a broken file as a finding next to its facts", () => {
    const { module, findings } = indexPythonModule("broken.py", "def f(:\n    return 1\n");
    expect(module?.path).toBe("broken.py");
    expect(findings.map((f) => [f.kind, f.line])).toEqual([["parse-error", 1]]);
  });

  it("gives no facts for a file that is not a notebook's JSON", () => {
    expect(indexPythonModule("broken.ipynb", '{"cells": ')).toEqual({ findings: [] });
  });
});

describe("python module facts across threads", () => {
  it("a thread that never parsed rebuilds the index a helper thread posted, node names and all", async () => {
    const text =
      'import boto3\n\ndef submit(name):\n    batch = boto3.client("batch")\n    return batch.submit_job(jobName=name, jobQueue="q")\n';
    const facts = indexPythonModule("jobs/submit.py", text).module!;
    const worker = new Worker(path.resolve(import.meta.dirname, "support/python-facts-worker.mjs"), {});
    try {
      const answer = new Promise((resolve, reject) => {
        worker.once("message", resolve);
        worker.once("error", reject);
      });
      worker.postMessage(facts, moduleFactsBuffers(facts));
      expect(await answer).toEqual({
        calls: [
          { type: "call", callee: "boto3.client", keywords: [], line: 4 },
          { type: "call", callee: "batch.submit_job", keywords: ["jobName", "jobQueue"], line: 5 },
        ],
        functions: ["jobs/submit.py#submit"],
      });
    } finally {
      await worker.terminate();
    }
  }, 30_000);
});
