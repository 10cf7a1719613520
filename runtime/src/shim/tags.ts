// TagResource / UntagResource / ListTagsForResource on common-compute and salad: the shim keeps the tags of the
// resources it knows, with AWS's rules. A job's tags live in its journal record (shared with other processes through
// BATCH_MIGRATE_STATE_DIR, and read back by DescribeJobs); a job queue's, job definition's or compute environment's
// live in the registry loaded from migrate.config.json, for this process, as RegisterJobDefinition's revisions do.
// Same rules as the executor's AWS face (executor/faces/aws-tags.ts) and the Python shim (shim/tags.py).
import { clientException } from "./errors.js";
import type { Journal } from "./journal.js";
import type { Json } from "./model.js";
import type { Registry } from "./registry.js";

const MAX_TAGS = 50;

interface Tagged {
  tags: Record<string, string>;
  save(tags: Record<string, string>): void;
}

export class ShimTagging {
  constructor(
    private readonly registry: Registry,
    private readonly journal: Journal,
  ) {}

  listTags(params: Json): Json {
    return { tags: { ...this.resolve(String(params.resourceArn)).tags } };
  }

  tagResource(params: Json): Json {
    const resource = this.resolve(String(params.resourceArn));
    const merged = { ...resource.tags, ...checkTags(params.tags) };
    if (Object.keys(merged).length > MAX_TAGS) throw clientException(`a resource can have at most ${MAX_TAGS} tags`);
    resource.save(merged);
    return {};
  }

  untagResource(params: Json): Json {
    const resource = this.resolve(String(params.resourceArn));
    const keys = (params.tagKeys as unknown[]).map(String);
    if (keys.length === 0 || keys.length > MAX_TAGS)
      throw clientException(`tagKeys must list 1 to ${MAX_TAGS} tag keys`);
    for (const key of keys) checkKey(key);
    const remaining = { ...resource.tags };
    for (const key of keys) delete remaining[key];
    resource.save(remaining);
    return {};
  }

  private resolve(arn: string): Tagged {
    const prefix = this.registry.arn("");
    if (!arn.startsWith(prefix)) throw clientException(`resourceArn ${arn} is not a valid AWS Batch resource ARN`);
    const rest = arn.slice(prefix.length);
    const slash = rest.indexOf("/");
    const kind = slash > 0 ? rest.slice(0, slash) : "";
    const name = rest.slice(slash + 1);
    const registryEntry = (entry: Json | undefined, arnKey: string): Tagged | undefined =>
      entry && entry[arnKey] === arn
        ? {
            tags: (entry.tags as Record<string, string> | undefined) ?? {},
            save: (tags) => {
              entry.tags = tags;
            },
          }
        : undefined;
    let found: Tagged | undefined;
    if (kind === "job") {
      const record = this.journal.get(name);
      if (record?.kind === "array-child") throw clientException("array and multi-node child jobs cannot be tagged");
      if (record)
        found = {
          tags: record.tags,
          save: (tags) => this.journal.put({ ...record, tags }),
        };
    } else if (kind === "job-definition") {
      found = registryEntry(this.registry.findJobDefinition(arn), "jobDefinitionArn");
    } else if (kind === "job-queue") {
      found = registryEntry(this.registry.jobQueues.get(name), "jobQueueArn");
    } else if (kind === "compute-environment") {
      found = registryEntry(this.registry.computeEnvironments.get(name), "computeEnvironmentArn");
    }
    if (!found) throw clientException(`resource ${arn} does not exist`);
    return found;
  }
}

function checkKey(key: string): void {
  if (key.length < 1 || key.length > 128) throw clientException("a tag key must be 1 to 128 characters");
  if (key.toLowerCase().startsWith("aws:"))
    throw clientException("tag keys starting with aws: are reserved for AWS use");
}

function checkTags(value: unknown): Record<string, string> {
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0 || entries.length > MAX_TAGS) throw clientException(`tags must hold 1 to ${MAX_TAGS} tags`);
  const tags: Record<string, string> = {};
  for (const [key, tagValue] of entries) {
    checkKey(key);
    if (typeof tagValue !== "string" || tagValue.length > 256)
      throw clientException(`tag ${key}: the value must be a string of at most 256 characters`);
    tags[key] = tagValue;
  }
  return tags;
}
