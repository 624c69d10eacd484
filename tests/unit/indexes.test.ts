// Index memberships and their diffs (server/store/indexes.ts).
import { describe, expect, it } from 'vitest';
import { incidentMemberships, indexOps, unitMemberships } from '../../server/store/indexes.js';
import { keys } from '../../server/store/keys.js';
import { CHAIN_A, CHAIN_B, EARLIER, incident, RECEIVED_AT, unit } from '../helpers/facts.js';

const T0 = Date.parse(EARLIER);
/** the premise-history GEO set of the fixture's report month */
const PREMISE = keys.premiseGeo('incident', incident().reportedAt.slice(0, 7));
const T1 = Date.parse(RECEIVED_AT);
/** the open-by-priority memberships of an open fixture incident */
const byPriority = (chain: readonly string[], i = incident()) =>
  chain.map((j) => ({ type: 'z', key: keys.incidentsOpenByPriority(j, i.priority), score: Date.parse(i.reportedAt), member: i.id }));
const addPriority = (chain: readonly string[], i = incident()) => byPriority(chain, i).map(({ key, score, member }) => ({ op: 'ZA', key, score, member }));

describe('memberships', () => {
  it('an open located incident: one sorted set per (jurisdiction, status), the open geo set, the premise set', () => {
    expect(incidentMemberships(incident({ status: 'dispatched' }))).toEqual([
      ...CHAIN_A.map((j) => ({ type: 'z', key: `idx:incident:${j}:dispatched`, score: T0, member: 'inc-1' })),
      ...byPriority(CHAIN_A),
      { type: 'geo', key: 'geo:incident:open', lon: 114.01, lat: 30.01, member: 'inc-1' },
      { type: 'geo', key: PREMISE, lon: 114.01, lat: 30.01, member: 'inc-1' },
    ]);
  });

  it('an open unlocated incident sits in the unlocated queue, scored by reportedAt', () => {
    const i = incident({ location: null, jurisdiction: ['c1'], reportedAt: '2025-01-01T00:00:00.000Z' });
    const m = incidentMemberships(i);
    expect(m).toEqual([
      { type: 'z', key: 'idx:incident:c1:new', score: T0, member: 'inc-1' },
      ...byPriority(['c1'], i),
      { type: 'z', key: keys.incidentsUnlocated, score: Date.parse('2025-01-01T00:00:00.000Z'), member: 'inc-1' },
    ]);
  });

  it.each(['resolved', 'closed', 'cancelled'] as const)('a %s incident is in neither the open geo set nor the unlocated queue, but stays in the premise set', (status) => {
    const m = incidentMemberships(incident({ status }));
    expect(m.map((x) => x.key)).toEqual([...CHAIN_A.map((j) => keys.incidentsByStatus(j, status)), PREMISE]);
    expect(incidentMemberships(incident({ status, location: null })).map((x) => x.key)).not.toContain(keys.incidentsUnlocated);
  });

  it('a unit belongs to its chain', () => {
    expect(unitMemberships(unit('u1', { jurisdiction: CHAIN_B }))).toEqual(CHAIN_B.map((j) => ({ type: 'z', key: `idx:unit:${j}`, score: 0, member: 'u1' })));
  });
});

