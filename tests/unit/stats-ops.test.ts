// The commit's ops for the wall screen (server/ingest/stats-ops.ts): first dispatches and first
// arrivals per jurisdiction and UTC day, and the handover index.
import { describe, expect, it } from 'vitest';
import { handoverOf, handoverOps, parseResponseMember, responseTimeOps } from '../../server/ingest/stats-ops.js';
import { keys, STATS_DAY_TTL_SECONDS } from '../../server/store/keys.js';
import { CHAIN_A, EARLIER, incident } from '../helpers/facts.js';

const T0 = Date.parse(EARLIER); // 2025-03-01T07:00:00Z: reported
const iso = (ms: number) => new Date(ms).toISOString();
const DAY = '2025-03-01';

const zaFor = (key: (j: string, d: string) => string, score: number, member: string, day = DAY) =>
  CHAIN_A.flatMap((j) => [
    { op: 'ZA', key: key(j, day), score, member },
    { op: 'EX', key: key(j, day), ttlSeconds: STATS_DAY_TTL_SECONDS },
  ]);

/** The ops for a move stated at the after-object's statusSince (the fact's time). */
const rt = (before: Parameters<typeof responseTimeOps>[0], after: Parameters<typeof responseTimeOps>[1]) => responseTimeOps(before, after, Date.parse(after.statusSince));

describe('responseTimeOps', () => {
  it('a first dispatch: seconds from the report, in every jurisdiction of the chain', () => {
    const at = T0 + 90_000;
    const ops = rt(incident({ status: 'new' }), incident({ status: 'dispatched', statusSince: iso(at) }));
    expect(ops).toEqual(zaFor(keys.statsDispatch, at, 'inc-1|90'));
  });

  it('a first arrival: seconds and the target of the priority and area type (P1 suburban: 600 s)', () => {
    const at = T0 + 540_000;
    const before = incident({ status: 'en_route', priority: 1, areaType: 'suburban' });
    const ops = rt(before, { ...before, status: 'on_scene', statusSince: iso(at) });
    expect(ops).toEqual(zaFor(keys.statsArrival, at, 'inc-1|540|600'));
  });

  it('a forward jump from new to on scene is both a dispatch and an arrival', () => {
    const at = T0 + 300_000;
    const ops = rt(incident({ status: 'new' }), incident({ status: 'on_scene', statusSince: iso(at) }));
    expect(ops).toHaveLength(4 * CHAIN_A.length);
    expect(ops.filter((o) => o.op === 'ZA').map((o) => (o as { member: string }).member)).toEqual(
      CHAIN_A.flatMap(() => ['inc-1|300', 'inc-1|300|600']),
    );
  });

  it('a reopened incident counts from slaFrom', () => {
    const reopened = '2025-03-01T09:00:00.000Z';
    const at = Date.parse(reopened) + 120_000;
    const ops = rt(incident({ status: 'new', slaFrom: reopened }), incident({ status: 'dispatched', slaFrom: reopened, statusSince: iso(at) }));
    expect(ops[0]).toEqual({ op: 'ZA', key: keys.statsDispatch('gA', DAY), score: at, member: 'inc-1|120' });
  });

  it('a skewed report counts from its receipt', () => {
    const received = '2025-03-01T07:10:00.000Z';
    const at = Date.parse(received) + 60_000;
    const ops = rt(
      incident({ status: 'new', receivedAt: received, clockSkew: true }),
      incident({ status: 'dispatched', receivedAt: received, clockSkew: true, statusSince: iso(at) }),
    );
    expect(ops[0]).toMatchObject({ member: 'inc-1|60' });
  });

  it('the UTC day of the fact names the key', () => {
    const at = Date.parse('2025-03-02T00:00:00.000Z');
    const ops = rt(incident({ status: 'new' }), incident({ status: 'dispatched', statusSince: iso(at) }));
    expect(ops[0]).toMatchObject({ key: keys.statsDispatch('gA', '2025-03-02') });
    const before = rt(incident({ status: 'new' }), incident({ status: 'dispatched', statusSince: iso(at - 1) }));
    expect(before[0]).toMatchObject({ key: keys.statsDispatch('gA', '2025-03-01') });
  });

  it('nothing for other moves, new incidents, or no change', () => {
    const s = iso(T0 + 1000);
    expect(rt(null, incident({ status: 'new' }))).toEqual([]);
    expect(rt(incident({ status: 'dispatched' }), incident({ status: 'en_route', statusSince: s }))).toEqual([]);
    expect(rt(incident({ status: 'on_scene' }), incident({ status: 'resolved', statusSince: s }))).toEqual([]);
    expect(rt(incident({ status: 'new' }), incident({ status: 'cancelled', statusSince: s }))).toEqual([]);
    expect(rt(incident({ status: 'dispatched' }), incident({ status: 'dispatched', version: 4 }))).toEqual([]);
  });

  it('counts at the time it is given (the fact\'s time), not the object\'s statusSince (its receipt)', () => {
    const ops = responseTimeOps(incident({ status: 'new' }), incident({ status: 'dispatched', statusSince: iso(T0 + 999_000) }), T0 + 45_000);
    expect(ops[0]).toEqual({ op: 'ZA', key: keys.statsDispatch('gA', DAY), score: T0 + 45_000, member: 'inc-1|45' });
  });

  it('never a negative time (an arrival stated before the report)', () => {
    const ops = rt(incident({ status: 'dispatched' }), incident({ status: 'on_scene', statusSince: iso(T0 - 5000) }));
    expect(ops[0]).toMatchObject({ member: 'inc-1|0|600' });
  });
});

describe('parseResponseMember', () => {
  it('reads dispatch and arrival members, ids with bars included', () => {
    expect(parseResponseMember('inc-1|90', false)).toEqual({ incidentId: 'inc-1', seconds: 90, targetSeconds: null });
    expect(parseResponseMember('a|b|540|600', true)).toEqual({ incidentId: 'a|b', seconds: 540, targetSeconds: 600 });
    expect(parseResponseMember('x', false)).toBeNull();
    expect(parseResponseMember('x|y', true)).toBeNull();
    expect(parseResponseMember('x|nan', false)).toBeNull();
  });
});

describe('handoverOps', () => {
  it('indexes the entry in every jurisdiction of its chain and stores the handover', () => {
    const data = { shift: 'day', from: 'duty', to: 'duty-2', notes: 'n', openItems: [{ ref: 'inc-1', note: 'watch' }], jurisdictionId: 'd1' };
    const time = '2025-03-01T12:00:00.000Z';
    const ops = handoverOps('e-1', time, ['d1', 'c1'], data);
    expect(ops).toEqual([
      { op: 'ZA', key: keys.handoversIn('d1'), score: Date.parse(time), member: 'e-1' },
      { op: 'ZA', key: keys.handoversIn('c1'), score: Date.parse(time), member: 'e-1' },
      { op: 'HF', key: keys.handovers, field: 'e-1', json: JSON.stringify({ at: time, from: 'duty', to: 'duty-2', shift: 'day', notes: 'n', openItems: [{ ref: 'inc-1', note: 'watch' }], scope: 'd1' }) },
    ]);
  });

  it('a feeder handover without the fields reads as empty ones', () => {
    expect(handoverOf({ openItems: ['inc-9'] }, '2025-03-01T12:00:00.000Z', ['c1'])).toEqual({
      at: '2025-03-01T12:00:00.000Z', from: '', to: '', shift: '', notes: '', openItems: [{ ref: 'inc-9', note: '' }], scope: 'c1',
    });
  });
});
