import { describe, expect, it } from 'vitest';
import type { DayBatch, ForecastContext } from '../../server/risk/baseline.js';
import { createCellScorer, DAY_MS, tzOffsetMinutes, type CellRate } from '../../server/risk/cell-score.js';
import { createCrimeModel, DEFAULT_CRIME_MODEL_PARAMS, type CrimeModelParams } from '../../server/risk/crime-model.js';
import { neighbourTable, type Grid } from '../../server/risk/grid-cells.js';

const HOUR = 3_600_000;
// the parameters of the brief (the defaults, spelled out so a change of defaults does not move the answers)
const P = { halfLifeDays: 730, decayWeight: 0.8, mediumWeight: 0.1, mediumWindowDays: 90, weekdayWeight: 0.1, edgeWeight: 0.05, cornerWeight: 0, longWeight: 0, weekdayMode: 'day' as const };
const decayNorm = 0.8 * (2 ** (1 / 730) - 1);
const weekdayNorm = 0.1 * (2 ** (7 / 730) - 1);
const decayed = (age: number) => 2 ** (-age / 730);

// Wednesday 2025-03-05 00:00 UTC
const NOW = Date.parse('2025-03-05T00:00:00.000Z');
const UTC = { now: NOW, tzOffsetMinutes: 0 };

