// Recommendation latency (DESIGN §7; issue: 2,000 units and 200 open incidents, p50/p99, aim for
// p99 ≤ 20 ms here). Absolute figures, reported, never asserted.
//   pure: recommendUnits (server/incidents/recommend.ts) ranking 2,000 candidates for each of 200
//         incidents, several rounds
//   http: GET /api/v1/incidents/:id/recommendations on a real server (in this process, as in
//         bench/ingest.ts) with 2,000 registered units with fresh fixes spread over the demo city
//         and 200 open incidents; sequential requests over the 200 incidents, several rounds, timed
//         from the client's send to the last byte of the answer; limit 10 (what the console asks)
//         and 50 (the API default: the widening geo search reads more units for more results)
//   every-unit stages, for comparison: reading every unit in scope and its fix (the path before
//         the widening search), step by step, plus encoding the answer
// The machine is shared: loadavg before and after is in the result.
import { cpus, loadavg } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Incident, Unit } from '../shared/objects.js';
import { parseConfig } from '../server/config.js';
import { loadJurisdictions } from '../server/geo/tree.js';
import { mulberry32 } from '../server/geo/prng.js';
import { recommendUnits, type Candidate } from '../server/incidents/recommend.js';
import { createLogger } from '../server/logger.js';
import { startServer, type RunningServer } from '../server/runtime.js';
import { keys, telemetryKeys } from '../server/store/keys.js';
import { logHead } from '../server/store/log.js';
import { readObject, readObjects } from '../server/store/objects.js';
import { unitsInScopes, withFreshestFix } from '../server/store/unit-queries.js';
import { benchRedis, gridCentres, report } from './lib.js';

const KEY = 'bench-recommend-key-0123456789';
const PASSWORD = 'bench-recommend-pass-123';
const UNITS = 2000;
const INCIDENTS = 200;
const ROUNDS = 5;
const TARGET_P99_MS = 20;
const KINDS = ['car', 'car', 'bike', 'foot', 'community_patrol'] as const;

const tree = loadJurisdictions();
const grids = tree.idsAt('grid');
const centers = gridCentres(tree);
/** The centre of the k-th grid, spread over the whole city (a stride through the grid list). */
const spreadGrid = (k: number, n: number) => grids[Math.floor((k * grids.length) / n) % grids.length]!;
const centerOf = (g: string) => centers.get(g)!;

const r3 = (x: number) => Math.round(x * 1000) / 1000;
function stats(ms: number[]): { samples: number; p50Ms: number; p99Ms: number; maxMs: number; meanMs: number } {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
  return { samples: s.length, p50Ms: r3(q(0.5)), p99Ms: r3(q(0.99)), maxMs: r3(s[s.length - 1]!), meanMs: r3(s.reduce((a, b) => a + b, 0) / s.length) };
}

/** 2,000 units over the city: home grids spread, fixes jittered around grid centres, `atMs` fresh. */
function roster(atMs: number) {
  const rand = mulberry32(7);
  return Array.from({ length: UNITS }, (_, i) => {
    const home = spreadGrid(i, UNITS);
    const near = spreadGrid(Math.floor(rand() * UNITS), UNITS);
    const c = centerOf(near);
    return {
      unitId: `RU${i}`, callsign: `巡-${i}`, kind: KINDS[i % KINDS.length]!, homeGrid: home, skills: i % 5 === 0 ? ['first_aid'] : [],
      fix: { lat: c.lat + (rand() - 0.5) * 0.004, lon: c.lon + (rand() - 0.5) * 0.004, at: new Date(atMs).toISOString() },
    };
  });
}

const incidents = Array.from({ length: INCIDENTS }, (_, k) => {
  const gridId = spreadGrid(k * 7 + 3, INCIDENTS * 7);
  return { id: `RI-${k}`, gridId, location: centerOf(gridId) };
});

