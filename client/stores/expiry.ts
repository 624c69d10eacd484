// Closed objects leave client stores after a while (DESIGN §9: 30 minutes): one sweep for every
// live collection that holds them.

/** Removes the items whose `leavesAt` time has passed; true when any left. */
export function dropExpired<T>(items: Map<string, T>, leavesAt: (item: T) => number | null, now = Date.now()): boolean {
  let changed = false;
  for (const [k, item] of items) {
    const leaves = leavesAt(item);
    if (leaves !== null && leaves <= now) changed = items.delete(k) || changed;
  }
  return changed;
}

/**
 * Keeps, per group, only the `limit` newest items (by `at`); items `group` answers null for, and
 * those `keep` holds, always stay. True when any left. (Resolved cases that are never closed must
 * not pile up on a screen that runs for weeks.)
 */
export function keepNewest<T>(
  items: Map<string, T>, group: (item: T) => string | null, at: (item: T) => number, limit: number, keep: (key: string) => boolean = () => false,
): boolean {
  const groups = new Map<string, [string, number][]>();
  for (const [k, item] of items) {
    const g = group(item);
    if (g === null || keep(k)) continue;
    let list = groups.get(g);
    if (!list) groups.set(g, (list = []));
    list.push([k, at(item)]);
  }
  let changed = false;
  for (const list of groups.values()) {
    if (list.length <= limit) continue;
    list.sort((a, b) => b[1] - a[1]);
    for (const [k] of list.slice(limit)) changed = items.delete(k) || changed;
  }
  return changed;
}
