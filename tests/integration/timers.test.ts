// The log as the outbox and the incident timers (DESIGN §2, §7, §8), against real Redis, a real
// server and real workers: entries become jobs through the consumer group, one job each however
// often an entry is delivered; ack timeouts and SLA breaches raise one alert and clear by their
// cause; a critical alert nobody acknowledges is escalated to the leaders in scope; a worker
// killed mid-job leaves the job to another, with one result.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../server/config.js';
import { openTimerQueue, type TimerQueue } from '../../server/jobs/timer-queue.js';
import { OUTBOX_GROUP } from '../../server/jobs/outbox.js';
import { startWorker, type StartWorkerOptions, type WorkerHandle } from '../../server/jobs/worker-runtime.js';
import { keys } from '../../server/store/keys.js';
import { as, type Client } from '../helpers/auth.js';
import { demoTree, gridCenter } from '../helpers/geo.js';
import { call, durableClient, eventually, ingestOk, reportAt, sleep } from '../helpers/requests.js';
import { ce, startStack, type Stack } from '../helpers/stack.js';

const grid = (n: number) => demoTree().idsAt('grid')[n]!;

const until = eventually;

/** Every entry of the log of a type, parsed. */
async function entries(r: Redis, type: string): Promise<any[]> {
  const raw = (await r.xrange('log', '-', '+')) as [string, string[]][];
  return raw.map(([seq, f]) => ({ seq, ...JSON.parse(f[1]!) })).filter((e) => e.type === type);
}
const raisesOf = async (r: Redis, kind: string, subject: string) =>
  (await entries(r, 'alert.raised')).filter((e) => e.data.kind === kind && e.data.subject === subject);

function workerConfig(s: Stack, dir: string) {
  return parseConfig({
    REDIS_URL: s.redis.url, TELEMETRY_REDIS_URL: s.telemetry.url, ARCHIVE_DIR: dir, DEMO: '1', LOG_LEVEL: 'silent',
  });
}

const FAST: StartWorkerOptions = {
  tree: demoTree(),
  log: () => undefined,
  // p1 urban: 3 s; everything else far away
  timers: { ackTimeoutMs: 1500, escalateAfterMs: 2000, slaTargetSeconds: (p) => (p === 1 ? 3 : 3600) },
  claimIdleMs: 800,
  claimEveryMs: 300,
};

