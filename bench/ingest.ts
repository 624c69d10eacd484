// DESIGN §10 ingest budgets, as ratios against references run in this same process:
//   batch:  100 facts per HTTP request ÷ the same commit script pipelined from Node (≥ 0.35)
//   single: 1 fact per HTTP request ÷ a bare node:http handler doing the same commit (≥ 0.5)
//   positions: fixes accepted per second in batches of 500 (≥ 20,000/s)
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { parseConfig } from '../server/config.js';
import { loadJurisdictions } from '../server/geo/tree.js';
import { planFact } from '../server/ingest/plan.js';
import { validateEvent } from '../server/ingest/validate.js';
import { payloadHash } from '../server/ingest/payload-hash.js';
import { createLogger } from '../server/logger.js';
import { commandConnection } from '../server/redis/connections.js';
import { startServer } from '../server/runtime.js';
import { commit, type CommitEntry } from '../server/store/commit.js';
import { DEDUPE_TTL_SECONDS, keys } from '../server/store/keys.js';
import { benchRedis, report, runLoad } from './lib.js';

const KEY = 'bench-key-0123456789abcdef';
const tree = loadJurisdictions();
const grids = tree.idsAt('grid');

function center(gridId: string): { lat: number; lon: number } {
  const f = tree.collection.features.find((x) => x.properties.id === gridId)!;
  const ring = f.geometry.type === 'Polygon' ? f.geometry.coordinates[0]! : f.geometry.coordinates[0]![0]!;
  const pts = ring.slice(0, -1);
  return { lon: pts.reduce((s, p) => s + p[0]!, 0) / pts.length, lat: pts.reduce((s, p) => s + p[1]!, 0) / pts.length };
}
const centers = grids.slice(0, 200).map(center);

let n = 0;
function incident(tag: string) {
  n += 1;
  return {
    specversion: '1.0', id: `${tag}-${n}`, source: `bench/${tag}`, type: 'incident.reported', time: new Date().toISOString(),
    data: { incidentId: `${tag}-I${n}`, category: 'theft', priority: 1 + (n % 4), location: centers[n % centers.length], address: '中山路 100 号', summary: '报警人称电动车被盗' },
  };
}

/** The commit entry the server would build for a fresh incident (planned before timing). */
function planned(raw: ReturnType<typeof incident>): CommitEntry {
  const v = validateEvent(raw, Date.now());
  if (!v.ok) throw new Error('bench event invalid');
  const p = planFact(v.event, new Map(), { tree, receivedAt: new Date(), lastFix: () => null });
  if (!p.ok) throw new Error(p.message);
  return { dedupe: { key: keys.dedupe(raw.source, raw.id), hash: payloadHash(raw), ttlSeconds: DEDUPE_TTL_SECONDS }, ...p.commit };
}

async function post(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/cloudevents-batch+json', authorization: `Bearer ${KEY}` }, body: JSON.stringify(body) });
  if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
  await res.arrayBuffer();
}

export async function benchIngest(): Promise<void> {
  const r = await benchRedis();
  const config = parseConfig({ REDIS_URL: r.durable.url, TELEMETRY_REDIS_URL: r.telemetry.url, PORT: '0', HOST: '127.0.0.1', INGEST_KEYS: KEY, LOG_LEVEL: 'warn', INGEST_RATE_REQUESTS: '1000000', INGEST_RATE_EVENTS: '100000000' });
  const server = await startServer(config, { log: createLogger('warn'), tree });
  const script = commandConnection(r.durable.url, 'bench');
  const flush = new Redis(r.durable.url);
  try {
    // --- batch of 100 per request vs the script pipelined from Node
    const BATCHES = 150;
    const CONC = 4;
    await runLoad(10, 2, () => post(`${server.url}/api/v1/events`, Array.from({ length: 100 }, () => incident('warm'))));
    const bodies = Array.from({ length: BATCHES }, () => Array.from({ length: 100 }, () => incident('http')));
    const httpBatch = await runLoad(BATCHES, CONC, (i) => post(`${server.url}/api/v1/events`, bodies[i]));
    const refEntries = Array.from({ length: BATCHES }, () => Array.from({ length: 100 }, () => planned(incident('ref'))));
    const refBatch = await runLoad(BATCHES, CONC, async (i) => {
      const out = await commit(script, refEntries[i]!, { minId: null });
      if (out.results.length !== 100) throw new Error('reference commit incomplete');
    });
    const batch = { httpEventsPerSec: (BATCHES * 100) / httpBatch, refEventsPerSec: (BATCHES * 100) / refBatch };

    // --- one fact per request vs a bare node:http handler doing the same commit
    const SINGLES = 1500;
    const SCONC = 8;
    const singleBodies = Array.from({ length: SINGLES }, () => [incident('one')]);
    const httpSingle = await runLoad(SINGLES, SCONC, (i) => post(`${server.url}/api/v1/events`, singleBodies[i]));
    const bare = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const [ev] = JSON.parse(Buffer.concat(chunks).toString()) as ReturnType<typeof incident>[];
        commit(script, [planned(ev!)], { minId: null }).then((o) => {
          res.writeHead(202, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ accepted: [{ id: ev!.id, seq: o.results[0]!.seq }] }));
        }, () => { res.writeHead(503); res.end(); });
      });
    });
    await new Promise<void>((ok) => bare.listen(0, '127.0.0.1', ok));
    const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`;
    const bareBodies = Array.from({ length: SINGLES }, () => [incident('bare')]);
    const refSingle = await runLoad(SINGLES, SCONC, (i) => post(bareUrl, bareBodies[i]));
    bare.close();
    const single = { httpRequestsPerSec: SINGLES / httpSingle, refRequestsPerSec: SINGLES / refSingle };

    // --- positions in batches of 500 for 2,000 units
    await flush.del('log');
    const UNITS = 2000;
    const reg = Array.from({ length: UNITS }, (_, i) => ({
      specversion: '1.0', id: `reg-${i}`, source: 'bench/roster', type: 'unit.registered', data: { unitId: `U${i}`, kind: 'car', homeGrid: grids[i % grids.length] },
    }));
    for (let i = 0; i < UNITS; i += 500) await post(`${server.url}/api/v1/events`, reg.slice(i, i + 500));
    const PBATCHES = 120;
    const t0 = Date.now() - 600_000;
    const pbodies = Array.from({ length: PBATCHES }, (_, b) => Array.from({ length: 500 }, (_, j) => {
      const k = b * 500 + j;
      const c = centers[k % centers.length]!;
      return { specversion: '1.0', id: `p-${k}`, source: 'bench/gps', type: 'unit.position', time: new Date(t0 + k * 10).toISOString(), data: { unitId: `U${k % UNITS}`, lat: c.lat, lon: c.lon, speed: 8, heading: 90 } };
    }));
    const posSecs = await runLoad(PBATCHES, 4, (i) => post(`${server.url}/api/v1/events`, pbodies[i]));
    const positions = { fixesPerSec: (PBATCHES * 500) / posSecs, target: 20_000 };

    report('ingest', {
      batch: { ...batch, ratio: batch.httpEventsPerSec / batch.refEventsPerSec, target: 0.35 },
      single: { ...single, ratio: single.httpRequestsPerSec / single.refRequestsPerSec, target: 0.5 },
      positions,
    });
  } finally {
    script.disconnect();
    flush.disconnect();
    await server.close();
    await r.stop();
  }
}
