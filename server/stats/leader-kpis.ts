// The leader view's computations (GET /stats?metric=leader and metric=rankings, GET /reports/daily;
// issue 9): pure functions over what server/stats/leader-stats.ts reads from the daily counters
// (server/ingest/daily-ops.ts, server/jobs/coverage-jobs.ts) and the indexes. Values without data
// are null, never an invented number; rates are fractions 0..1 with 4 decimals, satisfaction a mean
// rating with 2 decimals.
//
// Days are local days in TIME_ZONE. The counters are per UTC day with one field per UTC hour
// (`<counter>@HH`); a local day is the sum of the UTC hours that begin inside it — exact for every
// zone whose offset is a whole number of hours (Asia/Shanghai), and for days of 23 or 25 hours (DST).
import {
  DEFAULT_TARGETS, LEADER_WINDOWS, MAXIMUM_TARGETS, SERIES_DAYS, targetsSchema,
  type LeaderIndicator, type LeaderIndicatorValues, type RankingBy, type RankingRow, type Targets,
} from '../../shared/leader.js';
import { dailyField, parseDailyField } from '../ingest/daily-ops.js';
import { addDays, HOUR_MS, localMidnight } from './wall-kpis.js';

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

/** One UTC hour: the day hash it lives in and its field suffix. */
export interface UtcHour { utcDay: string; hour: number }

/** The UTC hours that begin inside a local day [midnight, next midnight). */
export function utcHoursOfLocalDay(date: string, timeZone: string): UtcHour[] {
  const start = localMidnight(date, timeZone);
  const end = localMidnight(addDays(date, 1), timeZone);
  const out: UtcHour[] = [];
  for (let t = Math.ceil(start / HOUR_MS) * HOUR_MS; t < end; t += HOUR_MS) {
    const d = new Date(t);
    out.push({ utcDay: d.toISOString().slice(0, 10), hour: d.getUTCHours() });
  }
  return out;
}

/** The `n` local dates ending with `lastDay`, oldest first. */
export const lastDays = (lastDay: string, n: number) => Array.from({ length: n }, (_, i) => addDays(lastDay, i - n + 1));

/** The UTC days whose hashes hold the hours of the given local dates (in order, each once). */
export function utcDaysOf(dates: readonly string[], timeZone: string): string[] {
  const out = new Set<string>();
  for (const d of dates) for (const h of utcHoursOfLocalDay(d, timeZone)) out.add(h.utcDay);
  return [...out];
}

/** A day hash as read: field → value (HGETALL), or counter values by field (HMGET zipped). */
export type DayHash = Readonly<Record<string, string | null | undefined>>;

/** The fields to ask of every day hash for the given counters (24 per counter). */
export const hourFields = (counters: readonly string[]) => counters.flatMap((c) => Array.from({ length: 24 }, (_, h) => dailyField(c, h)));

/**
 * Per local date, per counter: the sum over the UTC hours of that date. `hashes` holds the day
 * hashes by UTC day (a missing or expired one counts 0).
 */
export function dailyTotals(hashes: ReadonlyMap<string, DayHash>, dates: readonly string[], timeZone: string, counters: readonly string[]): Map<string, number[]> {
  const out = new Map<string, number[]>(counters.map((c) => [c, []]));
  for (const date of dates) {
    const hours = utcHoursOfLocalDay(date, timeZone);
    for (const c of counters) {
      let n = 0;
      for (const h of hours) {
        const v = Number(hashes.get(h.utcDay)?.[dailyField(c, h.hour)] ?? 0);
        if (Number.isFinite(v)) n += v;
      }
      out.get(c)!.push(n);
    }
  }
  return out;
}

/** Every counter of one local date whose name starts with `prefix` (e.g. `cat:`): name without the prefix → sum. */
export function prefixedTotals(hashes: ReadonlyMap<string, DayHash>, date: string, timeZone: string, prefix: string): Map<string, number> {
  const wanted = new Map<string, Set<number>>();
  for (const h of utcHoursOfLocalDay(date, timeZone)) {
    const s = wanted.get(h.utcDay) ?? new Set<number>();
    s.add(h.hour);
    wanted.set(h.utcDay, s);
  }
  const out = new Map<string, number>();
  for (const [day, hours] of wanted) {
    for (const [field, raw] of Object.entries(hashes.get(day) ?? {})) {
      const f = parseDailyField(field);
      if (!f || !hours.has(f.hour) || !f.counter.startsWith(prefix)) continue;
      const n = Number(raw);
      if (!Number.isFinite(n) || n === 0) continue;
      const name = f.counter.slice(prefix.length);
      out.set(name, (out.get(name) ?? 0) + n);
    }
  }
  return out;
}

/** Element-wise sum of equally long series. */
export const sumSeries = (...xs: readonly (readonly number[])[]) => (xs[0] ?? []).map((_, i) => xs.reduce((a, s) => a + (s[i] ?? 0), 0));

