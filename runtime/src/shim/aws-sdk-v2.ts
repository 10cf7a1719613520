// `batch-migrate-runtime/aws-sdk-v2`: aws-sdk v2's `AWS.Batch` over the shim.
//
//   -const batch = new AWS.Batch({ region: "us-east-1" });
//   +import { Batch } from "batch-migrate-runtime/aws-sdk-v2";
//   +const batch = new Batch({ region: "us-east-1" });
//
// Methods take a callback or return a request with `promise()`, `send()` and (for paginated operations)
// `eachPage()`; data carries no metadata; errors are v2's AWSError shape (`code`, `statusCode`, `retryable`).
// With BATCH_MIGRATE_TARGET=aws every call goes to the real `aws-sdk` package, imported on first use.
import {
  BatchShim,
  LOCAL_ADMIN_OPERATIONS,
  SHIM_OPERATIONS,
  servedOperations,
  type LocalAdminOperation,
  type ShimOperation,
} from "./core.js";
import { BatchServiceException, ParameterValidationError } from "./errors.js";
import type { Json } from "./model.js";
import { readFileSync } from "node:fs";
import {
  awsError,
  v2Config,
  v2Request,
  type V2ConfigMethods,
  type AWSError,
  type BatchRequest,
  type Callback,
  type LooseCallback,
  type V2Endpoint,
} from "./aws-sdk-v2-request.js";
import { loadRealSdk, tryLoadRealSdk } from "./real-sdk.js";
import { SDK_V2_OPERATIONS, type SdkV2Operation } from "./sdk-surface.js";
import { settingsFromEnvironment, type SettingsOverrides, type ShimSettings } from "./settings.js";
import type { JobDetail, OperationShapes } from "./types.js";
import { OPERATION_INPUTS } from "./validation.js";

export type * from "./types.js";
export { ConfigurationError } from "./settings.js";
export type {
  AWSError,
  BatchRequest,
  V2Response,
  V2HttpRequest,
  V2HttpResponse,
  V2Endpoint,
} from "./aws-sdk-v2-request.js";

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

/** The methods of aws-sdk v2's AWS.Batch the shim serves on no target: they exist so code type-checks and loads. */
type UnservedOperation = Exclude<SdkV2Operation, ShimOperation | LocalAdminOperation>;
const MODELLED: ReadonlySet<string> = new Set<string>([...SHIM_OPERATIONS, ...LOCAL_ADMIN_OPERATIONS]);
const UNSERVED_OPERATIONS = SDK_V2_OPERATIONS.filter(
  (operation): operation is UnservedOperation => !MODELLED.has(operation),
);

type AnyOperation = ShimOperation | LocalAdminOperation | UnservedOperation;
// oxlint-disable-next-line no-explicit-any
type OpenShape = { [member: string]: any };

/**
 * An admin operation's method: served on target local (the executor), refused with a ClientException elsewhere.
 * Also the type of every unserved method (refused with a ClientException on every migration target).
 */
// Their output is not modelled: `any`, so it stands for each of the SDK's output shapes.
// oxlint-disable-next-line no-explicit-any
type OpenOutput = any;
type AdminMethod = {
  (params: OpenShape, callback?: Callback<OpenOutput>): BatchRequest<OpenOutput>;
  (callback?: Callback<OpenOutput>): BatchRequest<OpenOutput>;
};

/** v2 methods take `(params, callback)`, `(params)`, `(callback)` or nothing. */
function paramsAndCallback<P, C>(params: P | C | undefined, callback: C | undefined): [P | undefined, C | undefined] {
  return typeof params === "function" ? [undefined, params as C] : [params as P | undefined, callback];
}

export interface BatchOptions {
  region?: string;
  /** v2's endpoint option: ignored off target aws (the target's address comes from its environment variables). */
  endpoint?: string | V2Endpoint;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | null;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Bound parameters, sent with every call whose input has those members (as v2 does). */
  params?: Json;
  [option: string]: unknown;
  /** Not an AWS option: shim settings that win over the environment, and `env` to read instead of process.env. */
  batchMigrate?: SettingsOverrides & { env?: NodeJS.ProcessEnv };
}

