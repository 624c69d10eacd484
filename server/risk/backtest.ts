/**
 * The backtest protocol of DESIGN §8, pure over arrays of events (already in metric x/y):
 * square cells with the origin at the minimum x and y; for each day of the test year, every
 * method forecasts from the events strictly before that day; cells with at least one earlier
 * event form the area; hit rate, PAI and PEI* at fixed fractions of that area, pooled over
 * the test days, for all methods on the same days.
 */

import type { DayBatch, ForecasterFactory } from './baseline.js';
import { buildGrid, cellCount, cellOf, neighbourTable } from './grid-cells.js';
import { MetricAccumulator, scoreDay } from './metrics.js';

export const DEFAULT_COVERAGES: readonly number[] = [0.005, 0.01, 0.02, 0.05, 0.1];

export interface BacktestEvent {
  day: number; // days since 1970-01-01 of the naive local date
  minute: number; // minute of the day, 0..1439
  x: number; // metres
  y: number; // metres
  category?: string;
}

export interface BacktestMethod {
  method: string; // "baseline" | "model" in the CLI; free-form for tuning
  factory: ForecasterFactory;
}

export interface BacktestOptions {
  cellMeters: number;
  testYear: number;
  coverages?: readonly number[];
  methods: readonly BacktestMethod[];
}

export interface BacktestRow {
  method: string;
  coverage: number;
  hitRate: number;
  pai: number;
  pei: number;
}

export interface BacktestResult {
  cellMeters: number;
  testDays: number;
  areaCells: number; // mean over the test days of the cells with an earlier event
  results: BacktestRow[];
  // diagnostics (not part of the JSON file)
  eventsUsed: number;
  duplicatesRemoved: number;
  testEvents: number;
  areaCellsRange: [number, number];
}

export function dayNumber(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / 86_400_000);
}

/** Drops records with the same coordinates and the same minute (one incident, several victims). */
export function dedupeEvents(events: readonly BacktestEvent[]): BacktestEvent[] {
  const seen = new Set<string>();
  const out: BacktestEvent[] = [];
  for (const e of events) {
    const key = `${e.day}|${e.minute}|${e.x}|${e.y}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
  }
  return out;
}

export function runBacktest(input: readonly BacktestEvent[], options: BacktestOptions): BacktestResult {
  const coverages = [...(options.coverages ?? DEFAULT_COVERAGES)].sort((a, b) => a - b);
  const events = dedupeEvents(input);
  const duplicatesRemoved = input.length - events.length;
  const firstTest = dayNumber(options.testYear, 1, 1);
  const lastTest = dayNumber(options.testYear + 1, 1, 1) - 1;
  // events after the test year play no part, not even in the grid's extent
  const used = events.filter((e) => e.day <= lastTest);
  if (used.length === 0) throw new Error('no events on or before the test year');
  const grid = buildGrid(used.map((e) => e.x), used.map((e) => e.y), options.cellMeters);
  const nCells = cellCount(grid);
  const categories: string[] = [];
  const catIndex = new Map<string, number>();
  used.sort((a, b) => a.day - b.day);
  const firstDay = used[0]!.day;
  const lastDay = Math.min(lastTest, used[used.length - 1]!.day);
  const ctx = { grid, neighbours: neighbourTable(grid), categories };

  // one batch per day, in order
  const batches: DayBatch[] = [];
  let i = 0;
  for (let day = firstDay; day <= lastDay; day++) {
    let j = i;
    while (j < used.length && used[j]!.day === day) j++;
    const cells = new Int32Array(j - i);
    const cats = new Uint16Array(j - i);
    const fx = new Float32Array(j - i);
    const fy = new Float32Array(j - i);
    for (let k = i; k < j; k++) {
      const e = used[k]!;
      const cell = cellOf(grid, e.x, e.y);
      cells[k - i] = cell;
      fx[k - i] = e.x - grid.originX - (cell % grid.cols) * grid.cellMeters;
      fy[k - i] = e.y - grid.originY - Math.floor(cell / grid.cols) * grid.cellMeters;
      const name = e.category ?? '';
      let ci = catIndex.get(name);
      if (ci === undefined) {
        ci = categories.length;
        categories.push(name);
        catIndex.set(name, ci);
      }
      cats[k - i] = ci;
    }
    batches.push({ day, cells, cats, fx, fy });
    i = j;
  }

  const forecasters = options.methods.map((m) => ({ method: m.method, f: m.factory(ctx), acc: new MetricAccumulator(coverages) }));
  const seen = new Uint8Array(nCells);
  const areaIndex = new Int32Array(nCells).fill(-1);
  let area = new Int32Array(1024);
  let areaSize = 0;
  let scores = new Float64Array(1024);
  let hits = new Float64Array(1024);
  let order = new Int32Array(1024);
  let testDays = 0;
  let testEvents = 0;
  let areaSum = 0;
  let areaMin = Infinity;
  let areaMax = 0;

  for (const batch of batches) {
    if (batch.day >= firstTest && batch.day <= lastTest && areaSize > 0) {
      testDays++;
      testEvents += batch.cells.length;
      areaSum += areaSize;
      areaMin = Math.min(areaMin, areaSize);
      areaMax = Math.max(areaMax, areaSize);
      const view = area.subarray(0, areaSize);
      const h = hits.subarray(0, areaSize).fill(0);
      for (const c of batch.cells) {
        const ai = areaIndex[c]!;
        if (ai >= 0) h[ai]! += 1;
      }
      const s = scores.subarray(0, areaSize);
      const o = order.subarray(0, areaSize);
      for (const fc of forecasters) {
        fc.f.forecast(batch.day, view, s);
        for (let k = 0; k < areaSize; k++) o[k] = k;
        o.sort((a, b) => s[b]! - s[a]!);
        fc.acc.add(scoreDay(s, h, coverages, o), batch.cells.length);
      }
    }
    for (const fc of forecasters) fc.f.observe(batch);
    for (const c of batch.cells) {
      if (seen[c]) continue;
      seen[c] = 1;
      if (areaSize === area.length) {
        const grow = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => {
          const b = make(a.length * 2);
          b.set(a);
          return b;
        };
        area = grow(area, (n) => new Int32Array(n));
        scores = new Float64Array(area.length);
        hits = new Float64Array(area.length);
        order = new Int32Array(area.length);
      }
      areaIndex[c] = areaSize;
      area[areaSize++] = c;
    }
  }

  const results: BacktestRow[] = [];
  for (const fc of forecasters) {
    for (const r of fc.acc.results()) results.push({ method: fc.method, ...r });
  }
  return {
    cellMeters: options.cellMeters,
    testDays,
    areaCells: testDays > 0 ? Math.round(areaSum / testDays) : 0,
    results,
    eventsUsed: used.length,
    duplicatesRemoved,
    testEvents,
    areaCellsRange: [testDays > 0 ? areaMin : 0, areaMax],
  };
}
