import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, readdirSync, readFileSync, renameSync, type WriteStream } from "node:fs";
import { constants as osConstants } from "node:os";
import path from "node:path";

/** Default cap on one attempt's log on disk: the newest half is always kept (see LogSink). */
export const DEFAULT_MAX_LOG_BYTES = 64 * 1024 * 1024;

export interface ProcessRunRequest {
  /** argv; started directly, never through a shell. */
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  /** stdout and stderr, interleaved as they arrive. */
  logFile: string;
  /** Bytes of log kept on disk for this attempt (`logFile` plus its rotated `.1`). */
  maxLogBytes?: number;
  /** stdout alone, when the caller needs it (a Common Compute result); never truncated. */
  stdoutFile?: string;
  stdin?: string;
  killGraceMs: number;
  /** `NAME=value` in the environment of every process of this attempt, to find the ones that left its group. */
  marker?: string;
}

export interface ProcessOutcome {
  exitCode?: number;
  signal?: string;
  /** container.reason: set when the process could not start or was ended by a signal. */
  reason?: string;
  startFailed?: boolean;
  /** Set when `stdoutFile` could not be written completely (a full or read-only disk). */
  stdoutFileError?: string;
}

export interface RunningProcess {
  readonly pid: number | undefined;
  /** Resolves when the process has started (or failed to start). */
  readonly started: Promise<boolean>;
  readonly finished: Promise<ProcessOutcome>;
  /** SIGTERM to the whole process group, SIGKILL after the grace period. */
  stop(): void;
}

/**
 * Signals a process group. `leaderMayBeGone` is for groups whose leader has been reaped: its pid may belong to
 * someone else by now, so only the group (which outlives its leader while members remain) is signalled.
 */
