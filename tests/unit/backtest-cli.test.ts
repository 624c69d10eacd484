import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { parseArgs, parseDate, runCli, splitCsvLine, UsageError } from '../../scripts/backtest.js';
import { dayNumber } from '../../server/risk/backtest.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pingan-backtest-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pad = (n: number) => String(n).padStart(2, '0');

/** Chicago-like lon/lat: a 12 × 12 block of ~150 m cells, one hot corner, 2017–2018. */
function syntheticCsv(format: (y: number, m: number, d: number, hh: number, mm: number) => string, header = 'date,loc_cat,longitude,latitude,district'): string {
  const lines = [header];
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let t = Date.UTC(2017, 0, 1); t < Date.UTC(2019, 0, 1); t += 86_400_000) {
    const dt = new Date(t);
    const perDay = 3;
    for (let k = 0; k < perDay; k++) {
      const hot = rnd() < 0.5;
      const lon = -87.65 + (hot ? 0.0005 : rnd() * 0.02);
      const lat = 41.85 + (hot ? 0.0005 : rnd() * 0.015);
      lines.push(`${format(dt.getUTCFullYear(), dt.getUTCMonth() + 1, dt.getUTCDate(), 13, 5 * k)},street,${lon.toFixed(4)},${lat.toFixed(4)},1`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function expectShape(json: unknown): void {
  const j = json as { cellMeters: number; testDays: number; areaCells: number; results: { method: string; coverage: number; hitRate: number; pai: number; pei: number }[] };
  expect(Object.keys(j).sort()).toEqual(['areaCells', 'cellMeters', 'results', 'testDays']);
  expect(j.cellMeters).toBe(150);
  expect(j.testDays).toBe(365);
  expect(j.areaCells).toBeGreaterThan(10);
  expect(j.results).toHaveLength(10);
  expect(j.results.map((r) => r.method)).toEqual([...Array(5).fill('baseline'), ...Array(5).fill('model')]);
  expect(j.results.slice(0, 5).map((r) => r.coverage)).toEqual([0.005, 0.01, 0.02, 0.05, 0.1]);
  for (const r of j.results) {
    expect(Object.keys(r).sort()).toEqual(['coverage', 'hitRate', 'method', 'pai', 'pei']);
    expect(r.hitRate).toBeGreaterThanOrEqual(0);
    expect(r.hitRate).toBeLessThanOrEqual(1);
    expect(r.pai).toBeCloseTo(r.hitRate / r.coverage, 9);
    expect(r.pei).toBeLessThanOrEqual(1 + 1e-9);
  }
  // the hot cell holds about half the events and is found by both methods
  expect(j.results[1]!.hitRate).toBeGreaterThan(0.4);
}

describe('npm run backtest (CLI protocol)', () => {
  const ymd = (y: number, m: number, d: number, hh: number, mm: number) => `${y}-${pad(m)}-${pad(d)} ${pad(hh)}:${pad(mm)}`;

  it('reads a CSV and writes the JSON summary', () => {
    const csv = join(dir, 'events.csv');
    writeFileSync(csv, syntheticCsv(ymd));
    const out = join(dir, 'bt.json');
    const run = runCli([csv, '--cell', '150', '--test-year', '2018', '--json', out]);
    expectShape(JSON.parse(readFileSync(out, 'utf8')));
    expect(run.report).toContain('UTM zone 16N (EPSG:32616)');
    expect(run.report).toMatch(/\| 1% \| .* \|/);
  });

  it('reads gzip directly and gives the same numbers', () => {
    const text = syntheticCsv(ymd);
    writeFileSync(join(dir, 'a.csv'), text);
    writeFileSync(join(dir, 'a.csv.gz'), gzipSync(text));
    const plain = runCli([join(dir, 'a.csv'), '--test-year', '2018']).result.results;
    const gz = runCli([join(dir, 'a.csv.gz'), '--test-year', '2018']).result.results;
    expect(gz).toEqual(plain);
  });

  it('takes other column names, US dates with AM/PM and projected x/y with --epsg', () => {
    const us = (y: number, m: number, d: number, hh: number, mm: number) => `${pad(m)}/${pad(d)}/${y} ${pad(hh - 12)}:${pad(mm)}:00 PM`;
    const csv = join(dir, 'us.csv');
    writeFileSync(csv, syntheticCsv(us, 'Date,loc_cat,Lon,Lat,district'));
    const out = join(dir, 'us.json');
    runCli([csv, '--date-col', 'Date', '--x-col', 'Lon', '--y-col', 'Lat', '--test-year', '2018', '--json', out]);
    expectShape(JSON.parse(readFileSync(out, 'utf8')));

    // the same points as UTM metres (EPSG:32616), columns x and y
    const lines = syntheticCsv(ymd).trim().split('\n').slice(1);
    const projected = ['date,x,y', ...lines.map((l) => {
      const [date, , lon, lat] = l.split(',');
      // local metric approximation is fine here: the CLI must take x/y as they are
      const x = 440000 + (Number(lon) + 87.65) * 83000;
      const y = 4630000 + (Number(lat) - 41.85) * 111000;
      return `${date},${x.toFixed(1)},${y.toFixed(1)}`;
    })].join('\n');
    writeFileSync(join(dir, 'xy.csv'), projected);
    const run = runCli([join(dir, 'xy.csv'), '--epsg', '32616', '--test-year', '2018', '--json', join(dir, 'xy.json')]);
    expect(run.report).toContain('EPSG:32616 (as given)');
    expectShape(JSON.parse(readFileSync(join(dir, 'xy.json'), 'utf8')));
  });

  it('rejects unsupported EPSG codes, unknown options and missing columns with a usage message', () => {
    expect(() => parseArgs(['f.csv', '--epsg', '3857'])).toThrow(UsageError);
    expect(() => parseArgs(['f.csv', '--colour', 'red'])).toThrow(/unknown option/);
    expect(() => parseArgs([])).toThrow(UsageError);
    writeFileSync(join(dir, 'bad.csv'), 'when,lon,lat\n2018-01-01,1,2\n');
    expect(() => runCli([join(dir, 'bad.csv')])).toThrow(/column "date" not found/);
  });

  it('runs as a script through npm run backtest', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.backtest).toBe('tsx scripts/backtest.ts');
    const csv = join(dir, 'events.csv');
    writeFileSync(csv, syntheticCsv(ymd));
    const out = execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/backtest.ts'), csv, '--test-year', '2018'], { cwd: ROOT, encoding: 'utf8' });
    expect(out).toContain('| coverage | baseline hit rate | model hit rate |');
  }, 30_000);
});

describe('date and CSV parsing', () => {
  it('parses the supported formats as naive local dates', () => {
    const d = dayNumber(2019, 3, 10);
    expect(parseDate('2019-03-10 02:30')).toEqual({ day: d, minute: 150 }); // a US DST gap: no conversion
    expect(parseDate('2019-03-10')).toEqual({ day: d, minute: 0 });
    expect(parseDate('2019-03-10T23:59:59')).toEqual({ day: d, minute: 1439 });
    expect(parseDate('03/10/2019 12:05:00 AM')).toEqual({ day: d, minute: 5 });
    expect(parseDate('03/10/2019 12:05 PM')).toEqual({ day: d, minute: 725 });
    expect(parseDate('03/10/2019 11:59:00 PM')).toEqual({ day: d, minute: 1439 });
    expect(parseDate('03/10/2019 14:10')).toEqual({ day: d, minute: 850 });
    expect(parseDate('10/03/2019 14:10', true)).toEqual({ day: d, minute: 850 });
    expect(parseDate('2019-02-30 10:00')).toBeUndefined();
    expect(parseDate('13/40/2019')).toBeUndefined();
    expect(parseDate('yesterday')).toBeUndefined();
  });

  it('splits quoted CSV fields', () => {
    expect(splitCsvLine('a,"b,c",,"say ""hi"""')).toEqual(['a', 'b,c', '', 'say "hi"']);
    expect(splitCsvLine('"(41.8, -87.6)",x')).toEqual(['(41.8, -87.6)', 'x']);
    expect(splitCsvLine('a,b,')).toEqual(['a', 'b', '']);
  });
});