describe('createCellScorer: rate of one cell', () => {
  const s = createCellScorer(P);

  it('no reports: every term is zero', () => {
    expect(s.rate([], UTC)).toEqual({ longTerm: 0, recent: 0, weekday: 0, total: 0, events: 0 });
  });

  it('one report exactly a day before now (another weekday): decayed long term plus the 90-day window', () => {
    const r = s.rate([NOW - DAY_MS], UTC);
    expect(r.longTerm).toBeCloseTo(decayNorm * decayed(1), 15);
    expect(r.recent).toBeCloseTo(0.1 / 90, 15);
    expect(r.weekday).toBe(0); // Tuesday's report, Wednesday ahead
    expect(r.events).toBe(1);
    expect(r.total).toBeCloseTo(decayNorm * decayed(1) + 0.1 / 90, 15);
    // the numbers themselves, by hand: 0.8 · (2^(1/730) − 1) · 2^(−1/730) + 0.1/90
    expect(r.total).toBeCloseTo(0.0007591 + 0.0011111, 6);
  });

  it('a report a week before now is on the weekday of the day ahead and adds the weekday term', () => {
    const r = s.rate([NOW - 7 * DAY_MS], UTC);
    expect(r.weekday).toBeCloseTo(weekdayNorm * decayed(7), 15);
    expect(r.longTerm).toBeCloseTo(decayNorm * decayed(7), 15);
    expect(r.recent).toBeCloseTo(0.1 / 90, 15);
    expect(r.total).toBeCloseTo(r.longTerm + r.recent + r.weekday, 15);
  });

  it('the weekday is that of now + 12 h in local time, and the report’s own local weekday', () => {
    // now: Tuesday 20:00 UTC = Wednesday 04:00 in UTC+8; the middle of the day ahead is Wednesday in both zones
    const now = Date.parse('2025-03-04T20:00:00.000Z');
    // Wednesday 2025-02-26 17:00 UTC = Thursday 01:00 in UTC+8
    const t = Date.parse('2025-02-26T17:00:00.000Z');
    const age = (now - t) / DAY_MS;
    expect(s.rate([t], { now, tzOffsetMinutes: 0 }).weekday).toBeCloseTo(weekdayNorm * decayed(age), 15);
    expect(s.rate([t], { now, tzOffsetMinutes: 480 }).weekday).toBe(0);
    // Tuesday 2025-02-25 20:00 UTC = Wednesday 04:00 in UTC+8: same weekday only in local time
    const u = Date.parse('2025-02-25T20:00:00.000Z');
    expect(s.rate([u], { now, tzOffsetMinutes: 0 }).weekday).toBe(0);
    expect(s.rate([u], { now, tzOffsetMinutes: 480 }).weekday).toBeCloseTo(weekdayNorm * decayed(7), 15);
    // now at 13:00 UTC: now + 12 h is already Thursday, so Wednesday's reports no longer count
    const late = Date.parse('2025-03-05T13:00:00.000Z');
    expect(s.rate([NOW - 7 * DAY_MS], { now: late, tzOffsetMinutes: 0 }).weekday).toBe(0);
    expect(s.rate([NOW - 6 * DAY_MS], { now: late, tzOffsetMinutes: 0 }).weekday).toBeGreaterThan(0);
  });

  it('negative offsets: the local weekday falls back a day', () => {
    // now + 12 h = Wednesday 12:00 UTC = Wednesday 07:00 in UTC−5
    const t = Date.parse('2025-02-26T02:00:00.000Z'); // Wednesday UTC, Tuesday 21:00 in UTC−5
    expect(s.rate([t], UTC).weekday).toBeGreaterThan(0);
    expect(s.rate([t], { now: NOW, tzOffsetMinutes: -300 }).weekday).toBe(0);
  });

  it('reports in the future count as age 0', () => {
    const r = s.rate([NOW + 5 * HOUR], UTC);
    expect(r.events).toBe(1);
    expect(r.longTerm).toBeCloseTo(decayNorm, 15);
    expect(r.recent).toBeCloseTo(0.1 / 90, 15);
    // a future report weighs exactly what a report at now weighs
    expect(r).toEqual(s.rate([NOW], UTC));
  });

  it('the order of the times does not matter and every report counts', () => {
    const times = [NOW - 3 * DAY_MS, NOW - 100 * DAY_MS, NOW - 7 * DAY_MS, NOW - 3 * DAY_MS];
    const a = s.rate(times, UTC);
    const b = s.rate(Float64Array.from([...times].reverse()), UTC);
    expect(a.events).toBe(4);
    expect(b.total).toBeCloseTo(a.total, 15);
    expect(a.recent).toBeCloseTo((3 * 0.1) / 90, 15); // the 100-day-old report is outside the window
    expect(a.longTerm).toBeCloseTo(decayNorm * (2 * decayed(3) + decayed(100) + decayed(7)), 15);
  });

  it('the 90-day window: a report counts until it is 90 days old', () => {
    expect(s.rate([NOW - 89.5 * DAY_MS], UTC).recent).toBeCloseTo(0.1 / 90, 15);
    expect(s.rate([NOW - 90.5 * DAY_MS], UTC).recent).toBe(0);
  });

  it('keepDays: four years (two half-lives) with the defaults; older reports are ignored', () => {
    expect(s.keepDays).toBe(1460);
    const old = s.rate([NOW - 1460.5 * DAY_MS, NOW - 2000 * DAY_MS], UTC);
    expect(old).toEqual({ longTerm: 0, recent: 0, weekday: 0, total: 0, events: 0 });
    const kept = s.rate([NOW - 1459.5 * DAY_MS], UTC);
    expect(kept.events).toBe(1);
    expect(kept.longTerm).toBeCloseTo(decayNorm * decayed(1459.5), 15);
  });

  it('keepDays follows the windows when the decay is off or short', () => {
    expect(createCellScorer({ ...P, decayWeight: 0, weekdayWeight: 0 }).keepDays).toBe(90);
    expect(createCellScorer({ ...P, halfLifeDays: 100 }).keepDays).toBe(200);
    expect(createCellScorer({ ...P, longWeight: 0.2, longWindowDays: 730 }).keepDays).toBe(1460);
    expect(createCellScorer({ ...P, decayWeight: 0, weekdayWeight: 0, longWeight: 0.2, longWindowDays: 730 }).keepDays).toBe(730);
  });

  it('the long window is a plain count over its days', () => {
    const l = createCellScorer({ ...P, decayWeight: 0, mediumWeight: 0, weekdayWeight: 0, longWeight: 1, longWindowDays: 730 });
    const r = l.rate([NOW - 10 * DAY_MS, NOW - 500 * DAY_MS, NOW - 729.5 * DAY_MS, NOW - 730.5 * DAY_MS], UTC);
    expect(r.longTerm).toBeCloseTo(3 / 730, 15);
    expect(r.recent).toBe(0);
    expect(r.weekday).toBe(0);
    expect(r.events).toBe(3);
  });

  it('a constant stream of one report a day (at noon) converges to about one a day', () => {
    const times: number[] = [];
    for (let d = 1; d < 1460; d++) times.push(NOW - (d - 0.5) * DAY_MS); // ages 0.5 … 1458.5
    const r = s.rate(times, UTC);
    expect(r.events).toBe(1459);
    // decayed: 0.8 · (1 − 2^(−1459/730)) / 2^(−0.5/730) ≈ 0.6; window: 90 reports → 0.1; weekday ≈ 0.1 · (1 − 2^(−2))
    expect(r.longTerm).toBeCloseTo((0.8 * (1 - decayed(1459))) / decayed(0.5), 9);
    expect(r.recent).toBeCloseTo(0.1, 12);
    expect(r.weekday).toBeCloseTo((0.1 * (1 - decayed(1456))) / decayed(0.5), 9);
  });
});

