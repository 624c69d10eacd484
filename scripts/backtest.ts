/**
 * npm run backtest -- <csv or csv.gz> [--cell 150] [--test-year 2019] [--json out.json]
 *   [--date-col date] [--x-col longitude] [--y-col latitude] [--cat-col loc_cat]
 *   [--epsg <code>] [--date-format auto|DD/MM/YYYY]
 *
 * Runs the backtest protocol of DESIGN §8 (server/risk/backtest.ts) for the baseline and the
 * crime-risk model side by side, prints a table and optionally writes the JSON summary.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { createBaseline } from '../server/risk/baseline.js';
import { dayNumber, runBacktest, type BacktestEvent, type BacktestResult } from '../server/risk/backtest.js';
import { createCrimeModel } from '../server/risk/crime-model.js';
import { isSupportedMetricEpsg, toUtm, utmEpsg, utmZoneFor } from '../server/risk/projection.js';

export interface CliOptions {
  file: string;
  cell: number;
  testYear: number;
  json?: string;
  dateCol: string;
  xCol: string;
  yCol: string;
  catCol: string;
  epsg?: number;
  dayFirst: boolean;
}

export class UsageError extends Error {}

const USAGE = `usage: npm run backtest -- <csv or csv.gz> [--cell 150] [--test-year 2019] [--json out.json]
  [--date-col date] [--x-col longitude] [--y-col latitude] [--cat-col loc_cat]
  [--epsg <code>] [--date-format auto|DD/MM/YYYY]
dates: YYYY-MM-DD[ HH:MM[:SS]], MM/DD/YYYY[ HH:MM[:SS] [AM|PM]] (DD/MM/YYYY with --date-format)
--epsg: x/y already in metres; accepted: WGS84 UTM 32601-32660/32701-32760, NAD83 UTM 26901-26923,
  ETRS89 UTM 25828-25838, NAD83(2011) UTM 6328-6348 (x/y columns default to x and y)`;

export function parseArgs(argv: readonly string[]): CliOptions {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
      else {
        const v = argv[i + 1];
        if (v === undefined) throw new UsageError(`${a} needs a value`);
        flags.set(a.slice(2), v);
        i++;
      }
    } else positional.push(a);
  }
  const known = new Set(['cell', 'test-year', 'json', 'date-col', 'x-col', 'y-col', 'cat-col', 'epsg', 'date-format']);
  for (const k of flags.keys()) if (!known.has(k)) throw new UsageError(`unknown option --${k}`);
  if (positional.length !== 1) throw new UsageError('give exactly one input file');
  const num = (name: string, fallback: number): number => {
    const v = flags.get(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number, got ${v}`);
    return n;
  };
  let epsg: number | undefined;
  if (flags.has('epsg')) {
    epsg = num('epsg', 0);
    if (epsg === 4326) epsg = undefined; // lon/lat, the default
    else if (!isSupportedMetricEpsg(epsg)) throw new UsageError(`--epsg ${epsg} is not supported (metric UTM codes only)\n${USAGE}`);
  }
  const dateFormat = flags.get('date-format') ?? 'auto';
  if (dateFormat !== 'auto' && dateFormat !== 'DD/MM/YYYY' && dateFormat !== 'MM/DD/YYYY') throw new UsageError(`unknown --date-format ${dateFormat}`);
  return {
    file: positional[0]!,
    cell: num('cell', 150),
    testYear: Math.floor(num('test-year', 2019)),
    json: flags.get('json'),
    dateCol: flags.get('date-col') ?? 'date',
    xCol: flags.get('x-col') ?? (epsg ? 'x' : 'longitude'),
    yCol: flags.get('y-col') ?? (epsg ? 'y' : 'latitude'),
    catCol: flags.get('cat-col') ?? 'loc_cat',
    epsg,
    dayFirst: dateFormat === 'DD/MM/YYYY',
  };
}

/** Naive local date and minute of day; no time-zone conversion. undefined when unparsable. */
export function parseDate(text: string, dayFirst = false): { day: number; minute: number } | undefined {
  const s = text.trim();
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?/.exec(s);
  let year: number, month: number, dom: number, hour = 0, min = 0;
  if (m) {
    year = Number(m[1]);
    month = Number(m[2]);
    dom = Number(m[3]);
    if (m[4] !== undefined) {
      hour = Number(m[4]);
      min = Number(m[5]);
    }
  } else {
    m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp])\.?[Mm]\.?)?)?$/.exec(s);
    if (!m) return undefined;
    year = Number(m[3]);
    month = Number(dayFirst ? m[2] : m[1]);
    dom = Number(dayFirst ? m[1] : m[2]);
    if (m[4] !== undefined) {
      hour = Number(m[4]);
      min = Number(m[5]);
      const ampm = m[7]?.toUpperCase();
      if (ampm) {
        if (hour < 1 || hour > 12) return undefined;
        if (ampm === 'A' && hour === 12) hour = 0;
        else if (ampm === 'P' && hour !== 12) hour += 12;
      }
    }
  }
  if (month < 1 || month > 12 || dom < 1 || dom > 31 || hour > 23 || min > 59) return undefined;
  const day = dayNumber(year, month, dom);
  // reject 2019-02-30 and the like (Date.UTC rolls them over)
  const check = new Date(day * 86_400_000);
  if (check.getUTCDate() !== dom) return undefined;
  return { day, minute: hour * 60 + min };
}

