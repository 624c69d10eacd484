// The leader view's reads (issue 9; DESIGN §1, §4, §9): GET /stats?metric=leader and
// metric=rankings, GET /reports/daily, GET/PUT /targets. Computations are in leader-kpis.ts.
// Never the log, never SCAN/KEYS:
// - indicators and their trends: the daily counter hashes `stats:daily:<scope>:<UTC day>`
//   (server/ingest/daily-ops.ts, coverage samples from server/jobs/coverage-jobs.ts): one pipelined
//   HMGET per scope and UTC day (91 for 90 local days) — the work does not depend on the log.
//   The exception is repeatRate: whether a case repeats an earlier one (same place, parties or
//   petitioner within 90 days) needs the earlier cases, which the commit does not read, so it comes
//   from the case indexes as in GET /stats?metric=governance (readScopeCases: open cases and those
//   changed in the 90 + 91 days; at most MAX_CASES) — its work grows with the cases in scope, not the log.
// - rankings: the latest indicators `risk:ind` rolled up (server/risk/rollup.ts) and the open cases
//   located in the scope (case indexes per open stage) judged overdue now.
// - the daily report: the day's counter hashes (HGETALL: categories, priorities and alert kinds
//   are open-ended), the response-time sets of stats-ops, the handover index and hash, the open
//   cases, the latest indicators.
import type { Redis } from 'ioredis';
import type { PublicUser } from '../../shared/api.js';
import { isOpenStage, OPEN_STAGES, type GovCase } from '../../shared/governance.js';
import {
  DEFAULT_TARGETS, SERIES_DAYS, type DailyReport, type LeaderStats, type RankingBy, type Rankings, type TargetsResponse, type TargetsUpdate,
} from '../../shared/leader.js';
import type { CellIndicator, IndicatorLevel } from '../../shared/risk.js';
import type { Handover } from '../../shared/wall.js';
import { inScope } from '../auth/scope.js';
import type { JurisdictionTree } from '../geo/types.js';
import { caseKey, isOverdue, median, repeatCaseKeys, REPEAT_DAYS } from '../governance/indicators.js';
import { earlierPetitionsOfPetitioners, readScopeCases } from '../http/stats-routes.js';
import { DAILY } from '../ingest/daily-ops.js';
import { parseResponseMember, type StoredHandover } from '../ingest/stats-ops.js';
import { parseStored } from '../risk/indicator-values.js';
import { rollUp } from '../risk/rollup.js';
import { keys } from '../store/keys.js';
import { logHead } from '../store/log.js';
import { readObjects } from '../store/objects.js';
import {
  dailyTotals, effectiveTargets, hourFields, indicatorValues, lastDays, prefixedTotals, rankRows, ratio, sumSeries, utcDaysOf, type DayHash,
} from './leader-kpis.js';
import { addDays, DAY_MS, localDate, localMidnight } from './wall-kpis.js';

export interface LeaderDeps {
  redis: Redis;
  tree: JurisdictionTree;
  timeZone: string;
}

const CHUNK = 1_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** The scopes without those inside another of them (a nested scope would count twice). */
export function outerScopes(tree: JurisdictionTree, scopes: readonly string[]): string[] {
  return [...new Set(scopes)].filter((s) => !tree.chain(s).some((j) => j !== s && scopes.includes(j)));
}

// --- targets ---

export async function readTargets(redis: Redis): Promise<TargetsResponse> {
  const raw = await redis.get(keys.leaderTargets);
  let stored: unknown;
  try { stored = raw ? JSON.parse(raw) : null; } catch { stored = null; }
  return { ...effectiveTargets(stored), defaults: { ...DEFAULT_TARGETS } };
}

export async function writeTargets(redis: Redis, update: TargetsUpdate, by: string, now = Date.now()): Promise<TargetsResponse> {
  const current = await readTargets(redis);
  const record = { targets: { ...current.targets, ...update }, updatedAt: iso(now), updatedBy: by };
  await redis.set(keys.leaderTargets, JSON.stringify(record));
  return { ...record, defaults: { ...DEFAULT_TARGETS } };
}

