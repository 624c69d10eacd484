// recommendUnits (server/incidents/recommend.ts): ranking by ETA, kind speeds, skills and status
// filters, the ±20 % bound of workload and rotation, stale fixes unranked, determinism.
import { describe, expect, it } from 'vitest';
import { greatCircleMeters, recommendUnits, type Candidate, type RecommendIncident } from '../../server/incidents/recommend.js';

const NOW = Date.parse('2026-03-01T08:00:00.000Z');
const INCIDENT: RecommendIncident = { location: { lat: 30, lon: 114 }, gridId: 'G-1' };
const M_PER_DEG_LAT = greatCircleMeters({ lat: 30, lon: 114 }, { lat: 31, lon: 114 });
const iso = (ms: number) => new Date(ms).toISOString();

/** A fresh, available car `meters` north of the incident. */
function unit(unitId: string, meters: number, extra: Partial<Candidate> = {}): Candidate {
  return {
    unitId, callsign: `巡-${unitId}`, kind: 'car', status: 'available', skills: [], homeGrid: 'G-9',
    fix: { lat: 30 + meters / M_PER_DEG_LAT, lon: 114, at: iso(NOW - 30_000) }, ...extra,
  };
}
const ids = (r: { items: { unitId: string }[] }) => r.items.map((i) => i.unitId);

