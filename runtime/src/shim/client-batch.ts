// `batch-migrate-runtime/client-batch`: the names of @aws-sdk/client-batch (v3) over the shim.
//
//   -import { BatchClient, SubmitJobCommand } from "@aws-sdk/client-batch";
//   +import { BatchClient, SubmitJobCommand } from "batch-migrate-runtime/client-batch";
//
// The target comes from the same configuration as the Python shim (BATCH_MIGRATE_TARGET…). With target `aws`
// every call goes to the real @aws-sdk/client-batch, imported on first use from the application's dependencies.
import { BatchCommand, type CommandInput, type CommandOutput } from "./command.js";
import * as unservedCommands from "./sdk-commands.js";
import { BatchShim, servedOperations, type LocalAdminOperation, type ShimOperation } from "./core.js";
import {
  BatchServiceException,
  ClientException,
  ParameterValidationError,
  responseMetadata,
  ServerException,
} from "./errors.js";
import type { Json } from "./model.js";
import { loadRealSdk, tryLoadRealSdk } from "./real-sdk.js";
import { settingsFromEnvironment, type SettingsOverrides, type ShimSettings } from "./settings.js";
import * as surface from "./sdk-surface.js";
import { SDK_OPERATIONS, type SdkOperation } from "./sdk-surface.js";
import type { OperationShapes } from "./types.js";

export { BatchServiceException, ClientException, ServerException, type ResponseMetadata } from "./errors.js";
export { ConfigurationError } from "./settings.js";
export type * from "./types.js";
export { BatchCommand, type CommandInput, type CommandOutput } from "./command.js";
export * from "./sdk-surface.js";
export * from "./sdk-commands.js";

export interface BatchClientConfig {
  region?: string | (() => Promise<string>);
  endpoint?: unknown;
  credentials?: unknown;
  maxAttempts?: number;
  /** Anything else the real SDK accepts; it is handed to it with target `aws`. */
  [option: string]: unknown;
  /**
   * Not an AWS option: shim settings that win over the environment (target, base URLs, keys, config path…),
   * and `env` to read instead of process.env.
   */
  batchMigrate?: SettingsOverrides & { env?: NodeJS.ProcessEnv };
}

export class SubmitJobCommand extends BatchCommand<"SubmitJob"> {
  readonly operation = "SubmitJob";
}
export class DescribeJobsCommand extends BatchCommand<"DescribeJobs"> {
  readonly operation = "DescribeJobs";
}
export class ListJobsCommand extends BatchCommand<"ListJobs"> {
  readonly operation = "ListJobs";
}
export class CancelJobCommand extends BatchCommand<"CancelJob"> {
  readonly operation = "CancelJob";
}
export class TerminateJobCommand extends BatchCommand<"TerminateJob"> {
  readonly operation = "TerminateJob";
}
export class RegisterJobDefinitionCommand extends BatchCommand<"RegisterJobDefinition"> {
  readonly operation = "RegisterJobDefinition";
}
export class DescribeJobDefinitionsCommand extends BatchCommand<"DescribeJobDefinitions"> {
  readonly operation = "DescribeJobDefinitions";
}
export class DescribeJobQueuesCommand extends BatchCommand<"DescribeJobQueues"> {
  readonly operation = "DescribeJobQueues";
}
export class DescribeComputeEnvironmentsCommand extends BatchCommand<"DescribeComputeEnvironments"> {
  readonly operation = "DescribeComputeEnvironments";
}

export class TagResourceCommand extends BatchCommand<"TagResource"> {
  readonly operation = "TagResource";
}
export class UntagResourceCommand extends BatchCommand<"UntagResource"> {
  readonly operation = "UntagResource";
}
export class ListTagsForResourceCommand extends BatchCommand<"ListTagsForResource"> {
  readonly operation = "ListTagsForResource";
}

