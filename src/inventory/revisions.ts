import type { InventoryItem } from "../core/types.js";

const revisionOf = (item: InventoryItem) =>
  typeof item.properties.revision === "number" ? item.properties.revision : -1;

/**
 * AWS Batch keeps every revision of a job definition; a job submitted by name runs the latest ACTIVE one. Of the
 * revisions of one name, that one represents the job definition (or the latest when none is ACTIVE); the others
 * are marked `superseded` so they are listed but not priced or migrated.
 */
export function markSupersededRevisions(items: InventoryItem[]): void {
  const byName = new Map<string, InventoryItem[]>();
  for (const item of items) {
    if (item.kind !== "job-definition" || typeof item.properties.revision !== "number") continue;
    const key = `${item.source.path}\u0000${item.name}`;
    byName.set(key, [...(byName.get(key) ?? []), item]);
  }
  for (const revisions of byName.values()) {
    if (revisions.length < 2) continue;
    const active = revisions.filter(
      (item) => item.properties.status === undefined || item.properties.status === "ACTIVE",
    );
    const current = (active.length > 0 ? active : revisions).reduce((best, item) =>
      revisionOf(item) > revisionOf(best) ? item : best,
    );
    for (const item of revisions) {
      if (item === current) continue;
      item.properties.superseded = true;
      item.properties.supersededBy = current.id;
    }
  }
}
