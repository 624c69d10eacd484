import { describe, expect, it } from 'vitest';
import { createBaseline, WindowCounter, type DayBatch, type ForecastContext } from '../../server/risk/baseline.js';
import { dayNumber, runBacktest, type BacktestEvent } from '../../server/risk/backtest.js';
import { createCrimeModel, DEFAULT_CRIME_MODEL_PARAMS, spreadDay } from '../../server/risk/crime-model.js';
import { neighbourTable, type Grid } from '../../server/risk/grid-cells.js';

// a 3 × 3 grid of 100 m cells; cell 4 is the centre
const grid: Grid = { cellMeters: 100, originX: 0, originY: 0, cols: 3, rows: 3 };
const ctx: ForecastContext = { grid, neighbours: neighbourTable(grid), categories: ['street', 'school'] };
const ALL = Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8]);

function batch(day: number, cells: number[], cats: number[] = cells.map(() => 0)): DayBatch {
  return {
    day,
    cells: Int32Array.from(cells),
    cats: Uint16Array.from(cats),
    fx: Float32Array.from(cells, () => 50),
    fy: Float32Array.from(cells, () => 50),
  };
}

function forecast(f: ReturnType<ReturnType<typeof createCrimeModel>>, day: number): number[] {
  const out = new Float64Array(ALL.length);
  f.forecast(day, ALL, out);
  return [...out];
}

describe('baseline: counts over the previous 730 days', () => {
  it('counts an event from day 1 through day 730 after it, then drops it', () => {
    const b = createBaseline(ctx);
    b.observe(batch(0, [4, 4, 1]));
    b.observe(batch(100, [4]));
    expect(forecast(b, 1)[4]).toBeCloseTo(2 / 730, 15);
    expect(forecast(b, 730)[4]).toBeCloseTo(3 / 730, 15);
    expect(forecast(b, 730)[1]).toBeCloseTo(1 / 730, 15);
    expect(forecast(b, 731)[4]).toBeCloseTo(1 / 730, 15);
    expect(forecast(b, 731)[1]).toBe(0);
    expect(forecast(b, 831)[4]).toBe(0);
  });

  it('a lagged window counts only its own days', () => {
    const w = new WindowCounter(9, 395, 335); // the same dates ±30 one year back
    w.observe(batch(0, [2]));
    w.advance(334);
    expect(w.counts[2]).toBe(0);
    w.advance(335);
    expect(w.counts[2]).toBe(1);
    w.advance(395);
    expect(w.counts[2]).toBe(1);
    w.advance(396);
    expect(w.counts[2]).toBe(0);
  });
});

