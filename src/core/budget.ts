import { createFinding } from "./rules.js";
import type { Finding, Language } from "./types.js";

/** How long one file may take a scanner, unless `--file-timeout` says otherwise. */
export const DEFAULT_FILE_TIMEOUT_MS = 5000;

/** Thrown by a budget check once the file being scanned has run past its time. */
export class FileTimeout extends Error {
  constructor(
    readonly path: string,
    readonly ms: number,
  ) {
    super(`${path}: scanning took longer than ${ms} ms`);
  }
}

/**
 * The time each file may take a scanner. JavaScript cannot stop a function from outside, so the budget is
 * enforced where the time goes: scanners check it in their per-file loops (`check`), tree-sitter stops a parse
 * through its progress callback, and hcl2json, which runs in a thread of its own, has that thread ended. A file
 * past its budget becomes a `scan/timeout` finding; the other files are scanned as usual.
 */
export class FileBudget {
  /** A budget that never runs out, for callers that scan their own code (the codemods). */
  static readonly unlimited = new FileBudget(Number.POSITIVE_INFINITY);

  #deadline = Number.POSITIVE_INFINITY;
  #path = "";

  constructor(readonly ms: number) {}

  /** When the file in progress must be done, in `performance.now()` time; Infinity when none is. */
  get deadline(): number {
    return this.#deadline;
  }

  /** Milliseconds the file in progress has left. */
  remaining(): number {
    return Math.max(0, this.#deadline - performance.now());
  }

  /** Throws FileTimeout when the file in progress has run past its budget. */
  check(): void {
    if (performance.now() > this.#deadline) throw new FileTimeout(this.#path, this.ms);
  }

  /** `perFile` for work that does not wait for anything. */
  runSync<T>(path: string, language: Language, findings: Finding[], work: () => T): T | undefined {
    const outer = this.#enter(path);
    try {
      return work();
    } catch (error) {
      this.#rethrowUnlessOwn(error, outer.deadline);
      findings.push(timeoutFinding(path, language, this.ms));
      return undefined;
    } finally {
      this.#deadline = outer.deadline;
      this.#path = outer.path;
    }
  }

  /**
   * Work done ahead for a file, whose owner does it again when it is missing: undefined when it ran past the
   * budget or threw, with no finding (the owner reports the file when it does the work itself).
   */
  async ahead<T>(path: string, work: () => Promise<T>): Promise<T | undefined> {
    const outer = this.#enter(path);
    try {
      return await work();
    } catch {
      return undefined;
    } finally {
      this.#deadline = outer.deadline;
      this.#path = outer.path;
    }
  }

  #enter(path: string): { deadline: number; path: string } {
    const outer = { deadline: this.#deadline, path: this.#path };
    // Nested work (embedded code scanned for its host) keeps the host's deadline when that comes first.
    this.#deadline = Math.min(outer.deadline, performance.now() + this.ms);
    this.#path = path;
    return outer;
  }

  #rethrowUnlessOwn(error: unknown, outerDeadline: number): void {
    // A timeout that is the host's (its deadline passed too) is the host's to report.
    if (!(error instanceof FileTimeout) || performance.now() > outerDeadline) throw error;
  }

  /**
   * Runs one file's work under the budget. A file that runs out gets a `scan/timeout` finding in `findings` and
   * undefined back; anything else the work throws goes on up.
   */
  async perFile<T>(
    path: string,
    language: Language,
    findings: Finding[],
    work: () => T | Promise<T>,
  ): Promise<T | undefined> {
    const outer = this.#enter(path);
    try {
      return await work();
    } catch (error) {
      this.#rethrowUnlessOwn(error, outer.deadline);
      findings.push(timeoutFinding(path, language, this.ms));
      return undefined;
    } finally {
      this.#deadline = outer.deadline;
      this.#path = outer.path;
    }
  }
}

/** The finding for a file a scanner gave up on at its time budget. */
export function timeoutFinding(path: string, language: Language, ms: number): Finding {
  return {
    ...createFinding({
      kind: "parse-error",
      path,
      span: { line: 1, column: 1, endLine: 1, endColumn: 1 },
      language,
      message: `Scanning stopped after ${ms} ms; this file was not scanned in full`,
      detail:
        "The file took longer than the per-file time budget (a generated or hostile file?); Batch uses in it may be missed.",
    }),
    ruleId: "scan/timeout",
    fix: "manual: review the file by hand, exclude it with .migrateignore, or raise --file-timeout",
  };
}