/** A ratio (rate: 4 decimals; mean: 2), or null when there is nothing to divide by. */
export function ratio(num: number, den: number, kind: 'rate' | 'mean'): number | null {
  if (!(den > 0)) return null;
  return kind === 'rate' ? round(Math.min(1, Math.max(0, num / den)), 4) : round(num / den, 2);
}

/** Whether a value meets its target (a maximum for repeatRate); null without a value. */
export function meetsTarget(id: LeaderIndicator, value: number | null, target: number): boolean | null {
  if (value === null) return null;
  return MAXIMUM_TARGETS.has(id) ? value <= target : value >= target;
}

/**
 * An indicator from its daily numerators and denominators (the last SERIES_DAYS local days,
 * oldest first, the last one today): the value over the last 7, 30 and 90 days (sums of the
 * numerators over sums of the denominators, not a mean of daily rates), the target and whether it
 * is met, and the daily series (null on days with a zero denominator).
 */
export function indicatorValues(id: LeaderIndicator, num: readonly number[], den: readonly number[], targets: Targets): LeaderIndicatorValues {
  if (num.length !== SERIES_DAYS || den.length !== SERIES_DAYS) throw new Error(`indicatorValues: ${SERIES_DAYS} days expected`);
  const kind = id === 'satisfaction' ? 'mean' : 'rate';
  const target = targets[id];
  const over = (days: number) => {
    let n = 0, d = 0;
    for (let i = SERIES_DAYS - days; i < SERIES_DAYS; i++) { n += num[i]!; d += den[i]!; }
    const value = ratio(n, d, kind);
    return { value, count: d, meets: meetsTarget(id, value, target) };
  };
  const [w7, w30, w90] = LEADER_WINDOWS;
  return {
    id, target, direction: MAXIMUM_TARGETS.has(id) ? 'max' : 'min',
    d7: over(w7), d30: over(w30), d90: over(w90),
    series: num.map((n, i) => ratio(n, den[i]!, kind)),
  };
}

/** The stored targets over the defaults; a damaged record reads as the defaults. */
export function effectiveTargets(stored: unknown): { targets: Targets; updatedAt: string | null; updatedBy: string | null } {
  const rec = (stored && typeof stored === 'object' ? stored : {}) as { targets?: unknown; updatedAt?: unknown; updatedBy?: unknown };
  const merged = targetsSchema.safeParse({ ...DEFAULT_TARGETS, ...(rec.targets && typeof rec.targets === 'object' ? rec.targets : {}) });
  if (!merged.success) return { targets: { ...DEFAULT_TARGETS }, updatedAt: null, updatedBy: null };
  return {
    targets: merged.data,
    updatedAt: typeof rec.updatedAt === 'string' ? rec.updatedAt : null,
    updatedBy: typeof rec.updatedBy === 'string' ? rec.updatedBy : null,
  };
}

// --- rankings ---

/** The value a ranking sorts by (null: no data, ranked last). */
export const rankingValue = (r: Omit<RankingRow, 'rank'>, by: RankingBy): number | null =>
  by === 'crime' ? r.crimeRisk : by === 'instability' ? r.instabilityRisk : r.overdue;

/**
 * Ranks rows by `by`, highest first, with competition ranks (equal values share a rank: 1, 1, 3);
 * ties are listed by id. Rows without a value come last with rank null. At most `limit` rows.
 */
export function rankRows(rows: readonly Omit<RankingRow, 'rank'>[], by: RankingBy, limit: number): RankingRow[] {
  const sorted = [...rows].sort((a, b) => {
    const va = rankingValue(a, by);
    const vb = rankingValue(b, by);
    if (va === null || vb === null) return va === vb ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : va === null ? 1 : -1;
    return vb - va || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  });
  const out: RankingRow[] = [];
  let prev: number | null = null;
  let rank = 0;
  sorted.forEach((r, i) => {
    const v = rankingValue(r, by);
    if (v !== null && v !== prev) { rank = i + 1; prev = v; }
    if (i < limit) out.push({ rank: v === null ? null : rank, ...r });
  });
  return out;
}

// --- CSV ---

/** A CSV cell: quoted when it holds a comma, quote or line break; a leading =, +, - or @ is defused with a quote mark (spreadsheet formulas). */
export function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : typeof v === 'number' ? String(v) : String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV text (CRLF line ends) of sections: a title row, a header row, the rows, and a blank line between sections. */
export function csvSections(sections: readonly { title: string; header: readonly string[]; rows: readonly (readonly unknown[])[] }[]): string {
  const lines: string[] = [];
  sections.forEach((s, i) => {
    if (i > 0) lines.push('');
    lines.push(csvCell(s.title));
    lines.push(s.header.map(csvCell).join(','));
    for (const r of s.rows) lines.push(r.map(csvCell).join(','));
  });
  return `${lines.join('\r\n')}\r\n`;
}
