// Risk indicators (DESIGN §8) against real Redis, a real server, a real worker and a real
// Socket.IO client: reports lead to `indicator.updated` on the socket and in GET /indicators;
// a storm of 1,000 reports on one cell never has more than one active and one waiting job for
// it, and ends at the value an offline recompute gives; a job run twice appends one entry.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellIndicator } from '../../shared/risk.js';
import { parseConfig } from '../../server/config.js';
import { chainAt } from '../../server/governance/case-reducer.js';
import { factWriter } from '../../server/jobs/fact-writer.js';
import { createRiskJobs } from '../../server/jobs/risk-jobs.js';
import { cellDedupId, openRiskQueue, type RiskQueue } from '../../server/jobs/risk-queue.js';
import { startWorker, type WorkerHandle } from '../../server/jobs/worker-runtime.js';
import { commandConnection } from '../../server/redis/connections.js';
import { buildNeighbourIndex } from '../../server/risk/cell-neighbours.js';
import { createCellScorer } from '../../server/risk/cell-score.js';
import { parseStored } from '../../server/risk/indicator-values.js';
import { keys } from '../../server/store/keys.js';
import { PositionStore } from '../../server/telemetry/positions.js';
import { as, type Client } from '../helpers/auth.js';
import { demoTree, gridCenter } from '../helpers/geo.js';
import { connectLive, type Recorder } from '../helpers/live-client.js';
import { durableClient, eventually, ingestOk, reportAt } from '../helpers/requests.js';
import { startStack, type Stack } from '../helpers/stack.js';

const tree = demoTree();
const HOUR = 3_600_000;

