// planFact (server/ingest/plan.ts): checks, ops, affects and entry fields, over a two-grid tree.
import { describe, expect, it } from 'vitest';
import type { Fix, Incident, Unit } from '../../shared/objects.js';
import type { Op } from '../../server/store/commit.js';
import { keys, STATS_DAILY_TTL_SECONDS, STATS_DAY_TTL_SECONDS } from '../../server/store/keys.js';
import { attachedUnitKeys, keysFor, planFact, type Plan, type StateView } from '../../server/ingest/plan.js';
import { validateEvent } from '../../server/ingest/validate.js';
import type { ValidEvent } from '../../shared/events.js';
import { CHAIN_A, CHAIN_B, EARLIER, incident, RECEIVED_AT, unit } from '../helpers/facts.js';
import { FAR, IN_A, IN_B, NEAR_A, tinyTree } from '../helpers/tiny-tree.js';

const tree = tinyTree();
const FIX: Fix = { lat: 30.011, lon: 114.011, speed: 0, heading: null, at: '2025-03-01T08:00:10.000Z' };
const env = { tree, receivedAt: new Date(RECEIVED_AT), lastFix: (u: string) => (u === 'u1' ? FIX : null) };
const T = Date.parse(RECEIVED_AT);
const IK = (id = 'inc-1') => keys.object('incident', id);
const UK = (id: string) => keys.object('unit', id);

function ev(type: string, data: Record<string, unknown>, over: Record<string, unknown> = {}): ValidEvent {
  const v = validateEvent({ specversion: '1.0', id: 'e-1', source: 'cad-110', type, time: '2025-03-01T08:00:00Z', data, ...over }, T);
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return v.event;
}
const state = (...objs: (Incident | Unit)[]): StateView =>
  new Map(objs.map((o) => [keys.object('status' in o && 'category' in o ? 'incident' : 'unit', o.id), o]));
function planned(p: Plan) {
  if (!p.ok) throw new Error(`refused: ${p.code} ${p.message}`);
  return p;
}
const opsOf = (p: ReturnType<typeof planned>, op: Op['op']) => p.commit.ops.filter((o) => o.op === op);
const statusKeys = (chain: string[], status: string) => chain.map((j) => keys.incidentsByStatus(j, status));
/** the open-by-priority index keys of a chain (the wall's open P1 reads them) */
const priorityKeys = (chain: string[], priority: number) => chain.map((j) => keys.incidentsOpenByPriority(j, priority));

