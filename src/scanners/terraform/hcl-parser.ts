// hcl2json's Go program, run in a thread of its own rather than through the package's bridge, which starts one Go
// runtime on the main thread for the life of the process. A parse there cannot be stopped: large files take
// seconds, and a Go runtime that overflows its stack (HCL nested through operators, `!!!!…true`) is dead for
// good, so every later file failed to parse. Here a parse past its time has its thread ended, a runtime that
// died is replaced, and either failure stays with the file that caused it.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { gunzipSync } from "node:zlib";

/** Thrown when the parse ran past the time it was given; its thread was ended. */
export class HclParseTimeout extends Error {}

type Answer = { id: number } & ({ json: string } | { error: string } | { crashed: string });

interface Pending {
  resolve(answer: Answer): void;
  reject(error: Error): void;
}

/**
 * The thread's code: plain CommonJS, so that it needs no bundle entry of its own. It instantiates the compiled
 * program it is handed, answers one parse at a time, and starts a new runtime after one dies.
 */
const THREAD_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const path = require("node:path");
require(path.join(workerData.packageDir, "wasm", "bridge_wasm_exec.js"));
const realFs = globalThis.fs;
let printed = "";
// The runtime prints its panics to stderr through globalThis.fs: they become the parse's message instead.
globalThis.fs = Object.assign(Object.create(realFs), {
  writeSync(fd, buffer, ...rest) {
    if (fd !== 1 && fd !== 2) return realFs.writeSync(fd, buffer, ...rest);
    if (printed.length < 2000) printed += Buffer.from(buffer).toString("utf8");
    return buffer.length;
  },
});
let runtime;
let pending;
const crashed = (id, error) => {
  const panic = printed.split("\\n").find((line) => line.trim() !== "");
  const message = error instanceof Error ? error.message : String(error);
  parentPort.postMessage({ id, crashed: message + (panic ? " (" + panic.trim() + ")" : "") });
};
async function start() {
  const go = new globalThis.Go();
  const instance = await WebAssembly.instantiate(workerData.module, go.importObject);
  const exports = {};
  globalThis.__parse_terraform_config_wasm__ = exports;
  const live = { go, exports, dead: false };
  go.run(instance).finally(() => {
    live.dead = true;
    if (pending !== undefined) crashed(pending, "the Go runtime exited");
    pending = undefined;
  });
  return live;
}
parentPort.on("message", async ({ id, filename, contents }) => {
  if (!runtime || runtime.dead || runtime.go.exited) runtime = await start();
  const live = runtime;
  printed = "";
  pending = id;
  try {
    live.exports.parse(filename, contents, (error, json) => {
      pending = undefined;
      parentPort.postMessage(error ? { id, error: String(error) } : { id, json: json ?? "null" });
    });
  } catch (error) {
    live.dead = true;
    pending = undefined;
    crashed(id, error);
  }
});
`;

let program: { module: WebAssembly.Module; packageDir: string } | undefined;
let thread: { worker: Worker; pending: Map<number, Pending> } | undefined;
let nextId = 0;

/** Compiles the Go program once; every thread instantiates the same module. */
function compiledProgram(): { module: WebAssembly.Module; packageDir: string } {
  if (!program) {
    const require = createRequire(import.meta.url);
    const packageDir = path.dirname(require.resolve("@cdktf/hcl2json/package.json"));
    const module = new WebAssembly.Module(gunzipSync(readFileSync(path.join(packageDir, "main.wasm.gz"))));
    program = { module, packageDir };
  }
  return program;
}

function parserThread(): NonNullable<typeof thread> {
  if (thread) return thread;
  const worker = new Worker(THREAD_SOURCE, { eval: true, workerData: compiledProgram() });
  const started = { worker, pending: new Map<number, Pending>() };
  // The thread never keeps the process alive: a scan that is done does not wait for it.
  worker.unref();
  worker.on("message", (answer: Answer) => {
    started.pending.get(answer.id)?.resolve(answer);
    started.pending.delete(answer.id);
  });
  const fail = (error: Error) => {
    if (thread === started) thread = undefined;
    for (const waiting of started.pending.values()) waiting.reject(error);
    started.pending.clear();
  };
  worker.on("error", fail);
  worker.on("exit", (code) => fail(new Error(`the HCL parser's thread exited with code ${code}`)));
  thread = started;
  return started;
}

/** Ends the parser's thread, if one runs (a new one starts on the next parse). */
export function stopHclParser(): void {
  const running = thread;
  thread = undefined;
  if (running) void running.worker.terminate();
}

/**
 * Parses HCL text into hcl2json's JSON form within `timeoutMs`. A syntax error rejects with the parser's message,
 * a crash with what the runtime said, and a parse past its time with HclParseTimeout.
 */
export async function parseHcl(filename: string, contents: string, timeoutMs: number): Promise<unknown> {
  const { worker, pending } = parserThread();
  const id = nextId++;
  let timer: NodeJS.Timeout | undefined;
  try {
    const answer = await new Promise<Answer>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      if (Number.isFinite(timeoutMs))
        timer = setTimeout(() => {
          pending.delete(id);
          stopHclParser();
          reject(new HclParseTimeout(`no answer from the HCL parser within ${timeoutMs} ms`));
        }, timeoutMs);
      worker.postMessage({ id, filename, contents });
    });
    if ("crashed" in answer) throw new Error(`the HCL parser failed on this file: ${answer.crashed}`);
    if ("error" in answer) throw new Error(answer.error);
    return JSON.parse(answer.json) as unknown;
  } finally {
    clearTimeout(timer);
  }
}
