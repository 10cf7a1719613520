// Transform cases that span modules (a client made by a helper in one file, used in another): each folder under
// fixtures/transforms/<transform>/ holds `*.input.py` files (and `*.output.py` for those that change, an
// `options.json`, a `listed.json` of the sites left for a person and words of their reasons), is applied as one
// tree by `runApply`, and must give the outputs (and listings), then change nothing again — neither over the tree
// nor on any one file of it. Apply on one file alone gives that file what a run over the tree gives it: every run
// resolves against the whole tree. The single-file cases of every transform are applied the same way, as one tree
// per set of options.
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runApply } from "../src/apply/runner.js";
import type { MigrationTarget } from "../src/apply/transform.js";
import { TRANSFORMS } from "../transforms/index.js";

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/transforms");

function filesUnder(dir: string, prefix = ""): string[] {
  return readdirSync(dir).flatMap((name) => {
    const rel = prefix ? `${prefix}/${name}` : name;
    return statSync(path.join(dir, name)).isDirectory() ? filesUnder(path.join(dir, name), rel) : [rel];
  });
}

function treeCases(id: string): { name: string; dir: string }[] {
  const root = path.join(FIXTURES, id);
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((name) => statSync(path.join(root, name)).isDirectory())
    .sort()
    .map((name) => ({ name, dir: path.join(root, name) }));
}

let work: string | undefined;
afterEach(() => {
  if (work) rmSync(work, { recursive: true, force: true });
  work = undefined;
});

const python = TRANSFORMS.filter((t) => t.language === "python");

describe.each(python.map((t) => t.id))("%s across modules", (id) => {
  const cases = treeCases(id);
  it.skipIf(cases.length === 0).each(cases.map((c) => [c.name, c] as const))("%s", async (_name, testCase) => {
    const transform = python.find((t) => t.id === id)!;
    const optionsFile = path.join(testCase.dir, "options.json");
    const options = existsSync(optionsFile)
      ? (JSON.parse(readFileSync(optionsFile, "utf8")) as { target?: MigrationTarget; config?: unknown })
      : {};
    work = mkdtempSync(path.join(os.tmpdir(), "transform-modules-"));
    const inputs = filesUnder(testCase.dir).filter((f) => f.includes(".input."));
    for (const input of inputs) {
      const target = path.join(work, input.replace(".input.", "."));
      mkdirSync(path.dirname(target), { recursive: true });
      cpSync(path.join(testCase.dir, input), target);
    }
    if (options.config) writeFileSync(path.join(work, "migrate.config.json"), JSON.stringify(options.config));
    const transforms = python.filter((t) => t.to === transform.to);
    const run = (write: boolean) =>
      runApply({
        root: work!,
        transforms,
        target: options.target ?? "common-compute",
        write,
        allowDirty: true,
      });
    const first = await run(true);
    expect(first.files.filter((f) => f.status === "failed")).toEqual([]);
    for (const input of inputs) {
      const expected = path.join(testCase.dir, input.replace(".input.", ".output."));
      const actual = readFileSync(path.join(work, input.replace(".input.", ".")), "utf8");
      expect(actual, input).toBe(
        readFileSync(existsSync(expected) ? expected : path.join(testCase.dir, input), "utf8"),
      );
    }
    // `listed.json`: the sites apply leaves for a person, each with words its reason must contain.
    const listedFile = path.join(testCase.dir, "listed.json");
    if (existsSync(listedFile)) {
      const expected = JSON.parse(readFileSync(listedFile, "utf8")) as { path: string; line: number; says: string[] }[];
      const listed = first.files.flatMap((f) => f.manual.map((m) => ({ path: f.path, line: m.line, why: m.why })));
      expect(listed.map(({ path: p, line }) => `${p}:${line}`).sort()).toEqual(
        expected.map(({ path: p, line }) => `${p}:${line}`).sort(),
      );
      for (const site of expected) {
        const why = listed.find((l) => l.path === site.path && l.line === site.line)!.why;
        for (const words of site.says) expect(why).toContain(words);
      }
    }
    const second = await run(false);
    expect(second.files.filter((f) => f.status === "changed" || f.status === "failed").map((f) => f.path)).toEqual([]);
    await expectEachFileAloneUnchanged(work, transforms, options.target);

    // From the inputs again, each file applied alone: what the run over the tree wrote into it, no more, no less.
    for (const input of inputs) {
      const alone = mkdtempSync(path.join(os.tmpdir(), "transform-modules-alone-"));
      try {
        for (const each of inputs) {
          const target = path.join(alone, each.replace(".input.", "."));
          mkdirSync(path.dirname(target), { recursive: true });
          cpSync(path.join(testCase.dir, each), target);
        }
        if (options.config) writeFileSync(path.join(alone, "migrate.config.json"), JSON.stringify(options.config));
        const file = input.replace(".input.", ".");
        const result = await runApply({
          root: alone,
          paths: [path.join(alone, file)],
          transforms,
          target: options.target ?? "common-compute",
          write: true,
          allowDirty: true,
        });
        expect(result.files.map((f) => f.path).filter((p) => p !== file)).toEqual([]);
        expect(readFileSync(path.join(alone, file), "utf8"), `${input} applied alone`).toBe(
          readFileSync(path.join(work, file), "utf8"),
        );
      } finally {
        rmSync(alone, { recursive: true, force: true });
      }
    }
  });
});

