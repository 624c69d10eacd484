// The governance API (DESIGN §3, §4) on the real stack: a dispute registered by ingest goes
// through its whole "4+2" lifecycle by command, each entry seen live by a user in scope;
// strict stages, expectedVersion, escalation of the responsible queue (not of visibility),
// satisfaction, supervision orders (leaders issue, duty officers and coordinators answer) and
// petitions with repeat counts and a masked petitioner.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, type Client } from '../helpers/auth.js';
import { demoTree, gridCenter } from '../helpers/geo.js';
import { connectLive, until, type Recorder } from '../helpers/live-client.js';
import type { Redis } from 'ioredis';
import { call, durableClient, ingestOk, type RawAnswer } from '../helpers/requests.js';
import { ce, startStack, type Stack } from '../helpers/stack.js';

let s: Stack;
let r: Redis;
let coord: Client;
let leader: Client;
let duty: Client;
let dutyD2: Client;
let dutyD3: Client;
let liveD2: Recorder;
let liveD3: Recorder;

const tree = demoTree();
const GRID = 10;
const [gridId, community, street, D2, city] = tree.chain(tree.idsAt('grid')[GRID]!) as [string, string, string, string, string];
const D3 = tree.idsAt('district').find((d) => d !== D2)!;
const at = (n = GRID) => {
  const { lat, lon } = gridCenter(n);
  return { lat, lon };
};
const FUTURE = () => new Date(Date.now() + 10 * 86_400_000).toISOString();
const send = (c: Client, path: string, body: unknown, headers: Record<string, string> = {}): Promise<RawAnswer> =>
  call(s, path, { method: 'POST', cookie: c.cookie, body, headers: { origin: s.url, ...headers } });
const ids = (res: RawAnswer) => res.body.items.map((i: any) => i.id);
/** Waits until a socket has received the entry of this seq; returns it. */
/** The newest records of the audit trail, newest first. */
async function audits(n: number) {
  const entries = (await r.xrevrange('audit', '+', '-', 'COUNT', n)) as [string, string[]][];
  return entries.map(([, f]) => JSON.parse(f[f.indexOf('r') + 1]!) as { action: string; object: string; result: string; user: string; details?: any });
}
async function seenLive(rec: Recorder, seq: string) {
  await until(() => rec.entries().some((e) => e.seq === seq), 5000, `entry ${seq} on the socket`);
  return rec.entries().find((e) => e.seq === seq)!;
}

beforeAll(async () => {
  s = await startStack();
  r = durableClient(s);
  [coord, leader, duty, dutyD2, dutyD3] = await Promise.all([as(s, 'coordinator'), as(s, 'leader'), as(s, 'duty'), as(s, `duty-${D2}`), as(s, `duty-${D3}`)]);
  liveD2 = connectLive(s.url, dutyD2.cookie);
  liveD3 = connectLive(s.url, dutyD3.cookie);
  await until(() => liveD2.hello !== null && liveD3.hello !== null, 5000, 'hello');
  expect(D2).toBe('990102');
  expect(tree.get(D3)?.level).toBe('district');
});
afterAll(async () => {
  liveD2?.close();
  liveD3?.close();
  r?.disconnect();
  await s?.stop();
});

