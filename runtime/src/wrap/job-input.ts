// What the wrapper reads from a queue job's input: the shim's envelope (`{jobId, jobName, jobQueue,
// jobDefinition, parameters, command, environment, arrayProperties}`), or just the parts a caller sets by hand.
import { substituteParameters } from "../executor/batch-rules.js";

/** The job input is unusable; retrying cannot fix it, so the wrapper completes the job with the reason. */
export class JobInputError extends Error {
  override readonly name = "JobInputError";
}

/** How the wrapper was started: the defaults a job's input may override. */
export interface WrappedCommand {
  /** argv after `--`; may hold `Ref::name` placeholders. Job input never replaces it. */
  command: string[];
  /** `--param name=value`: the job definition's parameter defaults. */
  parameters: Record<string, string>;
  jobQueue?: string;
  computeEnvironment?: string;
}

/** One run of the command, ready to spawn. */
export interface PreparedRun {
  argv: string[];
  /** The input asked for another command (the shim's envelope carries one); the wrapper ran its own. */
  ignoredCommand?: string[];
  /** Variables of the input that would choose the program (PATH, LD_PRELOAD, NODE_OPTIONS…), left out. */
  ignoredEnvironment?: string[];
  /** Only what the job adds to the wrapper's own environment. */
  env: Record<string, string>;
  jobId: string;
  attempt: number;
  /**
   * The job's `retryStrategy.attempts` when the input gives it (`maxAttempts`): a failure of this attempt is then
   * final, answered so that the queue does not retry it (SaladCloud's queue would make 4 attempts regardless).
   */
  lastAttempt: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function scalarText(value: unknown, where: string): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw new JobInputError(`${where} must be a string, a number or a boolean`);
}

function readParameters(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new JobInputError("parameters must be an object of strings");
  return Object.fromEntries(
    Object.entries(value).map(([name, item]) => [name, scalarText(item, `parameters.${name}`)]),
  );
}

/**
 * Variables that choose what runs rather than what it reads: the loader's, the shells' and the interpreters'
 * start-up hooks. A job's input may not set them, or the input would pick the program after all.
 */
const PROGRAM_CHOOSING_VARIABLE =
  /^(?:PATH|IFS|ENV|BASH_ENV|SHELLOPTS|BASHOPTS|PS4|PROMPT_COMMAND|GCONV_PATH|HOSTALIASES|LOCALDOMAIN|RES_OPTIONS|NODE_OPTIONS|NODE_PATH|NODE_REPL_EXTERNAL_MODULE|PYTHON(?:PATH|HOME|STARTUP|INSPECT|USERBASE|EXECUTABLE|BREAKPOINT)|PERL5?(?:OPT|LIB|DB)|RUBY(?:OPT|LIB)|JAVA_TOOL_OPTIONS|_JAVA_OPTIONS|JDK_JAVA_OPTIONS|CLASSPATH|BATCH_MIGRATE_OUTPUT_PATH|(?:LD|DYLD)_[A-Z0-9_]*|GIT_[A-Z0-9_]*)$/;

/** The variables an input may set, and the names of those it may not (left out of the run). */
function splitEnvironment(environment: Record<string, string>): { allowed: Record<string, string>; ignored: string[] } {
  const allowed: Record<string, string> = {};
  const ignored: string[] = [];
  for (const [name, value] of Object.entries(environment)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || PROGRAM_CHOOSING_VARIABLE.test(name.toUpperCase()))
      ignored.push(name);
    else allowed[name] = value;
  }
  return { allowed, ignored };
}

/** `{NAME: value}`, or AWS's `[{name, value}]` (containerOverrides.environment). */
function readEnvironment(value: unknown): { allowed: Record<string, string>; ignored: string[] } {
  return splitEnvironment(readEnvironmentEntries(value));
}

function readEnvironmentEntries(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (Array.isArray(value)) {
    const environment: Record<string, string> = {};
    for (const entry of value) {
      if (!isObject(entry) || typeof entry.name !== "string")
        throw new JobInputError("environment entries must be {name, value} objects");
      environment[entry.name] = scalarText(entry.value ?? "", `environment.${entry.name}`);
    }
    return environment;
  }
  if (!isObject(value)) throw new JobInputError("environment must be an object or a list of {name, value}");
  return Object.fromEntries(
    Object.entries(value).map(([name, item]) => [name, scalarText(item, `environment.${name}`)]),
  );
}

