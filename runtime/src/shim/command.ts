// A v3 command: its input and the operation it names. Apart from client-batch.ts so the generated commands of the
// operations the shim does not serve (sdk-commands.ts) can extend it without an import cycle.
import type { ShimOperation } from "./core.js";
import type { OpenShape } from "./sdk-commands.js";
import type { SdkOperation } from "./sdk-surface.js";
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
}