describe('risk indicators', () => {
  let s: Stack;
  let r: Redis;
  let dir: string;
  let coord: Client;
  let worker: WorkerHandle;
  let queue: RiskQueue;
  let live: Recorder;
  // the worker's clock stands still, so an offline recompute can use the very same instant
  const now = Date.now();

  const stored = async (gridId: string): Promise<CellIndicator | null> => parseStored(await r.hget(keys.riskIndicators, gridId))?.cell ?? null;
  const indicatorEntries = async () => ((await r.xrange('log', '-', '+')) as [string, string[]][])
    .map(([seq, f]) => ({ seq, ...JSON.parse(f[1]!) }))
    .filter((e) => e.type === 'indicator.updated');

  beforeAll(async () => {
    s = await startStack();
    r = durableClient(s);
    dir = mkdtempSync(join(tmpdir(), 'pingan-risk-'));
    coord = await as(s, 'coordinator');
    queue = openRiskQueue(s.redis.url);
    const config = parseConfig({ REDIS_URL: s.redis.url, TELEMETRY_REDIS_URL: s.telemetry.url, ARCHIVE_DIR: dir, DEMO: '1', LOG_LEVEL: 'silent' });
    worker = await startWorker(config, {
      workerId: 'risk', tree, log: () => undefined,
      timers: { ackTimeoutMs: 600_000, escalateAfterMs: 600_000, slaTargetSeconds: () => 3600 },
      risk: { fullPassEveryMs: 24 * HOUR, now: () => now },
    });
    live = connectLive(s.url, coord.cookie);
    await eventually('the live hello', async () => live.hello);
  });
  afterAll(async () => {
    live?.close();
    await worker?.close();
    await queue?.close();
    r?.disconnect();
    await s?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('turns reports into indicator.updated on the socket and GET /indicators, rolled up to the district', async () => {
    const { gridId } = gridCenter(12);
    const district = chainAt(tree.chain(gridId), 'district')!;
    await ingestOk(s, [reportAt('RISK-A1', 12, { category: 'assault' }), reportAt('RISK-A2', 12, { category: 'theft' }), reportAt('RISK-T1', 12, { category: 'traffic' })]);
    const cell = await eventually('indicator.updated for the cell on the socket', async () => {
      for (const e of live.entries()) {
        if (e.type !== 'indicator.updated') continue;
        const c = (e.data.cells as CellIndicator[]).find((x) => x.id === gridId && x.terms.crime.events === 2);
        if (c) return { entry: e, cell: c };
      }
      return null;
    });
    expect(cell.entry.data.district).toBe(district);
    expect(cell.entry.id).toMatch(new RegExp(`^indicator:${district}:[0-9a-f]{40}$`));
    // two crime reports (the traffic accident does not count), the newest first among the drivers
    expect(cell.cell.crimeRisk).toBeGreaterThan(0);
    expect(new Set(cell.cell.drivers)).toEqual(new Set(['RISK-A1', 'RISK-A2']));

    const grid = await coord.get(`/indicators?level=grid&scope=${district}`);
    expect(grid.status).toBe(200);
    const row = grid.body.items.find((x: any) => x.id === gridId);
    expect(row).toMatchObject({ level: 'grid', crimeRisk: cell.cell.crimeRisk, cells: 1 });
    expect(row.name).toBe(tree.get(gridId)!.name);
    const up = await coord.get(`/indicators?level=district`);
    const d = up.body.items.find((x: any) => x.id === district);
    const inDistrict = grid.body.items.reduce((sum: number, x: any) => sum + x.crimeRisk, 0);
    expect(d.crimeRisk).toBeCloseTo(inDistrict, 4);
    expect(d.drivers).toContain(gridId);

    const bad = await coord.get('/indicators?level=planet');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('level');
  });

  it('a storm of 1,000 reports on one cell keeps at most one active and one waiting job, and ends at the offline recompute', async () => {
    const n = 40;
    const { gridId } = gridCenter(n);
    let maxActive = 0;
    let maxWaiting = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const jobs = await queue.getJobs(['active', 'waiting', 'prioritized', 'delayed']);
        const mine = await Promise.all(jobs.filter((j) => j.data.cellId === gridId).map(async (j) => j.getState()));
        maxActive = Math.max(maxActive, mine.filter((x) => x === 'active').length);
        maxWaiting = Math.max(maxWaiting, mine.filter((x) => x !== 'active').length);
        await new Promise((res) => setTimeout(res, 5));
      }
    })();
    for (let b = 0; b < 10; b++) {
      await ingestOk(s, Array.from({ length: 100 }, (_, i) => reportAt(`STORM-${b}-${i}`, n, { category: 'assault' })));
    }
    const final = await eventually('the cell at 1,000 reports', async () => {
      const c = await stored(gridId);
      return c && c.terms.crime.events === 1000 ? c : null;
    }, 30_000);
    // and no job left for it
    await eventually('the cell queue drained', async () => {
      const jobs = await queue.getJobs(['active', 'waiting', 'prioritized', 'delayed']);
      return !jobs.some((j) => j.data.cellId === gridId);
    });
    sampling = false;
    await sampler;
    expect(maxActive + maxWaiting).toBeGreaterThan(0); // the sampler saw the cell's jobs
    expect(maxActive).toBeLessThanOrEqual(1);
    expect(maxWaiting).toBeLessThanOrEqual(1);
    expect(await r.exists(`bull:risk:de:${cellDedupId(gridId)}`)).toBe(0);

    // offline: the same scorer over the same reports at the same instant
    const scorer = createCellScorer();
    const nb = buildNeighbourIndex(tree).of(gridId);
    const timesOf = async (g: string) => (await r.zrange(keys.riskCrime(g), 0, -1, 'WITHSCORES')).filter((_, i) => i % 2 === 1).map(Number);
    const clock = { now, tzOffsetMinutes: 480 };
    const rate = async (g: string) => scorer.rate(await timesOf(g), clock).total;
    const offline = scorer.combine(scorer.rate(await timesOf(gridId), clock), await Promise.all(nb.edge.map(rate)), await Promise.all(nb.corner.map(rate)));
    expect(final.crimeRisk).toBe(Math.round(offline.crimeRisk * 1e4) / 1e4);
    expect(final.terms.crime.events).toBe(1000);
  }, 120_000);

  it('a cell job run twice at once, or again, appends one entry', async () => {
    const { gridId } = gridCenter(55);
    await ingestOk(s, [reportAt('TWICE-1', 55, { category: 'robbery' })]);
    await eventually('the first indicator', async () => (await stored(gridId))?.terms.crime.events === 1);
    // a second report lands in the cell without the worker seeing it (written as the commit would)
    await r.zadd(keys.riskCrime(gridId), now - HOUR, 'TWICE-2');
    const before = (await indicatorEntries()).length;
    const telemetry = commandConnection(s.telemetry.url);
    const durable = commandConnection(s.redis.url);
    await Promise.all([telemetry, durable].map((c) => (c.status === 'ready' ? null : new Promise((res) => c.once('ready', res)))));
    const jobs = createRiskJobs({
      redis: durable,
      write: factWriter({ redis: durable, tree, positions: new PositionStore(telemetry, durable), minId: () => null, replicaAck: false }, 'worker/risk'),
      neighbours: buildNeighbourIndex(tree), scorer: createCellScorer(), now: () => now, tzOffsetMinutes: () => 480,
    });
    const runs = await Promise.all([jobs.cell(gridId), jobs.cell(gridId)]);
    const again = await jobs.cell(gridId);
    telemetry.disconnect();
    durable.disconnect();
    const added = (await indicatorEntries()).slice(before).filter((e) => e.data.cells.some((c: any) => c.id === gridId));
    expect(added).toHaveLength(1);
    expect(runs.map((x) => x.entries).sort()).toEqual([0, 1]);
    expect(again.entries).toBe(0);
    expect((await stored(gridId))?.terms.crime.events).toBe(2);
  });
});