/**
 * An operation's output as aws-sdk v2 types it: v2 declares a job's `startedAt` present (it is absent until the job
 * starts, from AWS as from the shim), so v2 code that reads it keeps type-checking.
 */
type V2Output<Operation extends ShimOperation> = V2Shape<
  Operation extends "DescribeJobs"
    ? { jobs?: (JobDetail & { startedAt: number })[] | undefined }
    : OperationShapes[Operation][1]
>;

/**
 * A shape as aws-sdk v2 writes it: an optional member is `name?: X`, never `name?: X | undefined` as v3 writes it.
 * Under `exactOptionalPropertyTypes` only that form stands where v2's output types are declared.
 */
export type V2Shape<T> = 0 extends 1 & T
  ? T
  : T extends readonly (infer Element)[]
    ? V2Shape<Element>[]
    : T extends object
      ? { [K in keyof T]: {} extends Pick<T, K> ? V2Shape<Exclude<T[K], undefined>> : V2Shape<T[K]> }
      : T;

type Method<Operation extends ShimOperation> = {
  (params: OperationShapes[Operation][0], callback?: Callback<V2Output<Operation>>): BatchRequest<V2Output<Operation>>;
  (callback?: Callback<V2Output<Operation>>): BatchRequest<V2Output<Operation>>;
};

/** v2's default endpoint for a Batch client: the one it would sign requests for (the shim sends none there). */
function v2Endpoint(options: BatchOptions): Batch["endpoint"] {
  const given = typeof options.endpoint === "string" ? options.endpoint : undefined;
  const url = new URL(
    given
      ? given.includes("://")
        ? given
        : `https://${given}`
      : `https://batch.${options.region ?? "us-east-1"}.amazonaws.com`,
  );
  const port = url.port ? Number(url.port) : url.protocol === "http:" ? 80 : 443;
  return { host: url.host, hostname: url.hostname, href: url.href, port, protocol: url.protocol };
}

const lowerCamel = (operation: string): string => operation.charAt(0).toLowerCase() + operation.slice(1);
const V2_METHODS: ReadonlySet<string> = new Set(SDK_V2_OPERATIONS.map((operation) => lowerCamel(operation)));

type UnservedMethods = { [Operation in UnservedOperation as Uncapitalize<Operation>]: AdminMethod };
// The unserved methods are put on the prototype below, from the SDK's list; this declares them.
// oxlint-disable-next-line no-unsafe-declaration-merging
export interface Batch extends UnservedMethods {}

export class Batch {
  readonly config: BatchOptions & V2ConfigMethods;
  /** aws-sdk v2's Service members, so the shim's Batch stands where an `AWS.Batch` is declared. */
  readonly apiVersions: string[] = ["2016-08-10"];
  readonly endpoint: { host: string; hostname: string; href: string; port: number; protocol: string };
  private readonly settings: ShimSettings;
  private shim: BatchShim | undefined;
  private real: Promise<RealBatch> | undefined;

