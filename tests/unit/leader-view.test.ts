// Pure helpers of the leader view (issue 9): the breadcrumb and the drill-down level from the tree,
// point in polygon (holes, multipolygons) and the child under a click, bounds, the CSV of what is on
// screen (BOM, quoting, formula defusing), indicator values and targets (null stays "no data"),
// and the trend chart's series against its target.
import { describe, expect, it } from 'vitest';
import { trendOption } from '../../client/components/leader/charts.js';
import {
  boundsOf, breadcrumb, childAt, csvCell, formatIndicator, isUnder, levelBelow, parseCaseRef, pointInGeometry, rankingCells, rankingLevel,
  rankingValue, rootScope, seriesDays, TARGET_ICON, targetSign, targetState, toCsv, windowOf,
} from '../../client/components/leader/model.js';
import { advance, clockText, fromZonedInput, takeWindow, toZonedInput } from '../../client/components/leader/replay.js';
import { bucketOf, chartSeries, emptyFrame, frameAt, openCount } from '../../client/components/leader/replay-fold.js';
import type { LeaderIndicatorValues, RankingRow } from '../../shared/leader.js';
import type { Entry } from '../../shared/objects.js';
import type { JurisdictionProps } from '../../shared/jurisdiction.js';
import { IN_A, IN_B, TINY_CITY } from '../helpers/tiny-tree.js';

const byId = new Map<string, JurisdictionProps>(TINY_CITY.features.map((f) => [f.properties.id, f.properties]));

describe('scope and drill-down', () => {
  it('gives the level below, the grid being the bottom', () => {
    expect(levelBelow('city')).toBe('district');
    expect(levelBelow('district')).toBe('street');
    expect(levelBelow('street')).toBe('community');
    expect(levelBelow('community')).toBe('grid');
    expect(levelBelow('grid')).toBeNull();
    expect(rankingLevel('city')).toBe('district');
    expect(rankingLevel('grid')).toBe('grid');
  });

  it('builds the breadcrumb from the city down to the scope, stopping at the user\'s root', () => {
    expect(breadcrumb(byId, 'gA').map((c) => `${c.level}:${c.id}`)).toEqual(['city:c1', 'district:d1', 'street:s1', 'community:mA', 'grid:gA']);
    expect(breadcrumb(byId, 'c1').map((c) => c.id)).toEqual(['c1']);
    expect(breadcrumb(byId, 'gB', 'd1').map((c) => c.id)).toEqual(['d1', 's2', 'mB', 'gB']);
    expect(breadcrumb(byId, 'nowhere')).toEqual([]);
    expect(breadcrumb(byId, null)).toEqual([]);
  });

  it('starts at the user\'s only scope, else the city; knows what lies under what', () => {
    expect(rootScope(byId, ['d1'])).toBe('d1');
    expect(rootScope(byId, ['d1', 's2'])).toBe('c1');
    expect(rootScope(byId, [])).toBe('c1');
    expect(rootScope(byId, ['unknown'])).toBe('c1');
    expect(isUnder(byId, 'gA', 'd1')).toBe(true);
    expect(isUnder(byId, 'gA', 's2')).toBe(false);
    expect(isUnder(byId, 'd1', 'd1')).toBe(true);
  });
});

