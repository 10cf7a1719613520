import type * as TypeScript from "typescript";
import { requireWithCodeCache } from "../../core/code-cache.js";

/**
 * The compiler loaded with `require`: importing it as ESM makes Node lex the 9 MB CommonJS file for named
 * exports, which costs more than parsing every candidate of a large monorepo. V8's code cache halves what is left.
 */
const compiler = requireWithCodeCache<typeof TypeScript>("typescript", import.meta.url);

export const ts = compiler.exports;

/** Keeps the compiled compiler, including the functions this run compiled lazily, for the next run. */
export const saveCompilerCode = compiler.save;