  constructor(options: BatchOptions = {}) {
    const { env, ...overrides } = options.batchMigrate ?? {};
    this.settings = settingsFromEnvironment(env ?? process.env, {
      ...(options.region ? { region: options.region } : {}),
      ...overrides,
    });
    this.config = v2Config(options, this.settings.target, (file) => readFileSync(file, "utf8"));
    this.endpoint = v2Endpoint(options);
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

  /** v2's generic call by method name (`"submitJob"`): the shim's method of that name, or an unserved request. */
  makeRequest(operation: string, params?: OpenShape, callback?: Callback<OpenShape>): BatchRequest<OpenShape> {
    const method = (this as unknown as Record<string, unknown>)[operation];
    if (V2_METHODS.has(operation) && typeof method === "function") {
      return (method as (p?: OpenShape, c?: Callback<OpenShape>) => BatchRequest<OpenShape>).call(
        this,
        params,
        callback,
      );
    }
    const request = this.request(operation as ShimOperation, (params ?? {}) as Json);
    if (callback) request.send(callback);
    return request;
  }

  makeUnauthenticatedRequest(
    operation: string,
    params?: OpenShape,
    callback?: Callback<OpenShape>,
  ): BatchRequest<OpenShape> {
    return this.makeRequest(operation, params, callback);
  }

  /** v2's hook for a service's own request listeners; AWS.Batch has none. */
  setupRequestListeners(_request: unknown): void {}

  /** AWS.Batch defines no waiters: v2 throws StateNotFoundError for every state. */
  waitFor(state: string, ..._rest: unknown[]): BatchRequest<OpenShape> {
    throw awsError("StateNotFoundError", `State ${state} not found.`);
  }

  defineService(serviceIdentifier: string, ..._rest: unknown[]): never {
    throw new TypeError(
      `defineService(${JSON.stringify(serviceIdentifier)}) defines an aws-sdk service; batch-migrate-runtime's Batch is one fixed service`,
    );
  }

  private adminMethod(operation: LocalAdminOperation): AdminMethod {
    return ((given?: OpenShape | Callback<OpenShape>, givenCallback?: Callback<OpenShape>) => {
      const [params, callback] = paramsAndCallback<OpenShape, Callback<OpenShape>>(given, givenCallback);
      const request = this.request(operation as unknown as ShimOperation, (params ?? {}) as Json);
      if (callback) request.send(callback as Callback<unknown>);
      return request;
    }) as AdminMethod;
  }

  private method<Operation extends ShimOperation>(operation: Operation): Method<Operation> {
    type Output = OperationShapes[Operation][1];
    return ((given?: OperationShapes[Operation][0] | Callback<Output>, givenCallback?: Callback<Output>) => {
      const [params, callback] = paramsAndCallback<OperationShapes[Operation][0], Callback<Output>>(
        given,
        givenCallback,
      );
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
    return v2Request<Output>({
      operation,
      input,
      endpoint: this.endpoint,
      target: this.settings.target,
      pageable: PAGINATED.has(operation),
      run: () => run(input),
      next: (data) => {
        const nextToken = (data as { nextToken?: string } | undefined)?.nextToken;
        return PAGINATED.has(operation) && nextToken ? this.request(operation, { ...params, nextToken }) : null;
      },
      eachPage: (typed) => {
        const callback = typed as unknown as LooseCallback;
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
    });
  }

  private async call(operation: AnyOperation, input: Json): Promise<unknown> {
    if (this.settings.target === "aws") {
      const batch = await this.realBatch();
      return (batch[lowerCamel(operation)] as RealBatch[string])(input).promise();
    }
    if (!MODELLED.has(operation)) {
      const served = servedOperations(this.settings.target);
      throw awsError(
        "ClientException",
        `${operation} is not served by the batch-migrate shim on target ${this.settings.target}; ` +
          `it serves ${served.join(", ")}. Run this call with target aws, or manage the resource with the ` +
          `files \`migrate init --target ${this.settings.target}\` writes`,
        { statusCode: 400 },
      );
    }
    this.shim ??= new BatchShim(this.settings);
    try {
      return await this.shim.call(operation as ShimOperation | LocalAdminOperation, input);
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

type RequestOf = { request(operation: AnyOperation, params: Json): BatchRequest<OpenShape> };
for (const operation of UNSERVED_OPERATIONS) {
  Object.defineProperty(Batch.prototype, lowerCamel(operation), {
    configurable: true,
    writable: true,
    value: function (this: Batch, given?: OpenShape | Callback<OpenShape>, givenCallback?: Callback<OpenShape>) {
      const [params, callback] = paramsAndCallback<OpenShape, Callback<OpenShape>>(given, givenCallback);
      const request = (this as unknown as RequestOf).request(operation, (params ?? {}) as Json);
      if (callback) request.send(callback);
      return request;
    },
  });
}

export default Batch;