describe('crime model terms', () => {
  const off = {
    longWeight: 0,
    mediumWeight: 0,
    decayWeight: 0,
    decay2Weight: 0,
    repeatWeight: 0,
    nearRepeatWeight: 0,
    seasonalWeight: 0,
    weekdayWeight: 0,
    edgeWeight: 0,
    cornerWeight: 0,
    ring2Weight: 0,
  };

  it('decayed count: an event two half-lives old weighs 1/4, normalised to a daily rate', () => {
    const m = createCrimeModel({ ...off, decayWeight: 1, halfLifeDays: 100 })(ctx);
    m.observe(batch(0, [4]));
    const r = forecast(m, 200)[4]!;
    expect(r).toBeCloseTo(0.25 * (2 ** (1 / 100) - 1), 12);
    // a constant stream of one event a day converges to a rate of one a day
    const s = createCrimeModel({ ...off, decayWeight: 1, halfLifeDays: 10 })(ctx);
    for (let d = 0; d < 1000; d++) s.observe(batch(d, [0]));
    expect(forecast(s, 1000)[0]).toBeCloseTo(1, 9);
  });

  it('medium window and near-repeat are windowed rates', () => {
    const m = createCrimeModel({ ...off, mediumWeight: 1, mediumWindowDays: 90 })(ctx);
    m.observe(batch(10, [3, 3]));
    expect(forecast(m, 100)[3]).toBeCloseTo(2 / 90, 15);
    expect(forecast(m, 101)[3]).toBe(0);
    const n = createCrimeModel({ ...off, nearRepeatWeight: 0.5, nearRepeatDays: 7 })(ctx);
    n.observe(batch(10, [3]));
    expect(forecast(n, 17)[3]).toBeCloseTo(0.5 / 7, 15);
    expect(forecast(n, 18)[3]).toBe(0);
  });

  it('smoothing shares a cell’s rate with its edge and corner neighbours', () => {
    const m = createCrimeModel({ ...off, longWeight: 1, longWindowDays: 10, edgeWeight: 0.1, cornerWeight: 0.05 })(ctx);
    m.observe(batch(0, [4]));
    const r = forecast(m, 1);
    const norm = 1 + 0.4 + 0.2;
    expect(r[4]).toBeCloseTo(0.1 / norm, 15);
    for (const e of [1, 3, 5, 7]) expect(r[e]).toBeCloseTo((0.1 * 0.1) / norm, 15);
    for (const c of [0, 2, 6, 8]) expect(r[c]).toBeCloseTo((0.05 * 0.1) / norm, 15);
  });

  it('seasonal term counts the same dates one and two years back', () => {
    const m = createCrimeModel({ ...off, seasonalWeight: 1, seasonalHalfWidthDays: 10 })(ctx);
    m.observe(batch(0, [8]));
    expect(forecast(m, 300)[8]).toBe(0);
    expect(forecast(m, 365)[8]).toBeCloseTo(0.5 / 21, 15);
    expect(forecast(m, 730)[8]).toBeCloseTo(0.5 / 21, 15);
  });

  it('weekday term counts only the forecast day’s weekday', () => {
    const m = createCrimeModel({ ...off, weekdayWeight: 1, halfLifeDays: 10, weekdayMode: 'day' })(ctx);
    for (let d = 0; d < 700; d += 7) m.observe(batch(d, [2])); // one event every 7 days, same weekday
    // forecast for that weekday: a rate of one a day; for the next weekday: nothing
    expect(forecast(m, 700)[2]).toBeCloseTo(1, 6);
    expect(forecast(m, 701)[2]).toBe(0);
  });

  it('weekday term with its own half-life', () => {
    const m = createCrimeModel({ ...off, weekdayWeight: 1, halfLifeDays: 10, weekdayHalfLifeDays: 70, weekdayMode: 'day' })(ctx);
    m.observe(batch(0, [2]));
    // one event 70 days (one half-life) before, on the same weekday: 2^(−1) · (2^(7/70) − 1)
    expect(forecast(m, 70)[2]).toBeCloseTo(0.5 * (2 ** (7 / 70) - 1), 15);
  });

  it('weekend split: Saturday and Sunday against Monday to Friday, each ×7/(days in the group)', () => {
    // day 0 (1970-01-01) was a Thursday, so days 2 and 3 are a Saturday and a Sunday
    expect(new Date(2 * 86_400_000).getUTCDay()).toBe(6);
    const h = 100;
    const m = createCrimeModel({ ...off, weekdayWeight: 1, halfLifeDays: h, weekdayMode: 'weekend' })(ctx);
    m.observe(batch(0, [1])); // Thursday
    m.observe(batch(2, [7])); // Saturday
    const k = 2 ** (1 / h) - 1;
    const sat = dayNumber(2019, 1, 5); // a Saturday
    const sun = sat + 1;
    const mon = sat + 2;
    expect(forecast(m, sat)[7]).toBeCloseTo((k * 7) / 2 * 2 ** (-(sat - 2) / h), 15);
    expect(forecast(m, sun)[7]).toBeCloseTo((k * 7) / 2 * 2 ** (-(sun - 2) / h), 15);
    expect(forecast(m, sat)[1]).toBe(0);
    expect(forecast(m, mon)[7]).toBe(0);
    expect(forecast(m, mon)[1]).toBeCloseTo((k * 7) / 5 * 2 ** (-mon / h), 15);
    // Friday to Sunday as the weekend: a Friday event counts on Saturday
    const f = createCrimeModel({ ...off, weekdayWeight: 1, halfLifeDays: h, weekdayMode: 'weekend3' })(ctx);
    f.observe(batch(1, [5])); // Friday
    expect(forecast(f, sat)[5]).toBeCloseTo((k * 7) / 3 * 2 ** (-(sat - 1) / h), 15);
    expect(forecast(f, mon)[5]).toBe(0);
    // a steady weekend-only stream converges to its weekend daily rate for long histories
    const s = createCrimeModel({ ...off, weekdayWeight: 1, halfLifeDays: 700, weekdayMode: 'weekend' })(ctx);
    for (let d = 2; d < 70_000; d += 7) {
      s.observe(batch(d, [0, 0])); // 2 a Saturday
      s.observe(batch(d + 1, [0, 0])); // 2 a Sunday
    }
    expect(forecast(s, 70_002)[0]).toBeCloseTo(2, 1);
    expect(forecast(s, 70_004)[0]).toBe(0);
  });

  it('second decayed count and the short-half-life repeat term', () => {
    const m = createCrimeModel({ ...off, decay2Weight: 0.5, halfLife2Days: 1000, repeatWeight: 0.2, repeatHalfLifeDays: 7 })(ctx);
    m.observe(batch(0, [6]));
    const expected = 0.5 * (2 ** (1 / 1000) - 1) * 2 ** (-14 / 1000) + 0.2 * (2 ** (1 / 7) - 1) * 0.25;
    expect(forecast(m, 14)[6]).toBeCloseTo(expected, 15);
  });

  it('second ring: the 16 cells at Chebyshev distance 2 share a cell’s rate', () => {
    const big: Grid = { cellMeters: 100, originX: 0, originY: 0, cols: 5, rows: 5 };
    const bigCtx: ForecastContext = { grid: big, neighbours: neighbourTable(big), categories: [''] };
    const m = createCrimeModel({ ...off, longWeight: 1, longWindowDays: 10, edgeWeight: 0.1, cornerWeight: 0.05, ring2Weight: 0.02 })(bigCtx);
    m.observe(batch(0, [12])); // the centre (col 2, row 2)
    const all = Int32Array.from({ length: 25 }, (_, i) => i);
    const out = new Float64Array(25);
    m.forecast(1, all, out);
    const norm = 1 + 0.4 + 0.2 + 16 * 0.02;
    expect(out[12]).toBeCloseTo(0.1 / norm, 15);
    for (const e of [7, 11, 13, 17]) expect(out[e]).toBeCloseTo((0.1 * 0.1) / norm, 15);
    for (const c of [6, 8, 16, 18]) expect(out[c]).toBeCloseTo((0.05 * 0.1) / norm, 15);
    for (const r of [0, 1, 2, 3, 4, 5, 9, 10, 14, 15, 19, 20, 21, 22, 23, 24]) expect(out[r]).toBeCloseTo((0.02 * 0.1) / norm, 15);
    // from a corner cell, the second ring stops at the grid's edge
    const n = createCrimeModel({ ...off, longWeight: 1, longWindowDays: 10, ring2Weight: 0.02 })(bigCtx);
    n.observe(batch(0, [0]));
    n.forecast(1, all, out);
    for (const r of [2, 7, 10, 11, 12]) expect(out[r]).toBeCloseTo((0.02 * 0.1) / (1 + 16 * 0.02), 15);
    for (const z of [1, 5, 6, 3, 13, 24]) expect(out[z]).toBe(0);
  });

  it('category weights and the point kernel redistribute an event’s weight', () => {
    const w = spreadDay(batch(0, [4, 4], [0, 1]), grid, ctx.neighbours, 0, Float64Array.from([1, 2]));
    expect([...w.weights!]).toEqual([1, 2]);
    // an event 10 m from the right edge with a ±20 m kernel puts 1/4 of itself in the right neighbour
    const b = batch(0, [4]);
    b.fx[0] = 90;
    const k = spreadDay(b, grid, ctx.neighbours, 20);
    const byCell = new Map<number, number>();
    k.cells.forEach((c, i) => byCell.set(c, (byCell.get(c) ?? 0) + k.weights![i]!));
    expect(byCell.get(5)).toBeCloseTo(0.25, 12);
    expect(byCell.get(4)).toBeCloseTo(0.75, 12);
  });

  it('ranks a recent hotspot above an old one that the 730-day baseline prefers', () => {
    const model = createCrimeModel()(ctx);
    const base = createBaseline(ctx);
    const days: DayBatch[] = [];
    for (let i = 0; i < 20; i++) days.push(batch(i * 5, [0])); // cell 0: 20 events, days 0..95
    for (let i = 0; i < 15; i++) days.push(batch(660 + i * 4, [8])); // cell 8: 15 events in the last 60 days
    days.sort((a, b) => a.day - b.day);
    for (const d of days) {
      model.observe(d);
      base.observe(d);
    }
    const bm = forecast(model, 720);
    const bb = forecast(base, 720);
    expect(bb[0]).toBeGreaterThan(bb[8]!);
    expect(bm[8]).toBeGreaterThan(bm[0]!);
  });

  it('default parameters are a blend that sums to one', () => {
    const p = DEFAULT_CRIME_MODEL_PARAMS;
    expect(p.longWeight + p.mediumWeight + p.decayWeight + p.decay2Weight + p.repeatWeight + p.nearRepeatWeight + p.seasonalWeight + p.weekdayWeight).toBeCloseTo(1, 12);
  });
});