describe('point in polygon', () => {
  type Pos = [number, number];
  const square = (w: number, s: number, e: number, n: number): Pos[] => [[w, s], [e, s], [e, n], [w, n], [w, s]];

  it('finds the child under a click, one level down', () => {
    expect(childAt(TINY_CITY.features, 'd1', IN_A.lon, IN_A.lat)?.properties.id).toBe('s1');
    expect(childAt(TINY_CITY.features, 'd1', IN_B.lon, IN_B.lat)?.properties.id).toBe('s2');
    expect(childAt(TINY_CITY.features, 'mA', IN_A.lon, IN_A.lat)?.properties.id).toBe('gA');
    expect(childAt(TINY_CITY.features, 'mA', IN_B.lon, IN_B.lat)).toBeNull();
    expect(childAt(TINY_CITY.features, 'd1', 113.5, 30.01)).toBeNull();
  });

  it('keeps holes out and reads every part of a multipolygon', () => {
    const donut = { type: 'Polygon' as const, coordinates: [square(0, 0, 10, 10), square(4, 4, 6, 6)] };
    expect(pointInGeometry(donut, 1, 1)).toBe(true);
    expect(pointInGeometry(donut, 5, 5)).toBe(false);
    expect(pointInGeometry(donut, 11, 5)).toBe(false);
    const multi = { type: 'MultiPolygon' as const, coordinates: [[square(0, 0, 1, 1)], [square(5, 5, 6, 6)]] };
    expect(pointInGeometry(multi, 5.5, 5.5)).toBe(true);
    expect(pointInGeometry(multi, 3, 3)).toBe(false);
    // a concave polygon (an L): the notch is outside
    const ell = { type: 'Polygon' as const, coordinates: [[[0, 0], [4, 0], [4, 1], [1, 1], [1, 4], [0, 4], [0, 0]] as Pos[]] };
    expect(pointInGeometry(ell, 0.5, 3)).toBe(true);
    expect(pointInGeometry(ell, 3, 3)).toBe(false);
  });

  it('frames a geometry as [[south, west], [north, east]]', () => {
    expect(boundsOf({ type: 'MultiPolygon', coordinates: [[square(1, 2, 3, 4)], [square(-1, 5, 0, 6)]] })).toEqual([[2, -1], [6, 3]]);
  });
});

describe('CSV', () => {
  it('quotes commas, quotes and line breaks, leaves plain fields alone', () => {
    expect(csvCell('东城区')).toBe('东城区');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(' padded')).toBe('" padded"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(3.5)).toBe('3.5');
    expect(csvCell(-2)).toBe('-2');
  });

  it('defuses spreadsheet formulas but keeps negative numbers as text', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell('@cmd')).toBe("'@cmd");
    expect(csvCell('-1.5')).toBe('-1.5');
  });

  it('starts with a UTF-8 byte order mark and ends rows with CRLF', () => {
    const csv = toCsv([['名次', '名称'], [1, '东城区, 北'], []]);
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv).toBe('\uFEFF名次,名称\r\n1,"东城区, 北"\r\n\r\n');
    expect(new TextEncoder().encode(csv).slice(0, 3)).toEqual(new Uint8Array([0xef, 0xbb, 0xbf]));
  });

  it('writes a ranking row as the table shows it', () => {
    const row: RankingRow = {
      rank: 2, id: 'd1', name: '东城区', level: 'district', crimeRisk: 1.234, instabilityRisk: null, hotCells: 3, overdue: 1,
      drivers: ['gA', 'gB'], overdueCases: ['dispute:D-1'],
    };
    expect(rankingCells(row, '暂无数据')).toEqual(['2', '东城区', '1.23', '暂无数据', '3', '1', 'gA gB', 'dispute:D-1']);
    expect(rankingCells({ ...row, rank: null }, '-')[0]).toBe('—');
    expect(rankingCells(row, '-', (id) => (id === 'gA' ? '第1网格' : id))[6]).toBe('第1网格 gB');
    expect(rankingValue(row, 'crime')).toBe(1.234);
    expect(rankingValue(row, 'instability')).toBeNull();
    expect(rankingValue(row, 'overdue')).toBe(1);
    expect(parseCaseRef('dispute:D-1')).toEqual(['dispute', 'D-1']);
    expect(parseCaseRef('incident:I-1')).toBeNull();
  });
});

