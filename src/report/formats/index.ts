import type { Report } from "../model.js";
import json from "./json.js";
import table from "./table.js";

export type Renderer = (report: Report) => string;

/** Every report format, one line each. */
export const FORMATS = {
  json,
  table,
} satisfies Record<string, Renderer>;

export type FormatName = keyof typeof FORMATS;