/** Level 1: the pure ranking, 2,000 candidates. */
function pure(): ReturnType<typeof stats> & { candidates: number } {
  const now = Date.now();
  const candidates: Candidate[] = roster(now - 30_000).map((u, i) => ({
    unitId: u.unitId, callsign: u.callsign, kind: u.kind, status: 'available', skills: u.skills, homeGrid: u.homeGrid, fix: u.fix,
    recentDispatches: i % 7, minutesIdle: (i * 13) % 180,
  }));
  for (let w = 0; w < 2; w++) for (const inc of incidents) recommendUnits(inc, candidates, { now, limit: 50 });
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const inc of incidents) {
      const t0 = performance.now();
      const out = recommendUnits(inc, candidates, { now, limit: 50 });
      times.push(performance.now() - t0);
      if (out.items.length !== 50) throw new Error('pure ranking returned too few items');
    }
  }
  return { candidates: candidates.length, ...stats(times) };
}

async function post(url: string, body: unknown): Promise<void> {
  const res = await fetch(`${url}/api/v1/events`, { method: 'POST', headers: { 'content-type': 'application/cloudevents-batch+json', authorization: `Bearer ${KEY}` }, body: JSON.stringify(body) });
  if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  const out = (await res.json()) as { accepted: unknown[] };
  if (out.accepted.length !== (body as unknown[]).length) throw new Error(`ingest accepted ${out.accepted.length} of ${(body as unknown[]).length}`);
}

let seq = 0;
const ce = (type: string, data: Record<string, unknown>, time = new Date().toISOString()) =>
  ({ specversion: '1.0', id: `rb-${process.pid}-${++seq}`, source: 'bench/recommend', type, time, data });

/** Sends every unit's fix again, timed now: a fix counts as fresh for 5 minutes, and a slow run takes longer. */
async function refreshFixes(server: RunningServer): Promise<void> {
  const at = new Date().toISOString();
  const fixes = roster(Date.now()).map((u) => ce('unit.position', { unitId: u.unitId, lat: u.fix.lat, lon: u.fix.lon, speed: 5, heading: 0 }, at));
  for (let i = 0; i < fixes.length; i += 500) await post(server.url, fixes.slice(i, i + 500));
}

/** Registers the roster with fresh fixes and reports the incidents; returns the coordinator's cookie. */
async function seed(server: RunningServer): Promise<string> {
  const units = roster(Date.now());
  const reg = units.map((u) => ce('unit.registered', { unitId: u.unitId, callsign: u.callsign, kind: u.kind, homeGrid: u.homeGrid, skills: u.skills }));
  for (let i = 0; i < reg.length; i += 500) await post(server.url, reg.slice(i, i + 500));
  const inc = incidents.map((x, k) => ce('incident.reported', { incidentId: x.id, category: 'theft', priority: 1 + (k % 4), location: x.location, address: '中山路 100 号' }));
  for (let i = 0; i < inc.length; i += 100) await post(server.url, inc.slice(i, i + 100));
  await refreshFixes(server);
  const res = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'coordinator', password: PASSWORD }) });
  if (res.status !== 200) throw new Error(`login: ${res.status}`);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

interface Answer {
  items: { unitId: string }[];
  unranked: unknown[];
}