describe('incident.reported', () => {
  it('a new located incident: check 0, hash v1, status indexes, geo, timeline, affects', () => {
    const p = planned(planFact(ev('incident.reported', { incidentId: 'inc-7', category: 'theft', priority: 2, location: IN_A }), new Map(), env));
    expect(p.commit.checks).toEqual([{ key: IK('inc-7'), expected: 0 }]);
    const [h, ...rest] = p.commit.ops;
    expect(h).toMatchObject({ op: 'H', key: IK('inc-7'), version: 1 });
    const stored = JSON.parse((h as Extract<Op, { op: 'H' }>).json) as Incident;
    expect(stored).toMatchObject({ id: 'inc-7', version: 1, status: 'new', gridId: 'gA', jurisdiction: CHAIN_A, areaType: 'urban' });
    expect(rest).toEqual([
      ...statusKeys(CHAIN_A, 'new').map((key) => ({ op: 'ZA', key, score: T, member: 'inc-7' })),
      ...priorityKeys(CHAIN_A, 2).map((key) => ({ op: 'ZA', key, score: Date.parse(stored.reportedAt), member: 'inc-7' })),
      { op: 'GA', key: keys.incidentsOpenGeo, lon: IN_A.lon, lat: IN_A.lat, member: 'inc-7' },
      { op: 'GA', key: keys.premiseGeo('incident', '2025-03'), lon: IN_A.lon, lat: IN_A.lat, member: 'inc-7' },
      { op: 'TL', key: keys.timeline('incident', 'inc-7') },
      // a crime report counts towards its cell's crime risk (server/ingest/risk-ops.ts)
      { op: 'ZA', key: keys.riskCrime('gA'), score: Date.parse(stored.reportedAt), member: 'inc-7' },
      { op: 'SA', key: keys.riskCells, member: 'gA' },
      // the leader's daily counters (server/ingest/daily-ops.ts): reported, its category and priority, at the fact's UTC hour
      ...CHAIN_A.flatMap((j) => [
        ...['inc@08', 'cat:theft@08', 'p2@08'].map((field) => ({ op: 'HI', key: keys.statsDaily(j, '2025-03-01'), field, n: 1 })),
        { op: 'EX', key: keys.statsDaily(j, '2025-03-01'), ttlSeconds: STATS_DAILY_TTL_SECONDS },
      ]),
    ]);
    expect(p.commit.entry).toEqual({
      id: 'e-1', source: 'cad-110', type: 'incident.reported', time: '2025-03-01T08:00:00.000Z', receivedAt: RECEIVED_AT,
      jurisdiction: CHAIN_A, affects: [{ kind: 'incident', id: 'inc-7', version: 1 }],
      data: { incidentId: 'inc-7', category: 'theft', priority: 2, location: IN_A },
    });
    expect(p.writes).toEqual([[IK('inc-7'), stored]]);
    expect(p.warnings).toEqual([]);
  });

  it('an unlocated incident goes to the city and the unlocated queue', () => {
    const p = planned(planFact(ev('incident.reported', { incidentId: 'inc-8', category: 'theft', priority: 2 }), new Map(), env));
    expect(p.commit.entry.jurisdiction).toEqual(['c1']);
    expect(p.commit.ops).toContainEqual({ op: 'ZA', key: keys.incidentsUnlocated, score: Date.parse('2025-03-01T08:00:00Z'), member: 'inc-8' });
    expect(opsOf(p, 'GA')).toEqual([]);
  });

  it('snaps a location up to 2 km outside to the nearest grid, flagged outOfArea', () => {
    const p = planned(planFact(ev('incident.reported', { incidentId: 'inc-9', category: 'theft', priority: 2, location: NEAR_A }), new Map(), env));
    expect(p.commit.entry.outOfArea).toBe(true);
    expect(p.commit.entry.jurisdiction).toEqual(CHAIN_A);
    expect(p.writes[0]![1]).toMatchObject({ outOfArea: true, gridId: 'gA' });
  });

  it('refuses a location more than 2 km outside every grid', () => {
    const p = planFact(ev('incident.reported', { incidentId: 'inc-9', category: 'theft', priority: 2, location: FAR }), new Map(), env);
    expect(p).toMatchObject({ ok: false, code: 'location_out_of_area', path: 'data.location' });
  });

  it('another source re-reporting → incident_exists; the same source → an update', () => {
    const cur = incident({ source: 'cad-110' });
    const report = (source: string) => ev('incident.reported', { incidentId: 'inc-1', category: 'fire', priority: 1 }, { source });
    expect(planFact(report('hotline'), state(cur), env)).toMatchObject({ ok: false, code: 'incident_exists' });
    const p = planned(planFact(report('cad-110'), state(cur), env));
    expect(p.commit.checks).toEqual([{ key: IK(), expected: 3 }]);
    expect(p.commit.entry.affects).toEqual([{ kind: 'incident', id: 'inc-1', version: 4 }]);
  });

  it('keeps extensions and subject only when present; flags clock skew', () => {
    const plain = planned(planFact(ev('incident.reported', { incidentId: 'a', category: 'theft', priority: 2 }), new Map(), env)).commit.entry;
    for (const f of ['extensions', 'subject', 'outOfArea', 'movedFrom', 'clockSkew', 'stale']) expect(plain).not.toHaveProperty(f);
    const rich = planned(planFact(ev('incident.reported', { incidentId: 'a', category: 'theft', priority: 2 }, { subject: 'a', traceparent: 't', time: EARLIER }), new Map(), env));
    expect(rich.commit.entry).toMatchObject({ subject: 'a', extensions: { traceparent: 't' }, clockSkew: true, time: EARLIER });
    expect((rich.writes[0]![1] as Incident).reportedAt).toBe(RECEIVED_AT);
    const oneMinute = planned(planFact(ev('incident.reported', { incidentId: 'a', category: 'theft', priority: 2 }, { time: '2025-03-01T07:59:31Z' }), new Map(), env));
    expect(oneMinute.commit.entry).not.toHaveProperty('clockSkew');
  });

  it('a missing time defaults to receivedAt; an offset time is normalised to UTC', () => {
    const { time: _, ...untimed } = { specversion: '1.0', id: 'e-2', source: 's', type: 'incident.reported', time: 'x', data: { incidentId: 'b', category: 'theft', priority: 2 } };
    const v = validateEvent(untimed, T);
    if (!v.ok) throw new Error('invalid');
    expect(planned(planFact(v.event, new Map(), env)).commit.entry.time).toBe(RECEIVED_AT);
    const p = planned(planFact(ev('incident.reported', { incidentId: 'b', category: 'theft', priority: 2 }, { time: '2025-03-01T16:00:10+08:00' }), new Map(), env));
    expect(p.commit.entry.time).toBe('2025-03-01T08:00:10.000Z');
  });
});

