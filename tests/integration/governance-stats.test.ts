// GET /stats?metric=governance (issue 6) against a real stack: a handful of disputes and
// petitions with known histories (event times in the past) are ingested, and every indicator of
// their two communities and of the street as a whole is checked against hand-computed values.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { governanceStatsSchema } from '../../shared/governance.js';
import { as, type Client } from '../helpers/auth.js';
import { demoTree, gridCenter } from '../helpers/geo.js';
import { durableClient, ingestOk } from '../helpers/requests.js';
import { ce, startStack, type Stack } from '../helpers/stack.js';

const H = 3600_000;
const D = 24 * H;
/** the fixture's origin: ten days ago, on a whole hour */
const T = Math.floor((Date.now() - 10 * D) / H) * H;
const iso = (ms: number) => new Date(ms).toISOString();
const loc = (n: number) => {
  const c = gridCenter(n);
  return { lat: c.lat, lon: c.lon };
};
/** a fact that happened at T + offset */
const fact = (type: string, offset: number, data: Record<string, unknown>) => ce(type, data, { time: iso(T + offset) });

const tree = demoTree();
const grid = (n: number) => tree.idsAt('grid')[n]!;
const COMMUNITY_A = tree.chain(grid(0))[1]!;
const COMMUNITY_B = tree.chain(grid(10))[1]!;
const STREET = tree.chain(grid(0))[2]!;
const DISTRICT = tree.chain(grid(0))[3]!;
const FROM = iso(T - H);
const TO = iso(T + 9 * D);

let s: Stack;
let leader: Client;
let dutyOther: Client;
let dutyMine: Client;

beforeAll(async () => {
  s = await startStack();
  leader = await as(s, 'leader');
  dutyMine = await as(s, `duty-${DISTRICT}`);
  dutyOther = await as(s, `duty-${tree.idsAt('district').find((d) => d !== DISTRICT)!}`);
  expect(tree.chain(grid(10))[2]).toBe(STREET);
  expect(COMMUNITY_A).not.toBe(COMMUNITY_B);
  await ingestOk(s, [
    // community A
    // SD-1: resolved at grid level 10 h after registration, before its deadline; rated 5
    fact('dispute.registered', 0, { disputeId: 'SD-1', kind: 'neighbour', parties: ['王某', '李某'], location: loc(0), deadline: iso(T + 3 * D) }),
    fact('dispute.mediated', H, { disputeId: 'SD-1', deadline: iso(T + 2 * D) }),
    fact('dispute.resolved', 10 * H, { disputeId: 'SD-1', outcome: '调解成功' }),
    fact('feedback.received', D, { caseRef: 'SD-1', satisfaction: 5 }),
    // SD-2: same place as SD-1 two days later (a repeat); escalated twice (to the street), routed, resolved late; rated 2
    fact('dispute.registered', 2 * D, { disputeId: 'SD-2', kind: 'neighbour', parties: ['赵某'], location: loc(0), deadline: iso(T + 3 * D) }),
    fact('dispute.mediated', 2 * D + H, { disputeId: 'SD-2', deadline: iso(T + 2 * D + 2 * H) }),
    fact('dispute.escalated', 2 * D + 2 * H, { disputeId: 'SD-2', deadline: iso(T + 3 * D), reason: 'no agreement' }),
    fact('dispute.escalated', 2 * D + 3 * H, { disputeId: 'SD-2', deadline: iso(T + 4 * D), reason: 'still none' }),
    fact('dispute.assessed', 2 * D + 4 * H, { disputeId: 'SD-2', risk: 'medium', deadline: iso(T + 4 * D) }),
    fact('dispute.routed', 2 * D + 5 * H, { disputeId: 'SD-2', department: '住建局', deadline: iso(T + 5 * D) }),
    fact('dispute.resolved', 6 * D, { disputeId: 'SD-2', outcome: '部门处理' }),
    fact('feedback.received', 6 * D + H, { caseRef: 'SD-2', satisfaction: 2 }),
    // SP-1: answered a day after filing, in time; SP-2: the same petitioner again, open and past its deadline
    fact('petition.filed', D, { petitionId: 'SP-1', petitioner: 'pk-A', location: loc(1), deadline: iso(T + 3 * D) }),
    fact('petition.answered', 2 * D, { petitionId: 'SP-1', answer: '已答复' }),
    fact('petition.filed', 3 * D, { petitionId: 'SP-2', petitioner: 'pk-A', location: loc(5), deadline: iso(T + 4 * D) }),
    // community B
    // SD-3: shares a party with SD-1 (a repeat across communities), open, due in ten days
    fact('dispute.registered', D, { disputeId: 'SD-3', kind: 'land', parties: ['李某'], location: loc(10), deadline: iso(Date.now() + 10 * D) }),
    // SD-4: registered long before the window, resolved in it, late
    fact('dispute.registered', -20 * D, { disputeId: 'SD-4', kind: 'land', parties: ['钱某'], location: loc(11), deadline: iso(T - 18 * D) }),
    fact('dispute.resolved', D, { disputeId: 'SD-4', outcome: '调解成功' }),
    // elsewhere in the district (another street): not in the street's numbers
    fact('dispute.registered', D, { disputeId: 'SD-X', kind: 'land', location: loc(100), deadline: iso(T) }),
  ]);
});
afterAll(async () => {
  await s?.stop();
});

