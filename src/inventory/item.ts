import type { InventoryItem, ResourceKind, ResourceSource } from "../core/types.js";
import type { Normalized, PropertyBag } from "./types.js";

/**
 * Places one normalised declaration in the inventory; its id is `<kind>:<path>#<address or name>`. A declaration
 * with neither a name nor an address is named after its file, or after its line where one file may hold several
 * (`byLine`: CloudFormation built in code with computed logical ids).
 */
export function createInventoryItem(
  kind: ResourceKind,
  source: ResourceSource,
  normalized: Normalized<object>,
  { byLine = false }: { byLine?: boolean } = {},
): InventoryItem {
  const name = normalized.name ?? source.address ?? (byLine ? `${source.path}:${source.line}` : source.path);
  return {
    id: `${kind}:${source.path}#${source.address ?? name}`,
    kind,
    name,
    source,
    properties: normalized.properties as PropertyBag,
    unresolved: normalized.unresolved,
  };
}
