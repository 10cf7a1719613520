// The JSON schemas in schema/, compiled for the tests that check a report or a SARIF log against them.
import { readFileSync } from "node:fs";
import path from "node:path";
import { Ajv } from "ajv";

const SCHEMAS = path.join(import.meta.dirname, "../../schema");

export function schemaValidator(file: string, draft04 = false) {
  const schema = JSON.parse(readFileSync(path.join(SCHEMAS, file), "utf8")) as Record<string, unknown>;
  if (draft04) {
    // The SARIF schema is draft-04: ajv 8 reads it once the draft-04 keywords are renamed.
    delete schema.$schema;
    schema.$id = schema.id;
    delete schema.id;
  }
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addFormat("uri", /^[a-z][a-z0-9+.-]*:/i);
  ajv.addFormat("uri-reference", /^\S*$/);
  ajv.addFormat("date-time", (value: string) => !Number.isNaN(Date.parse(value)));
  return ajv.compile(schema);
}

/** The report schema and the SARIF 2.1.0 schema. */
export const validateReport = () => schemaValidator("report.schema.json");
export const validateSarif = () => schemaValidator("sarif-schema-2.1.0.json", true);
