/**
 * Offline evaluation of the count-spike detector (server/alerts/spike.ts) on a CSV of events
 * with a `date` (naive local `YYYY-MM-DD HH:MM`) and a `district` column — the Chicago data.
 * Run by hand, not part of the test suite:
 *
 *   npx tsx scripts/spike-eval.ts ../shared/data/chicago_aggravated_assaults.csv.gz [--json out.json]
 *     [--from 2018-01-01] [--to 2019-12-31] [--weeks 8] [--no-dedup] [--no-variants]
 *
 * One series per district × one category (all events), hourly counts over the whole file; every
 * hour from --from to --to is scored with the model fitted on the preceding weeks only. The data
 * are treated as having no true spikes, so every alarm counts as a false alarm: the rates are an
 * upper bound on the false-alarm rate (real clusters, if any, are counted as false).
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_SPIKE_OPTIONS, evaluateHour, type SpikeOptions } from '../server/alerts/spike.js';
import { parseDate, readText, splitCsvLine } from './backtest.js';

const USAGE = 'usage: npx tsx scripts/spike-eval.ts <csv[.gz]> [--json out.json] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--weeks 8] [--no-dedup] [--no-variants]';
const ALPHAS = [1e-2, 1e-3, 1e-4, 1e-5, 1e-6];
const MIN_COUNTS = [1, 2, 3, 4, 5];
const HOURS_PER_MONTH = (365.25 * 24) / 12;

interface Args {
  file: string;
  json?: string;
  from: string;
  to: string;
  weeks: number;
  dedup: boolean;
  variants: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const a: Args = { file: '', from: '2018-01-01', to: '2019-12-31', weeks: DEFAULT_SPIKE_OPTIONS.weeks, dedup: true, variants: true };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${k} needs a value\n${USAGE}`);
      return v;
    };
    if (k === '--json') a.json = next();
    else if (k === '--from') a.from = next();
    else if (k === '--to') a.to = next();
    else if (k === '--weeks') a.weeks = Number(next());
    else if (k === '--no-dedup') a.dedup = false;
    else if (k === '--no-variants') a.variants = false;
    else if (k.startsWith('--')) throw new Error(`unknown option ${k}\n${USAGE}`);
    else a.file = k;
  }
  if (!a.file) throw new Error(USAGE);
  return a;
}

interface Ev {
  day: number;
  minute: number;
  district: string;
}

interface Loaded {
  events: Ev[];
  rows: number;
  skipped: number;
  duplicates: number;
}

function load(file: string, dedup: boolean): Loaded {
  const lines = readText(file).split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? '').map((h) => h.trim());
  const col = (n: string): number => {
    const i = header.indexOf(n);
    if (i < 0) throw new Error(`column "${n}" not found; the header has: ${header.join(', ')}`);
    return i;
  };
  const di = col('date');
  const dist = col('district');
  const lon = header.indexOf('longitude');
  const lat = header.indexOf('latitude');
  const seen = new Set<string>();
  const events: Ev[] = [];
  let rows = 0;
  let skipped = 0;
  let duplicates = 0;
  for (let l = 1; l < lines.length; l++) {
    const line = lines[l]!;
    if (line.trim() === '') continue;
    rows++;
    const f = splitCsvLine(line);
    const d = parseDate(f[di] ?? '');
    const district = (f[dist] ?? '').trim();
    if (!d || district === '') {
      skipped++;
      continue;
    }
    if (dedup) {
      // one incident with several victims: same minute, same place (DESIGN §8, data README)
      const key = `${d.day}|${d.minute}|${lon >= 0 ? f[lon] : ''}|${lat >= 0 ? f[lat] : ''}|${district}`;
      if (seen.has(key)) {
        duplicates++;
        continue;
      }
      seen.add(key);
    }
    events.push({ day: d.day, minute: d.minute, district });
  }
  return { events, rows, skipped, duplicates };
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Hour index of an event; `jitter` spreads heaped :00/:30 times uniformly over ±15 minutes. */
type Bucketing = (e: Ev) => number;

