// GET /stats?metric=wall (DESIGN §4, §9; issue 8): the reads behind the wall screen. Everything
// comes from indexes and counters the commit path and the workers maintain — never from the log
// and never from SCAN/KEYS — and is computed by server/stats/wall-kpis.ts:
// - incident counts (today, yesterday same time, hourly today and 7-day baseline, categories): the
//   count-spike series `spikecount:<district>:<category>` (hourly, UTC hour starts; the worker's
//   `count` jobs), summed over the districts of the scope — or, for a scope below district level,
//   of the district containing it (answered in `countsScope`). Reports the worker has not counted
//   yet are not in them (it counts within seconds).
// - open P1: the status indexes `idx:incident:<scope>:<open status>` and the incidents' objects.
// - units: `idx:unit:<scope>` and the units' objects; stale: checkStaleUnit with the telemetry fix times.
// - response times: the commit's `stats:dispatch|arrival:<scope>:<UTC day>` sets (stats-ops.ts),
//   scored by fact time, read over [local midnight, now].
// - disputes: the case indexes (readScopeCases in server/http/stats-routes.ts).
// - district risk: the latest indicators `risk:ind`, rolled up one level below the scope.
// - coverage: `risk:top`, and the presence samples and check-ins of each top cell over 2 hours.
import type { Redis } from 'ioredis';
import type { Unit } from '../../shared/objects.js';
import type { IndicatorLevel, CellIndicator } from '../../shared/risk.js';
import { slaTargetSeconds } from '../../shared/sla.js';
import type { WallStats } from '../../shared/wall.js';
import type { PublicUser } from '../../shared/api.js';
import { DEFAULT_COVERAGE_RULE, type CoverageRule } from '../alerts/coverage-rules.js';
import { checkStaleUnit, latestFixMs } from '../alerts/unit-rules.js';
import { inScope } from '../auth/scope.js';
import type { JurisdictionTree } from '../geo/types.js';
import { parseStored } from '../risk/indicator-values.js';
import { rollUp } from '../risk/rollup.js';
import { parseResponseMember, utcDay } from '../ingest/stats-ops.js';
import { keys } from '../store/keys.js';
import { logHead } from '../store/log.js';
import { unitsInScopes } from '../store/unit-queries.js';
import type { PositionStore } from '../telemetry/positions.js';
import { readScopeCases } from '../http/stats-routes.js';
import {
  addDays, BASELINE_DAYS, categoryCounts, coverageOf, DAY_MS, dayFrame, disputeKpis, hourlySeries, localMidnight,
  RESOLUTION_WINDOW_DAYS, responseKpis, type Arrival, type TopCell,
} from './wall-kpis.js';

export interface WallDeps {
  redis: Redis;
  tree: JurisdictionTree;
  positions: PositionStore;
  timeZone: string;
  /** a unit on duty without a fix for this long is stale (STALE_UNIT_SECONDS) */
  staleUnitSeconds: number;
  coverageRule?: CoverageRule;
}

const BUSY: ReadonlySet<string> = new Set(['dispatched', 'en_route', 'on_scene', 'busy']);
const CHILD_LEVEL: Record<string, IndicatorLevel> = { city: 'district', district: 'street', street: 'community', community: 'grid', grid: 'grid' };

/** The districts the incident counts of the scopes come from: those under them, or the one containing a lower scope. */
export function countDistricts(tree: JurisdictionTree, scopes: readonly string[]): { districts: Set<string>; widened: boolean } {
  const districts = new Set<string>();
  let widened = false;
  for (const d of tree.idsAt('district')) if (tree.chain(d).some((j) => scopes.includes(j))) districts.add(d);
  for (const s of scopes) {
    const level = tree.get(s)?.level;
    if (level === 'city' || level === 'district') continue;
    const d = tree.chain(s).find((j) => tree.get(j)?.level === 'district');
    if (d) { districts.add(d); widened = true; }
  }
  return { districts, widened };
}

