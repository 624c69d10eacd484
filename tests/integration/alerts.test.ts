// Alerts end to end (DESIGN §3, §4, §8): raised and cleared by ingest, listed and acknowledged by
// duty officers; at most one alert per (kind, scope) is not cleared, even under concurrent raises.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, type Client } from '../helpers/auth.js';
import { demoTree } from '../helpers/geo.js';
import { durableClient, ingestOk } from '../helpers/requests.js';
import { ce, startStack, type Stack } from '../helpers/stack.js';

const tree = demoTree();
const [A, B] = tree.idsAt('district') as [string, string];

let s: Stack;
let r: Redis;
let duty: Client;
let dutyA: Client;
beforeAll(async () => {
  s = await startStack();
  r = durableClient(s);
  duty = await as(s, 'duty');
  const admin = await as(s, 'admin');
  const made = await admin.post('/admin/users', { username: 'duty-a', displayName: 'Duty A', roles: ['duty_officer'], scopes: [A], password: 'district-a-password-1' });
  expect(made.status).toBe(201);
  dutyA = await as(s, 'duty-a', { password: 'district-a-password-1' });
});
afterAll(async () => {
  r?.disconnect();
  await s?.stop();
});

const raise = (alertId: string, kind: string, scope: string, extra: Record<string, unknown> = {}) =>
  ce('alert.raised', { alertId, kind, severity: 'critical', scope, evidence: { count: 12, baseline: 3 }, ...extra }, { source: 'worker/alerts' });
/** accepted and rejected of an ingest answer: 202 with some accepted, or 400 invalid_events with none */
const outcome = (res: { status: number; body: any }) => (res.status === 202
  ? { accepted: res.body.accepted as { id: string }[], rejected: res.body.rejected as any[] }
  : { accepted: [] as { id: string }[], rejected: res.body.error.details.rejected as any[] });
const ids = (res: { body: { items: { id: string }[] } }) => res.body.items.map((a) => a.id);

describe('an alert from raise to clear', () => {
  it('is raised by ingest, listed, acknowledged by the duty officer, and cleared by ingest', async () => {
    const [seq] = await ingestOk(s, [raise('AL-1', 'spike', A)]);
    expect(seq).toBeTruthy();
    const list = await duty.get('/alerts');
    expect(list.status).toBe(200);
    expect(list.body.asOfSeq).toBeTruthy();
    const al = list.body.items.find((a: { id: string }) => a.id === 'AL-1');
    expect(al).toMatchObject({ id: 'AL-1', version: 1, kind: 'spike', severity: 'critical', scope: A, state: 'open', escalated: false, evidence: { count: 12, baseline: 3 } });
    expect(al.jurisdiction).toEqual(tree.chain(A));

    const ack = await duty.post('/alerts/AL-1/acknowledge', { expectedVersion: 1 });
    expect(ack.status, ack.text).toBe(200);
    expect(ack.body).toMatchObject({ id: 'AL-1', version: 2, state: 'acknowledged', acknowledgedBy: 'duty' });
    expect(ack.body.seq).toBeTruthy();
    const [entry] = (await r.xrevrange('audit', '+', '-', 'COUNT', 1)) as [string, string[]][];
    expect(JSON.parse(entry![1][entry![1].indexOf('r') + 1]!)).toMatchObject({ action: 'alerts.acknowledge', object: 'alert:AL-1', result: 'success', user: 'duty' });

    const again = await duty.post('/alerts/AL-1/acknowledge', {});
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'invalid_transition', details: { current: 'acknowledged' } });
    expect(ids(await duty.get('/alerts?state=open'))).not.toContain('AL-1');
    expect(ids(await duty.get('/alerts?state=acknowledged'))).toContain('AL-1');
    expect(ids(await duty.get('/alerts'))).toContain('AL-1'); // not cleared yet

    // still not cleared: another raise of the same kind and scope is refused
    const dup = await s.ingest([raise('AL-1b', 'spike', A)]);
    expect(dup.status).toBe(400);
    expect(outcome(dup).rejected[0].errors[0]).toMatchObject({ code: 'alert_open', details: { alertId: 'AL-1' } });

    await ingestOk(s, [ce('alert.cleared', { alertId: 'AL-1' }, { source: 'worker/alerts' })]);
    expect(ids(await duty.get('/alerts'))).not.toContain('AL-1');
    const cleared = await duty.get('/alerts?state=cleared');
    expect(cleared.body.items.find((a: { id: string }) => a.id === 'AL-1')).toMatchObject({ state: 'cleared', version: 3 });
    expect((await duty.post('/alerts/AL-1/acknowledge', {})).status).toBe(409);
    expect(await r.exists(`alert:open:spike:${A}`)).toBe(0);
  });

  it('refuses facts about unknown alerts, and answers 404 and 409 version_conflict on acknowledge', async () => {
    const res = await s.ingest([ce('alert.cleared', { alertId: 'GHOST' }), ce('alert.acknowledged', { alertId: 'GHOST' })]);
    expect(outcome(res).rejected.map((x: { errors: { code: string }[] }) => x.errors[0]!.code)).toEqual(['unknown_alert', 'unknown_alert']);
    expect((await duty.post('/alerts/GHOST/acknowledge', {})).status).toBe(404);
    await ingestOk(s, [raise('AL-V', 'stale_unit', A)]);
    const stale = await duty.post('/alerts/AL-V/acknowledge', { expectedVersion: 7 });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'version_conflict', details: { current: 1 } });
    expect((await duty.post('/alerts/AL-V/acknowledge', { expectedVersion: 'x' })).status).toBe(400);
  });
});

