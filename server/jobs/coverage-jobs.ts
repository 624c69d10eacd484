// Patrol coverage gaps (DESIGN §8), the I/O half of server/alerts/coverage-rules.ts: the
// `coverage` maintenance job runs every sampling interval (1 min). It samples where the units on
// duty are (latest fix fresh, inside a grid), then judges the top-risk cells of the last full
// risk pass (risk:top) on their presence over the window, raising one coverage_gap alert per cell
// (one open per subject `coverage:<grid>`) and clearing it once the cell is covered again or no
// longer among the top-risk cells.
import type { Alert, AlertOpenMarker, Unit } from '../../shared/objects.js';
import { checkCoverage, COVERAGE_KIND, coverageSubject, presenceMs, type CellCoverage, type CoverageRule } from '../alerts/coverage-rules.js';
import { DAILY, dailyField } from '../ingest/daily-ops.js';
import { utcDay } from '../ingest/stats-ops.js';
import type { JurisdictionTree } from '../geo/types.js';
import { keys, STATS_DAILY_TTL_SECONDS } from '../store/keys.js';
import { readObjects } from '../store/objects.js';
import type { ScriptedRedis } from '../store/scripts.js';
import { unitIdsInScopes, unitsById } from '../store/unit-queries.js';
import type { PositionStore } from '../telemetry/positions.js';
import type { WriteFact } from './fact-writer.js';

export interface CoverageDeps {
  redis: ScriptedRedis;
  positions: PositionStore;
  tree: JurisdictionTree;
  write: WriteFact;
  rule: CoverageRule;
  now?: () => number;
}

export interface CoverageRun { sampled: number; checked: number; raised: number; cleared: number }

const iso = (ms: number) => new Date(ms).toISOString();
const BY = 'worker/coverage';

