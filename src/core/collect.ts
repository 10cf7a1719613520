// The last stage of a scan: groups what the read kept by scanner, then turns the scanners' outcomes into the
// result. It keeps, per file, only what a scanner wants and the lines that can suppress a finding.
import { compareFindings } from "./rules.js";
import { isSuppressedBy } from "./suppression.js";
import { sourceFile, type Prefiltered } from "./prefilter.js";
import type { ScanOutcome, Scanner, ScannerInput, SourceFile } from "./scanner.js";
import type { Coverage, Finding, Inventory, InventoryItem, ScannerError, SkippedFile } from "./types.js";

/** `# migrate-ignore` / `// migrate-ignore` on a finding's line or the line above silences it. */
function isSuppressed(
  finding: Finding,
  texts: Map<string, Map<number, string>>,
  answers: Map<string, boolean>,
): boolean {
  const lines = texts.get(finding.path);
  if (!lines) return false;
  // One answer per line: a long minified line can hold thousands of findings.
  const key = `${finding.line}\0${finding.path}`;
  let answer = answers.get(key);
  if (answer === undefined) {
    answer = isSuppressedBy(lines.get(finding.line) ?? "", lines.get(finding.line - 1) ?? "");
    answers.set(key, answer);
  }
  return answer;
}

/**
 * The lines of a file that mention migrate-ignore, by 1-based number: all `isSuppressed` needs, kept in place of
 * the file's text.
 */
function suppressionLines(text: string): Map<number, string> | undefined {
  let lines: Map<number, string> | undefined;
  // Lines are counted once, from where the last mention's line ended: linear in the text however many mentions.
  let number = 1;
  let counted = 0;
  for (let at = text.indexOf("migrate-ignore"); at >= 0; at = text.indexOf("migrate-ignore", at + 1)) {
    const start = text.lastIndexOf("\n", at) + 1;
    for (let i = text.indexOf("\n", counted); i >= 0 && i < start; i = text.indexOf("\n", i + 1)) number++;
    const newline = text.indexOf("\n", at);
    const end = newline < 0 ? text.length : newline;
    (lines ??= new Map()).set(number, text.slice(start, end));
    counted = start;
    at = end;
  }
  return lines;
}

function emptyInventory(): Inventory {
  return { jobDefinitions: [], jobQueues: [], computeEnvironments: [], schedulingPolicies: [] };
}

function addToInventory(inventory: Inventory, item: InventoryItem): void {
  const list = {
    "job-definition": inventory.jobDefinitions,
    "job-queue": inventory.jobQueues,
    "compute-environment": inventory.computeEnvironments,
    "scheduling-policy": inventory.schedulingPolicies,
    "consumable-resource": undefined,
  }[item.kind];
  list?.push(item);
}

const byPath = (a: SourceFile, b: SourceFile) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/** What the read stage kept, grouped by scanner as it arrives; then the scanners' outcomes, into a result. */
export class Collector {
  readonly #scanners: readonly Scanner[];
  readonly #root: string;
  readonly #byId: Map<string, Scanner>;
  #candidates = new Map<Scanner, SourceFile[]>();
  #context = new Map<Scanner, SourceFile[]>();
  readonly #skipped: SkippedFile[] = [];
  readonly #texts = new Map<string, Map<number, string>>();
  #filesParsed = 0;

  constructor(scanners: readonly Scanner[], root: string) {
    this.#scanners = scanners;
    this.#root = root;
    this.#byId = new Map(scanners.map((scanner) => [scanner.id, scanner]));
    for (const scanner of scanners) {
      this.#candidates.set(scanner, []);
      this.#context.set(scanner, []);
    }
  }

  /** One file the read kept or skipped with a note. */
  add(result: Prefiltered): void {
    if (result.kind === "skipped") {
      this.#skipped.push(result.skipped);
      return;
    }
    const file = sourceFile(this.#root, result);
    for (const id of result.scanning) {
      const index = result.indexes?.[id];
      this.#candidates.get(this.#byId.get(id)!)!.push(index === undefined ? file : { ...file, index });
    }
    for (const id of result.reading) this.#context.get(this.#byId.get(id)!)!.push(file);
    const suppressions = result.scanning.length > 0 ? suppressionLines(result.text) : undefined;
    if (suppressions) this.#texts.set(result.path, suppressions);
  }

  /**
   * Each scanner's files, by path, without those an ignore pattern names (applied here, to the few files kept).
   * The collector lets go of them: the caller drops each input once its scanner has run.
   */
  takeInputs(isIgnoredFile: (relPath: string) => boolean): Map<Scanner, ScannerInput> {
    const kept = (files: SourceFile[]) => files.filter((file) => !isIgnoredFile(file.path)).sort(byPath);
    const inputs = new Map<Scanner, ScannerInput>();
    for (const scanner of this.#scanners) {
      const files = kept(this.#candidates.get(scanner)!);
      if (files.length > 0) inputs.set(scanner, { files, context: kept(this.#context.get(scanner)!) });
      this.#filesParsed += files.length;
    }
    this.#candidates = new Map();
    this.#context = new Map();
    const skipped = this.#skipped.filter((skip) => !isIgnoredFile(skip.path));
    this.#skipped.length = 0;
    this.#skipped.push(...skipped);
    return inputs;
  }

  /** The result, from each scanner's outcome (in registry order) and the walk's counts. */
  finish(
    outcomes: Map<Scanner, ScanOutcome>,
    counts: Pick<Coverage, "filesSeen" | "filesRead">,
  ): { findings: Finding[]; inventory: Inventory; coverage: Coverage } {
    const findings: Finding[] = [];
    const inventory = emptyInventory();
    const scannerErrors: ScannerError[] = [];
    for (const scanner of this.#scanners) {
      const outcome = outcomes.get(scanner);
      if (!outcome) continue;
      if (outcome.ok) {
        findings.push(...outcome.output.findings);
        for (const item of outcome.output.inventory ?? []) addToInventory(inventory, item);
      } else {
        // Scanners handle bad files themselves; this is the net under a scanner bug, so the others still report.
        scannerErrors.push({ scanner: scanner.id, message: outcome.message });
      }
    }
    const answers = new Map<string, boolean>();
    const kept = findings.filter((finding) => !isSuppressed(finding, this.#texts, answers)).sort(compareFindings);
    for (const list of Object.values(inventory) as InventoryItem[][])
      list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return {
      findings: kept,
      inventory,
      coverage: {
        ...counts,
        filesParsed: this.#filesParsed,
        skipped: this.#skipped.sort((a, b) => (a.path < b.path ? -1 : 1)),
        parseErrors: kept.filter((f) => f.kind === "parse-error").length,
        scannerErrors,
      },
    };
  }
}
