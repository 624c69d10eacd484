import { describe, expect, it } from 'vitest';
import type { Alert, Entry } from '../../shared/objects.js';
import {
  closedHourAt, countFor, decideSpike, hourStartOf, HOUR_MS, seriesWindow, SPIKE_WINDOW_HOURS, spikeAlertId, spikeCategory, spikeSeverity,
  spikeSubject, windowFields,
} from '../../server/alerts/spike-rules.js';
import type { SpikeEvaluation } from '../../server/alerts/spike.js';

const H = Date.parse('2026-11-28T08:00:00.000Z');
const chain = ['g1', 'c1', 's1', 'd1', 'city'];
const entry = (over: Partial<Entry> = {}): Entry => ({
  seq: '1795000000000-3', id: 'e', source: 's', type: 'incident.reported', time: '2026-11-28T08:59:59.999+00:00', receivedAt: '2026-11-28T09:00:05.000Z',
  jurisdiction: chain, affects: [], data: { incidentId: 'I-1', category: 'fraud' }, ...over,
});
const ev = (over: Partial<SpikeEvaluation> = {}): SpikeEvaluation => ({ ready: true, expected: 0.5, dispersion: 5, fittedSize: 5, pValue: 0.3, fire: false, ...over });
const alert = (over: Partial<Alert> = {}): Alert => ({
  id: 'spike-x', version: 1, kind: 'spike', severity: 'warning', scope: 'd1', subject: 'spike:d1:fraud', state: 'open', escalated: false, escalationLevel: 0,
  evidence: { hourStart: new Date(H - HOUR_MS).toISOString() }, jurisdiction: ['d1', 'city'], source: 'worker/spikes', raisedAt: new Date(H).toISOString(),
  acknowledgedAt: null, acknowledgedBy: null, escalatedAt: null, ...over,
} as Alert);

describe('spike hours and series', () => {
  it('floors to absolute UTC hours; the closed hour is the one before the current', () => {
    expect(hourStartOf(H + HOUR_MS - 1)).toBe(H);
    expect(hourStartOf(H)).toBe(H);
    expect(closedHourAt(H + 10 * 60_000)).toBe(H - HOUR_MS);
  });
  it('counts a report in its district, category and hour, by seq', () => {
    expect(countFor(entry())).toEqual({ district: 'd1', category: 'fraud', hourStart: H, member: '1795000000000-3' });
    expect(countFor(entry({ data: { category: 'nope' } }))?.category).toBe('other');
    expect(countFor(entry({ data: {} }))?.category).toBe('other');
    expect(spikeCategory('theft')).toBe('theft');
  });
  it('counts nothing for stale facts, other types or a chain above the district', () => {
    expect(countFor(entry({ stale: true }))).toBeNull();
    expect(countFor(entry({ type: 'incident.updated' }))).toBeNull();
    expect(countFor(entry({ jurisdiction: ['city'] }))).toBeNull();
    expect(countFor(entry({ jurisdiction: ['d1', 'city'] }))?.district).toBe('d1');
  });
  it('reads the 8-week window then the hour; hours before the first count are not history', () => {
    const f = windowFields(H);
    expect(f).toHaveLength(SPIKE_WINDOW_HOURS + 1);
    expect(f[0]).toBe(String(H - SPIKE_WINDOW_HOURS * HOUR_MS));
    expect(f.at(-1)).toBe(String(H));
    const values = f.map((_, i) => (i === SPIKE_WINDOW_HOURS ? '7' : i % 2 ? '1' : null));
    const full = seriesWindow(values, H, H - 20 * SPIKE_WINDOW_HOURS * HOUR_MS);
    expect(full.history).toHaveLength(SPIKE_WINDOW_HOURS);
    expect(full.observed).toBe(7);
    expect(full.history.slice(0, 3)).toEqual([0, 1, 0]);
    const young = seriesWindow(values, H, H - 10 * HOUR_MS);
    expect(young.history).toHaveLength(10);
    expect(seriesWindow(values, H, H + HOUR_MS).history).toEqual([]);
  });
});

describe('decideSpike', () => {
  it('raises with an id from the series and hour, critical below 1e-7', () => {
    const d = decideSpike('d1', 'fraud', H, 12, ev({ fire: true, pValue: 1e-8, expected: 0.4 }), null);
    expect(d).toEqual({
      kind: 'raise', alertId: spikeAlertId('d1', 'fraud', H), severity: 'critical',
      evidence: { district: 'd1', category: 'fraud', hourStart: new Date(H).toISOString(), observed: 12, expected: 0.4, pValue: 1e-8 },
    });
    expect(spikeAlertId('d1', 'fraud', H)).not.toBe(spikeAlertId('d1', 'fraud', H + HOUR_MS));
    expect(spikeAlertId('d1', 'fraud', H)).not.toContain(':');
    expect(spikeSeverity(5e-5)).toBe('warning');
    expect(spikeSubject('d1', 'fraud')).toBe('spike:d1:fraud');
  });
  it('one open per series: a firing hour with an open alert does nothing', () => {
    expect(decideSpike('d1', 'fraud', H, 12, ev({ fire: true, pValue: 1e-5 }), alert())).toEqual({ kind: 'none' });
    // a cleared alert is no longer open
    expect(decideSpike('d1', 'fraud', H, 12, ev({ fire: true, pValue: 1e-5 }), alert({ state: 'cleared' })).kind).toBe('raise');
  });
  it('clears an open alert of an earlier hour on a quiet hour, never one of this hour or later', () => {
    expect(decideSpike('d1', 'fraud', H, 0, ev(), alert())).toEqual({ kind: 'clear', alertId: 'spike-x' });
    expect(decideSpike('d1', 'fraud', H, 0, ev(), alert({ evidence: { hourStart: new Date(H).toISOString() } }))).toEqual({ kind: 'none' });
    expect(decideSpike('d1', 'fraud', H, 0, ev(), null)).toEqual({ kind: 'none' });
    expect(decideSpike('d1', 'fraud', H, 0, ev(), alert({ state: 'cleared' }))).toEqual({ kind: 'none' });
  });
});