export type SubmitJobCommandInput = OperationShapes["SubmitJob"][0];
export type SubmitJobCommandOutput = CommandOutput<"SubmitJob">;
export type DescribeJobsCommandInput = OperationShapes["DescribeJobs"][0];
export type DescribeJobsCommandOutput = CommandOutput<"DescribeJobs">;
export type ListJobsCommandInput = OperationShapes["ListJobs"][0];
export type ListJobsCommandOutput = CommandOutput<"ListJobs">;
export type CancelJobCommandInput = OperationShapes["CancelJob"][0];
export type CancelJobCommandOutput = CommandOutput<"CancelJob">;
export type TerminateJobCommandInput = OperationShapes["TerminateJob"][0];
export type TerminateJobCommandOutput = CommandOutput<"TerminateJob">;
export type RegisterJobDefinitionCommandInput = OperationShapes["RegisterJobDefinition"][0];
export type RegisterJobDefinitionCommandOutput = CommandOutput<"RegisterJobDefinition">;
export type DescribeJobDefinitionsCommandInput = OperationShapes["DescribeJobDefinitions"][0];
export type DescribeJobDefinitionsCommandOutput = CommandOutput<"DescribeJobDefinitions">;
export type DescribeJobQueuesCommandInput = OperationShapes["DescribeJobQueues"][0];
export type DescribeJobQueuesCommandOutput = CommandOutput<"DescribeJobQueues">;
export type DescribeComputeEnvironmentsCommandInput = OperationShapes["DescribeComputeEnvironments"][0];
export type DescribeComputeEnvironmentsCommandOutput = CommandOutput<"DescribeComputeEnvironments">;
export type TagResourceCommandInput = OperationShapes["TagResource"][0];
export type TagResourceCommandOutput = CommandOutput<"TagResource">;
export type UntagResourceCommandInput = OperationShapes["UntagResource"][0];
export type UntagResourceCommandOutput = CommandOutput<"UntagResource">;
export type ListTagsForResourceCommandInput = OperationShapes["ListTagsForResource"][0];
export type ListTagsForResourceCommandOutput = CommandOutput<"ListTagsForResource">;

type Callback<T> = (error: unknown, data?: T) => void;

interface RealBatchModule {
  BatchClient: new (config: Json) => { send(command: unknown): Promise<unknown>; destroy(): void };
  Batch?: new (config: Json) => { send(command: unknown): Promise<unknown>; destroy(): void };
  [commandClass: string]: unknown;
}

/** v3 reports input that does not fit the model as the service would: a ClientException. */
function asServiceError(error: unknown): unknown {
  if (error instanceof ParameterValidationError)
    return new ClientException({ message: error.message, $metadata: responseMetadata(400) });
  return error;
}

const IGNORED_ON_SHIM_TARGETS = ["endpoint", "credentials"];

export class BatchClient {
  readonly config: BatchClientConfig;
  private readonly settings: ShimSettings;
  private shim: BatchShim | undefined;
  private real: Promise<{ module: RealBatchModule; client: InstanceType<RealBatchModule["BatchClient"]> }> | undefined;

  constructor(config: BatchClientConfig = {}) {
    this.config = config;
    const { env, ...overrides } = config.batchMigrate ?? {};
    const region = typeof config.region === "string" ? config.region : undefined;
    this.settings = settingsFromEnvironment(env ?? process.env, { ...(region ? { region } : {}), ...overrides });
    if (this.settings.target === "aws") {
      // Target aws: the real client itself, so nothing about the call changes before the cut-over.
      const module = tryLoadRealSdk<RealBatchModule>("@aws-sdk/client-batch");
      const { batchMigrate: _shimOnly, ...awsConfig } = config;
      const RealClient = (new.target === BatchClient ? module?.BatchClient : module?.Batch) ?? module?.BatchClient;
      if (RealClient) return new RealClient(awsConfig as Json) as unknown as BatchClient;
    } else {
      const ignored = IGNORED_ON_SHIM_TARGETS.filter((option) => config[option] !== undefined);
      if (ignored.length > 0) {
        process.emitWarning(
          `batch-migrate shim (target ${this.settings.target}) ignores ${ignored.join(", ")}; the target's address and key come from its environment variables`,
          { code: "BATCH_MIGRATE_IGNORED_OPTION" },
        );
      }
    }
  }

  /** The configured target: common-compute, salad, local or aws. */
  get target(): ShimSettings["target"] {
    return this.settings.target;
  }

  send<Operation extends SdkOperation>(command: BatchCommand<Operation>): Promise<CommandOutput<Operation>>;
  send<Operation extends SdkOperation>(
    command: BatchCommand<Operation>,
    callback: Callback<CommandOutput<Operation>>,
  ): void;
  send<Operation extends SdkOperation>(
    command: BatchCommand<Operation>,
    options: unknown,
    callback: Callback<CommandOutput<Operation>>,
  ): void;
  send<Operation extends SdkOperation>(
    command: BatchCommand<Operation>,
    optionsOrCallback?: unknown,
    callback?: Callback<CommandOutput<Operation>>,
  ): Promise<CommandOutput<Operation>> | void {
    const done =
      typeof optionsOrCallback === "function" ? (optionsOrCallback as Callback<CommandOutput<Operation>>) : callback;
    const result = this.execute(command);
    if (!done) return result;
    result.then(
      (output) => done(null, output),
      (error: unknown) => done(error),
    );
  }