// --- counters ---

/** Day hashes of the scopes for the UTC days (HMGET of `fields`, or HGETALL when null), summed over the scopes. */
async function readDayHashes(redis: Redis, scopes: readonly string[], utcDays: readonly string[], fields: readonly string[] | null): Promise<Map<string, DayHash>> {
  const p = redis.pipeline();
  for (const s of scopes) for (const d of utcDays) {
    if (fields) p.hmget(keys.statsDaily(s, d), ...fields);
    else p.hgetall(keys.statsDaily(s, d));
  }
  const replies = (await p.exec()) ?? [];
  const out = new Map<string, Record<string, string>>();
  let i = 0;
  for (let k = 0; k < scopes.length; k++) for (const d of utcDays) {
    const [err, val] = replies[i++]!;
    if (err) throw err;
    const rec: Record<string, string | null> = fields
      ? Object.fromEntries(fields.map((f, n) => [f, (val as (string | null)[])[n] ?? null]))
      : (val as Record<string, string>);
    const sum = out.get(d) ?? {};
    for (const [f, v] of Object.entries(rec)) {
      if (v === null) continue;
      const n = Number(v);
      if (Number.isFinite(n)) sum[f] = String(Number(sum[f] ?? 0) + n);
    }
    out.set(d, sum);
  }
  return out;
}

const KPI_COUNTERS = [
  DAILY.arrivals, DAILY.arrivalsOnTime, DAILY.resolvedJudged, DAILY.resolvedOnTime, DAILY.ratings, DAILY.ratingSum,
  DAILY.coverageChecked, DAILY.coverageCovered, DAILY.incidents, DAILY.disputesOpened, DAILY.petitionsOpened,
  DAILY.disputesResolved, DAILY.petitionsResolved,
];

/** Per local date (the 90 of `dates`): disputes and petitions opened, and of them repeats — from the case indexes. */
async function repeatSeries(deps: LeaderDeps, user: Pick<PublicUser, 'scopes'>, scopes: readonly string[], dates: readonly string[], now: number) {
  const { redis, timeZone } = deps;
  const from = localMidnight(dates[0]!, timeZone);
  const read = await readScopeCases(redis, scopes, from - (REPEAT_DAYS + 1) * DAY_MS);
  const cases = read.cases.filter((c) => inScope(user, c.jurisdiction));
  const w = { from, to: now + 1, now };
  const elsewhere = await earlierPetitionsOfPetitioners(redis, cases, w);
  const repeat = repeatCaseKeys([...cases, ...elsewhere], w);
  const index = new Map(dates.map((d, i) => [d, i]));
  const opened = dates.map(() => 0);
  const repeats = dates.map(() => 0);
  for (const c of cases) {
    if (c.kind === 'supervision') continue;
    const t = Date.parse(c.openedAt);
    if (!(t >= from && t <= now)) continue;
    const i = index.get(localDate(t, timeZone));
    if (i === undefined) continue;
    opened[i]!++;
    if (repeat.has(caseKey(c))) repeats[i]!++;
  }
  return { opened, repeats, truncated: read.truncated };
}

