/** An error the CLI reports without a stack trace, with its exit code and a hint. */
export class MigrateError extends Error {
  readonly exitCode: number = 2;
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class UsageError extends MigrateError {}

export class ConfigError extends MigrateError {}

export class InputError extends MigrateError {}

export function isMigrateError(error: unknown): error is MigrateError {
  return error instanceof MigrateError;
}