/** After a run over the tree, apply on each file alone changes nothing. */
async function expectEachFileAloneUnchanged(
  root: string,
  transforms: readonly (typeof TRANSFORMS)[number][],
  target: MigrationTarget | undefined,
): Promise<void> {
  for (const file of filesUnder(root).filter((f) => /\.(py|[cm]?[jt]sx?)$/.test(f))) {
    const result = await runApply({
      root,
      paths: [path.join(root, file)],
      transforms,
      target: target ?? "common-compute",
      write: false,
      allowDirty: true,
    });
    expect(
      result.files.filter((f) => f.status === "changed" || f.status === "failed").map((f) => `${f.path}: ${f.reason}`),
      `${file} applied alone after a run over the tree`,
    ).toEqual([]);
  }
}

/** The single-file cases of a transform, grouped by their options (one tree per group). */
function singleCaseTrees(id: string): { options: string; inputs: string[] }[] {
  const dir = path.join(FIXTURES, id);
  const groups = new Map<string, string[]>();
  for (const file of readdirSync(dir)
    .filter((name) => /\.input\.\w+$/.test(name))
    .sort()) {
    const optionsFile = path.join(dir, `${file.replace(/\.input\.\w+$/, "")}.options.json`);
    const options = existsSync(optionsFile) ? JSON.stringify(JSON.parse(readFileSync(optionsFile, "utf8"))) : "{}";
    groups.set(options, [...(groups.get(options) ?? []), file]);
  }
  return [...groups].map(([options, inputs]) => ({ options, inputs }));
}

describe.each(TRANSFORMS.map((t) => t.id))("%s single-file cases as one tree", (id) => {
  it.each(singleCaseTrees(id).map((tree, i) => [`options set ${i + 1}`, tree] as const))(
    "%s: gives each output, then a second run and each file alone change nothing",
    async (_name, tree) => {
      const transform = TRANSFORMS.find((t) => t.id === id)!;
      const options = JSON.parse(tree.options) as { target?: MigrationTarget; config?: unknown };
      work = mkdtempSync(path.join(os.tmpdir(), "transform-cases-tree-"));
      for (const input of tree.inputs)
        cpSync(path.join(FIXTURES, id, input), path.join(work, input.replace(".input.", ".")));
      if (options.config) writeFileSync(path.join(work, "migrate.config.json"), JSON.stringify(options.config));
      const run = (write: boolean) =>
        runApply({
          root: work!,
          transforms: [transform],
          target: options.target ?? "common-compute",
          write,
          allowDirty: true,
        });
      const first = await run(true);
      expect(first.files.filter((f) => f.status === "failed").map((f) => `${f.path}: ${f.reason}`)).toEqual([]);
      for (const input of tree.inputs) {
        const expected = path.join(FIXTURES, id, input.replace(".input.", ".output."));
        expect(readFileSync(path.join(work, input.replace(".input.", ".")), "utf8"), input).toBe(
          readFileSync(existsSync(expected) ? expected : path.join(FIXTURES, id, input), "utf8"),
        );
      }
      const second = await run(false);
      expect(second.files.filter((f) => f.status === "changed" || f.status === "failed").map((f) => f.path)).toEqual(
        [],
      );
      await expectEachFileAloneUnchanged(work, [transform], options.target);
    },
  );
});