describe('createCellScorer: combine with the neighbours', () => {
  it('smoothing: neighbours enter with edgeWeight / (1 + 4·edge + 4·corner); the terms sum to crimeRisk', () => {
    const s = createCellScorer({ ...P, edgeWeight: 0.05, cornerWeight: 0.02 });
    const own = s.rate([NOW - DAY_MS, NOW - 7 * DAY_MS, NOW - 200 * DAY_MS], UTC);
    const norm = 1 + 4 * 0.05 + 4 * 0.02;
    const { crimeRisk, terms } = s.combine(own, [0.2, 0.1], [1]);
    expect(terms.neighbours).toBeCloseTo((0.05 * 0.3 + 0.02 * 1) / norm, 15);
    expect(terms.longTerm).toBeCloseTo(own.longTerm / norm, 15);
    expect(terms.recent).toBeCloseTo(own.recent / norm, 15);
    expect(terms.weekday).toBeCloseTo(own.weekday / norm, 15);
    expect(terms.events).toBe(3);
    expect(crimeRisk).toBeCloseTo((own.total + 0.05 * 0.3 + 0.02 * 1) / norm, 15);
    expect(terms.longTerm + terms.recent + terms.weekday + terms.neighbours).toBeCloseTo(crimeRisk, 15);
  });

  it('the default parameters: edge 0.05, no corners', () => {
    const s = createCellScorer(P);
    const own = s.rate([NOW - DAY_MS], UTC);
    const r = s.combine(own, [0.4], [5, 5]);
    expect(r.terms.neighbours).toBeCloseTo((0.05 * 0.4) / 1.2, 15);
    expect(r.crimeRisk).toBeCloseTo((own.total + 0.02) / 1.2, 15);
  });

  it('a cell with no reports of its own still gets its neighbours’ spill-over', () => {
    const s = createCellScorer(P);
    const empty: CellRate = s.rate([], UTC);
    const r = s.combine(empty, [0.12, 0.12, 0.12, 0.12], []);
    expect(r.crimeRisk).toBeCloseTo((4 * 0.05 * 0.12) / 1.2, 15);
    expect(r.terms).toEqual({ longTerm: 0, recent: 0, weekday: 0, neighbours: r.crimeRisk, events: 0 });
  });

  it('createCellScorer() uses the backtested defaults', () => {
    expect(createCellScorer().params).toEqual(DEFAULT_CRIME_MODEL_PARAMS);
    expect(createCellScorer({ edgeWeight: 0.1 }).params.edgeWeight).toBe(0.1);
  });
});

