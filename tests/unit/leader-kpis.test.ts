// The leader view's computations (server/stats/leader-kpis.ts) on fixed data: local days from UTC
// hour counters, windows of 7/30/90 days, targets met or not, series with gaps, rankings with ties,
// targets over defaults, CSV cells.
import { describe, expect, it } from 'vitest';
import { DEFAULT_TARGETS, SERIES_DAYS, type RankingRow, type Targets } from '../../shared/leader.js';
import { dailyField } from '../../server/ingest/daily-ops.js';
import {
  csvCell, csvSections, dailyTotals, effectiveTargets, indicatorValues, lastDays, meetsTarget, prefixedTotals, rankRows, ratio,
  utcDaysOf, utcHoursOfLocalDay, type DayHash,
} from '../../server/stats/leader-kpis.js';

const SH = 'Asia/Shanghai';
const zeros = () => Array<number>(SERIES_DAYS).fill(0);
/** A series with values at days counted back from the last (0 = today). */
const at = (entries: [daysAgo: number, n: number][]) => {
  const s = zeros();
  for (const [ago, n] of entries) s[SERIES_DAYS - 1 - ago] = n;
  return s;
};

describe('local days from UTC-hour counters', () => {
  it('a Shanghai day is 16:00 UTC the day before to 16:00 UTC', () => {
    const hours = utcHoursOfLocalDay('2025-03-02', SH);
    expect(hours).toHaveLength(24);
    expect(hours[0]).toEqual({ utcDay: '2025-03-01', hour: 16 });
    expect(hours[7]).toEqual({ utcDay: '2025-03-01', hour: 23 });
    expect(hours[8]).toEqual({ utcDay: '2025-03-02', hour: 0 });
    expect(hours[23]).toEqual({ utcDay: '2025-03-02', hour: 15 });
    expect(utcHoursOfLocalDay('2025-03-02', 'UTC').map((h) => h.utcDay)).toEqual(Array(24).fill('2025-03-02'));
  });

  it('a DST day has 23 or 25 hours', () => {
    expect(utcHoursOfLocalDay('2025-03-30', 'Europe/Berlin')).toHaveLength(23);
    expect(utcHoursOfLocalDay('2025-10-26', 'Europe/Berlin')).toHaveLength(25);
  });

  it('90 local days need 91 UTC day hashes in Shanghai', () => {
    const dates = lastDays('2025-03-31', 90);
    expect(dates[0]).toBe('2025-01-01');
    expect(dates.at(-1)).toBe('2025-03-31');
    const days = utcDaysOf(dates, SH);
    expect(days).toHaveLength(91);
    expect(days[0]).toBe('2024-12-31');
  });

  it('sums each local day from the hours of its two UTC hashes', () => {
    const hashes = new Map<string, DayHash>([
      ['2025-03-01', { [dailyField('arr', 15)]: '2', [dailyField('arr', 16)]: '3', [dailyField('arr', 23)]: '4' }],
      ['2025-03-02', { [dailyField('arr', 0)]: '5', [dailyField('arr', 15)]: '6', [dailyField('arr', 16)]: '7', [dailyField('arr_ok', 1)]: '1' }],
    ]);
    const t = dailyTotals(hashes, ['2025-03-01', '2025-03-02', '2025-03-03'], SH, ['arr', 'arr_ok']);
    // 03-01 local: ... up to 03-01 15:xx UTC (2); 03-02 local: 03-01 16h..03-02 15h (3+4+5+6); 03-03 local: 03-02 16h (7)
    expect(t.get('arr')).toEqual([2, 18, 7]);
    expect(t.get('arr_ok')).toEqual([0, 1, 0]);
  });

  it('open-ended counters by prefix, for one local day', () => {
    const hashes = new Map<string, DayHash>([
      ['2025-03-01', { 'cat:theft@16': '2', 'cat:fraud@10': '9', 'alert:spike@20': '1' }],
      ['2025-03-02', { 'cat:theft@03': '1', 'cat:fraud@04': '1', 'cat:fraud@16': '5' }],
    ]);
    expect(Object.fromEntries(prefixedTotals(hashes, '2025-03-02', SH, 'cat:'))).toEqual({ theft: 3, fraud: 1 });
    expect(Object.fromEntries(prefixedTotals(hashes, '2025-03-02', SH, 'alert:'))).toEqual({ spike: 1 });
  });
});