describe('a dispute, registered by ingest, through its whole lifecycle', () => {
  let version = 1;
  const transition = (body: Record<string, unknown>) => send(coord, '/disputes/GD-1/transition', { expectedVersion: version, ...body });

  it('is registered at the grid, responsible there, and seen live', async () => {
    const [seq] = await ingestOk(s, [ce('dispute.registered', { disputeId: 'GD-1', kind: 'neighbour', parties: ['Wang', 'Li'], location: at(), summary: 'noise' })]);
    expect((await seenLive(liveD2, seq!)).type).toBe('dispute.registered');
    const got = await coord.get('/disputes/GD-1');
    expect(got.status, got.text).toBe(200);
    expect(got.body).toMatchObject({
      id: 'GD-1', kind: 'dispute', version: 1, stage: 'registered', gridId, jurisdiction: [gridId, community, street, D2, city],
      responsibleLevel: 'grid', responsibleJurisdiction: gridId, category: 'neighbour', parties: ['Wang', 'Li'],
    });
    expect(Date.parse(got.body.deadline)).toBeGreaterThan(Date.now());
    expect(got.body.timeline.map((e: any) => e.type)).toEqual(['dispute.registered']);
    expect(got.body.asOfSeq).toBe(seq);
    expect(ids(await coord.get(`/disputes?view=responsible&scope=${gridId}`))).toEqual(['GD-1']);
  });

  it('refuses a skipped stage with 409 invalid_transition, the current stage and the allowed ones', async () => {
    const res = await transition({ to: 'assessed' });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'invalid_transition', details: { current: 'registered', allowed: ['mediating'] } });
    const closed = await transition({ to: 'closed' });
    expect(closed.body.error.code).toBe('invalid_transition');
    const back = await transition({ to: 'registered' });
    expect(back.body.error).toMatchObject({ code: 'invalid_transition', details: { current: 'registered' } });
  });

  it('refuses a stale expectedVersion with 409 version_conflict and the current version', async () => {
    for (const v of [0, 2]) {
      const res = await send(coord, '/disputes/GD-1/transition', { to: 'mediating', expectedVersion: v });
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({ code: 'version_conflict', details: { current: 1 } });
    }
  });

  it('validates before looking: unknown stages and misplaced fields are 400, unknown disputes 404', async () => {
    expect((await transition({ to: 'teleported' })).body.error.details.errors[0].path).toBe('to');
    expect((await transition({ to: 'mediating', risk: 'high' })).body.error.details.errors[0].path).toBe('risk');
    expect((await send(coord, '/disputes/GD-1/transition', { to: 'mediating' })).status).toBe(400);
    expect((await send(coord, '/disputes/NOPE/transition', { to: 'mediating', expectedVersion: 1 })).status).toBe(404);
  });

  it('moves to mediating: 200 with the object and seq, from console/<username>, live', async () => {
    const res = await transition({ to: 'mediating', note: 'first meeting set' });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ id: 'GD-1', stage: 'mediating', version: 2, updatedSeq: res.body.seq });
    const e = await seenLive(liveD2, res.body.seq);
    expect(e).toMatchObject({ type: 'dispute.mediated', source: 'console/coordinator', data: { disputeId: 'GD-1', note: 'first meeting set', by: 'coordinator' } });
    expect(e.affects).toEqual([{ kind: 'dispute', id: 'GD-1', version: 2 }]);
    version = 2;
    expect((await audits(1))[0]).toMatchObject({ action: 'disputes.transition', object: 'dispute:GD-1', result: 'success', user: 'coordinator', details: { seq: res.body.seq } });
    // refusals are audited too
    await transition({ to: 'closed' });
    expect((await audits(1))[0]).toMatchObject({ action: 'disputes.transition', object: 'dispute:GD-1', result: 'failure', details: { status: 409, code: 'invalid_transition' } });
  });

  it('escalates to the community: the responsible queue moves, who can see it does not', async () => {
    const res = await send(coord, '/disputes/GD-1/escalate', { expectedVersion: version, reason: 'parties refuse grid mediation' });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      stage: 'mediating', version: 3, responsibleLevel: 'community', responsibleJurisdiction: community, escalations: 1,
      escalationReason: 'parties refuse grid mediation', jurisdiction: [gridId, community, street, D2, city],
    });
    expect((await seenLive(liveD2, res.body.seq)).type).toBe('dispute.escalated');
    version = 3;
    expect(ids(await coord.get(`/disputes?view=responsible&scope=${community}`))).toEqual(['GD-1']);
    expect(ids(await coord.get(`/disputes?view=responsible&scope=${gridId}`))).toEqual([]);
    // located in the grid as before
    expect(ids(await coord.get(`/disputes?scope=${gridId}`))).toEqual(['GD-1']);
    const other = await dutyD3.get('/disputes/GD-1');
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('not_found');
    expect(ids(await dutyD3.get('/disputes'))).not.toContain('GD-1');
    expect((await dutyD2.get('/disputes/GD-1')).status).toBe(200);
    expect(ids(await dutyD2.get('/disputes'))).toContain('GD-1');
    expect((await dutyD2.get(`/disputes?scope=${D3}`)).status).toBe(404);
  });

  it('is assessed, routed, resolved and closed, every entry live in scope and nowhere else', async () => {
    const steps = [
      { to: 'assessed', risk: 'medium', type: 'dispute.assessed' },
      { to: 'routed', department: 'street judicial office', type: 'dispute.routed' },
      { to: 'resolved', outcome: 'agreement signed', type: 'dispute.resolved' },
      { to: 'closed', note: 'file closed', type: 'dispute.closed' },
    ];
    const seqs: string[] = [];
    for (const { type, ...body } of steps) {
      const res = await transition(body);
      expect(res.status, `${body.to}: ${res.text}`).toBe(200);
      expect(res.body).toMatchObject({ stage: body.to, version: version + 1 });
      expect((await seenLive(liveD2, res.body.seq)).type).toBe(type);
      seqs.push(res.body.seq);
      version += 1;
    }
    const got = await coord.get('/disputes/GD-1');
    expect(got.body).toMatchObject({
      stage: 'closed', version: 7, risk: 'medium', department: 'street judicial office', outcome: 'agreement signed',
      resolvedAtLevel: 'community', deadline: null,
    });
    expect(got.body.closedAt).toBeTruthy();
    expect(got.body.timeline.map((e: any) => e.type)).toEqual([
      'dispute.registered', 'dispute.mediated', 'dispute.escalated', 'dispute.assessed', 'dispute.routed', 'dispute.resolved', 'dispute.closed',
    ]);
    // closed: out of the responsible queue, listed under its stage
    expect(ids(await coord.get(`/disputes?view=responsible&scope=${community}`))).toEqual([]);
    expect(ids(await coord.get(`/disputes?stage=closed&scope=${gridId}`))).toEqual(['GD-1']);
    expect(ids(await coord.get(`/disputes?stage=registered,mediating&scope=${gridId}`))).toEqual([]);
    // the other district's socket saw none of it
    const seen = new Set(liveD3.entries().map((e) => e.seq));
    for (const q of seqs) expect(seen.has(q)).toBe(false);
    expect(liveD3.entries().some((e) => (e.data as any).disputeId === 'GD-1')).toBe(false);
    const done = await send(coord, '/disputes/GD-1/escalate', { expectedVersion: version, reason: 'too late' });
    expect(done.body.error).toMatchObject({ code: 'invalid_transition', details: { current: 'closed' } });
  });

  it('records residents\' satisfaction from feedback.received', async () => {
    await ingestOk(s, [
      ce('feedback.received', { caseRef: 'GD-1', satisfaction: 5, comment: 'fair' }),
      ce('feedback.received', { caseRef: 'GD-1', satisfaction: 2 }),
      ce('feedback.received', { caseRef: 'GD-1', comment: 'no rating' }),
    ]);
    const got = await coord.get('/disputes/GD-1');
    expect(got.body).toMatchObject({ satisfaction: 3.5, ratings: 2, version: 10 });
    expect(got.body.feedback.map((f: any) => f.comment)).toEqual(['fair', null, 'no rating']);
    expect(got.body.timeline.filter((e: any) => e.type === 'feedback.received')).toHaveLength(3);
  });
});

