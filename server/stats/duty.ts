// The duty desk's reads (GET /duty, DESIGN §9; issue 8) and the roster the escalation of
// unacknowledged critical alerts uses (DESIGN §8): the roster is one JSON string in Redis
// (`duty:roster`, shared/wall.ts dutyRosterSchema), the handovers come from the index and hash the
// commit of each `duty.handover` writes (server/ingest/stats-ops.ts) — never from the log.
import type { Redis } from 'ioredis';
import { dutyRosterSchema, type DutyRoster, type Handover } from '../../shared/wall.js';
import type { JurisdictionTree } from '../geo/types.js';
import type { StoredHandover } from '../ingest/stats-ops.js';
import { keys } from '../store/keys.js';
import { onDuty, shiftAt } from './wall-kpis.js';

/** The latest handovers listed. */
export const HANDOVERS_SHOWN = 10;

/** The stored roster; null when there is none or it does not parse. */
export async function readRoster(redis: Redis): Promise<DutyRoster | null> {
  const raw = await redis.get(keys.dutyRoster);
  if (!raw) return null;
  try {
    const r = dutyRosterSchema.safeParse(JSON.parse(raw));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

export async function writeRoster(redis: Redis, roster: DutyRoster): Promise<void> {
  await redis.set(keys.dutyRoster, JSON.stringify(roster));
}

/** The demo roster: the city's `duty` and `leader`, each district's `duty-<district>` and `leader`. */
export function demoRoster(tree: JurisdictionTree): DutyRoster {
  const scopes: DutyRoster['scopes'] = { [tree.cityId]: { duty_officer: ['duty'], leader: ['leader'] } };
  for (const d of tree.idsAt('district')) scopes[d] = { duty_officer: [`duty-${d}`], leader: ['leader'] };
  return { scopes };
}

/** The username of the leader on duty for a jurisdiction at `now`, or null when the roster names none. */
export async function leaderOnDuty(redis: Redis, tree: JurisdictionTree, jurisdiction: string, now: number, timeZone: string): Promise<string | null> {
  const roster = await readRoster(redis);
  return onDuty(roster, tree.chain(jurisdiction), 'leader', shiftAt(now, timeZone).date);
}

/** The latest handovers recorded in any of the scopes (their chains), newest first, with their seqs. */
export async function latestHandovers(redis: Redis, scopes: readonly string[], limit = HANDOVERS_SHOWN): Promise<Handover[]> {
  const p = redis.pipeline();
  for (const s of scopes) p.zrevrange(keys.handoversIn(s), 0, limit - 1, 'WITHSCORES');
  const found = new Map<string, number>();
  for (const [err, flat] of (await p.exec()) ?? []) {
    if (err) throw err;
    const f = flat as string[];
    for (let i = 0; i + 1 < f.length; i += 2) found.set(f[i]!, Number(f[i + 1]));
  }
  const ids = [...found.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? 1 : -1)).slice(0, limit).map(([id]) => id);
  if (ids.length === 0) return [];
  const raws = await redis.hmget(keys.handovers, ...ids);
  const out: Handover[] = [];
  ids.forEach((id, i) => {
    const raw = raws[i];
    if (!raw) return;
    const sp = raw.indexOf(' ');
    try {
      const h = JSON.parse(raw.slice(sp + 1)) as StoredHandover;
      out.push({ id, seq: raw.slice(0, sp), ...h });
    } catch { /* a damaged record is left out */ }
  });
  return out;
}