describe('lifecycle facts', () => {
  const cur = incident({ status: 'new', version: 3 });

  it('dispatch: checks incident and units at their versions, moves the status index', () => {
    const u1 = unit('u1', { version: 5 });
    const p = planned(planFact(ev('incident.dispatched', { incidentId: 'inc-1', unitIds: ['u1'] }), state(cur, u1), env));
    expect(p.commit.checks).toEqual([{ key: IK(), expected: 3 }, { key: UK('u1'), expected: 5 }]);
    expect(p.commit.ops.filter((o) => o.op === 'H').map((o) => [o.key, (o as { version: number }).version])).toEqual([[IK(), 4], [UK('u1'), 6]]);
    expect(opsOf(p, 'ZR')).toEqual(statusKeys(CHAIN_A, 'new').map((key) => ({ op: 'ZR', key, member: 'inc-1' })));
    const za = opsOf(p, 'ZA') as Extract<Op, { op: 'ZA' }>[];
    expect(za.filter((o) => !o.key.startsWith('stats:'))).toEqual(statusKeys(CHAIN_A, 'dispatched').map((key) => ({ op: 'ZA', key, score: T, member: 'inc-1' })));
    // the first dispatch is recorded for the wall's response times (server/ingest/stats-ops.ts): seconds from the SLA clock start
    // at the fact's time (within 2 minutes of receipt)
    const at = Date.parse(p.commit.entry.time);
    const day = p.commit.entry.time.slice(0, 10);
    expect(za.filter((o) => o.key.startsWith('stats:'))).toEqual(CHAIN_A.map((j) => ({ op: 'ZA', key: keys.statsDispatch(j, day), score: at, member: `inc-1|${Math.round((at - Date.parse(cur.reportedAt)) / 1000)}` })));
    expect(opsOf(p, 'EX')).toEqual([
      ...CHAIN_A.map((j) => ({ op: 'EX', key: keys.statsDispatch(j, day), ttlSeconds: STATS_DAY_TTL_SECONDS })),
      ...CHAIN_A.map((j) => ({ op: 'EX', key: keys.statsDaily(j, day), ttlSeconds: STATS_DAILY_TTL_SECONDS })),
    ]);
    // and counted once in the daily counters, at the fact's UTC hour
    expect(opsOf(p, 'HI')).toEqual(CHAIN_A.map((j) => ({ op: 'HI', key: keys.statsDaily(j, day), field: `dsp@${p.commit.entry.time.slice(11, 13)}`, n: 1 })));
    expect(opsOf(p, 'GA')).toEqual([]); // same place: the geo index is untouched
    expect(opsOf(p, 'TL')).toEqual([{ op: 'TL', key: keys.timeline('incident', 'inc-1') }]);
    expect(p.commit.entry.affects).toEqual([{ kind: 'incident', id: 'inc-1', version: 4 }, { kind: 'unit', id: 'u1', version: 6 }]);
    expect(p.commit.entry.jurisdiction).toEqual(CHAIN_A);
  });

  it('an unknown named unit is checked as absent (0) and warned about', () => {
    const p = planned(planFact(ev('incident.dispatched', { incidentId: 'inc-1', unitIds: ['ghost'] }), state(cur), env));
    expect(p.commit.checks).toContainEqual({ key: UK('ghost'), expected: 0 });
    expect(p.warnings.map((w) => w.code)).toEqual(['unknown_unit']);
  });

  it('closing removes it from the open geo set and checks the attached units it frees', () => {
    const onScene = incident({ status: 'on_scene', unitIds: ['u1'], version: 6 });
    const u1 = unit('u1', { status: 'on_scene', incidentId: 'inc-1', version: 2 });
    const p = planned(planFact(ev('incident.closed', { incidentId: 'inc-1' }), state(onScene, u1), env));
    expect(p.commit.checks).toEqual([{ key: IK(), expected: 6 }, { key: UK('u1'), expected: 2 }]);
    expect(opsOf(p, 'ZR')).toEqual([
      ...statusKeys(CHAIN_A, 'on_scene').map((key) => ({ op: 'ZR', key, member: 'inc-1' })),
      ...priorityKeys(CHAIN_A, onScene.priority).map((key) => ({ op: 'ZR', key, member: 'inc-1' })),
      { op: 'ZR', key: keys.incidentsOpenGeo, member: 'inc-1' },
    ]);
    expect(opsOf(p, 'ZA').map((o) => o.key)).toEqual(statusKeys(CHAIN_A, 'closed'));
    expect(p.commit.entry.affects).toEqual([{ kind: 'incident', id: 'inc-1', version: 7 }, { kind: 'unit', id: 'u1', version: 3 }]);
    expect(JSON.parse((p.commit.ops.find((o) => o.op === 'H' && o.key === UK('u1')) as { json: string }).json)).toMatchObject({ status: 'available', incidentId: null });
  });

  it('a stale fact only reaches the timeline and is flagged stale', () => {
    const onScene = incident({ status: 'on_scene', version: 6 });
    const p = planned(planFact(ev('incident.en_route', { incidentId: 'inc-1' }), state(onScene), env));
    expect(p.commit.checks).toEqual([{ key: IK(), expected: 6 }]);
    expect(p.commit.ops).toEqual([{ op: 'TL', key: keys.timeline('incident', 'inc-1') }]);
    expect(p.commit.entry).toMatchObject({ stale: true, affects: [], jurisdiction: CHAIN_A });
    expect(p.writes).toEqual([]);
  });

  it('unknown incident → unknown_incident; strict refusals pass through', () => {
    expect(planFact(ev('incident.arrived', { incidentId: 'nope' }), new Map(), env)).toMatchObject({ ok: false, code: 'unknown_incident' });
    expect(planFact(ev('incident.arrived', { incidentId: 'inc-1' }), state(cur), env, 'strict')).toMatchObject({ ok: false, code: 'invalid_transition', details: { current: 'new' } });
  });

  it('keysFor and attachedUnitKeys name what the fact depends on', () => {
    const e = ev('incident.resolved', { incidentId: 'inc-1', unitIds: ['u2'] });
    expect(keysFor(e)).toEqual([IK(), UK('u2')]);
    expect(attachedUnitKeys(e, state(incident({ unitIds: ['u1', 'u3'] })))).toEqual([UK('u1'), UK('u3')]);
    expect(attachedUnitKeys(ev('incident.updated', { incidentId: 'inc-1' }), state(incident({ unitIds: ['u1'] })))).toEqual([]);
    expect(keysFor(ev('incident.linked', { incidentId: 'inc-2', duplicateOf: 'inc-1' }))).toEqual([IK('inc-2'), IK('inc-1')]);
  });
});

