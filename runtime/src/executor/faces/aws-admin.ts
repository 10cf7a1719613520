// AWS Batch's admin operations on the local executor: compute environments, job queues and scheduling policies,
// with the service's rules (API reference; reference/targets.md D.*). Requests are checked against the model's input
// shapes first (admin-validation.ts), then against what the service itself refuses: a queue names existing VALID
// compute environments (at most 3, EC2-class and Fargate-class not mixed), a delete needs state DISABLED, a compute
// environment a queue uses and a scheduling policy a queue uses cannot be deleted. New resources are CREATING, then
// VALID; deletes are DELETING, then gone. The executor runs every job itself, so nothing is provisioned: the settle
// time (`adminSettleMs`, default 0) only decides how long the intermediate status is visible.
import { randomUUID } from "node:crypto";
import { checkAdminInput } from "../admin-validation.js";
import type { Engine } from "../engine.js";
import { RequestError, decodeToken, encodeToken } from "../http-kit.js";
import type { ComputeEnvironment, JobQueue, SchedulingPolicy } from "../model.js";

type Body = Record<string, unknown>;

export const ADMIN_OPERATIONS: Record<string, string> = {
  createcomputeenvironment: "CreateComputeEnvironment",
  updatecomputeenvironment: "UpdateComputeEnvironment",
  deletecomputeenvironment: "DeleteComputeEnvironment",
  describecomputeenvironments: "DescribeComputeEnvironments",
  createjobqueue: "CreateJobQueue",
  updatejobqueue: "UpdateJobQueue",
  deletejobqueue: "DeleteJobQueue",
  describejobqueues: "DescribeJobQueues",
  createschedulingpolicy: "CreateSchedulingPolicy",
  updateschedulingpolicy: "UpdateSchedulingPolicy",
  deleteschedulingpolicy: "DeleteSchedulingPolicy",
  describeschedulingpolicies: "DescribeSchedulingPolicies",
  listschedulingpolicies: "ListSchedulingPolicies",
};

// The pattern AWS's error for a bad compute environment name quotes (moto repeats it).
const ENVIRONMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{1,126}[A-Za-z0-9]$/;
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,128}$/;
const POLICY_NAME = /^[A-Za-z0-9_-]{1,128}$/;
const SHARE_IDENTIFIER = /^[A-Za-z0-9]{1,255}\*?$/;
const MAX_QUEUE_ENVIRONMENTS = 3;
/** ComputeResource members AWS refuses on Fargate resources ("isn't applicable … Don't specify it"). */
const NOT_FOR_FARGATE = [
  "allocationStrategy",
  "minvCpus",
  "desiredvCpus",
  "instanceTypes",
  "imageId",
  "ec2KeyPair",
  "instanceRole",
  "tags",
  "placementGroup",
  "bidPercentage",
  "spotIamFleetRole",
  "launchTemplate",
  "ec2Configuration",
];

function clientError(message: string): RequestError {
  return new RequestError(400, message, "ClientException");
}

function nameFromArn(value: string): string {
  const slash = value.lastIndexOf("/");
  return value.startsWith("arn:") && slash >= 0 ? value.slice(slash + 1) : value;
}

function isFargate(environment: ComputeEnvironment): boolean {
  const resources = environment.computeResources as Body | undefined;
  return typeof resources?.type === "string" && resources.type.startsWith("FARGATE");
}

