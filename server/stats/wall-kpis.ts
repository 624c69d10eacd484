// The wall screen's KPIs and series (GET /stats?metric=wall, DESIGN §4, §9), and the duty desk's
// shift and roster rotation: pure computations over what server/stats/wall-stats.ts and
// server/stats/duty.ts read from the indexes and counters. Every value without data is null.
//
// Days are local days in TIME_ZONE. Hourly counts come from series keyed by UTC hour starts: a
// UTC hour is placed in the local hour its start falls in, which is exact for zones with
// whole-hour offsets (Asia/Shanghai) and shifts each count by up to half an hour otherwise
// (half-hour zones). Days of 23 or 25 hours (DST) are handled by taking each day's own midnight;
// a 25th hour is added to the 24th.
import type { GovCase } from '../../shared/governance.js';
import { isOpenStage, DISPUTE_STAGES } from '../../shared/governance.js';
import type { DutyRoster, WallStats } from '../../shared/wall.js';
import { lastVisit, presenceMs, type CellCoverage, type CoverageRule } from '../alerts/coverage-rules.js';
import { endOfLocalDay, localDate } from '../governance/calendar.js';
import { isOverdue, median } from '../governance/indicators.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** Days the hourly baseline averages over (the days before today). */
export const BASELINE_DAYS = 7;
/** Upper bounds (seconds) of the response-time buckets; a last bucket takes the rest. */
export const RESPONSE_BUCKETS = [120, 180, 300, 480, 600, 900, 1200, 1800] as const;
/** Dispute resolutions and closures in this many days count in the funnel and the median. */
export const RESOLUTION_WINDOW_DAYS = 30;

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

export { localDate };

/** The date `n` days after a local date (YYYY-MM-DD). */
export const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T12:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

/** The instant a local date begins (its midnight in the zone). */
export const localMidnight = (date: string, timeZone: string) => endOfLocalDay(addDays(date, -1), timeZone);

/** Today's local date and its start. */
export function dayFrame(now: number, timeZone: string): { day: string; dayStart: number } {
  const day = localDate(now, timeZone);
  return { day, dayStart: localMidnight(day, timeZone) };
}

// --- hourly counts ---

export interface HourlyResult {
  today: (number | null)[];
  baseline: number[];
  baselineDays: number;
  incidentsToday: number;
  incidentsYesterdaySameTime: number;
}

/**
 * Incidents per local hour today (null for hours not begun), the mean per hour over the 7 days
 * before (only days on or after the local day counting began, `countingSince`; none → zeros),
 * today's total so far, and yesterday's total up to the same time of day — the hour containing
 * that time counted pro rata (the counters are hourly), the total rounded.
 * `counts`: UTC hour start (ms) → incidents, summed over the series in scope.
 */
export function hourlySeries(counts: ReadonlyMap<number, number>, now: number, timeZone: string, countingSince: number | null): HourlyResult {
  const { day } = dayFrame(now, timeZone);
  const perDay = (date: string): { start: number; hours: number[] } => {
    const start = localMidnight(date, timeZone);
    const end = localMidnight(addDays(date, 1), timeZone);
    const hours = new Array<number>(24).fill(0);
    for (const [t, c] of counts) {
      if (t < start || t >= end) continue;
      hours[Math.min(23, Math.floor((t - start) / HOUR_MS))]! += c;
    }
    return { start, hours };
  };
  const t = perDay(day);
  const today = t.hours.map((c, h) => (t.start + h * HOUR_MS <= now ? c : null));
  const incidentsToday = t.hours.reduce((a, b) => a + b, 0);

  const since = countingSince === null ? null : localDate(countingSince, timeZone);
  const baselineSum = new Array<number>(24).fill(0);
  let baselineDays = 0;
  for (let d = 1; d <= BASELINE_DAYS; d++) {
    const date = addDays(day, -d);
    if (since === null || date < since) continue;
    baselineDays++;
    perDay(date).hours.forEach((c, h) => { baselineSum[h]! += c; });
  }
  const baseline = baselineSum.map((s) => (baselineDays ? round(s / baselineDays, 2) : 0));

  // yesterday up to the same time of day
  const yStart = localMidnight(addDays(day, -1), timeZone);
  const cut = yStart + (now - t.start);
  let y = 0;
  for (const [h, c] of counts) {
    if (h < yStart || h >= cut) continue;
    y += h + HOUR_MS <= cut ? c : (c * (cut - h)) / HOUR_MS;
  }
  return { today, baseline, baselineDays, incidentsToday, incidentsYesterdaySameTime: Math.round(y) };
}

