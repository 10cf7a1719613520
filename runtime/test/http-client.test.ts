import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { CommonComputeClient } from "../src/clients/common-compute.js";
import { ConnectionError, HttpClient, HttpError } from "../src/clients/http.js";
import { startApp } from "./helpers.js";

const FAST_RETRY = { maxRetries: 3, baseDelayMs: 5, maxDelayMs: 20 };

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === "object" && address ? address.port : 0;
}

describe("the shared HTTP client", () => {
  it("retries 429 and 5xx with backoff and returns the first success", async () => {
    const app = await startApp(({ count }) =>
      count === 1
        ? { status: 429, body: "{}" }
        : count === 2
          ? { status: 503, body: "{}" }
          : { status: 200, body: '{"ok":true}' },
    );
    try {
      const client = new HttpClient(`http://127.0.0.1:${app.port}`, { "x-key": "k" }, { retry: FAST_RETRY });
      const response = await client.request({
        method: "POST",
        path: "/thing",
        json: { a: 1 },
        headers: { "Idempotency-Key": "key-1" },
      });
      expect(response.json()).toEqual({ ok: true });
      expect(app.requests).toHaveLength(3);
      expect(app.requests.every((request) => request.body === '{"a":1}' && request.headers["x-key"] === "k")).toBe(
        true,
      );
    } finally {
      await app.close();
    }
  });

  it("repeats a POST without an Idempotency-Key after 429 only: a 5xx may have created the job", async () => {
    const app = await startApp(({ count }) =>
      count === 1 ? { status: 429, body: "{}" } : { status: 503, body: "{}" },
    );
    try {
      const client = new HttpClient(`http://127.0.0.1:${app.port}`, {}, { retry: FAST_RETRY });
      const error = await client
        .request({ method: "POST", path: "/jobs", json: {} })
        .catch((caught: unknown) => caught);
      expect(error).toMatchObject({ status: 503 });
      expect(app.requests).toHaveLength(2);
    } finally {
      await app.close();
    }
  });

  it("gives up after maxRetries and throws HttpError with the status and the server's message", async () => {
    const app = await startApp(() => ({
      status: 500,
      body: JSON.stringify({ error: "database on fire", code: "internal" }),
    }));
    try {
      const client = new HttpClient(`http://127.0.0.1:${app.port}`, {}, { retry: FAST_RETRY });
      const error = await client.request({ method: "GET", path: "/x" }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(HttpError);
      expect(error).toMatchObject({ status: 500, serverMessage: "database on fire", code: "internal" });
      expect(app.requests).toHaveLength(4);
    } finally {
      await app.close();
    }
  });

  it("does not retry other 4xx answers", async () => {
    const app = await startApp(() => ({
      status: 400,
      body: JSON.stringify({ detail: "bad input", type: "about:blank" }),
    }));
    try {
      const client = new HttpClient(`http://127.0.0.1:${app.port}`, {}, { retry: FAST_RETRY });
      await expect(client.request({ method: "GET", path: "/x" })).rejects.toMatchObject({
        status: 400,
        serverMessage: "bad input",
      });
      expect(app.requests).toHaveLength(1);
    } finally {
      await app.close();
    }
  });

  it("retries connection errors, then throws ConnectionError", async () => {
    const client = new HttpClient(`http://127.0.0.1:${await closedPort()}`, {}, { retry: FAST_RETRY });
    await expect(client.request({ method: "GET", path: "/x" })).rejects.toBeInstanceOf(ConnectionError);
  });

  it("times a request out, retrying it only when repeating is safe", async () => {
    const app = await startApp(() => ({ status: 200, body: "{}", delayMs: 400 }));
    try {
      const client = new HttpClient(
        `http://127.0.0.1:${app.port}`,
        {},
        { timeoutMs: 100, retry: { ...FAST_RETRY, maxRetries: 1 } },
      );
      await expect(client.request({ method: "GET", path: "/idempotent" })).rejects.toBeInstanceOf(ConnectionError);
      await expect(client.request({ method: "POST", path: "/not-idempotent", json: {} })).rejects.toBeInstanceOf(
        ConnectionError,
      );
      await expect(
        client.request({ method: "POST", path: "/keyed", json: {}, headers: { "Idempotency-Key": "k" } }),
      ).rejects.toBeInstanceOf(ConnectionError);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const count = (url: string) => app.requests.filter((request) => request.url === url).length;
      expect([count("/idempotent"), count("/not-idempotent"), count("/keyed")]).toEqual([2, 1, 2]);
    } finally {
      await app.close();
    }
  });

  it("sends the same Idempotency-Key on every retry of a Common Compute submit", async () => {
    const app = await startApp(({ count }) =>
      count < 3 ? { status: 502, body: "{}" } : { status: 201, body: JSON.stringify({ id: "job-1", state: "queued" }) },
    );
    try {
      const client = new CommonComputeClient({
        baseUrl: `http://127.0.0.1:${app.port}`,
        apiKey: "cc_test_x",
        retry: FAST_RETRY,
      });
      const job = await client.jobs.submit({ workload: "echo", input: {} });
      expect(job.job_id).toBe("job-1");
      const keys = new Set(app.requests.map((request) => request.headers["idempotency-key"]));
      expect(app.requests).toHaveLength(3);
      expect(keys.size).toBe(1);
      expect(app.requests[0]?.headers.authorization).toBe("Bearer cc_test_x");
    } finally {
      await app.close();
    }
  });
});
