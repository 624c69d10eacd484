// The commit's daily counters (server/ingest/daily-ops.ts): which facts increment what, in which
// chain, hour and day; first arrivals counted once; arrivals and resolutions on time or late.
import { describe, expect, it } from 'vitest';
import type { Dispute, Petition, Supervision } from '../../shared/governance.js';
import type { Alert, Incident } from '../../shared/objects.js';
import { DAILY, dailyField, dailyOps, parseDailyField, type DailyFact } from '../../server/ingest/daily-ops.js';
import type { Op } from '../../server/store/commit.js';
import { keys, STATS_DAILY_TTL_SECONDS } from '../../server/store/keys.js';
import { CHAIN_A, CHAIN_B, EARLIER, incident } from '../helpers/facts.js';

const T0 = Date.parse(EARLIER); // 2025-03-01T07:00:00Z
const iso = (ms: number) => new Date(ms).toISOString();
const MIN = 60_000;
const DAY = '2025-03-01';

const fact = (over: Partial<DailyFact>): DailyFact => ({ type: 'x', at: T0, jurisdiction: CHAIN_A, data: {}, ...over });

/** The increments of the ops as `<key> <field>` → n (and every key written has its EX). */
function increments(ops: Op[]): Record<string, number> {
  const out: Record<string, number> = {};
  const written = new Set<string>();
  for (const o of ops) {
    if (o.op === 'HI') { out[`${o.key} ${o.field}`] = o.n; written.add(o.key); }
    else if (o.op === 'EX') expect(o.ttlSeconds).toBe(STATS_DAILY_TTL_SECONDS);
    else throw new Error(`unexpected op ${o.op}`);
  }
  expect(new Set(ops.filter((o) => o.op === 'EX').map((o) => o.key))).toEqual(written);
  return out;
}
const inChain = (chain: string[], counter: string, n = 1, hour = 7, day = DAY) =>
  Object.fromEntries(chain.map((j) => [`${keys.statsDaily(j, day)} ${dailyField(counter, hour)}`, n]));

const base = {
  version: 1, jurisdiction: CHAIN_B, location: null, gridId: 'gB',
  responsibleLevel: 'grid' as const, responsibleJurisdiction: 'gB', escalations: 0, escalationReason: null,
  deadline: iso(T0 + 3 * 86_400_000), summary: null, source: 't', openedAt: iso(T0), stageSince: iso(T0), updatedAt: iso(T0),
  resolvedAt: null, closedAt: null, feedback: [], satisfaction: null, ratings: 0,
};
const dispute = (over: Partial<Dispute> = {}): Dispute => ({
  ...base, id: 'D1', kind: 'dispute', stage: 'registered', category: 'neighbour', parties: ['a'], risk: null,
  department: null, outcome: null, resolvedAtLevel: null, incidentIds: [], ...over,
});
const petition = (over: Partial<Petition> = {}): Petition => ({
  ...base, id: 'P1', kind: 'petition', stage: 'filed', petitioner: 'pk', subject: null, answer: null, answeredAt: null, ...over,
});
const supervision = (over: Partial<Supervision> = {}): Supervision => ({
  ...base, id: 'S1', kind: 'supervision', stage: 'issued', caseRef: 'D1', caseKind: 'dispute', instruction: 'go', issuedBy: 'leader',
  answer: null, answeredAt: null, ...over,
});

