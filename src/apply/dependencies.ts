// Rewritten code imports batch-migrate-runtime, so `apply --write` also makes the repository depend on it: the
// runtime's artifacts are copied to migration/vendor/ (it is in no registry) and the nearest dependency file of
// each rewritten file names them by a relative path the user can change. Files it cannot edit safely (setup.py
// is code) and repositories with none get a line saying what to add.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import {
  copyArtifacts,
  MISSING_ARTIFACTS_HINT,
  RUNTIME_PACKAGE,
  runtimeArtifacts,
  type RuntimeArtifacts,
} from "../vendor/artifacts.js";
import type { ApplyResult } from "./runner.js";
import { languageOfPath } from "./transform.js";
import { uncommittedFiles, writeAtomically } from "./write.js";

export const APPLY_VENDOR_FOLDER = "migration/vendor";
const MENTIONS_RUNTIME = /batch[-_.]migrate[-_.]runtime/i;
const PYTHON_FILES = ["Pipfile", "pyproject.toml", "setup.cfg", "setup.py"];
const REQUIREMENTS = /^requirements[\w.-]*\.(txt|in)$/i;
const DEV_REQUIREMENTS = /dev|test|doc|lint|ci/i;

type Ecosystem = "node" | "python";

export interface DependencyEdit {
  /** POSIX, relative to the root. */
  file: string;
  before: Buffer;
  after: string;
  what: string;
}

export interface DependencyPlan {
  edits: DependencyEdit[];
  /** Artifact names to copy into migration/vendor/. */
  copies: string[];
  /** Lines for the summary: files that already name the runtime, and what to add by hand. */
  notes: string[];
}

const posix = (relPath: string) => relPath.split(path.sep).join("/");

/** `./x` for a path relative to `from` (a folder under the root) that reaches `<root>/<target>`. */
function relativeReference(root: string, fromFolder: string, target: string): string {
  const relative = posix(path.relative(path.join(root, fromFolder), path.join(root, target)));
  return relative.startsWith("../") ? relative : `./${relative}`;
}

/** The folders from `relFolder` up to the root ("" is the root). */
function foldersUp(relFolder: string): string[] {
  const folders: string[] = [];
  for (let current = relFolder === "." ? "" : relFolder; ; current = path.posix.dirname(current)) {
    folders.push(current === "." ? "" : current);
    if (current === "" || current === ".") break;
  }
  return [...new Set(folders)];
}

function readIfFile(root: string, relPath: string): Buffer | undefined {
  const absolute = path.join(root, relPath);
  try {
    return readFileSync(absolute);
  } catch {
    return undefined;
  }
}

function indentOf(text: string): string | number {
  const match = /\n([ \t]+)"/.exec(text);
  return match?.[1]?.includes("\t") ? "\t" : (match?.[1]?.length ?? 2);
}