function signalGroup(pid: number, signal: NodeJS.Signals, leaderMayBeGone = false): void {
  try {
    // Negative pid: the child's process group, so shells' and wrappers' own children stop too.
    process.kill(process.platform === "win32" ? pid : -pid, signal);
  } catch {
    if (leaderMayBeGone) return;
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

/** Linux: the pids whose environment carries one of `markers` (`NAME=value`), by marker. */
export function findMarkedProcesses(markers: ReadonlySet<string>): Map<string, number[]> {
  const found = new Map<string, number[]>();
  if (process.platform !== "linux" || markers.size === 0) return found;
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    let environment: string;
    try {
      environment = readFileSync(`/proc/${entry}/environ`, "latin1");
    } catch {
      continue;
    }
    for (const variable of environment.split("\0")) {
      if (!markers.has(variable)) continue;
      const pids = found.get(variable) ?? [];
      pids.push(pid);
      found.set(variable, pids);
    }
  }
  return found;
}

/** SIGKILL to every process carrying `marker`, and to its group: what escaped with setsid dies too. */
export function killMarkedProcesses(marker: string): void {
  for (const pid of findMarkedProcesses(new Set([marker])).get(marker) ?? []) {
    signalGroup(pid, "SIGKILL");
  }
}

/**
 * An attempt's log on disk with bounded size and bounded memory. Writes that the disk has not taken yet make
 * `write` return false (the caller pauses the pipe until `drained`), so a job printing gigabytes is slowed to
 * the disk's pace instead of filling the executor's heap. Once a segment reaches half the cap it becomes
 * `<file>.1` (replacing the older one) and a new segment starts, so at most the cap is kept and the newest
 * half of the output always is. A write error (full or read-only disk) stops logging; the job goes on.
 */
class LogSink {
  private stream: WriteStream | undefined;
  private segmentBytes = 0;
  private rotations = 0;
  private readonly segmentLimit: number;
  error: string | undefined;

  constructor(
    private readonly file: string,
    maxBytes: number,
  ) {
    this.segmentLimit = Number.isFinite(maxBytes) ? Math.max(1024, Math.floor(maxBytes / 2)) : Infinity;
    this.stream = this.open(file);
  }

  private open(file: string): WriteStream | undefined {
    try {
      mkdirSync(path.dirname(file), { recursive: true });
    } catch (error) {
      this.fail(error);
      return undefined;
    }
    const stream = createWriteStream(file, { flags: "a" });
    stream.on("error", (error) => this.fail(error));
    return stream;
  }

  private fail(error: unknown): void {
    this.error ??= (error as NodeJS.ErrnoException).code ?? String(error);
    this.stream?.destroy();
    this.stream = undefined;
  }

  /** False when the caller should wait for `drained` before writing more. */
  write(chunk: Buffer): boolean {
    if (!this.stream) return true;
    if (this.segmentBytes + chunk.length > this.segmentLimit && this.segmentBytes > 0) this.rotate();
    if (!this.stream) return true;
    this.segmentBytes += chunk.length;
    return this.stream.write(chunk);
  }

  private rotate(): void {
    const previous = this.stream;
    try {
      // The old stream keeps writing its queued chunks to the renamed file.
      renameSync(this.file, `${this.file}.1`);
    } catch (error) {
      this.fail(error);
      return;
    }
    previous?.end();
    this.rotations++;
    this.segmentBytes = 0;
    this.stream = this.open(this.file);
    const note = Buffer.from(
      `executor: log rotated (${this.rotations}); output before ${this.file}.1 was dropped to keep this attempt's log under ${this.segmentLimit * 2} bytes\n`,
    );
    this.segmentBytes += note.length;
    this.stream?.write(note);
  }

  drained(callback: () => void): void {
    if (!this.stream || !this.stream.writableNeedDrain) return callback();
    const stream = this.stream;
    const done = (): void => {
      stream.off("drain", done);
      stream.off("close", done);
      callback();
    };
    stream.once("drain", done);
    stream.once("close", done);
  }

  end(): Promise<void> {
    const stream = this.stream;
    this.stream = undefined;
    if (!stream) return Promise.resolve();
    return new Promise((resolve) => {
      stream.once("close", () => resolve());
      stream.end();
    });
  }
}

export function startProcess(request: ProcessRunRequest): RunningProcess {
  const [executable, ...args] = request.argv;
  const log = new LogSink(request.logFile, request.maxLogBytes ?? DEFAULT_MAX_LOG_BYTES);
  const stdoutCopy = request.stdoutFile ? new LogSink(request.stdoutFile, Infinity) : undefined;
  if (executable === undefined) {
    log.write(Buffer.from("executor: the job has no command\n"));
    const ended = Promise.all([log.end(), stdoutCopy?.end()]);
    const outcome = { reason: "CannotStartContainerError: the job has no command", startFailed: true };
    return { pid: undefined, started: Promise.resolve(false), finished: ended.then(() => outcome), stop() {} };
  }
  const child = spawn(executable, args, {
    cwd: request.cwd,
    env: request.env,
    detached: process.platform !== "win32",
    stdio: [request.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    windowsHide: true,
  });
  let killTimer: NodeJS.Timeout | undefined;
  let exited = false;

  const started = new Promise<boolean>((resolve) => {
    child.once("spawn", () => resolve(true));
    child.once("error", () => resolve(false));
  });
  child.stdin?.on("error", () => undefined);
  if (request.stdin !== undefined) child.stdin?.end(request.stdin);

  // Backpressure: a pipe is paused while a file it feeds has not caught up.
  const pipeInto = (pipe: NodeJS.ReadableStream | null, sinks: LogSink[]): void => {
    pipe?.on("data", (chunk: Buffer) => {
      let waiting = 0;
      for (const sink of sinks) {
        if (sink.write(chunk)) continue;
        waiting++;
        sink.drained(() => {
          if (--waiting === 0) pipe.resume();
        });
      }
      if (waiting > 0) pipe.pause();
    });
  };
  pipeInto(child.stdout, stdoutCopy ? [log, stdoutCopy] : [log]);
  pipeInto(child.stderr, [log]);

  const finished = new Promise<ProcessOutcome>((resolve) => {
    let spawnError: Error | undefined;
    child.once("error", (error) => {
      spawnError = error;
      if (child.pid === undefined) settle({ reason: `CannotStartContainerError: ${error.message}`, startFailed: true });
    });
    child.once("exit", (code, signal) => {
      exited = true;
      if (spawnError && child.pid === undefined) return;
      // As when a container's essential process exits: whatever it left behind in its group goes too.
      if (child.pid !== undefined) signalGroup(child.pid, "SIGKILL", true);
      if (signal) {
        const number = osConstants.signals[signal] ?? 0;
        settle({ exitCode: 128 + number, signal, reason: `Process terminated by ${signal}` });
      } else {
        settle({ exitCode: code ?? undefined });
      }
    });
    let settled = false;
    function settle(outcome: ProcessOutcome): void {
      if (settled) return;
      settled = true;
      // A process outside the group may keep the pipes open after the child exits; don't wait for it.
      const drained = new Promise<void>((done) => {
        if (child.stdout?.readableEnded !== false && child.stderr?.readableEnded !== false) return done();
        child.once("close", () => done());
        setTimeout(done, 500).unref();
      });
      void drained.then(async () => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        await Promise.all([log.end(), stdoutCopy?.end()]);
        if (stdoutCopy?.error) outcome.stdoutFileError = stdoutCopy.error;
        resolve(outcome);
      });
    }
  });

  return {
    get pid() {
      return child.pid;
    },
    started,
    finished,
    stop() {
      if (child.pid === undefined || killTimer) return;
      const pid = child.pid;
      if (!exited) signalGroup(pid, "SIGTERM");
      // Not cancelled when the leader exits: children that ignore SIGTERM, in the group or not, still go.
      killTimer = setTimeout(() => {
        signalGroup(pid, "SIGKILL", exited);
        if (request.marker) killMarkedProcesses(request.marker);
      }, request.killGraceMs);
    },
  };
}

/**
 * Kills what a crashed executor left running for one attempt: the recorded process group if its leader still
 * carries the attempt's marker, and every other process that carries it (Linux), whatever group it is in.
 */
export function reapOrphan(
  pid: number,
  marker: string,
  readEnvironment: (pid: number) => string | undefined,
  markedPids: readonly number[] = [],
): boolean {
  let reaped = false;
  const environment = readEnvironment(pid);
  if (environment !== undefined && `\n${environment}\n`.includes(`\n${marker}\n`)) {
    signalGroup(pid, "SIGKILL");
    reaped = true;
  }
  for (const marked of markedPids) {
    signalGroup(marked, "SIGKILL");
    reaped = true;
  }
  return reaped;
}
