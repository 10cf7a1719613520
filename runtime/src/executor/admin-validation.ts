// Checks an admin request body against its input shape in AWS Batch's model (admin-shapes.ts, generated from
// botocore's batch 2016-08-10 model): every member the model lacks, every missing required member, every wrong
// type, enum value or bound is refused with a ClientException naming the member path. Never more generous than the
// service: a member the real API does not have is an error here, not silently kept.
import { RequestError } from "./http-kit.js";
import { ADMIN_INPUTS, ADMIN_SHAPES } from "./admin-shapes.js";

export interface ModelShape {
  type: "structure" | "list" | "map" | "string" | "integer" | "long" | "float" | "double" | "boolean" | "timestamp";
  members?: Record<string, string>;
  required?: string[];
  member?: string;
  key?: string;
  value?: string;
  enum?: string[];
  min?: number;
  max?: number;
}

function refuse(message: string): never {
  throw new RequestError(400, message, "ClientException");
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "an object" : `${typeof value} ${JSON.stringify(value)}`.slice(0, 80);
}

function check(value: unknown, shapeName: string, where: string): void {
  const shape = ADMIN_SHAPES[shapeName];
  if (!shape) throw new Error(`no model shape ${shapeName}`);
  switch (shape.type) {
    case "structure": {
      if (typeof value !== "object" || value === null || Array.isArray(value))
        refuse(`${where} must be an object (${shapeName}), not ${describeValue(value)}`);
      const members = shape.members ?? {};
      for (const [member, item] of Object.entries(value)) {
        if (item === undefined) continue;
        if (!(member in members))
          refuse(
            `Unknown parameter ${where ? `${where}.` : ""}${member}: ${shapeName} takes ${Object.keys(members).join(", ")}`,
          );
        if (item === null) continue;
        check(item, members[member]!, where ? `${where}.${member}` : member);
      }
      for (const member of shape.required ?? []) {
        const item = (value as Record<string, unknown>)[member];
        if (item === undefined || item === null) refuse(`${where ? `${where}.` : ""}${member} is required`);
      }
      return;
    }
    case "list": {
      if (!Array.isArray(value)) refuse(`${where} must be a list, not ${describeValue(value)}`);
      if (shape.min !== undefined && value.length < shape.min)
        refuse(`${where} must have at least ${shape.min} entries`);
      if (shape.max !== undefined && value.length > shape.max)
        refuse(`${where} must have at most ${shape.max} entries`);
      value.forEach((item, index) => check(item, shape.member!, `${where}[${index}]`));
      return;
    }
    case "map": {
      if (typeof value !== "object" || value === null || Array.isArray(value))
        refuse(`${where} must be a map of strings, not ${describeValue(value)}`);
      const entries = Object.entries(value);
      if (shape.min !== undefined && entries.length < shape.min)
        refuse(`${where} must have at least ${shape.min} entries`);
      if (shape.max !== undefined && entries.length > shape.max)
        refuse(`${where} must have at most ${shape.max} entries`);
      for (const [key, item] of entries) {
        check(key, shape.key!, `${where} key`);
        check(item, shape.value!, `${where}.${key}`);
      }
      return;
    }
    case "string": {
      if (typeof value !== "string") refuse(`${where} must be a string, not ${describeValue(value)}`);
      if (shape.enum && !shape.enum.includes(value))
        refuse(`${where} must be one of ${shape.enum.join(" | ")}, not ${JSON.stringify(value).slice(0, 80)}`);
      if (shape.min !== undefined && value.length < shape.min)
        refuse(`${where} must be at least ${shape.min} characters`);
      if (shape.max !== undefined && value.length > shape.max)
        refuse(`${where} must be at most ${shape.max} characters`);
      return;
    }
    case "integer":
    case "long": {
      if (typeof value !== "number" || !Number.isInteger(value))
        refuse(`${where} must be an integer, not ${describeValue(value)}`);
      if (shape.min !== undefined && value < shape.min) refuse(`${where} must be at least ${shape.min}`);
      if (shape.max !== undefined && value > shape.max) refuse(`${where} must be at most ${shape.max}`);
      return;
    }
    case "float":
    case "double":
      if (typeof value !== "number" || !Number.isFinite(value))
        refuse(`${where} must be a number, not ${describeValue(value)}`);
      return;
    case "boolean":
      if (typeof value !== "boolean") refuse(`${where} must be true or false, not ${describeValue(value)}`);
      return;
    case "timestamp":
      if (typeof value !== "number") refuse(`${where} must be a timestamp, not ${describeValue(value)}`);
      return;
  }
}

/** Refuses a body that does not fit `operation`'s input shape. */
export function checkAdminInput(operation: string, body: Record<string, unknown>): void {
  const input = ADMIN_INPUTS[operation];
  if (!input) throw new Error(`no model input for ${operation}`);
  check(body, input, "");
}
