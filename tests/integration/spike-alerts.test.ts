// Count spikes (DESIGN §8) against real Redis, a real server and a real worker: 8 weeks of a
// quiet fraud series seeded in its count hash, then 12 reports in the hour that closed last; the
// `spikes` maintenance job raises one spike alert for the district × category (however often it
// runs), a rewound consumer group delivers the reports again without counting them twice, and
// the quiet hour after clears the alert.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedHourAt, HOUR_MS, SPIKE_KEEP_HOURS, SPIKE_WINDOW_HOURS, spikeSubject } from '../../server/alerts/spike-rules.js';
import { parseConfig } from '../../server/config.js';
import { chainAt } from '../../server/governance/case-reducer.js';
import { OUTBOX_GROUP } from '../../server/jobs/outbox.js';
import { MAINTENANCE_JOBS, openMaintenanceQueue } from '../../server/jobs/queues.js';
import { countReport, seriesId } from '../../server/jobs/spike-jobs.js';
import { openTimerQueue, type TimerQueue } from '../../server/jobs/timer-queue.js';
import { startWorker, type WorkerHandle } from '../../server/jobs/worker-runtime.js';
import { keys } from '../../server/store/keys.js';
import type { ScriptedRedis } from '../../server/store/scripts.js';
import { as, type Client } from '../helpers/auth.js';
import { demoTree, gridCenter } from '../helpers/geo.js';
import { durableClient, eventually, ingestOk, reportAt } from '../helpers/requests.js';
import { startStack, type Stack } from '../helpers/stack.js';

const until = eventually;

async function entries(r: Redis, type: string): Promise<any[]> {
  const raw = (await r.xrange('log', '-', '+')) as [string, string[]][];
  return raw.map(([seq, f]) => ({ seq, ...JSON.parse(f[1]!) })).filter((e) => e.type === type);
}

