// API Gateway AWS service integrations that call the Batch API directly, without a Lambda in between: CDK's
// `AwsIntegration({ service: "batch", path: "v1/submitjob" })` and CloudFormation's `Integration.Uri`
// `arn:aws:apigateway:<region>:batch:path/v1/submitjob`. The operation is the last segment of the REST path
// (Batch's REST paths are `/v1/<operation in lower case>`), or the `action` of an action-style integration.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-request-basic-setup.html
// https://docs.aws.amazon.com/batch/latest/APIReference/API_SubmitJob.html (request syntax: POST /v1/submitjob)
import { BATCH_OPERATIONS } from "./batch-operations.js";
import type { LiteralValue } from "./types.js";

const BY_PATH_SEGMENT = new Map(BATCH_OPERATIONS.map((op) => [op.name.toLowerCase(), op.name]));

/** The Batch operation a REST path (`v1/submitjob`, `/v1/describejobs?x`) or an action (`SubmitJob`) names. */
export function batchOperationOf(pathOrAction: string): string | undefined {
  const segments = pathOrAction.split(/[?#]/)[0]!.split("/").filter(Boolean);
  const segment = segments[segments.length - 1] ?? "";
  return BY_PATH_SEGMENT.get(segment.toLowerCase());
}

/** What a finding says of an integration: the operation when known, and the path or action as written. */
export interface BatchIntegration {
  operation?: string;
  args: Record<string, LiteralValue>;
}

/** CDK `AwsIntegration` props (`service`, `path`, `action`, `integrationHttpMethod`), when the service is Batch. */
export function cdkBatchIntegration(props: Record<string, LiteralValue>): BatchIntegration | undefined {
  if (props.service !== "batch") return undefined;
  const written = [props.path, props.action].find((value): value is string => typeof value === "string");
  const operation = written ? batchOperationOf(written) : undefined;
  const args: Record<string, LiteralValue> = { service: "batch" };
  for (const key of ["path", "action", "integrationHttpMethod", "integration_http_method"])
    if (props[key] !== undefined) args[key] = props[key]!;
  return { ...(operation ? { operation } : {}), args };
}

/** `arn:aws:apigateway:${AWS::Region}:batch:path/v1/submitjob` (or `:batch:action/SubmitJob`), as text. */
const BATCH_URI = /arn:aws:apigateway:(?:\$\{[^}]*\}|[^:$])*:batch:(path|action)\/([^\s"']*)/;

/** A URI as text: `Fn::Sub` as written, `Fn::Join` joined, any other intrinsic (`Ref`, `Fn::GetAtt`) as `*`. */
function uriText(value: LiteralValue | undefined, depth = 0): string {
  if (typeof value === "string") return value;
  if (value === null || typeof value !== "object" || depth > 8) return "*";
  if (Array.isArray(value)) return value.map((part) => uriText(part, depth + 1)).join("");
  const sub = value["Fn::Sub"];
  if (sub !== undefined) return uriText(Array.isArray(sub) ? sub[0] : sub, depth + 1);
  const join = value["Fn::Join"];
  if (Array.isArray(join) && typeof join[0] === "string" && Array.isArray(join[1]))
    return join[1].map((part) => uriText(part, depth + 1)).join(join[0]);
  return "*";
}

/** A CloudFormation integration URI (a string or intrinsic) that calls Batch. */
export function uriBatchIntegration(uri: LiteralValue | undefined): BatchIntegration | undefined {
  const match = BATCH_URI.exec(uriText(uri));
  if (!match) return undefined;
  const operation = batchOperationOf(match[2]!);
  return { ...(operation ? { operation } : {}), args: { uri: match[0] } };
}