describe('dailyOps: incidents', () => {
  it('a report counts the incident, its category and priority, in every jurisdiction of its chain at the UTC hour', () => {
    const ops = dailyOps(fact({ type: 'incident.reported', incident: { before: null, after: incident({ version: 1, category: 'fraud', priority: 1 }) } }));
    expect(increments(ops)).toEqual({
      ...inChain(CHAIN_A, DAILY.incidents), ...inChain(CHAIN_A, DAILY.category('fraud')), ...inChain(CHAIN_A, DAILY.priority(1)),
    });
    // one EX per key, after its increments
    expect(ops.filter((o) => o.op === 'EX')).toHaveLength(CHAIN_A.length);
    expect(ops[3]).toEqual({ op: 'EX', key: keys.statsDaily('gA', DAY), ttlSeconds: STATS_DAILY_TTL_SECONDS });
  });

  it('the UTC day and hour of `at` name the key and the field', () => {
    const at = Date.parse('2025-03-01T23:59:59.999Z');
    const inc = incident({ version: 1 });
    expect(Object.keys(increments(dailyOps(fact({ at, incident: { before: null, after: inc } }))))).toContain(`${keys.statsDaily('c1', DAY)} inc@23`);
    expect(Object.keys(increments(dailyOps(fact({ at: at + 1, incident: { before: null, after: inc } }))))).toContain(`${keys.statsDaily('c1', '2025-03-02')} inc@00`);
  });

  it('a first arrival within the target counts as an arrival on time; the dispatch before it as a dispatch', () => {
    const dispatched = incident({ status: 'dispatched', priority: 1 }); // P1 urban: 300 s
    const arrived = { ...dispatched, status: 'on_scene' as const, version: 5 };
    expect(increments(dailyOps(fact({ at: T0 + 300_000, incident: { before: dispatched, after: arrived } })))).toEqual({
      ...inChain(CHAIN_A, DAILY.arrivals), ...inChain(CHAIN_A, DAILY.arrivalsOnTime),
    });
    expect(increments(dailyOps(fact({ at: T0 + 60_000, incident: { before: incident({ status: 'new' }), after: dispatched } })))).toEqual(inChain(CHAIN_A, DAILY.dispatches));
  });

  it('a late first arrival is an arrival, not on time', () => {
    const before = incident({ status: 'en_route', priority: 1 });
    expect(increments(dailyOps(fact({ at: T0 + 301_000, incident: { before, after: { ...before, status: 'on_scene' } } })))).toEqual(inChain(CHAIN_A, DAILY.arrivals));
  });

  it('an arrival counts once: a second unit arriving, resolving or closing adds nothing', () => {
    const onScene = incident({ status: 'on_scene', priority: 1, version: 6 });
    expect(dailyOps(fact({ at: T0 + 9 * MIN, incident: { before: onScene, after: { ...onScene, version: 7, unitIds: ['u2'] } } }))).toEqual([]);
    expect(dailyOps(fact({ at: T0 + 20 * MIN, incident: { before: onScene, after: { ...onScene, status: 'resolved', version: 7 } } }))).toEqual([]);
  });

  it('a forward jump from new to on scene is a dispatch and an arrival; a reopened incident counts again from slaFrom', () => {
    const jump = increments(dailyOps(fact({ at: T0 + 60_000, incident: { before: incident({ status: 'new', priority: 1 }), after: incident({ status: 'on_scene', priority: 1 }) } })));
    expect(jump).toEqual({ ...inChain(CHAIN_A, DAILY.dispatches), ...inChain(CHAIN_A, DAILY.arrivals), ...inChain(CHAIN_A, DAILY.arrivalsOnTime) });
    const reopened = iso(T0 + 3_600_000);
    const before: Incident = incident({ status: 'en_route', priority: 1, slaFrom: reopened });
    const at = Date.parse(reopened) + 200_000;
    expect(increments(dailyOps(fact({ at, incident: { before, after: { ...before, status: 'on_scene' } } })))).toEqual({
      ...inChain(CHAIN_A, DAILY.arrivals, 1, 8), ...inChain(CHAIN_A, DAILY.arrivalsOnTime, 1, 8),
    });
  });

  it('nothing for an unchanged incident or an update', () => {
    const i = incident({ status: 'dispatched' });
    expect(dailyOps(fact({ incident: { before: i, after: { ...i, version: 4, summary: 'more' } } }))).toEqual([]);
    expect(dailyOps(fact({ incident: null }))).toEqual([]);
  });
});