  private async execute<Operation extends SdkOperation>(
    command: BatchCommand<Operation>,
  ): Promise<CommandOutput<Operation>> {
    if (!(command instanceof BatchCommand)) {
      throw new TypeError(
        "send() takes a command of batch-migrate-runtime/client-batch (SubmitJobCommand, …), not one of @aws-sdk/client-batch",
      );
    }
    if (this.settings.target === "aws") return this.sendToAws(command);
    const served = servedOperations(this.settings.target);
    if (!served.includes(command.operation)) {
      throw new ClientException({
        message:
          `${command.operation} is not served by the batch-migrate shim on target ${this.settings.target}; ` +
          `it serves ${served.join(", ")}. Run this call with target aws, or manage the resource with the ` +
          `files \`migrate init --target ${this.settings.target}\` writes`,
        $metadata: responseMetadata(400),
      });
    }
    this.shim ??= new BatchShim(this.settings);
    try {
      const output = await this.shim.call(
        command.operation as ShimOperation | LocalAdminOperation,
        command.input as unknown as Json,
      );
      return { ...output, $metadata: responseMetadata(200) } as unknown as CommandOutput<Operation>;
    } catch (error) {
      throw asServiceError(error);
    }
  }

  private async sendToAws<Operation extends SdkOperation>(
    command: BatchCommand<Operation>,
  ): Promise<CommandOutput<Operation>> {
    this.real ??= loadRealSdk<RealBatchModule>("@aws-sdk/client-batch").then((module) => {
      const { batchMigrate: _shimOnly, ...awsConfig } = this.config;
      return { module, client: new module.BatchClient(awsConfig) };
    });
    const { module, client } = await this.real.catch((error: unknown) => {
      this.real = undefined;
      throw error;
    });
    const RealCommand = module[`${command.operation}Command`] as new (input: unknown) => unknown;
    return (await client.send(new RealCommand(command.input))) as CommandOutput<Operation>;
  }

  /** Nothing to release on the shim targets: every request opens and closes its own connection. */
  destroy(): void {
    void this.real?.then(({ client }) => client.destroy()).catch(() => undefined);
  }
}

type AggregatedMethod<Operation extends SdkOperation> = {
  (input: CommandInput<Operation>): Promise<CommandOutput<Operation>>;
  (input: CommandInput<Operation>, callback: Callback<CommandOutput<Operation>>): void;
  (input: CommandInput<Operation>, options: unknown, callback: Callback<CommandOutput<Operation>>): void;
};

const SERVED_COMMANDS: {
  [Operation in ShimOperation]: new (input: CommandInput<Operation>) => BatchCommand<Operation>;
} = {
  SubmitJob: SubmitJobCommand,
  DescribeJobs: DescribeJobsCommand,
  ListJobs: ListJobsCommand,
  CancelJob: CancelJobCommand,
  TerminateJob: TerminateJobCommand,
  RegisterJobDefinition: RegisterJobDefinitionCommand,
  DescribeJobDefinitions: DescribeJobDefinitionsCommand,
  DescribeJobQueues: DescribeJobQueuesCommand,
  DescribeComputeEnvironments: DescribeComputeEnvironmentsCommand,
  TagResource: TagResourceCommand,
  UntagResource: UntagResourceCommand,
  ListTagsForResource: ListTagsForResourceCommand,
};

function commandOf<Operation extends SdkOperation>(
  operation: Operation,
): new (input: CommandInput<Operation>) => BatchCommand<Operation> {
  const served = (SERVED_COMMANDS as Record<string, unknown>)[operation];
  return (served ?? (unservedCommands as Record<string, unknown>)[`${operation}Command`]) as new (
    input: CommandInput<Operation>,
  ) => BatchCommand<Operation>;
}

function aggregated<Operation extends SdkOperation>(operation: Operation): AggregatedMethod<Operation> {
  const Command = commandOf(operation);
  return function (
    this: BatchClient,
    input: CommandInput<Operation>,
    optionsOrCallback?: unknown,
    callback?: Callback<CommandOutput<Operation>>,
  ) {
    const command = new Command(input);
    const done =
      typeof optionsOrCallback === "function" ? (optionsOrCallback as Callback<CommandOutput<Operation>>) : callback;
    return done ? this.send(command, done) : this.send(command);
  } as AggregatedMethod<Operation>;
}