describe('timers and the log outbox', () => {
  let s: Stack;
  let r: Redis;
  let dir: string;
  let coord: Client;
  let leader: Client;
  let queue: TimerQueue;
  const workers: WorkerHandle[] = [];
  const dispatch = async (incidentId: string, unitIds: string[]) => {
    const inc = await coord.get(`/incidents/${incidentId}`);
    const res = await call(s, `/incidents/${incidentId}/dispatch`, {
      method: 'POST', cookie: coord.cookie, headers: { origin: s.url }, body: { unitIds, expectedVersion: inc.body.version },
    });
    expect(res.status, res.text).toBe(200);
  };
  const alerts = async (state: string) => (await coord.get(`/alerts?state=${state}`)).body.items as any[];

  beforeAll(async () => {
    s = await startStack();
    r = durableClient(s);
    dir = mkdtempSync(join(tmpdir(), 'pingan-timers-'));
    coord = await as(s, 'coordinator');
    leader = await as(s, 'leader');
    workers.push(await startWorker(workerConfig(s, dir), { ...FAST, workerId: 'w1' }));
    workers.push(await startWorker(workerConfig(s, dir), { ...FAST, workerId: 'w2' }));
    queue = openTimerQueue(s.redis.url);
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.close()));
    await queue?.close();
    r?.disconnect();
    await s?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('raises one ack_timeout alert for a silent unit and clears it when the unit acknowledges', async () => {
    await ingestOk(s, [
      reportAt('T-ACK', 30, { priority: 2 }), reportAt('T-OK', 31, { priority: 2 }),
      ce('unit.registered', { unitId: 'TU-SILENT', homeGrid: grid(30) }), ce('unit.registered', { unitId: 'TU-QUICK', homeGrid: grid(31) }),
      ce('unit.registered', { unitId: 'TU-SPARE', callsign: '备1', kind: 'car', homeGrid: grid(30) }),
    ]);
    const c = gridCenter(30);
    await ingestOk(s, [ce('unit.position', { unitId: 'TU-SPARE', lat: c.lat + 0.001, lon: c.lon })]);
    await dispatch('T-ACK', ['TU-SILENT']);
    await dispatch('T-OK', ['TU-QUICK']);
    await ingestOk(s, [ce('incident.acknowledged', { incidentId: 'T-OK', unitIds: ['TU-QUICK'] })]);

    const alert = await until('the ack_timeout alert', async () => (await alerts('open')).find((a) => a.kind === 'ack_timeout' && a.subject === 'unit:TU-SILENT'));
    expect(alert).toMatchObject({ severity: 'warning', scope: grid(30), evidence: { incidentId: 'T-ACK', unitId: 'TU-SILENT', priority: 2 } });
    // the next recommendation is offered with it: the available unit with a fresh fix nearby
    expect(alert.evidence.next).toMatchObject({ unitId: 'TU-SPARE', callsign: '备1' });
    expect(alert.evidence.next.etaSeconds).toBeGreaterThan(0);
    // the unit that acknowledged in time raised nothing, and the silent one exactly one alert
    await sleep(1000);
    expect(await raisesOf(r, 'ack_timeout', 'unit:TU-QUICK')).toHaveLength(0);
    expect(await raisesOf(r, 'ack_timeout', 'unit:TU-SILENT')).toHaveLength(1);

    await ingestOk(s, [ce('incident.acknowledged', { incidentId: 'T-ACK', unitIds: ['TU-SILENT'] })]);
    const cleared = await until('the alert cleared', async () => (await alerts('cleared')).find((a) => a.id === alert.id));
    expect(cleared.state).toBe('cleared');
    expect((await entries(r, 'alert.cleared')).filter((e) => e.data.alertId === alert.id)).toHaveLength(1);
  });

  it('raises an sla_breach once, escalates it to the leader while unacknowledged, and clears it on arrival', async () => {
    await ingestOk(s, [reportAt('T-SLA', 40, { priority: 1 })]);
    // a priority change schedules a second SLA check of the same clock: still one alert
    await ingestOk(s, [ce('incident.updated', { incidentId: 'T-SLA', priority: 1 })]);
    const alert = await until('the sla_breach alert', async () => (await alerts('open')).find((a) => a.kind === 'sla_breach' && a.subject === 'incident:T-SLA'));
    expect(alert).toMatchObject({ severity: 'critical', evidence: { incidentId: 'T-SLA', priority: 1 } });

    const escalated = await until('the escalation', async () => {
      const a = (await leader.get(`/alerts?state=open`)).body.items.find((x: any) => x.id === alert.id);
      return a?.escalated ? a : null;
    });
    expect(escalated.escalatedTo).toContain('leader');
    expect(escalated.escalationLevel).toBe(1);
    expect(await raisesOf(r, 'sla_breach', 'incident:T-SLA')).toHaveLength(1);

    await ingestOk(s, [ce('incident.arrived', { incidentId: 'T-SLA' })]);
    await until('the sla alert cleared', async () => (await alerts('cleared')).find((a) => a.id === alert.id));
    expect(await raisesOf(r, 'sla_breach', 'incident:T-SLA')).toHaveLength(1);
    expect((await entries(r, 'alert.escalated')).filter((e) => e.data.alertId === alert.id)).toHaveLength(1);
  });

  it('does not escalate a critical alert acknowledged in time', async () => {
    await ingestOk(s, [reportAt('T-SLA2', 41, { priority: 1 })]);
    const alert = await until('the sla_breach alert', async () => (await alerts('open')).find((a) => a.subject === 'incident:T-SLA2'));
    const ack = await call(s, `/alerts/${alert.id}/acknowledge`, { method: 'POST', cookie: coord.cookie, headers: { origin: s.url }, body: { expectedVersion: alert.version } });
    expect(ack.status, ack.text).toBe(200);
    await sleep(3000);
    expect((await entries(r, 'alert.escalated')).filter((e) => e.data.alertId === alert.id)).toHaveLength(0);
  });

  it('turns each log entry into exactly one job with two workers, even when every entry is delivered again', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `T-MANY-${i}`);
    const seqs = await ingestOk(s, ids.map((id, i) => reportAt(id, 100 + i, { priority: 3 })));
    const slaJobs = async () => (await queue.getJobs(['delayed', 'waiting', 'active', 'completed'])).filter((j) => seqs.some((q) => j.id === `sla.${q}`));
    await until('30 sla jobs', async () => (await slaJobs()).length === 30);
    // both workers read from the group, and nothing stays pending
    const consumers = (await r.xinfo('CONSUMERS', 'log', OUTBOX_GROUP)) as unknown[][];
    expect(consumers.map((c) => c[1])).toEqual(expect.arrayContaining(['w1', 'w2']));
    await until('no pending entries', async () => ((await r.xpending('log', OUTBOX_GROUP)) as [number])[0] === 0);

    // every entry delivered again (the group rewound): the same ids, no second job
    await r.xgroup('SETID', 'log', OUTBOX_GROUP, '0');
    await until('the log read again', async () => {
      const info = (await r.xinfo('GROUPS', 'log')) as unknown[][];
      const g = info.find((x) => x[1] === OUTBOX_GROUP)!;
      const lastId = g[g.indexOf('last-delivered-id') + 1] as string;
      const head = ((await r.xrevrange('log', '+', '-', 'COUNT', 1)) as [string, string[]][])[0]![0];
      return lastId === head && ((await r.xpending('log', OUTBOX_GROUP)) as [number])[0] === 0;
    });
    const jobs = await slaJobs();
    expect(jobs).toHaveLength(30);
    expect(new Set(jobs.map((j) => j.id)).size).toBe(30);
    // no alert was raised twice either
    const raised = await entries(r, 'alert.raised');
    expect(new Set(raised.map((e) => e.data.alertId)).size).toBe(raised.length);
  });

  it('takes over entries a dead worker read but never acknowledged', async () => {
    const [seq] = await ingestOk(s, [reportAt('T-GHOST', 150, { priority: 3 })]);
    const job = await until('the job', async () => queue.getJob(`sla.${seq!}`));
    await until('nothing pending', async () => ((await r.xpending('log', OUTBOX_GROUP)) as [number])[0] === 0);
    // a worker that read the entry and died before queueing its jobs: the entry pending with it, no job
    await until('the sla check asleep until due', async () => (await job.getState()) === 'delayed');
    // the report's cell indicator is appended by the risk worker shortly after: let it land first,
    // or that append would wake the live worker's blocked read, which would take the entry before the ghost
    await until('the cell indicator', async () => ((await r.hget(keys.riskIndicators, gridCenter(150).gridId)) ?? '').includes('T-GHOST'));
    await until('nothing pending', async () => ((await r.xpending('log', OUTBOX_GROUP)) as [number])[0] === 0);
    await job.remove();
    const [ms, n] = seq!.split('-').map(Number) as [number, number];
    await r.xgroup('SETID', 'log', OUTBOX_GROUP, n > 0 ? `${ms}-${n - 1}` : `${ms - 1}-99999`);
    const read = (await r.xreadgroup('GROUP', OUTBOX_GROUP, 'ghost', 'COUNT', 1, 'STREAMS', 'log', '>')) as [string, [string, string[]][]][];
    expect(read[0]![1][0]![0]).toBe(seq);
    expect(await queue.getJob(`sla.${seq!}`)).toBeUndefined();

    const again = await until('the job queued by the worker that took the entry over', async () => queue.getJob(`sla.${seq!}`));
    expect(again.name).toBe('sla');
    await until('nothing pending', async () => ((await r.xpending('log', OUTBOX_GROUP)) as [number])[0] === 0);
  });
});

