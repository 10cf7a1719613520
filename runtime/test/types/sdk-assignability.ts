// Compiled (never run) by shim-sdk-types.test.ts with `strict` and `exactOptionalPropertyTypes`, the strictest
// settings a migrated project may have. Values cross between the shim and the real SDKs' types both ways: a shim
// client or response stands where the SDK's type is declared, and a request typed by the SDK is accepted by the shim.
import type AWS from "aws-sdk";
import type * as Sdk from "@aws-sdk/client-batch";
import { Batch } from "../../src/shim/aws-sdk-v2.js";
import type * as Shim from "../../src/shim/client-batch.js";

declare function given<T>(): T;

// aws-sdk v2: the shim's Batch where `AWS.Batch` is declared (every method, its callback data and its request).
export const declared: AWS.Batch = new Batch();
const shim = new Batch();
export const v2Requests = [
  shim.submitJob(given<AWS.Batch.SubmitJobRequest>()),
  shim.describeJobs(given<AWS.Batch.DescribeJobsRequest>()),
  shim.listJobs(given<AWS.Batch.ListJobsRequest>()),
  shim.cancelJob(given<AWS.Batch.CancelJobRequest>()),
  shim.terminateJob(given<AWS.Batch.TerminateJobRequest>()),
  shim.registerJobDefinition(given<AWS.Batch.RegisterJobDefinitionRequest>()),
  shim.describeJobDefinitions(given<AWS.Batch.DescribeJobDefinitionsRequest>()),
  shim.describeJobQueues(given<AWS.Batch.DescribeJobQueuesRequest>()),
  shim.describeComputeEnvironments(given<AWS.Batch.DescribeComputeEnvironmentsRequest>()),
  shim.tagResource(given<AWS.Batch.TagResourceRequest>()),
  shim.untagResource(given<AWS.Batch.UntagResourceRequest>()),
  shim.listTagsForResource(given<AWS.Batch.ListTagsForResourceRequest>()),
];
export async function v2Responses(): Promise<unknown[]> {
  const submitted: AWS.Batch.SubmitJobResponse = await shim.submitJob(given<AWS.Batch.SubmitJobRequest>()).promise();
  const described: AWS.Batch.DescribeJobsResponse = await shim.describeJobs({ jobs: ["id"] }).promise();
  const listed: AWS.Batch.ListJobsResponse = await shim.listJobs({ jobQueue: "q" }).promise();
  const detail: AWS.Batch.JobDetail | undefined = described.jobs?.[0];
  // @ts-expect-error the shim's responses are typed, not `any`: a job id is a string
  const notANumber: number = submitted.jobId;
  return [submitted, described, listed, detail, notANumber];
}

// @aws-sdk/client-batch: each served command's input from the SDK's, each output to the SDK's.
type Served =
  | "SubmitJob"
  | "DescribeJobs"
  | "ListJobs"
  | "CancelJob"
  | "TerminateJob"
  | "RegisterJobDefinition"
  | "DescribeJobDefinitions"
  | "DescribeJobQueues"
  | "DescribeComputeEnvironments"
  | "TagResource"
  | "UntagResource"
  | "ListTagsForResource";
type Pair<I, O> = { input: I; output: O };
type Check<SdkSide extends { [O in Served]: Pair<unknown, unknown> }> = SdkSide;
type SdkShapes = Check<{
  SubmitJob: Pair<Sdk.SubmitJobCommandInput, Sdk.SubmitJobCommandOutput>;
  DescribeJobs: Pair<Sdk.DescribeJobsCommandInput, Sdk.DescribeJobsCommandOutput>;
  ListJobs: Pair<Sdk.ListJobsCommandInput, Sdk.ListJobsCommandOutput>;
  CancelJob: Pair<Sdk.CancelJobCommandInput, Sdk.CancelJobCommandOutput>;
  TerminateJob: Pair<Sdk.TerminateJobCommandInput, Sdk.TerminateJobCommandOutput>;
  RegisterJobDefinition: Pair<Sdk.RegisterJobDefinitionCommandInput, Sdk.RegisterJobDefinitionCommandOutput>;
  DescribeJobDefinitions: Pair<Sdk.DescribeJobDefinitionsCommandInput, Sdk.DescribeJobDefinitionsCommandOutput>;
  DescribeJobQueues: Pair<Sdk.DescribeJobQueuesCommandInput, Sdk.DescribeJobQueuesCommandOutput>;
  DescribeComputeEnvironments: Pair<
    Sdk.DescribeComputeEnvironmentsCommandInput,
    Sdk.DescribeComputeEnvironmentsCommandOutput
  >;
  TagResource: Pair<Sdk.TagResourceCommandInput, Sdk.TagResourceCommandOutput>;
  UntagResource: Pair<Sdk.UntagResourceCommandInput, Sdk.UntagResourceCommandOutput>;
  ListTagsForResource: Pair<Sdk.ListTagsForResourceCommandInput, Sdk.ListTagsForResourceCommandOutput>;
}>;
type ShimShapes = Check<{
  SubmitJob: Pair<Shim.SubmitJobCommandInput, Shim.SubmitJobCommandOutput>;
  DescribeJobs: Pair<Shim.DescribeJobsCommandInput, Shim.DescribeJobsCommandOutput>;
  ListJobs: Pair<Shim.ListJobsCommandInput, Shim.ListJobsCommandOutput>;
  CancelJob: Pair<Shim.CancelJobCommandInput, Shim.CancelJobCommandOutput>;
  TerminateJob: Pair<Shim.TerminateJobCommandInput, Shim.TerminateJobCommandOutput>;
  RegisterJobDefinition: Pair<Shim.RegisterJobDefinitionCommandInput, Shim.RegisterJobDefinitionCommandOutput>;
  DescribeJobDefinitions: Pair<Shim.DescribeJobDefinitionsCommandInput, Shim.DescribeJobDefinitionsCommandOutput>;
  DescribeJobQueues: Pair<Shim.DescribeJobQueuesCommandInput, Shim.DescribeJobQueuesCommandOutput>;
  DescribeComputeEnvironments: Pair<
    Shim.DescribeComputeEnvironmentsCommandInput,
    Shim.DescribeComputeEnvironmentsCommandOutput
  >;
  TagResource: Pair<Shim.TagResourceCommandInput, Shim.TagResourceCommandOutput>;
  UntagResource: Pair<Shim.UntagResourceCommandInput, Shim.UntagResourceCommandOutput>;
  ListTagsForResource: Pair<Shim.ListTagsForResourceCommandInput, Shim.ListTagsForResourceCommandOutput>;
}>;
export const v3Inputs: { [O in Served]: ShimShapes[O]["input"] } = given<{ [O in Served]: SdkShapes[O]["input"] }>();
export const v3Outputs: { [O in Served]: SdkShapes[O]["output"] } = given<{ [O in Served]: ShimShapes[O]["output"] }>();
