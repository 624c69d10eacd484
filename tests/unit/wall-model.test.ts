// Pure helpers of the wall screen (issue 8): takeover queue, scenes from the tree, KPI formatting
// and deltas, the ticker's cap, the URL settings.
import { describe, expect, it } from 'vitest';
import {
  advance, againstTarget, boundsOf, buildScenes, delta, dismiss, emptyQueue, enqueue, formatDuration, formatHours, formatRate, freshEnough,
  MANUAL_PAUSE_MS, parseCycle, parseOpenItems, pauseHolds, parseReloadHours, rateTone, seriesEmpty, TAKEOVER_MAX_QUEUED, TAKEOVER_MS, TICKER_CAP, tickerItems,
} from '../../client/composables/wall/model.js';
import { viewportScale } from '../../client/composables/wall/scale.js';

const square = (x: number, y: number, d = 1) => ({ type: 'Polygon' as const, coordinates: [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]] });
const f = (id: string, level: string, name: string, geometry = square(0, 0)) => ({ properties: { id, level, name, parentId: null }, geometry });

describe('takeover queue', () => {
  it('shows the first at once, queues the rest, holds each for 8 s, then returns', () => {
    const q = emptyQueue();
    expect(enqueue(q, { kind: 'incident', id: 'a' }, 1000)).toBe(true);
    expect(q.current).toMatchObject({ key: 'incident:a', shownAt: 1000 });
    expect(enqueue(q, { kind: 'alert', id: 'b' }, 2000)).toBe(true);
    expect(q.queued.map((t) => t.key)).toEqual(['alert:b']);
    expect(advance(q, 1000 + TAKEOVER_MS - 1)).toBe(false);
    expect(advance(q, 1000 + TAKEOVER_MS)).toBe(true);
    expect(q.current).toMatchObject({ key: 'alert:b', shownAt: 1000 + TAKEOVER_MS });
    expect(advance(q, 1000 + 2 * TAKEOVER_MS)).toBe(true);
    expect(q.current).toBeNull();
    expect(advance(q, 99_999)).toBe(false);
  });

  it('never takes the front twice for one object, and drops the oldest waiting past the cap', () => {
    const q = emptyQueue();
    enqueue(q, { kind: 'incident', id: 'a' }, 0);
    expect(enqueue(q, { kind: 'incident', id: 'a' }, 1)).toBe(false);
    for (let i = 0; i < TAKEOVER_MAX_QUEUED + 3; i++) enqueue(q, { kind: 'alert', id: `x${i}` }, 2);
    expect(q.queued).toHaveLength(TAKEOVER_MAX_QUEUED);
    expect(q.queued[0]!.id).toBe('x3');
  });

  it('a dismissal moves on at once', () => {
    const q = emptyQueue();
    enqueue(q, { kind: 'incident', id: 'a' }, 0);
    enqueue(q, { kind: 'incident', id: 'b' }, 0);
    dismiss(q, 100);
    expect(q.current).toMatchObject({ id: 'b', shownAt: 100 });
  });

  it('only recent objects take the front', () => {
    const now = Date.parse('2026-01-01T10:00:00Z');
    expect(freshEnough('2026-01-01T09:55:00Z', now)).toBe(true);
    expect(freshEnough('2026-01-01T09:40:00Z', now)).toBe(false);
    expect(freshEnough('garbage', now)).toBe(false);
  });
});

describe('scenes', () => {
  const tree = [
    f('c', 'city', '市', square(0, 0, 10)),
    f('d2', 'district', '乙区', square(5, 0, 5)),
    f('d1', 'district', '甲区', square(0, 0, 5)),
    f('g1', 'grid', 'g1', square(1, 1)),
    f('g2', 'grid', 'g2', square(3, 4)),
  ];
  it('city, then each district by name, then the hotspots box', () => {
    const s = buildScenes(tree, ['g2', 'g1', 'missing']);
    expect(s.map((x) => [x.kind, x.scope, x.name])).toEqual([['city', null, '市'], ['district', 'd1', '甲区'], ['district', 'd2', '乙区'], ['hotspots', null, '']]);
    expect(s[0]!.bounds).toEqual([[0, 0], [10, 10]]);
    expect(s[2]!.bounds).toEqual([[0, 5], [5, 10]]);
    expect(s[3]!.bounds).toEqual([[1, 1], [5, 4]]);
  });
  it('no hotspots scene without hot cells', () => {
    expect(buildScenes(tree).map((x) => x.kind)).toEqual(['city', 'district', 'district']);
    expect(boundsOf({ type: 'Polygon', coordinates: [] })).toBeNull();
  });
});

