import { createRequire } from "node:module";
import type * as TypeScript from "typescript";

/**
 * The compiler loaded with `require`: importing it as ESM makes Node lex the 9 MB CommonJS file for named
 * exports, which costs more than parsing every candidate of a large monorepo.
 */
export const ts: typeof TypeScript = createRequire(import.meta.url)("typescript");
