import type { InventoryItem } from "../core/types.js";

/**
 * The key each job definition has in `migrate-usage.yml`, by inventory id: its name, qualified by its source file
 * (`path#name`) only when another definition has the same name, and by line as well when both are in one file.
 * Keys depend only on names and paths, so they stay the same from one `init` to the next.
 */
export function usageKeys(definitions: readonly InventoryItem[]): Map<string, string> {
  const byName = new Map<string, InventoryItem[]>();
  for (const item of definitions) byName.set(item.name, [...(byName.get(item.name) ?? []), item]);
  const keys = new Map<string, string>();
  for (const [name, items] of byName) {
    if (items.length === 1) {
      keys.set(items[0]!.id, name);
      continue;
    }
    const perPath = new Map<string, number>();
    for (const item of items) perPath.set(item.source.path, (perPath.get(item.source.path) ?? 0) + 1);
    for (const item of items) {
      const where = perPath.get(item.source.path)! > 1 ? `${item.source.path}:${item.source.line}` : item.source.path;
      keys.set(item.id, `${where}#${name}`);
    }
  }
  return keys;
}