describe('moves and units', () => {
  it('incident.updated to another grid: movedFrom, union chain, index moves, new geo position', () => {
    const cur = incident({ updatedAt: EARLIER });
    const p = planned(planFact(ev('incident.updated', { incidentId: 'inc-1', location: IN_B }), state(cur), env));
    expect(p.commit.entry.movedFrom).toEqual(CHAIN_A);
    expect(p.commit.entry.jurisdiction).toEqual([...CHAIN_A, 'gB', 'mB', 's2']);
    // the status indexes move, and the report moves from cell gA's crime-risk inputs to gB's
    expect(opsOf(p, 'ZR').map((o) => o.key)).toEqual([...statusKeys(['gA', 'mA', 's1'], 'new'), ...priorityKeys(['gA', 'mA', 's1'], cur.priority), keys.riskCrime('gA')]);
    expect(opsOf(p, 'ZA').map((o) => o.key)).toEqual([...statusKeys(CHAIN_B, 'new'), ...priorityKeys(['gB', 'mB', 's2'], cur.priority), keys.riskCrime('gB')]);
    expect(opsOf(p, 'GA')).toEqual([
      { op: 'GA', key: keys.incidentsOpenGeo, lon: IN_B.lon, lat: IN_B.lat, member: 'inc-1' },
      { op: 'GA', key: keys.premiseGeo('incident', cur.reportedAt.slice(0, 7)), lon: IN_B.lon, lat: IN_B.lat, member: 'inc-1' },
    ]);
    expect(p.writes[0]![1]).toMatchObject({ gridId: 'gB', areaType: 'suburban', jurisdiction: CHAIN_B });
  });

  it('unit.registered: check 0, hash v1, unit indexes; unit.status attaches the latest fix', () => {
    const p = planned(planFact(ev('unit.registered', { unitId: 'u1', homeGrid: 'gB', kind: 'car' }), new Map(), env));
    expect(p.commit.checks).toEqual([{ key: UK('u1'), expected: 0 }]);
    expect(p.commit.ops.slice(1)).toEqual(CHAIN_B.map((j) => ({ op: 'ZA', key: keys.unitsIn(j), score: 0, member: 'u1' })));
    expect(p.commit.entry.affects).toEqual([{ kind: 'unit', id: 'u1', version: 1 }]);
    const s = planned(planFact(ev('unit.status', { unitId: 'u1', status: 'busy' }), state(unit('u1', { version: 2 })), env));
    expect(s.commit.checks).toEqual([{ key: UK('u1'), expected: 2 }]);
    expect(s.commit.ops).toHaveLength(1); // same indexes: only the hash
    expect(JSON.parse((s.commit.ops[0] as { json: string }).json)).toMatchObject({ status: 'busy', version: 3, lastFix: FIX });
  });
});

