// The wall screen's KPIs and series (server/stats/wall-kpis.ts) from fixed inputs, with answers
// computed by hand. Time zone Asia/Shanghai (UTC+8): "now" is 2025-03-10 14:30 local.
import { describe, expect, it } from 'vitest';
import type { GovCase } from '../../shared/governance.js';
import { DEFAULT_COVERAGE_RULE } from '../../server/alerts/coverage-rules.js';
import {
  categoryCounts, coverageOf, dayFrame, disputeKpis, hourlySeries, onDuty, responseKpis, rotationPick, shiftAt,
} from '../../server/stats/wall-kpis.js';

const TZ = 'Asia/Shanghai';
const at = (iso: string) => Date.parse(iso);
const NOW = at('2025-03-10T06:30:00Z'); // 14:30 local

describe('dayFrame', () => {
  it('is the local day and its midnight', () => {
    expect(dayFrame(NOW, TZ)).toEqual({ day: '2025-03-10', dayStart: at('2025-03-09T16:00:00Z') });
    // 01:00 local on the 11th is already the next day
    expect(dayFrame(at('2025-03-10T17:00:00Z'), TZ).day).toBe('2025-03-11');
  });
});

describe('hourlySeries', () => {
  // UTC hour starts → counts
  const counts = new Map<number, number>([
    [at('2025-03-09T16:00:00Z'), 2], // today 00:00 local
    [at('2025-03-10T01:00:00Z'), 3], // today 09:00
    [at('2025-03-10T06:00:00Z'), 1], // today 14:00 (the current hour)
    [at('2025-03-08T16:00:00Z'), 4], // yesterday 00:00
    [at('2025-03-09T06:00:00Z'), 2], // yesterday 14:00 (half of it before the same time)
    [at('2025-03-09T07:00:00Z'), 5], // yesterday 15:00 (after the same time)
    [at('2025-03-06T16:00:00Z'), 6], // 2025-03-07 00:00 (3 days back)
    [at('2025-03-01T16:00:00Z'), 100], // 2025-03-02: 8 days back, outside the baseline
  ]);

  it('today per hour (null for hours not begun), the 7-day baseline since counting began, yesterday same time', () => {
    const r = hourlySeries(counts, NOW, TZ, at('2025-03-05T00:00:00Z'));
    const today: (number | null)[] = new Array<number>(24).fill(0).map((_, h) => (h > 14 ? null : 0));
    today[0] = 2; today[9] = 3; today[14] = 1;
    expect(r.today).toEqual(today);
    expect(r.incidentsToday).toBe(6);
    // counting began on 2025-03-05 (local): 03-05 .. 03-09 are counted, 03-03 and 03-04 not
    expect(r.baselineDays).toBe(5);
    const baseline = new Array(24).fill(0);
    baseline[0] = (4 + 6) / 5; baseline[14] = 2 / 5; baseline[15] = 5 / 5;
    expect(r.baseline).toEqual(baseline);
    // yesterday up to 14:30: 4 + half of the 14:00 hour's 2
    expect(r.incidentsYesterdaySameTime).toBe(5);
  });

  it('without any counting yet: a zero baseline over no days', () => {
    const r = hourlySeries(new Map(), NOW, TZ, null);
    expect(r.baselineDays).toBe(0);
    expect(r.baseline).toEqual(new Array(24).fill(0));
    expect(r.today.filter((x) => x === null)).toHaveLength(9);
    expect(r.incidentsToday).toBe(0);
    expect(r.incidentsYesterdaySameTime).toBe(0);
  });

  it('the first hour of the day counts as begun at midnight', () => {
    const r = hourlySeries(new Map([[at('2025-03-09T16:00:00Z'), 7]]), at('2025-03-09T16:00:00Z'), TZ, null);
    expect(r.today[0]).toBe(7);
    expect(r.today[1]).toBeNull();
  });
});

describe('categoryCounts', () => {
  it('sums today per category, largest first, leaving out categories without any today', () => {
    const by = new Map([
      ['fraud', new Map([[at('2025-03-09T16:00:00Z'), 2], [at('2025-03-08T16:00:00Z'), 4]])],
      ['theft', new Map([[at('2025-03-10T01:00:00Z'), 3]])],
      ['traffic', new Map([[at('2025-03-09T07:00:00Z'), 9]])],
      ['assault', new Map([[at('2025-03-10T02:00:00Z'), 2]])],
    ]);
    expect(categoryCounts(by, NOW, TZ)).toEqual([{ category: 'theft', count: 3 }, { category: 'assault', count: 2 }, { category: 'fraud', count: 2 }]);
  });
});