/** GET /stats?metric=leader */
export async function leaderStats(deps: LeaderDeps, user: Pick<PublicUser, 'scopes'>, scopes: readonly string[], now = Date.now()): Promise<LeaderStats> {
  const { redis, tree, timeZone } = deps;
  const { asOfSeq } = await logHead(redis);
  const outer = outerScopes(tree, scopes);
  const day = localDate(now, timeZone);
  const dates = lastDays(day, SERIES_DAYS);
  const [hashes, { targets }, rep] = await Promise.all([
    readDayHashes(redis, outer, utcDaysOf(dates, timeZone), hourFields(KPI_COUNTERS)),
    readTargets(redis),
    repeatSeries(deps, user, outer, dates, now),
  ]);
  const t = dailyTotals(hashes, dates, timeZone, KPI_COUNTERS);
  const c = (name: string) => t.get(name)!;
  return {
    metric: 'leader', scope: scopes.join(','), day, firstDay: dates[0]!, timeZone, asOf: iso(now), asOfSeq,
    indicators: [
      indicatorValues('onTimeArrival', c(DAILY.arrivalsOnTime), c(DAILY.arrivals), targets),
      indicatorValues('onTimeResolution', c(DAILY.resolvedOnTime), c(DAILY.resolvedJudged), targets),
      indicatorValues('repeatRate', rep.repeats, rep.opened, targets),
      indicatorValues('coverage', c(DAILY.coverageCovered), c(DAILY.coverageChecked), targets),
      indicatorValues('satisfaction', c(DAILY.ratingSum), c(DAILY.ratings), targets),
    ],
    counts: {
      incidents: c(DAILY.incidents),
      arrivals: c(DAILY.arrivals),
      casesOpened: sumSeries(c(DAILY.disputesOpened), c(DAILY.petitionsOpened)),
      casesResolved: sumSeries(c(DAILY.disputesResolved), c(DAILY.petitionsResolved)),
    },
    repeatTruncated: rep.truncated,
  };
}

// --- indicators and overdue cases ---

/** The latest indicators of the grids under the scopes. */
export async function readScopeCells(redis: Redis, tree: JurisdictionTree, scopes: readonly string[]): Promise<CellIndicator[]> {
  const out: CellIndicator[] = [];
  const take = (raw: string | null | undefined) => {
    const s = parseStored(raw);
    if (s) out.push(s.cell);
  };
  if (scopes.includes(tree.cityId)) {
    for (const raw of Object.values(await redis.hgetall(keys.riskIndicators))) take(raw);
    return out;
  }
  const grids = tree.idsAt('grid').filter((g) => tree.chain(g).some((j) => scopes.includes(j)));
  for (let i = 0; i < grids.length; i += CHUNK) {
    const chunk = grids.slice(i, i + CHUNK);
    if (chunk.length) for (const raw of await redis.hmget(keys.riskIndicators, ...chunk)) take(raw);
  }
  return out;
}

/** Open disputes and petitions located in the scopes and visible to the user, past their deadline at `now`, longest overdue first. */
export async function overdueCases(redis: Redis, user: Pick<PublicUser, 'scopes'>, scopes: readonly string[], now: number): Promise<GovCase[]> {
  const p = redis.pipeline();
  const asked: ('dispute' | 'petition')[] = [];
  for (const s of scopes) for (const kind of ['dispute', 'petition'] as const) {
    for (const st of OPEN_STAGES[kind]) { p.zrange(keys.casesByStage(kind, s, st), 0, -1); asked.push(kind); }
  }
  const ids = new Set<string>();
  ((await p.exec()) ?? []).forEach(([err, val], i) => {
    if (err) throw err;
    for (const id of val as string[]) ids.add(keys.object(asked[i]!, id));
  });
  const list = [...ids];
  const out: GovCase[] = [];
  for (let i = 0; i < list.length; i += CHUNK) {
    for (const c of (await readObjects<GovCase>(redis, list.slice(i, i + CHUNK))).values()) {
      if (c && isOpenStage(c.kind, c.stage) && isOverdue(c, now) && inScope(user, c.jurisdiction)) out.push(c);
    }
  }
  return out.sort((a, b) => Date.parse(a.deadline!) - Date.parse(b.deadline!) || (caseKey(a) < caseKey(b) ? -1 : 1));
}

