// A v3 command: its input and the operation it names. Apart from client-batch.ts so the generated commands of the
// operations the shim does not serve (sdk-commands.ts) can extend it without an import cycle.
import type { ShimOperation } from "./core.js";
import type { OpenShape } from "./sdk-commands.js";
import type { SdkOperation } from "./sdk-surface.js";
import { tryLoadRealSdk } from "./real-sdk.js";
import type { MetadataBearer, OperationShapes } from "./types.js";

export type CommandInput<Operation extends SdkOperation> = Operation extends ShimOperation
  ? OperationShapes[Operation][0]
  : OpenShape;

export type CommandOutput<Operation extends SdkOperation> = (Operation extends ShimOperation
  ? OperationShapes[Operation][1]
  : OpenShape) &
  MetadataBearer;

export abstract class BatchCommand<Operation extends SdkOperation> {
  abstract readonly operation: Operation;
  constructor(readonly input: CommandInput<Operation>) {}

  /** Sent by a real @aws-sdk/client-batch client (target aws), the command is the real SDK's own, same input. */
  resolveMiddleware(...args: unknown[]): unknown {
    const module = tryLoadRealSdk<Record<string, unknown>>("@aws-sdk/client-batch");
    if (!module)
      throw new TypeError("a real BatchClient sent a shim command, but @aws-sdk/client-batch is not installed");
    const RealCommand = module[`${this.operation}Command`] as new (input: unknown) => {
      resolveMiddleware(...args: unknown[]): unknown;
    };
    return new RealCommand(this.input).resolveMiddleware(...args);
  }
}
