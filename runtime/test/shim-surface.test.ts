// The export surface of batch-migrate-runtime/client-batch against @aws-sdk/client-batch's (names in
// sdk-surface.ts, generated from the SDK): every command, the default-import form, and unserved operations that
// reject with a ClientException naming the operation on a migration target.
import { describe, expect, it } from "vitest";
import * as shim from "../src/shim/client-batch.js";
import shimDefault, {
  Batch,
  BatchClient,
  ClientException,
  CreateJobQueueCommand,
  JobStatus,
} from "../src/shim/client-batch.js";
import { SHIM_OPERATIONS } from "../src/shim/core.js";
import { SDK_OPERATIONS, SDK_PAGINATORS } from "../src/shim/sdk-surface.js";

const onSalad = {
  batchMigrate: {
    target: "salad" as const,
    env: { SALAD_API_KEY: "k", SALAD_ORGANIZATION_NAME: "o", SALAD_PROJECT_NAME: "p" },
  },
};

describe("client-batch export surface", () => {
  it("exports a command class for every operation of the SDK, named and on the default export", () => {
    for (const operation of SDK_OPERATIONS) {
      const name = `${operation}Command`;
      expect(typeof (shim as Record<string, unknown>)[name], name).toBe("function");
      expect((shimDefault as Record<string, unknown>)[name], name).toBe((shim as Record<string, unknown>)[name]);
    }
    for (const paginator of SDK_PAGINATORS)
      expect(typeof (shim as Record<string, unknown>)[paginator], paginator).toBe("function");
    expect(shimDefault.BatchClient).toBe(BatchClient);
    expect(JobStatus.SUCCEEDED).toBe("SUCCEEDED");
  });

  it("gives the aggregated client a method for every operation", () => {
    const client = new Batch(onSalad);
    for (const operation of SDK_OPERATIONS) {
      const method = `${operation[0]!.toLowerCase()}${operation.slice(1)}`;
      expect(typeof (client as unknown as Record<string, unknown>)[method], method).toBe("function");
    }
  });

  it("rejects an unserved command on a migration target with a ClientException that names it", async () => {
    const client = new BatchClient(onSalad);
    const sent = client.send(
      new CreateJobQueueCommand({ jobQueueName: "q", priority: 1, computeEnvironmentOrder: [] }),
    );
    await expect(sent).rejects.toBeInstanceOf(ClientException);
    await expect(sent).rejects.toThrow(/CreateJobQueue is not served by the batch-migrate shim on target salad/);
    await expect(new Batch(onSalad).updateJobQueue({ jobQueue: "q" })).rejects.toThrow(/UpdateJobQueue is not served/);
    expect(SDK_OPERATIONS.filter((op) => !(SHIM_OPERATIONS as readonly string[]).includes(op))).toContain(
      "CreateJobQueue",
    );
  });
});