describe('runBacktest on synthetic events with a known answer', () => {
  // 10 × 10 cells of 150 m; every cell has one event in 2017; cell (5,5) has one event every
  // day of 2017 and 2018; in 2018 nothing else happens
  const start = dayNumber(2017, 1, 1);
  const end = dayNumber(2019, 1, 1);
  const events: BacktestEvent[] = [];
  for (let r = 0; r < 10; r++) for (let c = 0; c < 10; c++) events.push({ day: start + r * 10 + c, minute: 600, x: 500000 + c * 150 + 75, y: 4600000 + r * 150 + 75 });
  for (let d = start; d < end; d++) events.push({ day: d, minute: 720, x: 500000 + 5 * 150 + 75, y: 4600000 + 5 * 150 + 75 });
  // same place, same minute: one incident with a second victim; dropped
  events.push({ ...events[events.length - 1]! });
  const result = runBacktest(events, {
    cellMeters: 150,
    testYear: 2018,
    methods: [
      { method: 'baseline', factory: createBaseline },
      { method: 'model', factory: createCrimeModel() },
    ],
  });

  it('reports the protocol fields', () => {
    expect(result.cellMeters).toBe(150);
    expect(result.testDays).toBe(365);
    expect(result.areaCells).toBe(100);
    expect(result.duplicatesRemoved).toBe(1);
    expect(result.testEvents).toBe(365);
    expect(result.results.map((r) => r.coverage)).toEqual([0.005, 0.01, 0.02, 0.05, 0.1, 0.005, 0.01, 0.02, 0.05, 0.1]);
  });

  it('both methods put the hot cell first: everything captured from 1% of the area', () => {
    for (const method of ['baseline', 'model']) {
      const at = (c: number) => result.results.find((r) => r.method === method && r.coverage === c)!;
      expect(at(0.005).hitRate).toBeCloseTo(0.5, 12); // half of one cell
      expect(at(0.01).hitRate).toBeCloseTo(1, 12);
      expect(at(0.01).pai).toBeCloseTo(100, 9);
      expect(at(0.01).pei).toBeCloseTo(1, 12);
      expect(at(0.1).hitRate).toBeCloseTo(1, 12);
      expect(at(0.1).pei).toBeCloseTo(1, 12);
    }
  });

  it('only uses events before each forecast day', () => {
    // a cell whose only event is on the last test day is never in the area and never predicted
    const more = [...events, { day: end - 1, minute: 0, x: 500000 + 9 * 150 + 75, y: 4600000 + 20 * 150 }];
    const r = runBacktest(more, { cellMeters: 150, testYear: 2018, methods: [{ method: 'baseline', factory: createBaseline }] });
    expect(r.areaCells).toBe(100);
    expect(r.results.find((x) => x.coverage === 0.01)!.hitRate).toBeCloseTo(365 / 366, 12);
  });
});
