import { mkdirSync, openSync, closeSync, fsyncSync } from "node:fs";
import { open, readFile, rename, writeFile, type FileHandle } from "node:fs/promises";
import path from "node:path";

/** A record kind: jobs, job definitions, queues… */
export type RecordKind = "job" | "jobDefinition" | "jobQueue" | "computeEnvironment" | "saladQueue";

interface JournalLine {
  k: RecordKind;
  id: string;
  v?: unknown;
  deleted?: true;
}

const JOURNAL = "journal.ndjson";
const SNAPSHOT = "snapshot.ndjson";
const MIN_COMPACTION_BYTES = 8 * 1024 * 1024;

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
  private failure: unknown;

  private constructor(readonly directory: string) {}

  /** Opens (creating) the state directory and returns the store with every record it holds. */
  static async open(directory: string): Promise<JournalStore> {
    mkdirSync(directory, { recursive: true });
    const store = new JournalStore(directory);
    for (const file of [SNAPSHOT, JOURNAL]) {
      let text: string;
      try {
        text = await readFile(path.join(directory, file), "utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
        throw error;
      }
      store.replay(text);
    }
    await store.writeSnapshot();
    store.journal = await open(path.join(directory, JOURNAL), "w");
    return store;
  }

  private replay(text: string): void {
    for (const line of text.split("\n")) {
      if (line === "") continue;
      let entry: JournalLine;
      try {
        entry = JSON.parse(line) as JournalLine;
      } catch {
        // Only the line being written when the process died can be torn; it was never acknowledged.
        continue;
      }
      const key = `${entry.k}\u0000${entry.id}`;
      if (entry.deleted) this.records.delete(key);
      else this.records.set(key, { kind: entry.k, id: entry.id, value: entry.v });
    }
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

  /** Resolves once everything put so far is on disk. */
  flush(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
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
          waiter.resolve();
        } catch (error) {
          this.failure = error;
          waiter.reject(error);
        }
      }
    } finally {
      this.writing = false;
    }
  }

  private async writeBatch(batch: Map<string, unknown>): Promise<void> {
    if (!this.journal || batch.size === 0) return;
    let text = "";
    for (const entry of batch.values()) {
      text += `${serialise(entry)}\n`;
    }
    const bytes = Buffer.from(text, "utf8");
    await this.journal.write(bytes);
    await this.journal.datasync();
    this.journalBytes += bytes.length;
    if (this.journalBytes > Math.max(MIN_COMPACTION_BYTES, 2 * this.snapshotBytes)) {
      await this.writeSnapshot();
      await this.journal.truncate(0);
      await this.journal.datasync();
      this.journalBytes = 0;
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
    if (this.nextFlush || this.writing) await this.flush().catch(() => undefined);
    while (this.writing) await new Promise((resolve) => setImmediate(resolve));
    await this.journal?.close();
    this.journal = undefined;
  }
}

function serialise(entry: unknown): string {
  const record = entry as { kind?: RecordKind; id: string; value?: unknown; k?: RecordKind };
  if (record.k) return JSON.stringify(entry);
  return JSON.stringify({ k: record.kind, id: record.id, v: record.value });
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
