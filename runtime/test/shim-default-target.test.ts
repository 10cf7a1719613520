// Safe to merge: with no target configured the shim's clients ARE the real AWS SDK clients, and every call goes
// out as the real SDK sends it (signed, to the AWS Batch REST path); `"target"` in migrate.config.json flips it.
import { writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as v2Shim from "../src/shim/aws-sdk-v2.js";
import * as v3Shim from "../src/shim/client-batch.js";
import { temporaryDirectory } from "./helpers.js";

const require = createRequire(import.meta.url);
const realV3 = require("@aws-sdk/client-batch") as typeof import("@aws-sdk/client-batch");
const realV2 = require("aws-sdk") as { Batch: new (...args: unknown[]) => unknown };

interface Seen {
  method: string;
  url: string;
  authorization: string;
  body: string;
}

let server: http.Server;
let endpoint: string;
const seen: Seen[] = [];

beforeAll(async () => {
  server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    request.on("end", () => {
      seen.push({
        method: request.method ?? "",
        url: request.url ?? "",
        authorization: String(request.headers.authorization ?? ""),
        body,
      });
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ jobSummaryList: [{ jobId: "real-1", jobName: "from-aws", status: "RUNNING" }] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" };

/** An environment with no BATCH_MIGRATE_TARGET and a config file without a target. */
function unconfigured(): NodeJS.ProcessEnv {
  const folder = temporaryDirectory();
  const config = path.join(folder, "migrate.config.json");
  writeFileSync(config, JSON.stringify({ region: "us-east-1" }));
  return { BATCH_MIGRATE_CONFIG: config };
}

describe("no target configured", () => {
  it("v3: BatchClient and Batch are the real @aws-sdk/client-batch classes' instances, and send as they do", async () => {
    const config = { region: "us-west-2", endpoint, credentials, batchMigrate: { env: unconfigured() } };
    const client = new v3Shim.BatchClient(config);
    expect(client).toBeInstanceOf(realV3.BatchClient);
    expect(client).not.toBeInstanceOf(v3Shim.BatchClient);
    expect(await (client as unknown as InstanceType<typeof realV3.BatchClient>).config.region()).toBe("us-west-2");

    seen.length = 0;
    // The shim's own command classes, as the codemod leaves them, sent by the real client.
    const output = await client.send(new v3Shim.ListJobsCommand({ jobQueue: "q" }));
    expect(output.jobSummaryList?.[0]?.jobId).toBe("real-1");
    expect(output.$metadata.httpStatusCode).toBe(200);
    // The real SDK's commands too.
    await (client as unknown as InstanceType<typeof realV3.BatchClient>).send(
      new realV3.ListJobsCommand({ jobQueue: "q" }),
    );
    expect(seen).toHaveLength(2);
    for (const request of seen) {
      expect(request).toMatchObject({ method: "POST", url: "/v1/listjobs" });
      expect(request.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d+\/us-west-2\/batch\//);
      expect(JSON.parse(request.body)).toEqual({ jobQueue: "q" });
    }

    const aggregated = new v3Shim.Batch(config);
    expect(aggregated).toBeInstanceOf(realV3.Batch);
    const viaMethod = await aggregated.listJobs({ jobQueue: "q" });
    expect(viaMethod.jobSummaryList?.[0]?.jobName).toBe("from-aws");

    const pages: unknown[] = [];
    for await (const page of v3Shim.paginateListJobs({ client }, { jobQueue: "q" })) pages.push(page);
    expect(pages).toHaveLength(1);
  });

  it("v2: Batch is the real aws-sdk AWS.Batch, and sends as it does", async () => {
    const batch = new v2Shim.Batch({
      region: "eu-west-1",
      endpoint,
      credentials,
      batchMigrate: { env: unconfigured() },
    });
    expect(batch).toBeInstanceOf(realV2.Batch);
    seen.length = 0;
    const data = await batch.listJobs({ jobQueue: "q" }).promise();
    expect(data.jobSummaryList?.[0]?.jobId).toBe("real-1");
    expect(seen[0]).toMatchObject({ method: "POST", url: "/v1/listjobs" });
    expect(seen[0]!.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d+\/eu-west-1\/batch\//);
  });

  it('"target" in migrate.config.json is the cut-over: the shim serves the calls then', () => {
    const folder = temporaryDirectory();
    const config = path.join(folder, "migrate.config.json");
    writeFileSync(config, JSON.stringify({ target: "salad" }));
    const env = { BATCH_MIGRATE_CONFIG: config, SALAD_API_KEY: "k", SALAD_BASE_URL: "http://127.0.0.1:9" };
    const client = new v3Shim.BatchClient({ batchMigrate: { env } });
    expect(client).toBeInstanceOf(v3Shim.BatchClient);
    expect(client).not.toBeInstanceOf(realV3.BatchClient);
    expect(client.target).toBe("salad");
    const batch = new v2Shim.Batch({ batchMigrate: { env } });
    expect(batch).toBeInstanceOf(v2Shim.Batch);
    expect(batch).not.toBeInstanceOf(realV2.Batch);
    // The variable wins over the file, both ways: the way back is BATCH_MIGRATE_TARGET=aws (or removing the line).
    const back = new v3Shim.BatchClient({ batchMigrate: { env: { ...env, BATCH_MIGRATE_TARGET: "aws" } } });
    expect(back).toBeInstanceOf(realV3.BatchClient);
  });
});