/** Today's incidents per category, largest first (ties by code); categories with none today are left out. */
export function categoryCounts(byCategory: ReadonlyMap<string, ReadonlyMap<number, number>>, now: number, timeZone: string): WallStats['categories'] {
  const { day, dayStart } = dayFrame(now, timeZone);
  const end = localMidnight(addDays(day, 1), timeZone);
  const out: WallStats['categories'] = [];
  for (const [category, counts] of byCategory) {
    let n = 0;
    for (const [t, c] of counts) if (t >= dayStart && t < end) n += c;
    if (n > 0) out.push({ category, count: n });
  }
  return out.sort((a, b) => b.count - a.count || (a.category < b.category ? -1 : 1));
}

// --- response times ---

export interface Arrival { seconds: number; targetSeconds: number }

export interface ResponseKpis {
  medianDispatchSeconds: number | null;
  medianArrivalSeconds: number | null;
  onTimeRate: number | null;
  responseTimes: WallStats['responseTimes'];
}

/** Medians of today's first dispatches and arrivals, the share of arrivals within their target, and the arrival buckets. */
export function responseKpis(dispatchSeconds: readonly number[], arrivals: readonly Arrival[], targetSeconds: number): ResponseKpis {
  const counts = new Array<number>(RESPONSE_BUCKETS.length + 1).fill(0);
  for (const a of arrivals) {
    const i = RESPONSE_BUCKETS.findIndex((b) => a.seconds <= b);
    counts[i === -1 ? RESPONSE_BUCKETS.length : i]!++;
  }
  const onTime = arrivals.filter((a) => a.seconds <= a.targetSeconds).length;
  return {
    medianDispatchSeconds: median(dispatchSeconds),
    medianArrivalSeconds: median(arrivals.map((a) => a.seconds)),
    onTimeRate: arrivals.length ? round(onTime / arrivals.length, 4) : null,
    responseTimes: {
      buckets: counts.map((count, i) => ({ upToSeconds: RESPONSE_BUCKETS[i] ?? null, count })),
      targetSeconds,
      arrivals: arrivals.length,
    },
  };
}

// --- disputes ---

export interface DisputeKpis {
  disputesOpen: number;
  disputesOverdue: number;
  medianHoursToResolution: number | null;
  disputeFunnel: WallStats['disputeFunnel'];
}

const ms = (iso: string | null | undefined) => (iso ? Date.parse(iso) : NaN);

/**
 * Disputes open now and overdue now; per stage of the "4+2" workflow, the open ones now and, for
 * `resolved` and `closed`, those resolved / closed in the last 30 days; the median hours from
 * opening to resolution of the disputes resolved in the last 30 days. Petitions and supervision
 * orders do not count.
 */