describe('indicator values', () => {
  const T: Targets = { ...DEFAULT_TARGETS };

  it('windows are sums of numerators over sums of denominators over the last 7, 30 and 90 days', () => {
    // today: 9/10; 10 days ago: 1/10; 60 days ago: 0/20
    const v = indicatorValues('onTimeArrival', at([[0, 9], [10, 1]]), at([[0, 10], [10, 10], [60, 20]]), T);
    expect(v.d7).toEqual({ value: 0.9, count: 10, meets: true });
    expect(v.d30).toEqual({ value: 0.5, count: 20, meets: false });
    expect(v.d90).toEqual({ value: 0.25, count: 40, meets: false });
    expect(v).toMatchObject({ id: 'onTimeArrival', target: 0.9, direction: 'min' });
  });

  it('the series has one value per day, null where nothing was counted', () => {
    const v = indicatorValues('onTimeResolution', at([[0, 1], [2, 0]]), at([[0, 3], [2, 4]]), T);
    expect(v.series).toHaveLength(90);
    expect(v.series.at(-1)).toBe(0.3333);
    expect(v.series.at(-2)).toBeNull();
    expect(v.series.at(-3)).toBe(0);
    expect(v.series.filter((x) => x === null)).toHaveLength(88);
  });

  it('no data: null values, no verdict, count 0', () => {
    const v = indicatorValues('coverage', zeros(), zeros(), T);
    expect([v.d7, v.d30, v.d90]).toEqual(Array(3).fill({ value: null, count: 0, meets: null }));
    expect(v.series.every((x) => x === null)).toBe(true);
  });

  it('repeatRate is a maximum: met at or below the target', () => {
    const met = indicatorValues('repeatRate', at([[1, 1]]), at([[1, 10]]), T);
    expect(met.d7).toEqual({ value: 0.1, count: 10, meets: true });
    expect(met.direction).toBe('max');
    expect(indicatorValues('repeatRate', at([[1, 2]]), at([[1, 10]]), T).d7.meets).toBe(false);
  });

  it('satisfaction is a mean rating with 2 decimals against a minimum', () => {
    const v = indicatorValues('satisfaction', at([[0, 13], [40, 5]]), at([[0, 3], [40, 1]]), T);
    expect(v.d7).toEqual({ value: 4.33, count: 3, meets: true });
    expect(v.d90).toEqual({ value: 4.5, count: 4, meets: true });
    expect(indicatorValues('satisfaction', at([[0, 7]]), at([[0, 2]]), T).d30).toEqual({ value: 3.5, count: 2, meets: false });
  });

  it('meetsTarget at the boundary, and ratio', () => {
    expect(meetsTarget('onTimeArrival', 0.9, 0.9)).toBe(true);
    expect(meetsTarget('repeatRate', 0.1, 0.1)).toBe(true);
    expect(meetsTarget('coverage', null, 0.8)).toBeNull();
    expect(ratio(1, 3, 'rate')).toBe(0.3333);
    expect(ratio(1, 0, 'rate')).toBeNull();
    expect(ratio(9, 2, 'mean')).toBe(4.5);
  });

  it('refuses series of another length', () => {
    expect(() => indicatorValues('coverage', [1], [1], T)).toThrow();
  });
});

describe('targets', () => {
  it('stored targets over the defaults; a damaged record reads as the defaults', () => {
    expect(effectiveTargets(null)).toEqual({ targets: DEFAULT_TARGETS, updatedAt: null, updatedBy: null });
    expect(effectiveTargets({ targets: { coverage: 0.7 }, updatedAt: '2025-03-01T00:00:00.000Z', updatedBy: 'admin' })).toEqual({
      targets: { ...DEFAULT_TARGETS, coverage: 0.7 }, updatedAt: '2025-03-01T00:00:00.000Z', updatedBy: 'admin',
    });
    expect(effectiveTargets({ targets: { coverage: 7 } }).targets).toEqual(DEFAULT_TARGETS);
  });
});

describe('rankRows', () => {
  const row = (id: string, crimeRisk: number | null, overdue = 0, instabilityRisk: number | null = 0): Omit<RankingRow, 'rank'> => ({
    id, name: id, level: 'district', crimeRisk, instabilityRisk, hotCells: 0, overdue, drivers: [], overdueCases: [],
  });

  it('highest first, ties share a competition rank and are listed by id, no value last', () => {
    const rows = [row('d4', 1), row('d2', 3), row('d5', null), row('d3', 3), row('d1', 0.5)];
    expect(rankRows(rows, 'crime', 10).map((r) => [r.id, r.rank])).toEqual([['d2', 1], ['d3', 1], ['d4', 3], ['d1', 4], ['d5', null]]);
  });

  it('by overdue, and limited', () => {
    const rows = [row('a', 1, 2), row('b', 9, 0), row('c', 2, 2), row('d', 0, 5)];
    expect(rankRows(rows, 'overdue', 3).map((r) => [r.id, r.rank])).toEqual([['d', 1], ['a', 2], ['c', 2]]);
    expect(rankRows(rows, 'overdue', 1)).toHaveLength(1);
  });

  it('by instability, zero is a value (ranked), null is not', () => {
    const rows = [row('a', 1, 0, 0), row('b', 1, 0, null), row('c', 1, 0, 4)];
    expect(rankRows(rows, 'instability', 10).map((r) => [r.id, r.rank])).toEqual([['c', 1], ['a', 2], ['b', null]]);
  });
});

describe('CSV', () => {
  it('quotes what needs it and defuses formulas', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(null)).toBe('');
    expect(csvCell('盗窃')).toBe('盗窃');
  });

  it('sections: title, header, rows, a blank line between, CRLF', () => {
    expect(csvSections([{ title: 'A', header: ['k', 'v'], rows: [['x', 1]] }, { title: 'B', header: ['n'], rows: [] }]))
      .toBe('A\r\nk,v\r\nx,1\r\n\r\nB\r\nn\r\n');
  });
});