describe('a worker killed mid-job', () => {
  let s: Stack;
  let r: Redis;
  let dir: string;
  let child: ChildProcess | null = null;
  let rescuer: WorkerHandle | null = null;

  beforeAll(async () => {
    s = await startStack();
    r = durableClient(s);
    dir = mkdtempSync(join(tmpdir(), 'pingan-kill-'));
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await rescuer?.close();
    r?.disconnect();
    await s?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('leaves the job to another worker, which completes it with one result', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/worker-child.ts'], {
      env: { ...process.env, REDIS_URL: s.redis.url, TELEMETRY_REDIS_URL: s.telemetry.url, ARCHIVE_DIR: dir, DEMO: '1', LOG_LEVEL: 'silent', HANG_PREFIX: 'ack.', ACK_MS: '500', LOCK_MS: '1500' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (b: Buffer) => { out += b.toString(); });
    await until('the child worker', async () => out.includes('READY'), 30_000);

    const coord = await as(s, 'coordinator');
    await ingestOk(s, [reportAt('K-1', 60), ce('unit.registered', { unitId: 'KU-1', homeGrid: grid(60) })]);
    const inc = await coord.get('/incidents/K-1');
    const res = await call(s, '/incidents/K-1/dispatch', { method: 'POST', cookie: coord.cookie, headers: { origin: s.url }, body: { unitIds: ['KU-1'], expectedVersion: inc.body.version } });
    expect(res.status, res.text).toBe(200);

    const hung = await until('the child holding the ack job', async () => /HUNG (\S+)/.exec(out)?.[1]);
    child.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));
    expect(await raisesOf(r, 'ack_timeout', 'unit:KU-1')).toHaveLength(0);

    rescuer = await startWorker(workerConfig(s, dir), { ...FAST, workerId: 'rescuer', stalledIntervalMs: 500, timers: { ...FAST.timers, ackTimeoutMs: 500 } });
    const queue = openTimerQueue(s.redis.url);
    try {
      await until('the job completed by the rescuer', async () => (await queue.getJob(hung))?.finishedOn, 20_000);
      const job = (await queue.getJob(hung))!;
      expect(job.returnvalue).toMatch(/^ack_timeout .*: accepted$/);
    } finally {
      await queue.close();
    }
    expect(await raisesOf(r, 'ack_timeout', 'unit:KU-1')).toHaveLength(1);
  });
});
