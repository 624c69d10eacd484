/**
 * npx tsx scripts/tune-crime-model.ts <csv or csv.gz> [--cell 150] [--years 2016,2017,2018]
 *   [--group name[,name]] [--try name='{"edgeWeight":0.1}' ...] [--json out.json]
 *
 * Reproduces the tuning table above DEFAULT_CRIME_MODEL_PARAMS: for each tuning year (each
 * with only the data before it), runs the baseline and every candidate parameter set of the
 * chosen groups side by side (one pass over the data per year) and prints the hit rate at 1%
 * and 5% of the area relative to the baseline, per year and averaged. Candidates are partial
 * overrides of DEFAULT_CRIME_MODEL_PARAMS. Never run this on the evaluation year to choose
 * parameters.
 */

import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createBaseline } from '../server/risk/baseline.js';
import { runBacktest, type BacktestEvent } from '../server/risk/backtest.js';
import { createCrimeModel, type CrimeModelParams } from '../server/risk/crime-model.js';
import { loadEvents, readText } from './backtest.js';

type Candidate = [name: string, params: Partial<CrimeModelParams>];

/** The model before this round of tuning (the defaults until then), the reference of the groups. */
export const PREVIOUS: Partial<CrimeModelParams> = {
  mediumWindowDays: 90,
  mediumWeight: 0.1,
  halfLifeDays: 730,
  decayWeight: 0.8,
  weekdayWeight: 0.1,
  weekdayHalfLifeDays: 0,
  weekdayMode: 'day',
  edgeWeight: 0.05,
  cornerWeight: 0,
  ring2Weight: 0,
  decay2Weight: 0,
  repeatWeight: 0,
  longWeight: 0,
  nearRepeatWeight: 0,
  seasonalWeight: 0,
};

const prev = (o: Partial<CrimeModelParams>): Partial<CrimeModelParams> => ({ ...PREVIOUS, ...o });

