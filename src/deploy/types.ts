import type { Finding, Inventory, Link } from "../core/types.js";

export const DEPLOY_TARGET_IDS = ["salad", "common-compute"] as const;
export type DeployTargetId = (typeof DEPLOY_TARGET_IDS)[number];
/** What `init --target` takes: a deployment target, or `local` (the local executor: a mapping, no deployment files). */
export const INIT_TARGET_IDS = [...DEPLOY_TARGET_IDS, "local"] as const;
export type InitTargetId = (typeof INIT_TARGET_IDS)[number];

/** What the generators read: one scan of the repository. */
export interface DeployInput {
  inventory: Inventory;
  findings: Finding[];
  links: Link[];
}

/** One file the generator proposes, relative to `migration/<target>/`. */
export interface GeneratedFile {
  /** POSIX path under `migration/<target>/`. */
  path: string;
  content: string;
  /** What it is, for the README's table. */
  description: string;
  /** `file:line` of the declarations it was generated from. */
  from: string[];
}

/** A property of the Batch job that the target cannot honour as written; the generated value is what was written instead. */
export interface DeployGap {
  /** The job definition (or queue) the gap belongs to. */
  subject: string;
  /** The Batch property, e.g. `vcpus`, `retryStrategy.evaluateOnExit`. */
  property: string;
  /** What was written instead, or `not generated`. */
  generated: string;
  /** Why the target cannot do what Batch did. */
  why: string;
  /** `file:line` of the declaration. */
  source: string;
}

/** Something the generator could not know and a person has to choose before deploying. */
export interface DeployDecision {
  subject: string;
  question: string;
  /** What was generated meanwhile, and on what evidence. */
  meanwhile: string;
}

/** Everything one target's generator produced for a scan. Pure data: writing it is the command's job. */
export interface DeployPlan {
  target: DeployTargetId;
  files: GeneratedFile[];
  gaps: DeployGap[];
  decisions: DeployDecision[];
  /** The `migrate.config.json` it writes, which `init` also merges into the repository's root one. */
  config: Record<string, unknown>;
}

/** One deployment target: a pure function from a scan to the files under `migration/<id>/`. */
export interface DeployTarget {
  /** Folder name under `migration/` and the `--target` value. */
  id: DeployTargetId;
  /** Shown in `migrate init --help` and the README title. */
  title: string;
  generate: (input: DeployInput) => DeployPlan;
}