function optionalInteger(value: unknown, where: string, minimum: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  const number = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof number !== "number" || !Number.isInteger(number) || number < minimum)
    throw new JobInputError(`${where} must be an integer ≥ ${minimum}`);
  return number;
}

function readCommand(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length === 0 || !value.every((part) => typeof part === "string")) {
    throw new JobInputError("command must be a non-empty list of strings");
  }
  return value as string[];
}

/** Array position: the shim's `arrayProperties {index, size}`, Salad's fan-out `{index, total}`, or `arrayIndex/arraySize`. */
function readArray(
  input: Record<string, unknown>,
  environment: Record<string, string>,
): { index?: number; size?: number } {
  const properties = isObject(input.arrayProperties) ? input.arrayProperties : {};
  const index =
    optionalInteger(properties.index, "arrayProperties.index", 0) ??
    optionalInteger(input.arrayIndex, "arrayIndex", 0) ??
    optionalInteger(input.index, "index", 0) ??
    optionalInteger(environment.AWS_BATCH_JOB_ARRAY_INDEX, "AWS_BATCH_JOB_ARRAY_INDEX", 0);
  const size =
    optionalInteger(properties.size, "arrayProperties.size", 1) ??
    optionalInteger(input.arraySize, "arraySize", 1) ??
    optionalInteger(input.total, "total", 1) ??
    optionalInteger(environment.AWS_BATCH_JOB_ARRAY_SIZE, "AWS_BATCH_JOB_ARRAY_SIZE", 1);
  return { ...(index !== undefined ? { index } : {}), ...(size !== undefined ? { size } : {}) };
}

/**
 * Turns a queue job's input into the argv and environment of one run. Parameters of the input win over the
 * wrapper's defaults (AWS: SubmitJob parameters over the definition's). The command is always the wrapped one:
 * whoever can put a job on the queue must not choose the program (an input `command`, as the shim's envelope
 * carries, is checked and reported as ignored when it differs). `AWS_BATCH_*` come from the input when the shim computed them, else
 * from the job's id (the `Salad-Job-Id` header) and the attempt the wrapper counted.
 */
export function prepareRun(
  body: unknown,
  wrapped: WrappedCommand,
  delivery: { saladJobId?: string; countedAttempt: number },
): PreparedRun {
  const input = body === null || body === undefined ? {} : body;
  if (!isObject(input)) throw new JobInputError("the job input must be a JSON object");
  const parameters = { ...wrapped.parameters, ...readParameters(input.parameters) };
  const { allowed: environment, ignored: ignoredEnvironment } = readEnvironment(input.environment);
  const requested = readCommand(input.command);
  const array = readArray(input, environment);
  const attempt =
    optionalInteger(input.attempt, "attempt", 1) ??
    optionalInteger(environment.AWS_BATCH_JOB_ATTEMPT, "AWS_BATCH_JOB_ATTEMPT", 1) ??
    delivery.countedAttempt;
  const baseId =
    (typeof input.jobId === "string" && input.jobId) ||
    environment.AWS_BATCH_JOB_ID ||
    delivery.saladJobId ||
    `local-${Date.now()}`;
  const jobId = array.index !== undefined && !baseId.endsWith(`:${array.index}`) ? `${baseId}:${array.index}` : baseId;
  const env: Record<string, string> = { ...environment };
  env.AWS_BATCH_JOB_ID = jobId;
  env.AWS_BATCH_JOB_ATTEMPT = String(attempt);
  env.AWS_BATCH_JQ_NAME =
    (typeof input.jobQueue === "string" && input.jobQueue) || environment.AWS_BATCH_JQ_NAME || wrapped.jobQueue || "";
  env.AWS_BATCH_CE_NAME = environment.AWS_BATCH_CE_NAME || wrapped.computeEnvironment || "";
  if (array.index !== undefined) env.AWS_BATCH_JOB_ARRAY_INDEX = String(array.index);
  if (array.size !== undefined) env.AWS_BATCH_JOB_ARRAY_SIZE = String(array.size);
  const argv = substituteParameters(wrapped.command, parameters);
  const ignored = requested !== undefined && JSON.stringify(requested) !== JSON.stringify(argv);
  const maxAttempts = optionalInteger(input.maxAttempts, "maxAttempts", 1);
  const lastAttempt = maxAttempts !== undefined && attempt >= maxAttempts;
  return {
    argv,
    ...(ignored ? { ignoredCommand: requested } : {}),
    ...(ignoredEnvironment.length > 0 ? { ignoredEnvironment } : {}),
    env,
    jobId,
    attempt,
    lastAttempt,
  };
}
