import { realpathSync } from "node:fs";
import path from "node:path";
import { discoverFiles } from "../core/discover.js";
import { readCandidate } from "../core/read.js";
import { DEFAULT_MAX_FILE_BYTES } from "../core/scan.js";
import type { ScanContext, SourceFile } from "../core/scanner.js";
import { isSuppressedAt } from "../core/suppression.js";
import type { Finding } from "../core/types.js";
import javascript from "../scanners/javascript/index.js";
import python from "../scanners/python/index.js";
import { loadMigrateConfig, type MigrateConfig } from "./config.js";
import { unifiedDiff } from "./diff.js";
import { ImportRequests, runImportPass } from "./imports.js";
import { findMarkers } from "./markers.js";
import { planClientOrigins } from "./origins.js";
import { reasonFromOrigin } from "./python/origin-reason.js";
import type { ClientOrigin } from "./python/client-origin.js";
import { toStoredText, toWorkingText } from "./text-style.js";
import {
  languageOfPath,
  type MigrationTarget,
  type Transform,
  type TransformLanguage,
  type TransformWarning,
} from "./transform.js";
import { syntaxProblem } from "./verify.js";
import { decodeForRewrite, uncommittedFiles, writeAtomically } from "./write.js";

export type FileStatus = "changed" | "unchanged" | "skipped" | "failed";

/** A site left for a person: a marker in the output, or a transform's warning. */
export interface ManualSite {
  line: number;
  why: string;
}

export interface FileResult {
  /** POSIX path relative to the root. */
  path: string;
  status: FileStatus;
  /** Why the file was skipped or failed. */
  reason?: string;
  /** Transforms that changed the file. */
  changedBy: string[];
  manual: ManualSite[];
  /** Sites here whose Batch client is made in another module, and where (that module gets the shim import). */
  clientsFrom?: { line: number; origin: ClientOrigin }[];
  diff?: string;
  /** Set after a successful write. */
  written?: boolean;
}

export interface ApplyOptions {
  root: string;
  /** Absolute files or folders under the root; the whole root when empty. */
  paths?: string[];
  include?: string[];
  exclude?: string[];
  transforms: readonly Transform[];
  target: MigrationTarget;
  write: boolean;
  allowDirty: boolean;
  /** Defaults to `migrate.config.json` at the root. */
  config?: MigrateConfig;
  maxFileBytes?: number;
}

export interface ApplyResult {
  files: FileResult[];
  /** Set when `write` was asked and refused before anything was written. */
  refused?: { reason: string; files: string[] };
}

export type FindingsOf = (path: string, text: string) => Promise<readonly Finding[]>;

export interface TextResult {
  status: FileStatus;
  reason?: string;
  output: string;
  changedBy: string[];
  manual: ManualSite[];
}

interface PassResult {
  code: string;
  changedBy: string[];
  skipped: string[];
  failure?: string;
  warnings: TransformWarning[];
}

function runTransforms(
  language: TransformLanguage,
  relPath: string,
  code: string,
  transforms: readonly Transform[],
  findings: readonly Finding[],
  target: MigrationTarget,
  config: MigrateConfig | undefined,
  clientsMadeFor: readonly { path: string; line: number }[] = [],
  clientsKeptBecause?: string,
): PassResult {
  const imports = new ImportRequests();
  const result: PassResult = { code, changedBy: [], skipped: [], warnings: [] };
  for (const transform of transforms) {
    if (transform.language !== language || !transform.prefilter(result.code)) continue;
    try {
      const outcome = transform.apply(
        { path: relPath, text: result.code },
        {
          findings: result.changedBy.length === 0 ? findings : [],
          target,
          config,
          imports,
          clientsMadeFor: result.changedBy.length === 0 ? clientsMadeFor : [],
          ...(clientsKeptBecause && result.changedBy.length === 0 ? { clientsKeptBecause } : {}),
        },
      );
      if (outcome.kind === "changed" && outcome.code !== result.code) {
        result.code = outcome.code;
        result.changedBy.push(transform.id);
        result.warnings.push(...outcome.warnings);
      } else if (outcome.kind === "skipped") {
        result.skipped.push(`${transform.id}: ${outcome.reason}`);
      }
    } catch (error) {
      return { ...result, failure: `${transform.id} threw: ${(error as Error).message}` };
    }
  }
  try {
    result.code = runImportPass(language, result.code, imports, relPath);
  } catch (error) {
    return { ...result, failure: `import pass threw: ${(error as Error).message}` };
  }
  return result;
}

