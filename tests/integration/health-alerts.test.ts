// The health alerts of DESIGN §8 against real Redis, a real server and a real worker with short
// schedules: a unit on an incident whose last fix is old raises one critical stale_unit alert
// (however many runs of the job see it) and a new fix clears it; a source with a regular rhythm
// that stops raises one feed_silent alert, cleared when the source sends again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../server/config.js';
import { startWorker, type WorkerHandle } from '../../server/jobs/worker-runtime.js';
import { as, type Client } from '../helpers/auth.js';
import { demoTree, gridCenter } from '../helpers/geo.js';
import { call, durableClient, eventually, ingestOk, reportAt, sleep } from '../helpers/requests.js';
import { ce, startStack, type Stack } from '../helpers/stack.js';

const until = eventually;
const grid = (n: number) => demoTree().idsAt('grid')[n]!;

async function entries(r: Redis, type: string): Promise<any[]> {
  const raw = (await r.xrange('log', '-', '+')) as [string, string[]][];
  return raw.map(([seq, f]) => ({ seq, ...JSON.parse(f[1]!) })).filter((e) => e.type === type);
}
const raisesOf = async (r: Redis, kind: string, subject: string) =>
  (await entries(r, 'alert.raised')).filter((e) => e.data.kind === kind && e.data.subject === subject);
const clearsOf = async (r: Redis, alertId: string) => (await entries(r, 'alert.cleared')).filter((e) => e.data.alertId === alertId);

describe('stale units and silent feeds', () => {
  let s: Stack;
  let r: Redis;
  let dir: string;
  let coord: Client;
  let worker: WorkerHandle;
  const alerts = async (state: string) => (await coord.get(`/alerts?state=${state}&limit=500`)).body.items as any[];
  const alertOf = (kind: string, subject: string, state: string) =>
    until(`the ${kind} alert of ${subject} (${state})`, async () => (await alerts(state)).find((a) => a.kind === kind && a.subject === subject));

  beforeAll(async () => {
    s = await startStack();
    r = durableClient(s);
    dir = mkdtempSync(join(tmpdir(), 'pingan-health-'));
    coord = await as(s, 'coordinator');
    const config = parseConfig({ REDIS_URL: s.redis.url, TELEMETRY_REDIS_URL: s.telemetry.url, ARCHIVE_DIR: dir, DEMO: '1', LOG_LEVEL: 'silent' });
    worker = await startWorker(config, {
      workerId: 'health', tree: demoTree(), log: () => undefined,
      timers: { ackTimeoutMs: 600_000, escalateAfterMs: 600_000, slaTargetSeconds: () => 3600 },
      health: {
        staleUnitsEveryMs: 250, silentFeedsEveryMs: 250, staleUnitMs: 2000,
        feed: { factor: 3, minSilentMs: 1500, minObservations: 5 },
      },
    });
  });
  afterAll(async () => {
    await worker?.close();
    r?.disconnect();
    await s?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('raises one critical stale_unit alert for a unit on an incident with an old fix, and clears it on a new fix', async () => {
    await ingestOk(s, [reportAt('H-INC', 30, { priority: 2 }), ce('unit.registered', { unitId: 'HU-1', callsign: '巡1', homeGrid: grid(30) })]);
    const inc = await coord.get('/incidents/H-INC');
    const res = await call(s, '/incidents/H-INC/dispatch', {
      method: 'POST', cookie: coord.cookie, headers: { origin: s.url }, body: { unitIds: ['HU-1'], expectedVersion: inc.body.version },
    });
    expect(res.status, res.text).toBe(200);
    // its last fix is a minute old
    const c = gridCenter(30);
    const oldAt = new Date(Date.now() - 60_000).toISOString();
    await ingestOk(s, [ce('unit.position', { unitId: 'HU-1', lat: c.lat, lon: c.lon }, { time: oldAt })]);

    const alert = await alertOf('stale_unit', 'unit:HU-1', 'open');
    expect(alert).toMatchObject({
      severity: 'critical', scope: grid(30), state: 'open',
      evidence: { unitId: 'HU-1', callsign: '巡1', status: 'dispatched', lastFixAt: oldAt, incidentId: 'H-INC' },
    });
    expect(alert.evidence.silentSeconds).toBeGreaterThanOrEqual(60);
    // many more runs of the job: still one alert
    await sleep(1200);
    expect(await raisesOf(r, 'stale_unit', 'unit:HU-1')).toHaveLength(1);

    await ingestOk(s, [ce('unit.position', { unitId: 'HU-1', lat: c.lat + 0.001, lon: c.lon })]);
    const cleared = await alertOf('stale_unit', 'unit:HU-1', 'cleared');
    expect(cleared.id).toBe(alert.id);
    expect(await clearsOf(r, alert.id)).toHaveLength(1);
  });

  it('does not raise for a unit that never sent a fix and is not on an incident', async () => {
    await ingestOk(s, [ce('unit.registered', { unitId: 'HU-ROSTER', homeGrid: grid(31) })]);
    await sleep(2800);
    expect(await raisesOf(r, 'stale_unit', 'unit:HU-ROSTER')).toHaveLength(0);
  });

  it('raises one feed_silent alert when a regular source stops, and clears it when it sends again', async () => {
    await ingestOk(s, [ce('unit.registered', { unitId: 'HU-GW', homeGrid: grid(32) })]);
    const c = gridCenter(32);
    const beat = () => ingestOk(s, [ce('unit.position', { unitId: 'HU-GW', lat: c.lat, lon: c.lon }, { source: 'gw/rhythm' })]);
    for (let i = 0; i < 8; i++) {
      await beat();
      await sleep(150);
    }
    // the rhythm is recorded per source
    const feed = await until('the feed record', async () => {
      const h = await r.hgetall('feed:gw/rhythm');
      return Number(h.n) >= 7 ? h : null;
    });
    expect(Number(feed.gap)).toBeGreaterThan(100);
    expect(Number(feed.gap)).toBeLessThan(1000);
    expect(await r.zscore('feeds', 'gw/rhythm')).toBe(feed.last);
    // still within its allowance right after the last batch
    expect(await raisesOf(r, 'feed_silent', 'feed:gw/rhythm')).toHaveLength(0);

    const alert = await alertOf('feed_silent', 'feed:gw/rhythm', 'open');
    expect(alert).toMatchObject({
      severity: 'warning', scope: demoTree().cityId, state: 'open',
      evidence: { source: 'gw/rhythm', lastAt: new Date(Number(feed.last)).toISOString() },
    });
    expect(alert.evidence.silentSeconds).toBeGreaterThanOrEqual(1);
    await sleep(800);
    expect(await raisesOf(r, 'feed_silent', 'feed:gw/rhythm')).toHaveLength(1);

    await beat();
    const cleared = await alertOf('feed_silent', 'feed:gw/rhythm', 'cleared');
    expect(cleared.id).toBe(alert.id);
    expect(await clearsOf(r, alert.id)).toHaveLength(1);
  });
});
