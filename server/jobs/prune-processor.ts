// Closed objects leave the live projections after 7 days (DESIGN §2): closed and cancelled
// incidents and cleared alerts are taken out of their (jurisdiction, state) indexes once their
// last change is older than that. The objects stay readable by id, their timelines and the log
// keep everything. Index scores are the time of the last change, so one ZREMRANGEBYSCORE per
// (jurisdiction, state) does it, without scanning.
import type { Redis } from 'ioredis';
import type { JurisdictionTree } from '../geo/types.js';
import { keys } from '../store/keys.js';

export const CLOSED_KEPT_MS = 7 * 24 * 3600_000;
const LEVELS = ['city', 'district', 'street', 'community', 'grid'] as const;

export interface PruneResult { removed: number; indexes: number }

export async function pruneClosed(redis: Redis, tree: JurisdictionTree, now = Date.now()): Promise<PruneResult> {
  const cutoff = `(${now - CLOSED_KEPT_MS}`;
  const ids = LEVELS.flatMap((l) => tree.idsAt(l));
  const indexKeys = ids.flatMap((j) => [keys.incidentsByStatus(j, 'closed'), keys.incidentsByStatus(j, 'cancelled'), keys.alertsByState(j, 'cleared')]);
  let removed = 0;
  for (let i = 0; i < indexKeys.length; i += 500) {
    const p = redis.pipeline();
    for (const k of indexKeys.slice(i, i + 500)) p.zremrangebyscore(k, '-inf', cutoff);
    for (const [err, n] of (await p.exec()) ?? []) {
      if (err) throw err;
      removed += Number(n);
    }
  }
  return { removed, indexes: indexKeys.length };
}