export const GROUPS: Record<string, Candidate[]> = {
  reference: [['previous defaults', PREVIOUS], ['current defaults', {}]],
  halflife: [
    ['decay 0.8 h=365', prev({ halfLifeDays: 365 })],
    ['decay 0.8 h=1095', prev({ halfLifeDays: 1095 })],
    ['decay 0.8 h=1460', prev({ halfLifeDays: 1460 })],
  ],
  blend: [
    ['h730 0.5 + h1460 0.3', prev({ decayWeight: 0.5, decay2Weight: 0.3, halfLife2Days: 1460 })],
    ['h730 0.5 + h2920 0.3', prev({ decayWeight: 0.5, decay2Weight: 0.3, halfLife2Days: 2920 })],
    ['h365 0.4 + h1460 0.4', prev({ halfLifeDays: 365, decayWeight: 0.4, decay2Weight: 0.4, halfLife2Days: 1460 })],
    ['h365 0.4 + h2920 0.4', prev({ halfLifeDays: 365, decayWeight: 0.4, decay2Weight: 0.4, halfLife2Days: 2920 })],
    ['h730 0.4 + all-history (h 1e5) 0.4', prev({ decayWeight: 0.4, decay2Weight: 0.4, halfLife2Days: 100_000 })],
  ],
  smoothing: [
    ['edge 0.1', prev({ edgeWeight: 0.1 })],
    ['edge 0.05 corner 0.025', prev({ cornerWeight: 0.025 })],
    ['edge 0.1 corner 0.05', prev({ edgeWeight: 0.1, cornerWeight: 0.05 })],
    ['edge 0.05 ring2 0.01', prev({ ring2Weight: 0.01 })],
    ['gaussian σ=1 cell (0.61/0.37/0.22/0.08..)', prev({ edgeWeight: 0.607, cornerWeight: 0.368, ring2Weight: 0.08 })],
    ['edge 0.2 corner 0.1', prev({ edgeWeight: 0.2, cornerWeight: 0.1 })],
  ],
  repeat: [
    ['repeat h=7 w=0.05', prev({ repeatHalfLifeDays: 7, repeatWeight: 0.05 })],
    ['repeat h=14 w=0.05', prev({ repeatHalfLifeDays: 14, repeatWeight: 0.05 })],
    ['repeat h=30 w=0.05', prev({ repeatHalfLifeDays: 30, repeatWeight: 0.05 })],
    ['repeat h=30 w=0.1', prev({ repeatHalfLifeDays: 30, repeatWeight: 0.1 })],
  ],
  seasonal: [
    ['seasonal ±30 d w=0.1', prev({ seasonalWeight: 0.1, seasonalHalfWidthDays: 30 })],
    ['seasonal ±15 d w=0.05', prev({ seasonalWeight: 0.05, seasonalHalfWidthDays: 15 })],
  ],
  weekday: [
    ['weekday 0.2', prev({ weekdayWeight: 0.2 })],
    ['weekday 0.1 h=365', prev({ weekdayHalfLifeDays: 365 })],
    ['weekday 0.1 h=1460', prev({ weekdayHalfLifeDays: 1460 })],
  ],
  medium: [
    ['medium 0.05', prev({ mediumWeight: 0.05 })],
    ['medium 0.2', prev({ mediumWeight: 0.2 })],
    ['medium 180 d 0.1', prev({ mediumWindowDays: 180 })],
  ],
  dedup: [
    ['same-day same-place once', prev({ collapseSameDayPlace: true })],
    ['same-day same-cell once', prev({ collapseSameDayCell: true })],
  ],
  tiebreak: [['+ all-history count ×1e-4 (tie-break)', prev({ decay2Weight: 1e-4, halfLife2Days: 100_000 })]],
  combo: [
    ['wd h1460 0.15', prev({ weekdayHalfLifeDays: 1460, weekdayWeight: 0.15, decayWeight: 0.75 })],
    ['wd h1460 + repeat h14 0.03', prev({ weekdayHalfLifeDays: 1460, repeatHalfLifeDays: 14, repeatWeight: 0.03, decayWeight: 0.77 })],
    ['wd h1460 + repeat h14 0.05', prev({ weekdayHalfLifeDays: 1460, repeatHalfLifeDays: 14, repeatWeight: 0.05, decayWeight: 0.75 })],
    ['repeat h14 0.03', prev({ repeatHalfLifeDays: 14, repeatWeight: 0.03, decayWeight: 0.77 })],
    ['wd h1460 + corner 0.025', prev({ weekdayHalfLifeDays: 1460, cornerWeight: 0.025 })],
    ['wd h1460 + ring2 0.01', prev({ weekdayHalfLifeDays: 1460, ring2Weight: 0.01 })],
    ['corner 0.025 + ring2 0.01', prev({ cornerWeight: 0.025, ring2Weight: 0.01 })],
    ['edge 0.07 corner 0.02', prev({ edgeWeight: 0.07, cornerWeight: 0.02 })],
    ['edge 0.03', prev({ edgeWeight: 0.03 })],
    ['wd h1460 + h730 0.5 + h1460 0.3', prev({ weekdayHalfLifeDays: 1460, decayWeight: 0.5, decay2Weight: 0.3, halfLife2Days: 1460 })],
    ['wd h1460 + decay h1095', prev({ weekdayHalfLifeDays: 1460, halfLifeDays: 1095 })],
    ['wd h1460 + medium 0.05 + repeat h14 0.05', prev({ weekdayHalfLifeDays: 1460, mediumWeight: 0.05, repeatHalfLifeDays: 14, repeatWeight: 0.05, decayWeight: 0.8 })],
    ['repeat h14 0.05 + same-day place once', prev({ repeatHalfLifeDays: 14, repeatWeight: 0.05, decayWeight: 0.75, collapseSameDayPlace: true })],
  ],
  combo2: [
    ['wd h1460 0.15 + corner 0.025 + ring2 0.01', prev({ weekdayHalfLifeDays: 1460, weekdayWeight: 0.15, decayWeight: 0.75, cornerWeight: 0.025, ring2Weight: 0.01 })],
    ['wd h1460 0.2', prev({ weekdayHalfLifeDays: 1460, weekdayWeight: 0.2, decayWeight: 0.7 })],
    ['wd h2920 0.15', prev({ weekdayHalfLifeDays: 2920, weekdayWeight: 0.15, decayWeight: 0.75 })],
    ['weekend split 0.1', prev({ weekdayMode: 'weekend' })],
    ['weekend split h1460 0.15', prev({ weekdayMode: 'weekend', weekdayHalfLifeDays: 1460, weekdayWeight: 0.15, decayWeight: 0.75 })],
    ['weekend split h1460 0.3', prev({ weekdayMode: 'weekend', weekdayHalfLifeDays: 1460, weekdayWeight: 0.3, decayWeight: 0.6 })],
    ['730-d window 0.3 + decay 0.5', prev({ longWeight: 0.3, decayWeight: 0.5 })],
    ['medium 60 d 0.1', prev({ mediumWindowDays: 60 })],
  ],
  weekend: [
    ['weekend split h1460 0.4', prev({ weekdayMode: 'weekend', weekdayHalfLifeDays: 1460, weekdayWeight: 0.4, decayWeight: 0.5 })],
    ['weekend split h1460 0.5', prev({ weekdayMode: 'weekend', weekdayHalfLifeDays: 1460, weekdayWeight: 0.5, decayWeight: 0.4 })],
    ['weekend split h730 0.3', prev({ weekdayMode: 'weekend', weekdayWeight: 0.3, decayWeight: 0.6 })],
    ['weekend split h2920 0.3', prev({ weekdayMode: 'weekend', weekdayHalfLifeDays: 2920, weekdayWeight: 0.3, decayWeight: 0.6 })],
    ['Fri–Sun split h1460 0.3', prev({ weekdayMode: 'weekend3', weekdayHalfLifeDays: 1460, weekdayWeight: 0.3, decayWeight: 0.6 })],
    ['weekend split h1460 0.3 + ring2 0.01', prev({ weekdayMode: 'weekend', weekdayHalfLifeDays: 1460, weekdayWeight: 0.3, decayWeight: 0.6, ring2Weight: 0.01 })],
    ['weekend split h1460 0.3, medium 0', prev({ weekdayMode: 'weekend', weekdayHalfLifeDays: 1460, weekdayWeight: 0.3, decayWeight: 0.7, mediumWeight: 0 })],
  ],
  weekend2: [
    ['weekend split h1460 0.6', prev({ weekdayMode: 'weekend', weekdayHalfLifeDays: 1460, weekdayWeight: 0.6, decayWeight: 0.3 })],
    ['weekend split h1460 0.7', prev({ weekdayMode: 'weekend', weekdayHalfLifeDays: 1460, weekdayWeight: 0.7, decayWeight: 0.2 })],
    ['weekend split h1460 0.9 (no all-days decay)', prev({ weekdayMode: 'weekend', weekdayHalfLifeDays: 1460, weekdayWeight: 0.9, decayWeight: 0 })],
    ['weekend split h730 0.5', prev({ weekdayMode: 'weekend', weekdayWeight: 0.5, decayWeight: 0.4 })],
    ['weekend split h730 0.7', prev({ weekdayMode: 'weekend', weekdayWeight: 0.7, decayWeight: 0.2 })],
    ['weekend split h1095 0.6', prev({ weekdayMode: 'weekend', weekdayHalfLifeDays: 1095, weekdayWeight: 0.6, decayWeight: 0.3 })],
    ['weekend split h1460 0.5, medium 0.15', prev({ weekdayMode: 'weekend', weekdayHalfLifeDays: 1460, weekdayWeight: 0.5, decayWeight: 0.35, mediumWeight: 0.15 })],
    ['weekend split h1460 0.5, edge 0.07', prev({ weekdayMode: 'weekend', weekdayHalfLifeDays: 1460, weekdayWeight: 0.5, decayWeight: 0.4, edgeWeight: 0.07 })],
  ],
  weekend3: [
    ['weekend split h730 0.6', prev({ weekdayMode: 'weekend', weekdayWeight: 0.6, decayWeight: 0.3 })],
    ['weekend split h730 0.8', prev({ weekdayMode: 'weekend', weekdayWeight: 0.8, decayWeight: 0.1 })],
    ['weekend split h730 0.7, edge 0.07', prev({ weekdayMode: 'weekend', weekdayWeight: 0.7, decayWeight: 0.2, edgeWeight: 0.07 })],
    ['weekend split h730 0.7, medium 0.05', prev({ weekdayMode: 'weekend', weekdayWeight: 0.7, decayWeight: 0.25, mediumWeight: 0.05 })],
  ],
  loccat: [
    ['street 1.2', prev({ categoryWeights: { street: 1.2 } })],
    ['residence 0.8', prev({ categoryWeights: { residence: 0.8 } })],
    ['residence 1.2', prev({ categoryWeights: { residence: 1.2 } })],
  ],
};