async function incidentCounts(redis: Redis, districts: ReadonlySet<string>, now: number, timeZone: string) {
  const series = await redis.zrange(keys.spikeSeries, 0, -1, 'WITHSCORES');
  let since: number | null = null;
  const mine: [string, string][] = [];
  for (let i = 0; i + 1 < series.length; i += 2) {
    const score = Number(series[i + 1]);
    if (since === null || score < since) since = score;
    try {
      const [d, c] = JSON.parse(series[i]!) as [string, string];
      if (districts.has(d)) mine.push([d, c]);
    } catch { /* not a series id */ }
  }
  // the hours of today and of the baseline days (local days, mapped to UTC hour starts)
  const { day } = dayFrame(now, timeZone);
  const from = localMidnight(addDays(day, -BASELINE_DAYS), timeZone);
  const to = localMidnight(addDays(day, 1), timeZone);
  const fields: string[] = [];
  for (let t = Math.floor(from / 3_600_000) * 3_600_000; t < to; t += 3_600_000) fields.push(String(t));
  const p = redis.pipeline();
  for (const [d, c] of mine) p.hmget(keys.spikeCounts(d, c), ...fields);
  const replies = mine.length ? ((await p.exec()) ?? []) : [];
  const total = new Map<number, number>();
  const byCategory = new Map<string, Map<number, number>>();
  replies.forEach(([err, vals], i) => {
    if (err) throw err;
    const cat = mine[i]![1];
    let m = byCategory.get(cat);
    if (!m) byCategory.set(cat, (m = new Map()));
    (vals as (string | null)[]).forEach((v, k) => {
      const n = v === null ? 0 : Number(v);
      if (!n) return;
      const t = Number(fields[k]);
      total.set(t, (total.get(t) ?? 0) + n);
      m.set(t, (m.get(t) ?? 0) + n);
    });
  });
  return { hourly: hourlySeries(total, now, timeZone, since), categories: categoryCounts(byCategory, now, timeZone) };
}

/** Open priority-1 incidents in the user's scopes (not duplicates), from the per-priority index: no object is read. */
async function openP1(redis: Redis, scopes: readonly string[]): Promise<number> {
  const p = redis.pipeline();
  for (const s of scopes) p.zrange(keys.incidentsOpenByPriority(s, 1), 0, -1);
  const ids = new Set<string>();
  for (const [err, m] of (await p.exec()) ?? []) {
    if (err) throw err;
    for (const id of m as string[]) ids.add(id);
  }
  return ids.size;
}

async function unitCounts(deps: WallDeps, scopes: readonly string[], now: number) {
  const units: Unit[] = await unitsInScopes(deps.redis, scopes);
  const times = await deps.positions.fixTimes(units.map((u) => u.id));
  let available = 0, busy = 0, offDuty = 0, stale = 0;
  units.forEach((u, i) => {
    if (u.status === 'available') available++;
    else if (BUSY.has(u.status)) busy++;
    else if (u.status === 'off_duty') offDuty++;
    if (checkStaleUnit(u, latestFixMs(times[i] ?? null, u), now, deps.staleUnitSeconds * 1000).stale) stale++;
  });
  return { unitsAvailable: available, unitsBusy: busy, unitsOffDuty: offDuty, unitsStale: stale };
}

/** Today's first dispatches and arrivals: [local midnight, next local midnight), over the UTC days that span. */
async function responses(redis: Redis, scopes: readonly string[], dayStart: number, dayEnd: number) {
  const days = [...new Set([utcDay(dayStart), utcDay(dayEnd - 1)])];
  const p = redis.pipeline();
  for (const s of scopes) {
    for (const d of days) {
      p.zrangebyscore(keys.statsDispatch(s, d), dayStart, `(${dayEnd}`);
      p.zrangebyscore(keys.statsArrival(s, d), dayStart, `(${dayEnd}`);
    }
  }
  const dispatch = new Set<string>();
  const arrival = new Set<string>();
  ((await p.exec()) ?? []).forEach(([err, m], i) => {
    if (err) throw err;
    for (const x of m as string[]) (i % 2 === 0 ? dispatch : arrival).add(x);
  });
  const dispatchSeconds = [...dispatch].flatMap((m) => { const r = parseResponseMember(m, false); return r ? [r.seconds] : []; });
  const arrivals: Arrival[] = [...arrival].flatMap((m) => {
    const r = parseResponseMember(m, true);
    return r && r.targetSeconds !== null ? [{ seconds: r.seconds, targetSeconds: r.targetSeconds }] : [];
  });
  return responseKpis(dispatchSeconds, arrivals, slaTargetSeconds(1, 'urban'));
}

async function readCells(redis: Redis, tree: JurisdictionTree, scopes: readonly string[]): Promise<CellIndicator[]> {
  const out: CellIndicator[] = [];
  const take = (raw: string | null | undefined) => { const s = parseStored(raw); if (s) out.push(s.cell); };
  if (scopes.includes(tree.cityId)) {
    for (const raw of Object.values(await redis.hgetall(keys.riskIndicators))) take(raw);
    return out;
  }
  const grids = tree.idsAt('grid').filter((g) => tree.chain(g).some((j) => scopes.includes(j)));
  for (let i = 0; i < grids.length; i += 2_000) {
    const chunk = grids.slice(i, i + 2_000);
    if (chunk.length) for (const raw of await redis.hmget(keys.riskIndicators, ...chunk)) take(raw);
  }
  return out;
}