function editPackageJson(root: string, file: string, bytes: Buffer, tarball: string): DependencyEdit | string {
  const text = bytes.toString("utf8");
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch {
    return `${file} is not valid JSON: add "${RUNTIME_PACKAGE}": "file:${relativeReference(root, path.posix.dirname(file), tarball)}" to its dependencies`;
  }
  if (typeof manifest !== "object" || manifest === null || Array.isArray(manifest))
    return `${file} holds no JSON object: add ${RUNTIME_PACKAGE} to the dependencies by hand`;
  const record = manifest as Record<string, unknown>;
  for (const field of ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"]) {
    const section = record[field];
    if (typeof section === "object" && section !== null && RUNTIME_PACKAGE in section)
      return `${file} already names ${RUNTIME_PACKAGE} (${field})`;
  }
  const existing = record.dependencies;
  const dependencies =
    typeof existing === "object" && existing !== null && !Array.isArray(existing)
      ? { ...(existing as Record<string, unknown>) }
      : {};
  const keys = Object.keys(dependencies);
  const sorted = keys.every((key, index) => index === 0 || keys[index - 1]! <= key);
  const reference = `file:${relativeReference(root, path.posix.dirname(file), tarball)}`;
  dependencies[RUNTIME_PACKAGE] = reference;
  record.dependencies = sorted
    ? Object.fromEntries(Object.entries(dependencies).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    : dependencies;
  const after = `${JSON.stringify(record, null, indentOf(text))}${text.endsWith("\n") ? "\n" : ""}`;
  return {
    file,
    before: bytes,
    after: text.includes("\r\n") ? after.replace(/\n/g, "\r\n") : after,
    what: `dependencies: "${RUNTIME_PACKAGE}": "${reference}"`,
  };
}

function appendLine(text: string, line: string): string {
  const newline = text.includes("\r\n") ? "\r\n" : "\n";
  const body = text.length === 0 || text.endsWith("\n") ? text : `${text}${newline}`;
  return `${body}${line}${newline}`;
}

function editRequirements(root: string, file: string, bytes: Buffer, wheel: string): DependencyEdit {
  // pip reads a local path in a requirements file relative to where it runs: the file's folder, as is usual.
  const reference = relativeReference(root, path.posix.dirname(file), wheel);
  const after = appendLine(
    bytes.toString("utf8"),
    `# ${RUNTIME_PACKAGE}, which the migrated code imports (vendored by batch-migrate; point it at your own index if you publish it)${bytes.includes("\r\n") ? "\r\n" : "\n"}${reference}`,
  );
  return { file, before: bytes, after, what: reference };
}

function editPipfile(root: string, file: string, bytes: Buffer, wheel: string): DependencyEdit | string {
  const text = bytes.toString("utf8");
  const reference = relativeReference(root, path.posix.dirname(file), wheel);
  const line = `${RUNTIME_PACKAGE} = {path = "${reference}"}`;
  const section = /^\[packages\][ \t]*\r?$/m.exec(text);
  if (!section) return `${file} has no [packages] section: add ${line} to it`;
  const newline = text.includes("\r\n") ? "\r\n" : "\n";
  const insertAt = text.indexOf("\n", section.index);
  const after =
    insertAt < 0
      ? `${text}${newline}${line}${newline}`
      : `${text.slice(0, insertAt + 1)}${line}${newline}${text.slice(insertAt + 1)}`;
  return { file, before: bytes, after, what: line };
}

/** pyproject.toml: Poetry's table takes a path; PEP 621's `dependencies` array gets the name (no relative URLs). */
function editPyproject(root: string, file: string, bytes: Buffer, wheel: string): DependencyEdit | string {
  const text = bytes.toString("utf8");
  const newline = text.includes("\r\n") ? "\r\n" : "\n";
  const poetry = /^\[tool\.poetry\.dependencies\][ \t]*\r?$/m.exec(text);
  if (poetry) {
    const reference = posix(path.relative(path.join(root, path.posix.dirname(file)), path.join(root, wheel)));
    const line = `${RUNTIME_PACKAGE} = { path = "${reference}" }`;
    const insertAt = text.indexOf("\n", poetry.index);
    return {
      file,
      before: bytes,
      after: `${text.slice(0, insertAt + 1)}${line}${newline}${text.slice(insertAt + 1)}`,
      what: `[tool.poetry.dependencies] ${line}`,
    };
  }
  const project = /^\[project\][ \t]*\r?$/m.exec(text);
  if (!project)
    return `${file} declares no [project] or Poetry dependencies: add ${RUNTIME_PACKAGE} where its dependencies are declared`;
  const rest = text.slice(project.index + project[0].length);
  const nextTable = rest.search(/^\[/m);
  const body = nextTable < 0 ? rest : rest.slice(0, nextTable);
  const array = /^dependencies[ \t]*=[ \t]*\[/m.exec(body);
  const install = `install ./${wheel} first (pip install ./${wheel}), or publish it to your index: a pyproject.toml cannot point at a relative path`;
  if (!array) return `${file} has no [project] dependencies array: add "${RUNTIME_PACKAGE}" to it, and ${install}`;
  const insertAt = project.index + project[0].length + array.index + array[0].length;
  const after = `${text.slice(0, insertAt)}${newline}    "${RUNTIME_PACKAGE}",${text.slice(insertAt).replace(/^[ \t]*(?=\r?\n)/, "")}`;
  return { file, before: bytes, after, what: `[project] dependencies: "${RUNTIME_PACKAGE}" — ${install}` };
}

function editSetupCfg(file: string, bytes: Buffer, wheel: string): DependencyEdit | string {
  const text = bytes.toString("utf8");
  const newline = text.includes("\r\n") ? "\r\n" : "\n";
  const key = /^install_requires[ \t]*=[^\n]*\n((?:[ \t]+[^\n]*\n)*)/m.exec(text);
  const install = `install ./${wheel} first (pip install ./${wheel}), or publish it to your index`;
  if (!key) return `${file} has no install_requires: add ${RUNTIME_PACKAGE} to it, and ${install}`;
  const indent = /^([ \t]+)/.exec(key[1] ?? "")?.[1] ?? "    ";
  const insertAt = key.index + key[0].length;
  return {
    file,
    before: bytes,
    after: `${text.slice(0, insertAt)}${indent}${RUNTIME_PACKAGE}${newline}${text.slice(insertAt)}`,
    what: `install_requires: ${RUNTIME_PACKAGE} — ${install}`,
  };
}

function pythonEdits(root: string, folder: string, wheel: string): { edits: DependencyEdit[]; notes: string[] } {
  const edits: DependencyEdit[] = [];
  const notes: string[] = [];
  const at = (name: string) => (folder ? `${folder}/${name}` : name);
  const names = readdirSync(path.join(root, folder));
  const requirements = names.filter((name) => REQUIREMENTS.test(name)).sort();
  const mainRequirements = requirements.includes("requirements.txt")
    ? ["requirements.txt"]
    : requirements.filter((name) => !DEV_REQUIREMENTS.test(name)).slice(0, 1);
  const candidates = [...mainRequirements, ...PYTHON_FILES.filter((name) => names.includes(name))];
  for (const name of candidates) {
    const file = at(name);
    const bytes = readIfFile(root, file);
    if (!bytes) continue;
    if (MENTIONS_RUNTIME.test(bytes.toString("utf8"))) {
      notes.push(`${file} already names ${RUNTIME_PACKAGE}`);
      continue;
    }
    const outcome =
      name === "Pipfile"
        ? editPipfile(root, file, bytes, wheel)
        : name === "pyproject.toml"
          ? editPyproject(root, file, bytes, wheel)
          : name === "setup.cfg"
            ? editSetupCfg(file, bytes, wheel)
            : name === "setup.py"
              ? `${file} is code, so it was not edited: add "${RUNTIME_PACKAGE}" to install_requires, and install ./${wheel} first or publish it to your index`
              : editRequirements(root, file, bytes, wheel);
    if (typeof outcome === "string") notes.push(outcome);
    else edits.push(outcome);
  }
  return { edits, notes };
}

const DEPENDENCY_FILES: Record<Ecosystem, (names: string[]) => boolean> = {
  node: (names) => names.includes("package.json"),
  python: (names) => names.some((name) => REQUIREMENTS.test(name) || PYTHON_FILES.includes(name)),
};

/** The nearest folder (from the file's up to the root) that declares dependencies of that ecosystem. */
function nearestDeclaringFolder(root: string, relFile: string, ecosystem: Ecosystem): string | undefined {
  for (const folder of foldersUp(path.posix.dirname(relFile))) {
    let names: string[];
    try {
      names = readdirSync(path.join(root, folder));
    } catch {
      continue;
    }
    if (DEPENDENCY_FILES[ecosystem](names)) return folder;
  }
  return undefined;
}

/** What `apply` would change in the repository's dependency files for the rewritten files `changed`. */
export function planRuntimeDependencies(
  root: string,
  changed: readonly string[],
  artifacts: RuntimeArtifacts,
): DependencyPlan {
  const plan: DependencyPlan = { edits: [], copies: [], notes: [] };
  const byEcosystem = new Map<Ecosystem, string[]>();
  for (const file of changed) {
    const language = languageOfPath(file);
    if (!language) continue;
    const ecosystem: Ecosystem = language === "python" ? "python" : "node";
    byEcosystem.set(ecosystem, [...(byEcosystem.get(ecosystem) ?? []), file]);
  }
  const seen = new Set<string>();
  for (const [ecosystem, files] of byEcosystem) {
    const artifact = ecosystem === "node" ? artifacts.node : artifacts.wheel;
    if (!artifact) {
      plan.notes.push(`${RUNTIME_PACKAGE} is not vendored: ${MISSING_ARTIFACTS_HINT}`);
      continue;
    }
    const vendored = `${APPLY_VENDOR_FOLDER}/${artifact}`;
    plan.copies.push(artifact);
    const folders = new Map<string, string[]>();
    const orphans: string[] = [];
    for (const file of files) {
      const folder = nearestDeclaringFolder(root, file, ecosystem);
      if (folder === undefined) orphans.push(file);
      else folders.set(folder, [...(folders.get(folder) ?? []), file]);
    }
    for (const folder of [...folders.keys()].sort()) {
      if (seen.has(`${ecosystem}:${folder}`)) continue;
      seen.add(`${ecosystem}:${folder}`);
      if (ecosystem === "node") {
        const file = folder ? `${folder}/package.json` : "package.json";
        const bytes = readIfFile(root, file);
        if (!bytes) continue;
        const outcome = editPackageJson(root, file, bytes, vendored);
        if (typeof outcome === "string") plan.notes.push(outcome);
        else plan.edits.push(outcome);
      } else {
        const { edits, notes } = pythonEdits(root, folder, vendored);
        plan.edits.push(...edits);
        plan.notes.push(...notes);
      }
    }
    if (orphans.length > 0) {
      const shown = orphans.slice(0, 3).join(", ") + (orphans.length > 3 ? ` and ${orphans.length - 3} more` : "");
      plan.notes.push(
        ecosystem === "node"
          ? `no package.json above ${shown}: add "${RUNTIME_PACKAGE}": "file:./${vendored}" to the dependencies of the package that runs them (npm install ./${vendored})`
          : `no requirements*.txt, pyproject.toml, setup.cfg, setup.py or Pipfile above ${shown}: add ./${vendored} to the file you install from (pip install ./${vendored})`,
      );
    }
  }
  return plan;
}

/** Summary lines for `apply`; with `write`, copies the artifacts and edits the dependency files first. */
export function runtimeDependencyLines(
  root: string,
  result: ApplyResult,
  options: { write: boolean; allowDirty: boolean },
): string[] {
  const changed = result.files.filter((file) => file.status === "changed").map((file) => file.path);
  if (changed.length === 0) return [];
  const artifacts = runtimeArtifacts();
  const plan = planRuntimeDependencies(root, changed, artifacts);
  const lines: string[] = [];
  const verb = options.write ? "added" : "would add";
  if (!options.write) {
    if (plan.copies.length > 0)
      lines.push(`would copy ${plan.copies.map((name) => `${APPLY_VENDOR_FOLDER}/${name}`).join(", ")}`);
    for (const edit of plan.edits) lines.push(`${verb} the runtime to ${edit.file}: ${edit.what}`);
    return [...lines, ...plan.notes];
  }
  const check = options.allowDirty
    ? { ok: true as const, dirty: [] }
    : uncommittedFiles(
        root,
        plan.edits.map((edit) => edit.file),
      );
  if (!check.ok) return [`runtime not added: ${check.error}`, ...plan.notes];
  const dirty = check.dirty;
  try {
    const copied = copyArtifacts(artifacts, plan.copies, root, APPLY_VENDOR_FOLDER);
    if (copied.length > 0) lines.push(`copied ${copied.join(", ")}`);
  } catch (error) {
    return [`runtime not vendored: ${(error as Error).message}`, ...plan.notes];
  }
  for (const edit of plan.edits) {
    if (dirty.includes(edit.file)) {
      lines.push(`not edited: ${edit.file} has uncommitted changes; add ${edit.what} (or commit and run again)`);
      continue;
    }
    const written = writeAtomically(root, edit.file, edit.before, edit.after);
    lines.push(
      written.ok ? `${verb} the runtime to ${edit.file}: ${edit.what}` : `not edited: ${edit.file}: ${written.error}`,
    );
  }
  if (existsSync(path.join(root, APPLY_VENDOR_FOLDER)) && plan.copies.length > 0)
    lines.push(`commit ${APPLY_VENDOR_FOLDER}/ with the change: the dependency files point at it`);
  return [...lines, ...plan.notes];
}
