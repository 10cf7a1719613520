import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { constants as osConstants } from "node:os";
import path from "node:path";

export interface ProcessRunRequest {
  /** argv; started directly, never through a shell. */
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  /** stdout and stderr, interleaved as they arrive. */
  logFile: string;
  /** stdout alone, when the caller needs it (a Common Compute result). */
  stdoutFile?: string;
  stdin?: string;
  killGraceMs: number;
}

export interface ProcessOutcome {
  exitCode?: number;
  signal?: string;
  /** container.reason: set when the process could not start or was ended by a signal. */
  reason?: string;
  startFailed?: boolean;
}

export interface RunningProcess {
  readonly pid: number | undefined;
  /** Resolves when the process has started (or failed to start). */
  readonly started: Promise<boolean>;
  readonly finished: Promise<ProcessOutcome>;
  /** SIGTERM to the whole process group, SIGKILL after the grace period. */
  stop(): void;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    // Negative pid: the child's process group, so shells' and wrappers' own children stop too.
    process.kill(process.platform === "win32" ? pid : -pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

function openLog(file: string): WriteStream {
  mkdirSync(path.dirname(file), { recursive: true });
  return createWriteStream(file, { flags: "a" });
}

export function startProcess(request: ProcessRunRequest): RunningProcess {
  const [executable, ...args] = request.argv;
  const log = openLog(request.logFile);
  const stdoutCopy = request.stdoutFile ? openLog(request.stdoutFile) : undefined;
  if (executable === undefined) {
    log.end("executor: the job has no command\n");
    stdoutCopy?.end();
    const outcome = { reason: "CannotStartContainerError: the job has no command", startFailed: true };
    return { pid: undefined, started: Promise.resolve(false), finished: Promise.resolve(outcome), stop() {} };
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
  child.stdout?.on("data", (chunk: Buffer) => {
    log.write(chunk);
    stdoutCopy?.write(chunk);
  });
  child.stderr?.on("data", (chunk: Buffer) => log.write(chunk));

  const finished = new Promise<ProcessOutcome>((resolve) => {
    let spawnError: Error | undefined;
    child.once("error", (error) => {
      spawnError = error;
      if (child.pid === undefined) settle({ reason: `CannotStartContainerError: ${error.message}`, startFailed: true });
    });
    child.once("exit", (code, signal) => {
      exited = true;
      if (killTimer) clearTimeout(killTimer);
      if (spawnError && child.pid === undefined) return;
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
      // A grandchild may keep the pipes open after the child exits; don't wait for it.
      const drained = new Promise<void>((done) => {
        if (child.stdout?.readableEnded !== false && child.stderr?.readableEnded !== false) return done();
        child.once("close", () => done());
        setTimeout(done, 500).unref();
      });
      void drained.then(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        const closeStreams = [log, ...(stdoutCopy ? [stdoutCopy] : [])].map(
          (stream) => new Promise<void>((done) => stream.end(done)),
        );
        void Promise.all(closeStreams).then(() => resolve(outcome));
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
      if (exited || child.pid === undefined) return;
      signalGroup(child.pid, "SIGTERM");
      if (!killTimer) {
        killTimer = setTimeout(() => {
          if (!exited && child.pid !== undefined) signalGroup(child.pid, "SIGKILL");
        }, request.killGraceMs);
      }
    },
  };
}

/** Kills a process group a crashed executor left running, if it still carries the given attempt's marker. */
export function reapOrphan(pid: number, marker: string, readEnvironment: (pid: number) => string | undefined): boolean {
  const environment = readEnvironment(pid);
  if (environment === undefined || !`\n${environment}\n`.includes(`\n${marker}\n`)) return false;
  signalGroup(pid, "SIGKILL");
  return true;
}