/** Level 2: sequential GETs over the 200 incidents, ROUNDS rounds after a warm-up round. */
async function overHttp(server: RunningServer, cookie: string, limit: number): Promise<ReturnType<typeof stats> & {
  requests: number; failed: Record<string, number>; rankedPerAnswer: number; unrankedPerAnswer: number; answerBytes: number;
}> {
  const failed: Record<string, number> = {};
  /** the answer's text, or null (counted by status and error code) when it is not a 200 */
  const get = async (id: string): Promise<string | null> => {
    const res = await fetch(`${server.url}/api/v1/incidents/${id}/recommendations?limit=${limit}`, { headers: { cookie } });
    const text = await res.text();
    if (res.status === 200) return text;
    // e.g. 503 when a Redis command of the request passes the command connection's 1 s timeout
    let code = '';
    try {
      code = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? '';
    } catch { /* not JSON */ }
    const k = `${res.status}${code ? ` ${code}` : ''}`;
    failed[k] = (failed[k] ?? 0) + 1;
    return null;
  };
  let sample: string | null = null;
  for (const inc of incidents) sample = (await get(inc.id)) ?? sample;
  if (sample === null) throw new Error(`every warm-up request failed: ${JSON.stringify(failed)}`);
  const warm = JSON.parse(sample) as Answer;
  if (warm.items.length === 0) throw new Error('no ranked unit: are the fixes fresh?');
  const warmFailed = { ...failed };
  for (const k of Object.keys(failed)) delete failed[k];
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    await refreshFixes(server);
    for (const inc of incidents) {
      const t0 = performance.now();
      const ok = await get(inc.id);
      if (ok !== null) times.push(performance.now() - t0);
    }
  }
  if (Object.keys(warmFailed).length) process.stdout.write(`  (warm-up failures: ${JSON.stringify(warmFailed)})\n`);
  // and still fresh at the end (a fix counts as fresh for 5 minutes): every unit ranked, none apart
  const last = await get(incidents[0]!.id);
  const body = JSON.parse(last ?? sample) as Answer;
  return {
    requests: times.length + Object.values(failed).reduce((a, b) => a + b, 0), failed,
    rankedPerAnswer: body.items.length, unrankedPerAnswer: body.unranked.length, answerBytes: Buffer.byteLength(last ?? sample), ...stats(times),
  };
}

/** For comparison: the cost of reading every unit in scope (the path before the widening geo search), step by step. */
async function stages(server: RunningServer): Promise<Record<string, ReturnType<typeof stats> | number>> {
  const { redis, telemetry, positions } = server.deps;
  const scopes = [tree.cityId];
  const t: Record<string, number[]> = {
    logHead: [], incident: [], unitsInScopes: [], freshestFix: [], candidates: [], rank: [], encode: [], total: [],
    // the parts of unitsInScopes and of PositionStore.latest (inside freshestFix), issued the same way
    unitIndex: [], unitObjects: [], fixesTelemetry: [], fixesDurable: [],
  };
  let unitCount = 0;
  for (let round = 0; round < 2; round++) {
    await refreshFixes(server);
    for (const x of incidents) {
      const s0 = performance.now();
      await logHead(redis);
      const s1 = performance.now();
      const inc = (await readObject<Incident>(redis, keys.object('incident', x.id)))!;
      const s2 = performance.now();
      const all = await unitsInScopes(redis, scopes);
      const eligible = all.filter((u) => u.status === 'available');
      const s3 = performance.now();
      const units: Unit[] = await withFreshestFix(positions, eligible);
      const s4 = performance.now();
      const now = Date.now();
      const candidates: Candidate[] = units.map((u) => {
        const since = Date.parse(u.statusSince);
        return {
          unitId: u.id, callsign: u.callsign, kind: u.kind, status: u.status, skills: u.skills, homeGrid: u.homeGrid,
          fix: u.lastFix ? { lat: u.lastFix.lat, lon: u.lastFix.lon, at: u.lastFix.at } : null, recentDispatches: 0,
          minutesIdle: Number.isNaN(since) ? null : Math.max(0, (now - since) / 60_000),
        };
      });
      const s5 = performance.now();
      const result = recommendUnits({ location: inc.location, gridId: inc.gridId }, candidates, { now, requiredSkills: [], limit: 50 });
      const s6 = performance.now();
      JSON.stringify(result);
      const s7 = performance.now();
      unitCount = all.length;

      const ids = eligible.map((u) => u.id);
      const q0 = performance.now();
      const ip = redis.pipeline();
      for (const sc of scopes) ip.zrange(keys.unitsIn(sc), 0, -1);
      await ip.exec();
      const q1 = performance.now();
      await readObjects<Unit>(redis, ids.map((id) => keys.object('unit', id)));
      const q2 = performance.now();
      const tp = telemetry.pipeline();
      for (const id of ids) tp.hmget(telemetryKeys.position(id), 'at', 'lat', 'lon', 'speed', 'heading');
      await tp.exec();
      const q3 = performance.now();
      const dp = redis.pipeline();
      for (const id of ids) dp.hmget(keys.unitFix(id), 'at', 'lat', 'lon', 'speed', 'heading');
      await dp.exec();
      const q4 = performance.now();
      if (round === 0) continue; // warm-up
      t.logHead!.push(s1 - s0); t.incident!.push(s2 - s1); t.unitsInScopes!.push(s3 - s2); t.freshestFix!.push(s4 - s3);
      t.candidates!.push(s5 - s4); t.rank!.push(s6 - s5); t.encode!.push(s7 - s6); t.total!.push(s7 - s0);
      t.unitIndex!.push(q1 - q0); t.unitObjects!.push(q2 - q1); t.fixesTelemetry!.push(q3 - q2); t.fixesDurable!.push(q4 - q3);
    }
  }
  return { units: unitCount, ...Object.fromEntries(Object.entries(t).map(([k, v]) => [k, stats(v)])) };
}

