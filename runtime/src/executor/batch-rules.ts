// AWS Batch rules that don't depend on the executor's state (reference/targets.md C.4, D.2, D.5).
import type { Attempt, EvaluateOnExit, Job } from "./model.js";

/** An evaluateOnExit pattern: exact, or a prefix when it ends with a single `*`. */
export function matchesBatchGlob(pattern: string, value: string | undefined): boolean {
  if (pattern.endsWith("*")) return (value ?? "").startsWith(pattern.slice(0, -1));
  return value === pattern;
}

function matchesCondition(condition: EvaluateOnExit, attempt: Attempt): boolean {
  const checks: [string | undefined, string | undefined][] = [
    [condition.onExitCode, attempt.exitCode === undefined ? undefined : String(attempt.exitCode)],
    [condition.onReason, attempt.reason],
    [condition.onStatusReason, attempt.statusReason],
  ];
  return checks.every(([pattern, value]) => pattern === undefined || matchesBatchGlob(pattern, value));
}

/**
 * Whether a failed attempt goes back to RUNNABLE: attempts left, not a timeout (unless the face retries
 * those), and the first matching evaluateOnExit entry says RETRY, or none matches.
 */
export function shouldRetry(job: Job, attempt: Attempt): boolean {
  if (attempt.outcome === "terminated") return false;
  if (attempt.outcome === "timeout" && !job.retryAfterTimeout) return false;
  if (job.attempts.length >= job.retryStrategy.attempts) return false;
  const decisive = job.retryStrategy.evaluateOnExit?.find((condition) => matchesCondition(condition, attempt));
  return decisive === undefined || decisive.action.toUpperCase() === "RETRY";
}

const PARAMETER_REFERENCE = /Ref::([A-Za-z0-9_-]+)/g;

/**
 * `Ref::name` substitution in command items. A whole item that is one reference takes the value as is;
 * references inside an item are replaced everywhere. Unknown references stay as literal text.
 */
export function substituteParameters(command: readonly string[], parameters: Record<string, string>): string[] {
  return command.map((item) => {
    const whole = /^Ref::(.+)$/.exec(item);
    if (whole?.[1] !== undefined && Object.hasOwn(parameters, whole[1])) return parameters[whole[1]] ?? item;
    return item.replace(PARAMETER_REFERENCE, (reference, name: string) => {
      // Names may contain "-", so "Ref::word-post" is the parameter "word" followed by "-post" unless
      // "word-post" itself is a parameter: the longest defined name wins.
      for (let length = name.length; length > 0; length--) {
        const candidate = name.slice(0, length);
        if (Object.hasOwn(parameters, candidate)) return (parameters[candidate] ?? "") + name.slice(length);
      }
      return reference;
    });
  });
}

export const RESERVED_ENV_PREFIX = "AWS_BATCH";

export function findReservedEnvironmentName(names: Iterable<string>): string | undefined {
  for (const name of names) if (name.startsWith(RESERVED_ENV_PREFIX)) return name;
  return undefined;
}