function buildSeries(events: readonly Ev[], hours: number, bucket: Bucketing): Map<string, Int32Array> {
  const out = new Map<string, Int32Array>();
  for (const e of events) {
    const h = bucket(e);
    if (h < 0 || h >= hours) continue;
    let s = out.get(e.district);
    if (!s) out.set(e.district, (s = new Int32Array(hours)));
    s[h]!++;
  }
  return out;
}

interface Scored {
  district: string;
  p: Float64Array;
  obs: Int32Array;
  events: number;
}

function score(series: Map<string, Int32Array>, first: number, last: number, opts: Partial<SpikeOptions>, minEvents: number): Scored[] {
  const W = (opts.weeks ?? DEFAULT_SPIKE_OPTIONS.weeks) * 168;
  const out: Scored[] = [];
  const names = [...series.keys()].sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
  for (const d of names) {
    const s = series.get(d)!;
    let events = 0;
    for (let t = first; t <= last; t++) events += s[t]!;
    if (events < minEvents) continue;
    const n = last - first + 1;
    const p = new Float64Array(n);
    const obs = new Int32Array(n);
    for (let t = first; t <= last; t++) {
      const r = evaluateHour(s.subarray(t - W, t), s[t]!, opts);
      p[t - first] = r.pValue;
      obs[t - first] = s[t]!;
    }
    out.push({ district: d, p, obs, events });
  }
  return out;
}

function alarms(sc: readonly Scored[], alpha: number, minCount: number): { alarms: number; seriesHours: number } {
  let a = 0;
  let n = 0;
  for (const s of sc) {
    n += s.p.length;
    for (let i = 0; i < s.p.length; i++) if (s.p[i]! < alpha && s.obs[i]! >= minCount) a++;
  }
  return { alarms: a, seriesHours: n };
}

const fmtRate = (x: number): string => (x === 0 ? '0' : x.toExponential(1));
const pad = (s: string, n: number): string => s.padStart(n);

