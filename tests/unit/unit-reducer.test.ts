// registerUnit and setUnitStatus (server/incidents/unit-reducer.ts).
import { describe, expect, it } from 'vitest';
import type { Fix } from '../../shared/objects.js';
import { registerUnit, setUnitStatus } from '../../server/incidents/unit-reducer.js';
import { CHAIN_A, CHAIN_B, CITY, ctx, EARLIER, ok, RECEIVED_AT, refused, unit } from '../helpers/facts.js';

const FIX: Fix = { lat: 30.01, lon: 114.01, speed: 8, heading: 90, at: '2025-03-01T08:00:20.000Z' };

describe('registerUnit', () => {
  it('creates an available unit at version 1 in its home grid chain', () => {
    const r = ok(registerUnit({ unitId: 'p-1', callsign: 'Patrol 1', kind: 'bike', homeGrid: 'gA', skills: ['first_aid'] }, null, ctx()));
    expect(r.units).toEqual([{
      id: 'p-1', version: 1, callsign: 'Patrol 1', kind: 'bike', homeGrid: 'gA', skills: ['first_aid'], status: 'available',
      incidentId: null, jurisdiction: CHAIN_A, lastFix: null, statusSince: RECEIVED_AT, updatedAt: RECEIVED_AT,
    }]);
    expect(r).toMatchObject({ incident: null, stale: false, jurisdiction: CHAIN_A, warnings: [] });
    expect(r.movedFrom).toBeUndefined();
  });

  it('defaults: callsign = id, kind other, no home grid → the city', () => {
    const r = ok(registerUnit({ unitId: 'p-2' }, null, ctx()));
    expect(r.units[0]).toMatchObject({ callsign: 'p-2', kind: 'other', homeGrid: null, skills: [], jurisdiction: CITY });
    expect(r.warnings).toEqual([]);
  });

  it('an unknown kind becomes other with an unknown_kind warning', () => {
    const r = ok(registerUnit({ unitId: 'p-3', kind: 'horse' }, null, ctx()));
    expect(r.units[0]!.kind).toBe('other');
    expect(r.warnings).toEqual([expect.objectContaining({ code: 'unknown_kind' })]);
    expect(r.warnings[0]!.message).toContain('horse');
  });

  it('an unknown home grid puts the unit in the city with a warning', () => {
    const r = ok(registerUnit({ unitId: 'p-4', homeGrid: 'nowhere' }, null, ctx()));
    expect(r.units[0]).toMatchObject({ homeGrid: null, jurisdiction: CITY });
    expect(r.warnings.map((w) => w.code)).toEqual(['unknown_grid']);
  });

  it('re-registering keeps status, incident, fix and kind; bumps the version by one', () => {
    const current = unit('p-5', { version: 8, status: 'en_route', incidentId: 'inc-1', lastFix: FIX, kind: 'foot', statusSince: EARLIER });
    const r = ok(registerUnit({ unitId: 'p-5', callsign: 'New call' }, current, ctx()));
    expect(r.units).toEqual([{ ...current, version: 9, callsign: 'New call', updatedAt: RECEIVED_AT }]);
    expect(r.movedFrom).toBeUndefined();
  });

  it('a new home grid moves the unit: movedFrom and the union chain', () => {
    const r = ok(registerUnit({ unitId: 'p-6', homeGrid: 'gB' }, unit('p-6'), ctx()));
    expect(r.units[0]).toMatchObject({ homeGrid: 'gB', jurisdiction: CHAIN_B, version: 6 });
    expect(r.movedFrom).toEqual(CHAIN_A);
    expect(r.jurisdiction).toEqual([...CHAIN_A, 'gB', 'mB', 's2']);
  });
});

describe('setUnitStatus', () => {
  it('an unknown unit → unknown_unit', () => {
    expect(refused(setUnitStatus({ unitId: 'ghost', status: 'busy' }, null, ctx(), null))).toMatchObject({ code: 'unknown_unit', path: 'data.unitId' });
  });

  it.each([
    ['available', 'on_scene'], ['off_duty', 'en_route'], ['on_scene', 'available'], ['busy', 'busy'], ['dispatched', 'off_duty'],
  ] as const)('%s → %s always applies', (from, to) => {
    const current = unit('u1', { status: from, incidentId: from === 'on_scene' || from === 'dispatched' ? 'inc-1' : null });
    const r = ok(setUnitStatus({ unitId: 'u1', status: to }, current, ctx(), null));
    expect(r.stale).toBe(false);
    expect(r.units).toHaveLength(1);
    expect(r.units[0]).toMatchObject({ status: to, version: current.version + 1, updatedAt: RECEIVED_AT });
    expect(r.units[0]!.statusSince).toBe(from === to ? EARLIER : RECEIVED_AT);
    expect(r.jurisdiction).toEqual(CHAIN_A);
  });

  it('available and off_duty detach the unit; busy keeps its incident', () => {
    const onScene = unit('u1', { status: 'on_scene', incidentId: 'inc-1' });
    expect(ok(setUnitStatus({ unitId: 'u1', status: 'available' }, onScene, ctx(), null)).units[0]!.incidentId).toBeNull();
    expect(ok(setUnitStatus({ unitId: 'u1', status: 'off_duty' }, onScene, ctx(), null)).units[0]!.incidentId).toBeNull();
    expect(ok(setUnitStatus({ unitId: 'u1', status: 'busy' }, onScene, ctx(), null)).units[0]!.incidentId).toBe('inc-1');
  });

  it('attaches the latest fix, or keeps the stored one when there is none', () => {
    const stored: Fix = { ...FIX, lat: 29, at: EARLIER };
    expect(ok(setUnitStatus({ unitId: 'u1', status: 'busy' }, unit('u1', { lastFix: stored }), ctx(), FIX)).units[0]!.lastFix).toEqual(FIX);
    expect(ok(setUnitStatus({ unitId: 'u1', status: 'busy' }, unit('u1', { lastFix: stored }), ctx(), null)).units[0]!.lastFix).toEqual(stored);
  });
});