function isObject(value: unknown): value is Body {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function present(record: Body): Body {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

function page<T>(items: T[], body: Body, cap: number): { items: T[]; nextToken?: string } {
  const maxResults = body.maxResults as number | undefined;
  if (maxResults !== undefined && (maxResults < 1 || maxResults > cap))
    throw clientError(`maxResults must be between 1 and ${cap}`);
  const token = body.nextToken as string | undefined;
  const start = token
    ? decodeToken(token, (value): value is { offset: number } => typeof (value as Body)?.offset === "number")?.offset
    : 0;
  if (start === undefined) throw clientError("nextToken is not valid");
  const size = maxResults ?? cap;
  const slice = items.slice(start, start + size);
  return start + size < items.length
    ? { items: slice, nextToken: encodeToken({ offset: start + size }) }
    : { items: slice };
}

export interface AwsAdminOptions {
  region: string;
  accountId: string;
  /** How long CREATING / UPDATING / DELETING are visible before VALID (or the delete completes). */
  settleMs: number;
}

export class AwsAdmin {
  constructor(
    private readonly engine: Engine,
    private readonly options: AwsAdminOptions,
  ) {}

  static serves(operation: string): boolean {
    return operation in ADMIN_OPERATIONS;
  }

  private arn(kind: string, name: string): string {
    return `arn:aws:batch:${this.options.region}:${this.options.accountId}:${kind}/${name}`;
  }

  async dispatch(operation: string, body: Body): Promise<unknown> {
    const name = ADMIN_OPERATIONS[operation]!;
    checkAdminInput(name, body);
    await this.settle();
    switch (name) {
      case "CreateComputeEnvironment":
        return this.createComputeEnvironment(body);
      case "UpdateComputeEnvironment":
        return this.updateComputeEnvironment(body);
      case "DeleteComputeEnvironment":
        return this.deleteComputeEnvironment(body);
      case "DescribeComputeEnvironments":
        return this.describeComputeEnvironments(body);
      case "CreateJobQueue":
        return this.createJobQueue(body);
      case "UpdateJobQueue":
        return this.updateJobQueue(body);
      case "DeleteJobQueue":
        return this.deleteJobQueue(body);
      case "DescribeJobQueues":
        return this.describeJobQueues(body);
      case "CreateSchedulingPolicy":
        return this.createSchedulingPolicy(body);
      case "UpdateSchedulingPolicy":
        return this.updateSchedulingPolicy(body);
      case "DeleteSchedulingPolicy":
        return this.deleteSchedulingPolicy(body);
      case "DescribeSchedulingPolicies":
        return this.describeSchedulingPolicies(body);
      default:
        return this.listSchedulingPolicies(body);
    }
  }

  /** Moves every resource whose settle time has passed on: CREATING/UPDATING → VALID, DELETING → gone. */
  async settle(now = Date.now()): Promise<void> {
    const { engine } = this;
    for (const environment of [...engine.computeEnvironments.values()]) {
      const settlesAt = environment.settlesAt as number | undefined;
      if (settlesAt === undefined || settlesAt > now) continue;
      if (environment.status === "DELETING") {
        engine.computeEnvironments.delete(environment.computeEnvironmentName);
        await engine.store.delete("computeEnvironment", environment.computeEnvironmentName);
        continue;
      }
      Object.assign(environment, { status: "VALID", statusReason: "ComputeEnvironment Healthy" });
      delete environment.settlesAt;
      await engine.store.put("computeEnvironment", environment.computeEnvironmentName, environment);
    }
    for (const queue of [...engine.jobQueues.values()]) {
      const settlesAt = queue.settlesAt as number | undefined;
      if (settlesAt === undefined || settlesAt > now) continue;
      if (queue.status === "DELETING") {
        engine.jobQueues.delete(queue.jobQueueName);
        await engine.store.delete("jobQueue", queue.jobQueueName);
        continue;
      }
      Object.assign(queue, { status: "VALID", statusReason: "JobQueue Healthy" });
      delete queue.settlesAt;
      await engine.store.put("jobQueue", queue.jobQueueName, queue);
    }
  }

  /**
   * CREATING/UPDATING for the settle time, then VALID; with no settle time VALID at once (one journal record).
   * Returns false for DELETING with no settle time: the caller removes the resource now.
   */
  private transition(record: ComputeEnvironment | JobQueue, status: "CREATING" | "UPDATING" | "DELETING"): boolean {
    if (this.options.settleMs <= 0) {
      if (status === "DELETING") return false;
      record.status = "VALID";
      record.statusReason = "computeEnvironmentArn" in record ? "ComputeEnvironment Healthy" : "JobQueue Healthy";
      delete record.settlesAt;
      return true;
    }
    record.status = status;
    record.statusReason = status === "DELETING" ? "Deleting" : status === "CREATING" ? "Creating" : "Updating";
    record.settlesAt = Date.now() + this.options.settleMs;
    return true;
  }

  // ── Compute environments ───────────────────────────────────────────────────────────────────────

  private findComputeEnvironment(reference: string): ComputeEnvironment | undefined {
    const environment = this.engine.computeEnvironments.get(nameFromArn(reference));
    if (!environment) return undefined;
    if (reference.startsWith("arn:") && reference !== environment.computeEnvironmentArn) return undefined;
    return environment;
  }

  private checkComputeResources(resources: Body, creating: boolean): void {
    const type = resources.type as string | undefined;
    const fargate = type?.startsWith("FARGATE") ?? false;
    if (fargate) {
      const refused = NOT_FOR_FARGATE.filter((member) => resources[member] !== undefined);
      if (refused.length > 0)
        throw clientError(`computeResources.${refused[0]} isn't applicable to Fargate compute resources`);
    } else if (creating) {
      if (resources.instanceRole === undefined)
        throw clientError("Error executing request, Exception : Instance role is required.");
      if (resources.minvCpus === undefined)
        throw clientError("Error executing request, Exception : Resource minvCpus is required.");
      // The API reference: the Spot Fleet role "is required if the allocation strategy is set to BEST_FIT or if
      // the allocation strategy isn't specified".
      const strategy = resources.allocationStrategy as string | undefined;
      if (
        type === "SPOT" &&
        resources.spotIamFleetRole === undefined &&
        (strategy === undefined || strategy === "BEST_FIT")
      )
        throw clientError(
          "computeResources.spotIamFleetRole is required for a SPOT compute environment whose allocationStrategy is BEST_FIT or not given",
        );
    }
    if (creating && (resources.subnets as unknown[]).length === 0)
      throw clientError("computeResources.subnets must list at least 1 subnet");
    const { minvCpus, maxvCpus, desiredvCpus, bidPercentage } = resources as Record<string, number | undefined>;
    for (const [field, value] of Object.entries({ minvCpus, maxvCpus, desiredvCpus }))
      if (value !== undefined && value < 0) throw clientError(`computeResources.${field} must not be negative`);
    if (minvCpus !== undefined && maxvCpus !== undefined && maxvCpus < minvCpus)
      throw clientError("computeResources.maxvCpus must be greater than or equal to minvCpus");
    if (desiredvCpus !== undefined && minvCpus !== undefined && desiredvCpus < minvCpus)
      throw clientError("computeResources.desiredvCpus must be greater than or equal to minvCpus");
    if (desiredvCpus !== undefined && maxvCpus !== undefined && desiredvCpus > maxvCpus)
      throw clientError("computeResources.desiredvCpus must be less than or equal to maxvCpus");
    // bidPercentage and spotIamFleetRole only matter on SPOT; EC2 compute environments are sent them too
    // (uwgac-awsbatch's context file, moto's tests), so only a SPOT one is held to the range.
    if (type === "SPOT" && bidPercentage !== undefined && (bidPercentage < 0 || bidPercentage > 100))
      throw clientError("computeResources.bidPercentage must be between 0 and 100");
  }

  private async createComputeEnvironment(body: Body): Promise<unknown> {
    const name = body.computeEnvironmentName as string;
    if (!ENVIRONMENT_NAME.test(name))
      throw clientError(`Compute environment name does not match ${ENVIRONMENT_NAME.source}`);
    if (this.engine.computeEnvironments.has(name))
      throw clientError(`A compute environment already exists with the name ${name}`);
    const type = body.type as "MANAGED" | "UNMANAGED";
    const resources = body.computeResources as Body | undefined;
    if (body.eksConfiguration !== undefined)
      throw clientError("eksConfiguration: the local executor does not run Amazon EKS compute environments");
    if (type === "MANAGED" && !resources)
      throw clientError("computeResources must be specified when creating a MANAGED compute environment");
    if (type === "UNMANAGED" && resources)
      throw clientError("computeResources can't be specified for an UNMANAGED compute environment");
    if (type === "MANAGED" && body.unmanagedvCpus !== undefined)
      throw clientError("unmanagedvCpus is only supported when type is UNMANAGED");
    if (resources) this.checkComputeResources(resources, true);
    const uuid = randomUUID();
    const environment: ComputeEnvironment = {
      computeEnvironmentName: name,
      computeEnvironmentArn: this.arn("compute-environment", name),
      type,
      state: (body.state as "ENABLED" | "DISABLED" | undefined) ?? "ENABLED",
      status: "VALID",
      statusReason: "ComputeEnvironment Healthy",
      ecsClusterArn: `arn:aws:ecs:${this.options.region}:${this.options.accountId}:cluster/${name}_Batch_${uuid}`,
      serviceRole:
        (body.serviceRole as string | undefined) ??
        `arn:aws:iam::${this.options.accountId}:role/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch`,
      tags: (body.tags as Record<string, string> | undefined) ?? {},
      containerOrchestrationType: "ECS",
      uuid,
      ...(resources ? { computeResources: structuredClone(resources) } : {}),
      ...(type === "MANAGED" ? { updatePolicy: { terminateJobsOnUpdate: false, jobExecutionTimeoutMinutes: 30 } } : {}),
      ...(body.unmanagedvCpus !== undefined ? { unmanagedvCpus: body.unmanagedvCpus } : {}),
      ...(body.context !== undefined ? { context: body.context } : {}),
    };
    this.transition(environment, "CREATING");
    this.engine.computeEnvironments.set(name, environment);
    await this.engine.store.put("computeEnvironment", name, environment);
    return { computeEnvironmentName: name, computeEnvironmentArn: environment.computeEnvironmentArn };
  }

  private async updateComputeEnvironment(body: Body): Promise<unknown> {
    const reference = body.computeEnvironment as string;
    const environment = this.findComputeEnvironment(reference);
    if (!environment || environment.status === "DELETING")
      throw clientError(`compute environment ${reference} does not exist`);
    const resources = body.computeResources as Body | undefined;
    if (resources && environment.type === "UNMANAGED")
      throw clientError("computeResources can't be updated on an UNMANAGED compute environment");
    if (body.unmanagedvCpus !== undefined && environment.type !== "UNMANAGED")
      throw clientError("unmanagedvCpus is only supported when type is UNMANAGED");
    if (body.updatePolicy !== undefined && environment.type !== "MANAGED")
      throw clientError("updatePolicy applies to MANAGED compute environments only");
    let merged: Body | undefined;
    if (resources) {
      const { updateToLatestImageVersion: _image, ...changes } = resources;
      merged = { ...(environment.computeResources as Body), ...changes };
      if (isFargate(environment) !== String(merged.type ?? "").startsWith("FARGATE"))
        throw clientError("computeResources.type can't change between EC2 and Fargate resources");
      this.checkComputeResources(isFargate(environment) ? changes : merged, false);
    }
    if (body.state !== undefined) environment.state = body.state as "ENABLED" | "DISABLED";
    if (merged) environment.computeResources = merged;
    if (body.unmanagedvCpus !== undefined) environment.unmanagedvCpus = body.unmanagedvCpus;
    if (body.serviceRole !== undefined) environment.serviceRole = body.serviceRole;
    if (body.context !== undefined) environment.context = body.context;
    if (isObject(body.updatePolicy))
      environment.updatePolicy = { ...(environment.updatePolicy as Body), ...body.updatePolicy };
    this.transition(environment, "UPDATING");
    await this.engine.store.put("computeEnvironment", environment.computeEnvironmentName, environment);
    return {
      computeEnvironmentName: environment.computeEnvironmentName,
      computeEnvironmentArn: environment.computeEnvironmentArn,
    };
  }

  private async deleteComputeEnvironment(body: Body): Promise<unknown> {
    const reference = body.computeEnvironment as string;
    const environment = this.findComputeEnvironment(reference);
    if (!environment) throw clientError(`compute environment ${reference} does not exist`);
    if (environment.status === "DELETING") return {};
    if (environment.state !== "DISABLED")
      throw clientError(
        `compute environment ${environment.computeEnvironmentName} must be DISABLED before it is deleted (UpdateComputeEnvironment state=DISABLED)`,
      );
    for (const queue of this.engine.jobQueues.values()) {
      if (queue.computeEnvironmentOrder.some((entry) => entry.computeEnvironment === environment.computeEnvironmentArn))
        throw clientError(
          `compute environment ${environment.computeEnvironmentName} is associated with job queue ${queue.jobQueueName}: remove it from the queue's computeEnvironmentOrder first`,
        );
    }
    if (this.transition(environment, "DELETING")) {
      await this.engine.store.put("computeEnvironment", environment.computeEnvironmentName, environment);
    } else {
      this.engine.computeEnvironments.delete(environment.computeEnvironmentName);
      await this.engine.store.delete("computeEnvironment", environment.computeEnvironmentName);
    }
    return {};
  }

  private renderComputeEnvironment(environment: ComputeEnvironment): Body {
    return present({
      computeEnvironmentName: environment.computeEnvironmentName,
      computeEnvironmentArn: environment.computeEnvironmentArn,
      unmanagedvCpus: environment.unmanagedvCpus,
      ecsClusterArn: environment.ecsClusterArn,
      tags: environment.tags ?? {},
      type: environment.type,
      state: environment.state,
      status: environment.status,
      statusReason: environment.statusReason,
      computeResources: environment.computeResources,
      serviceRole: environment.serviceRole,
      updatePolicy: environment.updatePolicy,
      containerOrchestrationType: environment.containerOrchestrationType ?? "ECS",
      uuid: environment.uuid,
      context: environment.context,
    });
  }

  private describeComputeEnvironments(body: Body): unknown {
    const references = body.computeEnvironments as string[] | undefined;
    if (references && references.length > 100) throw clientError("computeEnvironments takes at most 100 entries");
    let environments = [...this.engine.computeEnvironments.values()];
    if (references && references.length > 0) {
      const wanted = new Set(references.map((reference) => this.findComputeEnvironment(reference)));
      environments = environments.filter((environment) => wanted.has(environment));
    }
    environments.sort((a, b) => a.computeEnvironmentName.localeCompare(b.computeEnvironmentName));
    const { items, nextToken } = page(environments, body, 100);
    return {
      computeEnvironments: items.map((environment) => this.renderComputeEnvironment(environment)),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  // ── Job queues ─────────────────────────────────────────────────────────────────────────────────

  findJobQueue(reference: string): JobQueue | undefined {
    const queue = this.engine.jobQueues.get(nameFromArn(reference));
    if (!queue) return undefined;
    if (reference.startsWith("arn:") && reference !== queue.jobQueueArn) return undefined;
    return queue;
  }

  private environmentOrder(value: unknown): { order: number; computeEnvironment: string }[] {
    const entries = (value ?? []) as { order: number; computeEnvironment: string }[];
    if (entries.length === 0) throw clientError("computeEnvironmentOrder must name at least 1 compute environment");
    if (entries.length > MAX_QUEUE_ENVIRONMENTS)
      throw clientError(`a job queue can have at most ${MAX_QUEUE_ENVIRONMENTS} compute environments`);
    const environments = entries.map((entry) => {
      const environment = this.findComputeEnvironment(entry.computeEnvironment);
      if (!environment || environment.status === "DELETING")
        throw clientError(`compute environment ${entry.computeEnvironment} does not exist`);
      if (environment.status !== "VALID")
        throw clientError(
          `compute environment ${environment.computeEnvironmentName} is ${environment.status}: compute environments must be VALID before they are associated with a job queue`,
        );
      return environment;
    });
    if (new Set(environments).size !== environments.length)
      throw clientError("computeEnvironmentOrder names the same compute environment twice");
    if (new Set(entries.map((entry) => entry.order)).size !== entries.length)
      throw clientError("computeEnvironmentOrder: each compute environment needs a different order");
    if (new Set(environments.map(isFargate)).size > 1)
      throw clientError("EC2 (EC2 or SPOT) and Fargate compute environments can't be mixed in one job queue");
    return entries.map((entry, index) => ({
      order: entry.order,
      computeEnvironment: environments[index]!.computeEnvironmentArn,
    }));
  }

  private schedulingPolicy(arn: string): SchedulingPolicy {
    const policy = this.engine.schedulingPolicies.get(arn);
    if (!policy) throw clientError(`scheduling policy ${arn} does not exist`);
    return policy;
  }

  private refuseUnrun(body: Body): void {
    if (body.serviceEnvironmentOrder !== undefined || body.jobQueueType === "SAGEMAKER_TRAINING")
      throw clientError("serviceEnvironmentOrder: the local executor does not run SageMaker service environments");
    if (body.jobQueueType === "EKS") throw clientError("jobQueueType: the local executor does not run Amazon EKS jobs");
    const actions = body.jobStateTimeLimitActions as unknown[] | undefined;
    if (actions && actions.length > 0)
      throw clientError(
        "jobStateTimeLimitActions: the local executor starts RUNNABLE jobs when a slot frees and does not apply time limits to them",
      );
  }

  private async createJobQueue(body: Body): Promise<unknown> {
    const name = body.jobQueueName as string;
    if (!QUEUE_NAME.test(name))
      throw clientError(
        "jobQueueName must be up to 128 letters (uppercase and lowercase), numbers, hyphens and underscores",
      );
    if (this.engine.jobQueues.has(name)) throw clientError(`Job queue ${name} already exists`);
    this.refuseUnrun(body);
    const priority = body.priority as number;
    if (priority < 0 || priority > 1000) throw clientError("priority must be between 0 and 1000");
    const policyArn = body.schedulingPolicyArn as string | undefined;
    if (policyArn !== undefined) this.schedulingPolicy(policyArn);
    const queue: JobQueue = {
      jobQueueName: name,
      jobQueueArn: this.arn("job-queue", name),
      state: (body.state as "ENABLED" | "DISABLED" | undefined) ?? "ENABLED",
      status: "VALID",
      statusReason: "JobQueue Healthy",
      priority,
      computeEnvironmentOrder: this.environmentOrder(body.computeEnvironmentOrder),
      ...(policyArn !== undefined ? { schedulingPolicyArn: policyArn } : {}),
      ...(body.jobQueueType !== undefined ? { jobQueueType: body.jobQueueType } : {}),
      tags: (body.tags as Record<string, string> | undefined) ?? {},
      jobStateTimeLimitActions: [],
    };
    this.transition(queue, "CREATING");
    this.engine.jobQueues.set(name, queue);
    await this.engine.store.put("jobQueue", name, queue);
    return { jobQueueName: name, jobQueueArn: queue.jobQueueArn };
  }

  private async updateJobQueue(body: Body): Promise<unknown> {
    const reference = body.jobQueue as string;
    const queue = this.findJobQueue(reference);
    if (!queue || queue.status === "DELETING") throw clientError(`job queue ${reference} does not exist`);
    this.refuseUnrun(body);
    const priority = body.priority as number | undefined;
    if (priority !== undefined && (priority < 0 || priority > 1000))
      throw clientError("priority must be between 0 and 1000");
    const policyArn = body.schedulingPolicyArn as string | undefined;
    if (policyArn !== undefined) {
      if (queue.schedulingPolicyArn === undefined)
        throw clientError(
          `job queue ${queue.jobQueueName} is a first-in, first-out queue: a scheduling policy can only be given when the queue is created`,
        );
      this.schedulingPolicy(policyArn);
    }
    const order =
      body.computeEnvironmentOrder !== undefined ? this.environmentOrder(body.computeEnvironmentOrder) : undefined;
    if (body.state !== undefined) queue.state = body.state as "ENABLED" | "DISABLED";
    if (priority !== undefined) {
      queue.priority = priority;
      this.engine.setLaneRank(`aws:${queue.jobQueueName}`, priority);
    }
    if (order) queue.computeEnvironmentOrder = order;
    if (policyArn !== undefined) queue.schedulingPolicyArn = policyArn;
    this.transition(queue, "UPDATING");
    await this.engine.store.put("jobQueue", queue.jobQueueName, queue);
    return { jobQueueName: queue.jobQueueName, jobQueueArn: queue.jobQueueArn };
  }

  private async deleteJobQueue(body: Body): Promise<unknown> {
    const reference = body.jobQueue as string;
    const queue = this.findJobQueue(reference);
    if (!queue) throw clientError(`job queue ${reference} does not exist`);
    if (queue.status === "DELETING") return {};
    if (queue.state !== "DISABLED")
      throw clientError(
        `job queue ${queue.jobQueueName} must be DISABLED before it is deleted (UpdateJobQueue state=DISABLED)`,
      );
    // AWS: every job still in the queue is terminated when the queue is deleted.
    for (const job of this.engine.jobs.values()) {
      if (job.aws?.jobQueue === queue.jobQueueName && job.parentId === undefined)
        this.engine.terminate(job.id, "The job queue was deleted");
    }
    if (this.transition(queue, "DELETING")) {
      await this.engine.store.put("jobQueue", queue.jobQueueName, queue);
    } else {
      this.engine.jobQueues.delete(queue.jobQueueName);
      await this.engine.store.delete("jobQueue", queue.jobQueueName);
    }
    await this.engine.store.flush();
    return {};
  }

  private renderJobQueue(queue: JobQueue): Body {
    return present({
      jobQueueName: queue.jobQueueName,
      jobQueueArn: queue.jobQueueArn,
      state: queue.state,
      schedulingPolicyArn: queue.schedulingPolicyArn,
      status: queue.status,
      statusReason: queue.statusReason,
      priority: queue.priority,
      computeEnvironmentOrder: queue.computeEnvironmentOrder,
      jobQueueType: queue.jobQueueType,
      tags: queue.tags ?? {},
      jobStateTimeLimitActions: queue.jobStateTimeLimitActions ?? [],
    });
  }

  private describeJobQueues(body: Body): unknown {
    const references = body.jobQueues as string[] | undefined;
    if (references && references.length > 100) throw clientError("jobQueues takes at most 100 entries");
    let queues = [...this.engine.jobQueues.values()];
    if (references && references.length > 0) {
      const wanted = new Set(references.map((reference) => this.findJobQueue(reference)));
      queues = queues.filter((queue) => wanted.has(queue));
    }
    queues.sort((a, b) => a.jobQueueName.localeCompare(b.jobQueueName));
    const { items, nextToken } = page(queues, body, 100);
    return { jobQueues: items.map((queue) => this.renderJobQueue(queue)), ...(nextToken ? { nextToken } : {}) };
  }

  // ── Scheduling policies ────────────────────────────────────────────────────────────────────────

  private checkFairsharePolicy(policy: Body | undefined): void {
    if (!policy) return;
    const { shareDecaySeconds, computeReservation } = policy as Record<string, number | undefined>;
    if (shareDecaySeconds !== undefined && (shareDecaySeconds < 0 || shareDecaySeconds > 604800))
      throw clientError("fairsharePolicy.shareDecaySeconds must be between 0 and 604800");
    if (computeReservation !== undefined && (computeReservation < 0 || computeReservation > 99))
      throw clientError("fairsharePolicy.computeReservation must be between 0 and 99");
    const shares = (policy.shareDistribution ?? []) as { shareIdentifier: string; weightFactor?: number }[];
    if (shares.length > 500) throw clientError("fairsharePolicy.shareDistribution takes at most 500 entries");
    for (const share of shares) {
      if (!SHARE_IDENTIFIER.test(share.shareIdentifier))
        throw clientError(
          `shareIdentifier ${JSON.stringify(share.shareIdentifier)} must be up to 255 letters and numbers, optionally ending with *`,
        );
      if (share.weightFactor !== undefined && (share.weightFactor < 0.0001 || share.weightFactor > 999.9999))
        throw clientError("weightFactor must be between 0.0001 and 999.9999");
    }
  }

  private refuseQuotaShare(body: Body): void {
    if (body.quotaSharePolicy !== undefined)
      throw clientError("quotaSharePolicy: the local executor does not run quota-share scheduling");
  }

  private async createSchedulingPolicy(body: Body): Promise<unknown> {
    const name = body.name as string;
    if (!POLICY_NAME.test(name))
      throw clientError("name must be up to 128 letters (uppercase and lowercase), numbers, hyphens and underscores");
    const arn = this.arn("scheduling-policy", name);
    if (this.engine.schedulingPolicies.has(arn)) throw clientError(`scheduling policy ${name} already exists`);
    this.refuseQuotaShare(body);
    this.checkFairsharePolicy(body.fairsharePolicy as Body | undefined);
    const policy: SchedulingPolicy = {
      name,
      arn,
      ...(body.fairsharePolicy !== undefined ? { fairsharePolicy: structuredClone(body.fairsharePolicy as Body) } : {}),
      tags: (body.tags as Record<string, string> | undefined) ?? {},
    };
    this.engine.schedulingPolicies.set(arn, policy);
    await this.engine.store.put("schedulingPolicy", arn, policy);
    return { name, arn };
  }

  private async updateSchedulingPolicy(body: Body): Promise<unknown> {
    const policy = this.schedulingPolicy(body.arn as string);
    this.refuseQuotaShare(body);
    this.checkFairsharePolicy(body.fairsharePolicy as Body | undefined);
    if (body.fairsharePolicy !== undefined) policy.fairsharePolicy = structuredClone(body.fairsharePolicy as Body);
    await this.engine.store.put("schedulingPolicy", policy.arn, policy);
    return {};
  }

  private async deleteSchedulingPolicy(body: Body): Promise<unknown> {
    const policy = this.schedulingPolicy(body.arn as string);
    for (const queue of this.engine.jobQueues.values()) {
      if (queue.schedulingPolicyArn === policy.arn)
        throw clientError(`scheduling policy ${policy.name} is used by job queue ${queue.jobQueueName}`);
    }
    this.engine.schedulingPolicies.delete(policy.arn);
    await this.engine.store.delete("schedulingPolicy", policy.arn);
    return {};
  }

  private describeSchedulingPolicies(body: Body): unknown {
    const arns = body.arns as string[];
    if (arns.length > 100) throw clientError("arns takes at most 100 entries");
    const policies = arns
      .map((arn) => this.engine.schedulingPolicies.get(arn))
      .filter((policy): policy is SchedulingPolicy => policy !== undefined);
    return {
      schedulingPolicies: policies.map((policy) =>
        present({
          name: policy.name,
          arn: policy.arn,
          fairsharePolicy: policy.fairsharePolicy,
          tags: policy.tags ?? {},
        }),
      ),
    };
  }

  private listSchedulingPolicies(body: Body): unknown {
    const policies = [...this.engine.schedulingPolicies.values()].sort((a, b) => a.name.localeCompare(b.name));
    const { items, nextToken } = page(policies, body, 1000);
    return { schedulingPolicies: items.map((policy) => ({ arn: policy.arn })), ...(nextToken ? { nextToken } : {}) };
  }
}