describe('one open alert per kind and scope', () => {
  it('20 concurrent raises of the same kind and scope: exactly one accepted, the rest alert_open; after clear a raise is accepted', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => s.ingest([raise(`AL-C-${i}`, 'coverage_gap', B)])));
    const accepted = answers.flatMap((a) => outcome(a).accepted);
    const rejected = answers.flatMap((a) => outcome(a).rejected);
    expect(accepted).toHaveLength(1);
    expect(rejected).toHaveLength(19);
    const winner = answers.findIndex((a) => outcome(a).accepted.length === 1);
    const winnerId = `AL-C-${winner}`;
    for (const rej of rejected) expect(rej.errors[0]).toMatchObject({ code: 'alert_open', details: { alertId: winnerId } });
    const open = await duty.get(`/alerts?state=open&scope=${B}`);
    expect(ids(open).filter((id) => id.startsWith('AL-C-'))).toEqual([winnerId]);
    expect(JSON.parse((await r.hget(`alert:open:coverage_gap:${B}`, 'j'))!)).toMatchObject({ id: winnerId });

    await ingestOk(s, [ce('alert.cleared', { alertId: winnerId })]);
    await ingestOk(s, [raise('AL-C-next', 'coverage_gap', B)]);
    expect(ids(await duty.get(`/alerts?scope=${B}`))).toContain('AL-C-next');
  });

  it('two raises in one batch: the first is accepted, the second refused', async () => {
    const res = await s.ingest([raise('AL-BATCH-1', 'feed_silent', A), raise('AL-BATCH-2', 'feed_silent', A)]);
    expect(res.body.accepted.map((x: { id: string }) => x.id)).toHaveLength(1);
    expect(res.body.rejected[0]).toMatchObject({ index: 1, errors: [{ code: 'alert_open', details: { alertId: 'AL-BATCH-1' } }] });
  });
});

describe('scope', () => {
  it('a district-scoped duty officer sees only alerts in the district, and 404 on another district\'s alert', async () => {
    await ingestOk(s, [raise('AL-IN-A', 'sla_breach', A), raise('AL-IN-B', 'sla_breach', B)]);
    const mine = ids(await dutyA.get('/alerts'));
    expect(mine).toContain('AL-IN-A');
    expect(mine).not.toContain('AL-IN-B');
    expect((await dutyA.get(`/alerts?scope=${B}`)).status).toBe(404);
    const foreign = await dutyA.post('/alerts/AL-IN-B/acknowledge', {});
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('not_found');
    expect((await duty.get('/alerts')).body.items.map((a: { id: string }) => a.id)).toEqual(expect.arrayContaining(['AL-IN-A', 'AL-IN-B']));
    expect((await dutyA.post('/alerts/AL-IN-A/acknowledge', {})).status).toBe(200);
    const b = (await duty.get('/alerts?state=open')).body.items.find((a: { id: string }) => a.id === 'AL-IN-B');
    expect(b.state).toBe('open');
  });

  it('lists newest change first and honours limit', async () => {
    const all = (await duty.get('/alerts?state=open,acknowledged,cleared')).body.items as { updatedAt: string }[];
    const times = all.map((a) => Date.parse(a.updatedAt));
    expect([...times].sort((x, y) => y - x)).toEqual(times);
    expect((await duty.get('/alerts?state=open,acknowledged,cleared&limit=2')).body.items).toHaveLength(2);
    expect((await duty.get('/alerts?state=bogus')).status).toBe(400);
  });
});
