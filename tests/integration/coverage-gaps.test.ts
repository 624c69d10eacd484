// Patrol coverage gaps (DESIGN §8) against real Redis, a real server and a real worker, with the
// window shortened to seconds: the top-risk cell of a full risk pass, unpatrolled for a whole
// window, raises one coverage_gap alert (however often the job runs); a unit on duty standing
// in the cell for long enough clears it, and a check-in counts its dwell.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coverageSubject } from '../../server/alerts/coverage-rules.js';
import { parseConfig } from '../../server/config.js';
import { chainAt } from '../../server/governance/case-reducer.js';
import { MAINTENANCE_JOBS, openMaintenanceQueue } from '../../server/jobs/queues.js';
import { startWorker, type WorkerHandle } from '../../server/jobs/worker-runtime.js';
import { keys } from '../../server/store/keys.js';
import { as, type Client } from '../helpers/auth.js';
import { demoTree, gridCenter } from '../helpers/geo.js';
import { durableClient, eventually, ingestOk, reportAt } from '../helpers/requests.js';
import { ce, startStack, type Stack } from '../helpers/stack.js';

const tree = demoTree();
const WINDOW = 3_000;

async function entries(r: Redis, type: string): Promise<any[]> {
  const raw = (await r.xrange('log', '-', '+')) as [string, string[]][];
  return raw.map(([seq, f]) => ({ seq, ...JSON.parse(f[1]!) })).filter((e) => e.type === type);
}

describe('patrol coverage gaps', () => {
  let s: Stack;
  let r: Redis;
  let dir: string;
  let coord: Client;
  let worker: WorkerHandle;
  let maintenance: ReturnType<typeof openMaintenanceQueue>;
  const hot = gridCenter(20);
  const subject = coverageSubject(hot.gridId);

  beforeAll(async () => {
    s = await startStack();
    r = durableClient(s);
    dir = mkdtempSync(join(tmpdir(), 'pingan-coverage-'));
    coord = await as(s, 'coordinator');
    maintenance = openMaintenanceQueue(s.redis.url);
    const config = parseConfig({ REDIS_URL: s.redis.url, TELEMETRY_REDIS_URL: s.telemetry.url, ARCHIVE_DIR: dir, DEMO: '1', LOG_LEVEL: 'silent' });
    worker = await startWorker(config, {
      workerId: 'coverage', tree, log: () => undefined,
      timers: { ackTimeoutMs: 600_000, escalateAfterMs: 600_000, slaTargetSeconds: () => 3600 },
      risk: { fullPassEveryMs: 24 * 3_600_000 },
      coverage: { rule: { windowMs: WINDOW, minPresenceMs: 2_000, sampleEveryMs: 500, checkinDefaultMs: 2_500 } },
    });
  });
  afterAll(async () => {
    await worker?.close();
    await maintenance?.close();
    r?.disconnect();
    await s?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const raises = async () => (await entries(r, 'alert.raised')).filter((e) => e.data.subject === subject);
  const clears = async (alertId: string) => (await entries(r, 'alert.cleared')).filter((e) => e.data.alertId === alertId);

  it('raises one gap for an unpatrolled top-risk cell, clears it once a unit has stood there long enough', async () => {
    // the hot cell: many reports; another cell with one, so the ranking has more than one cell
    await ingestOk(s, [
      ...Array.from({ length: 6 }, (_, i) => reportAt(`COV-${i}`, 20, { category: 'robbery' })),
      reportAt('COV-OTHER', 70, { category: 'theft' }),
    ]);
    await eventually('the cell indicators', async () => (await r.hlen(keys.riskIndicators)) >= 2);
    await maintenance.add(MAINTENANCE_JOBS.riskFull, {}, { jobId: 'risk-full-test' });
    await eventually('the hot cell among the top-risk cells', async () => (await r.zscore(keys.riskTop, hot.gridId)) !== null);

    const raised = await eventually('the coverage gap alert', async () => (await raises())[0], 20_000);
    expect(raised.data).toMatchObject({ kind: 'coverage_gap', severity: 'warning', scope: chainAt(tree.chain(hot.gridId), 'district') });
    expect(raised.data.evidence).toMatchObject({ gridId: hot.gridId, presenceMinutes: 0, lastVisitAt: null });
    const open = await coord.get('/alerts?state=open&limit=500');
    expect(open.body.items.filter((a: any) => a.subject === subject)).toHaveLength(1);

    // a unit on duty arrives and keeps reporting its position in the cell
    await ingestOk(s, [ce('unit.registered', { unitId: 'COV-U1', callsign: '巡9', homeGrid: hot.gridId })]);
    let standing = true;
    const stand = (async () => {
      while (standing) {
        await ingestOk(s, [ce('unit.position', { unitId: 'COV-U1', lat: hot.lat, lon: hot.lon })]);
        await new Promise((res) => setTimeout(res, 250));
      }
    })();
    try {
      await eventually('the gap cleared', async () => (await clears(raised.data.alertId)).length === 1, 20_000);
    } finally {
      standing = false;
      await stand;
    }
    // a few more runs while covered: still one raise, one clear
    await new Promise((res) => setTimeout(res, 1_200));
    expect(await raises()).toHaveLength(1);
    expect(await clears(raised.data.alertId)).toHaveLength(1);
    expect((await coord.get(`/alerts?state=cleared&limit=500`)).body.items.some((a: any) => a.id === raised.data.alertId)).toBe(true);
  }, 60_000);

  it('counts a check-in with its dwell as presence', async () => {
    // the unit has left: the next gap in the same cell is a new episode with its own id
    const second = await eventually('a second gap after the unit left', async () => (await raises())[1], 20_000);
    expect(second.data.alertId).not.toBe((await raises())[0].data.alertId);
    expect(second.data.evidence.lastVisitAt).not.toBeNull();
    // a check-in of 2.5 s (above the 2 s minimum) covers the cell
    await ingestOk(s, [ce('patrol.checkin', { unitId: 'COV-U1', location: { lat: hot.lat, lon: hot.lon }, dwellSeconds: 2.5 })]);
    expect(await r.zcard(keys.patrolCheckins(hot.gridId))).toBe(1);
    await eventually('the second gap cleared by the check-in', async () => (await clears(second.data.alertId)).length === 1, 10_000);
  }, 60_000);
});
