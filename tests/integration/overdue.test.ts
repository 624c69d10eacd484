// Overdue governance cases (DESIGN §8), against real Redis, a real server and a real worker:
// every entry that changes a dispute, petition or supervision order starts a `deadline` job that
// sleeps until the case's deadline and raises one `overdue` alert when it passes; the next entry
// that ends the cause (another stage, a later deadline, an answer) clears it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../server/config.js';
import { startWorker, type WorkerHandle } from '../../server/jobs/worker-runtime.js';
import { as, type Client } from '../helpers/auth.js';
import { demoTree, gridCenter } from '../helpers/geo.js';
import { durableClient, eventually, ingestOk, sleep } from '../helpers/requests.js';
import { ce, startStack, type Stack } from '../helpers/stack.js';

const until = eventually;

async function entries(r: Redis, type: string): Promise<any[]> {
  const raw = (await r.xrange('log', '-', '+')) as [string, string[]][];
  return raw.map(([seq, f]) => ({ seq, ...JSON.parse(f[1]!) })).filter((e) => e.type === type);
}
const raisesOf = async (r: Redis, subject: string) => (await entries(r, 'alert.raised')).filter((e) => e.data.kind === 'overdue' && e.data.subject === subject);
const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();
const at = (n: number) => {
  const c = gridCenter(n);
  return { lat: c.lat, lon: c.lon };
};

