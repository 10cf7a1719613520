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
import { planClientOrigins, type OriginPlan } from "./origins.js";
import {
  firstRun,
  isRewrite,
  secondRun,
  type FileStatus,
  type FindingsOf,
  type ManualSite,
  type PassOptions,
  type Rewrite,
  type RunView,
  type TextResult,
} from "./passes.js";
import { reasonFromOrigin } from "./python/origin-reason.js";
import type { ClientOrigin } from "./python/client-origin.js";
import { toStoredText, toWorkingText } from "./text-style.js";
import { languageOfPath, type MigrationTarget, type Transform } from "./transform.js";
import { decodeForRewrite, uncommittedFiles, writeAtomically } from "./write.js";

export { transformText, type FileStatus, type FindingsOf, type ManualSite, type TextResult } from "./passes.js";

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

/** A file of the tree a run reads: scanned for sites, read as a helper module, or a factory the transforms may move. */
interface TreeFile extends Candidate {
  /** The scanner of its language parses it for sites. */
  scanned: boolean;
  /** A module the scanner reads to follow a client made through it. */
  helper: boolean;
  /** A transform's prefilter accepts it. */
  transformable: boolean;
}

function classify(relPath: string, bytes: Buffer, text: string, transforms: readonly Transform[]): TreeFile {
  const latin1 = bytes.toString("latin1");
  const language = languageOfPath(relPath)!;
  const scanner = language === "python" ? python : javascript;
  const scanned = scanner.prefilter(latin1, relPath);
  return {
    relPath,
    bytes,
    text,
    scanned,
    // A file the scanner of its language would not even parse has no Batch site to rewrite, but it may be the
    // factory (a boto3 helper) of a client made for a site elsewhere: kept aside until origins are known.
    helper: !scanned && scanner.context?.(latin1, relPath) === true,
    transformable: transforms.some((t) => t.language === language && t.prefilter(latin1)),
  };
}

/** What a run knows of the tree: each file's findings (its language's files scanned together) and client origins. */
interface TreeView {
  findings: Map<string, Finding[]>;
  origins: OriginPlan;
  /** The files the transforms run over: every scanned file, and each factory the origins need. */
  rewritable: Candidate[];
}

async function viewTree(
  root: string,
  files: readonly TreeFile[],
  options: ApplyOptions,
  config: MigrateConfig | undefined,
): Promise<TreeView> {
  const candidates = files.filter((file) => file.scanned);
  const possibleFactories = files.filter((file) => !file.scanned && file.transformable);
  const context: SourceFile[] = files
    .filter((file) => file.helper)
    .map((file) => ({
      path: file.relPath,
      absPath: path.join(root, file.relPath),
      text: toWorkingText(file.text).text,
    }));
  const findings = await scanSources(
    root,
    candidates.map((c) => ({ path: c.relPath, absPath: path.join(root, c.relPath), text: toWorkingText(c.text).text })),
    context,
  );
  const origins = planClientOrigins(root, candidates, possibleFactories, findings, {
    ...options,
    shimTarget: config?.shimTarget,
  });
  const used = possibleFactories.filter((c) => origins.madeFor.has(c.relPath) || origins.keptOnBoto3.has(c.relPath));
  return { findings, origins, rewritable: [...candidates, ...used] };
}

function runView(view: TreeView, relPath: string): RunView {
  const kept = view.origins.keptOnBoto3.get(relPath);
  return {
    findings: view.findings.get(relPath) ?? [],
    clientsMadeFor: view.origins.madeFor.get(relPath) ?? [],
    ...(kept ? { clientsKeptBecause: kept } : {}),
  };
}

/** The files the run rewrites: those under `paths` and matching include/exclude, or every file when none is given. */
async function selectedFiles(
  root: string,
  options: ApplyOptions,
  accepts: (relPath: string) => boolean,
): Promise<Set<string> | undefined> {
  if (!options.paths && !options.include && !options.exclude) return undefined;
  const paths = options.paths?.map((p) => path.join(root, path.relative(path.resolve(options.root), path.resolve(p))));
  const walk = await discoverFiles({
    root,
    ...(paths ? { paths } : {}),
    ...(options.include ? { include: options.include } : {}),
    ...(options.exclude ? { exclude: options.exclude } : {}),
    accepts,
  });
  return new Set(walk.files.filter((relPath) => !walk.isIgnoredFile(relPath)));
}

/**
 * Selects files, runs the transforms, verifies, and either returns diffs (dry run) or writes atomically. Every run
 * resolves against the whole tree, whichever files it is asked to rewrite: a client made in a module outside the
 * selection, or used by one, is seen as a run over the tree sees it, and the second run (which must change
 * nothing) is told what a later run would be told, from a scan of the tree as the first run leaves it.
 */
