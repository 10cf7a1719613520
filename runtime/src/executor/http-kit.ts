import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

export interface ParsedRequest {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Sent in order after the headers, streamed from disk (instead of `body`). */
  files?: string[];
}

export function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return {
    status,
    headers: { "content-type": "application/json", ...headers },
    body: value === undefined ? "" : JSON.stringify(value),
  };
}

/** A request the face rejects; each face renders it in its own error format. */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/**
 * The decoded segments of a path, empty ones dropped. A malformed escape (`%zz`, a lone `%`) is a 400
 * rather than an exception; decoded segments are only ever used as keys, never as file names.
 */
export function pathSegments(url: URL, prefix = ""): string[] {
  const pathname = prefix && url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname;
  return pathname
    .split("/")
    .filter(Boolean)
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        throw new RequestError(400, "the request path has a malformed percent-encoding", "invalid_path");
      }
    });
}

/**
 * Arrays and objects nested deeper than this make a request a 400. Real Batch, Salad and Common Compute bodies
 * nest a few levels; a body nested thousands deep would overflow the stack of whatever walks it later.
 */
export const MAX_JSON_DEPTH = 128;

/** Whether JSON text nests arrays/objects deeper than `limit`: one pass, no recursion, strings skipped. */
export function jsonNestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c) i++; // backslash: skip the escaped character
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x5b || code === 0x7b) {
      if (++depth > limit) return true;
    } else if (code === 0x5d || code === 0x7d) depth--;
  }
  return false;
}

/** Parses a JSON request body; an empty body is `undefined`. */
export function readJson(request: ParsedRequest): unknown {
  if (request.body.length === 0) return undefined;
  const text = request.body.toString("utf8");
  if (jsonNestsDeeperThan(text, MAX_JSON_DEPTH)) {
    throw new RequestError(400, `the request body nests deeper than ${MAX_JSON_DEPTH} levels`, "invalid_json");
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new RequestError(400, "the request body is not valid JSON", "invalid_json");
  }
}

export function readJsonObject(request: ParsedRequest): Record<string, unknown> {
  const value = readJson(request) ?? {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new RequestError(400, "the request body must be a JSON object", "invalid_request");
  }
  return value as Record<string, unknown>;
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

/** Constant-time key comparison (hashing first makes the lengths equal). */
export function keysMatch(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  return timingSafeEqual(digest(presented), digest(expected));
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The keys a request presents: `Authorization: Bearer` (Common Compute), `Salad-Api-Key` (SaladCloud), and
 * the access key id of an AWS SigV4 `Authorization` header (the signature itself is not checked).
 */
export function presentedKeys(headers: IncomingHttpHeaders): string[] {
  const keys: string[] = [];
  const authorization = header(headers, "authorization");
  if (authorization) {
    const bearer = /^Bearer\s+(.+)$/i.exec(authorization);
    if (bearer?.[1]) keys.push(bearer[1].trim());
    const sigv4 = /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\//i.exec(authorization);
    if (sigv4?.[1]) keys.push(sigv4[1]);
  }
  const salad = header(headers, "salad-api-key");
  if (salad) keys.push(salad.trim());
  return keys;
}

export function isAuthorised(headers: IncomingHttpHeaders, apiKey: string): boolean {
  let matched = false;
  // Check every presented key without stopping early, so timing says nothing about which one matched.
  for (const key of presentedKeys(headers)) matched = keysMatch(key, apiKey) || matched;
  return matched;
}

export function optionalString(body: Record<string, unknown>, field: string, maxLength = 100_000): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new RequestError(400, `${field} must be a string`, "invalid_request");
  if (value.length > maxLength)
    throw new RequestError(400, `${field} is longer than ${maxLength} characters`, "invalid_request");
  // Fields end up in environment variables and file URLs, where a NUL cannot be represented.
  if (value.includes("\0")) throw new RequestError(400, `${field} cannot contain NUL characters`, "invalid_request");
  return value;
}

export function optionalInteger(
  body: Record<string, unknown>,
  field: string,
  min: number,
  max: number,
): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new RequestError(400, `${field} must be an integer from ${min} to ${max}`, "invalid_request");
  }
  return value;
}

export function optionalObject(body: Record<string, unknown>, field: string): Record<string, unknown> | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value))
    throw new RequestError(400, `${field} must be an object`, "invalid_request");
  return value as Record<string, unknown>;
}

/** Opaque pagination tokens: base64url JSON, checked on the way back in. */
export function encodeToken(value: unknown): string {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

export function decodeToken<T>(token: string, isValid: (value: unknown) => value is T): T | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    return isValid(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function queryInteger(url: URL, name: string, min: number, max: number): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RequestError(400, `${name} must be an integer from ${min} to ${max}`, "invalid_request");
  }
  return value;
}
