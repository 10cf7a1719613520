// `apply --write` names the runtime in the dependency file nearest each rewritten file, in that file's own
// syntax, by a relative path to migration/vendor/; what it cannot edit becomes a summary line saying what to add.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { planRuntimeDependencies } from "../src/apply/dependencies.js";

const ARTIFACTS = {
  folder: "/nowhere",
  node: "batch-migrate-runtime-0.1.0.tgz",
  wheel: "batch_migrate_runtime-0.1.0-py3-none-any.whl",
};
const WHEEL = "migration/vendor/batch_migrate_runtime-0.1.0-py3-none-any.whl";

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), "migrate-deps-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  return root;
}

interface Case {
  name: string;
  files: Record<string, string>;
  changed: string[];
  edits: Record<string, string>;
  notes?: RegExp[];
}

const CASES: Case[] = [
  {
    name: "nested package.json: sorted in, its indent kept, the path relative to it",
    files: {
      "services/api/package.json":
        '{\n    "name": "api",\n    "dependencies": {\n        "@aws-sdk/client-batch": "^3.0.0",\n        "zod": "^3.0.0"\n    }\n}\n',
      "services/api/src/submit.ts": "",
    },
    changed: ["services/api/src/submit.ts"],
    edits: {
      "services/api/package.json":
        '{\n    "name": "api",\n    "dependencies": {\n        "@aws-sdk/client-batch": "^3.0.0",\n        "batch-migrate-runtime": "file:../../migration/vendor/batch-migrate-runtime-0.1.0.tgz",\n        "zod": "^3.0.0"\n    }\n}\n',
    },
  },
  {
    name: "package.json without dependencies gets the section",
    files: { "package.json": '{ "name": "x" }', "index.js": "" },
    changed: ["index.js"],
    edits: {
      "package.json":
        '{\n  "name": "x",\n  "dependencies": {\n    "batch-migrate-runtime": "file:./migration/vendor/batch-migrate-runtime-0.1.0.tgz"\n  }\n}',
    },
  },
  {
    name: "requirements.txt (no final newline) is preferred over requirements-dev.txt",
    files: { "requirements.txt": "boto3==1.34.0", "requirements-dev.txt": "pytest\n", "jobs/run.py": "" },
    changed: ["jobs/run.py"],
    edits: {
      "requirements.txt": `boto3==1.34.0\n# batch-migrate-runtime, which the migrated code imports (vendored by batch-migrate; point it at your own index if you publish it)\n./${WHEEL}\n`,
    },
  },
  {
    name: "a nested requirements file with CRLF line endings",
    files: { "worker/requirements-prod.txt": "boto3\r\n", "worker/app.py": "" },
    changed: ["worker/app.py"],
    edits: {
      "worker/requirements-prod.txt": `boto3\r\n# batch-migrate-runtime, which the migrated code imports (vendored by batch-migrate; point it at your own index if you publish it)\r\n../${WHEEL}\r\n`,
    },
  },
  {
    name: "Pipfile [packages]",
    files: {
      Pipfile:
        '[[source]]\nurl = "https://pypi.org/simple"\n\n[packages]\nboto3 = "*"\n\n[dev-packages]\npytest = "*"\n',
      "app.py": "",
    },
    changed: ["app.py"],
    edits: {
      Pipfile: `[[source]]\nurl = "https://pypi.org/simple"\n\n[packages]\nbatch-migrate-runtime = {path = "./${WHEEL}"}\nboto3 = "*"\n\n[dev-packages]\npytest = "*"\n`,
    },
  },
  {
    name: "pyproject.toml [project] dependencies, with a line on installing the wheel",
    files: {
      "pyproject.toml":
        '[project]\nname = "x"\ndependencies = [\n    "boto3>=1.26",\n]\n\n[tool.ruff]\nline-length = 100\n',
      "src/x/a.py": "",
    },
    changed: ["src/x/a.py"],
    edits: {
      "pyproject.toml":
        '[project]\nname = "x"\ndependencies = [\n    "batch-migrate-runtime",\n    "boto3>=1.26",\n]\n\n[tool.ruff]\nline-length = 100\n',
    },
  },
  {
    name: "Poetry takes the path",
    files: {
      "pyproject.toml": '[tool.poetry]\nname = "x"\n\n[tool.poetry.dependencies]\npython = "^3.10"\n',
      "x/a.py": "",
    },
    changed: ["x/a.py"],
    edits: {
      "pyproject.toml": `[tool.poetry]\nname = "x"\n\n[tool.poetry.dependencies]\nbatch-migrate-runtime = { path = "${WHEEL}" }\npython = "^3.10"\n`,
    },
  },
  {
    name: "setup.cfg install_requires; setup.py only gets a line",
    files: {
      "setup.cfg": "[options]\ninstall_requires =\n    boto3\n    click\npython_requires = >=3.9\n",
      "setup.py": "from setuptools import setup\nsetup()\n",
      "pkg/a.py": "",
    },
    changed: ["pkg/a.py"],
    edits: {
      "setup.cfg":
        "[options]\ninstall_requires =\n    boto3\n    click\n    batch-migrate-runtime\npython_requires = >=3.9\n",
    },
    notes: [/^setup\.py is code, so it was not edited: add "batch-migrate-runtime" to install_requires/],
  },
  {
    name: "no dependency file: a line saying what to add, for each language",
    files: { "a.py": "", "b.ts": "" },
    changed: ["a.py", "b.ts"],
    edits: {},
    notes: [
      /^no requirements\*\.txt, pyproject\.toml, setup\.cfg, setup\.py or Pipfile above a\.py: add \.\/migration\/vendor\/batch_migrate_runtime-0\.1\.0-py3-none-any\.whl/,
      /^no package\.json above b\.ts: add "batch-migrate-runtime": "file:\.\/migration\/vendor\/batch-migrate-runtime-0\.1\.0\.tgz"/,
    ],
  },
  {
    name: "a file that names the runtime already is left alone",
    files: {
      "requirements.txt": "batch-migrate-runtime==0.1.0\n",
      "package.json": '{"dependencies":{"batch-migrate-runtime":"^0.1.0"}}',
      "a.py": "",
      "b.mjs": "",
    },
    changed: ["a.py", "b.mjs"],
    edits: {},
    notes: [
      /^package\.json already names batch-migrate-runtime \(dependencies\)$/,
      /^requirements\.txt already names batch-migrate-runtime$/,
    ],
  },
];

describe("the runtime dependency apply --write adds", () => {
  it.each(CASES)("$name", ({ files, changed, edits, notes }) => {
    const root = tree(files);
    const plan = planRuntimeDependencies(root, changed, ARTIFACTS);
    expect(Object.fromEntries(plan.edits.map((edit) => [edit.file, edit.after]))).toEqual(edits);
    for (const edit of plan.edits) expect(edit.before.toString("utf8")).toBe(files[edit.file]);
    const expectedNotes = notes ?? [];
    expect(plan.notes).toHaveLength(expectedNotes.length);
    for (const pattern of expectedNotes) expect(plan.notes.some((note) => pattern.test(note))).toBe(true);
    expect(plan.copies.sort()).toEqual(
      [
        ...(changed.some((file) => file.endsWith(".py")) ? [ARTIFACTS.wheel] : []),
        ...(changed.some((file) => !file.endsWith(".py")) ? [ARTIFACTS.node] : []),
      ].sort(),
    );
  });
});
