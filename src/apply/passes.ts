// The passes of the transforms over one file's text: a first run, and the second run that must change nothing.
// The runner gives both the same repository-wide view (the findings and client origins of a scan of the whole
// tree), so what the check passes is what a later `apply` of the tree, or of this file alone, does.
import type { Finding } from "../core/types.js";
import type { MigrateConfig } from "./config.js";
import { ImportRequests, runImportPass } from "./imports.js";
import { findMarkers } from "./markers.js";
import { toStoredText, toWorkingText, type StoredForm } from "./text-style.js";
import {
  languageOfPath,
  type MigrationTarget,
  type Transform,
  type TransformLanguage,
  type TransformWarning,
} from "./transform.js";
import { syntaxProblem } from "./verify.js";

export type FileStatus = "changed" | "unchanged" | "skipped" | "failed";

/** A site left for a person: a marker in the output, or a transform's warning. */
export interface ManualSite {
  line: number;
  why: string;
}

export interface TextResult {
  status: FileStatus;
  reason?: string;
  output: string;
  changedBy: string[];
  manual: ManualSite[];
}

/** What one run of the transforms over a file is told about the rest of the repository. */
export interface RunView {
  findings: readonly Finding[];
  /** Sites elsewhere whose Batch client this file makes. */
  clientsMadeFor?: readonly { path: string; line: number }[];
  /** Why this file's Batch client must stay on real boto3 for a module that uses it. */
  clientsKeptBecause?: string;
}

export interface PassOptions {
  transforms: readonly Transform[];
  target: MigrationTarget;
  config: MigrateConfig | undefined;
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
  options: PassOptions,
  view: RunView,
): PassResult {
  const imports = new ImportRequests();
  const result: PassResult = { code, changedBy: [], skipped: [], warnings: [] };
  for (const transform of options.transforms) {
    if (transform.language !== language || !transform.prefilter(result.code)) continue;
    const first = result.changedBy.length === 0;
    try {
      const outcome = transform.apply(
        { path: relPath, text: result.code },
        {
          findings: first ? view.findings : [],
          target: options.target,
          config: options.config,
          imports,
          clientsMadeFor: first ? (view.clientsMadeFor ?? []) : [],
          ...(view.clientsKeptBecause && first ? { clientsKeptBecause: view.clientsKeptBecause } : {}),
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

/** A first run that changed the file and parses: it still has to pass the second run. */
export interface Rewrite {
  relPath: string;
  language: TransformLanguage;
  /** The rewritten text, LF and without a BOM (what the second run reads). */
  code: string;
  form: StoredForm;
  changedBy: string[];
  manual: ManualSite[];
}

function unchanged(stored: string, status: FileStatus, reason?: string): TextResult {
  return { status, output: stored, changedBy: [], manual: [], ...(reason ? { reason } : {}) };
}

/** The first run over one file's stored text: a finished result, or a rewrite for the second run to check. */
export async function firstRun(
  relPath: string,
  stored: string,
  options: PassOptions,
  view: (text: string) => RunView | Promise<RunView>,
): Promise<TextResult | Rewrite> {
  const language = languageOfPath(relPath);
  if (!language) return unchanged(stored, "skipped", "no transform reads this kind of file");
  const { text, form } = toWorkingText(stored);
  const inputProblem = syntaxProblem(language, text, relPath);
  if (inputProblem) return unchanged(stored, "skipped", `input ${inputProblem}`);
  const first = runTransforms(language, relPath, text, options, await view(text));
  if (first.failure) return unchanged(stored, "failed", first.failure);
  const manual = [...findMarkers(first.code), ...first.warnings.map((w) => ({ line: w.line, why: w.message }))];
  if (first.code === text) {
    return first.skipped.length > 0
      ? { ...unchanged(stored, "skipped", first.skipped.join("; ")), manual }
      : { ...unchanged(stored, "unchanged"), manual };
  }
  const outputProblem = syntaxProblem(language, first.code, relPath);
  if (outputProblem) return unchanged(stored, "failed", `output ${outputProblem}; nothing written`);
  return { relPath, language, code: first.code, form, changedBy: first.changedBy, manual };
}

export function isRewrite(result: TextResult | Rewrite): result is Rewrite {
  return "code" in result;
}

/**
 * The second run over a rewrite, told what a later run would be told: it must change nothing. Returns the
 * finished result (`failed`, nothing to write, when it does change something). A file a later run would not
 * rewrite at all (a factory no module needs any more) passes as it is.
 */
export function secondRun(
  rewrite: Rewrite,
  stored: string,
  options: PassOptions,
  view: RunView | "not rewritten again",
): TextResult {
  const second =
    view === "not rewritten again"
      ? undefined
      : runTransforms(rewrite.language, rewrite.relPath, rewrite.code, options, view);
  if (second && (second.failure || second.code !== rewrite.code)) {
    return unchanged(
      stored,
      "failed",
      `not idempotent: a second run ${second.failure ? `failed (${second.failure})` : `changed it again (${second.changedBy.join(", ")})`}; nothing written`,
    );
  }
  return {
    status: "changed",
    output: toStoredText(rewrite.code, rewrite.form),
    changedBy: rewrite.changedBy,
    manual: rewrite.manual,
  };
}

export type FindingsOf = (path: string, text: string) => Promise<readonly Finding[]>;

/**
 * Both runs over one file on its own (the fixture tests' single-file cases): `findingsOf` scans the text it is
 * given. Line endings and a BOM are restored as they were.
 */
export async function transformText(
  relPath: string,
  stored: string,
  options: PassOptions & { findingsOf: FindingsOf },
): Promise<TextResult> {
  const first = await firstRun(relPath, stored, options, async (text) => ({
    findings: await options.findingsOf(relPath, text),
  }));
  if (!isRewrite(first)) return first;
  return secondRun(first, stored, options, { findings: await options.findingsOf(relPath, first.code) });
}
