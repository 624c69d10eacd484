// The leader's indicators over 30 and 90 days (issue 9: "GET /stats over 30 days is computed
// from counters — its work does not grow with the size of the log; the benchmark reports its
// latency"): GET /stats?metric=leader for the city, p50/p99 over HTTP, with a log of 1,000 entries
// and again after 20,000 more, and the ratio of the two p50s. Absolute figures, reported, never
// asserted.
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseConfig } from '../server/config.js';
import { loadJurisdictions } from '../server/geo/tree.js';
import { createLogger } from '../server/logger.js';
import { startServer, type RunningServer } from '../server/runtime.js';
import { benchRedis, gridCentres, report } from './lib.js';

const KEY = 'bench-leader-key-0123456789';
const PASSWORD = 'bench-leader-pass-123';
const REQUESTS = 200;

const tree = loadJurisdictions();
const grids = tree.idsAt('grid');
const centres = gridCentres(tree);
const centre = (k: number) => centres.get(grids[k % grids.length]!)!;

let seq = 0;
const ce = (type: string, data: Record<string, unknown>) =>
  ({ specversion: '1.0', id: `lb-${process.pid}-${++seq}`, source: 'bench/leader', type, time: new Date().toISOString(), data });

async function post(url: string, body: unknown[]): Promise<void> {
  const res = await fetch(`${url}/api/v1/events`, { method: 'POST', headers: { 'content-type': 'application/cloudevents-batch+json', authorization: `Bearer ${KEY}` }, body: JSON.stringify(body) });
  if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
}

/** `n` incident reports spread over the city: the log grows, the cases stay as they are. */
async function grow(url: string, n: number, from: number): Promise<void> {
  const events = Array.from({ length: n }, (_, i) =>
    ce('incident.reported', { incidentId: `LI-${from + i}`, category: 'theft', priority: 1 + ((from + i) % 4), location: centre((from + i) * 7) }));
  for (let i = 0; i < events.length; i += 500) await post(url, events.slice(i, i + 500));
}

/** 200 disputes, once: the repeat rate reads the cases in scope (their number, not the log's length, sets its cost). */
async function disputes(url: string): Promise<void> {
  await post(url, Array.from({ length: 200 }, (_, k) => ce('dispute.registered', { disputeId: `LD-${k}`, kind: 'neighbour', summary: '邻里纠纷', location: centre(k * 13) })));
}

async function latency(url: string, cookie: string): Promise<{ p50Ms: number; p99Ms: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < REQUESTS + 20; i++) {
    const t0 = performance.now();
    const res = await fetch(`${url}/api/v1/stats?metric=leader`, { headers: { cookie } });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`stats answered ${res.status}: ${text.slice(0, 200)}`);
    if (i >= 20) times.push(performance.now() - t0);
    bytes = text.length;
  }
  const s = times.sort((a, b) => a - b);
  const q = (p: number) => Math.round(s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]! * 100) / 100;
  return { p50Ms: q(0.5), p99Ms: q(0.99), bytes };
}

export async function benchLeader(): Promise<void> {
  const load0 = loadavg()[0];
  const r = await benchRedis();
  const dataDir = mkdtempSync(join(tmpdir(), 'pingan-bench-leader-'));
  let server: RunningServer | null = null;
  try {
    const config = parseConfig({
      REDIS_URL: r.durable.url, TELEMETRY_REDIS_URL: r.telemetry.url, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir,
      DEMO: '1', DEMO_PASSWORD: PASSWORD, INGEST_KEYS: KEY, LOG_LEVEL: 'error', INGEST_RATE_REQUESTS: '1000000', INGEST_RATE_EVENTS: '100000000',
    });
    server = await startServer(config, { log: createLogger('error'), tree });
    const login = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'leader', password: PASSWORD }) });
    if (login.status !== 200) throw new Error(`login: ${login.status}`);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    await disputes(server.url);
    await grow(server.url, 800, 0);
    const small = { logEntries: await server.deps.redis.xlen('log'), ...await latency(server.url, cookie) };
    await grow(server.url, 20_000, 800);
    const large = { logEntries: await server.deps.redis.xlen('log'), ...await latency(server.url, cookie) };
    const ratio = Math.round((large.p50Ms / small.p50Ms) * 100) / 100;
    process.stdout.write(`  GET /stats?metric=leader (city, 7/30/90 days): log ${small.logEntries} entries p50 ${small.p50Ms} ms p99 ${small.p99Ms} ms; ` +
      `log ${large.logEntries} entries p50 ${large.p50Ms} ms p99 ${large.p99Ms} ms; p50 ratio ${ratio}\n`);
    report('leader', { requests: REQUESTS, small, large, p50Ratio: ratio, machine: { cpus: cpus().length, loadavgBefore: load0, loadavgAfter: loadavg()[0] } });
  } finally {
    await server?.close();
    await r.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
