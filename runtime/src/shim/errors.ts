// Errors shaped like @aws-sdk/client-batch's: ClientException / ServerException, subclasses of
// BatchServiceException, with `name`, `$fault`, `$metadata` and `message` (targets.md C.2).
import { randomUUID } from "node:crypto";

/** `$metadata` as the v3 SDK puts it on every output and error. */
export interface ResponseMetadata {
  httpStatusCode?: number;
  requestId?: string;
  extendedRequestId?: string;
  cfId?: string;
  attempts?: number;
  totalRetryDelay?: number;
}

export function responseMetadata(httpStatusCode = 200): ResponseMetadata {
  return { httpStatusCode, requestId: randomUUID(), attempts: 1, totalRetryDelay: 0 };
}

export interface ServiceExceptionOptions {
  message?: string;
  $metadata?: ResponseMetadata;
}

/** The base of Batch's modelled errors. */
export class BatchServiceException extends Error {
  readonly $fault: "client" | "server";
  readonly $metadata: ResponseMetadata;

  constructor(options: ServiceExceptionOptions & { name: string; $fault: "client" | "server" }) {
    super(options.message ?? options.name);
    this.name = options.name;
    this.$fault = options.$fault;
    this.$metadata = options.$metadata ?? responseMetadata(options.$fault === "client" ? 400 : 500);
    Object.setPrototypeOf(this, new.target.prototype);
  }

  /**
   * `error instanceof ClientException` also holds for the real SDK's error classes (BATCH_MIGRATE_TARGET=aws),
   * so code that imports the names from this package catches the same errors whatever the target.
   */
  static override [Symbol.hasInstance](instance: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, instance)) return true;
    if (typeof instance !== "object" || instance === null) return false;
    const candidate = instance as { name?: unknown; $fault?: unknown; $metadata?: unknown };
    const looksLikeServiceError =
      (candidate.$fault === "client" || candidate.$fault === "server") && typeof candidate.$metadata === "object";
    if (!looksLikeServiceError) return false;
    return this === BatchServiceException || candidate.name === this.name;
  }
}

/** Bad request: invalid parameters, unknown resources, or something the target cannot honour. */
export class ClientException extends BatchServiceException {
  constructor(options: ServiceExceptionOptions = {}) {
    super({ ...options, name: "ClientException", $fault: "client" });
  }
}

/** The target failed or could not be reached. */
export class ServerException extends BatchServiceException {
  constructor(options: ServiceExceptionOptions = {}) {
    super({ ...options, name: "ServerException", $fault: "server" });
  }
}

export function clientException(message: string): ClientException {
  return new ClientException({ message, $metadata: responseMetadata(400) });
}

export function serverException(message: string): ServerException {
  return new ServerException({ message, $metadata: responseMetadata(500) });
}

/** An error from the executor's AWS face (`__type`) rebuilt as the SDK would: the modelled class when known. */
export function exceptionForCode(
  code: string | undefined,
  message: string,
  httpStatusCode: number,
): BatchServiceException {
  const $metadata = responseMetadata(httpStatusCode);
  if (code === "ServerException" || (code === undefined && httpStatusCode >= 500))
    return new ServerException({ message, $metadata });
  if (code === undefined || code === "ClientException") return new ClientException({ message, $metadata });
  return new BatchServiceException({
    name: code,
    $fault: httpStatusCode >= 500 ? "server" : "client",
    message,
    $metadata,
  });
}

/** One problem found by the shim's input check, in aws-sdk v2's vocabulary (its ParamValidator codes). */
export interface ParameterProblem {
  code: "MissingRequiredParameter" | "UnexpectedParameter" | "InvalidParameterType";
  message: string;
}

/**
 * The input does not fit the operation's model. The v3 surface reports it as a ClientException (what AWS
 * answers to such a request); the v2 surface as v2's own client-side validation errors.
 */
export class ParameterValidationError extends Error {
  override readonly name = "ParameterValidationError";
  constructor(
    readonly operation: string,
    readonly problems: ParameterProblem[],
  ) {
    super(`${operation}: ${problems.map((problem) => problem.message).join("; ")}`);
  }
}