export function disputeKpis(cases: readonly GovCase[], now: number): DisputeKpis {
  const since = now - RESOLUTION_WINDOW_DAYS * DAY_MS;
  const within = (t: number) => t >= since && t <= now;
  const per = new Map<string, number>(DISPUTE_STAGES.map((s) => [s, 0]));
  let open = 0, overdue = 0;
  const hours: number[] = [];
  for (const c of cases) {
    if (c.kind !== 'dispute') continue;
    if (isOpenStage('dispute', c.stage)) {
      open++;
      per.set(c.stage, per.get(c.stage)! + 1);
      if (isOverdue(c, now)) overdue++;
    }
    const resolved = ms(c.resolvedAt);
    if (within(resolved)) {
      per.set('resolved', per.get('resolved')! + 1);
      const opened = ms(c.openedAt);
      if (Number.isFinite(opened)) hours.push(Math.max(0, (resolved - opened) / HOUR_MS));
    }
    if (within(ms(c.closedAt))) per.set('closed', per.get('closed')! + 1);
  }
  const m = median(hours);
  return {
    disputesOpen: open,
    disputesOverdue: overdue,
    medianHoursToResolution: m === null ? null : round(m, 2),
    disputeFunnel: DISPUTE_STAGES.map((stage) => ({ stage, count: per.get(stage)! })),
  };
}

// --- patrol coverage ---

export interface TopCell extends CellCoverage { crimeRisk: number; name: string }

/** Coverage of the top-risk cells over the rule's window: presence minutes, last visit, covered when presence ≥ the minimum. */
export function coverageOf(cells: readonly TopCell[], rule: CoverageRule): WallStats['coverage'] {
  const rows = [...cells].sort((a, b) => b.crimeRisk - a.crimeRisk || (a.gridId < b.gridId ? -1 : 1)).map((c) => {
    const p = presenceMs(c, rule);
    const last = lastVisit(c);
    return { gridId: c.gridId, name: c.name, presenceMinutes: round(p / 60_000, 1), lastVisitAt: last === null ? null : new Date(last).toISOString(), covered: p >= rule.minPresenceMs };
  });
  const covered = rows.filter((r) => r.covered).length;
  return {
    topCells: rows.length,
    covered,
    rate: rows.length ? round(covered / rows.length, 4) : null,
    cells: rows.map(({ covered: _c, ...r }) => r),
  };
}

// --- shifts and the roster ---

export const DAY_SHIFT_START_HOUR = 8;
export const NIGHT_SHIFT_START_HOUR = 20;

export interface Shift { name: 'day' | 'night'; date: string; from: number; to: number }

/** The 12-hour shift at `now`: day 08:00–20:00, night 20:00–08:00 (named by the local date it began). */
export function shiftAt(now: number, timeZone: string): Shift {
  const { day, dayStart } = dayFrame(now, timeZone);
  const tomorrow = localMidnight(addDays(day, 1), timeZone);
  const dayFrom = dayStart + DAY_SHIFT_START_HOUR * HOUR_MS;
  const nightFrom = dayStart + NIGHT_SHIFT_START_HOUR * HOUR_MS;
  if (now < dayFrom) {
    const y = addDays(day, -1);
    return { name: 'night', date: y, from: localMidnight(y, timeZone) + NIGHT_SHIFT_START_HOUR * HOUR_MS, to: dayFrom };
  }
  if (now < nightFrom) return { name: 'day', date: day, from: dayFrom, to: nightFrom };
  return { name: 'night', date: day, from: nightFrom, to: tomorrow + DAY_SHIFT_START_HOUR * HOUR_MS };
}

/** The element of a rotation on duty on a local date: index (days since 1970-01-01) mod length. */
export function rotationPick(list: readonly string[], date: string): string | null {
  if (list.length === 0) return null;
  const n = Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
  return list[((n % list.length) + list.length) % list.length]!;
}

/**
 * Who is on duty in `role` for a scope on a shift's date: the rotation of the nearest jurisdiction
 * of `chain` (the scope first, then its ancestors) that has one for the role; null without.
 */
export function onDuty(roster: DutyRoster | null, chain: readonly string[], role: 'duty_officer' | 'leader', date: string): string | null {
  if (!roster) return null;
  for (const j of chain) {
    const list = roster.scopes[j]?.[role];
    if (list && list.length) return rotationPick(list, date);
  }
  return null;
}