describe('recommendUnits', () => {
  it('ranks the nearest first, with ETA = distance × 1.3 ÷ speed and reasons', () => {
    const r = recommendUnits(INCIDENT, [unit('far', 3000), unit('near', 500), unit('mid', 1500)], { now: NOW });
    expect(ids(r)).toEqual(['near', 'mid', 'far']);
    const near = r.items[0]!;
    expect(near.distanceMeters).toBe(500);
    expect(near.etaSeconds).toBe(Math.round((500 * 1.3) / (30 / 3.6))); // 78 s
    expect(near.score).toBe(near.etaSeconds);
    expect(near.reasons).toEqual([{ code: 'eta', seconds: near.etaSeconds }, { code: 'distance', meters: 500 }]);
    expect(r.unranked).toEqual([]);
  });

  it('uses a speed per kind (car 30, bike 15, foot 5, community_patrol 5, other 10 km/h), configurable', () => {
    const kinds = ['car', 'bike', 'foot', 'community_patrol', 'drone'];
    const r = recommendUnits(INCIDENT, kinds.map((kind) => unit(kind, 1000, { kind })), { now: NOW });
    const eta = Object.fromEntries(r.items.map((i) => [i.unitId, i.etaSeconds]));
    expect(eta).toEqual({ car: 156, bike: 312, drone: 468, foot: 936, community_patrol: 936 });
    expect(ids(r)).toEqual(['car', 'bike', 'drone', 'community_patrol', 'foot']); // equal ETAs: by unitId
    // a car 2 km away loses to a bike 500 m away; with the road factor 1 and a faster table it changes
    expect(ids(recommendUnits(INCIDENT, [unit('car', 2000), unit('bike', 500, { kind: 'bike' })], { now: NOW }))).toEqual(['bike', 'car']);
    const custom = recommendUnits(INCIDENT, [unit('car', 2000), unit('bike', 500, { kind: 'bike' })], { now: NOW, roadFactor: 1, speedsKmh: { car: 120, bike: 15 } });
    expect(ids(custom)).toEqual(['car', 'bike']);
    expect(custom.items[0]!.etaSeconds).toBe(60);
  });

  it('keeps only units holding every required skill; the others are not listed at all', () => {
    const r = recommendUnits(INCIDENT, [
      unit('none', 100), unit('medic', 900, { skills: ['first_aid'] }), unit('both', 2000, { skills: ['first_aid', 'mediation'] }),
    ], { now: NOW, requiredSkills: ['first_aid'] });
    expect(ids(r)).toEqual(['medic', 'both']);
    expect(ids(recommendUnits(INCIDENT, [unit('medic', 900, { skills: ['first_aid'] }), unit('both', 2000, { skills: ['first_aid', 'mediation'] })], { now: NOW, requiredSkills: ['first_aid', 'mediation'] }))).toEqual(['both']);
    expect(r.unranked).toEqual([]);
  });

  it('leaves out units that are not available', () => {
    const statuses = ['dispatched', 'en_route', 'on_scene', 'busy', 'off_duty'];
    const r = recommendUnits(INCIDENT, [...statuses.map((status, i) => unit(status, 100 + i, { status })), unit('free', 5000), unit('free-stale', 10, { fix: null, status: 'busy' })], { now: NOW });
    expect(ids(r)).toEqual(['free']);
    expect(r.unranked).toEqual([]);
  });

  it('bounds workload and rotation to ±20 % of the ETA: a much nearer busy unit still wins', () => {
    const busyNear = unit('busy-near', 1000, { recentDispatches: 10, minutesIdle: 0 });
    const restedFar = unit('rested-far', 1600, { recentDispatches: 0, minutesIdle: 600 });
    const r = recommendUnits(INCIDENT, [restedFar, busyNear], { now: NOW });
    expect(ids(r)).toEqual(['busy-near', 'rested-far']); // 1.2 × 1000 < 0.8 × 1600
    const busy = r.items[0]!;
    expect(busy.score).toBe(Math.round(busy.etaSeconds * 1.2));
    expect(busy.reasons).toContainEqual({ code: 'workload', dispatches: 10, hours: 8 });
    const rested = r.items[1]!;
    expect(rested.score).toBe(Math.round(rested.etaSeconds * 0.8));
    expect(rested.reasons).toContainEqual({ code: 'rotation', minutesIdle: 600 });
    for (const i of r.items) expect(Math.abs(i.score / i.etaSeconds - 1)).toBeLessThanOrEqual(0.2 + 1e-2);
  });

  it('within 20 % the rested unit can win over a slightly nearer busy one', () => {
    const r = recommendUnits(INCIDENT, [unit('busy-near', 1000, { recentDispatches: 4 }), unit('rested', 1150, { minutesIdle: 240 })], { now: NOW });
    expect(ids(r)).toEqual(['rested', 'busy-near']);
    expect(r.items[0]!.etaSeconds).toBeGreaterThan(r.items[1]!.etaSeconds);
    // without workload information the nearer one wins
    expect(ids(recommendUnits(INCIDENT, [unit('busy-near', 1000), unit('rested', 1150)], { now: NOW }))).toEqual(['busy-near', 'rested']);
  });

  it('names the home grid and gives it a small edge, still within the bound', () => {
    const r = recommendUnits(INCIDENT, [unit('home', 1040, { homeGrid: 'G-1', minutesIdle: 1000 }), unit('away', 1000)], { now: NOW });
    expect(ids(r)).toEqual(['home', 'away']);
    expect(r.items[0]!.reasons).toContainEqual({ code: 'home_grid' });
    expect(r.items[0]!.score).toBe(Math.round(r.items[0]!.etaSeconds * 0.8));
    expect(r.items[1]!.reasons.map((x) => x.code)).toEqual(['eta', 'distance']);
  });

  it('lists units with a fix older than 5 minutes, or none, apart and unranked', () => {
    const r = recommendUnits(INCIDENT, [
      unit('fresh', 3000, { fix: { lat: 30.027, lon: 114, at: iso(NOW - 299_000) } }),
      unit('stale', 10, { fix: { lat: 30, lon: 114, at: iso(NOW - 600_000) }, homeGrid: 'G-1' }),
      unit('never', 10, { fix: null }),
    ], { now: NOW });
    expect(ids(r)).toEqual(['fresh']);
    expect(r.unranked).toEqual([
      { unitId: 'never', callsign: '巡-never', kind: 'car', reasons: [{ code: 'stale_fix', ageSeconds: null }] },
      { unitId: 'stale', callsign: '巡-stale', kind: 'car', reasons: [{ code: 'stale_fix', ageSeconds: 600 }, { code: 'home_grid' }] },
    ]);
    expect(r.unranked[0]).not.toHaveProperty('etaSeconds');
  });

  it('ranks nothing for an incident without a location (every eligible unit unranked, not_located)', () => {
    const r = recommendUnits({ location: null, gridId: null }, [unit('a', 10), unit('b', 10, { fix: null })], { now: NOW });
    expect(r.items).toEqual([]);
    expect(r.unranked.map((u) => [u.unitId, u.reasons[0]!.code])).toEqual([['a', 'not_located'], ['b', 'stale_fix']]);
  });

  it('is deterministic: equal scores break by unitId, whatever the input order', () => {
    const pool = ['U-3', 'U-1', 'U-2', 'U-10'].map((id) => unit(id, 800));
    const a = recommendUnits(INCIDENT, pool, { now: NOW });
    const b = recommendUnits(INCIDENT, [...pool].reverse(), { now: NOW });
    expect(ids(a)).toEqual(['U-1', 'U-10', 'U-2', 'U-3']);
    expect(b).toEqual(a);
    expect(recommendUnits(INCIDENT, pool, { now: NOW, limit: 2 }).items.map((i) => i.unitId)).toEqual(['U-1', 'U-10']);
  });
});