describe('indexOps', () => {
  it('no change, no ops', () => {
    const i = incident();
    expect(indexOps(incidentMemberships(i), incidentMemberships({ ...i, version: 9 }))).toEqual([]);
    expect(indexOps(unitMemberships(unit('u1')), unitMemberships(unit('u1', { status: 'busy' })))).toEqual([]);
  });

  it('creation adds every membership', () => {
    const i = incident();
    expect(indexOps([], incidentMemberships(i))).toEqual([
      ...CHAIN_A.map((j) => ({ op: 'ZA', key: keys.incidentsByStatus(j, 'new'), score: T0, member: 'inc-1' })),
      ...addPriority(CHAIN_A),
      { op: 'GA', key: keys.incidentsOpenGeo, lon: 114.01, lat: 30.01, member: 'inc-1' },
      { op: 'GA', key: PREMISE, lon: 114.01, lat: 30.01, member: 'inc-1' },
    ]);
  });

  it('an open incident sits in its priority\'s open set until it ends, changes priority or is linked as a duplicate', () => {
    const open = incident({ priority: 1 });
    const p1 = (j: string) => keys.incidentsOpenByPriority(j, 1);
    const removed = (ops: ReturnType<typeof indexOps>) => ops.filter((o) => o.op === 'ZR').map((o) => o.key);
    expect(removed(indexOps(incidentMemberships(open), incidentMemberships({ ...open, status: 'resolved' })))).toEqual(expect.arrayContaining(CHAIN_A.map(p1)));
    expect(removed(indexOps(incidentMemberships(open), incidentMemberships({ ...open, duplicateOf: 'inc-0' })))).toEqual(CHAIN_A.map(p1));
    const reprioritised = indexOps(incidentMemberships(open), incidentMemberships({ ...open, priority: 2 }));
    expect(reprioritised.map((o) => `${o.op} ${o.key}`)).toEqual([...CHAIN_A.map((j) => `ZR ${p1(j)}`), ...CHAIN_A.map((j) => `ZA ${keys.incidentsOpenByPriority(j, 2)}`)]);
    expect(incidentMemberships({ ...open, status: 'closed' }).map((m) => m.key)).not.toContain(p1(CHAIN_A[0]!));
  });

  it('a status change removes the old status keys first, then adds the new', () => {
    const before = incident({ status: 'new' });
    const after = incident({ status: 'dispatched', updatedAt: RECEIVED_AT });
    expect(indexOps(incidentMemberships(before), incidentMemberships(after))).toEqual([
      ...CHAIN_A.map((j) => ({ op: 'ZR', key: keys.incidentsByStatus(j, 'new'), member: 'inc-1' })),
      ...CHAIN_A.map((j) => ({ op: 'ZA', key: keys.incidentsByStatus(j, 'dispatched'), score: T1, member: 'inc-1' })),
    ]);
  });

  it('a newer updatedAt re-scores the same keys', () => {
    const ops = indexOps(incidentMemberships(incident()), incidentMemberships(incident({ updatedAt: RECEIVED_AT })));
    expect(ops).toEqual(CHAIN_A.map((j) => ({ op: 'ZA', key: keys.incidentsByStatus(j, 'new'), score: T1, member: 'inc-1' })));
  });

  it('closing drops the geo membership', () => {
    const ops = indexOps(incidentMemberships(incident({ status: 'on_scene' })), incidentMemberships(incident({ status: 'closed' })));
    expect(ops).toContainEqual({ op: 'ZR', key: keys.incidentsOpenGeo, member: 'inc-1' });
    expect(ops.filter((o) => o.op === 'GA')).toEqual([]);
  });

  it('reopening adds it back to the geo set', () => {
    const ops = indexOps(incidentMemberships(incident({ status: 'closed' })), incidentMemberships(incident({ status: 'new' })));
    expect(ops).toContainEqual({ op: 'GA', key: keys.incidentsOpenGeo, lon: 114.01, lat: 30.01, member: 'inc-1' });
  });

  it('a new location re-adds to the geo set; locating moves out of the unlocated queue', () => {
    const moved = indexOps(incidentMemberships(incident()), incidentMemberships(incident({ location: { lat: 30.02, lon: 114.03 } })));
    expect(moved).toEqual([
      { op: 'GA', key: keys.incidentsOpenGeo, lon: 114.03, lat: 30.02, member: 'inc-1' },
      { op: 'GA', key: PREMISE, lon: 114.03, lat: 30.02, member: 'inc-1' },
    ]);
    const located = indexOps(incidentMemberships(incident({ location: null })), incidentMemberships(incident()));
    expect(located).toEqual([
      { op: 'ZR', key: keys.incidentsUnlocated, member: 'inc-1' },
      { op: 'GA', key: keys.incidentsOpenGeo, lon: 114.01, lat: 30.01, member: 'inc-1' },
      { op: 'GA', key: PREMISE, lon: 114.01, lat: 30.01, member: 'inc-1' },
    ]);
  });

  it('a jurisdiction move removes the keys left behind and adds the new ones, keeping shared ancestors', () => {
    const ops = indexOps(incidentMemberships(incident()), incidentMemberships(incident({ jurisdiction: CHAIN_B })));
    expect(ops).toEqual([
      ...['gA', 'mA', 's1'].map((j) => ({ op: 'ZR', key: keys.incidentsByStatus(j, 'new'), member: 'inc-1' })),
      ...['gA', 'mA', 's1'].map((j) => ({ op: 'ZR', key: keys.incidentsOpenByPriority(j, incident().priority), member: 'inc-1' })),
      ...['gB', 'mB', 's2'].map((j) => ({ op: 'ZA', key: keys.incidentsByStatus(j, 'new'), score: T0, member: 'inc-1' })),
      ...addPriority(['gB', 'mB', 's2']),
    ]);
    const unitOps = indexOps(unitMemberships(unit('u1')), unitMemberships(unit('u1', { jurisdiction: CHAIN_B })));
    expect(unitOps.map((o) => `${o.op} ${o.key}`)).toEqual(['ZR idx:unit:gA', 'ZR idx:unit:mA', 'ZR idx:unit:s1', 'ZA idx:unit:gB', 'ZA idx:unit:mB', 'ZA idx:unit:s2']);
  });
});