/** Splits one CSV line (RFC 4180 quoting; quoted fields may not contain newlines). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) {
          v += line.slice(i);
          i = line.length;
          break;
        }
        v += line.slice(i, q);
        if (line[q + 1] === '"') {
          v += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      out.push(v);
      const comma = line.indexOf(',', i);
      i = comma < 0 ? line.length + 1 : comma + 1;
    } else {
      const comma = line.indexOf(',', i);
      if (comma < 0) {
        out.push(line.slice(i));
        break;
      }
      out.push(line.slice(i, comma));
      i = comma + 1;
    }
  }
  return out;
}

export function readText(file: string): string {
  const buf = readFileSync(file);
  const gz = buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  return (gz ? gunzipSync(buf) : buf).toString('utf8').replace(/^\uFEFF/, '');
}

export interface LoadedEvents {
  events: BacktestEvent[];
  skipped: number;
  projection: string;
}

export function loadEvents(text: string, o: Pick<CliOptions, 'dateCol' | 'xCol' | 'yCol' | 'catCol' | 'epsg' | 'dayFirst'>): LoadedEvents {
  const lines = text.split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? '').map((h) => h.trim());
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new UsageError(`column "${name}" not found; the header has: ${header.join(', ')}`);
    return i;
  };
  const di = col(o.dateCol);
  const xi = col(o.xCol);
  const yi = col(o.yCol);
  const ci = header.indexOf(o.catCol);
  const rows: { day: number; minute: number; a: number; b: number; category?: string }[] = [];
  let skipped = 0;
  for (let l = 1; l < lines.length; l++) {
    const line = lines[l]!;
    if (line.trim() === '') continue;
    const f = splitCsvLine(line);
    const d = parseDate(f[di] ?? '', o.dayFirst);
    const a = Number((f[xi] ?? '').trim() || NaN);
    const b = Number((f[yi] ?? '').trim() || NaN);
    const lonLatOk = o.epsg !== undefined || (Math.abs(a) <= 180 && Math.abs(b) <= 90 && !(a === 0 && b === 0));
    if (!d || !Number.isFinite(a) || !Number.isFinite(b) || !lonLatOk) {
      skipped++;
      continue;
    }
    rows.push({ day: d.day, minute: d.minute, a, b, category: ci >= 0 ? (f[ci] ?? '').trim() : undefined });
  }
  if (o.epsg !== undefined) {
    return { events: rows.map((r) => ({ day: r.day, minute: r.minute, x: r.a, y: r.b, category: r.category })), skipped, projection: `EPSG:${o.epsg} (as given)` };
  }
  const zone = utmZoneFor(rows.map((r) => r.a), rows.map((r) => r.b));
  const events = rows.map((r) => {
    const p = toUtm(r.a, r.b, zone);
    return { day: r.day, minute: r.minute, x: p.x, y: p.y, category: r.category };
  });
  return { events, skipped, projection: `UTM zone ${zone.zone}${zone.south ? 'S' : 'N'} (EPSG:${utmEpsg(zone)}) from WGS84 lon/lat` };
}

export function formatTable(result: BacktestResult): string {
  const pct = (v: number): string => `${(v * 100).toFixed(2)}%`;
  const lines = [
    `| coverage | baseline hit rate | model hit rate | change | baseline PAI | model PAI | baseline PEI* | model PEI* |`,
    `| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`,
  ];
  const coverages = [...new Set(result.results.map((r) => r.coverage))];
  for (const c of coverages) {
    const b = result.results.find((r) => r.method === 'baseline' && r.coverage === c);
    const m = result.results.find((r) => r.method === 'model' && r.coverage === c);
    if (!b || !m) continue;
    const change = b.hitRate > 0 ? `${((m.hitRate / b.hitRate - 1) * 100).toFixed(1)}%` : 'n/a';
    lines.push(
      `| ${(c * 100).toString()}% | ${pct(b.hitRate)} | ${pct(m.hitRate)} | ${change.startsWith('-') ? change : `+${change}`} | ${b.pai.toFixed(2)} | ${m.pai.toFixed(2)} | ${b.pei.toFixed(3)} | ${m.pei.toFixed(3)} |`,
    );
  }
  return lines.join('\n');
}

export interface CliRun {
  result: BacktestResult;
  report: string;
}

export function runCli(argv: readonly string[]): CliRun {
  const o = parseArgs(argv);
  const started = Date.now();
  const loaded = loadEvents(readText(o.file), o);
  const result = runBacktest(loaded.events, {
    cellMeters: o.cell,
    testYear: o.testYear,
    methods: [
      { method: 'baseline', factory: createBaseline },
      { method: 'model', factory: createCrimeModel() },
    ],
  });
  if (o.json) {
    const { cellMeters, testDays, areaCells, results } = result;
    writeFileSync(o.json, `${JSON.stringify({ cellMeters, testDays, areaCells, results }, null, 2)}\n`);
  }
  const report = [
    `backtest ${o.file}: ${loaded.events.length} records read (${loaded.skipped} skipped as unparsable), ${result.duplicatesRemoved} same-place same-minute duplicates removed`,
    `projection ${loaded.projection}; ${o.cell} m cells; test year ${o.testYear}: ${result.testDays} days, ${result.testEvents} events; area ${result.areaCells} cells on average (${result.areaCellsRange[0]}..${result.areaCellsRange[1]}), ${((result.areaCells * o.cell * o.cell) / 1e6).toFixed(0)} km²`,
    '',
    formatTable(result),
    '',
    `hit rate = events in the flagged cells / all events of the test days; PAI = hit rate / coverage; PEI* = captured / the most that many cells could capture; ties at the cutoff count fractionally`,
    `${((Date.now() - started) / 1000).toFixed(1)} s${o.json ? `; JSON written to ${o.json}` : ''}`,
  ].join('\n');
  return { result, report };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    process.stdout.write(`${runCli(process.argv.slice(2)).report}\n`);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n${err.message.includes('usage:') ? '' : `${USAGE}\n`}`);
      process.exit(2);
    }
    throw err;
  }
}