describe('responseKpis', () => {
  it('medians, on-time rate and buckets', () => {
    const r = responseKpis([60, 120, 30, 90], [
      { seconds: 100, targetSeconds: 300 },
      { seconds: 250, targetSeconds: 300 },
      { seconds: 400, targetSeconds: 300 },
      { seconds: 700, targetSeconds: 600 },
      { seconds: 2000, targetSeconds: 1200 },
    ], 300);
    expect(r.medianDispatchSeconds).toBe(75);
    expect(r.medianArrivalSeconds).toBe(400);
    expect(r.onTimeRate).toBe(0.4);
    expect(r.responseTimes).toEqual({
      targetSeconds: 300,
      arrivals: 5,
      buckets: [
        { upToSeconds: 120, count: 1 }, { upToSeconds: 180, count: 0 }, { upToSeconds: 300, count: 1 }, { upToSeconds: 480, count: 1 },
        { upToSeconds: 600, count: 0 }, { upToSeconds: 900, count: 1 }, { upToSeconds: 1200, count: 0 }, { upToSeconds: 1800, count: 0 },
        { upToSeconds: null, count: 1 },
      ],
    });
  });

  it('a bound belongs to its bucket; the target itself is on time', () => {
    const r = responseKpis([], [{ seconds: 120, targetSeconds: 120 }, { seconds: 1800, targetSeconds: 300 }], 300);
    expect(r.responseTimes.buckets[0]).toEqual({ upToSeconds: 120, count: 1 });
    expect(r.responseTimes.buckets[7]).toEqual({ upToSeconds: 1800, count: 1 });
    expect(r.onTimeRate).toBe(0.5);
    expect(r.medianDispatchSeconds).toBeNull();
  });

  it('no data: nulls, never invented numbers', () => {
    const r = responseKpis([], [], 300);
    expect(r).toMatchObject({ medianDispatchSeconds: null, medianArrivalSeconds: null, onTimeRate: null });
    expect(r.responseTimes.arrivals).toBe(0);
    expect(r.responseTimes.buckets.every((b) => b.count === 0)).toBe(true);
  });
});

describe('disputeKpis', () => {
  const dispute = (id: string, stage: string, extra: Record<string, unknown> = {}) => ({
    kind: 'dispute', id, stage, openedAt: '2025-03-01T00:00:00.000Z', deadline: null, resolvedAt: null, closedAt: null, ...extra,
  }) as unknown as GovCase;
  it('open and overdue now, the funnel, the median hours to resolution over 30 days', () => {
    const cases = [
      dispute('d1', 'registered', { deadline: '2025-03-09T00:00:00.000Z' }),
      dispute('d2', 'mediating', { deadline: '2025-03-20T00:00:00.000Z' }),
      dispute('d3', 'resolved', { resolvedAt: '2025-03-02T00:00:00.000Z' }),
      dispute('d4', 'closed', { openedAt: '2025-03-03T00:00:00.000Z', resolvedAt: '2025-03-03T12:00:00.000Z', closedAt: '2025-03-04T00:00:00.000Z' }),
      dispute('d5', 'closed', { openedAt: '2024-12-01T00:00:00.000Z', resolvedAt: '2025-01-01T00:00:00.000Z', closedAt: '2025-01-02T00:00:00.000Z' }),
      { kind: 'petition', id: 'p1', stage: 'filed', openedAt: '2025-03-01T00:00:00.000Z', deadline: '2025-03-02T00:00:00.000Z' } as unknown as GovCase,
    ];
    expect(disputeKpis(cases, NOW)).toEqual({
      disputesOpen: 2,
      disputesOverdue: 1,
      medianHoursToResolution: 18,
      disputeFunnel: [
        { stage: 'registered', count: 1 }, { stage: 'mediating', count: 1 }, { stage: 'assessed', count: 0 },
        { stage: 'routed', count: 0 }, { stage: 'resolved', count: 2 }, { stage: 'closed', count: 1 },
      ],
    });
  });

  it('none: zeros and a null median', () => {
    expect(disputeKpis([], NOW)).toMatchObject({ disputesOpen: 0, disputesOverdue: 0, medianHoursToResolution: null });
  });
});

