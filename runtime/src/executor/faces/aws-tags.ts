// AWS Batch's tag operations (restJson1): TagResource `POST /v1/tags/{resourceArn}` {tags},
// UntagResource `DELETE /v1/tags/{resourceArn}?tagKeys=…`, ListTagsForResource `GET /v1/tags/{resourceArn}`.
// Taggable, as in AWS: compute environments, job queues, scheduling policies, job definitions and jobs (not array
// children). Limits as AWS documents them: keys 1–128 characters, values up to 256, at most 50 tags
// on a resource, the `aws:` prefix reserved.
import type { Engine } from "../engine.js";
import { RequestError, pathSegments, readJsonObject, type ParsedRequest } from "../http-kit.js";

const MAX_TAGS = 50;

function clientError(message: string): RequestError {
  return new RequestError(400, message, "ClientException");
}

interface Tagged {
  tags: Record<string, string>;
  save(tags: Record<string, string>): Promise<void>;
}

export class AwsTagging {
  constructor(
    private readonly engine: Engine,
    private readonly arnPrefix: string,
  ) {}

  static matches(pathname: string): boolean {
    return pathname.startsWith("/v1/tags/");
  }

  async handle(request: ParsedRequest): Promise<unknown> {
    // The ARN is one path label; a client that leaves its slashes unescaped still means the same ARN.
    const arn = pathSegments(request.url).slice(2).join("/");
    const resource = this.resolve(arn);
    switch (request.method) {
      case "GET":
        return { tags: { ...resource.tags } };
      case "POST": {
        const body = readJsonObject(request);
        const tags = checkTags(body.tags);
        const merged = { ...resource.tags, ...tags };
        if (Object.keys(merged).length > MAX_TAGS) throw clientError(`a resource can have at most ${MAX_TAGS} tags`);
        await resource.save(merged);
        return {};
      }
      case "DELETE": {
        const keys = request.url.searchParams.getAll("tagKeys");
        if (keys.length === 0 || keys.length > MAX_TAGS)
          throw clientError(`tagKeys must list 1 to ${MAX_TAGS} tag keys`);
        for (const key of keys) checkKey(key);
        const remaining = { ...resource.tags };
        for (const key of keys) delete remaining[key];
        await resource.save(remaining);
        return {};
      }
      default:
        throw clientError(`${request.method} ${request.url.pathname} is not an AWS Batch operation`);
    }
  }

  private resolve(arn: string): Tagged {
    if (!arn.startsWith(this.arnPrefix)) throw clientError(`resourceArn ${arn} is not a valid AWS Batch resource ARN`);
    const rest = arn.slice(this.arnPrefix.length);
    const slash = rest.indexOf("/");
    const kind = rest.slice(0, slash);
    const name = rest.slice(slash + 1);
    const { engine } = this;
    if (slash > 0 && kind === "job-definition") {
      const definition = engine.jobDefinitions.get(arn);
      if (definition)
        return {
          tags: definition.tags ?? {},
          save: async (tags) => {
            definition.tags = tags;
            await engine.store.put("jobDefinition", arn, definition);
          },
        };
    } else if (slash > 0 && kind === "job-queue") {
      const queue = engine.jobQueues.get(name);
      if (queue && queue.jobQueueArn === arn)
        return {
          tags: queue.tags ?? {},
          save: async (tags) => {
            queue.tags = tags;
            await engine.store.put("jobQueue", queue.jobQueueName, queue);
          },
        };
    } else if (slash > 0 && kind === "compute-environment") {
      const environment = engine.computeEnvironments.get(name);
      if (environment && environment.computeEnvironmentArn === arn)
        return {
          tags: (environment.tags as Record<string, string> | undefined) ?? {},
          save: async (tags) => {
            environment.tags = tags;
            await engine.store.put("computeEnvironment", environment.computeEnvironmentName, environment);
          },
        };
    } else if (slash > 0 && kind === "job") {
      const job = engine.getJob(name);
      const aws = job?.aws;
      if (job && aws && job.face === "aws") {
        if (job.parentId !== undefined) throw clientError("array and multi-node child jobs cannot be tagged");
        return {
          tags: aws.tags ?? {},
          save: async (tags) => {
            aws.tags = Object.keys(tags).length > 0 ? tags : undefined;
            await engine.persistJob(job);
            await engine.store.flush();
          },
        };
      }
    } else if (slash > 0 && kind === "scheduling-policy") {
      const policy = engine.schedulingPolicies.get(arn);
      if (policy)
        return {
          tags: policy.tags ?? {},
          save: async (tags) => {
            policy.tags = tags;
            await engine.store.put("schedulingPolicy", arn, policy);
          },
        };
    }
    throw clientError(`resource ${arn} does not exist`);
  }
}

function checkKey(key: string): void {
  if (key.length < 1 || key.length > 128) throw clientError("a tag key must be 1 to 128 characters");
  if (key.toLowerCase().startsWith("aws:")) throw clientError("tag keys starting with aws: are reserved for AWS use");
}

function checkTags(value: unknown): Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw clientError("tags is required");
  const entries = Object.entries(value);
  if (entries.length === 0 || entries.length > MAX_TAGS) throw clientError(`tags must hold 1 to ${MAX_TAGS} tags`);
  const tags: Record<string, string> = {};
  for (const [key, tagValue] of entries) {
    checkKey(key);
    if (typeof tagValue !== "string" || tagValue.length > 256)
      throw clientError(`tag ${key}: the value must be a string of at most 256 characters`);
    tags[key] = tagValue;
  }
  return tags;
}