type AggregatedMethods = { [Operation in SdkOperation as Uncapitalize<Operation>]: AggregatedMethod<Operation> };

/** The aggregated client: `new Batch({}).submitJob(input)`, as v3 has it, with a method for every operation. */
// oxlint-disable-next-line no-unsafe-declaration-merging
export interface Batch extends AggregatedMethods {}
// oxlint-disable-next-line no-unsafe-declaration-merging
export class Batch extends BatchClient {}
for (const operation of SDK_OPERATIONS) {
  const method = `${operation[0]!.toLowerCase()}${operation.slice(1)}`;
  Object.defineProperty(Batch.prototype, method, { value: aggregated(operation), writable: true, configurable: true });
}

export interface BatchPaginationConfiguration {
  client: BatchClient;
  pageSize?: number;
  startingToken?: string;
  stopOnSameToken?: boolean;
}

type PaginatedOperation =
  | "ListJobs"
  | "DescribeJobDefinitions"
  | "DescribeJobQueues"
  | "DescribeComputeEnvironments"
  | "DescribeServiceEnvironments"
  | "ListConsumableResources"
  | "ListJobsByConsumableResource"
  | "ListQuotaShares"
  | "ListSchedulingPolicies"
  | "ListServiceJobs";

function paginator<Operation extends PaginatedOperation>(operation: Operation) {
  return async function* (
    config: BatchPaginationConfiguration,
    input: CommandInput<Operation>,
  ): AsyncGenerator<CommandOutput<Operation>, undefined, unknown> {
    // A real BatchClient (target aws) sends these commands too: they resolve to the real SDK's own.
    if (typeof (config.client as { send?: unknown } | undefined)?.send !== "function")
      throw new TypeError("Invalid client, expected a BatchClient of batch-migrate-runtime/client-batch");
    let token = config.startingToken ?? (input as { nextToken?: string }).nextToken;
    for (;;) {
      const request = {
        ...input,
        nextToken: token,
        ...(config.pageSize !== undefined ? { maxResults: config.pageSize } : {}),
      };
      if (request.nextToken === undefined) delete request.nextToken;
      const page: CommandOutput<Operation> = await config.client.send(
        new (commandOf(operation))(request as CommandInput<Operation>),
      );
      yield page;
      const previous = token;
      token = (page as { nextToken?: string }).nextToken;
      if (!token || (config.stopOnSameToken && token === previous)) return undefined;
    }
  };
}

export const paginateListJobs = paginator("ListJobs");
export const paginateDescribeJobDefinitions = paginator("DescribeJobDefinitions");
export const paginateDescribeJobQueues = paginator("DescribeJobQueues");
export const paginateDescribeComputeEnvironments = paginator("DescribeComputeEnvironments");
export const paginateDescribeServiceEnvironments = paginator("DescribeServiceEnvironments");
export const paginateListConsumableResources = paginator("ListConsumableResources");
export const paginateListJobsByConsumableResource = paginator("ListJobsByConsumableResource");
export const paginateListQuotaShares = paginator("ListQuotaShares");
export const paginateListSchedulingPolicies = paginator("ListSchedulingPolicies");
export const paginateListServiceJobs = paginator("ListServiceJobs");

/**
 * `import Batch from "@aws-sdk/client-batch"` binds the SDK's whole CommonJS module object (`new
 * Batch.SubmitJobCommand(…)`); the default export here holds the same names.
 */
export default {
  ...surface,
  ...unservedCommands,
  BatchServiceException,
  ClientException,
  ServerException,
  BatchClient,
  Batch,
  SubmitJobCommand,
  DescribeJobsCommand,
  ListJobsCommand,
  CancelJobCommand,
  TerminateJobCommand,
  RegisterJobDefinitionCommand,
  DescribeJobDefinitionsCommand,
  DescribeJobQueuesCommand,
  DescribeComputeEnvironmentsCommand,
  TagResourceCommand,
  UntagResourceCommand,
  ListTagsForResourceCommand,
  paginateListJobs,
  paginateDescribeJobDefinitions,
  paginateDescribeJobQueues,
  paginateDescribeComputeEnvironments,
  paginateDescribeServiceEnvironments,
  paginateListConsumableResources,
  paginateListJobsByConsumableResource,
  paginateListQuotaShares,
  paginateListSchedulingPolicies,
  paginateListServiceJobs,
};
