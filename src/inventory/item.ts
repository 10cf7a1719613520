import type { InventoryItem, ResourceKind, ResourceSource } from "../core/types.js";
import type { Normalized, PropertyBag } from "./types.js";

/** Places one normalised declaration in the inventory; its id is `<kind>:<path>#<address or name>`. */
export function createInventoryItem(
  kind: ResourceKind,
  source: ResourceSource,
  normalized: Normalized<object>,
): InventoryItem {
  const name = normalized.name ?? source.address ?? source.path;
  return {
    id: `${kind}:${source.path}#${source.address ?? name}`,
    kind,
    name,
    source,
    properties: normalized.properties as PropertyBag,
    unresolved: normalized.unresolved,
  };
}
