/**
 * Crime risk of live grid cells (DESIGN §8): the same terms as the backtested model
 * (crime-model.ts, DEFAULT_CRIME_MODEL_PARAMS), computed for a cell from the report times of
 * the cell and of its neighbours, read when the job runs. Pure.
 *
 * For the day ahead of `now`, with age = (now − report time) in days (fractional, ≥ 0):
 *   rate(c) = decayWeight · (2^(1/h) − 1) · Σ 2^(−age/h)                      long term, half-life h
 *           + mediumWeight / W · #{age ≤ W}                                      recent, W days
 *           + longWeight / L · #{age ≤ L}                                        the baseline's window
 *           + (optional second and short decayed counts, as the model's decay2 and repeat terms)
 *           + weekday term: weekdayMode 'weekend' (the default) — weekdayWeight · (2^(1/h) − 1) · 7/n ·
 *             Σ_{reports on a day of the same group as the day ahead} 2^(−age/h), groups Sat–Sun (n = 2)
 *             and Mon–Fri (n = 5); 'day' — weekdayWeight · (2^(7/h) − 1) · Σ_{same weekday} 2^(−age/h)
 *   crimeRisk(c) = (rate(c) + edge · Σ edge-neighbour rates + corner · Σ corner-neighbour rates)
 *                  / (1 + 4·edge + 4·corner)
 * The backtest forecasts whole days from whole earlier days; live, the day ahead is the next
 * 24 hours and "same weekday" is the weekday of its middle, in the local time of `tzOffsetMinutes`.
 */
import type { CrimeTerms } from '../../shared/risk.js';
import { DEFAULT_CRIME_MODEL_PARAMS, type CrimeModelParams } from './crime-model.js';

export const DAY_MS = 86_400_000;

/** The part of the model one cell's history determines, before smoothing. */
export interface CellRate {
  longTerm: number;
  recent: number;
  weekday: number;
  /** long + recent + weekday */
  total: number;
  events: number;
}

export interface ScoreClock {
  now: number;
  /** the local time's offset from UTC in minutes (east positive), for weekdays */
  tzOffsetMinutes: number;
}

/** Precomputed constants of one parameter set. */
export interface CellScorer {
  readonly params: Readonly<CrimeModelParams>;
  /** rate of one cell from its report times (ms, any order); reports in the future count as now */
  rate(times: ArrayLike<number>, clock: ScoreClock): CellRate;
  /** the smoothed score and its terms from the cell's rate and its neighbours' */
  combine(own: CellRate, edgeRates: readonly number[], cornerRates: readonly number[]): { crimeRisk: number; terms: CrimeTerms };
  /** reports older than this many days never change a score by more than rounding; stores may drop them */
  readonly keepDays: number;
}

const weekdayOf = (ms: number, offsetMs: number) => Math.floor((ms + offsetMs) / DAY_MS + 4) % 7; // 1970-01-01 was a Thursday (4)

export function createCellScorer(params: Partial<CrimeModelParams> = {}): CellScorer {
  const p: CrimeModelParams = { ...DEFAULT_CRIME_MODEL_PARAMS, ...params };
  if (p.ring2Weight > 0 || p.nearRepeatWeight > 0 || p.seasonalWeight > 0 || p.pointKernelMeters > 0 || p.categoryWeights) {
    throw new Error('cell scorer: ring-2 smoothing, near-repeat and seasonal windows, point kernels and category weights are not mirrored live');
  }
  // decayed counts (the long term, an optional second one, the optional short "repeat" one)
  const decays = ([[p.decayWeight, p.halfLifeDays], [p.decay2Weight, p.halfLife2Days], [p.repeatWeight, p.repeatHalfLifeDays]] as const)
    .filter(([w, h]) => w > 0 && h > 0)
    .map(([w, h]) => ({ norm: w * (2 ** (1 / h) - 1), k: Math.LN2 / h }));
  const wdHalfLife = p.weekdayHalfLifeDays > 0 ? p.weekdayHalfLifeDays : p.halfLifeDays;
  const weekdayOn = p.weekdayWeight > 0 && wdHalfLife > 0;
  const byWeekend = p.weekdayMode !== 'day';
  const weekendDays = p.weekdayMode === 'weekend3' ? 3 : 2;
  const groupOf = (dow: number) => (byWeekend ? (dow === 0 || dow === 6 || (weekendDays === 3 && dow === 5) ? 1 : 0) : dow);
  const weekdayNorm = (group: number) => !weekdayOn ? 0 : byWeekend
    ? (p.weekdayWeight * (2 ** (1 / wdHalfLife) - 1) * 7) / (group === 1 ? weekendDays : 7 - weekendDays)
    : p.weekdayWeight * (2 ** (7 / wdHalfLife) - 1);
  const wdK = Math.LN2 / wdHalfLife;
  const mediumW = p.mediumWeight > 0 ? p.mediumWeight / p.mediumWindowDays : 0;
  const longW = p.longWeight > 0 ? p.longWeight / p.longWindowDays : 0;
  const norm = 1 + 4 * p.edgeWeight + 4 * p.cornerWeight;
  const longestHalfLife = Math.max(0, ...decays.map((d) => Math.LN2 / d.k), weekdayOn ? wdHalfLife : 0);
  // the longest window, or two of the longest half-life capped at 4 years: the rest weighs < 1/4 and is dropped
  const keepDays = Math.max(p.longWeight > 0 ? p.longWindowDays : 0, p.mediumWeight > 0 ? p.mediumWindowDays : 0, Math.min(4 * 365, 2 * longestHalfLife));

  return {
    params: p,
    keepDays,
    rate(times, clock) {
      const offset = clock.tzOffsetMinutes * 60_000;
      const target = groupOf(weekdayOf(clock.now + DAY_MS / 2, offset));
      const decayed = decays.map(() => 0);
      let sameGroup = 0;
      let medium = 0;
      let long = 0;
      let events = 0;
      for (let i = 0; i < times.length; i++) {
        const t = times[i]!;
        const age = Math.max(0, clock.now - t) / DAY_MS;
        if (age > keepDays) continue;
        events++;
        for (let k = 0; k < decays.length; k++) decayed[k]! += Math.exp(-decays[k]!.k * age);
        if (weekdayOn && groupOf(weekdayOf(t, offset)) === target) sameGroup += Math.exp(-wdK * age);
        if (age <= p.mediumWindowDays) medium++;
        if (age <= p.longWindowDays) long++;
      }
      let longTerm = longW * long;
      decays.forEach((d, k) => { longTerm += d.norm * decayed[k]!; });
      const recent = mediumW * medium;
      const weekday = weekdayNorm(target) * sameGroup;
      return { longTerm, recent, weekday, total: longTerm + recent + weekday, events };
    },
    combine(own, edgeRates, cornerRates) {
      let spill = 0;
      for (const r of edgeRates) spill += p.edgeWeight * r;
      for (const r of cornerRates) spill += p.cornerWeight * r;
      const terms: CrimeTerms = {
        longTerm: own.longTerm / norm,
        recent: own.recent / norm,
        weekday: own.weekday / norm,
        neighbours: spill / norm,
        events: own.events,
      };
      return { crimeRisk: (own.total + spill) / norm, terms };
    },
  };
}

/** The offset of an IANA time zone from UTC at an instant, minutes east (e.g. Asia/Shanghai: 480). */
export function tzOffsetMinutes(timeZone: string, at: number): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(new Date(at)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name);
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
}
