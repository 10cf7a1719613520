// Shim configuration, identical to the Python shim's: environment variables first, then `migrate.config.json`
// (the nearest one from the working directory up, or the file BATCH_MIGRATE_CONFIG names).
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

export const TARGETS = ["common-compute", "salad", "local", "aws"] as const;
export type ShimTarget = (typeof TARGETS)[number];
const TARGET_ALIASES: Record<string, ShimTarget> = {
  cc: "common-compute",
  commoncompute: "common-compute",
  common_compute: "common-compute",
  saladcloud: "salad",
};
export const CONFIG_FILE_NAME = "migrate.config.json";
/**
 * With no target configured every call goes to the real AWS SDK, so a migrated repository can merge before the
 * cut-over; the cut-over is `"target"` in migrate.config.json (`migrate init --target …` writes it) or the variable.
 */
export const DEFAULT_TARGET: ShimTarget = "aws";
export const DEFAULT_REGION = "us-east-1";
export const DEFAULT_ACCOUNT_ID = "123456789012";

/** A setting is missing or malformed (not an AWS error: nothing was sent anywhere). */
export class ConfigurationError extends Error {
  override readonly name = "ConfigurationError";
}

export interface ShimSettings {
  target: ShimTarget;
  /** Where the target came from, for the log line: the variable, the config file, or the default. */
  targetSource?: string;
  region: string;
  accountId: string;
  configPath?: string;
  config: Record<string, unknown>;
  ccBaseUrl?: string;
  ccApiKey?: string;
  saladBaseUrl?: string;
  saladApiKey?: string;
  saladOrganization?: string;
  saladProject?: string;
  localBaseUrl?: string;
  localApiKey?: string;
  queueMap: Record<string, string>;
  stateDir?: string;
  emulateDependencies: boolean;
  httpTimeoutMs: number;
  maxRetries: number;
}

export function findConfigFile(start: string): string | undefined {
  for (let directory = path.resolve(start); ; directory = path.dirname(directory)) {
    const candidate = path.join(directory, CONFIG_FILE_NAME);
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
    if (path.dirname(directory) === directory) return undefined;
  }
}

export function loadConfigDocument(file: string | undefined): Record<string, unknown> {
  if (file === undefined) return {};
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigurationError(`cannot read ${file}: ${(error as Error).message}`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    throw new ConfigurationError(`${file} must hold a JSON object at the top level`);
  }
  return document as Record<string, unknown>;
}

/** `{"aws-queue": "target"}` as JSON, or `aws-queue=target,other=x`. */
export function parseMapping(text: string | undefined, variable: string): Record<string, string> {
  if (!text) return {};
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (error) {
      throw new ConfigurationError(`${variable} is not valid JSON: ${(error as Error).message}`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value))
      throw new ConfigurationError(`${variable} must be a JSON object`);
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, String(item)]));
  }
  const mapping: Record<string, string> = {};
  for (const pair of trimmed.split(",")) {
    if (!pair.trim()) continue;
    const separator = pair.indexOf("=");
    const key = separator < 0 ? "" : pair.slice(0, separator).trim();
    const item = separator < 0 ? "" : pair.slice(separator + 1).trim();
    if (!key || !item)
      throw new ConfigurationError(
        `${variable}: expected name=value pairs separated by commas, got ${JSON.stringify(pair)}`,
      );
    mapping[key] = item;
  }
  return mapping;
}

export function parseFlag(text: string | undefined, variable: string): boolean | undefined {
  if (text === undefined || text === "") return undefined;
  const lowered = text.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(lowered)) return true;
  if (["0", "false", "no", "off"].includes(lowered)) return false;
  throw new ConfigurationError(`${variable} must be 1 or 0, not ${JSON.stringify(text)}`);
}

export function normaliseTarget(value: string): ShimTarget {
  const lowered = value.trim().toLowerCase();
  const target = TARGET_ALIASES[lowered] ?? lowered;
  if (!(TARGETS as readonly string[]).includes(target)) {
    throw new ConfigurationError(
      `BATCH_MIGRATE_TARGET must be one of ${TARGETS.join(", ")}, not ${JSON.stringify(value)}`,
    );
  }
  return target as ShimTarget;
}

function positiveNumber(text: string | undefined, variable: string, fallback: number): number {
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0)
    throw new ConfigurationError(`${variable} must be a non-negative number, not ${JSON.stringify(text)}`);
  return value;
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function asString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function chooseTarget(
  override: string | undefined,
  env: NodeJS.ProcessEnv,
  shimSection: Record<string, unknown>,
  config: Record<string, unknown>,
  configPath: string | undefined,
): [string, string] {
  if (override) return [override, "the client's batchMigrate option"];
  const fromEnv = asString(env.BATCH_MIGRATE_TARGET);
  if (fromEnv) return [fromEnv, "BATCH_MIGRATE_TARGET"];
  const fromFile = asString(shimSection.target) ?? asString(config.target);
  if (fromFile) return [fromFile, configPath ?? CONFIG_FILE_NAME];
  return [DEFAULT_TARGET, "the default: no target configured"];
}