describe('indicators against targets', () => {
  const ind = (over: Partial<LeaderIndicatorValues> = {}): LeaderIndicatorValues => ({
    id: 'onTimeArrival', target: 0.9, direction: 'min',
    d7: { value: 0.95, count: 20, meets: true }, d30: { value: 0.85, count: 80, meets: false }, d90: { value: null, count: 0, meets: null },
    series: Array.from({ length: 90 }, (_, i) => (i >= 85 ? 0.9 + (i - 85) / 100 : null)),
    ...over,
  });

  it('formats rates in percent and satisfaction with two decimals; null is no data, never a number', () => {
    expect(formatIndicator('onTimeArrival', 0.9234)).toBe('92.3%');
    expect(formatIndicator('repeatRate', 0.1)).toBe('10.0%');
    expect(formatIndicator('coverage', 1)).toBe('100.0%');
    expect(formatIndicator('satisfaction', 4.256)).toBe('4.26');
    expect(formatIndicator('onTimeResolution', null)).toBeNull();
    expect(formatIndicator('satisfaction', Number.NaN)).toBeNull();
  });

  it('says met, not met or nothing to judge, each with its own icon; a maximum reads ≤', () => {
    expect(targetState(true)).toBe('met');
    expect(targetState(false)).toBe('unmet');
    expect(targetState(null)).toBe('none');
    expect(new Set(Object.values(TARGET_ICON)).size).toBe(3);
    expect(targetSign('max')).toBe('≤');
    expect(targetSign('min')).toBe('≥');
    const i = ind();
    expect(windowOf(i, 7).value).toBe(0.95);
    expect(windowOf(i, 30).meets).toBe(false);
    expect(windowOf(i, 90).value).toBeNull();
  });

  it('dates the series from its first day and draws the last points of the window with the target line', () => {
    expect(seriesDays('2026-02-27', 4)).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
    const o = trendOption(ind(), '2026-01-01', 7, { value: 'v', target: 't' });
    const series = o.series as { data: (number | null)[] }[];
    expect(series[0]!.data).toEqual([null, null, 90, 91, 92, 93, 94]);
    expect(series[1]!.data).toEqual(Array(7).fill(90));
    expect((o.xAxis as { data: string[] }).data.at(-1)).toBe('03-31');
    const sat = trendOption(ind({ id: 'satisfaction', target: 4, series: Array(90).fill(4.5) }), '2026-01-01', 30, { value: 'v', target: 't' });
    expect((sat.series as { data: number[] }[])[1]!.data[0]).toBe(4);
  });
});