describe('count spikes', () => {
  let s: Stack;
  let r: Redis;
  let dir: string;
  let coord: Client;
  let worker: WorkerHandle;
  let maintenance: ReturnType<typeof openMaintenanceQueue>;
  let timers: TimerQueue;
  // the worker's clock: fixed an hour back at the start, moved on to now by the test (facts are
  // refused more than 5 minutes in the future, so the worker's clock must not run ahead)
  const base = Date.now();
  let shift = 0;
  const hour = closedHourAt(base - HOUR_MS);
  const { gridId } = gridCenter(30);
  const district = chainAt(demoTree().chain(gridId), 'district')!;
  const subject = spikeSubject(district, 'fraud');
  const countKey = keys.spikeCounts(district, 'fraud');

  const alerts = async (state: string) => (await coord.get(`/alerts?state=${state}&limit=500`)).body.items as any[];
  const alertOf = (state: string) =>
    until(`the spike alert (${state})`, async () => (await alerts(state)).find((a) => a.kind === 'spike' && a.subject === subject));
  const raises = async () => (await entries(r, 'alert.raised')).filter((e) => e.data.kind === 'spike' && e.data.subject === subject);
  let runs = 0;
  /** One run of the spike job now; its result. */
  async function runSpikes(): Promise<{ raised: number; cleared: number; checked: number; hourStart: string }> {
    const job = await maintenance.add(MAINTENANCE_JOBS.spikes, {}, { jobId: `spikes-test-${++runs}` });
    return until('the spike run', async () => {
      const j = await maintenance.getJob(job.id!);
      if (j?.failedReason) throw new Error(`spike run failed: ${j.failedReason}`);
      return (await j?.isCompleted()) ? j!.returnvalue as any : null;
    });
  }

  beforeAll(async () => {
    s = await startStack();
    r = durableClient(s);
    dir = mkdtempSync(join(tmpdir(), 'pingan-spike-'));
    coord = await as(s, 'coordinator');
    maintenance = openMaintenanceQueue(s.redis.url);
    timers = openTimerQueue(s.redis.url);
    const config = parseConfig({ REDIS_URL: s.redis.url, TELEMETRY_REDIS_URL: s.telemetry.url, ARCHIVE_DIR: dir, DEMO: '1', LOG_LEVEL: 'silent' });
    worker = await startWorker(config, {
      workerId: 'spikes', tree: demoTree(), log: () => undefined,
      timers: { ackTimeoutMs: 600_000, escalateAfterMs: 600_000, slaTargetSeconds: () => 3600 },
      // the schedule out of the way: the test runs the job itself
      spikes: { everyMs: 24 * HOUR_MS, now: () => base - HOUR_MS + shift },
    });
    // an interval schedule runs once at once: let that run finish before anything is seeded
    await until('the scheduled spike run', async () =>
      (await maintenance.getJobs(['completed'])).some((j) => j.name === MAINTENANCE_JOBS.spikes));
  });
  afterAll(async () => {
    await worker?.close();
    await maintenance?.close();
    await timers?.close();
    r?.disconnect();
    await s?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('raises one spike alert for a burst after 8 quiet weeks, counts re-delivered reports once, and clears on a quiet hour', async () => {
    // 8 weeks of a stationary 0–1 an hour (about one hour in four has a report)
    const seed: (string | number)[] = [];
    let x = 12345;
    for (let i = SPIKE_WINDOW_HOURS; i >= 1; i--) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      if (x >>> 30 === 0) seed.push(String(hour - i * HOUR_MS), 1);
    }
    expect(seed.length / 2).toBeGreaterThan(250);
    expect(seed.length / 2).toBeLessThan(420);
    await r.hset(countKey, ...seed);
    await r.zadd(keys.spikeSeries, hour - SPIKE_WINDOW_HOURS * HOUR_MS, seriesId(district, 'fraud'));
    expect(await r.hget(countKey, String(hour))).toBeNull();

    // a burst of 12 fraud reports in the hour that closed last
    const burst = Array.from({ length: 12 }, (_, i) =>
      reportAt(`SP-${i}`, 30, { category: 'fraud' }));
    for (const [i, e] of burst.entries()) (e as any).time = new Date(hour + 15 * 60_000 + i * 60_000).toISOString();
    const seqs = await ingestOk(s, burst);
    await until('the burst counted', async () => (await r.hget(countKey, String(hour))) === '12');
    expect(await r.scard(keys.spikeSeen(district, hour))).toBe(12);

    const first = await runSpikes();
    expect(first).toMatchObject({ hourStart: new Date(hour).toISOString(), raised: 1, cleared: 0 });
    const alert = await alertOf('open');
    expect(alert).toMatchObject({ kind: 'spike', scope: district, subject, state: 'open', evidence: { district, category: 'fraud', hourStart: new Date(hour).toISOString(), observed: 12 } });
    expect(['warning', 'critical']).toContain(alert.severity);
    expect(alert.evidence.pValue).toBeLessThan(1e-4);
    expect(alert.evidence.expected).toBeLessThan(1);

    // again: no second alert
    expect(await runSpikes()).toMatchObject({ raised: 0, cleared: 0 });
    expect(await raises()).toHaveLength(1);

    // the reports delivered again, their count jobs gone from the queue's history: counted once
    for (const seq of seqs) await (await timers.getJob(`count.${seq}`))?.remove();
    await r.xgroup('SETID', 'log', OUTBOX_GROUP, '0');
    for (const seq of seqs) {
      await until(`count.${seq} run again`, async () => {
        const j = await timers.getJob(`count.${seq}`);
        return (await j?.isCompleted()) ? j!.returnvalue === 'counted before' : null;
      });
    }
    expect(await r.hget(countKey, String(hour))).toBe('12');
    expect(await r.scard(keys.spikeSeen(district, hour))).toBe(12);
    expect(await runSpikes()).toMatchObject({ raised: 0 });
    expect(await raises()).toHaveLength(1);

    // the next hour is quiet: cleared
    shift = HOUR_MS;
    expect(await runSpikes()).toMatchObject({ hourStart: new Date(hour + HOUR_MS).toISOString(), raised: 0, cleared: 1 });
    const cleared = await alertOf('cleared');
    expect(cleared.id).toBe(alert.id);
    expect((await entries(r, 'alert.cleared')).filter((e) => e.data.alertId === alert.id)).toHaveLength(1);
    expect(await runSpikes()).toMatchObject({ raised: 0, cleared: 0 });
  });

  it('counts a report without a known category as other, and trims fields older than 9 weeks', async () => {
    const key = keys.spikeCounts('D-TRIM', 'other');
    const now = closedHourAt(base);
    const old: (string | number)[] = [];
    for (let i = 0; i < 2 * SPIKE_KEEP_HOURS + 1; i++) old.push(String(now - (SPIKE_KEEP_HOURS + 1 + i) * HOUR_MS), 1);
    await r.hset(key, ...old);
    const d = { district: 'D-TRIM', category: 'other', hourStart: now, member: '1-0' };
    expect(await countReport(r as ScriptedRedis, d)).toBe(1);
    expect(await countReport(r as ScriptedRedis, d)).toBe(0);
    expect(await r.hgetall(key)).toEqual({ [String(now)]: '1' });
    expect(await r.ttl(keys.spikeSeen('D-TRIM', now))).toBeGreaterThan(69 * 24 * 3600);
    expect(await r.zscore(keys.spikeSeries, seriesId('D-TRIM', 'other'))).toBe(String(now));

    // through the pipeline: an unknown category lands in `other`
    const [seq] = await ingestOk(s, [reportAt('SP-OTHER', 31, { category: 'no-such-code' })]);
    const job = await until('the count job', async () => {
      const j = await timers.getJob(`count.${seq}`);
      return (await j?.isCompleted()) ? j : null;
    });
    expect(job.data).toMatchObject({ category: 'other', member: seq, district: chainAt(demoTree().chain(gridCenter(31).gridId), 'district') });
  });
});