export async function runApply(options: ApplyOptions): Promise<ApplyResult> {
  // Every containment check is against the real root: a root given through a symlink is where the link points.
  const root = realpathSync(path.resolve(options.root));
  const config = options.config ?? loadMigrateConfig(root);
  const languages = new Set(options.transforms.map((t) => t.language));
  const accepts = (relPath: string) => {
    const language = languageOfPath(relPath);
    return language !== undefined && languages.has(language);
  };
  const walk = await discoverFiles({ root, accepts });
  const selection = await selectedFiles(root, options, accepts);
  const selected = (relPath: string) => selection === undefined || selection.has(relPath);
  const files: FileResult[] = [];
  const tree: TreeFile[] = [];
  for (const relPath of walk.files) {
    if (walk.isIgnoredFile(relPath)) continue;
    const read = readCandidate(path.join(root, relPath), relPath, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
    if (!read.ok) {
      if (selected(relPath))
        files.push({ path: relPath, status: "skipped", reason: read.skipped.hint, changedBy: [], manual: [] });
      continue;
    }
    const text = decodeForRewrite(read.bytes);
    const file = classify(relPath, read.bytes, text ?? "", options.transforms);
    if (!file.transformable && !file.helper && !file.scanned) continue;
    if (text === undefined) {
      if (file.scanned && selected(relPath))
        files.push({ path: relPath, status: "skipped", reason: "not valid UTF-8", changedBy: [], manual: [] });
      continue;
    }
    tree.push(file);
  }
  const first = await viewTree(root, tree, options, config);
  const passOptions: PassOptions = { transforms: options.transforms, target: options.target, config };
  const runs: { candidate: Candidate; result: TextResult | Rewrite }[] = [];
  for (const candidate of first.rewritable.filter((c) => selected(c.relPath)))
    runs.push({
      candidate,
      result: await firstRun(candidate.relPath, candidate.text, passOptions, () => runView(first, candidate.relPath)),
    });
  // The second run sees the tree as the first leaves it: rewritten files in place of their inputs, classified,
  // scanned and resolved again.
  const rewrites = new Map(
    runs.flatMap(({ result }) => (isRewrite(result) ? [[result.relPath, result] as const] : [])),
  );
  const second =
    rewrites.size === 0
      ? first
      : await viewTree(
          root,
          tree.map((file) => {
            const rewrite = rewrites.get(file.relPath);
            if (!rewrite) return file;
            const text = toStoredText(rewrite.code, rewrite.form);
            return classify(file.relPath, Buffer.from(text, "utf8"), text, options.transforms);
          }),
          options,
          config,
        );
  const rewrittenAgain = new Set(second.rewritable.map((c) => c.relPath));
  const outputs = new Map<string, string>();
  for (const { candidate, result: firstResult } of runs) {
    const result = isRewrite(firstResult)
      ? secondRun(
          firstResult,
          candidate.text,
          passOptions,
          rewrittenAgain.has(candidate.relPath) ? runView(second, candidate.relPath) : "not rewritten again",
        )
      : firstResult;
    const file: FileResult = {
      path: candidate.relPath,
      status: result.status,
      changedBy: result.changedBy,
      manual: [...result.manual, ...(first.origins.unresolved.get(candidate.relPath) ?? [])],
      ...(result.reason ? { reason: result.reason } : {}),
    };
    const madeElsewhere = first.origins.resolved.get(candidate.relPath);
    // A client made in a module this run does not rewrite stays where it is, and the site says so.
    const outside = madeElsewhere?.filter((site) => !selected(site.origin.path)) ?? [];
    for (const site of outside)
      file.manual.push({
        line: site.line,
        why: `its Batch client is made by ${site.origin.chain.join(" → ")}, in ${site.origin.path}, which this run does not rewrite: apply that file too (or the whole repository) to move the client`,
      });
    const inside = madeElsewhere?.filter((site) => selected(site.origin.path)) ?? [];
    if (inside.length > 0) file.clientsFrom = inside;
    if (result.status === "changed") {
      file.diff = unifiedDiff(candidate.relPath, candidate.text, result.output);
      outputs.set(candidate.relPath, result.output);
    }
    files.push(file);
  }
  listUnmovedSites(files, first.findings, options.transforms);
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (!options.write || outputs.size === 0) return { files };
  if (!options.allowDirty) {
    const check = uncommittedFiles(root, [...outputs.keys()]);
    if (!check.ok) return { files, refused: { reason: check.error, files: [...outputs.keys()].sort() } };
    if (check.dirty.length > 0) return { files, refused: { reason: "uncommitted changes", files: check.dirty } };
  }
  const bytesOf = new Map(runs.map(({ candidate }) => [candidate.relPath, candidate.bytes]));
  for (const file of files) {
    const output = outputs.get(file.path);
    if (output === undefined) continue;
    const written = writeAtomically(root, file.path, bytesOf.get(file.path)!, output);
    if (written.ok) file.written = true;
    else Object.assign(file, { status: "failed", reason: written.error });
  }
  return { files };
}
