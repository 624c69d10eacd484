// Risk recompute (DESIGN §10; issue 7: a full recompute of about 15,000 active cells over 150,000
// events ≤ 2 s, one cell ≤ 5 ms). Absolute figures, reported, never asserted.
//   tree: four square districts of 9 km filled with 150 m cells (the KML/boundary path of
//         server/geo/square-grid.ts): 14,400 grids
//   data: 150,000 crime reports over the last 4 years in 15,000-ish cells (a skewed spread, so
//         a few cells are hot), seeded straight into the per-cell inputs the commit maintains
//   full: server/jobs/risk-jobs.ts fullPass against a real Redis with the real commit path —
//         the first pass (every cell new: ~14k cells appended in ~40 entries) and a second one
//         (nothing changed: read, score, compare)
//   cell: one cell job (reads the cell and its 8 neighbours, scores, compares) over 300 cells
//   pure: scoring alone (no I/O) of every cell, for comparison
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Boundary } from '../server/geo/kml.js';
import { mulberry32 } from '../server/geo/prng.js';
import { treeFromBoundaries } from '../server/geo/square-grid.js';
import { buildJurisdictionTree } from '../server/geo/tree.js';
import { factWriter } from '../server/jobs/fact-writer.js';
import { createRiskJobs } from '../server/jobs/risk-jobs.js';
import { commandConnection } from '../server/redis/connections.js';
import { buildNeighbourIndex } from '../server/risk/cell-neighbours.js';
import { createCellScorer, DAY_MS } from '../server/risk/cell-score.js';
import { keys } from '../server/store/keys.js';
import { PositionStore } from '../server/telemetry/positions.js';
import { benchRedis, report } from './lib.js';

const EVENTS = 150_000;
const ACTIVE = 15_000;
const TARGET_FULL_S = 2;
const TARGET_CELL_MS = 5;
const CELL_SAMPLES = 300;

const r3 = (x: number) => Math.round(x * 1000) / 1000;
function quantiles(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
  return { p50Ms: r3(q(0.5)), p99Ms: r3(q(0.99)), maxMs: r3(s[s.length - 1]!) };
}

function square(name: string, lon0: number, lat0: number, km: number): Boundary {
  const dLat = km / 110.54;
  const dLon = km / (111.32 * Math.cos((lat0 * Math.PI) / 180));
  return {
    name, properties: {},
    geometry: { type: 'Polygon', coordinates: [[[lon0, lat0], [lon0 + dLon, lat0], [lon0 + dLon, lat0 + dLat], [lon0, lat0 + dLat], [lon0, lat0]]] },
  };
}

