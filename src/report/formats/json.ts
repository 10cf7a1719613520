import type { Report } from "../model.js";

export default function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