export function createCoverageJobs(deps: CoverageDeps) {
  const { redis, positions, tree, write, rule } = deps;
  const now = deps.now ?? Date.now;

  /** Where the units on duty are now: one presence sample per unit inside a grid. */
  async function sample(t: number): Promise<number> {
    const units: Unit[] = await unitsById(redis, await unitIdsInScopes(redis, [tree.cityId]));
    const onDuty = units.filter((u) => u.status !== 'off_duty');
    const fixes = await positions.latest(onDuty.map((u) => u.id));
    const p = redis.pipeline();
    let n = 0;
    for (const u of onDuty) {
      const f = fixes.get(u.id);
      if (!f || t - Date.parse(f.at) > 1.5 * rule.sampleEveryMs) continue;
      const m = tree.locate(f.lat, f.lon, 0);
      if (!m || m.outOfArea) continue;
      const key = keys.patrolPresence(m.gridId);
      p.zadd(key, t, `${t}:${u.id}`);
      p.pexpire(key, 2 * rule.windowMs);
      p.hset(keys.patrolLastVisit, m.gridId, t);
      n++;
    }
    p.set(keys.patrolWatchedSince, t, 'NX');
    await p.exec();
    return n;
  }

  async function openAlert(gridId: string): Promise<Alert | null> {
    const marker = (await readObjects<AlertOpenMarker>(redis, [keys.alertOpen(COVERAGE_KIND, coverageSubject(gridId))])).values().next().value ?? null;
    if (!marker) return null;
    return (await readObjects<Alert>(redis, [keys.object('alert', marker.id)])).get(keys.object('alert', marker.id)) ?? null;
  }

  async function coverageOf(gridIds: readonly string[], t: number): Promise<CellCoverage[]> {
    const from = t - rule.windowMs;
    const p = redis.pipeline();
    for (const g of gridIds) {
      p.zremrangebyscore(keys.patrolPresence(g), '-inf', `(${from}`);
      p.zrangebyscore(keys.patrolPresence(g), from, '+inf', 'WITHSCORES');
      p.zremrangebyscore(keys.patrolCheckins(g), '-inf', `(${from}`);
      p.zrangebyscore(keys.patrolCheckins(g), from, '+inf', 'WITHSCORES');
    }
    const rows = gridIds.length ? ((await p.exec()) ?? []) : [];
    const last = gridIds.length ? await redis.hmget(keys.patrolLastVisit, ...gridIds) : [];
    return gridIds.map((gridId, i) => {
      const samples = ((rows[4 * i + 1]?.[1] ?? []) as string[]).filter((_, k) => k % 2 === 1).map(Number);
      const raw = (rows[4 * i + 3]?.[1] ?? []) as string[];
      const checkins: { at: number; dwellMs: number | null }[] = [];
      for (let k = 0; k + 1 < raw.length; k += 2) {
        const dwell = raw[k]!.slice(raw[k]!.lastIndexOf('|') + 1);
        checkins.push({ at: Number(raw[k + 1]), dwellMs: dwell === '' ? null : Number(dwell) });
      }
      const before = last[i] ? Number(last[i]) : null;
      return { gridId, samples, checkins, lastVisitBefore: before !== null && before < from ? before : null };
    });
  }

  async function clear(a: Alert, gridId: string, at: number): Promise<boolean> {
    const r = await write('alert.cleared', `clear.${a.id}`, iso(at), { alertId: a.id, by: BY, reason: 'cause_gone' });
    await redis.srem(keys.patrolGaps, gridId);
    return r.kind === 'accepted';
  }

  /** The run's coverage sample in the daily counters (see the header); once per sampling slot. */
  async function recordSample(cells: readonly CellCoverage[], t: number, watchedSince: number | null): Promise<void> {
    if (cells.length === 0 || watchedSince === null || t - watchedSince < rule.windowMs) return;
    const slot = Math.floor(t / rule.sampleEveryMs) * rule.sampleEveryMs;
    if ((await redis.set(keys.statsCoverageRun(slot), '1', 'PX', Math.max(2 * rule.sampleEveryMs, 60_000), 'NX')) !== 'OK') return;
    const day = utcDay(t);
    const hour = new Date(t).getUTCHours();
    const adds = new Map<string, [number, number]>();
    for (const c of cells) {
      const covered = presenceMs(c, rule) >= rule.minPresenceMs ? 1 : 0;
      for (const j of tree.chain(c.gridId)) {
        const n = adds.get(j) ?? [0, 0];
        adds.set(j, [n[0] + 1, n[1] + covered]);
      }
    }
    const p = redis.pipeline();
    for (const [j, [checked, covered]] of adds) {
      const key = keys.statsDaily(j, day);
      p.hincrby(key, dailyField(DAILY.coverageChecked, hour), checked);
      if (covered) p.hincrby(key, dailyField(DAILY.coverageCovered, hour), covered);
      p.expire(key, STATS_DAILY_TTL_SECONDS);
    }
    await p.exec();
  }

  async function coverage(): Promise<CoverageRun> {
    const t = now();
    const sampled = await sample(t);
    const raw = await redis.zrange(keys.riskTop, 0, -1, 'WITHSCORES');
    const top = new Map<string, number>();
    for (let i = 0; i + 1 < raw.length; i += 2) top.set(raw[i]!, Number(raw[i + 1]));
    const watched = await redis.get(keys.patrolWatchedSince);
    const watchedSince = watched === null ? null : Number(watched);
    let raised = 0;
    let cleared = 0;
    const cells = await coverageOf([...top.keys()], t);
    await recordSample(cells, t, watchedSince);
    for (const c of cells) {
      const v = checkCoverage(c, top.get(c.gridId) ?? 0, t, watchedSince, rule);
      const open = await openAlert(c.gridId);
      if (!v.gap) {
        if (open && open.state !== 'cleared' && await clear(open, c.gridId, t)) cleared++;
        continue;
      }
      if (open) continue;
      const district = tree.chain(c.gridId).find((j) => tree.get(j)?.level === 'district') ?? tree.cityId;
      const r = await write('alert.raised', `raise.${v.alertId}`, iso(t), {
        alertId: v.alertId, kind: COVERAGE_KIND, severity: 'warning', scope: district, subject: coverageSubject(c.gridId), evidence: v.evidence,
      });
      await redis.sadd(keys.patrolGaps, c.gridId);
      if (r.kind === 'accepted') raised++;
    }
    // cells that left the top-risk set: their gaps are no longer a concern
    for (const gridId of await redis.smembers(keys.patrolGaps)) {
      if (top.has(gridId)) continue;
      const open = await openAlert(gridId);
      if (open && open.state !== 'cleared') {
        if (await clear(open, gridId, t)) cleared++;
      } else await redis.srem(keys.patrolGaps, gridId);
    }
    return { sampled, checked: top.size, raised, cleared };
  }

  return { coverage };
}