const stats = (c: Client, query: string) => c.get(`/stats?metric=governance&${query}`);

describe('GET /stats?metric=governance', () => {
  it('answers every indicator per community and for the scope as a whole', async () => {
    expect(tree.chain(grid(100))[2]).not.toBe(STREET);
    const r = durableClient(s);
    const head = ((await r.xrevrange('log', '+', '-', 'COUNT', 1)) as [string, string[]][])[0]![0];
    r.disconnect();
    const res = await stats(leader, `scope=${STREET}&from=${encodeURIComponent(FROM)}&to=${encodeURIComponent(TO)}&level=community`);
    expect(res.status, res.text).toBe(200);
    const body = governanceStatsSchema.parse(res.body);
    expect(body).toMatchObject({ metric: 'governance', scope: STREET, from: FROM, to: TO, asOfSeq: head });
    // one row per community of the street, each named
    const communities = tree.idsAt('community').filter((id) => tree.chain(id).includes(STREET));
    expect(body.rows.map((x) => x.jurisdictionId)).toEqual(communities);
    for (const x of body.rows) expect(x.name, x.jurisdictionId).toBe(tree.get(x.jurisdictionId)!.name);

    const a = body.rows.find((x) => x.jurisdictionId === COMMUNITY_A)!;
    expect(a).toEqual({
      jurisdictionId: COMMUNITY_A, name: tree.get(COMMUNITY_A)!.name, level: 'community',
      opened: 4, // SD-1, SD-2, SP-1, SP-2
      resolved: 3, // SD-1, SD-2, SP-1
      onTimeRate: 0.6667, // SD-1 and SP-1 on time, SD-2 late (6 d > 5 d)
      medianHoursToResolution: 24, // 10, 24, 96
      repeatRate90d: 0.5, // SD-2 (same place as SD-1), SP-2 (same petitioner as SP-1)
      escalationRate: 0.5, // SD-2 of SD-1, SD-2
      satisfaction: 3.5, // 5 and 2
      overdueBacklog: 1, // SP-2
      resolvedLocallyShare: 0.5, // SD-1 at grid level; SD-2 at street level
      routedOnwardShare: 0.5, // SD-2
    });
    const b = body.rows.find((x) => x.jurisdictionId === COMMUNITY_B)!;
    expect(b).toMatchObject({
      opened: 1, resolved: 1, onTimeRate: 0, medianHoursToResolution: 504, repeatRate90d: 1, escalationRate: 0,
      satisfaction: null, overdueBacklog: 0, resolvedLocallyShare: 1, routedOnwardShare: 0,
    });
    const empty = body.rows.find((x) => x.jurisdictionId !== COMMUNITY_A && x.jurisdictionId !== COMMUNITY_B)!;
    expect(empty).toMatchObject({
      opened: 0, resolved: 0, onTimeRate: null, medianHoursToResolution: null, repeatRate90d: null, escalationRate: null,
      satisfaction: null, overdueBacklog: 0, resolvedLocallyShare: null, routedOnwardShare: null,
    });
    expect(body.total).toEqual({
      jurisdictionId: STREET, name: tree.get(STREET)!.name, level: 'street',
      opened: 5, resolved: 4, onTimeRate: 0.5, medianHoursToResolution: 60, repeatRate90d: 0.6, escalationRate: 0.3333,
      satisfaction: 3.5, overdueBacklog: 1, resolvedLocallyShare: 0.6667, routedOnwardShare: 0.3333,
    });
  });

  it('rows at grid level, a window that leaves cases out, and the last 30 days by default', async () => {
    const grids = await stats(leader, `scope=${COMMUNITY_A}&level=grid&from=${encodeURIComponent(FROM)}&to=${encodeURIComponent(TO)}`);
    expect(grids.status).toBe(200);
    expect(grids.body.rows.find((x: any) => x.jurisdictionId === grid(0))).toMatchObject({ opened: 2, resolved: 2, repeatRate90d: 0.5 });
    expect(grids.body.rows.find((x: any) => x.jurisdictionId === grid(5))).toMatchObject({ opened: 1, overdueBacklog: 1, repeatRate90d: 1 });
    // a window of the first day only: SD-1 opened and resolved; SP-1, SD-3 opened the next day
    const day1 = await stats(leader, `scope=${COMMUNITY_A}&from=${encodeURIComponent(FROM)}&to=${encodeURIComponent(iso(T + 12 * H))}`);
    expect(day1.body.total).toMatchObject({ opened: 1, resolved: 1, onTimeRate: 1, medianHoursToResolution: 10, satisfaction: null, overdueBacklog: 1 });
    const byDefault = await stats(leader, `scope=${STREET}`);
    expect(byDefault.status).toBe(200);
    const to = Date.parse(byDefault.body.to);
    expect(Math.abs(to - Date.now())).toBeLessThan(60_000);
    expect(to - Date.parse(byDefault.body.from)).toBe(30 * D);
    // every case of the fixture lies in the last 30 days but SD-4's registration
    expect(byDefault.body.total).toMatchObject({ opened: 5, resolved: 4 });
  });

  it('keeps to the caller\'s scope: the district by default, 404 for another district', async () => {
    const mine = await stats(dutyMine, `from=${encodeURIComponent(FROM)}&to=${encodeURIComponent(TO)}&level=street`);
    expect(mine.status).toBe(200);
    expect(mine.body.scope).toBe(DISTRICT);
    expect(mine.body.total).toMatchObject({ jurisdictionId: DISTRICT, level: 'district', opened: 6, overdueBacklog: 2 });
    expect(mine.body.rows.find((x: any) => x.jurisdictionId === STREET)).toMatchObject({ opened: 5 });
    const other = await stats(dutyOther, `scope=${STREET}`);
    expect(other.status).toBe(404);
    const theirs = await stats(dutyOther, 'level=community');
    expect(theirs.status).toBe(200);
    expect(theirs.body.total.opened).toBe(0);
  });

  it('answers 400 naming the field for a bad metric, level or time', async () => {
    const cases: [string, string][] = [
      ['/stats?metric=crime', 'query.metric'],
      ['/stats', 'query.metric'],
      ['/stats?metric=governance&level=planet', 'query.level'],
      ['/stats?metric=governance&from=yesterday', 'query.from'],
      ['/stats?metric=governance&to=2026-13-01T00:00:00Z', 'query.to'],
      [`/stats?metric=governance&from=${encodeURIComponent(TO)}&to=${encodeURIComponent(FROM)}`, 'query.to'],
      [`/stats?metric=governance&from=2020-01-01T00:00:00Z&to=${encodeURIComponent(TO)}`, 'query.from'],
    ];
    for (const [path, field] of cases) {
      const res = await leader.get(path);
      expect(res.status, path).toBe(400);
      expect(res.body.error.details.errors.map((e: any) => e.path), path).toContain(field);
    }
  });
});