let loggedTarget = false;

/** One INFO line per process on stderr naming the active target (stdout belongs to the application). */
function logActiveTarget(target: ShimTarget, source: string): void {
  if (loggedTarget) return;
  loggedTarget = true;
  const where = target === "aws" ? "every AWS Batch call goes to the real AWS SDK" : `AWS Batch calls go to ${target}`;
  process.stderr.write(`batch-migrate-runtime INFO shim target ${target} (from ${source}): ${where}\n`);
}

export interface SettingsOverrides extends Partial<Omit<ShimSettings, "config">> {
  /** Working directory to look for migrate.config.json from; default process.cwd(). */
  cwd?: string;
}

/** Reads the settings the way the Python shim does; `overrides` win over the environment. */
export function settingsFromEnvironment(
  env: NodeJS.ProcessEnv = process.env,
  overrides: SettingsOverrides = {},
): ShimSettings {
  const { cwd, configPath: explicitOverride, target: targetOverride, ...rest } = overrides;
  const explicitPath = explicitOverride ?? asString(env.BATCH_MIGRATE_CONFIG);
  let configPath: string | undefined;
  if (explicitPath) {
    if (!existsSync(explicitPath) || !statSync(explicitPath).isFile()) {
      throw new ConfigurationError(`BATCH_MIGRATE_CONFIG names ${explicitPath}, which is not a file`);
    }
    configPath = explicitPath;
  } else {
    configPath = findConfigFile(cwd ?? process.cwd());
  }
  const config = loadConfigDocument(configPath);
  const shimSection = asObject(config.shim);
  const [chosen, targetSource] = chooseTarget(targetOverride, env, shimSection, config, configPath);
  const target = normaliseTarget(chosen);
  logActiveTarget(target, targetSource);
  const emulate = parseFlag(env.BATCH_MIGRATE_EMULATE_DEPENDENCIES, "BATCH_MIGRATE_EMULATE_DEPENDENCIES");
  const queueMap = {
    ...Object.fromEntries(Object.entries(asObject(shimSection.queueMap)).map(([key, value]) => [key, String(value)])),
    ...parseMapping(env.BATCH_MIGRATE_QUEUE_MAP, "BATCH_MIGRATE_QUEUE_MAP"),
  };
  const settings: ShimSettings = {
    target,
    targetSource,
    region: asString(env.AWS_REGION) ?? asString(env.AWS_DEFAULT_REGION) ?? asString(config.region) ?? DEFAULT_REGION,
    accountId: asString(env.BATCH_MIGRATE_ACCOUNT_ID) ?? asString(config.accountId) ?? DEFAULT_ACCOUNT_ID,
    configPath,
    config,
    ccBaseUrl: asString(env.CC_BASE_URL),
    ccApiKey: asString(env.CC_API_KEY),
    saladBaseUrl: asString(env.SALAD_BASE_URL),
    saladApiKey: asString(env.SALAD_API_KEY),
    saladOrganization: asString(env.SALAD_ORGANIZATION_NAME) ?? asString(shimSection.saladOrganization),
    saladProject: asString(env.SALAD_PROJECT_NAME) ?? asString(shimSection.saladProject),
    localBaseUrl: asString(env.BATCH_MIGRATE_ENDPOINT) ?? asString(env.CC_BASE_URL),
    localApiKey: asString(env.BATCH_MIGRATE_API_KEY) ?? asString(env.CC_API_KEY) ?? asString(env.MIGRATE_EXECUTOR_KEY),
    queueMap,
    stateDir: asString(env.BATCH_MIGRATE_STATE_DIR) ?? asString(shimSection.stateDir),
    emulateDependencies: emulate ?? target !== "salad",
    httpTimeoutMs: positiveNumber(env.BATCH_MIGRATE_HTTP_TIMEOUT, "BATCH_MIGRATE_HTTP_TIMEOUT", 30) * 1000,
    maxRetries: Math.trunc(positiveNumber(env.BATCH_MIGRATE_HTTP_RETRIES, "BATCH_MIGRATE_HTTP_RETRIES", 3)),
  };
  for (const [key, value] of Object.entries(rest)) {
    if (value !== undefined) (settings as unknown as Record<string, unknown>)[key] = value;
  }
  return settings;
}
