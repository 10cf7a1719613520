import { mkdirSync, openSync, closeSync, fsyncSync } from "node:fs";
import { copyFile, open, readFile, rename, rm, writeFile, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { JOB_STATUSES } from "./model.js";

/** A record kind: jobs, job definitions, queues… */
export type RecordKind =
  | "job"
  | "jobDefinition"
  | "jobQueue"
  | "computeEnvironment"
  | "schedulingPolicy"
  | "saladQueue";

interface JournalLine {
  k: RecordKind;
  id: string;
  v?: unknown;
  deleted?: true;
}

const JOURNAL = "journal.ndjson";
const SNAPSHOT = "snapshot.ndjson";
const MIN_COMPACTION_BYTES = 8 * 1024 * 1024;
/** While the disk refuses writes, unwritten changes are retried this often. */
export const STORAGE_RETRY_MS = 500;

const OUT_OF_SPACE_CODES = new Set(["ENOSPC", "EDQUOT", "EFBIG"]);
/** Values nested deeper than this are cut when a record is written (requests are refused far earlier). */
const MAX_STORED_DEPTH = 256;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const has = (value: Record<string, unknown>, field: string, type: "string" | "number" | "object" | "array"): boolean =>
  type === "array"
    ? Array.isArray(value[field])
    : type === "object"
      ? isObject(value[field])
      : typeof value[field] === type;
const STATUSES: ReadonlySet<unknown> = new Set(JOB_STATUSES);

/** The fields the engine reads from a stored record of each kind before anything else: a record without them is corrupt. */
const RECORD_SHAPES: Record<RecordKind, (value: Record<string, unknown>, id: string) => boolean> = {
  job: (job, id) =>
    job.id === id &&
    has(job, "seq", "number") &&
    STATUSES.has(job.status) &&
    ["aws", "cc", "salad"].includes(job.face as string) &&
    has(job, "name", "string") &&
    has(job, "lane", "string") &&
    has(job, "attempts", "array") &&
    (job.attempts as unknown[]).every(isObject) &&
    has(job, "run", "object") &&
    has(job, "retryStrategy", "object") &&
    has(job, "dependsOn", "array") &&
    has(job, "waitFor", "array"),
  jobDefinition: (definition, id) => definition.jobDefinitionArn === id,
  jobQueue: (queue) => has(queue, "jobQueueName", "string"),
  computeEnvironment: (environment) => has(environment, "computeEnvironmentName", "string"),
  schedulingPolicy: (policy, id) => policy.arn === id && has(policy, "name", "string"),
  saladQueue: (queue) =>
    has(queue, "organizationName", "string") && has(queue, "projectName", "string") && has(queue, "name", "string"),
};

/** What opening the state directory had to leave out: records it could not read, and where the originals are kept. */
export interface JournalRecovery {
  /** Lines that were not a whole, well-formed record (a torn last line counts too). */
  skippedRecords: number;
  /** Records read. */
  keptRecords: number;
  /** Copies of the files as they were before the executor rewrote them, when anything was skipped. */
  preserved: string[];
}

/**
 * The state directory refused a write (full, read-only, gone). Faces answer 507 when the disk is full and 503
 * otherwise; nothing that was refused is acknowledged.
 */
export class StorageError extends Error {
  readonly code: string;
  readonly outOfSpace: boolean;

  constructor(
    readonly directory: string,
    cause: unknown,
    /** Replaces the start of the message ("the executor's state directory <dir> "). */
    subject = `the executor's state directory ${directory} `,
  ) {
    const code = (cause as NodeJS.ErrnoException | undefined)?.code ?? "EIO";
    super(storageMessage(subject, code), { cause });
    this.code = code;
    this.outOfSpace = OUT_OF_SPACE_CODES.has(code);
  }
}

function storageMessage(subject: string, code: string): string {
  const outOfSpace = OUT_OF_SPACE_CODES.has(code);
  const what = outOfSpace
    ? "is full"
    : code === "EROFS"
      ? "is read-only"
      : code === "EACCES" || code === "EPERM"
        ? "is not writable"
        : "cannot be written";
  const fix = outOfSpace ? "free some space there" : "make it writable";
  if (subject.startsWith("the executor cannot start")) return `${subject}${what} (${code}): ${fix} and start it again`;
  return (
    `${subject}${what} (${code}); the request was not accepted. ` +
    `${fix[0]?.toUpperCase()}${fix.slice(1)} and retry: the executor keeps running and catches up on its own.`
  );
}

export function isStorageFailure(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return (
    error instanceof StorageError ||
    (typeof code === "string" && (OUT_OF_SPACE_CODES.has(code) || ["EROFS", "EACCES", "EPERM", "EIO"].includes(code)))
  );
}

/**
 * Durable state as an append-only journal of whole records (last one wins) plus a snapshot.
 *
 * `put` registers a live object; the next flush serialises its state at that moment, so many changes to
 * one record between two flushes cost one line. Flushes are batched per event-loop turn and end with
 * fdatasync, so an awaited `flush()` means the change survives a kill -9 or a power cut.
 */
export class JournalStore {
  private readonly records = new Map<string, { kind: RecordKind; id: string; value: unknown }>();
  private dirty = new Map<string, JournalLine | { kind: RecordKind; id: string; value: unknown }>();
  private journal: FileHandle | undefined;
  private journalBytes = 0;
  private snapshotBytes = 0;
  private writing = false;
  private nextFlush: { promise: Promise<void>; resolve: () => void; reject: (error: unknown) => void } | undefined;
  /** Set while the last write failed; cleared by the next write that succeeds. */
  private failure: StorageError | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private compactionDueAt = MIN_COMPACTION_BYTES;
  private closed = false;
  private skipped = 0;
  private preserved: string[] = [];
  /** Called when writes succeed again after a failure. */
  onRecovered: () => void = () => undefined;

  private constructor(readonly directory: string) {}

  /** Whether the last write reached the disk. */
  get healthy(): boolean {
    return this.failure === undefined;
  }

  /** What was left out when the state was read back, if anything. */
  get recovery(): JournalRecovery | undefined {
    if (this.skipped === 0) return undefined;
    return { skippedRecords: this.skipped, keptRecords: this.records.size, preserved: [...this.preserved] };
  }

  /** Why the state directory refuses writes, while it does. */
  get lastFailure(): StorageError | undefined {
    return this.failure;
  }

  /**
   * Opens (creating) the state directory and returns the store with every record it holds. Throws a
   * StorageError when the directory cannot be written: the executor does not start on a disk it cannot use.
   */
  static async open(directory: string): Promise<JournalStore> {
    try {
      return await JournalStore.openWritable(directory);
    } catch (error) {
      if (isStorageFailure(error)) throw new StorageError(directory, error);
      throw error;
    }
  }

  private static async openWritable(directory: string): Promise<JournalStore> {
    try {
      mkdirSync(directory, { recursive: true });
    } catch (error) {
      // Any reason the folder cannot be made (a file in the way, a missing mount) is the machine's, not a bug.
      throw new StorageError(directory, error, `the executor cannot start: its state directory ${directory} `);
    }
    const store = new JournalStore(directory);
    const corrupt: string[] = [];
    for (const file of [SNAPSHOT, JOURNAL]) {
      let text: string;
      try {
        text = await readFile(path.join(directory, file), "utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
        throw error;
      }
      const skipped = store.replay(text);
      if (skipped > 0) corrupt.push(file);
      store.skipped += skipped;
    }
    // The files are about to be rewritten from what was read: keep the originals for a person to look at.
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    for (const file of corrupt) {
      const copy = path.join(directory, `${file}.corrupt-${stamp}`);
      await copyFile(path.join(directory, file), copy);
      store.preserved.push(copy);
    }
    if (store.skipped > 0) {
      process.stderr.write(
        `executor: ${store.skipped} record(s) of ${directory} could not be read and were left out; ` +
          `${store.records.size} kept. The files as they were: ${store.preserved.join(", ")}\n`,
      );
    }
    await store.writeSnapshot();
    store.journal = await open(path.join(directory, JOURNAL), "w");
    return store;
  }

  /**
   * Applies every well-formed line; returns how many were not (a torn last line from a kill, or a corrupt
   * record: either is left out, and the rest is kept).
   */
  private replay(text: string): number {
    let skipped = 0;
    for (const line of text.split("\n")) {
      if (line === "") continue;
      let entry: unknown;
      try {
        entry = JSON.parse(line);
      } catch {
        skipped++;
        continue;
      }
      if (!isRecordLine(entry)) {
        skipped++;
        continue;
      }
      const key = `${entry.k}\u0000${entry.id}`;
      if (entry.deleted) this.records.delete(key);
      else this.records.set(key, { kind: entry.k, id: entry.id, value: entry.v });
    }
    return skipped;
  }

  /** Every stored record of one kind, as loaded (the caller adopts them with `put`). */
  list<T>(kind: RecordKind): T[] {
    const values: T[] = [];
    for (const record of this.records.values()) if (record.kind === kind) values.push(record.value as T);
    return values;
  }

  /** Records `value` (a live object) under kind/id and schedules a flush. */
  put(kind: RecordKind, id: string, value: unknown): Promise<void> {
    const key = `${kind}\u0000${id}`;
    const record = { kind, id, value };
    this.records.set(key, record);
    this.dirty.set(key, record);
    return this.flush();
  }

  delete(kind: RecordKind, id: string): Promise<void> {
    const key = `${kind}\u0000${id}`;
    this.records.delete(key);
    this.dirty.set(key, { k: kind, id, deleted: true });
    return this.flush();
  }

  /** Resolves once everything put so far is on disk; rejects with a StorageError if the disk refused it. */
  flush(): Promise<void> {
    if (!this.nextFlush) {
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      // Callers that don't await still get their change written; don't let that be an unhandled rejection.
      promise.catch(() => undefined);
      this.nextFlush = { promise, resolve, reject };
      setImmediate(() => void this.drain());
    }
    return this.nextFlush.promise;
  }

  private async drain(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.nextFlush) {
        const waiter = this.nextFlush;
        this.nextFlush = undefined;
        const batch = this.dirty;
        this.dirty = new Map();
        try {
          await this.writeBatch(batch);
        } catch (error) {
          if (!isStorageFailure(error)) {
            // Not the disk: retrying cannot help, and the store must not look broken to every later request.
            waiter.reject(error);
            continue;
          }
          // Keep what was not written (newer changes to the same record win) and try again later.
          for (const [key, entry] of batch) if (!this.dirty.has(key)) this.dirty.set(key, entry);
          this.failure = error instanceof StorageError ? error : new StorageError(this.directory, error);
          this.scheduleRetry();
          waiter.reject(this.failure);
          continue;
        }
        const recovered = this.failure !== undefined;
        this.failure = undefined;
        waiter.resolve();
        if (recovered) this.onRecovered();
        await this.compactIfDue();
      }
    } finally {
      this.writing = false;
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.failure && !this.closed) void this.flush().catch(() => undefined);
    }, STORAGE_RETRY_MS);
    this.retryTimer.unref();
  }

  private async writeBatch(batch: Map<string, unknown>): Promise<void> {
    if (!this.journal || batch.size === 0) return;
    let text = "";
    for (const entry of batch.values()) {
      text += `${serialise(entry)}\n`;
    }
    const bytes = Buffer.from(text, "utf8");
    try {
      // Written at the end of what is known to be good, so a retry overwrites whatever a failed write left.
      let written = 0;
      while (written < bytes.length) {
        const { bytesWritten } = await this.journal.write(
          bytes,
          written,
          bytes.length - written,
          this.journalBytes + written,
        );
        if (bytesWritten === 0) throw Object.assign(new Error("no space left on device"), { code: "ENOSPC" });
        written += bytesWritten;
      }
      await this.journal.datasync();
    } catch (error) {
      await this.journal.truncate(this.journalBytes).catch(() => undefined);
      throw error;
    }
    this.journalBytes += bytes.length;
  }

  /** Folds the journal into a new snapshot once it has grown; a failure leaves the journal as it was. */
  private async compactIfDue(): Promise<void> {
    if (!this.journal || this.journalBytes <= Math.max(this.compactionDueAt, 2 * this.snapshotBytes)) return;
    try {
      await this.writeSnapshot();
    } catch {
      // The journal still holds everything; try again once it has grown by as much again.
      await rm(path.join(this.directory, `${SNAPSHOT}.tmp`), { force: true }).catch(() => undefined);
      this.compactionDueAt = this.journalBytes + MIN_COMPACTION_BYTES;
      return;
    }
    this.compactionDueAt = MIN_COMPACTION_BYTES;
    // The new snapshot holds every record, so the journal can start over; if emptying it fails, replaying
    // the old lines over the snapshot gives the same records.
    try {
      await this.journal.truncate(0);
      await this.journal.datasync();
      this.journalBytes = 0;
    } catch {
      this.compactionDueAt = this.journalBytes + MIN_COMPACTION_BYTES;
    }
  }

  /** Writes every live record to a new snapshot, atomically (write, fsync, rename, fsync the directory). */
  private async writeSnapshot(): Promise<void> {
    const parts: string[] = [];
    for (const record of this.records.values()) parts.push(serialise(record));
    const text = parts.length === 0 ? "" : `${parts.join("\n")}\n`;
    const temporary = path.join(this.directory, `${SNAPSHOT}.tmp`);
    await writeFile(temporary, text, { encoding: "utf8", flush: true });
    await rename(temporary, path.join(this.directory, SNAPSHOT));
    syncDirectory(this.directory);
    this.snapshotBytes = Buffer.byteLength(text);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.nextFlush || this.writing || this.dirty.size > 0) await this.flush().catch(() => undefined);
    while (this.writing) await new Promise((resolve) => setImmediate(resolve));
    await this.journal?.close();
    this.journal = undefined;
  }
}