export async function benchRecommend(): Promise<void> {
  const r = await benchRedis();
  const dataDir = mkdtempSync(join(tmpdir(), 'pingan-bench-rec-'));
  let server: RunningServer | null = null;
  try {
    const machine: Record<string, unknown> = { cpus: cpus().length, loadavgBefore: loadavg().map(r3) };
    const p = pure();
    process.stdout.write(`  pure  ${p.candidates} candidates: p50 ${p.p50Ms} ms p99 ${p.p99Ms} ms max ${p.maxMs} ms (${p.samples} calls)\n`);

    const config = parseConfig({
      REDIS_URL: r.durable.url, TELEMETRY_REDIS_URL: r.telemetry.url, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir,
      DEMO: '1', DEMO_PASSWORD: PASSWORD, INGEST_KEYS: KEY, LOG_LEVEL: 'error', INGEST_RATE_REQUESTS: '1000000', INGEST_RATE_EVENTS: '100000000',
    });
    server = await startServer(config, { log: createLogger('error'), tree });
    const cookie = await seed(server);
    // the console asks for 10; the API's default is 50 (the widening search reads more for more)
    const h = await overHttp(server, cookie, 10);
    const met = h.p99Ms <= TARGET_P99_MS && Object.keys(h.failed).length === 0;
    process.stdout.write(`  http  ${UNITS} units, ${INCIDENTS} incidents, limit 10 (the console): p50 ${h.p50Ms} ms p99 ${h.p99Ms} ms max ${h.maxMs} ms (${h.requests} requests${Object.keys(h.failed).length ? `, failed ${JSON.stringify(h.failed)}` : ''}, ${h.answerBytes} B answers) · p99 ≤ ${TARGET_P99_MS} ms: ${met ? 'met' : 'missed'}\n`);
    const h50 = await overHttp(server, cookie, 50);
    process.stdout.write(`  http  limit 50 (the API default): p50 ${h50.p50Ms} ms p99 ${h50.p99Ms} ms max ${h50.maxMs} ms\n`);
    const st = await stages(server);
    const line = Object.entries(st).filter(([, v]) => typeof v === 'object').map(([k, v]) => `${k} ${(v as { p50Ms: number }).p50Ms}/${(v as { p99Ms: number }).p99Ms}`);
    process.stdout.write(`  reading every unit in scope, for comparison (p50/p99 ms): ${line.join(' · ')}\n`);
    machine.loadavgAfter = loadavg().map(r3);
    report('recommend', {
      machine, units: UNITS, incidents: INCIDENTS, rounds: ROUNDS,
      pure: p, http: { ...h, limit: 10, targetP99Ms: TARGET_P99_MS, met }, httpLimit50: h50, everyUnitStages: st,
    });
  } finally {
    await server?.close();
    await r.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