describe('coverageOf', () => {
  it('presence over the window, covered at 10 minutes, highest risk first', () => {
    const base = NOW - 30 * 60_000;
    const r = coverageOf([
      { gridId: 'A', name: 'Cell A', crimeRisk: 2, samples: Array.from({ length: 12 }, (_, i) => base + i * 60_000), checkins: [], lastVisitBefore: null },
      { gridId: 'B', name: 'Cell B', crimeRisk: 3, samples: [base, base + 60_000, base + 120_000], checkins: [{ at: base + 600_000, dwellMs: null }], lastVisitBefore: null },
      { gridId: 'C', name: 'Cell C', crimeRisk: 1, samples: [], checkins: [], lastVisitBefore: at('2025-03-10T01:00:00Z') },
    ], DEFAULT_COVERAGE_RULE);
    expect(r).toEqual({
      topCells: 3, covered: 1, rate: 0.3333,
      cells: [
        { gridId: 'B', name: 'Cell B', presenceMinutes: 8, lastVisitAt: new Date(base + 600_000).toISOString() },
        { gridId: 'A', name: 'Cell A', presenceMinutes: 12, lastVisitAt: new Date(base + 11 * 60_000).toISOString() },
        { gridId: 'C', name: 'Cell C', presenceMinutes: 0, lastVisitAt: '2025-03-10T01:00:00.000Z' },
      ],
    });
  });

  it('no top-risk cells: a null rate', () => {
    expect(coverageOf([], DEFAULT_COVERAGE_RULE)).toEqual({ topCells: 0, covered: 0, rate: null, cells: [] });
  });
});

describe('shifts', () => {
  it('day 08:00–20:00 local', () => {
    expect(shiftAt(NOW, TZ)).toEqual({ name: 'day', date: '2025-03-10', from: at('2025-03-10T00:00:00Z'), to: at('2025-03-10T12:00:00Z') });
    expect(shiftAt(at('2025-03-10T00:00:00Z'), TZ).name).toBe('day');
    expect(shiftAt(at('2025-03-09T23:59:59Z'), TZ).name).toBe('night');
  });

  it('night 20:00–08:00, named by the day it began, across midnight', () => {
    const night = { name: 'night', date: '2025-03-10', from: at('2025-03-10T12:00:00Z'), to: at('2025-03-11T00:00:00Z') };
    expect(shiftAt(at('2025-03-10T13:00:00Z'), TZ)).toEqual(night); // 21:00 local
    expect(shiftAt(at('2025-03-10T17:00:00Z'), TZ)).toEqual(night); // 01:00 local on the 11th
    expect(shiftAt(at('2025-03-10T23:59:59Z'), TZ)).toEqual(night); // 07:59:59 local on the 11th
  });
});

describe('roster rotation', () => {
  // 2025-03-10 is day 20157 since 1970-01-01: 20157 mod 3 = 0, mod 2 = 1
  it('picks by days since the epoch modulo the rotation', () => {
    expect(rotationPick(['a', 'b', 'c'], '2025-03-10')).toBe('a');
    expect(rotationPick(['a', 'b', 'c'], '2025-03-11')).toBe('b');
    expect(rotationPick(['a', 'b', 'c'], '2025-03-12')).toBe('c');
    expect(rotationPick(['a', 'b', 'c'], '2025-03-13')).toBe('a');
    expect(rotationPick([], '2025-03-10')).toBeNull();
  });

  it('takes the nearest roster entry up the chain that names someone for the role', () => {
    const roster = { scopes: { city: { duty_officer: ['D1'], leader: ['L1'] }, d1: { duty_officer: ['X', 'Y'], leader: [] } } };
    const chain = ['g1', 'c1', 's1', 'd1', 'city'];
    expect(onDuty(roster, chain, 'duty_officer', '2025-03-10')).toBe('Y');
    expect(onDuty(roster, chain, 'duty_officer', '2025-03-11')).toBe('X');
    expect(onDuty(roster, chain, 'leader', '2025-03-10')).toBe('L1');
    expect(onDuty(roster, ['d2', 'city'], 'duty_officer', '2025-03-10')).toBe('D1');
    expect(onDuty(null, chain, 'leader', '2025-03-10')).toBeNull();
    expect(onDuty({ scopes: {} }, chain, 'leader', '2025-03-10')).toBeNull();
  });
});
