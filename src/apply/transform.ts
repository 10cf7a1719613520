import type { Finding } from "../core/types.js";
import type { MigrateConfig } from "./config.js";
import type { ImportRequests } from "./imports.js";

export type TransformLanguage = "python" | "javascript";

/** Where rewritten code goes: the runtime's shim, or a target's native client. */
export type MigrationTarget = "common-compute" | "salad";

/** A file handed to a transform: LF line endings, no BOM (the runner restores both). */
export interface TransformFile {
  /** POSIX path relative to the apply root. */
  path: string;
  text: string;
}

/** A site the transform left for a person, reported as `path:line — reason`. */
export interface TransformWarning {
  /** 1-based line in the transform's output. */
  line: number;
  message: string;
}

export interface TransformContext {
  /** The scanner's findings for this file (its language's scanner, run over every candidate file together). */
  findings: readonly Finding[];
  /** The target native transforms write for. */
  target: MigrationTarget;
  /** `migrate.config.json`, when the tree has one. */
  config: MigrateConfig | undefined;
  /** Import additions and removals, applied once after every transform has run. */
  imports: ImportRequests;
  /**
   * Sites in other files whose Batch client this file makes (it is their factory): the shim transform rewrites
   * this file's boto3 import for them. The same on the second run as on a later run over the tree.
   */
  clientsMadeFor?: readonly { path: string; line: number }[];
  /** Why this file's Batch client stays on real boto3: a module using it calls operations the shim does not serve. */
  clientsKeptBecause?: string;
}

export type TransformOutcome =
  | { kind: "changed"; code: string; warnings: TransformWarning[] }
  | { kind: "unchanged" }
  | { kind: "skipped"; reason: string };

/** One codemod, registered in `transforms/index.ts` and listed in `TRANSFORMS.md`. */
export interface Transform {
  /** Kebab-case id, equal to the file name in `transforms/`. */
  id: string;
  language: TransformLanguage;
  /** Which `--to` selects it. */
  to: "shim" | "native";
  /** One line for `migrate apply --list` and TRANSFORMS.md. */
  description: string;
  /** `safe`: behaviour is kept; `review`: a person must read the diff (`--only-safe` leaves these out). */
  safety: "safe" | "review";
  /** Cheap test on the file text before parsing; only files that pass are handed to `apply`. */
  prefilter(text: string): boolean;
  /** Rewrites one file. May throw: the runner reports the file failed and writes nothing. */
  apply(file: TransformFile, ctx: TransformContext): TransformOutcome;
}

export function defineTransform(transform: Transform): Transform {
  return transform;
}

const MANUAL_MARKER_TEXT = "migrate: manual —";

/** The fixed comment left above a site that cannot be rewritten safely. */
export function manualMarker(commentPrefix: "#" | "//", why: string): string {
  return `${commentPrefix} ${MANUAL_MARKER_TEXT} ${why}`;
}

export function hasManualMarker(line: string | undefined): boolean {
  return line !== undefined && line.includes(MANUAL_MARKER_TEXT);
}

export const PYTHON_EXTENSIONS = [".py"];
export const JAVASCRIPT_EXTENSIONS = [".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx"];

export function languageOfPath(path: string): TransformLanguage | undefined {
  const dot = path.lastIndexOf(".");
  const extension = dot < 0 ? "" : path.slice(dot).toLowerCase();
  if (PYTHON_EXTENSIONS.includes(extension)) return "python";
  if (JAVASCRIPT_EXTENSIONS.includes(extension) && !path.endsWith(".d.ts")) return "javascript";
  return undefined;
}
