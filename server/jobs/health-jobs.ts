// The health alerts of DESIGN §8, as maintenance jobs on a schedule: `stale-units` (every 30 s)
// and `silent-feeds` (every 60 s). Like the timer processors: read state when they run, ask the
// pure rules (server/alerts/unit-rules.ts, feed-rules.ts), append alert facts through the commit
// path with ids derived from the cause. A retried or repeated run sends the same raise again and
// gets "duplicate", or is refused by the (kind, subject) marker while the alert is not cleared;
// the same job clears the alerts whose cause has gone (a fresh fix, off duty; a feed heard again).
import type { Alert, AlertOpenMarker, Unit } from '../../shared/objects.js';
import { checkFeed, DEFAULT_FEED_RULE, FEED_SILENT_KIND, feedCauseGone, feedSubject, type FeedRule, type FeedSilentEvidence, type FeedState } from '../alerts/feed-rules.js';
import { checkStaleUnit, latestFixMs, STALE_UNIT_KIND, staleUnitSubject } from '../alerts/unit-rules.js';
import type { JurisdictionTree } from '../geo/types.js';
import { keys } from '../store/keys.js';
import { readObjects } from '../store/objects.js';
import type { ScriptedRedis } from '../store/scripts.js';
import { unitIdsInScopes, unitsById } from '../store/unit-queries.js';
import type { PositionStore } from '../telemetry/positions.js';
import type { WriteFact } from './fact-writer.js';

export interface HealthSettings {
  /** a unit on duty without a fix for this long is stale (STALE_UNIT_SECONDS) */
  staleUnitMs: number;
  /** when a feed counts as silent */
  feed: FeedRule;
}

export const defaultHealthSettings = (staleUnitSeconds = 120, feedMinSilentSeconds = 600): HealthSettings => ({
  staleUnitMs: staleUnitSeconds * 1000,
  feed: { ...DEFAULT_FEED_RULE, minSilentMs: feedMinSilentSeconds * 1000 },
});

export interface HealthDeps {
  redis: ScriptedRedis;
  positions: PositionStore;
  tree: JurisdictionTree;
  write: WriteFact;
  settings: HealthSettings;
  now?: () => number;
}

export interface HealthRun { raised: number; cleared: number; checked: number }

const iso = (ms: number) => new Date(ms).toISOString();
const BY = 'worker/health';

/** The alerts behind the open markers of these subjects (null where none is open). */
async function openAlerts(redis: ScriptedRedis, kind: string, subjects: readonly string[]): Promise<(Alert | null)[]> {
  const markerKeys = subjects.map((s) => keys.alertOpen(kind, s));
  const markers = await readObjects<AlertOpenMarker>(redis, markerKeys);
  const ids = markerKeys.map((k) => markers.get(k)?.id ?? null);
  const alertKeys = ids.filter((x): x is string => x !== null).map((id) => keys.object('alert', id));
  const alerts = await readObjects<Alert>(redis, alertKeys);
  return ids.map((id) => (id ? alerts.get(keys.object('alert', id)) ?? null : null));
}

export function createHealthJobs(deps: HealthDeps) {
  const { redis, positions, tree, write, settings } = deps;
  const now = deps.now ?? Date.now;

  async function clear(a: Alert, at: number): Promise<boolean> {
    const r = await write('alert.cleared', `clear.${a.id}`, iso(at), { alertId: a.id, by: BY, reason: 'cause_gone' });
    return r.kind !== 'settled';
  }

  /** Every unit of the city: raise for the stale ones, clear the open alerts of the others. */
  async function staleUnits(): Promise<HealthRun> {
    const ids = [...await unitIdsInScopes(redis, [tree.cityId])];
    const units: Unit[] = await unitsById(redis, ids);
    const times = await positions.fixTimes(units.map((u) => u.id));
    const t = now();
    const open = await openAlerts(redis, STALE_UNIT_KIND, units.map((u) => staleUnitSubject(u.id)));
    let raised = 0;
    let cleared = 0;
    for (const [i, u] of units.entries()) {
      const v = checkStaleUnit(u, latestFixMs(times[i] ?? null, u), t, settings.staleUnitMs);
      const a = open[i] ?? null;
      if (!v.stale) {
        if (a && a.state !== 'cleared' && await clear(a, t)) cleared++;
        continue;
      }
      if (a) continue; // one open per (kind, subject): already raised
      const r = await write('alert.raised', `raise.${v.alertId}`, iso(v.since), {
        alertId: v.alertId, kind: STALE_UNIT_KIND, severity: v.severity, scope: v.scope, subject: staleUnitSubject(u.id), evidence: v.evidence,
      });
      if (r.kind === 'accepted') raised++;
    }
    return { raised, cleared, checked: units.length };
  }

  /** Every source heard by POST /events: raise for the silent ones, clear the open alerts of the others. */
  async function silentFeeds(): Promise<HealthRun> {
    const sources = await redis.zrange(keys.feeds, 0, -1);
    if (sources.length === 0) return { raised: 0, cleared: 0, checked: 0 };
    const p = redis.pipeline();
    for (const s of sources) p.hmget(keys.feed(s), 'last', 'gap', 'n');
    const rows = (await p.exec()) ?? [];
    const feeds: (FeedState | null)[] = sources.map((source, i) => {
      const [err, row] = rows[i] ?? [null, null];
      if (err) throw err;
      const [last, gap, n] = (row ?? []) as (string | null)[];
      if (!last) return null;
      return { source, lastMs: Number(last), gapMs: gap ? Number(gap) : null, n: n ? Number(n) : 0 };
    });
    const t = now();
    const open = await openAlerts(redis, FEED_SILENT_KIND, sources.map(feedSubject));
    let raised = 0;
    let cleared = 0;
    for (const [i, f] of feeds.entries()) {
      const a = open[i] ?? null;
      if (a && a.state !== 'cleared') {
        if (feedCauseGone(a.evidence as Partial<FeedSilentEvidence> | undefined, f, t, settings.feed) && await clear(a, f?.lastMs ?? t)) cleared++;
        continue;
      }
      if (!f) continue;
      const v = checkFeed(f, t, settings.feed);
      if (!v.silent) continue;
      const r = await write('alert.raised', `raise.${v.alertId}`, iso(Math.min(v.since, t)), {
        alertId: v.alertId, kind: FEED_SILENT_KIND, severity: 'warning', scope: tree.cityId, subject: v.subject, evidence: v.evidence,
      });
      if (r.kind === 'accepted') raised++;
    }
    return { raised, cleared, checked: sources.length };
  }

  return { staleUnits, silentFeeds };
}
