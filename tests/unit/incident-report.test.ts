// reportIncident, updateIncident, linkIncident (shared/incidents/incident-reducer.ts).
import { describe, expect, it } from 'vitest';
import type { EventData } from '../../shared/events.js';
import { linkIncident, reportIncident, updateIncident } from '../../shared/incidents/incident-reducer.js';
import { CHAIN_A, CHAIN_B, CITY, ctx, EARLIER, EVENT_TIME, incident, ok, placement, RECEIVED_AT, refused } from '../helpers/facts.js';

const report = (over: Partial<EventData<'incident.reported'>> = {}): EventData<'incident.reported'> => ({
  incidentId: 'inc-7', category: 'robbery', priority: 1, ...over,
});

describe('reportIncident', () => {
  it('creates version 1 in status new, placed by its location', () => {
    const r = ok(reportIncident(report({ location: { lat: 30.01, lon: 114.01 }, address: 'a', channel: '110', summary: 's', reporter: { name: 'Li', phone: '138' } }), null, ctx({ placement: placement() })));
    expect(r.stale).toBe(false);
    expect(r.warnings).toEqual([]);
    expect(r.jurisdiction).toEqual(CHAIN_A);
    expect(r.outOfArea).toBeUndefined();
    expect(r.units).toEqual([]);
    expect(r.incident).toEqual({
      id: 'inc-7', version: 1, status: 'new', category: 'robbery', priority: 1,
      location: { lat: 30.01, lon: 114.01 }, gridId: 'gA', areaType: 'urban', outOfArea: false, jurisdiction: CHAIN_A,
      address: 'a', channel: '110', summary: 's', reporter: { name: 'Li', phone: '138', idNumber: undefined },
      duplicateOf: null, unitIds: [], source: 'cad-110', reportedAt: EVENT_TIME, receivedAt: RECEIVED_AT, clockSkew: false,
      statusSince: RECEIVED_AT, updatedAt: RECEIVED_AT, closedAt: null,
    });
  });

  it('without a location waits unlocated in the city', () => {
    const r = ok(reportIncident(report(), null, ctx()));
    expect(r.incident).toMatchObject({ location: null, gridId: null, areaType: null, outOfArea: false, jurisdiction: CITY, address: null, reporter: null });
    expect(r.jurisdiction).toEqual(CITY);
  });

  it('reportedAt is the event time, or receivedAt under clock skew', () => {
    expect(ok(reportIncident(report(), null, ctx())).incident!.reportedAt).toBe(EVENT_TIME);
    const skewed = ok(reportIncident(report(), null, ctx({ time: EARLIER, clockSkew: true }))).incident!;
    expect(skewed.reportedAt).toBe(RECEIVED_AT);
    expect(skewed.clockSkew).toBe(true);
  });

  it('an unknown category becomes other, with a warning and the reported code kept', () => {
    const r = ok(reportIncident(report({ category: 'alien_abduction' }), null, ctx()));
    expect(r.incident).toMatchObject({ category: 'other', categoryReported: 'alien_abduction' });
    expect(r.warnings).toEqual([expect.objectContaining({ code: 'unknown_category' })]);
    expect(r.warnings[0]!.message).toContain('alien_abduction');
    expect(ok(reportIncident(report({ category: 'fraud' }), null, ctx())).incident).not.toHaveProperty('categoryReported');
  });

  it('a location snapped from outside every grid is flagged outOfArea', () => {
    const r = ok(reportIncident(report({ location: { lat: 30, lon: 114 } }), null, ctx({ placement: placement(CHAIN_A, { outOfArea: true }) })));
    expect(r.outOfArea).toBe(true);
    expect(r.incident!.outOfArea).toBe(true);
  });

  it('a second report from another source → incident_exists', () => {
    const existing = incident({ id: 'inc-7', source: 'hotline-12345' });
    expect(refused(reportIncident(report(), existing, ctx()))).toMatchObject({ code: 'incident_exists', path: 'data.incidentId' });
  });

  it('a re-report from the same source acts as an update', () => {
    const existing = incident({ id: 'inc-7', status: 'dispatched', unitIds: ['u1'], priority: 3, category: 'theft' });
    const r = ok(reportIncident(report({ priority: 1, category: 'robbery', summary: 'armed' }), existing, ctx()));
    expect(r.incident).toEqual({ ...existing, version: 4, priority: 1, category: 'robbery', summary: 'armed', updatedAt: RECEIVED_AT, categoryReported: undefined });
  });
});