describe('createCellScorer agrees with the backtested model on whole days', () => {
  // one cell, no neighbours: the model's smoothing only divides by its norm
  const grid: Grid = { cellMeters: 100, originX: 0, originY: 0, cols: 1, rows: 1 };
  const ctx: ForecastContext = { grid, neighbours: neighbourTable(grid), categories: ['street'] };
  const DAY = NOW / DAY_MS; // 2025-03-05 as a day number (midnight UTC)

  function modelForecast(params: Partial<CrimeModelParams>, ages: number[]): number {
    const f = createCrimeModel(params)(ctx);
    const byDay = new Map<number, number>();
    for (const a of ages) byDay.set(DAY - a, (byDay.get(DAY - a) ?? 0) + 1);
    for (const day of [...byDay.keys()].sort((x, y) => x - y)) {
      const n = byDay.get(day)!;
      const b: DayBatch = { day, cells: new Int32Array(n), cats: new Uint16Array(n), fx: new Float32Array(n).fill(50), fy: new Float32Array(n).fill(50) };
      f.observe(b);
    }
    const out = new Float64Array(1);
    f.forecast(DAY, Int32Array.from([0]), out);
    return out[0]!;
  }
  const liveScore = (params: Partial<CrimeModelParams>, ages: number[]) => {
    const s = createCellScorer(params);
    return s.combine(s.rate(ages.map((a) => NOW - a * DAY_MS), UTC), [], []).crimeRisk;
  };

  // whole-day ages inside every window the scorer keeps (and not on a window's last day)
  const AGES = [1, 1, 2, 3, 6, 7, 14, 14, 21, 30, 45, 60, 89, 91, 120, 365, 400, 700, 729, 731, 1000, 1400, 1459];

  it('NOW is midnight UTC: a whole day number', () => {
    expect(Number.isInteger(DAY)).toBe(true);
  });

  it('the default parameters (the weekend split of the weekday term) agree too', () => {
    const params = { ...DEFAULT_CRIME_MODEL_PARAMS, edgeWeight: 0 };
    expect(params.weekdayMode).toBe('weekend');
    expect(liveScore(params, AGES)).toBeCloseTo(modelForecast(params, AGES), 12);
    // and the weekend group gets its own, larger normalisation: a Saturday forecast differs from a Wednesday one
    const saturday = createCellScorer(params).rate(AGES.map((a) => NOW - a * DAY_MS), { now: NOW + 3 * DAY_MS, tzOffsetMinutes: 0 });
    expect(saturday.weekday).not.toBeCloseTo(createCellScorer(params).rate(AGES.map((a) => NOW - a * DAY_MS), UTC).weekday, 6);
  });

  it('weekdayWeight 0: rate().total equals the model’s forecast for the cell', () => {
    const params = { ...P, weekdayWeight: 0, edgeWeight: 0, cornerWeight: 0 };
    const m = modelForecast(params, AGES);
    expect(m).toBeGreaterThan(0);
    const s = createCellScorer(params);
    expect(s.rate(AGES.map((a) => NOW - a * DAY_MS), UTC).total).toBeCloseTo(m, 12);
    expect(liveScore(params, AGES)).toBeCloseTo(m, 12);
  });

  it('with the smoothing norm of the defaults (edge 0.05, no neighbours present) the scores still agree', () => {
    const params = { ...P, weekdayWeight: 0 };
    expect(liveScore(params, AGES)).toBeCloseTo(modelForecast(params, AGES), 12);
  });

  it('the weekday term too agrees on whole-day ages (same weekday: ages 7, 14, 21, …)', () => {
    const m = modelForecast(P, AGES);
    expect(liveScore(P, AGES)).toBeCloseTo(m, 12);
    expect(modelForecast(P, AGES)).toBeGreaterThan(modelForecast({ ...P, weekdayWeight: 0 }, AGES));
  });

  it('the long window agrees as well', () => {
    const params = { ...P, weekdayWeight: 0, longWeight: 0.3, longWindowDays: 730, edgeWeight: 0 };
    expect(liveScore(params, AGES)).toBeCloseTo(modelForecast(params, AGES), 12);
  });

  it('a report on the last day of the 90-day window (age exactly 90 days) counts in both', () => {
    // the model counts the days D−90 … D−1 in its 90-day window; a report at midnight of D−90
    // is 90 days old at midnight of D and should count live as well
    const params = { ...P, weekdayWeight: 0, decayWeight: 0, edgeWeight: 0 };
    expect(modelForecast(params, [90])).toBeCloseTo(0.1 / 90, 15);
    expect(liveScore(params, [90])).toBeCloseTo(modelForecast(params, [90]), 15);
    // the same at the end of the long window (the model's days D−730 … D−1)
    const long = { ...params, mediumWeight: 0, longWeight: 0.3, longWindowDays: 730 };
    expect(modelForecast(long, [730])).toBeCloseTo(0.3 / 730, 15);
    expect(liveScore(long, [730])).toBeCloseTo(modelForecast(long, [730]), 15);
  });
});

describe('tzOffsetMinutes', () => {
  const jan = Date.parse('2025-01-15T12:00:00Z');
  const jul = Date.parse('2025-07-15T12:00:00Z');
  it('whole-hour, half-hour and daylight-saving zones, east positive', () => {
    expect(tzOffsetMinutes('Asia/Shanghai', jan)).toBe(480);
    expect(tzOffsetMinutes('Asia/Shanghai', jul)).toBe(480);
    expect(tzOffsetMinutes('UTC', jan)).toBe(0);
    expect(tzOffsetMinutes('Asia/Kolkata', jan)).toBe(330);
    expect(tzOffsetMinutes('America/New_York', jan)).toBe(-300);
    expect(tzOffsetMinutes('America/New_York', jul)).toBe(-240);
    expect(tzOffsetMinutes('America/St_Johns', jan)).toBe(-210);
    expect(tzOffsetMinutes('Asia/Kathmandu', jan)).toBe(345);
  });
});

