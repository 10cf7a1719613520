import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { Module, createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import vm from "node:vm";

/** Per user, as V8's cache must not be writable by anyone else: it holds code that runs unchecked. */
function cacheDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(base, "batch-migrate", "code-cache");
}

function readCache(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

function writeCache(file: string, data: Buffer): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, data, { mode: 0o600 });
    renameSync(temporary, file);
  } catch {
    // a read-only home only costs the next run its start-up time
  }
}

export interface CachedModule<T> {
  exports: T;
  /**
   * Stores V8's compiled code for the next run when this run had none. Call it after using the module, so that
   * the functions compiled lazily along the way are kept too.
   */
  save(): void;
}

/**
 * Requires a large CommonJS module (the TypeScript compiler) through V8's code cache, kept between runs in
 * ~/.cache/batch-migrate. Node 22 does this for every module (`module.enableCompileCache`); on Node 20, loading the
 * 9 MB compiler and parsing one file took 250–310 ms without the cache and 57–77 ms with it. Falls back to a plain `require` on any failure, and
 * entirely with MIGRATE_NO_CODE_CACHE=1. Only for modules without dynamic `import()`, which `vm.Script` cannot serve.
 */
export function requireWithCodeCache<T>(
  specifier: string,
  from: string,
  env: NodeJS.ProcessEnv = process.env,
): CachedModule<T> {
  const require = createRequire(from);
  if (env.MIGRATE_NO_CODE_CACHE) return { exports: require(specifier) as T, save: () => {} };
  try {
    const filename = require.resolve(specifier);
    const { size, mtimeMs } = statSync(filename);
    const key = createHash("sha256")
      .update([filename, size, mtimeMs, process.version, process.arch].join("\0"))
      .digest("hex")
      .slice(0, 32);
    const file = path.join(cacheDir(env), `${key}.bin`);
    const cachedData = readCache(file);
    const script = new vm.Script(Module.wrap(readFileSync(filename, "utf8")), { filename, cachedData });
    const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
    const module = { exports: {} as T, filename, loaded: false };
    wrapper.call(module.exports, module.exports, createRequire(filename), module, filename, path.dirname(filename));
    module.loaded = true;
    const stale = cachedData === undefined || script.cachedDataRejected === true;
    let saved = false;
    return {
      exports: module.exports,
      save: () => {
        if (!stale || saved) return;
        saved = true;
        writeCache(file, script.createCachedData());
      },
    };
  } catch {
    return { exports: require(specifier) as T, save: () => {} };
  }
}