describe('record-only facts', () => {
  const jur = (p: Plan) => planned(p).commit.entry.jurisdiction;

  it('are placed by location, jurisdictionId, caseRef, unit or district, else the city', () => {
    // a registered dispute is a case now (issue 6): placed by its location, created at version 1
    const reg = planned(planFact(ev('dispute.registered', { disputeId: 'd-1', location: IN_B }), new Map(), env));
    expect(reg.commit.checks).toEqual([{ key: 'obj:dispute:d-1', expected: 0 }]);
    expect(reg.commit.entry).toMatchObject({ jurisdiction: CHAIN_B, affects: [{ kind: 'dispute', id: 'd-1', version: 1 }] });
    expect(jur(planFact(ev('petition.filed', { petitionId: 'p-1', jurisdictionId: 'mA' }), new Map(), env))).toEqual(CHAIN_A.slice(1));
    expect(jur(planFact(ev('indicator.updated', { district: 'd1', cells: [] }), new Map(), env))).toEqual(['d1', 'c1']);
    expect(jur(planFact(ev('patrol.checkin', { unitId: 'u1' }), state(unit('u1', { jurisdiction: CHAIN_B })), env))).toEqual(CHAIN_B);
    expect(jur(planFact(ev('duty.handover', { shift: 'night', from: 'a', to: 'b' }), new Map(), env))).toEqual(['c1']);
    expect(planned(planFact(ev('gridworker.report', { kind: 'hazard', location: NEAR_A }), new Map(), env)).commit.entry.outOfArea).toBe(true);
  });

  it('gridworker.report with a location and a known kind is indexed per grid and kind, by fact time', () => {
    const p = planned(planFact(ev('gridworker.report', { kind: 'visit', location: IN_B, summary: '入户走访' }), new Map(), env));
    expect(p.commit.ops).toEqual([{ op: 'ZA', key: keys.gridworkerReports('gB', 'visit'), score: Date.parse('2025-03-01T08:00:00Z'), member: 'e-1' }]);
    expect(planned(planFact(ev('gridworker.report', { kind: 'visit' }), new Map(), env)).commit.ops).toEqual([]);
    expect(planned(planFact(ev('gridworker.report', { kind: 'other', location: IN_B }), new Map(), env)).commit.ops).toEqual([]);
  });

  it('feedback.received about a known incident takes its chain and checks its version', () => {
    const p = planned(planFact(ev('feedback.received', { caseRef: 'inc-1', satisfaction: 5 }), state(incident({ jurisdiction: CHAIN_B, version: 9 })), env));
    expect(p.commit.entry.jurisdiction).toEqual(CHAIN_B);
    // the caseRef could name an incident, a dispute or a petition: all three are checked
    expect(p.commit.checks).toEqual([{ key: IK(), expected: 9 }, { key: 'obj:dispute:inc-1', expected: 0 }, { key: 'obj:petition:inc-1', expected: 0 }]);
    expect(jur(planFact(ev('feedback.received', { caseRef: 'dispute-1' }), new Map(), env))).toEqual(['c1']);
  });

  it('refuses an unknown jurisdictionId or district, and a far location', () => {
    expect(planFact(ev('petition.filed', { petitionId: 'p-1', jurisdictionId: 'zz' }), new Map(), env)).toMatchObject({ ok: false, code: 'unknown_jurisdiction', path: 'data.jurisdictionId' });
    expect(planFact(ev('indicator.updated', { district: 'zz', cells: [] }), new Map(), env)).toMatchObject({ ok: false, code: 'unknown_jurisdiction', path: 'data.district' });
    expect(planFact(ev('dispute.registered', { disputeId: 'd-1', location: FAR }), new Map(), env)).toMatchObject({ ok: false, code: 'location_out_of_area', path: 'data.location' });
  });
});