export async function benchRisk(): Promise<void> {
  const load0 = loadavg()[0];
  const lon0 = 114.2;
  const lat0 = 30.5;
  const dLat = 9 / 110.54;
  const dLon = 9 / (111.32 * Math.cos((lat0 * Math.PI) / 180));
  const t0 = performance.now();
  const tree = buildJurisdictionTree(treeFromBoundaries([
    square('1', lon0, lat0, 9), square('2', lon0 + dLon, lat0, 9), square('3', lon0, lat0 + dLat, 9), square('4', lon0 + dLon, lat0 + dLat, 9),
  ], { cellMeters: 150, cityName: 'Bench' }));
  const treeMs = performance.now() - t0;
  const grids = tree.idsAt('grid');
  const neighbours = buildNeighbourIndex(tree);

  // ~15,000 active cells (all of them, at 14,400), events skewed towards a few hot cells
  const rand = mulberry32(7);
  const active = grids.slice(0, Math.min(ACTIVE, grids.length));
  const now = Date.now();
  const byCell = new Map<string, number[]>();
  for (let i = 0; i < EVENTS; i++) {
    const cell = active[Math.floor(active.length * rand() ** 2)]!;
    const t = now - rand() * 4 * 365 * DAY_MS;
    const list = byCell.get(cell);
    if (list) list.push(t); else byCell.set(cell, [t]);
  }

  const redisPair = await benchRedis();
  const redis = commandConnection(redisPair.durable.url, 'bench');
  const telemetry = commandConnection(redisPair.telemetry.url, 'bench-telemetry');
  try {
    await new Promise((res) => (redis.status === 'ready' ? res(null) : redis.once('ready', res)));
    await new Promise((res) => (telemetry.status === 'ready' ? res(null) : telemetry.once('ready', res)));
    let n = 0;
    let p = redis.pipeline();
    for (const [cell, times] of byCell) {
      p.zadd(keys.riskCrime(cell), ...times.flatMap((t, k) => [t, `B-${cell}-${k}`]));
      p.sadd(keys.riskCells, cell);
      if (++n % 500 === 0) {
        await p.exec();
        p = redis.pipeline();
      }
    }
    await p.exec();

    const jobs = createRiskJobs({
      redis,
      write: factWriter({ redis, tree, positions: new PositionStore(telemetry, redis), minId: () => null, replicaAck: false }, 'worker/risk'),
      neighbours, scorer: createCellScorer(), now: () => now, tzOffsetMinutes: () => 480,
    });
    const first = await jobs.fullPass();
    const second = await jobs.fullPass();
    const third = await jobs.fullPass();

    const cellMs: number[] = [];
    const sample = [...byCell.keys()].filter((_, i) => i % Math.max(1, Math.floor(byCell.size / CELL_SAMPLES)) === 0).slice(0, CELL_SAMPLES);
    for (const c of sample) {
      const s = performance.now();
      await jobs.cell(c);
      cellMs.push(performance.now() - s);
    }

    // pure scoring of every cell, no I/O
    const scorer = createCellScorer();
    const clock = { now, tzOffsetMinutes: 480 };
    const ps = performance.now();
    const rates = new Map<string, number>();
    for (const [c, times] of byCell) rates.set(c, scorer.rate(times, clock).total);
    for (const [c, times] of byCell) {
      const nb = neighbours.of(c);
      scorer.combine(scorer.rate(times, clock), nb.edge.map((x) => rates.get(x) ?? 0), nb.corner.map((x) => rates.get(x) ?? 0));
    }
    const pureMs = performance.now() - ps;

    const steady = Math.min(second.ms, third.ms) / 1000;
    const cell = quantiles(cellMs);
    process.stdout.write(`  ${grids.length} grids (tree ${Math.round(treeMs)} ms), ${byCell.size} active cells, ${EVENTS} events: ` +
      `first full pass ${(first.ms / 1000).toFixed(2)} s (${first.changed} cells in ${first.entries} entries), ` +
      `steady ${steady.toFixed(2)} s (≤ ${TARGET_FULL_S} s: ${steady <= TARGET_FULL_S ? 'met' : 'missed'}); one cell p50 ${cell.p50Ms} ms p99 ${cell.p99Ms} ms ` +
      `(≤ ${TARGET_CELL_MS} ms: ${cell.p50Ms <= TARGET_CELL_MS ? 'met' : 'missed'}); pure scoring ${Math.round(pureMs)} ms\n`);
    report('risk', {
      grids: grids.length, activeCells: byCell.size, events: EVENTS, treeMs: Math.round(treeMs),
      fullPass: { firstSeconds: first.ms / 1000, firstChanged: first.changed, firstEntries: first.entries, steadySeconds: steady, targetSeconds: TARGET_FULL_S, met: steady <= TARGET_FULL_S },
      oneCell: { ...cell, samples: cellMs.length, targetMs: TARGET_CELL_MS, met: cell.p50Ms <= TARGET_CELL_MS },
      pureScoringMs: Math.round(pureMs),
      machine: { cpus: cpus().length, loadavgBefore: load0, loadavgAfter: loadavg()[0] },
    });
  } finally {
    redis.disconnect();
    telemetry.disconnect();
    await redisPair.stop();
  }
}
