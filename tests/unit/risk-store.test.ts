// The client's grid risk store (client/stores/risk.ts) against a stubbed fetch: the lazy snapshot of
// GET /indicators?level=grid, live `indicator.updated` entries (older than the snapshot ignored,
// held while it loads), a failing fetch that retries with backoff or gives up with a clear state,
// reset on logout, and the class → colour mapping the map and the legend share.
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Entry } from '../../shared/objects.js';
import { RISK_CLASSES, type CellIndicator, type IndicatorRow } from '../../shared/risk.js';
import {
  cellClass, riskColor, RISK_COLORS, RISK_OPACITY, toCell, UNRANKED_COLOR, useRiskStore,
} from '../../client/stores/risk.js';

const T0 = '2026-03-03T02:00:00.000Z';
const T1 = '2026-03-03T02:05:00.000Z';
const TERMS = {
  crime: { longTerm: 0.12, recent: 0.03, weekday: 0.01, neighbours: 0.02, events: 14 },
  instability: { open: 3, overdue: 2, escalated: 1, repeat: 0.5, becameIncident: 1, cases: 4 },
};

const row = (id: string, over: Partial<IndicatorRow> = {}): IndicatorRow => ({
  id, level: 'grid', name: `网格 ${id}`, crimeRisk: 0.18, instabilityRisk: 7.5, maxCrimeRisk: 0.18, maxInstabilityRisk: 7.5,
  crimeClass: 'high', instabilityClass: 'high', cells: 1, hotCells: 1, drivers: ['INC-1', 'D-1'], terms: TERMS, at: T0, ...over,
});
const cell = (id: string, over: Partial<CellIndicator> = {}): CellIndicator => ({
  id, crimeRisk: 0.4, instabilityRisk: 13, drivers: ['INC-2'], crimeClass: 'very_high', instabilityClass: 'very_high', terms: TERMS, at: T1, ...over,
});
const entry = (seq: string, cells: unknown[], type = 'indicator.updated'): Entry => ({
  seq, id: `indicator:d1:${seq}`, source: 'worker/risk', type, time: T1, receivedAt: T1, jurisdiction: ['d1', 'c1'], affects: [], data: { district: 'd1', cells },
});

type Handler = (path: string) => { status: number; body?: unknown };
let handler: Handler;
let calls: string[];

function json(status: number, body: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}
const snapshot = (items: IndicatorRow[], asOfSeq = '10-0'): Handler => (path) =>
  path === '/api/v1/indicators?level=grid' ? { status: 200, body: { level: 'grid', scope: 'c1', items, asOfSeq } } : { status: 404 };