describe('updateIncident', () => {
  it('unknown incident → unknown_incident', () => {
    expect(refused(updateIncident({ incidentId: 'nope' }, null, ctx()))).toMatchObject({ code: 'unknown_incident', path: 'data.incidentId' });
  });

  it('changes only the given fields and bumps the version by one', () => {
    const before = incident();
    const r = ok(updateIncident({ incidentId: 'inc-1', priority: 1, address: 'new address' }, before, ctx()));
    expect(r.incident).toEqual({ ...before, priority: 1, address: 'new address', version: 4, updatedAt: RECEIVED_AT });
    expect(r.movedFrom).toBeUndefined();
    expect(r.jurisdiction).toEqual(CHAIN_A);
  });

  it('a move to another jurisdiction sets movedFrom and the union chain', () => {
    const to = placement(CHAIN_B, { location: { lat: 30.02, lon: 114.03 }, areaType: 'suburban' });
    const r = ok(updateIncident({ incidentId: 'inc-1', location: to.location }, incident(), ctx({ placement: to })));
    expect(r.movedFrom).toEqual(CHAIN_A);
    expect(r.jurisdiction).toEqual(['gA', 'mA', 's1', 'd1', 'c1', 'gB', 'mB', 's2']);
    expect(r.incident).toMatchObject({ jurisdiction: CHAIN_B, gridId: 'gB', areaType: 'suburban', location: { lat: 30.02, lon: 114.03 } });
  });

  it('locating an unlocated incident moves it from the city chain', () => {
    const before = incident({ location: null, gridId: null, areaType: null, jurisdiction: CITY });
    const r = ok(updateIncident({ incidentId: 'inc-1', location: { lat: 30.01, lon: 114.01 } }, before, ctx({ placement: placement() })));
    expect(r.movedFrom).toEqual(CITY);
    expect(r.jurisdiction).toEqual(['c1', ...CHAIN_A.slice(0, 4)]);
  });

  it('a move inside the same grid has no movedFrom', () => {
    const to = placement(CHAIN_A, { location: { lat: 30.011, lon: 114.012 } });
    const r = ok(updateIncident({ incidentId: 'inc-1', location: to.location }, incident(), ctx({ placement: to })));
    expect(r.movedFrom).toBeUndefined();
    expect(r.jurisdiction).toEqual(CHAIN_A);
    expect(r.incident!.location).toEqual({ lat: 30.011, lon: 114.012 });
  });

  it('an unknown category is mapped to other; a later known one clears categoryReported', () => {
    const r = ok(updateIncident({ incidentId: 'inc-1', category: 'ufo' }, incident(), ctx()));
    expect(r.incident).toMatchObject({ category: 'other', categoryReported: 'ufo' });
    expect(r.warnings.map((w) => w.code)).toEqual(['unknown_category']);
    const r2 = ok(updateIncident({ incidentId: 'inc-1', category: 'fire' }, r.incident, ctx()));
    expect(r2.incident!.category).toBe('fire');
    expect(r2.incident!.categoryReported).toBeUndefined();
    expect(JSON.parse(JSON.stringify(r2.incident))).not.toHaveProperty('categoryReported');
  });
});

describe('linkIncident', () => {
  const dup = incident({ id: 'inc-2' });
  const original = incident({ id: 'inc-1', jurisdiction: CHAIN_B });

  it('marks the duplicate and bumps only it', () => {
    const r = ok(linkIncident({ incidentId: 'inc-2', duplicateOf: 'inc-1' }, dup, original, ctx()));
    expect(r.incident).toEqual({ ...dup, duplicateOf: 'inc-1', version: 4, updatedAt: RECEIVED_AT });
    expect(r.jurisdiction).toEqual(CHAIN_A);
    expect(r.units).toEqual([]);
  });

  it('refuses unknown incidents on either side and self-links', () => {
    expect(refused(linkIncident({ incidentId: 'x', duplicateOf: 'inc-1' }, null, original, ctx()))).toMatchObject({ code: 'unknown_incident', path: 'data.incidentId' });
    expect(refused(linkIncident({ incidentId: 'inc-2', duplicateOf: 'x' }, dup, null, ctx()))).toMatchObject({ code: 'unknown_incident', path: 'data.duplicateOf' });
    expect(refused(linkIncident({ incidentId: 'inc-2', duplicateOf: 'inc-2' }, dup, dup, ctx()))).toMatchObject({ code: 'invalid_link', path: 'data.duplicateOf' });
  });
});