describe('dailyOps: governance cases', () => {
  it('a dispute and a petition opened count in the case chain', () => {
    expect(increments(dailyOps(fact({ case: { before: null, after: dispute() } })))).toEqual(inChain(CHAIN_B, DAILY.disputesOpened));
    expect(increments(dailyOps(fact({ case: { before: null, after: petition() } })))).toEqual(inChain(CHAIN_B, DAILY.petitionsOpened));
  });

  it('a dispute resolved before its deadline: resolved, judged, on time', () => {
    const before = dispute({ stage: 'routed', version: 4 });
    const after = dispute({ stage: 'resolved', version: 5, resolvedAt: iso(T0 + 86_400_000), resolutionDeadline: before.deadline });
    expect(increments(dailyOps(fact({ case: { before, after } })))).toEqual({
      ...inChain(CHAIN_B, DAILY.disputesResolved), ...inChain(CHAIN_B, DAILY.resolvedJudged), ...inChain(CHAIN_B, DAILY.resolvedOnTime),
    });
  });

  it('a dispute resolved after its deadline: resolved and judged, not on time; without a deadline: not judged', () => {
    const before = dispute({ stage: 'routed', version: 4 });
    const late = dispute({ stage: 'resolved', version: 5, resolvedAt: iso(T0 + 4 * 86_400_000), resolutionDeadline: before.deadline });
    expect(increments(dailyOps(fact({ case: { before, after: late } })))).toEqual({ ...inChain(CHAIN_B, DAILY.disputesResolved), ...inChain(CHAIN_B, DAILY.resolvedJudged) });
    const unjudged = dispute({ stage: 'resolved', version: 5, resolvedAt: iso(T0), resolutionDeadline: null });
    expect(increments(dailyOps(fact({ case: { before, after: unjudged } })))).toEqual(inChain(CHAIN_B, DAILY.disputesResolved));
  });

  it('resolution counts once: closing a resolved dispute adds nothing; an answered petition counts', () => {
    const resolved = dispute({ stage: 'resolved', version: 5, resolvedAt: iso(T0), resolutionDeadline: base.deadline });
    expect(dailyOps(fact({ case: { before: resolved, after: { ...resolved, stage: 'closed', version: 6, closedAt: iso(T0) } } }))).toEqual([]);
    const answered = petition({ stage: 'answered', version: 2, answeredAt: iso(T0), resolutionDeadline: base.deadline });
    expect(increments(dailyOps(fact({ case: { before: petition(), after: answered } })))).toEqual({
      ...inChain(CHAIN_B, DAILY.petitionsResolved), ...inChain(CHAIN_B, DAILY.resolvedJudged), ...inChain(CHAIN_B, DAILY.resolvedOnTime),
    });
  });

  it('an unchanged case (same version) counts nothing', () => {
    const d = dispute({ version: 3 });
    expect(dailyOps(fact({ case: { before: d, after: d } }))).toEqual([]);
  });

  it('supervision orders: issued, then answered once', () => {
    expect(increments(dailyOps(fact({ case: { before: null, after: supervision() } })))).toEqual(inChain(CHAIN_B, DAILY.supervisionsIssued));
    const answered = supervision({ stage: 'answered', version: 2, answeredAt: iso(T0) });
    expect(increments(dailyOps(fact({ case: { before: supervision(), after: answered } })))).toEqual(inChain(CHAIN_B, DAILY.supervisionsAnswered));
    expect(dailyOps(fact({ case: { before: answered, after: { ...answered, stage: 'closed', version: 3 } } }))).toEqual([]);
  });
});

describe('dailyOps: alerts and feedback', () => {
  const alert = (over: Partial<Alert> = {}): Alert => ({
    id: 'A1', version: 1, kind: 'spike', severity: 'warning', scope: 'd1', state: 'open', escalated: false, escalationLevel: 0,
    jurisdiction: ['d1', 'c1'], source: 'w', raisedAt: iso(T0), acknowledgedAt: null, acknowledgedBy: null, escalatedAt: null,
    clearedAt: null, updatedAt: iso(T0), ...over,
  });

  it('an alert raised counts by kind in the chain of its scope; acknowledging it adds nothing', () => {
    expect(increments(dailyOps(fact({ alert: { before: null, after: alert() } })))).toEqual(inChain(['d1', 'c1'], DAILY.alert('spike')));
    expect(dailyOps(fact({ alert: { before: alert(), after: alert({ state: 'acknowledged', version: 2 }) } }))).toEqual([]);
  });

  it('feedback with a rating 1..5 adds its count and sum in the entry chain; without one, nothing', () => {
    expect(increments(dailyOps(fact({ type: 'feedback.received', data: { caseRef: 'D1', satisfaction: 4 } })))).toEqual({
      ...inChain(CHAIN_A, DAILY.ratings), ...inChain(CHAIN_A, DAILY.ratingSum, 4),
    });
    expect(dailyOps(fact({ type: 'feedback.received', data: { caseRef: 'D1', comment: 'ok' } }))).toEqual([]);
    expect(dailyOps(fact({ type: 'feedback.received', data: { caseRef: 'D1', satisfaction: 9 } }))).toEqual([]);
  });

  it('nothing at an invalid time', () => {
    expect(dailyOps(fact({ at: NaN, type: 'feedback.received', data: { satisfaction: 4 } }))).toEqual([]);
  });
});

describe('dailyField', () => {
  it('round-trips counter names with colons', () => {
    expect(dailyField('cat:theft', 7)).toBe('cat:theft@07');
    expect(parseDailyField('cat:theft@07')).toEqual({ counter: 'cat:theft', hour: 7 });
    expect(parseDailyField('alert:spike@23')).toEqual({ counter: 'alert:spike', hour: 23 });
    expect(parseDailyField('x@24')).toBeNull();
    expect(parseDailyField('@01')).toBeNull();
    expect(parseDailyField('nohour')).toBeNull();
  });
});