/**
 * Runs the transforms over one file's text, then verifies: the output must parse, and a second run must change
 * nothing. Line endings and a BOM are restored as they were.
 */
export async function transformText(
  relPath: string,
  stored: string,
  options: {
    transforms: readonly Transform[];
    target: MigrationTarget;
    config: MigrateConfig | undefined;
    findingsOf: FindingsOf;
    /** Sites elsewhere whose Batch client this file makes (first run only). */
    clientsMadeFor?: readonly { path: string; line: number }[];
    /** Why this file's Batch client must stay on real boto3 for a module that uses it (first run only). */
    clientsKeptBecause?: string;
  },
): Promise<TextResult> {
  const language = languageOfPath(relPath);
  const unchanged = (status: FileStatus, reason?: string): TextResult => ({
    status,
    output: stored,
    changedBy: [],
    manual: [],
    ...(reason ? { reason } : {}),
  });
  if (!language) return unchanged("skipped", "no transform reads this kind of file");
  const { text, form } = toWorkingText(stored);
  const inputProblem = syntaxProblem(language, text, relPath);
  if (inputProblem) return unchanged("skipped", `input ${inputProblem}`);
  const first = runTransforms(
    language,
    relPath,
    text,
    options.transforms,
    await options.findingsOf(relPath, text),
    options.target,
    options.config,
    options.clientsMadeFor,
    options.clientsKeptBecause,
  );
  if (first.failure) return unchanged("failed", first.failure);
  const manual = [...findMarkers(first.code), ...first.warnings.map((w) => ({ line: w.line, why: w.message }))];
  if (first.code === text) {
    return first.skipped.length > 0
      ? { ...unchanged("skipped", first.skipped.join("; ")), manual }
      : { ...unchanged("unchanged"), manual };
  }
  const outputProblem = syntaxProblem(language, first.code, relPath);
  if (outputProblem) return unchanged("failed", `output ${outputProblem}; nothing written`);
  const second = runTransforms(
    language,
    relPath,
    first.code,
    options.transforms,
    await options.findingsOf(relPath, first.code),
    options.target,
    options.config,
  );
  if (second.failure || second.code !== first.code) {
    return unchanged(
      "failed",
      `not idempotent: a second run ${second.failure ? `failed (${second.failure})` : `changed it again (${second.changedBy.join(", ")})`}; nothing written`,
    );
  }
  return { status: "changed", output: toStoredText(first.code, form), changedBy: first.changedBy, manual };
}

/** `migrate-ignore` on a finding's line or the line above silences it, as in `migrate scan`. */
function unsuppressed(findings: readonly Finding[], text: string): Finding[] {
  const lines = text.split("\n");
  return findings.filter((f) => !isSuppressedAt(lines, f.line));
}

/**
 * Scans the files of each language together (so clients passed between functions are followed) and returns their
 * findings by path.
 */
export async function scanSources(
  root: string,
  files: SourceFile[],
  context: readonly SourceFile[] = [],
): Promise<Map<string, Finding[]>> {
  const byPath = new Map<string, Finding[]>();
  const ctx: ScanContext = { root, scanEmbedded: async () => [] };
  for (const [language, scanner] of [
    ["python", python],
    ["javascript", javascript],
  ] as const) {
    const own = files.filter((file) => languageOfPath(file.path) === language);
    if (own.length === 0) continue;
    const output = await scanner.scan(
      { files: own, context: context.filter((file) => languageOfPath(file.path) === language) },
      ctx,
    );
    for (const finding of output.findings) byPath.set(finding.path, [...(byPath.get(finding.path) ?? []), finding]);
  }
  const texts = new Map(files.map((file) => [file.path, file.text]));
  for (const [relPath, findings] of byPath) byPath.set(relPath, unsuppressed(findings, texts.get(relPath) ?? ""));
  return byPath;
}

