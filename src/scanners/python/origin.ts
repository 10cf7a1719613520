import type { Origin, OriginStepKind } from "../../core/types.js";
import type { ModuleIndex } from "./module-index.js";
import type { SyntaxNode } from "./parser.js";

/** Long chains add nothing a reader can use and cost memory on every copy. */
const MAX_STEPS = 12;

/** The file line of a node (notebooks map their synthetic lines back to the file's). */
export function lineOf(module: ModuleIndex, row: number): number {
  return module.lineMap?.[row] ?? row + 1;
}

export function originAt(module: ModuleIndex, node: SyntaxNode, via: string, reason?: string): Origin {
  return {
    path: module.file.path,
    line: lineOf(module, node.startPosition.row),
    column: node.startPosition.column + 1,
    via,
    steps: [],
    ...(reason ? { reason } : {}),
  };
}

/** The origin with one more step, taken at `row` of `module`. */
export function withStep(
  origin: Origin,
  module: ModuleIndex,
  row: number,
  step: OriginStepKind,
  name?: string,
): Origin {
  if (origin.steps.length >= MAX_STEPS) return origin;
  const line = lineOf(module, row);
  const path = module.file.path;
  const last = origin.steps.at(-1);
  if (last && last.path === path && last.line === line && last.step === step && last.name === name) return origin;
  return { ...origin, steps: [...origin.steps, { path, line, step, ...(name ? { name } : {}) }] };
}