async function districtRisk(redis: Redis, tree: JurisdictionTree, scopes: readonly string[]): Promise<WallStats['districtRisk']> {
  const levels = scopes.map((s) => tree.get(s)?.level ?? 'city');
  const level = scopes.length === 1 ? CHILD_LEVEL[levels[0]!]! : 'district';
  const cells = (await readCells(redis, tree, scopes)).filter((c) => c.crimeRisk > 0 || c.instabilityRisk > 0);
  return rollUp(level, cells, tree).map((r) => ({ id: r.id, name: r.name, crimeRisk: r.crimeRisk, instabilityRisk: r.instabilityRisk, hotCells: r.hotCells }));
}

async function coverage(redis: Redis, tree: JurisdictionTree, scopes: readonly string[], now: number, rule: CoverageRule): Promise<WallStats['coverage']> {
  const raw = await redis.zrange(keys.riskTop, 0, -1, 'WITHSCORES');
  const top: { gridId: string; crimeRisk: number }[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (tree.chain(raw[i]!).some((j) => scopes.includes(j))) top.push({ gridId: raw[i]!, crimeRisk: Number(raw[i + 1]) });
  }
  if (top.length === 0) return coverageOf([], rule);
  const from = now - rule.windowMs;
  const p = redis.pipeline();
  for (const c of top) {
    p.zrangebyscore(keys.patrolPresence(c.gridId), from, now, 'WITHSCORES');
    p.zrangebyscore(keys.patrolCheckins(c.gridId), from, now, 'WITHSCORES');
  }
  const rows = (await p.exec()) ?? [];
  const last = await redis.hmget(keys.patrolLastVisit, ...top.map((c) => c.gridId));
  const cells: TopCell[] = top.map((c, i) => {
    const samples = ((rows[2 * i]?.[1] ?? []) as string[]).filter((_, k) => k % 2 === 1).map(Number);
    const ck = (rows[2 * i + 1]?.[1] ?? []) as string[];
    const checkins: { at: number; dwellMs: number | null }[] = [];
    for (let k = 0; k + 1 < ck.length; k += 2) {
      const dwell = ck[k]!.slice(ck[k]!.lastIndexOf('|') + 1);
      checkins.push({ at: Number(ck[k + 1]), dwellMs: dwell === '' ? null : Number(dwell) });
    }
    const before = last[i] ? Number(last[i]) : null;
    return {
      gridId: c.gridId, crimeRisk: c.crimeRisk, name: tree.get(c.gridId)?.name ?? c.gridId, samples, checkins,
      lastVisitBefore: before !== null && before < from ? before : null,
    };
  });
  return coverageOf(cells, rule);
}

/** The wall's statistics for the scopes (already checked visible to the user) at `now`. */
export async function wallStats(deps: WallDeps, user: Pick<PublicUser, 'scopes'>, scopes: readonly string[], now = Date.now()): Promise<WallStats> {
  const { redis, tree, timeZone } = deps;
  const { asOfSeq } = await logHead(redis);
  const { day, dayStart } = dayFrame(now, timeZone);
  const { districts, widened } = countDistricts(tree, scopes);
  const [counts, p1, units, resp, cases, risk, cov] = await Promise.all([
    incidentCounts(redis, districts, now, timeZone),
    openP1(redis, scopes),
    unitCounts(deps, scopes, now),
    responses(redis, scopes, dayStart, localMidnight(addDays(day, 1), timeZone)),
    readScopeCases(redis, scopes, now - (RESOLUTION_WINDOW_DAYS + 1) * DAY_MS),
    districtRisk(redis, tree, scopes),
    coverage(redis, tree, scopes, now, deps.coverageRule ?? DEFAULT_COVERAGE_RULE),
  ]);
  const disputes = disputeKpis(cases.cases.filter((c) => inScope(user, c.jurisdiction)), now);
  return {
    metric: 'wall',
    scope: scopes.join(','),
    day,
    dayStart: new Date(dayStart).toISOString(),
    timeZone,
    asOf: new Date(now).toISOString(),
    asOfSeq,
    kpis: {
      incidentsToday: counts.hourly.incidentsToday,
      incidentsYesterdaySameTime: counts.hourly.incidentsYesterdaySameTime,
      openP1: p1,
      medianDispatchSeconds: resp.medianDispatchSeconds,
      medianArrivalSeconds: resp.medianArrivalSeconds,
      arrivalTargetSeconds: slaTargetSeconds(1, 'urban'),
      onTimeRate: resp.onTimeRate,
      ...units,
      disputesOpen: disputes.disputesOpen,
      disputesOverdue: disputes.disputesOverdue,
      medianHoursToResolution: disputes.medianHoursToResolution,
    },
    ...(widened ? { countsScope: [...districts].sort() } : {}),
    hourly: { today: counts.hourly.today, baseline: counts.hourly.baseline, baselineDays: counts.hourly.baselineDays },
    categories: counts.categories,
    responseTimes: resp.responseTimes,
    disputeFunnel: disputes.disputeFunnel,
    districtRisk: risk,
    coverage: cov,
  };
}
