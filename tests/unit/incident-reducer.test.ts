// Lenient lifecycle facts (feeders) through applyLifecycle. Strict commands: incident-reducer-strict.test.ts.
import { describe, expect, it } from 'vitest';
import { INCIDENT_LIFECYCLE, type IncidentLifecycleType } from '../../shared/events.js';
import { INCIDENT_STATUSES, type IncidentStatus } from '../../shared/objects.js';
import { CHAIN_A, incident, life, ok, RECEIVED_AT, refused, unit, EARLIER } from '../helpers/facts.js';

const BY_TARGET: [IncidentLifecycleType, IncidentStatus][] = [
  ['incident.dispatched', 'dispatched'], ['incident.en_route', 'en_route'], ['incident.arrived', 'on_scene'],
  ['incident.resolved', 'resolved'], ['incident.closed', 'closed'], ['incident.cancelled', 'cancelled'], ['incident.reopened', 'new'],
];

/** Lenient matrix written out by hand from DESIGN §3: A = applied, S = recorded as stale. */
const LENIENT: Record<IncidentStatus, string> = {
  //         disp enr  arr  res  clo  can  reo
  new:        'A    A    A    A    A    A    S',
  dispatched: 'S    A    A    A    A    A    S',
  en_route:   'S    S    A    A    A    A    S',
  on_scene:   'S    S    S    A    A    A    S',
  resolved:   'S    S    S    S    A    S    A',
  closed:     'S    S    S    S    S    S    A',
  cancelled:  'S    S    S    S    S    S    A',
};

describe('lenient matrix: every status × every status-setting fact', () => {
  const cases = INCIDENT_STATUSES.flatMap((from) => {
    const row = LENIENT[from].split(/\s+/);
    return BY_TARGET.map(([type, to], i) => ({ from, type, to, applies: row[i] === 'A' }));
  });

  it.each(cases)('$type while $from → applies: $applies', ({ from, type, to, applies }) => {
    const closedAt = from === 'closed' || from === 'cancelled' ? EARLIER : null;
    const before = incident({ status: from, closedAt });
    const r = ok(life(type, before));
    expect(r.warnings).toEqual([]);
    expect(r.jurisdiction).toEqual(CHAIN_A);
    if (!applies) {
      expect(r.stale).toBe(true);
      expect(r.incident).toBe(before);
      expect(r.units).toEqual([]);
      return;
    }
    expect(r.stale).toBe(false);
    expect(r.incident).toMatchObject({ status: to, version: before.version + 1, statusSince: RECEIVED_AT, updatedAt: RECEIVED_AT });
    const expectedClosedAt = to === 'closed' || to === 'cancelled' ? RECEIVED_AT : to === 'new' ? null : closedAt;
    expect(r.incident!.closedAt).toBe(expectedClosedAt);
    expect(before.status).toBe(from); // the input is not mutated
  });
});

describe('forward jumps', () => {
  it('arrived while new moves to on_scene and attaches the named units on scene', () => {
    const u1 = unit('u1');
    const r = ok(life('incident.arrived', incident(), { units: [u1], unitIds: ['u1'] }));
    expect(r.incident).toMatchObject({ status: 'on_scene', unitIds: ['u1'], version: 4 });
    expect(r.units).toEqual([{ ...u1, status: 'on_scene', incidentId: 'inc-1', version: 6, statusSince: RECEIVED_AT, updatedAt: RECEIVED_AT }]);
  });

  it('resolved while dispatched resolves and frees the attached units', () => {
    const u1 = unit('u1', { status: 'dispatched', incidentId: 'inc-1' });
    const r = ok(life('incident.resolved', incident({ status: 'dispatched', unitIds: ['u1'] }), { units: [u1] }));
    expect(r.incident).toMatchObject({ status: 'resolved', unitIds: [], closedAt: null, version: 4 });
    expect(r.units).toEqual([{ ...u1, status: 'available', incidentId: null, version: 6, statusSince: RECEIVED_AT, updatedAt: RECEIVED_AT }]);
  });

  it('en_route moves every attached unit en route; arrived then puts them on scene', () => {
    const u1 = unit('u1', { status: 'dispatched', incidentId: 'inc-1', version: 2 });
    const u2 = unit('u2', { status: 'dispatched', incidentId: 'inc-1', version: 9 });
    const r = ok(life('incident.en_route', incident({ status: 'dispatched', unitIds: ['u1', 'u2'] }), { units: [u1, u2] }));
    expect(r.incident!.status).toBe('en_route');
    expect(r.units.map((u) => [u.id, u.status, u.version])).toEqual([['u1', 'en_route', 3], ['u2', 'en_route', 10]]);
    const r2 = ok(life('incident.arrived', r.incident, { units: r.units }));
    expect(r2.units.map((u) => [u.id, u.status, u.version])).toEqual([['u1', 'on_scene', 4], ['u2', 'on_scene', 11]]);
    expect(r2.incident!.version).toBe(5);
  });
});