describe('lists', () => {
  beforeAll(async () => {
    const past = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
    const soon = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
    await ingestOk(s, [
      ce('dispute.registered', { disputeId: 'GL-LATE', kind: 'labour', location: at(40), deadline: past(2) }),
      ce('dispute.registered', { disputeId: 'GL-SOON', kind: 'labour', location: at(40), deadline: soon(1) }),
      ce('dispute.registered', { disputeId: 'GL-LATER', kind: 'labour', location: at(40), deadline: soon(5) }),
      ce('dispute.registered', { disputeId: 'GL-OLD', kind: 'labour', location: at(40), deadline: past(9) }),
      ce('dispute.registered', { disputeId: 'GL-D3', kind: 'labour', location: at(250), deadline: past(3) }),
    ]);
  });
  const grid40 = () => tree.idsAt('grid')[40]!;

  it('the responsible view is the queue by deadline, soonest first; overdue=1 keeps open cases past it', async () => {
    const queue = await coord.get(`/disputes?view=responsible&scope=${grid40()}`);
    expect(queue.status, queue.text).toBe(200);
    expect(ids(queue)).toEqual(['GL-OLD', 'GL-LATE', 'GL-SOON', 'GL-LATER']);
    expect(ids(await coord.get(`/disputes?view=responsible&overdue=1&scope=${grid40()}`))).toEqual(['GL-OLD', 'GL-LATE']);
    const located = await coord.get(`/disputes?overdue=1&scope=${D2}`);
    expect(ids(located).sort()).toEqual(['GL-LATE', 'GL-OLD']);
    // the city is responsible for none of them
    expect(ids(await coord.get('/disputes?view=responsible'))).toEqual([]);
    expect(ids(await dutyD3.get('/disputes?overdue=1'))).toEqual(['GL-D3']);
  });

  it('answers newest change first with asOfSeq, and pages with a cursor', async () => {
    const all = await coord.get('/disputes');
    expect(all.body.asOfSeq).toMatch(/^\d+-\d+$/);
    expect(typeof all.body.logEpoch).toBe('string');
    const times = all.body.items.map((i: any) => Date.parse(i.updatedAt));
    for (let i = 1; i < times.length; i++) expect(times[i - 1]).toBeGreaterThanOrEqual(times[i]);
    const walked: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 20; pages++) {
      const page: RawAnswer = await coord.get(`/disputes?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      walked.push(...ids(page));
      cursor = page.body.nextCursor;
      if (!cursor) break;
    }
    expect(walked).toEqual(ids(all));
    expect(new Set(walked).size).toBe(walked.length);
    const queue: string[] = [];
    cursor = null;
    for (let pages = 0; pages < 20; pages++) {
      const page: RawAnswer = await coord.get(`/disputes?view=responsible&scope=${grid40()}&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      queue.push(...ids(page));
      cursor = page.body.nextCursor;
      if (!cursor) break;
    }
    expect(queue).toEqual(['GL-OLD', 'GL-LATE', 'GL-SOON', 'GL-LATER']);
  });

  it('refuses unknown stages, views and cursors with 400 naming the parameter', async () => {
    for (const [q, path] of [['stage=filed', 'query.stage'], ['view=mine', 'query.view'], ['cursor=xyz', 'query.cursor']]) {
      const res = await coord.get(`/disputes?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error.details.errors[0].path).toBe(path);
    }
    expect((await coord.get('/disputes?limit=100000')).status).toBe(200);
  });
});

describe('supervision orders', () => {
  let supervisionId: string;
  beforeAll(async () => {
    await ingestOk(s, [ce('dispute.registered', { disputeId: 'GD-2', kind: 'land', location: at(12) })]);
  });

  it('are issued by leaders only: a coordinator is refused with 403, a leader gets 201', async () => {
    const body = { caseRef: 'GD-2', deadline: FUTURE(), instruction: 'settle within the week' };
    const refused = await send(coord, '/supervisions', body);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'forbidden', details: { permission: 'supervision.issue' } });
    const res = await send(leader, '/supervisions', body);
    expect(res.status, res.text).toBe(201);
    supervisionId = res.body.supervisionId;
    expect((await audits(1))[0]).toMatchObject({ action: 'supervisions.issue', object: `supervision:${supervisionId}`, result: 'success', user: 'leader' });
    expect(supervisionId).toMatch(/^S-[0-9A-F]{12}$/);
    expect(res.body).toMatchObject({
      id: supervisionId, kind: 'supervision', stage: 'issued', version: 1, caseRef: 'GD-2', caseKind: 'dispute',
      instruction: 'settle within the week', issuedBy: 'leader', deadline: body.deadline, responsibleLevel: 'grid',
    });
    const e = await seenLive(liveD2, res.body.seq);
    expect(e).toMatchObject({ type: 'supervision.issued', source: 'console/leader' });
    const onCase = await coord.get('/disputes/GD-2');
    expect(onCase.body.timeline.map((x: any) => x.type)).toEqual(['dispute.registered', 'supervision.issued']);
  });

  it('need a case in the caller\'s scope (404 otherwise) and a future deadline', async () => {
    expect((await send(leader, '/supervisions', { caseRef: 'NOPE', deadline: FUTURE(), instruction: 'x' })).status).toBe(404);
    const past = await send(leader, '/supervisions', { caseRef: 'GD-2', deadline: '2020-01-01T00:00:00Z', instruction: 'x' });
    expect(past.status).toBe(400);
    expect(past.body.error.details.errors[0].path).toBe('deadline');
    const closed = await send(leader, '/supervisions', { caseRef: 'GD-1', deadline: FUTURE(), instruction: 'x' });
    expect(closed.body.error).toMatchObject({ code: 'case_closed', details: { current: 'closed' } });
  });

  it('are seen where their case is seen', async () => {
    expect((await dutyD2.get(`/supervisions/${supervisionId}`)).status).toBe(200);
    expect((await dutyD3.get(`/supervisions/${supervisionId}`)).status).toBe(404);
    expect(ids(await duty.get('/supervisions'))).toContain(supervisionId);
    expect(ids(await dutyD3.get('/supervisions'))).not.toContain(supervisionId);
    expect(ids(await duty.get(`/supervisions?view=responsible&scope=${tree.idsAt('grid')[12]}&stage=issued`))).toContain(supervisionId);
  });

  it('are answered by duty officers and coordinators, once', async () => {
    const byLeader = await send(leader, `/supervisions/${supervisionId}/answer`, { expectedVersion: 1, answer: 'x' });
    expect(byLeader.status).toBe(403);
    const res = await send(dutyD2, `/supervisions/${supervisionId}/answer`, { expectedVersion: 1, answer: 'mediation scheduled for Monday' });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ stage: 'answered', version: 2, answer: 'mediation scheduled for Monday', deadline: null });
    expect((await seenLive(liveD2, res.body.seq)).type).toBe('supervision.answered');
    const again = await send(coord, `/supervisions/${supervisionId}/answer`, { expectedVersion: 2, answer: 'again' });
    expect(again.body.error).toMatchObject({ code: 'invalid_transition', details: { current: 'answered' } });
    const stale = await send(coord, `/supervisions/${supervisionId}/answer`, { expectedVersion: 1, answer: 'again' });
    expect(stale.body.error).toMatchObject({ code: 'version_conflict', details: { current: 2 } });
    const detail = await coord.get(`/supervisions/${supervisionId}`);
    expect(detail.body.timeline.map((x: any) => x.type)).toEqual(['supervision.issued', 'supervision.answered']);
    expect((await coord.get('/disputes/GD-2')).body.timeline.map((x: any) => x.type)).toEqual(['dispute.registered', 'supervision.issued', 'supervision.answered']);
  });

  it('honour an Idempotency-Key: the repeat returns the first answer and appends nothing', async () => {
    const body = { caseRef: 'GD-2', deadline: FUTURE(), instruction: 'report daily' };
    const first = await send(leader, '/supervisions', body, { 'idempotency-key': 'sup-once' });
    expect(first.status).toBe(201);
    const again = await send(leader, '/supervisions', body, { 'idempotency-key': 'sup-once' });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    const other = await send(leader, '/supervisions', { ...body, instruction: 'other' }, { 'idempotency-key': 'sup-once' });
    expect(other.status).toBe(422);
  });
});

describe('petitions', () => {
  beforeAll(async () => {
    await ingestOk(s, [
      ce('petition.filed', { petitionId: 'PT-1', petitioner: 'pk-42', subject: 'unpaid wages', location: at(14) }),
      ce('petition.filed', { petitionId: 'PT-2', petitioner: 'pk-42', subject: 'unpaid wages again', location: at(15) }),
      ce('petition.filed', { petitionId: 'PT-3', petitioner: 'pk-42', subject: 'still unpaid', jurisdictionId: D2 }),
      ce('petition.filed', { petitionId: 'PT-4', petitioner: 'pk-7', subject: 'road noise', location: at(16) }),
    ]);
  });

  it('go filed → answered → closed; skipping answered is 409', async () => {
    const skip = await send(coord, '/petitions/PT-1/transition', { to: 'closed', expectedVersion: 1 });
    expect(skip.body.error).toMatchObject({ code: 'invalid_transition', details: { current: 'filed', allowed: ['answered'] } });
    const answered = await send(coord, '/petitions/PT-1/transition', { to: 'answered', expectedVersion: 1, outcome: 'wages paid by the employer' });
    expect(answered.status, answered.text).toBe(200);
    expect(answered.body).toMatchObject({ stage: 'answered', version: 2, answer: 'wages paid by the employer', deadline: null, repeatCount: 2 });
    expect(answered.body.answeredAt).toBeTruthy();
    expect((await seenLive(liveD2, answered.body.seq)).type).toBe('petition.answered');
    const closed = await send(coord, '/petitions/PT-1/transition', { to: 'closed', expectedVersion: 2 });
    expect(closed.status).toBe(200);
    expect(closed.body.stage).toBe('closed');
    expect((await send(coord, '/petitions/PT-2/transition', { to: 'answered', expectedVersion: 1, department: 'x' })).status).toBe(400);
  });

  it('escalate through petition.escalated', async () => {
    const res = await send(coord, '/petitions/PT-4/escalate', { expectedVersion: 1, reason: 'repeated complaint' });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ responsibleLevel: 'community', escalations: 1 });
    expect((await seenLive(liveD2, res.body.seq)).type).toBe('petition.escalated');
    const filedAtDistrict = await send(coord, '/petitions/PT-3/escalate', { expectedVersion: 1, reason: 'to the city' });
    expect(filedAtDistrict.body).toMatchObject({ responsibleLevel: 'city', responsibleJurisdiction: city });
  });

  it('carry repeatCount: the petitioner\'s other petitions of the last 90 days', async () => {
    const one = await coord.get('/petitions/PT-2');
    expect(one.body).toMatchObject({ petitioner: 'pk-42', repeatCount: 2 });
    const list = await coord.get(`/petitions?scope=${D2}`);
    const counts = Object.fromEntries(list.body.items.map((p: any) => [p.id, p.repeatCount]));
    expect(counts).toEqual({ 'PT-1': 2, 'PT-2': 2, 'PT-3': 2, 'PT-4': 0 });
  });

  it('mask the petitioner for a duty officer, in the object, the list and the timeline', async () => {
    for (const c of [dutyD2, duty, leader]) {
      const one = await c.get('/petitions/PT-2');
      expect(one.status).toBe(200);
      expect(one.body.petitioner).toBe('p***');
      expect(one.body.repeatCount).toBe(2);
      expect(one.text).not.toContain('pk-42');
      const list = await c.get('/petitions');
      expect(list.text).not.toContain('pk-42');
      expect(list.body.items.length).toBe(4);
    }
    expect((await coord.get('/petitions/PT-2')).body.timeline[0].data.petitioner).toBe('pk-42');
  });

  it('mask the petitioner in the log for roles without reporter.read', async () => {
    const masked = await duty.get('/log?after=0-0&limit=500');
    expect(masked.status).toBe(200);
    expect(masked.text).not.toContain('pk-42');
    expect(masked.body.items.filter((e: any) => e.type === 'petition.filed').map((e: any) => e.data.petitioner)).toContain('p***');
    expect((await coord.get('/log?after=0-0&limit=500')).text).toContain('pk-42');
  });
});
