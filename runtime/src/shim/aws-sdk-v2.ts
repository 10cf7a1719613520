// `batch-migrate-runtime/aws-sdk-v2`: aws-sdk v2's `AWS.Batch` over the shim.
//
//   -const batch = new AWS.Batch({ region: "us-east-1" });
//   +import { Batch } from "batch-migrate-runtime/aws-sdk-v2";
//   +const batch = new Batch({ region: "us-east-1" });
//
// Methods take a callback or return a request with `promise()`, `send()` and (for paginated operations)
// `eachPage()`; data carries no metadata; errors are v2's AWSError shape (`code`, `statusCode`, `retryable`).
// With BATCH_MIGRATE_TARGET=aws every call goes to the real `aws-sdk` package, imported on first use.
import { BatchShim, type LocalAdminOperation, type ShimOperation } from "./core.js";
import { BatchServiceException, ParameterValidationError } from "./errors.js";
import type { Json } from "./model.js";
import { loadRealSdk, tryLoadRealSdk } from "./real-sdk.js";
import { settingsFromEnvironment, type SettingsOverrides, type ShimSettings } from "./settings.js";
import type { OperationShapes } from "./types.js";
import { OPERATION_INPUTS } from "./validation.js";

export type * from "./types.js";
export { ConfigurationError } from "./settings.js";

/** aws-sdk v2's AWSError: an Error whose `name` is its `code`. */
export interface AWSError extends Error {
  code: string;
  statusCode?: number;
  retryable: boolean;
  time: Date;
  requestId?: string;
  /** MultipleValidationErrors: one error per problem. */
  errors?: AWSError[];
}

function awsError(
  code: string,
  message: string,
  extra: { statusCode?: number; retryable?: boolean; requestId?: string } = {},
): AWSError {
  const error = new Error(message) as AWSError;
  error.name = code;
  error.code = code;
  error.retryable = extra.retryable ?? false;
  error.time = new Date();
  if (extra.statusCode !== undefined) error.statusCode = extra.statusCode;
  if (extra.requestId !== undefined) error.requestId = extra.requestId;
  return error;
}

/** The shim's errors in v2's words; v2 validates input on the client, with its own codes. */
function toAwsError(error: unknown): unknown {
  if (error instanceof ParameterValidationError) {
    const problems = error.problems.map((problem) => awsError(problem.code, problem.message));
    if (problems.length === 1) return problems[0];
    const multiple = awsError(
      "MultipleValidationErrors",
      `There were ${problems.length} validation errors:\n* ${problems.map((p) => p.message).join("\n* ")}`,
    );
    multiple.errors = problems;
    return multiple;
  }
  if (error instanceof BatchServiceException) {
    return awsError(error.name, error.message, {
      statusCode: error.$metadata.httpStatusCode,
      retryable: error.$fault === "server",
      requestId: error.$metadata.requestId,
    });
  }
  return error;
}

type Callback<T> = (error: AWSError | null, data: T) => void;

/** What v2 methods return when called without a callback: nothing is sent until promise() or send(). */
export interface BatchRequest<T> {
  promise(): Promise<T>;
  send(callback?: Callback<T>): void;
  /** For ListJobs and the describe operations: calls back once per page, then once with `data === null`. Return false to stop. */
  eachPage(callback: (error: AWSError | null, data: T | null, done?: () => void) => boolean | void): void;
}

interface RealRequest<T> {
  promise(): Promise<T>;
  send(callback?: Callback<T>): void;
  eachPage(callback: (error: AWSError | null, data: T | null) => boolean | void): void;
}
type RealBatch = Record<string, (params: Json, callback?: Callback<unknown>) => RealRequest<unknown>>;
interface RealAwsModule {
  Batch?: new (options: Json) => RealBatch;
  default?: { Batch: new (options: Json) => RealBatch };
}

const PAGINATED: ReadonlySet<string> = new Set([
  "ListJobs",
  "DescribeJobDefinitions",
  "DescribeJobQueues",
  "DescribeComputeEnvironments",
  "ListSchedulingPolicies",
]);

