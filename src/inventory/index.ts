export type * from "./types.js";
export { createInventoryItem } from "./item.js";
export {
  normalizeComputeEnvironment,
  normalizeJobDefinition,
  normalizeJobQueue,
  normalizeSchedulingPolicy,
} from "./normalize.js";
export {
  CLOUDFORMATION_BATCH_TYPES,
  normalizeByKind,
  normalizeCloudFormationResource,
  resolveCloudFormationValue,
} from "./cloudformation.js";
export { normalizeTerraformResource, resolveTerraformValue, TERRAFORM_BATCH_TYPES } from "./terraform.js";
export { isExpression, isObject, type LiteralObject } from "./values.js";
export { markSupersededRevisions } from "./revisions.js";
export {
  expandDynamicBlocks,
  instanceAttributes,
  terraformExpansion,
  type UnexpandedDynamicBlock,
  type TerraformExpansion,
  type TerraformInstance,
} from "./terraform-instances.js";
export { addCdkComputeEnvironment, cdkConstructKind, normalizeCdkConstruct } from "./cdk.js";
