import { readFileSync } from "node:fs";

function readVersion(): string {
  for (const candidate of ["../../package.json", "../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(candidate, import.meta.url), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "batch-migrate" && pkg.version) return pkg.version;
    } catch {
      // not at this depth (src/core/ when run with tsx, dist/ when bundled)
    }
  }
  return "0.0.0";
}

export const TOOL_VERSION = readVersion();