type AnyOperation = ShimOperation | LocalAdminOperation;
// oxlint-disable-next-line no-explicit-any
type OpenShape = { [member: string]: any };

/** An admin operation's method: served on target local (the executor), refused with a ClientException elsewhere. */
type AdminMethod = {
  (params: OpenShape, callback: Callback<OpenShape>): BatchRequest<OpenShape>;
  (params?: OpenShape): BatchRequest<OpenShape>;
};

export interface BatchOptions {
  region?: string;
  endpoint?: unknown;
  credentials?: unknown;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Bound parameters, sent with every call whose input has those members (as v2 does). */
  params?: Json;
  [option: string]: unknown;
  /** Not an AWS option: shim settings that win over the environment, and `env` to read instead of process.env. */
  batchMigrate?: SettingsOverrides & { env?: NodeJS.ProcessEnv };
}

type Method<Operation extends ShimOperation> = {
  (
    params: OperationShapes[Operation][0],
    callback: Callback<OperationShapes[Operation][1]>,
  ): BatchRequest<OperationShapes[Operation][1]>;
  (params?: OperationShapes[Operation][0]): BatchRequest<OperationShapes[Operation][1]>;
};

const lowerCamel = (operation: string): string => operation.charAt(0).toLowerCase() + operation.slice(1);

export class Batch {
  readonly config: BatchOptions;
  private readonly settings: ShimSettings;
  private shim: BatchShim | undefined;
  private real: Promise<RealBatch> | undefined;

  constructor(options: BatchOptions = {}) {
    this.config = options;
    const { env, ...overrides } = options.batchMigrate ?? {};
    this.settings = settingsFromEnvironment(env ?? process.env, {
      ...(options.region ? { region: options.region } : {}),
      ...overrides,
    });
    if (this.settings.target === "aws") {
      // Target aws: the real AWS.Batch itself, so nothing about the call changes before the cut-over.
      const module = tryLoadRealSdk<RealAwsModule>("aws-sdk");
      const RealBatchClass = module?.Batch ?? module?.default?.Batch;
      const { batchMigrate: _shimOnly, ...realOptions } = options;
      if (RealBatchClass) return new RealBatchClass(realOptions) as unknown as Batch;
    } else {
      const ignored = ["endpoint", "credentials", "accessKeyId", "secretAccessKey"].filter(
        (option) => options[option] !== undefined,
      );
      if (ignored.length > 0) {
        process.emitWarning(
          `batch-migrate shim (target ${this.settings.target}) ignores ${ignored.join(", ")}; the target's address and key come from its environment variables`,
          { code: "BATCH_MIGRATE_IGNORED_OPTION" },
        );
      }
    }
  }

  submitJob = this.method("SubmitJob");
  describeJobs = this.method("DescribeJobs");
  listJobs = this.method("ListJobs");
  cancelJob = this.method("CancelJob");
  terminateJob = this.method("TerminateJob");
  registerJobDefinition = this.method("RegisterJobDefinition");
  describeJobDefinitions = this.method("DescribeJobDefinitions");
  describeJobQueues = this.method("DescribeJobQueues");
  describeComputeEnvironments = this.method("DescribeComputeEnvironments");
  tagResource = this.method("TagResource");
  untagResource = this.method("UntagResource");
  listTagsForResource = this.method("ListTagsForResource");
  createComputeEnvironment = this.adminMethod("CreateComputeEnvironment");
  updateComputeEnvironment = this.adminMethod("UpdateComputeEnvironment");
  deleteComputeEnvironment = this.adminMethod("DeleteComputeEnvironment");
  createJobQueue = this.adminMethod("CreateJobQueue");
  updateJobQueue = this.adminMethod("UpdateJobQueue");
  deleteJobQueue = this.adminMethod("DeleteJobQueue");
  deregisterJobDefinition = this.adminMethod("DeregisterJobDefinition");
  createSchedulingPolicy = this.adminMethod("CreateSchedulingPolicy");
  updateSchedulingPolicy = this.adminMethod("UpdateSchedulingPolicy");
  deleteSchedulingPolicy = this.adminMethod("DeleteSchedulingPolicy");
  describeSchedulingPolicies = this.adminMethod("DescribeSchedulingPolicies");
  listSchedulingPolicies = this.adminMethod("ListSchedulingPolicies");