export function run(argv: readonly string[]): { report: string; json: unknown } {
  const started = Date.now();
  const a = parseArgs(argv);
  const loaded = load(a.file, a.dedup);
  const { events } = loaded;
  const from = parseDate(a.from);
  const to = parseDate(a.to);
  if (!from || !to) throw new Error(`bad --from/--to\n${USAGE}`);
  let day0 = Infinity;
  let dayN = -Infinity;
  for (const e of events) {
    if (e.day < day0) day0 = e.day;
    if (e.day > dayN) dayN = e.day;
  }
  const hours = (dayN - day0 + 1) * 24;
  const first = (from.day - day0) * 24;
  const last = (to.day - day0) * 24 + 23;
  const W = a.weeks * 168;
  if (first < W) throw new Error(`--from leaves less than ${a.weeks} weeks of history`);

  // heaping
  let at00 = 0;
  let at30 = 0;
  let midnight = 0;
  for (const e of events) {
    const m = e.minute % 60;
    if (m === 0) at00++;
    if (m === 30) at30++;
    if (e.minute === 0) midnight++;
  }
  const n = events.length;

  const hourly: Bucketing = (e) => (e.day - day0) * 24 + Math.floor(e.minute / 60);
  const base = buildSeries(events, hours, hourly);
  const opts: Partial<SpikeOptions> = { weeks: a.weeks };
  const sc = score(base, first, last, opts, 100);
  const seriesHours = sc.reduce((s, x) => s + x.p.length, 0);
  const districts = sc.length;
  const lines: string[] = [];
  lines.push(`spike detector on ${a.file}`);
  lines.push(
    `${loaded.rows} rows, ${loaded.skipped} skipped, ${loaded.duplicates} same-minute same-place duplicates removed${a.dedup ? '' : ' (dedup off)'}; ${n} events`,
  );
  lines.push(
    `heaping: ${((100 * at00) / n).toFixed(1)}% of events at :00 and ${((100 * at30) / n).toFixed(1)}% at :30 (uniform minutes: 1.7% each); ${((100 * midnight) / n).toFixed(1)}% at 00:00 exactly`,
  );
  lines.push(
    `${districts} districts (≥ 100 events in the test span) × all events; every hour ${a.from} .. ${a.to} = ${seriesHours} series-hours; model fitted on the previous ${a.weeks} weeks only`,
  );
  lines.push('assumption: no true spikes in the data, so every alarm is counted as a false alarm (an upper bound)');
  lines.push('');
  lines.push('alarm rate per series-hour (alarms per district per month), by alpha × minimum count:');
  lines.push(['alpha'.padEnd(7), ...MIN_COUNTS.map((m) => pad(`min ${m}`, 18))].join(''));
  const grid: { alpha: number; minCount: number; alarms: number; rate: number; perDistrictMonth: number }[] = [];
  for (const al of ALPHAS) {
    const cells: string[] = [];
    for (const m of MIN_COUNTS) {
      const r = alarms(sc, al, m);
      const rate = r.alarms / r.seriesHours;
      const pm = rate * HOURS_PER_MONTH;
      grid.push({ alpha: al, minCount: m, alarms: r.alarms, rate, perDistrictMonth: pm });
      cells.push(pad(`${fmtRate(rate)} (${pm.toFixed(2)})`, 18));
    }
    lines.push([al.toExponential(0).padEnd(7), ...cells].join(''));
  }
  const defAlpha = DEFAULT_SPIKE_OPTIONS.alpha;
  const defMin = DEFAULT_SPIKE_OPTIONS.minCount;
  const def = alarms(sc, defAlpha, defMin);
  lines.push('');
  lines.push(
    `default (alpha ${defAlpha}, min ${defMin}): ${def.alarms} alarms in ${def.seriesHours} series-hours = ${fmtRate(def.alarms / def.seriesHours)} per series-hour, ${((def.alarms / def.seriesHours) * HOURS_PER_MONTH).toFixed(2)} per district per month, ${((def.alarms / def.seriesHours) * HOURS_PER_MONTH * districts).toFixed(1)} per month city-wide`,
  );
  const perDistrict = sc.map((s) => {
    const r = alarms([s], defAlpha, defMin);
    return { district: s.district, meanPerHour: s.events / s.p.length, alarms: r.alarms, perMonth: (r.alarms / s.p.length) * HOURS_PER_MONTH };
  });
  lines.push(
    'per district (mean/hour → alarms): ' +
      perDistrict.map((d) => `${d.district}: ${d.meanPerHour.toFixed(2)}→${d.alarms}`).join(', '),
  );

  const top: { district: string; hour: string; observed: number; pValue: number }[] = [];
  for (const s of sc) {
    for (let i = 0; i < s.p.length; i++) {
      if (s.p[i]! < defAlpha && s.obs[i]! >= defMin) {
        const t = first + i;
        const date = new Date((day0 + Math.floor(t / 24)) * 86_400_000).toISOString().slice(0, 10);
        top.push({ district: s.district, hour: `${date} ${String(t % 24).padStart(2, '0')}:00`, observed: s.obs[i]!, pValue: s.p[i]! });
      }
    }
  }
  top.sort((x, y) => x.pValue - y.pValue);
  lines.push(
    'strongest alarms: ' + top.slice(0, 8).map((x) => `d${x.district} ${x.hour} n=${x.observed} p=${x.pValue.toExponential(1)}`).join('; '),
  );

  const variants: { name: string; alarms: number; rate: number; perDistrictMonth: number; calibration?: { alpha: number; rate: number }[] }[] = [];
  if (a.variants) {
    const rows: [string, Map<string, Int32Array>, Partial<SpikeOptions>][] = [];
    // heaping check: move :00 / :30 times to a uniform minute within ±15 minutes (crosses hour boundaries)
    const u = mulberry32(12345);
    const jitter: Bucketing = (e) => {
      const m = e.minute % 60;
      let minute = e.minute;
      if (m === 0 || m === 30) minute = e.minute - 15 + Math.floor(u() * 30);
      return (e.day - day0) * 24 + Math.floor(minute / 60);
    };
    rows.push([':00/:30 jittered ±15 min', buildSeries(events, hours, jitter), opts]);
    // heaped times assumed rounded up: move them 15–30 minutes earlier
    const u2 = mulberry32(999);
    const earlier: Bucketing = (e) => {
      const m = e.minute % 60;
      const minute = m === 0 || m === 30 ? e.minute - 15 - Math.floor(u2() * 15) : e.minute;
      return (e.day - day0) * 24 + Math.floor(minute / 60);
    };
    rows.push([':00/:30 moved 15–30 min earlier', buildSeries(events, hours, earlier), opts]);
    // multi-victim incidents recorded at slightly different coordinates: collapse same district + same minute
    const seenMinute = new Set<string>();
    const distinct = events.filter((e) => {
      const k = `${e.district}|${e.day}|${e.minute}`;
      if (seenMinute.has(k)) return false;
      seenMinute.add(k);
      return true;
    });
    rows.push(['same district + minute collapsed', buildSeries(distinct, hours, hourly), opts]);
    rows.push(['no level adjustment', base, { ...opts, levelWeeks: 0 }]);
    rows.push(['Poisson counts (θ = ∞, mean unc.)', base, { ...opts, minSize: 1e12, maxSize: 1e12 }]);
    rows.push(['plug-in mean (no mean uncertainty)', base, { ...opts, meanUncertainty: false }]);
    lines.push('');
    lines.push(`variants at the default (alpha ${defAlpha}, min ${defMin}):`);
    lines.push(`  ${'hourly buckets, as is'.padEnd(34)}${String(def.alarms).padStart(3)} alarms, ${((def.alarms / def.seriesHours) * HOURS_PER_MONTH).toFixed(2)} per district per month`);
    for (const [name, series, o] of rows) {
      const s = score(series, first, last, o, 100);
      const r = alarms(s, defAlpha, defMin);
      const rate = r.alarms / r.seriesHours;
      const calibration = ALPHAS.slice(0, 4).map((al) => {
        const c = alarms(s, al, 1);
        return { alpha: al, rate: c.alarms / c.seriesHours };
      });
      variants.push({ name, alarms: r.alarms, rate, perDistrictMonth: rate * HOURS_PER_MONTH, calibration });
      lines.push(
        `  ${name.padEnd(34)}${String(r.alarms).padStart(3)} alarms, ${(rate * HOURS_PER_MONTH).toFixed(2)} per district per month; P(p < α) at α = 1e-2..1e-5: ${calibration.map((c) => fmtRate(c.rate)).join(', ')}`,
      );
    }
  }
  const seconds = (Date.now() - started) / 1000;
  lines.push('');
  lines.push(`${seconds.toFixed(1)} s${a.json ? `; JSON written to ${a.json}` : ''}`);
  const json = {
    file: a.file,
    events: n,
    duplicatesRemoved: loaded.duplicates,
    heaping: { shareAt00: at00 / n, shareAt30: at30 / n, shareAtMidnight: midnight / n },
    from: a.from,
    to: a.to,
    weeks: a.weeks,
    districts,
    seriesHours,
    assumption: 'no true spikes: every alarm counted as false',
    defaults: { alpha: defAlpha, minCount: defMin },
    grid,
    perDistrict,
    alarmsAtDefault: top,
    variants,
    seconds,
  };
  if (a.json) writeFileSync(a.json, `${JSON.stringify(json, null, 2)}\n`);
  return { report: lines.join('\n'), json };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    process.stdout.write(`${run(process.argv.slice(2)).report}\n`);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
}
