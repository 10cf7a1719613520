import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The bundled `data/pricing/` folder: two levels up from src/cost when run from source, one from dist/migrate.cjs. */
export function bundledPricingDir(): string {
  for (const candidate of ["../../data/pricing/", "../data/pricing/"]) {
    const dir = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(`${dir}ec2_ondemand.csv`)) return dir;
  }
  throw new Error("bundled price data not found: data/pricing/ is missing from the installation");
}
