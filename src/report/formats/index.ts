import type { Report } from "../model.js";
import html from "./html.js";
import json from "./json.js";
import markdown from "./markdown.js";
import sarif from "./sarif.js";
import table from "./table.js";

export type Renderer = (report: Report) => string;

/** Every report format, one line each. */
export const FORMATS = {
  html,
  json,
  markdown,
  sarif,
  table,
} satisfies Record<string, Renderer>;

export type FormatName = keyof typeof FORMATS;