describe('KPI formatting', () => {
  it('today against yesterday', () => {
    expect(delta(12, 9)).toEqual({ diff: 3, text: '+3', tone: 'warn' });
    expect(delta(4, 6)).toEqual({ diff: -2, text: '−2', tone: 'ok' });
    expect(delta(5, 5).text).toBe('±0');
  });
  it('durations, rates, hours and targets; "—" for no value, never a number', () => {
    expect(formatDuration(90)).toBe('1:30');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(null)).toBe('—');
    expect(formatRate(0.876)).toBe('88%');
    expect(formatRate(null)).toBe('—');
    expect(formatHours(5.25)).toBe('5.3');
    expect(formatHours(null)).toBe('—');
    expect(againstTarget(301, 300)).toBe('bad');
    expect(againstTarget(300, 300)).toBe('ok');
    expect(againstTarget(null, 300)).toBe('none');
    expect([rateTone(0.95), rateTone(0.8), rateTone(0.5), rateTone(null)]).toEqual(['ok', 'warn', 'bad', 'none']);
    expect(seriesEmpty([null, 0, null])).toBe(true);
    expect(seriesEmpty([null, 1])).toBe(false);
  });
});

describe('ticker', () => {
  it('alerts not cleared, newest first, capped at 200', () => {
    const all = Array.from({ length: 250 }, (_, i) => ({
      id: `a${i}`, state: i % 5 === 0 ? 'cleared' : 'open', severity: 'warning', raisedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
    }));
    const items = tickerItems(all);
    expect(items).toHaveLength(TICKER_CAP);
    expect(items[0]!.id).toBe('a249');
    expect(items.every((a) => a.state !== 'cleared')).toBe(true);
    expect(tickerItems(all.slice(0, 10)).map((a) => a.id)).toEqual(['a9', 'a8', 'a7', 'a6', 'a4', 'a3', 'a2', 'a1']);
  });
});

describe('settings', () => {
  it('?cycle= first, then the stored value, then 60; 0 pauses; clamped', () => {
    expect(parseCycle(null, null)).toBe(60);
    expect(parseCycle('30', '90')).toBe(30);
    expect(parseCycle(null, '90')).toBe(90);
    expect(parseCycle('0', '90')).toBe(0);
    expect(parseCycle('2', null)).toBe(5);
    expect(parseCycle('abc', '-1')).toBe(60);
    expect(parseCycle('99999', null)).toBe(3600);
  });
  it('a pause by hand holds for 30 minutes from when it began, then the rotation resumes', () => {
    const t = Date.parse('2026-03-01T08:00:00Z');
    expect(pauseHolds(String(t), t + 1000)).toBe(true);
    expect(pauseHolds(String(t), t + MANUAL_PAUSE_MS - 1)).toBe(true);
    expect(pauseHolds(String(t), t + MANUAL_PAUSE_MS)).toBe(false);
    // an old '1' (paused for ever), nothing, or garbage: no pause
    for (const v of ['1', '0', '', null, 'yes']) expect(pauseHolds(v, t)).toBe(false);
  });
  it('?reload=<hours>', () => {
    expect(parseReloadHours('24')).toBe(24);
    expect(parseReloadHours('0.01')).toBe(0.25);
    expect(parseReloadHours('x')).toBeNull();
    expect(parseReloadHours(null)).toBeNull();
  });
  it('open items, one a line', () => {
    expect(parseOpenItems('INC-1 回访报警人\n\n  ALERT-2  \n')).toEqual([{ ref: 'INC-1', note: '回访报警人' }, { ref: 'ALERT-2', note: '' }]);
  });
  it('the scale of the 1080p design', () => {
    expect(viewportScale(1920, 1080)).toBe(1);
    expect(viewportScale(3840, 2160)).toBe(2);
    expect(viewportScale(2560, 1080)).toBe(1);
  });
});
