// Strict commands through applyLifecycle: the state machine of DESIGN §3.
import { describe, expect, it } from 'vitest';
import { INCIDENT_STATUSES, type IncidentStatus } from '../../shared/objects.js';
import { EVENT_FOR_TARGET, STRICT_NEXT } from '../../shared/incidents/lifecycle.js';
import { EARLIER, incident, life, ok, RECEIVED_AT, refused, unit } from '../helpers/facts.js';

const OPEN: IncidentStatus[] = ['new', 'dispatched', 'en_route', 'on_scene'];
const strict = { mode: 'strict' as const };

function at(status: IncidentStatus) {
  return incident({ status, closedAt: status === 'closed' || status === 'cancelled' ? EARLIER : null });
}

describe('STRICT_NEXT', () => {
  it('is the state machine of DESIGN §3', () => {
    expect(STRICT_NEXT).toEqual({
      new: ['dispatched', 'cancelled'],
      dispatched: ['en_route', 'cancelled'],
      en_route: ['on_scene', 'cancelled'],
      on_scene: ['resolved', 'cancelled'],
      resolved: ['closed', 'new'],
      closed: ['new'],
      cancelled: [],
    });
  });

  // every (from, to) pair except dispatch targets, which need units (below)
  const pairs = INCIDENT_STATUSES.flatMap((from) => INCIDENT_STATUSES.filter((to) => to !== 'dispatched').map((to) => ({
    from, to, allowed: STRICT_NEXT[from].includes(to),
  })));

  it.each(pairs)('$from → $to allowed: $allowed', ({ from, to, allowed }) => {
    const before = at(from);
    const r = life(EVENT_FOR_TARGET[to], before, strict);
    if (allowed) {
      const o = ok(r);
      expect(o.stale).toBe(false);
      expect(o.incident).toMatchObject({ status: to, version: before.version + 1, statusSince: RECEIVED_AT });
      return;
    }
    expect(refused(r)).toMatchObject({
      code: 'invalid_transition',
      details: { current: from, version: before.version, allowed: STRICT_NEXT[from] },
    });
  });
});

describe('strict dispatch', () => {
  it.each(OPEN)('adds an available unit to a %s incident', (from) => {
    const r = ok(life('incident.dispatched', at(from), { ...strict, units: [unit('u1')], unitIds: ['u1'] }));
    expect(r.incident!.status).toBe(from === 'new' ? 'dispatched' : from);
    expect(r.incident!.unitIds).toEqual(['u1']);
    expect(r.units).toEqual([expect.objectContaining({ id: 'u1', status: 'dispatched', incidentId: 'inc-1', version: 6 })]);
  });

  it.each(['resolved', 'closed', 'cancelled'] as const)('to a %s incident → invalid_transition', (from) => {
    const r = refused(life('incident.dispatched', at(from), { ...strict, units: [unit('u1')], unitIds: ['u1'] }));
    expect(r.code).toBe('invalid_transition');
    expect(r.details).toMatchObject({ current: from });
  });

  it.each(['dispatched', 'en_route', 'on_scene', 'busy', 'off_duty'] as const)('of a %s unit (elsewhere) → unit_unavailable', (status) => {
    const busy = unit('u2', { status, incidentId: status === 'busy' || status === 'off_duty' ? null : 'inc-9', version: 11 });
    const r = refused(life('incident.dispatched', at('new'), { ...strict, units: [unit('u1'), busy], unitIds: ['u1', 'u2'] }));
    expect(r).toMatchObject({ code: 'unit_unavailable', path: 'unitIds.1', details: { unitId: 'u2', status, version: 11 } });
  });

  it('of an unknown unit → unknown_unit (nothing applied)', () => {
    const r = refused(life('incident.dispatched', at('new'), { ...strict, units: [unit('u1')], unitIds: ['u1', 'ghost'] }));
    expect(r).toMatchObject({ code: 'unknown_unit', path: 'unitIds.1' });
  });

  it('without units → required', () => {
    expect(refused(life('incident.dispatched', at('new'), strict)).code).toBe('required');
    expect(refused(life('incident.dispatched', at('new'), { ...strict, unitIds: [] })).code).toBe('required');
  });

  it('a unit already attached to this incident counts as available', () => {
    const u1 = unit('u1', { status: 'en_route', incidentId: 'inc-1' });
    const r = ok(life('incident.dispatched', incident({ status: 'en_route', unitIds: ['u1'] }), { ...strict, units: [u1, unit('u2')], unitIds: ['u1', 'u2'] }));
    expect(r.incident!.unitIds).toEqual(['u1', 'u2']);
    expect(r.units.map((u) => u.id)).toEqual(['u2']);
  });
});

describe('strict acknowledgement and release', () => {
  it.each(['new', 'resolved', 'closed', 'cancelled'] as const)('acknowledged while %s → invalid_transition', (from) => {
    expect(refused(life('incident.acknowledged', at(from), strict))).toMatchObject({ code: 'invalid_transition', details: { current: from } });
  });

  it('acknowledged while dispatched applies', () => {
    expect(ok(life('incident.acknowledged', at('dispatched'), strict)).incident!.version).toBe(4);
  });

  it('releasing a unit that is not attached → invalid_release', () => {
    const r = refused(life('incident.unit_released', incident({ status: 'dispatched', unitIds: ['u1'] }), { ...strict, units: [unit('u1'), unit('u5')], unitIds: ['u5'] }));
    expect(r).toMatchObject({ code: 'invalid_release', path: 'unitIds' });
  });

  it('releasing an attached unit frees it', () => {
    const u1 = unit('u1', { status: 'dispatched', incidentId: 'inc-1' });
    const r = ok(life('incident.unit_released', incident({ status: 'dispatched', unitIds: ['u1'] }), { ...strict, units: [u1], unitIds: ['u1'] }));
    expect(r.incident!.unitIds).toEqual([]);
    expect(r.units).toEqual([expect.objectContaining({ id: 'u1', status: 'available', incidentId: null, version: 6 })]);
  });

  it('an unknown unit in a strict release → unknown_unit', () => {
    expect(refused(life('incident.unit_released', incident({ status: 'dispatched', unitIds: ['u1'] }), { ...strict, unitIds: ['ghost'] })).code).toBe('unknown_unit');
  });
});

describe('strict closure frees units like lenient facts', () => {
  it('resolved from on_scene frees the attached units', () => {
    const u1 = unit('u1', { status: 'on_scene', incidentId: 'inc-1', version: 1 });
    const r = ok(life('incident.resolved', incident({ status: 'on_scene', unitIds: ['u1'] }), { ...strict, units: [u1] }));
    expect(r.incident).toMatchObject({ status: 'resolved', unitIds: [] });
    expect(r.units).toEqual([expect.objectContaining({ id: 'u1', status: 'available', incidentId: null, version: 2 })]);
  });
});