function isRecordLine(entry: unknown): entry is JournalLine {
  if (!isObject(entry) || typeof entry.id !== "string" || entry.id === "") return false;
  const shape = RECORD_SHAPES[entry.k as RecordKind];
  if (!Object.hasOwn(RECORD_SHAPES, entry.k as string) || shape === undefined) return false;
  if (entry.deleted === true) return true;
  return isObject(entry.v) && shape(entry.v, entry.id);
}

function serialise(entry: unknown): string {
  const record = entry as { kind?: RecordKind; id: string; value?: unknown; k?: RecordKind };
  const line = record.k ? entry : { k: record.kind, id: record.id, v: record.value };
  try {
    return JSON.stringify(line);
  } catch {
    // Too deep for JSON.stringify (or a value JSON cannot hold): write the record with the excess cut, rather
    // than fail every later write as if the disk were broken.
    process.stderr.write(`executor: record ${record.id} holds a value JSON cannot store whole; parts were cut\n`);
    return JSON.stringify(line, depthCappingReplacer());
  }
}

function depthCappingReplacer(): (this: unknown, key: string, value: unknown) => unknown {
  const depths = new WeakMap<object, number>();
  return function (this: unknown, _key: string, value: unknown): unknown {
    if (typeof value === "bigint") return value.toString();
    if (typeof value !== "object" || value === null) return value;
    const depth = (typeof this === "object" && this !== null ? (depths.get(this) ?? 0) : 0) + 1;
    if (depth > MAX_STORED_DEPTH) return "[cut: nested too deeply]";
    depths.set(value, depth);
    return value;
  };
}

function syncDirectory(directory: string): void {
  // Makes the rename itself durable; not possible on Windows, where the rename is already atomic enough.
  if (process.platform === "win32") return;
  const descriptor = openSync(directory, "r");
  try {
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
}
