// Behaves like SaladCloud's salad-http-job-queue-worker (reference/targets.md B.5): POST the job's input to
// the app, 408/429/5xx and transport errors reject the job (the queue retries it), any other status
// completes it with the body as output, unless that body is not JSON or is over 10 MB.
import http from "node:http";
import { jsonNestsDeeperThan } from "../http-kit.js";

export const MAX_OUTPUT_BYTES = 10 * 1024 * 1024;
/** Go's encoding/json (the worker's language) refuses documents nested deeper than this. */
export const MAX_OUTPUT_DEPTH = 10_000;

export interface ForwardRequest {
  host: string;
  port: number;
  path: string;
  jobId: string;
  input: unknown;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export type ForwardOutcome =
  | { ok: true; status: number; output: unknown }
  | { ok: false; status?: number; reason: string };

function isRejectedStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

export function forwardJob(request: ForwardRequest): Promise<ForwardOutcome> {
  let body: Buffer;
  try {
    body = Buffer.from(JSON.stringify(request.input ?? null), "utf8");
  } catch (error) {
    // Inputs are depth-checked when submitted; a stored one that still cannot be sent fails the attempt, never the executor.
    return Promise.resolve({ ok: false, reason: `the input cannot be sent as JSON: ${(error as Error).message}` });
  }
  const requestPath = request.path.startsWith("/") ? request.path : `/${request.path}`;
  return new Promise((resolve) => {
    const outgoing = http.request(
      {
        host: request.host,
        port: request.port,
        path: requestPath,
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": body.length,
          "salad-job-id": request.jobId,
        },
        timeout: request.timeoutMs,
        signal: request.signal,
      },
      (response) => {
        const status = response.statusCode ?? 0;
        if (isRejectedStatus(status)) {
          response.resume();
          resolve({ ok: false, status, reason: `the app answered HTTP ${status}` });
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_OUTPUT_BYTES) {
            response.destroy();
            resolve({ ok: false, status, reason: "the output is larger than 10 MB" });
            return;
          }
          chunks.push(chunk);
        });
        response.on("error", (error) => resolve({ ok: false, status, reason: `transport error: ${error.message}` }));
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          if (jsonNestsDeeperThan(text, MAX_OUTPUT_DEPTH)) {
            resolve({ ok: false, status, reason: `the output nests deeper than ${MAX_OUTPUT_DEPTH} levels` });
            return;
          }
          try {
            resolve({ ok: true, status, output: JSON.parse(text) });
          } catch {
            resolve({ ok: false, status, reason: "the output is not valid JSON" });
          }
        });
      },
    );
    outgoing.on("timeout", () => outgoing.destroy(new Error("timed out")));
    outgoing.on("error", (error) => resolve({ ok: false, reason: `transport error: ${error.message}` }));
    outgoing.end(body);
  });
}
