import type { InventoryItem, LiteralValue, ResourceKind } from "../../core/types.js";

interface ResourceShape {
  kind: ResourceKind;
  /** The property holding the Batch name, in CDK (camel) and CloudFormation (Pascal) spelling. */
  nameProperty: string;
}

const KIND_BY_CDK_CLASS: Record<string, ResourceKind> = {
  JobDefinition: "job-definition",
  EcsJobDefinition: "job-definition",
  EksJobDefinition: "job-definition",
  MultiNodeJobDefinition: "job-definition",
  CfnJobDefinition: "job-definition",
  JobQueue: "job-queue",
  CfnJobQueue: "job-queue",
  ComputeEnvironment: "compute-environment",
  ManagedEc2EcsComputeEnvironment: "compute-environment",
  ManagedEc2EksComputeEnvironment: "compute-environment",
  FargateComputeEnvironment: "compute-environment",
  UnmanagedComputeEnvironment: "compute-environment",
  CfnComputeEnvironment: "compute-environment",
  FairshareSchedulingPolicy: "scheduling-policy",
  CfnSchedulingPolicy: "scheduling-policy",
  CfnConsumableResource: "consumable-resource",
};

const NAME_PROPERTY: Record<ResourceKind, string> = {
  "job-definition": "jobDefinitionName",
  "job-queue": "jobQueueName",
  "compute-environment": "computeEnvironmentName",
  "scheduling-policy": "schedulingPolicyName",
  "consumable-resource": "consumableResourceName",
};

export function cloudFormationResourceShape(type: string): ResourceShape | undefined {
  const kind = KIND_BY_CDK_CLASS[`Cfn${type.replace(/^AWS::Batch::/, "")}`];
  if (!kind) return undefined;
  const camel = NAME_PROPERTY[kind];
  return { kind, nameProperty: camel.charAt(0).toUpperCase() + camel.slice(1) };
}

function isExpression(value: LiteralValue | undefined): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value) && "$expr" in value;
}

export function inventoryItem(input: {
  shape: ResourceShape;
  path: string;
  line: number;
  via: string;
  address: string | undefined;
  properties: Record<string, LiteralValue>;
}): InventoryItem {
  const { shape, path, line, via, address, properties } = input;
  const declared = properties[shape.nameProperty];
  const name = typeof declared === "string" ? declared : (address ?? `${path}:${line}`);
  return {
    id: `${shape.kind}:${path}#${address ?? name}`,
    kind: shape.kind,
    name,
    source: { path, line, via, ...(address ? { address } : {}) },
    properties,
    unresolved: Object.keys(properties)
      .filter((key) => isExpression(properties[key]))
      .sort(),
  };
}
