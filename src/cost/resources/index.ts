import awsBatchEc2 from "./aws-batch-ec2.js";
import awsBatchFargate from "./aws-batch-fargate.js";
import commonComputeTask from "./common-compute-task.js";
import saladContainerGroup from "./salad-container-group.js";
import type { CostEstimator } from "./estimator.js";

/** Every resource-kind estimator, one line each. */
export const ESTIMATORS: Record<string, CostEstimator> = {
  "aws-batch-ec2": awsBatchEc2,
  "aws-batch-fargate": awsBatchFargate,
  "common-compute-task": commonComputeTask,
  "salad-container-group": saladContainerGroup,
};