/** GET /stats?metric=rankings */
export async function rankings(
  deps: LeaderDeps, user: Pick<PublicUser, 'scopes'>, scopes: readonly string[], level: IndicatorLevel, by: RankingBy, limit: number, now = Date.now(),
): Promise<Rankings> {
  const { redis, tree } = deps;
  const { asOfSeq } = await logHead(redis);
  const outer = outerScopes(tree, scopes);
  const rowIds = tree.idsAt(level).filter((id) => tree.chain(id).some((j) => outer.includes(j)));
  const [cells, overdue] = await Promise.all([readScopeCells(redis, tree, outer), overdueCases(redis, user, outer, now)]);
  const risk = new Map(rollUp(level, cells, tree).map((r) => [r.id, r]));
  const late = new Map<string, GovCase[]>();
  const wanted = new Set(rowIds);
  for (const c of overdue) for (const j of c.jurisdiction) if (wanted.has(j)) late.set(j, [...(late.get(j) ?? []), c]);
  const rows = rowIds.map((id) => {
    const r = risk.get(id);
    const cases = late.get(id) ?? [];
    return {
      id, name: tree.get(id)?.name ?? id, level,
      crimeRisk: r ? r.crimeRisk : null, instabilityRisk: r ? r.instabilityRisk : null, hotCells: r?.hotCells ?? 0,
      overdue: cases.length, drivers: r?.drivers ?? [], overdueCases: cases.slice(0, 5).map(caseKey),
    };
  });
  return { metric: 'rankings', scope: scopes.join(','), level, by, total: rowIds.length, items: rankRows(rows, by, limit), asOf: iso(now), asOfSeq };
}

// --- the daily report ---

async function responseMedians(redis: Redis, scopes: readonly string[], utcDays: readonly string[], from: number, to: number) {
  const p = redis.pipeline();
  for (const s of scopes) for (const d of utcDays) {
    p.zrangebyscore(keys.statsDispatch(s, d), from, `(${to}`);
    p.zrangebyscore(keys.statsArrival(s, d), from, `(${to}`);
  }
  const dispatch: number[] = [];
  const arrival: number[] = [];
  ((await p.exec()) ?? []).forEach(([err, val], i) => {
    if (err) throw err;
    for (const m of val as string[]) {
      const r = parseResponseMember(m, i % 2 === 1);
      if (r) (i % 2 === 1 ? arrival : dispatch).push(r.seconds);
    }
  });
  return { medianDispatchSeconds: median(dispatch), medianArrivalSeconds: median(arrival) };
}

async function handoversBetween(redis: Redis, scopes: readonly string[], from: number, to: number): Promise<Handover[]> {
  const p = redis.pipeline();
  for (const s of scopes) p.zrangebyscore(keys.handoversIn(s), from, `(${to}`, 'WITHSCORES', 'LIMIT', 0, 500);
  const found = new Map<string, number>();
  for (const [err, flat] of (await p.exec()) ?? []) {
    if (err) throw err;
    const f = flat as string[];
    for (let i = 0; i + 1 < f.length; i += 2) found.set(f[i]!, Number(f[i + 1]));
  }
  const ids = [...found.entries()].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1)).map(([id]) => id);
  if (ids.length === 0) return [];
  const raws = await redis.hmget(keys.handovers, ...ids);
  const out: Handover[] = [];
  ids.forEach((id, i) => {
    const raw = raws[i];
    if (!raw) return;
    const sp = raw.indexOf(' ');
    try {
      out.push({ id, seq: raw.slice(0, sp), ...(JSON.parse(raw.slice(sp + 1)) as StoredHandover) });
    } catch { /* a damaged record is left out */ }
  });
  return out;
}

