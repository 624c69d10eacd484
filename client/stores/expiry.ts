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
