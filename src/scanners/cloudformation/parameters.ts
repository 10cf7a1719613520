// Template parameters with a scalar `Default`, and the substitution of `Ref`s to them in the properties of Batch
// resources: a job definition sized by `!Ref JobVcpus` runs with the default unless the stack is deployed with
// another value. Lists (`CommaDelimitedList`, `List<…>`) and SSM parameter types are left as references.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html
import { isMap, isPair, type Document } from "yaml";
import type { LiteralValue } from "../../core/types.js";
import { mapGet, pairKey, toLiteral } from "./yaml-tree.js";

type Scalar = string | number | boolean;

/** `Parameters.<name>.Default` of a template, for scalar-typed parameters. */
export function parameterDefaults(document: Document.Parsed): Map<string, Scalar> {
  const defaults = new Map<string, Scalar>();
  const parameters = mapGet(document.contents, "Parameters");
  if (!isMap(parameters)) return defaults;
  for (const pair of parameters.items) {
    if (!isPair(pair)) continue;
    const name = pairKey(pair);
    const type = toLiteral(mapGet(pair.value, "Type"));
    const value = toLiteral(mapGet(pair.value, "Default"));
    if (!name || (typeof type === "string" && /List|AWS::SSM::/.test(type))) continue;
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") defaults.set(name, value);
  }
  return defaults;
}

/** The value with every `{ "Ref": "<parameter>" }` whose parameter has a default replaced by that default. */
export function substituteParameters(value: LiteralValue, defaults: Map<string, Scalar>): LiteralValue {
  if (defaults.size === 0 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => substituteParameters(item, defaults));
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === "Ref" && typeof value.Ref === "string" && defaults.has(value.Ref))
    return defaults.get(value.Ref)!;
  const out: Record<string, LiteralValue> = {};
  for (const [key, item] of Object.entries(value)) out[key] = substituteParameters(item, defaults);
  return out;
}
