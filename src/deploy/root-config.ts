// The repository's root migrate.config.json after `init --target X`: the cut-over line (`"target": X`) and the
// mapping of every queue, compute environment and job definition the scan found, merged into what the file already
// holds. What a person wrote is never changed: an entry gets only the fields it lacks (the target's block, a
// declared definition's containerProperties), so running init again, or for another target, only adds.

type Json = Record<string, unknown>;

const SECTIONS = [
  { key: "computeEnvironments", nameKey: "computeEnvironmentName" },
  { key: "jobQueues", nameKey: "jobQueueName" },
  { key: "jobDefinitions", nameKey: "jobDefinitionName" },
] as const;

/** The blocks whose fields are filled one by one (a person may have written part of one). */
const TARGET_BLOCKS = new Set(["commonCompute", "salad"]);

export interface MergeSummary {
  /** Section → names of the entries added. */
  added: Record<string, string[]>;
  /** Section → names of existing entries that got fields they lacked. */
  completed: Record<string, string[]>;
  /** Entries added with a `todo` (`jobQueues.q`, `jobDefinitions.d`). */
  todos: string[];
  /** How many queues and job definitions the generated mapping holds. */
  mapped: number;
  /** The target the file named before, if any. */
  previous?: string;
}

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Adds to `existing` what `wanted` has and it lacks; returns whether anything was added. */
function fillMissing(existing: Json, wanted: Json): boolean {
  let changed = false;
  for (const [key, value] of Object.entries(wanted)) {
    if (key === "todo") continue;
    if (!(key in existing)) {
      existing[key] = value;
      changed = true;
    } else if (TARGET_BLOCKS.has(key) && isObject(existing[key]) && isObject(value)) {
      changed = fillMissing(existing[key], value) || changed;
    }
  }
  return changed;
}

/** The entries of a section, whichever of its two forms (an object by name, or a list of named objects) it uses. */
function sectionEntries(section: unknown, nameKey: string): Map<string, Json> {
  if (Array.isArray(section))
    return new Map(
      section
        .filter(isObject)
        .map((entry) => [String(entry[nameKey] ?? entry.name), entry] as const)
        .filter(([name]) => name !== "undefined"),
    );
  return new Map(
    Object.entries(isObject(section) ? section : {}).filter((pair): pair is [string, Json] => isObject(pair[1])),
  );
}

/**
 * Merges `generated` (a config `init` generated: `shim.target`, the registry sections, `executor`) into `document`
 * (the root file's object, or `{}`), in place, and sets the target. Returns what changed.
 */
export function mergeRootConfig(document: Json, target: string, generated: Json): MergeSummary {
  const summary: MergeSummary = { added: {}, completed: {}, todos: [], mapped: 0 };
  const shim = isObject(document.shim) ? document.shim : undefined;
  const previous = shim?.target ?? document.target;
  if (typeof previous === "string") summary.previous = previous;
  // A `shim.target` (which the shims read first) is set too, so the file never names two targets.
  if (shim && "target" in shim) shim.target = target;
  for (const { key, nameKey } of SECTIONS) {
    const wanted = sectionEntries(generated[key], nameKey);
    if (key !== "computeEnvironments") summary.mapped += wanted.size;
    if (wanted.size === 0) continue;
    if (document[key] === undefined) document[key] = {};
    const section = document[key];
    if (!isObject(section) && !Array.isArray(section)) continue;
    const existing = sectionEntries(section, nameKey);
    for (const [name, entry] of wanted) {
      const current = existing.get(name);
      if (current) {
        // An entry that nests its definition (`{"definition": {…}, "salad": {…}}`) only gets the target's blocks.
        const fill = isObject(current.definition)
          ? Object.fromEntries(Object.entries(entry).filter(([field]) => TARGET_BLOCKS.has(field)))
          : entry;
        if (fillMissing(current, fill)) (summary.completed[key] ??= []).push(name);
        continue;
      }
      if (Array.isArray(section)) section.push({ [nameKey]: name, ...entry });
      else section[name] = entry;
      (summary.added[key] ??= []).push(name);
      if (entry.todo !== undefined) summary.todos.push(`${key}.${name}`);
    }
  }
  const executor = generated.executor;
  if (isObject(executor)) {
    if (document.executor === undefined) document.executor = {};
    if (isObject(document.executor)) fillExecutor(document.executor, executor);
  }
  const ordered = { target, ...Object.fromEntries(Object.entries(document).filter(([key]) => key !== "target")) };
  for (const key of Object.keys(document)) delete document[key];
  Object.assign(document, ordered);
  return summary;
}

/** `executor.saladQueues` and `executor.workloads`: each named entry added when absent. */
function fillExecutor(existing: Json, wanted: Json): void {
  for (const [key, value] of Object.entries(wanted)) {
    if (!(key in existing)) existing[key] = value;
    else if (isObject(existing[key]) && isObject(value))
      for (const [name, entry] of Object.entries(value))
        if (!(name in (existing[key] as Json))) (existing[key] as Json)[name] = entry;
  }
}