interface Row {
  name: string;
  gain1: number[];
  gain5: number[];
}

export function tune(events: readonly BacktestEvent[], cell: number, years: readonly number[], candidates: readonly Candidate[], log: (s: string) => void = () => {}): Row[] {
  const rows: Row[] = candidates.map(([name]) => ({ name, gain1: [], gain5: [] }));
  for (const year of years) {
    const t0 = Date.now();
    const r = runBacktest(events, {
      cellMeters: cell,
      testYear: year,
      coverages: [0.01, 0.05],
      methods: [{ method: 'baseline', factory: createBaseline }, ...candidates.map(([name, params]) => ({ method: name, factory: createCrimeModel(params, name) }))],
    });
    const at = (m: string, c: number): number => r.results.find((x) => x.method === m && x.coverage === c)!.hitRate;
    const b1 = at('baseline', 0.01);
    const b5 = at('baseline', 0.05);
    candidates.forEach(([name], i) => {
      rows[i]!.gain1.push(at(name, 0.01) / b1 - 1);
      rows[i]!.gain5.push(at(name, 0.05) / b5 - 1);
    });
    log(`${year}: baseline ${(b1 * 100).toFixed(2)}% at 1%, ${(b5 * 100).toFixed(2)}% at 5%; ${candidates.length} candidates in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  return rows;
}

export function formatRows(rows: readonly Row[], years: readonly number[]): string {
  const pct = (v: number): string => `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)}%`;
  const mean = (a: number[]): number => a.reduce((s, v) => s + v, 0) / a.length;
  const out = [
    `| candidate | ${years.map((y) => `${y} @1%`).join(' | ')} | mean @1% | ${years.map((y) => `${y} @5%`).join(' | ')} | min @5% |`,
    `| --- |${' ---: |'.repeat(2 * years.length + 2)}`,
  ];
  for (const r of rows) out.push(`| ${r.name} | ${r.gain1.map(pct).join(' | ')} | ${pct(mean(r.gain1))} | ${r.gain5.map(pct).join(' | ')} | ${pct(Math.min(...r.gain5))} |`);
  return out.join('\n');
}

function main(argv: readonly string[]): void {
  let file: string | undefined;
  let cell = 150;
  let years = [2016, 2017, 2018];
  let groups = ['reference'];
  let json: string | undefined;
  const tries: Candidate[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = (): string => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${a} needs a value`);
      return x;
    };
    if (a === '--cell') cell = Number(v());
    else if (a === '--years') years = v().split(',').map(Number);
    else if (a === '--group') groups = v().split(',');
    else if (a === '--json') json = v();
    else if (a === '--try') {
      const s = v();
      const eq = s.indexOf('=');
      tries.push([s.slice(0, eq), JSON.parse(s.slice(eq + 1)) as Partial<CrimeModelParams>]);
    } else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else file = a;
  }
  if (!file) throw new Error('usage: tsx scripts/tune-crime-model.ts <csv> [--cell 150] [--years 2016,2017,2018] [--group a,b] [--try name=json]');
  if (years.includes(2019)) process.stderr.write('warning: 2019 is the evaluation year; do not choose parameters by it\n');
  const candidates: Candidate[] = [];
  for (const g of groups) {
    if (g === 'all') for (const list of Object.values(GROUPS)) candidates.push(...list);
    else if (GROUPS[g]) candidates.push(...GROUPS[g]!);
    else if (g !== 'none') throw new Error(`unknown group ${g}; known: ${Object.keys(GROUPS).join(', ')}, all, none`);
  }
  candidates.push(...tries);
  const loaded = loadEvents(readText(file), { dateCol: 'date', xCol: 'longitude', yCol: 'latitude', catCol: 'loc_cat', epsg: undefined, dayFirst: false });
  const rows = tune(loaded.events, cell, years, candidates, (s) => process.stderr.write(`${s}\n`));
  process.stdout.write(`${formatRows(rows, years)}\n`);
  if (json) writeFileSync(json, `${JSON.stringify({ cell, years, rows, candidates }, null, 2)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main(process.argv.slice(2));