describe('situation replay', () => {
  const T = Date.parse('2026-03-01T02:00:00Z');
  let n = 0;
  const e = (type: string, data: Record<string, unknown>, atMs: number): Entry => ({
    seq: `${atMs}-${n++}`, id: `e${n}`, source: 'test', type, time: new Date(atMs).toISOString(), receivedAt: new Date(atMs).toISOString(),
    jurisdiction: ['g1', 'c1'], affects: [], data,
  });
  const loc = { lat: 30, lon: 114 };
  const log: Entry[] = [
    e('incident.reported', { incidentId: 'I1', priority: 1, category: 'theft', location: loc }, T),
    e('incident.reported', { incidentId: 'I2', priority: 3, category: 'fraud', location: loc }, T + 60_000),
    e('incident.dispatched', { incidentId: 'I1', unitIds: ['U1'] }, T + 90_000),
    e('incident.arrived', { incidentId: 'I1' }, T + 300_000),
    e('dispute.registered', { disputeId: 'D1' }, T + 400_000),
    e('incident.reported', { incidentId: 'I1', priority: 1, location: loc }, T + 450_000),
    e('incident.resolved', { incidentId: 'I1' }, T + 600_000),
    e('alert.raised', { alertId: 'A1' }, T + 700_000),
    e('supervision.issued', { supervisionId: 'S1' }, T + 800_000),
    e('incident.reported', { incidentId: 'I3', priority: 2 }, T + 900_000),
  ];

  const W = { from: T, to: T + 3_600_000 };

  it('reproduces the known counts of a window at any instant, through the server\'s reducer', () => {
    const end = frameAt(log, W, W.to);
    expect(end.counts).toEqual({ reported: 3, byPriority: [1, 1, 1, 0], dispatched: 1, arrived: 1, closed: 1, casesOpened: 1, supervisions: 1, alerts: 1 });
    // whole incidents as the server holds them; I3 has no location (kept, not drawn by the map)
    expect([...end.incidents.keys()]).toEqual(['I1', 'I2', 'I3']);
    expect(end.incidents.get('I3')?.location).toBeNull();
    const i1 = end.incidents.get('I1')!;
    expect(i1).toMatchObject({ status: 'resolved', priority: 1, category: 'theft', gridId: 'g1', jurisdiction: ['g1', 'c1'], unitIds: [] });
    expect(i1.statusSince).toBe(new Date(T + 600_000).toISOString());
    // the re-report by the same source updated it, and every applied fact bumped its version
    expect(i1.version).toBe(5);
    expect(openCount(end)).toBe(2);
    const mid = frameAt(log, W, T + 300_000);
    expect(mid.counts.reported).toBe(2);
    expect(mid.incidents.get('I1')).toMatchObject({ status: 'on_scene', unitIds: ['U1'] });
    expect(mid.units.get('U1')).toMatchObject({ status: 'on_scene', incidentId: 'I1' });
    expect(mid.applied).toBe(4);
  });

  it('skips entries the server recorded without applying them', () => {
    const stale = { ...e('incident.closed', { incidentId: 'I2' }, T + 120_000), stale: true };
    const f = frameAt([log[0]!, log[1]!, stale], W, W.to);
    expect(f.incidents.get('I2')?.status).toBe('new');
    expect(f.counts.closed).toBe(0);
  });

  it('moves forward from the frame it holds and rebuilds on a seek backwards', () => {
    let f = frameAt(log, W, T + 60_000);
    expect(f.counts.reported).toBe(2);
    f = frameAt(log, W, T + 650_000, f);
    expect(f.incidents.get('I1')?.status).toBe('resolved');
    const back = frameAt(log, W, T + 100_000, f);
    expect(back.incidents.get('I1')?.status).toBe('dispatched');
    expect(back.counts.closed).toBe(0);
    expect(frameAt(log, W, T - 1, emptyFrame()).applied).toBe(0);
  });

  it('draws the charts\' series per bucket up to the replay instant', () => {
    // 12 buckets of 5 minutes
    expect(bucketOf(W, T)).toBe(0);
    expect(bucketOf(W, T + 299_999)).toBe(0);
    expect(bucketOf(W, T + 300_000)).toBe(1);
    expect(bucketOf(W, W.to)).toBe(11);
    expect(bucketOf(W, T - 1)).toBe(-1);
    const at = T + 650_000;
    const s = chartSeries(frameAt(log, W, at), W, at);
    expect(s.reported[0]).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(s.reported[2]).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    // open: 2 after bucket 0, still 2 in bucket 1 (I1 on scene), 1 after I1 resolved in bucket 2, then not reached
    expect(s.open).toEqual([2, 2, 1, null, null, null, null, null, null, null, null, null]);
    const end = chartSeries(frameAt(log, W, W.to), W, W.to);
    expect(end.reported[1]![3]).toBe(1);
    expect(end.open.at(-1)).toBe(2);
    expect(end.reported.flat().reduce((a, b) => a + b, 0)).toBe(3);
  });

  it('keeps the entries of the window from the pages, and plays at ×1 to ×60 up to its end', () => {
    const out: Entry[] = [];
    expect(takeWindow(out, log.slice(0, 5), T + 500_000)).toBe(false);
    expect(takeWindow(out, log.slice(5), T + 500_000)).toBe(true);
    expect(out).toHaveLength(6);
    expect(advance(T, 1000, 60, T + 3_600_000)).toBe(T + 60_000);
    expect(advance(T, 1000, 1, T + 3_600_000)).toBe(T + 1000);
    expect(advance(T, 120_000, 60, T + 3_600_000)).toBe(T + 3_600_000);
    expect(clockText(65_000)).toBe('01:05');
    expect(clockText(3_725_000)).toBe('1:02:05');
  });

  it('reads and writes the window start in the display zone, not the browser\'s', () => {
    expect(toZonedInput(Date.parse('2026-03-01T02:05:30Z'), 'Asia/Shanghai')).toBe('2026-03-01T10:05');
    expect(fromZonedInput('2026-03-01T10:05', 'Asia/Shanghai')).toBe(Date.parse('2026-03-01T02:05:00Z'));
    expect(fromZonedInput('2026-07-01T10:00', 'Europe/Berlin')).toBe(Date.parse('2026-07-01T08:00:00Z'));
    expect(fromZonedInput('2026-01-01T10:00', 'Europe/Berlin')).toBe(Date.parse('2026-01-01T09:00:00Z'));
    expect(fromZonedInput('yesterday', 'Asia/Shanghai')).toBeNaN();
  });
});
