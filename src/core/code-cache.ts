import { createHash } from "node:crypto";
import { isAscii } from "node:buffer";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
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

/** The TypeScript compiler is 9 MB of ASCII: read as latin1, it takes half the time of decoding UTF-8. */
function readSource(filename: string): string {
  const bytes = readFileSync(filename);
  return bytes.toString(isAscii(bytes) ? "latin1" : "utf8");
}

export interface CachedModule<T> {
  exports: T;
  /**
   * Stores V8's compiled code for the next run when this run had none. Call it after using the module, so that
   * the functions compiled lazily along the way are kept too.
   */
  save(): void;
}

function hash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

/** Names of the one-part keys of batch-migrate 0.1.0, which were never pruned. */
const UNPRUNED_NAME = /^[0-9a-f]{32}\.bin$/;

/** Removes what earlier versions of a module left: one cache file per module path is kept. */
function pruneOlder(file: string): void {
  const dir = path.dirname(file);
  const kept = path.basename(file);
  const prefix = `${kept.split("-")[0]!}-`;
  try {
    for (const name of readdirSync(dir))
      if ((name.startsWith(prefix) && name !== kept) || UNPRUNED_NAME.test(name))
        rmSync(path.join(dir, name), { force: true });
  } catch {
    // another run may be pruning too
  }
}

/**
 * Requires a large CommonJS module (the TypeScript compiler) through V8's code cache, kept between runs in
 * ~/.cache/batch-migrate. Node 22 does this for every module (`module.enableCompileCache`); on Node 20, loading the
 * 9 MB compiler and parsing one file took 250–310 ms without the cache and 57–77 ms with it. Falls back to a plain
 * `require` on any failure, and entirely with MIGRATE_NO_CODE_CACHE=1.
 *
 * Only for modules without dynamic `import()`: on Node 20, a script compiled from cached data loses its import
 * callback, even `vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER`. That is why the CLI's own bundle, which imports the
 * runtime package and the HCL parser, is not loaded this way.
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
    const version = hash([size, mtimeMs, process.version, process.arch].join("\0"));
    const file = path.join(cacheDir(env), `${hash(filename)}-${version}.bin`);
    const cachedData = readCache(file);
    const script = new vm.Script(Module.wrap(readSource(filename)), { filename, cachedData });
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
        pruneOlder(file);
      },
    };
  } catch {
    return { exports: require(specifier) as T, save: () => {} };
  }
}
