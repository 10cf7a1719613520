// Where the shim keeps the AWS-side record of each job it put on Common Compute or SaladCloud. In memory by
// default; with BATCH_MIGRATE_STATE_DIR each record is also a JSON file there (written by atomic rename), so
// other processes using the shim — in Python or in Node, the files are the same — see array parents, held
// dependents and emulated retries too.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Json } from "./model.js";

export interface FinalOutcome {
  status: "FAILED";
  statusReason: string;
  isCancelled?: boolean;
  isTerminated?: boolean;
  stoppedAt?: number;
}

export interface ContainerRecord extends Json {
  command: string[];
  environment: { name: string; value: string }[];
}

export interface DependencyRecord {
  jobId?: string;
  type?: string;
}

/** Field names match the Python shim's records, so a shared state directory works across both. */
export interface JobRecord {
  jobId: string;
  kind: "single" | "array-parent" | "array-child";
  jobName: string;
  jobQueue: string;
  jobQueueArn: string;
  jobDefinition: string;
  definitionName: string;
  createdAt: number;
  parameters: Record<string, string>;
  container: ContainerRecord;
  retryStrategy?: Json | null;
  timeout?: Json | null;
  tags: Record<string, string>;
  propagateTags: boolean;
  dependsOn: DependencyRecord[];
  maxAttempts: number;
  emulateRetries: boolean;
  targetIds: string[];
  targetQueue: string | null;
  final: FinalOutcome | null;
  held: boolean;
  waitFor: string[];
  parentId?: string;
  arraySize?: number;
  arrayIndex?: number;
  cancelReason?: string;
  terminateReason?: string;
}

/** The file name the Python shim uses: `urllib.parse.quote(job_id, safe="")` + ".json". */
function fileNameFor(jobId: string): string {
  return `${encodeURIComponent(jobId).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}.json`;
}

export class Journal {
  private readonly records = new Map<string, JobRecord>();

  constructor(readonly stateDir?: string) {
    if (stateDir) mkdirSync(stateDir, { recursive: true });
  }

  get(jobId: string): JobRecord | undefined {
    if (this.stateDir) {
      const file = path.join(this.stateDir, fileNameFor(jobId));
      if (existsSync(file)) this.records.set(jobId, JSON.parse(readFileSync(file, "utf8")) as JobRecord);
    }
    return this.records.get(jobId);
  }

  put(record: JobRecord): void {
    this.records.set(record.jobId, record);
    if (!this.stateDir) return;
    const temporary = path.join(this.stateDir, `.tmp-${randomBytes(6).toString("hex")}.json`);
    writeFileSync(temporary, JSON.stringify(record));
    renameSync(temporary, path.join(this.stateDir, fileNameFor(record.jobId)));
  }

  all(): JobRecord[] {
    if (this.stateDir) {
      for (const name of readdirSync(this.stateDir)) {
        if (!name.endsWith(".json") || name.startsWith(".tmp-")) continue;
        const jobId = decodeURIComponent(name.slice(0, -".json".length));
        if (!this.records.has(jobId))
          this.records.set(jobId, JSON.parse(readFileSync(path.join(this.stateDir, name), "utf8")) as JobRecord);
      }
    }
    return [...this.records.values()];
  }
}