describe('stale facts', () => {
  it('en_route while on_scene is stale: nothing changes', () => {
    const before = incident({ status: 'on_scene', unitIds: ['u1'] });
    const u1 = unit('u1', { status: 'on_scene', incidentId: 'inc-1' });
    const r = ok(life('incident.en_route', before, { units: [u1], unitIds: ['u1'] }));
    expect(r).toEqual({ ok: true, incident: before, units: [], stale: true, jurisdiction: CHAIN_A, warnings: [] });
  });

  it('cancelled while closed is stale', () => {
    const before = incident({ status: 'closed', closedAt: EARLIER });
    expect(ok(life('incident.cancelled', before)).stale).toBe(true);
  });

  it.each(['resolved', 'closed', 'cancelled'] as const)('a dispatch naming units while %s is stale and leaves the units alone', (status) => {
    const u1 = unit('u1');
    const before = incident({ status, closedAt: status === 'resolved' ? null : EARLIER });
    const r = ok(life('incident.dispatched', before, { units: [u1], unitIds: ['u1'] }));
    expect(r.units).toEqual([]);
    expect(r.stale).toBe(true);
    expect(r.incident).toBe(before);
  });
});

describe('cancel, close, reopen', () => {
  it.each(['new', 'dispatched', 'en_route', 'on_scene'] as const)('cancelled from %s frees the attached units', (status) => {
    const attached = status === 'new' ? [] : ['u1'];
    const u1 = unit('u1', status === 'new' ? {} : { status, incidentId: 'inc-1' });
    const r = ok(life('incident.cancelled', incident({ status, unitIds: attached }), { units: [u1] }));
    expect(r.incident).toMatchObject({ status: 'cancelled', unitIds: [], closedAt: RECEIVED_AT });
    expect(r.units.map((u) => [u.id, u.status, u.incidentId])).toEqual(status === 'new' ? [] : [['u1', 'available', null]]);
  });

  it('closed from on_scene frees units; a unit already taken by another incident is left alone', () => {
    const mine = unit('u1', { status: 'on_scene', incidentId: 'inc-1' });
    const elsewhere = unit('u2', { status: 'dispatched', incidentId: 'inc-9' });
    const r = ok(life('incident.closed', incident({ status: 'on_scene', unitIds: ['u1', 'u2'] }), { units: [mine, elsewhere] }));
    expect(r.incident).toMatchObject({ status: 'closed', unitIds: [], closedAt: RECEIVED_AT });
    expect(r.units.map((u) => u.id)).toEqual(['u1']);
  });

  it.each(['resolved', 'closed', 'cancelled'] as const)('reopened from %s → new, closedAt null, units cleared', (status) => {
    const before = incident({ status, closedAt: status === 'resolved' ? null : EARLIER, unitIds: ['u-stray'] });
    const r = ok(life('incident.reopened', before));
    expect(r.incident).toMatchObject({ status: 'new', closedAt: null, unitIds: [], version: 4, statusSince: RECEIVED_AT });
    expect(r.units).toEqual([]);
  });
});

describe('acknowledged', () => {
  it.each(['dispatched', 'en_route', 'on_scene'] as const)('while %s bumps the version and records the acknowledgement only', (status) => {
    const before = incident({ status, unitIds: ['u1'] });
    const r = ok(life('incident.acknowledged', before, { units: [unit('u1', { status: 'dispatched', incidentId: 'inc-1' })] }));
    expect(r.stale).toBe(false);
    expect(r.incident).toEqual({ ...before, version: 4, updatedAt: RECEIVED_AT, acknowledgedUnitIds: ['u1'] });
    expect(r.units).toEqual([]);
  });

  it.each(['new', 'resolved', 'closed', 'cancelled'] as const)('while %s is stale', (status) => {
    expect(ok(life('incident.acknowledged', incident({ status }))).stale).toBe(true);
  });
});

