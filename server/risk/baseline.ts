/**
 * The long-term baseline of DESIGN §8: the count of events per cell over the previous
 * 730 days, kept incrementally (events enter when their day is observed and leave when
 * they fall out of the window), plus the building blocks the model shares with it.
 */

import type { Grid } from './grid-cells.js';

/** The (deduplicated) events of one day, as cell ids and category indexes. */
export interface DayBatch {
  day: number; // days since 1970-01-01 of the naive local date
  cells: Int32Array;
  cats: Uint16Array;
  /** Position of each event inside its cell, metres from the cell's lower-left corner. */
  fx: Float32Array;
  fy: Float32Array;
}

export interface ForecastContext {
  grid: Grid;
  neighbours: Int32Array; // neighbourTable(grid)
  categories: readonly string[]; // names of the category indexes in DayBatch.cats
}

/** A forecaster sees days in order and forecasts a day from everything observed before it. */
export interface Forecaster {
  readonly name: string;
  observe(batch: DayBatch): void;
  /** Writes the score of area cell `area[i]` into `out[i]`; only days observed before `day` may count. */
  forecast(day: number, area: Int32Array, out: Float64Array): void;
}

export type ForecasterFactory = (ctx: ForecastContext) => Forecaster;

/** Events of one day as cells and optional weights (1 each when absent). */
export interface WeightedDay {
  day: number;
  cells: Int32Array;
  weights?: Float64Array;
}

/**
 * Per-cell (weighted) count of the events whose day lies in [day − toLag, day − fromLag],
 * updated incrementally: `advance(day)` adds the days that entered the window and drops the
 * days that left it, so a day costs only the events that move.
 */
export class WindowCounter {
  readonly counts: Float64Array;
  private readonly history: WeightedDay[] = [];
  private addHead = 0;
  private dropHead = 0;
  constructor(
    cellCount: number,
    readonly toLag: number,
    readonly fromLag = 1,
  ) {
    if (!(fromLag >= 1 && toLag >= fromLag)) throw new Error(`bad window [${fromLag}, ${toLag}]`);
    this.counts = new Float64Array(cellCount);
  }
  observe(day: WeightedDay): void {
    this.history.push(day);
  }
  advance(day: number): void {
    const h = this.history;
    while (this.addHead < h.length && h[this.addHead]!.day <= day - this.fromLag) this.apply(h[this.addHead++]!, 1);
    while (this.dropHead < this.addHead && h[this.dropHead]!.day < day - this.toLag) this.apply(h[this.dropHead++]!, -1);
    if (this.dropHead > 4096) {
      h.splice(0, this.dropHead);
      this.addHead -= this.dropHead;
      this.dropHead = 0;
    }
  }
  private apply(d: WeightedDay, sign: number): void {
    const w = d.weights;
    for (let i = 0; i < d.cells.length; i++) this.counts[d.cells[i]!]! += sign * (w ? w[i]! : 1);
  }
}

export const BASELINE_WINDOW_DAYS = 730;

export function createBaseline(ctx: ForecastContext): Forecaster {
  const counter = new WindowCounter(ctx.grid.cols * ctx.grid.rows, BASELINE_WINDOW_DAYS);
  return {
    name: 'baseline',
    observe: (batch) => counter.observe(batch),
    forecast(day, area, out) {
      counter.advance(day);
      for (let i = 0; i < area.length; i++) out[i] = counter.counts[area[i]!]! / BASELINE_WINDOW_DAYS;
    },
  };
}
