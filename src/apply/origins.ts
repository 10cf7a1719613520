// Which module makes the Batch client each Python site uses, for the shim transform: a site whose client comes
// from a helper elsewhere moves to the shim when that helper's module does, and is listed with the reason when it
// cannot. `apply` never leaves a site `scan` calls shim-ready unchanged without saying why.
import path from "node:path";
import { readCandidate } from "../core/read.js";
import { DEFAULT_MAX_FILE_BYTES } from "../core/scan.js";
import type { Finding } from "../core/types.js";
import type { ApplyOptions, Candidate, ManualSite } from "./runner.js";
import { parsePython } from "./python/syntax.js";
import { BOTO_MAKER, madeInFile, originOf, type ClientOrigin, type ReadModule } from "./python/client-origin.js";
import { unservedCalls } from "./served.js";
import { toWorkingText } from "./text-style.js";

export interface OriginPlan {
  /** Factory module → the sites elsewhere whose client it makes. */
  madeFor: Map<string, { path: string; line: number }[]>;
  /** Site module → its sites whose client is made in another module, and where. */
  resolved: Map<string, { line: number; origin: ClientOrigin }[]>;
  /** Site module → sites whose client could not be moved, with why. */
  unresolved: Map<string, ManualSite[]>;
  /**
   * Factory module → why it must keep real boto3 (a module using its client calls operations the shim does not
   * serve): the shim transform marks its client there instead of moving its import, so no user of it half-moves.
   */
  keptOnBoto3: Map<string, string>;
}

const CLIENT_KINDS = new Set(["py-client", "py-client-indirect"]);
const CALL_KINDS = new Set(["py-call", "py-call-dynamic", "py-paginator", "py-waiter-custom"]);

/**
 * The sites of a file whose client is made elsewhere: each client-making site that does not call boto3 here, and
 * each call whose client the scanner traced to boto3 in another module (a tuple-returning helper, a parameter), one
 * per factory.
 */
function sitesMadeElsewhere(relPath: string, text: string, findings: readonly Finding[]): Finding[] {
  const clientSites = findings.filter((site) => CLIENT_KINDS.has(site.kind));
  const tree = clientSites.length > 0 ? parsePython(text) : undefined;
  const sites = clientSites.filter((site) => !madeInFile(site, text, tree));
  const factories = new Set<string>();
  for (const site of findings) {
    const origin = site.origin;
    if (!CALL_KINDS.has(site.kind) || !origin || origin.path === relPath || !BOTO_MAKER.test(origin.via)) continue;
    if (factories.has(`${origin.path}:${origin.line}`)) continue;
    factories.add(`${origin.path}:${origin.line}`);
    sites.push(site);
  }
  return sites;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  map.set(key, [...(map.get(key) ?? []), value]);
}

export function planClientOrigins(
  root: string,
  candidates: readonly Candidate[],
  possibleFactories: readonly Candidate[],
  findings: ReadonlyMap<string, readonly Finding[]>,
  options: Pick<ApplyOptions, "transforms" | "maxFileBytes"> & { shimTarget?: string },
): OriginPlan {
  const plan: OriginPlan = { madeFor: new Map(), resolved: new Map(), unresolved: new Map(), keptOnBoto3: new Map() };
  const shim = options.transforms.some((t) => t.language === "python" && t.to === "shim");
  if (!shim && !options.transforms.some((t) => t.language === "python" && t.to === "native")) return plan;
  const texts = new Map<string, string>();
  for (const c of [...candidates, ...possibleFactories]) texts.set(c.relPath, toWorkingText(c.text).text);
  const read: ReadModule = (relPath: string): string | undefined => {
    if (!relPath.endsWith(".py") || relPath.split("/").includes("..")) return undefined;
    if (texts.has(relPath)) return texts.get(relPath);
    const file = readCandidate(path.join(root, relPath), relPath, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
    const text = file.ok ? toWorkingText(file.bytes.toString("utf8")).text : undefined;
    if (text !== undefined) texts.set(relPath, text);
    return text;
  };
  read.known = [...texts.keys()].filter((p) => p.endsWith(".py"));
  const sitesByFactory = new Map<string, { site: Finding; origin: ClientOrigin }[]>();
  const blocked = new Map<string, string>();
  for (const [relPath, fileFindings] of findings) {
    if (!relPath.endsWith(".py")) continue;
    const text = texts.get(relPath) ?? "";
    for (const site of sitesMadeElsewhere(relPath, text, fileFindings)) {
      const resolution = originOf(site, text, read);
      if ("unresolved" in resolution) {
        if (!shim) continue;
        push(plan.unresolved, relPath, { line: site.line, why: `${resolution.unresolved}; this site stays on AWS` });
        continue;
      }
      push(sitesByFactory, resolution.origin.path, { site, origin: resolution.origin });
      const unserved = shim ? unservedCalls(text, fileFindings, "python", "real boto3", options.shimTarget) : [];
      if (unserved.length > 0 && !blocked.has(resolution.origin.path))
        blocked.set(resolution.origin.path, `${relPath} also calls operations the shim does not serve`);
      if (unserved.length > 0 && !plan.keptOnBoto3.has(resolution.origin.path))
        plan.keptOnBoto3.set(
          resolution.origin.path,
          `the Batch client made here is also used by ${relPath}, where ${unserved[0]!.why}`,
        );
    }
  }
  for (const [factory, sites] of sitesByFactory) {
    // Native mode only needs to know that a factory's clients are used elsewhere (it must not replace them).
    if (!shim) {
      for (const { site } of sites) push(plan.madeFor, factory, { path: site.path, line: site.line });
      continue;
    }
    const why = blocked.get(factory);
    for (const { site, origin } of sites) {
      if (why) {
        push(plan.unresolved, site.path, {
          line: site.line,
          why: `the Batch client is made by ${origin.chain.join(" → ")}, which stays on real boto3 because ${why}; this site stays on AWS`,
        });
        continue;
      }
      push(plan.madeFor, factory, { path: site.path, line: site.line });
      push(plan.resolved, site.path, { line: site.line, origin });
    }
  }
  return plan;
}