beforeEach(() => {
  setActivePinia(createPinia());
  vi.useFakeTimers();
  calls = [];
  handler = () => ({ status: 500 });
  vi.stubGlobal('fetch', vi.fn(async (url: string) => {
    calls.push(url);
    const r = handler(url);
    return json(r.status, r.body);
  }));
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('useRiskStore snapshot', () => {
  it('is not loaded until asked, then once; entries before that are ignored (the snapshot has them)', async () => {
    handler = snapshot([row('g1'), row('g2', { crimeClass: null, instabilityClass: 'normal', instabilityRisk: 0.5 })]);
    const s = useRiskStore();
    s.applyEntry(entry('5-0', [cell('g9')]));
    expect(s.status).toBe('idle');
    expect(s.items.size).toBe(0);
    expect(calls).toEqual([]);
    await Promise.all([s.load(), s.load()]);
    expect(calls).toEqual(['/api/v1/indicators?level=grid']);
    expect(s.status).toBe('ready');
    expect(s.asOfSeq).toBe('10-0');
    expect([...s.items.keys()].sort()).toEqual(['g1', 'g2']);
    expect(s.items.get('g1')).toMatchObject({ crimeRisk: 0.18, crimeClass: 'high', instabilityClass: 'high', drivers: ['INC-1', 'D-1'], terms: TERMS });
    expect(s.items.get('g2')?.crimeClass).toBeNull();
    await s.load();
    expect(calls).toHaveLength(1);
  });

  it('keeps the rows as raw objects (no deep reactivity on thousands of cells)', async () => {
    handler = snapshot([row('g1')]);
    const s = useRiskStore();
    await s.load();
    expect((s.items.get('g1') as unknown as Record<string, unknown>).__v_skip).toBe(true);
  });

  it('a server error is retried with backoff until the snapshot comes in; the state says so meanwhile', async () => {
    handler = () => ({ status: 503, body: { error: { code: 'unavailable', message: 'down' } } });
    const s = useRiskStore();
    const done = s.load();
    await vi.advanceTimersByTimeAsync(0);
    expect(s.status).toBe('loading');
    expect(s.error).toBe('unavailable');
    await vi.advanceTimersByTimeAsync(1500);
    expect(calls.length).toBe(2);
    handler = snapshot([row('g1')]);
    await vi.advanceTimersByTimeAsync(4000);
    await done;
    expect(s.status).toBe('ready');
    expect(s.error).toBeNull();
    expect(s.items.size).toBe(1);
  });

  it('a refusal (403) gives up with an error state; asking again tries again', async () => {
    handler = () => ({ status: 403, body: { error: { code: 'forbidden', message: 'no' } } });
    const s = useRiskStore();
    await s.load();
    expect(s.status).toBe('error');
    expect(s.error).toBe('forbidden');
    handler = snapshot([row('g1')]);
    await s.load();
    expect(s.status).toBe('ready');
    expect(s.items.size).toBe(1);
  });
});

describe('useRiskStore live entries', () => {
  it('applies the changed cells of an entry newer than the snapshot, and moves its position on', async () => {
    handler = snapshot([row('g1'), row('g2')]);
    const s = useRiskStore();
    await s.load();
    const v0 = s.version;
    s.applyEntry(entry('11-0', [cell('g1'), cell('g3', { crimeClass: null, instabilityClass: 'elevated', instabilityRisk: 2.5 })]));
    expect(s.version).toBe(v0 + 1);
    expect(s.asOfSeq).toBe('11-0');
    expect(s.items.get('g1')).toMatchObject({ crimeRisk: 0.4, crimeClass: 'very_high', instabilityClass: 'very_high', drivers: ['INC-2'], at: T1 });
    expect(s.items.get('g2')?.crimeRisk).toBe(0.18);
    expect(s.items.get('g3')).toMatchObject({ crimeClass: null, instabilityClass: 'elevated' });
  });

  it('ignores entries at or before the snapshot (and before the last applied), and other types', async () => {
    handler = snapshot([row('g1')], '10-5');
    const s = useRiskStore();
    await s.load();
    const v0 = s.version;
    s.applyEntry(entry('10-5', [cell('g1')]));
    s.applyEntry(entry('9-99', [cell('g1'), cell('g4')]));
    s.applyEntry(entry('11-0', [cell('g5')], 'incident.reported'));
    expect(s.version).toBe(v0);
    expect(s.items.get('g1')?.crimeRisk).toBe(0.18);
    expect(s.items.has('g4')).toBe(false);
    expect(s.items.has('g5')).toBe(false);
    // seqs compare as (ms, n) pairs, not as strings: 10-10 is after 10-5
    s.applyEntry(entry('10-10', [cell('g1')]));
    expect(s.items.get('g1')?.crimeRisk).toBe(0.4);
    s.applyEntry(entry('10-7', [cell('g1', { crimeRisk: 9 })]));
    expect(s.items.get('g1')?.crimeRisk).toBe(0.4);
  });

  it('never replaces a cell by one computed earlier, and drops a cell whose values fell to zero', async () => {
    handler = snapshot([row('g1', { at: T1 }), row('g2')]);
    const s = useRiskStore();
    await s.load();
    s.applyEntry(entry('12-0', [cell('g1', { at: T0, crimeRisk: 5 }), cell('g2', { crimeRisk: 0, instabilityRisk: 0, drivers: [] })]));
    expect(s.items.get('g1')?.crimeRisk).toBe(0.18);
    expect(s.items.has('g2')).toBe(false);
  });

  it('holds entries that arrive while the snapshot loads and applies those after its asOfSeq', async () => {
    let answer: (r: Response) => void = () => undefined;
    vi.stubGlobal('fetch', vi.fn(() => new Promise<Response>((resolve) => (answer = resolve))));
    const s = useRiskStore();
    const done = s.load();
    s.applyEntry(entry('9-0', [cell('g1', { crimeRisk: 1 })])); // in the snapshot already
    s.applyEntry(entry('12-0', [cell('g2', { crimeRisk: 2 })])); // after it
    answer(json(200, { level: 'grid', scope: 'c1', items: [row('g1')], asOfSeq: '10-0' }));
    await done;
    expect(s.items.get('g1')?.crimeRisk).toBe(0.18);
    expect(s.items.get('g2')?.crimeRisk).toBe(2);
    expect(s.asOfSeq).toBe('12-0');
  });

  it('tolerates malformed cells: no id is skipped, a missing instability class comes from the thresholds', async () => {
    handler = snapshot([]);
    const s = useRiskStore();
    await s.load();
    s.applyEntry(entry('11-0', [{ crimeRisk: 1 }, null, { id: 'g7', crimeRisk: 0.1, instabilityRisk: 6.5, drivers: ['x', 3], at: T1 }]));
    expect([...s.items.keys()]).toEqual(['g7']);
    expect(s.items.get('g7')).toMatchObject({ crimeClass: null, instabilityClass: 'high', drivers: ['x'], terms: null });
  });

  it('reset (logout) forgets the cells and the position; a later load starts over', async () => {
    handler = snapshot([row('g1')]);
    const s = useRiskStore();
    await s.load();
    s.reset();
    expect(s.status).toBe('idle');
    expect(s.items.size).toBe(0);
    expect(s.asOfSeq).toBeNull();
    s.applyEntry(entry('11-0', [cell('g1')]));
    expect(s.items.size).toBe(0);
    await s.load();
    expect(calls).toHaveLength(2);
    expect(s.items.size).toBe(1);
  });

  it('reload reads the snapshot again only when it was loaded before (after a live gap)', async () => {
    handler = snapshot([row('g1')]);
    const s = useRiskStore();
    s.reload();
    expect(calls).toHaveLength(0);
    await s.load();
    handler = snapshot([row('g1'), row('g2')], '20-0');
    s.reload();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(2);
    expect(s.items.size).toBe(2);
    expect(s.asOfSeq).toBe('20-0');
  });
});

describe('risk classes → colours', () => {
  it('maps every class to its own colour, hottest first, and a null crime class to the neutral "not ranked yet"', () => {
    expect(riskColor('very_high')).toBe('#d61f3c');
    expect(riskColor('high')).toBe('#f4742b');
    expect(riskColor('elevated')).toBe('#f7d046');
    expect(riskColor('normal')).toBe('#2f8fb8');
    expect(riskColor(null)).toBe(UNRANKED_COLOR);
    expect(riskColor('unranked')).toBe(UNRANKED_COLOR);
    expect(new Set([...RISK_CLASSES.map((c) => RISK_COLORS[c]), UNRANKED_COLOR]).size).toBe(5);
    // the hotter the class, the more it stands out
    const op = RISK_CLASSES.map((c) => RISK_OPACITY[c]);
    expect([...op].sort((a, b) => b - a)).toEqual(op);
  });

  it('colours by the chosen score: crime class (null → not ranked, never guessed from the value) or instability class', () => {
    const c = toCell(cell('g1', { crimeClass: null, crimeRisk: 3, instabilityClass: 'elevated' }))!;
    expect(cellClass(c, 'crime')).toBe('unranked');
    expect(cellClass(c, 'instability')).toBe('elevated');
    expect(riskColor(cellClass(c, 'crime'))).toBe(UNRANKED_COLOR);
    expect(riskColor(cellClass(c, 'instability'))).toBe(RISK_COLORS.elevated);
    const d = toCell(cell('g2', { crimeClass: 'normal', instabilityClass: 'very_high' }))!;
    expect(riskColor(cellClass(d, 'crime'))).toBe(RISK_COLORS.normal);
    expect(riskColor(cellClass(d, 'instability'))).toBe(RISK_COLORS.very_high);
  });
});

describe('useRiskStore scope', () => {
  it('keeps live cells inside the snapshot scope only (a district entry for a street-scoped user)', async () => {
    const { useJurisdictionsStore } = await import('../../client/stores/jurisdictions.js');
    const j = useJurisdictionsStore();
    const props = (id: string, level: string, parentId: string | null) => ({ id, level, parentId, name: id });
    j.byId = new Map([
      ['c1', props('c1', 'city', null)], ['d1', props('d1', 'district', 'c1')], ['s1', props('s1', 'street', 'd1')], ['s2', props('s2', 'street', 'd1')],
      ['m1', props('m1', 'community', 's1')], ['m2', props('m2', 'community', 's2')], ['g1', props('g1', 'grid', 'm1')], ['g2', props('g2', 'grid', 'm2')],
    ]) as never;
    handler = (path) => (path === '/api/v1/indicators?level=grid' ? { status: 200, body: { level: 'grid', scope: 's1', items: [], asOfSeq: '10-0' } } : { status: 404 });
    const s = useRiskStore();
    await s.load();
    s.applyEntry(entry('11-0', [cell('g1'), cell('g2'), cell('g-unknown')]));
    expect([...s.items.keys()]).toEqual(['g1']);
  });
});