/** GET /reports/daily: the report of one local day for the scopes. */
export async function dailyReport(deps: LeaderDeps, user: Pick<PublicUser, 'scopes'>, scopes: readonly string[], date: string, now = Date.now()): Promise<DailyReport> {
  const { redis, tree, timeZone } = deps;
  const { asOfSeq } = await logHead(redis);
  const outer = outerScopes(tree, scopes);
  const from = localMidnight(date, timeZone);
  const to = localMidnight(addDays(date, 1), timeZone);
  const utcDays = utcDaysOf([date], timeZone);
  const [hashes, medians, overdue, cells, handovers] = await Promise.all([
    readDayHashes(redis, outer, utcDays, null),
    responseMedians(redis, outer, utcDays, from, to),
    overdueCases(redis, user, outer, now),
    readScopeCells(redis, tree, outer),
    handoversBetween(redis, outer, from, to),
  ]);
  const all = [
    DAILY.incidents, DAILY.dispatches, DAILY.arrivals, DAILY.arrivalsOnTime, DAILY.disputesOpened, DAILY.disputesResolved,
    DAILY.petitionsOpened, DAILY.petitionsResolved, DAILY.resolvedJudged, DAILY.resolvedOnTime, DAILY.supervisionsIssued,
    DAILY.supervisionsAnswered, DAILY.ratings, DAILY.ratingSum, DAILY.coverageChecked, DAILY.coverageCovered,
  ];
  const priorities = [1, 2, 3, 4].map((p) => DAILY.priority(p));
  const totals = dailyTotals(hashes, [date], timeZone, [...all, ...priorities]);
  const n = (c: string) => totals.get(c)![0]!;
  const desc = <K extends string>(m: Map<string, number>, key: K) =>
    [...m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([k, count]) => ({ [key]: k, count }) as Record<K, string> & { count: number });
  const alerts = prefixedTotals(hashes, date, timeZone, 'alert:');
  const top = scopes.length === 1 ? tree.get(scopes[0]!) : undefined;
  const nameOf = (id: string) => tree.get(id)?.name ?? id;
  return {
    scope: scopes.join(','), scopeName: top?.name ?? scopes.map(nameOf).join(', '), date, timeZone,
    from: iso(from), to: iso(to), generatedAt: iso(now), asOfSeq,
    incidents: {
      total: n(DAILY.incidents),
      byCategory: desc(prefixedTotals(hashes, date, timeZone, 'cat:'), 'category'),
      byPriority: [1, 2, 3, 4].map((p) => ({ priority: p, count: n(DAILY.priority(p)) })),
    },
    response: {
      dispatches: n(DAILY.dispatches), arrivals: n(DAILY.arrivals), arrivalsOnTime: n(DAILY.arrivalsOnTime),
      onTimeRate: ratio(n(DAILY.arrivalsOnTime), n(DAILY.arrivals), 'rate'), ...medians,
    },
    cases: {
      disputesOpened: n(DAILY.disputesOpened), disputesResolved: n(DAILY.disputesResolved),
      petitionsOpened: n(DAILY.petitionsOpened), petitionsAnswered: n(DAILY.petitionsResolved),
      resolvedOnTime: n(DAILY.resolvedOnTime), onTimeRate: ratio(n(DAILY.resolvedOnTime), n(DAILY.resolvedJudged), 'rate'),
      overdueNow: overdue.length,
    },
    supervision: { issued: n(DAILY.supervisionsIssued), answered: n(DAILY.supervisionsAnswered) },
    alerts: { total: [...alerts.values()].reduce((a, b) => a + b, 0), byKind: desc(alerts, 'kind') },
    feedback: { ratings: n(DAILY.ratings), satisfaction: ratio(n(DAILY.ratingSum), n(DAILY.ratings), 'mean') },
    coverage: { samples: n(DAILY.coverageChecked), rate: ratio(n(DAILY.coverageCovered), n(DAILY.coverageChecked), 'rate') },
    topRiskCells: [...cells].sort((a, b) => b.crimeRisk - a.crimeRisk || (a.id < b.id ? -1 : 1)).slice(0, 5)
      .map((c) => ({ id: c.id, name: nameOf(c.id), crimeRisk: c.crimeRisk, instabilityRisk: c.instabilityRisk, drivers: c.drivers })),
    handovers,
  };
}