/** A findings source for one file's text alone: the second (idempotence) run and the fixture tests use it. */
export function singleFileFindings(root: string): FindingsOf {
  return async (relPath, text) =>
    languageOfPath(relPath) === undefined
      ? []
      : ((await scanSources(root, [{ path: relPath, absPath: path.join(root, relPath), text }])).get(relPath) ?? []);
}

export interface Candidate {
  relPath: string;
  bytes: Buffer;
  text: string;
}

const CALL_SITE = /^(py|js)-/;

/** Why a site the scan offers these transforms for was left as it was, when no transform said so itself. */
function unmovedReason(finding: Finding): string {
  if (/^js-v[23]-(call|command)$/.test(finding.kind))
    return `${finding.operation ?? "this Batch call"} uses a client this file does not create (it is imported or passed in): it runs wherever the module that creates the client points, so check that module's rewrite (or its marker) in this diff`;
  const fromOrigin = finding.kind.startsWith("py-") ? reasonFromOrigin(finding) : undefined;
  if (fromOrigin) return fromOrigin;
  if (finding.kind.startsWith("py-") && !finding.kind.startsWith("py-client"))
    return "the Batch client this call uses is made in another module that apply could not trace (a tuple, a value passed in, or a factory outside the repository); it stays where that client comes from: move the module that makes it to `from batch_migrate_runtime import boto3`";
  return `${finding.operation ?? finding.kind} was not rewritten (${finding.message}); rewrite it by hand or keep it on AWS`;
}

/** No silent no-op: every site the scan calls ready for the selected transforms is rewritten, marked or listed. */
function listUnmovedSites(
  files: FileResult[],
  findings: ReadonlyMap<string, readonly Finding[]>,
  transforms: readonly Transform[],
): void {
  const selected = new Set(transforms.map((t) => t.id));
  for (const file of files) {
    if (file.status !== "unchanged" || file.manual.length > 0 || file.clientsFrom) continue;
    for (const finding of findings.get(file.path) ?? []) {
      if (!CALL_SITE.test(finding.kind) || finding.kind.endsWith("-import")) continue;
      if (!finding.transforms.some((id) => selected.has(id))) continue;
      file.manual.push({ line: finding.line, why: unmovedReason(finding) });
    }
  }
}