describe('overdue disputes, petitions and supervision orders', () => {
  let s: Stack;
  let r: Redis;
  let dir: string;
  let duty: Client;
  let worker: WorkerHandle;
  const alerts = async (state: string) => (await duty.get(`/alerts?state=${state}`)).body.items as any[];
  const overdueFor = (subject: string, state = 'open') => until(`the overdue alert of ${subject} (${state})`, async () =>
    (await alerts(state)).find((a) => a.kind === 'overdue' && a.subject === subject));

  beforeAll(async () => {
    s = await startStack();
    r = durableClient(s);
    dir = mkdtempSync(join(tmpdir(), 'pingan-overdue-'));
    duty = await as(s, 'duty');
    const config = parseConfig({ REDIS_URL: s.redis.url, TELEMETRY_REDIS_URL: s.telemetry.url, ARCHIVE_DIR: dir, DEMO: '1', LOG_LEVEL: 'silent' });
    worker = await startWorker(config, {
      workerId: 'overdue', tree: demoTree(), log: () => undefined,
      timers: { ackTimeoutMs: 60_000, escalateAfterMs: 600_000, slaTargetSeconds: () => 3600 },
    });
  });
  afterAll(async () => {
    await worker?.close();
    r?.disconnect();
    await s?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('raises one overdue alert when a dispute passes its deadline, and clears it when the dispute moves on', async () => {
    const deadline = inMs(1500);
    await ingestOk(s, [ce('dispute.registered', { disputeId: 'OD-1', kind: 'neighbour', parties: ['甲', '乙'], location: at(30), deadline })]);
    // not before the deadline
    await sleep(500);
    expect(await raisesOf(r, 'dispute:OD-1')).toHaveLength(0);

    const alert = await overdueFor('dispute:OD-1');
    expect(alert).toMatchObject({
      severity: 'warning', scope: demoTree().idsAt('grid')[30], state: 'open',
      evidence: { caseKind: 'dispute', caseId: 'OD-1', stage: 'registered', deadline, responsibleLevel: 'grid' },
    });
    expect(Date.parse(alert.raisedAt)).toBe(Date.parse(deadline));
    // a later fact about the case that does not end the breach (feedback) raises nothing more
    await ingestOk(s, [ce('feedback.received', { caseRef: 'OD-1', satisfaction: 2 })]);
    await sleep(800);
    expect(await raisesOf(r, 'dispute:OD-1')).toHaveLength(1);
    expect((await alerts('open')).filter((a) => a.subject === 'dispute:OD-1')).toHaveLength(1);

    await ingestOk(s, [ce('dispute.mediated', { disputeId: 'OD-1', deadline: inMs(3600_000) })]);
    const cleared = await overdueFor('dispute:OD-1', 'cleared');
    expect(cleared.id).toBe(alert.id);
    expect((await entries(r, 'alert.cleared')).filter((e) => e.data.alertId === alert.id)).toHaveLength(1);
    await sleep(500);
    expect(await raisesOf(r, 'dispute:OD-1')).toHaveLength(1);
    expect((await alerts('open')).filter((a) => a.subject === 'dispute:OD-1')).toHaveLength(0);
  });

  it('raises a new alert for a new breach of the same case (a stage whose deadline passed too)', async () => {
    await ingestOk(s, [ce('dispute.registered', { disputeId: 'OD-2', kind: 'neighbour', location: at(31), deadline: inMs(800) })]);
    const first = await overdueFor('dispute:OD-2');
    // assessed with high risk and a deadline already past: the first alert clears, a critical one follows
    await ingestOk(s, [ce('dispute.assessed', { disputeId: 'OD-2', risk: 'high', deadline: inMs(-1000) })]);
    await overdueFor('dispute:OD-2', 'cleared');
    const second = await until('the second alert', async () => (await alerts('open')).find((a) => a.subject === 'dispute:OD-2' && a.id !== first.id));
    expect(second).toMatchObject({ severity: 'critical', evidence: { stage: 'assessed' } });
    expect(await raisesOf(r, 'dispute:OD-2')).toHaveLength(2);
    await ingestOk(s, [ce('dispute.resolved', { disputeId: 'OD-2', outcome: 'settled' })]);
    await until('the second alert cleared', async () => (await alerts('cleared')).find((a) => a.id === second.id));
  });

  it('raises a critical overdue alert for a supervision order past its deadline and clears it when answered', async () => {
    await ingestOk(s, [ce('dispute.registered', { disputeId: 'OD-3', kind: 'land', location: at(40), deadline: inMs(86_400_000) })]);
    const deadline = inMs(1200);
    await ingestOk(s, [ce('supervision.issued', { supervisionId: 'OS-1', caseRef: 'OD-3', deadline, instruction: '限期办结', level: 'community' })]);
    const alert = await overdueFor('supervision:OS-1');
    const community = demoTree().chain(demoTree().idsAt('grid')[40]!)[1];
    expect(alert).toMatchObject({
      severity: 'critical', scope: community,
      evidence: { caseKind: 'supervision', caseId: 'OS-1', stage: 'issued', deadline, responsibleLevel: 'community' },
    });
    // the dispute itself is not overdue
    expect((await alerts('open')).filter((a) => a.subject === 'dispute:OD-3')).toHaveLength(0);

    await ingestOk(s, [ce('supervision.answered', { supervisionId: 'OS-1', caseRef: 'OD-3', answer: '已化解' })]);
    const cleared = await overdueFor('supervision:OS-1', 'cleared');
    expect(cleared.id).toBe(alert.id);
    expect(await raisesOf(r, 'supervision:OS-1')).toHaveLength(1);
  });

  it('watches petitions too, and raises nothing for a case answered before its deadline', async () => {
    await ingestOk(s, [
      ce('petition.filed', { petitionId: 'OP-1', petitioner: 'pk-1', jurisdictionId: demoTree().idsAt('community')[3], deadline: inMs(800) }),
      ce('petition.filed', { petitionId: 'OP-2', petitioner: 'pk-2', location: at(50), deadline: inMs(1500) }),
    ]);
    await ingestOk(s, [ce('petition.answered', { petitionId: 'OP-2', answer: 'done' })]);
    const alert = await overdueFor('petition:OP-1');
    expect(alert).toMatchObject({ severity: 'warning', scope: demoTree().idsAt('community')[3], evidence: { responsibleLevel: 'community' } });
    await sleep(1500);
    expect(await raisesOf(r, 'petition:OP-2')).toHaveLength(0);
    await ingestOk(s, [ce('petition.answered', { petitionId: 'OP-1', answer: 'late' })]);
    await overdueFor('petition:OP-1', 'cleared');
  });
});