describe('unit_released', () => {
  it('detaches and frees only units attached to this incident', () => {
    const u1 = unit('u1', { status: 'en_route', incidentId: 'inc-1', version: 4 });
    const u2 = unit('u2', { status: 'dispatched', incidentId: 'inc-9' }); // listed here, but reassigned since
    const u3 = unit('u3', { status: 'dispatched', incidentId: 'inc-1' });
    const r = ok(life('incident.unit_released', incident({ status: 'en_route', unitIds: ['u1', 'u2', 'u3'] }), { units: [u1, u2, u3], unitIds: ['u1', 'u2'] }));
    expect(r.incident).toMatchObject({ status: 'en_route', unitIds: ['u3'], version: 4 });
    expect(r.units).toEqual([{ ...u1, status: 'available', incidentId: null, version: 5, statusSince: RECEIVED_AT, updatedAt: RECEIVED_AT }]);
  });

  it('naming no attached unit is stale (lenient)', () => {
    const r = ok(life('incident.unit_released', incident({ status: 'dispatched', unitIds: ['u1'] }), { units: [unit('u1'), unit('u5')], unitIds: ['u5'] }));
    expect(r.stale).toBe(true);
    expect(r.units).toEqual([]);
  });
});

describe('dispatch', () => {
  it('attaches available units: each unit version +1 exactly, incident version +1', () => {
    const u1 = unit('u1', { version: 3 });
    const u2 = unit('u2', { version: 7 });
    const r = ok(life('incident.dispatched', incident(), { units: [u1, u2], unitIds: ['u1', 'u2'] }));
    expect(r.incident).toMatchObject({ status: 'dispatched', unitIds: ['u1', 'u2'], version: 4, statusSince: RECEIVED_AT });
    expect(r.units).toEqual([
      { ...u1, status: 'dispatched', incidentId: 'inc-1', version: 4, statusSince: RECEIVED_AT, updatedAt: RECEIVED_AT },
      { ...u2, status: 'dispatched', incidentId: 'inc-1', version: 8, statusSince: RECEIVED_AT, updatedAt: RECEIVED_AT },
    ]);
  });

  it('adding a unit to an en_route incident keeps its status and moves only the new unit', () => {
    const u1 = unit('u1', { status: 'en_route', incidentId: 'inc-1' });
    const u2 = unit('u2');
    const before = incident({ status: 'en_route', unitIds: ['u1'], statusSince: EARLIER });
    const r = ok(life('incident.dispatched', before, { units: [u1, u2], unitIds: ['u2'] }));
    expect(r.incident).toMatchObject({ status: 'en_route', unitIds: ['u1', 'u2'], statusSince: EARLIER, version: 4 });
    expect(r.units.map((u) => [u.id, u.status])).toEqual([['u2', 'dispatched']]);
  });

  it('re-dispatching an attached unit is stale', () => {
    const u1 = unit('u1', { status: 'dispatched', incidentId: 'inc-1' });
    expect(ok(life('incident.dispatched', incident({ status: 'dispatched', unitIds: ['u1'] }), { units: [u1], unitIds: ['u1'] })).stale).toBe(true);
  });

  it('an unknown unit is a warning in lenient mode, and the rest applies', () => {
    const r = ok(life('incident.dispatched', incident(), { units: [unit('u1')], unitIds: ['ghost', 'u1'] }));
    expect(r.warnings).toEqual([expect.objectContaining({ code: 'unknown_unit' })]);
    expect(r.warnings[0]!.message).toContain('ghost');
    expect(r.incident).toMatchObject({ status: 'dispatched', unitIds: ['u1'] });
    expect(r.units.map((u) => u.id)).toEqual(['u1']);
  });
});

describe('unknown incident', () => {
  it.each([...INCIDENT_LIFECYCLE])('%s about an unknown incident → unknown_incident', (type) => {
    for (const mode of ['lenient', 'strict'] as const) {
      expect(refused(life(type, null, { mode }))).toMatchObject({ code: 'unknown_incident', path: 'data.incidentId' });
    }
  });
});