/** Selects files, runs the transforms, verifies, and either returns diffs (dry run) or writes atomically. */
export async function runApply(options: ApplyOptions): Promise<ApplyResult> {
  // Every containment check is against the real root: a root given through a symlink is where the link points.
  const root = realpathSync(path.resolve(options.root));
  const config = options.config ?? loadMigrateConfig(root);
  const languages = new Set(options.transforms.map((t) => t.language));
  const paths = options.paths?.map((p) => path.join(root, path.relative(path.resolve(options.root), path.resolve(p))));
  const walk = await discoverFiles({
    root,
    ...(paths ? { paths } : {}),
    ...(options.include ? { include: options.include } : {}),
    ...(options.exclude ? { exclude: options.exclude } : {}),
    accepts: (relPath) => {
      const language = languageOfPath(relPath);
      return language !== undefined && languages.has(language);
    },
  });
  const files: FileResult[] = [];
  const candidates: Candidate[] = [];
  const possibleFactories: Candidate[] = [];
  const context: SourceFile[] = [];
  for (const relPath of walk.files) {
    if (walk.isIgnoredFile(relPath)) continue;
    const read = readCandidate(path.join(root, relPath), relPath, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
    if (!read.ok) {
      files.push({ path: relPath, status: "skipped", reason: read.skipped.hint, changedBy: [], manual: [] });
      continue;
    }
    const latin1 = read.bytes.toString("latin1");
    const language = languageOfPath(relPath)!;
    const scanner = language === "python" ? python : javascript;
    const transformable = options.transforms.some((t) => t.language === language && t.prefilter(latin1));
    // A file the scanner of its language would not even parse has no Batch site to rewrite, but it may be the
    // factory (a boto3 helper) of a client made for a site elsewhere: kept aside until origins are known.
    // A file the transforms would skip is still scanned: its client may be made (and moved) elsewhere.
    const scanned = scanner.prefilter(latin1, relPath);
    const helper = !scanned && scanner.context?.(latin1, relPath) === true;
    if (!transformable && !helper && !scanned) continue;
    const text = decodeForRewrite(read.bytes);
    if (text === undefined) {
      if (scanned)
        files.push({ path: relPath, status: "skipped", reason: "not valid UTF-8", changedBy: [], manual: [] });
      continue;
    }
    // Helper modules the scanner reads to follow a client made through them, as `migrate scan` does.
    if (helper) context.push({ path: relPath, absPath: path.join(root, relPath), text: toWorkingText(text).text });
    if (scanned) candidates.push({ relPath, bytes: read.bytes, text });
    else if (transformable) possibleFactories.push({ relPath, bytes: read.bytes, text });
  }
  const pythonFindings = await scanSources(
    root,
    candidates.map((c) => ({ path: c.relPath, absPath: path.join(root, c.relPath), text: toWorkingText(c.text).text })),
    context,
  );
  const origins = planClientOrigins(root, candidates, possibleFactories, pythonFindings, {
    ...options,
    shimTarget: config?.shimTarget,
  });
  candidates.push(
    ...possibleFactories.filter((c) => origins.madeFor.has(c.relPath) || origins.keptOnBoto3.has(c.relPath)),
  );
  const alone = singleFileFindings(root);
  let firstRun = true;
  const outputs = new Map<string, string>();
  for (const candidate of candidates) {
    firstRun = true;
    const result = await transformText(candidate.relPath, candidate.text, {
      transforms: options.transforms,
      target: options.target,
      config,
      findingsOf: async (relPath, text) => {
        if (!firstRun) return alone(relPath, text);
        firstRun = false;
        return pythonFindings.get(relPath) ?? [];
      },
      clientsMadeFor: origins.madeFor.get(candidate.relPath) ?? [],
      ...(origins.keptOnBoto3.has(candidate.relPath)
        ? { clientsKeptBecause: origins.keptOnBoto3.get(candidate.relPath)! }
        : {}),
    });
    const file: FileResult = {
      path: candidate.relPath,
      status: result.status,
      changedBy: result.changedBy,
      manual: [...result.manual, ...(origins.unresolved.get(candidate.relPath) ?? [])],
      ...(result.reason ? { reason: result.reason } : {}),
    };
    const madeElsewhere = origins.resolved.get(candidate.relPath);
    if (madeElsewhere) file.clientsFrom = madeElsewhere;
    if (result.status === "changed") {
      file.diff = unifiedDiff(candidate.relPath, candidate.text, result.output);
      outputs.set(candidate.relPath, result.output);
    }
    files.push(file);
  }
  listUnmovedSites(files, pythonFindings, options.transforms);
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (!options.write || outputs.size === 0) return { files };
  if (!options.allowDirty) {
    const check = uncommittedFiles(root, [...outputs.keys()]);
    if (!check.ok) return { files, refused: { reason: check.error, files: [...outputs.keys()].sort() } };
    if (check.dirty.length > 0) return { files, refused: { reason: "uncommitted changes", files: check.dirty } };
  }
  const bytesOf = new Map(candidates.map((c) => [c.relPath, c.bytes]));
  for (const file of files) {
    const output = outputs.get(file.path);
    if (output === undefined) continue;
    const written = writeAtomically(root, file.path, bytesOf.get(file.path)!, output);
    if (written.ok) file.written = true;
    else Object.assign(file, { status: "failed", reason: written.error });
  }
  return { files };
}
