import { describe, expect, it } from 'vitest';
import type { Alert, Unit } from '../../shared/objects.js';
import { checkStaleUnit, latestFixMs, onIncident, staleCauseGone, staleUnitSubject } from '../../server/alerts/unit-rules.js';

const T0 = Date.parse('2026-11-28T08:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const STALE = 120_000;

function unit(over: Partial<Unit> = {}): Unit {
  return {
    id: 'U-1', version: 2, callsign: 'A1', kind: 'car', homeGrid: 'g1', skills: [], status: 'available', incidentId: null,
    jurisdiction: ['g1', 'c1', 'city'], lastFix: null, statusSince: at(0), updatedAt: at(0), ...over,
  };
}
const fix = (s: number) => ({ at: at(s), lat: 30, lon: 120, speed: null, heading: null });
const openAlert = { state: 'open', kind: 'stale_unit' } as Pick<Alert, 'state' | 'kind'>;

describe('latestFixMs', () => {
  it('takes the later of the telemetry time and the unit object fix, or whichever exists', () => {
    expect(latestFixMs(T0 + 5000, unit({ lastFix: fix(2) }))).toBe(T0 + 5000);
    expect(latestFixMs(T0 + 1000, unit({ lastFix: fix(2) }))).toBe(T0 + 2000);
    expect(latestFixMs(null, unit({ lastFix: fix(2) }))).toBe(T0 + 2000);
    expect(latestFixMs(T0, unit())).toBe(T0);
    expect(latestFixMs(null, unit())).toBeNull();
  });
});

describe('checkStaleUnit', () => {
  it('is not stale within the threshold, stale from 120 s on', () => {
    expect(checkStaleUnit(unit(), T0, T0 + 119_999, STALE).stale).toBe(false);
    const v = checkStaleUnit(unit(), T0, T0 + 150_000, STALE);
    expect(v).toMatchObject({
      stale: true, severity: 'warning', scope: 'g1', since: T0 + 120_000,
      evidence: { unitId: 'U-1', callsign: 'A1', status: 'available', lastFixAt: at(0), silentSeconds: 150 },
    });
  });

  it('is critical for a unit working an incident, and names the incident', () => {
    for (const status of ['dispatched', 'en_route', 'on_scene'] as const) {
      const v = checkStaleUnit(unit({ status, incidentId: 'I-1' }), T0, T0 + 200_000, STALE);
      expect(v).toMatchObject({ stale: true, severity: 'critical', evidence: { status, incidentId: 'I-1', silentSeconds: 200 } });
    }
    expect(checkStaleUnit(unit({ status: 'busy' }), T0, T0 + 200_000, STALE)).toMatchObject({ stale: true, severity: 'warning' });
  });

  it('never counts a unit off duty', () => {
    expect(checkStaleUnit(unit({ status: 'off_duty' }), T0, T0 + 3600_000, STALE).stale).toBe(false);
  });

  it('counts a unit that never sent a fix only while it is on an incident, from its status change', () => {
    expect(checkStaleUnit(unit({ statusSince: at(0) }), null, T0 + 3600_000, STALE).stale).toBe(false);
    const u = unit({ status: 'dispatched', incidentId: 'I-1', statusSince: at(10) });
    expect(checkStaleUnit(u, null, T0 + 129_000, STALE).stale).toBe(false);
    expect(checkStaleUnit(u, null, T0 + 140_000, STALE)).toMatchObject({
      stale: true, severity: 'critical', since: T0 + 130_000, evidence: { lastFixAt: null, silentSeconds: 130 },
    });
  });

  it('gives the same alert id on every run while nothing changes, another for another fix or status change', () => {
    const a = checkStaleUnit(unit(), T0, T0 + 150_000, STALE);
    const b = checkStaleUnit(unit(), T0, T0 + 900_000, STALE);
    const c = checkStaleUnit(unit(), T0 + 1000, T0 + 900_000, STALE);
    const d = checkStaleUnit(unit({ statusSince: at(5) }), T0, T0 + 900_000, STALE);
    if (!a.stale || !b.stale || !c.stale || !d.stale) throw new Error('expected stale');
    expect(a.alertId).toBe(b.alertId);
    expect(a.alertId).toMatch(/^stale_unit-[0-9a-f]{24}$/);
    expect(c.alertId).not.toBe(a.alertId);
    expect(d.alertId).not.toBe(a.alertId);
  });

  it('onIncident needs both the status and the incident', () => {
    expect(onIncident({ status: 'dispatched', incidentId: 'I-1' })).toBe(true);
    expect(onIncident({ status: 'dispatched', incidentId: null })).toBe(false);
    expect(onIncident({ status: 'busy', incidentId: 'I-1' })).toBe(false);
  });
});

describe('staleCauseGone', () => {
  it('clears on a fresh fix, off duty, a never-fixed unit leaving its incident, or a unit gone', () => {
    expect(staleCauseGone(openAlert, unit(), T0, T0 + 200_000, STALE)).toBe(false);
    expect(staleCauseGone(openAlert, unit(), T0 + 190_000, T0 + 200_000, STALE)).toBe(true);
    expect(staleCauseGone(openAlert, unit({ status: 'off_duty' }), T0, T0 + 200_000, STALE)).toBe(true);
    expect(staleCauseGone(openAlert, unit(), null, T0 + 200_000, STALE)).toBe(true);
    expect(staleCauseGone(openAlert, null, null, T0 + 200_000, STALE)).toBe(true);
    expect(staleCauseGone({ state: 'cleared', kind: 'stale_unit' }, unit({ status: 'off_duty' }), T0, T0 + 200_000, STALE)).toBe(false);
  });
  it('subjects are unit:<id>', () => expect(staleUnitSubject('U-9')).toBe('unit:U-9'));
});