  private adminMethod(operation: LocalAdminOperation): AdminMethod {
    return ((params?: OpenShape, callback?: Callback<OpenShape>) => {
      const request = this.request(operation as unknown as ShimOperation, (params ?? {}) as Json);
      if (callback) request.send(callback as Callback<unknown>);
      return request;
    }) as AdminMethod;
  }

  private method<Operation extends ShimOperation>(operation: Operation): Method<Operation> {
    return ((params?: OperationShapes[Operation][0], callback?: Callback<OperationShapes[Operation][1]>) => {
      const request = this.request(operation, (params ?? {}) as Json);
      if (callback) request.send(callback);
      return request;
    }) as Method<Operation>;
  }

  private withBoundParams(operation: AnyOperation, params: Json): Json {
    const members = OPERATION_INPUTS[operation] ?? {};
    const bound = Object.fromEntries(Object.entries(this.config.params ?? {}).filter(([name]) => name in members));
    return { ...bound, ...params };
  }

  private request<Operation extends ShimOperation>(
    operation: Operation,
    params: Json,
  ): BatchRequest<OperationShapes[Operation][1]> {
    type Output = OperationShapes[Operation][1];
    const input = this.withBoundParams(operation, params);
    const run = (pageInput: Json): Promise<Output> => this.call(operation, pageInput) as Promise<Output>;
    return {
      promise: () => run(input),
      send: (callback?: Callback<Output>) => {
        run(input).then(
          (data) => callback?.(null, data),
          (error: unknown) => callback?.(error as AWSError, undefined as unknown as Output),
        );
      },
      eachPage: (callback) => {
        if (!PAGINATED.has(operation)) throw new TypeError(`${lowerCamel(operation)} is not a paginated operation`);
        if (this.settings.target === "aws") {
          void this.realBatch().then(
            (batch) =>
              (batch[lowerCamel(operation)] as RealBatch[string])(input).eachPage(
                callback as (error: AWSError | null, data: unknown) => boolean | void,
              ),
            (error: unknown) => callback(error as AWSError, null),
          );
          return;
        }
        void (async () => {
          let pageInput = input;
          for (;;) {
            let data: Output;
            try {
              data = await run(pageInput);
            } catch (error) {
              callback(error as AWSError, null);
              return;
            }
            // v2: a callback that declares a third parameter continues only when it calls done().
            if (callback.length >= 3) {
              let continued = false;
              await new Promise<void>((resolve) => {
                const verdict = callback(null, data, () => {
                  continued = true;
                  resolve();
                });
                if (verdict === false) resolve();
              });
              if (!continued) return;
            } else if (callback(null, data) === false) {
              return;
            }
            const nextToken = (data as { nextToken?: string }).nextToken;
            if (!nextToken) {
              callback(null, null);
              return;
            }
            pageInput = { ...input, nextToken };
          }
        })();
      },
    };
  }

  private async call(operation: AnyOperation, input: Json): Promise<unknown> {
    if (this.settings.target === "aws") {
      const batch = await this.realBatch();
      return (batch[lowerCamel(operation)] as RealBatch[string])(input).promise();
    }
    this.shim ??= new BatchShim(this.settings);
    try {
      return await this.shim.call(operation, input);
    } catch (error) {
      throw toAwsError(error);
    }
  }

  private realBatch(): Promise<RealBatch> {
    this.real ??= loadRealSdk<RealAwsModule>("aws-sdk").then((module) => {
      const RealBatchClass = module.Batch ?? module.default?.Batch;
      if (!RealBatchClass) throw new TypeError("the installed aws-sdk has no Batch client");
      const { batchMigrate: _shimOnly, ...options } = this.config;
      return new RealBatchClass(options);
    });
    return this.real.catch((error: unknown) => {
      this.real = undefined;
      throw error;
    });
  }
}

export default Batch;
