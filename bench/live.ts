// DESIGN §10 live budgets, each as a ratio against a reference run in this same process. The
// server (and each reference) runs here; its socket clients and its HTTP load run in two child
// processes (bench/live-clients.ts), so that this process's event loop and cpuUsage are the server's.
//   latency:   ingest → socket p99 at 2,000 positions/s + 20 incidents/s to 20 clients
//              ÷ p99 of a reference under the same load from the same loader: a bare node:http
//              handler (incident → planned() + commit(); fixes → pinganPositions on a telemetry
//              Redis, and the latest fixes io.emit-ted every 250 ms) + an XREAD BLOCK relay + io.emit on a
//              bare Socket.IO server (≤ 1.5); both
//              timed from the loader's send to each client's receipt
//   positions: 20,000 fixes/s offered for 2,000 units to 20 clients: share of (fix, client) pairs
//              for which the client shows that fix or a newer one within 1 s of its acceptance (≥ 0.99)
//   fanout:    Socket.IO deliveries per server CPU-second ÷ a bare `ws` server sending the same
//              frames to the same number of clients (≥ 0.6)
//   reconnect: 200 clients resuming after a 10 s gap: time until all caught up ÷ time for 200
//              fresh connections to get hello (≤ 1.0); zero lost or duplicated entries
// BENCH_LIVE_ONLY=latency,positions,fanout,reconnect runs some of them.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Entry } from '../shared/objects.js';
import { parseConfig } from '../server/config.js';
import { planFact } from '../server/ingest/plan.js';
import { payloadHash } from '../server/ingest/payload-hash.js';
import { validateEvent } from '../server/ingest/validate.js';
import { createLogger } from '../server/logger.js';
import { commandConnection, telemetryConnection } from '../server/redis/connections.js';
import { launchRedis } from '../server/redis/embedded.js';
import { startServer, type RunningServer } from '../server/runtime.js';
import { commit, type CommitEntry } from '../server/store/commit.js';
import { DEDUPE_TTL_SECONDS, keys } from '../server/store/keys.js';
import { parseRecord } from '../server/store/log.js';
import type { ScriptedRedis } from '../server/store/scripts.js';
import { benchRedis, report } from './lib.js';
import { fix, incident, INGEST_KEY, jurisdictions, now, post, sleep, UNITS, unitRoster, type Incident, type Paced } from './live-load.js';

const PASSWORD = 'bench-live-pass-123';

/** The commit entry the server would build for a fresh incident (planned before timing, as in bench/ingest.ts). */
function planned(raw: Incident): CommitEntry {
  const v = validateEvent(raw, Date.now());
  if (!v.ok) throw new Error('bench event invalid');
  const p = planFact(v.event, new Map(), { tree: jurisdictions(), receivedAt: new Date(), lastFix: () => null });
  if (!p.ok) throw new Error(p.message);
  return { dedupe: { key: keys.dedupe(raw.source, raw.id), hash: payloadHash(raw), ttlSeconds: DEDUPE_TTL_SECONDS }, ...p.commit };
}

async function login(url: string, username: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status}`);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : NaN);
const r1 = (x: number) => Math.round(x * 10) / 10;
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const dist = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50Ms: r1(pct(s, 0.5)), p90Ms: r1(pct(s, 0.9)), p99Ms: r1(pct(s, 0.99)), maxMs: r1(s[s.length - 1] ?? NaN) };
};

/** A child process (bench/live-clients.ts) and a tiny RPC over its IPC channel. */
class Child {
  private seq = 0;
  private readonly pending = new Map<number, { ok: (v: any) => void; fail: (e: Error) => void }>();
  private readonly exited: Promise<void>;
  /** the child's clock − ours, ms */
  offset = 0;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: { id: number; result?: unknown; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error !== undefined) p.fail(new Error(`child: ${m.error}`));
      else p.ok(m.result);
    });
    this.exited = new Promise((resolve) => child.once('exit', () => {
      for (const p of this.pending.values()) p.fail(new Error('the child process exited'));
      this.pending.clear();
      resolve();
    }));
  }

  static spawn(): Child {
    const file = fileURLToPath(new URL('./live-clients.ts', import.meta.url));
    return new Child(fork(file, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  }

  call<T = any>(op: string, args: unknown = {}): Promise<T> {
    const id = ++this.seq;
    return new Promise<T>((ok, fail) => {
      this.pending.set(id, { ok, fail });
      this.child.send({ id, op, args });
    });
  }

  /** The child's clock offset, from the round trip with the smallest delay. */
  async calibrate(): Promise<void> {
    let best = Infinity;
    for (let i = 0; i < 30; i++) {
      const t0 = now();
      const c = await this.call<number>('now');
      const t1 = now();
      if (t1 - t0 < best) {
        best = t1 - t0;
        this.offset = c - (t0 + t1) / 2;
      }
    }
  }

  /** A time of the child's clock on ours. */
  local(t: number): number {
    return t - this.offset;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.disconnect(); // the child closes its sockets and exits
    const t = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await this.exited;
    clearTimeout(t);
  }
}

async function listen(server: HttpServer): Promise<string> {
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Follows a stream with XREAD BLOCK on its own connection; `onBatch` gets the parsed entries. */
function relay(url: string, key: string, from: string, onBatch: (entries: Entry[], head: string) => void): { stop(): void } {
  const r = new Redis(url, { maxRetriesPerRequest: null });
  r.on('error', () => {});
  let running = true;
  let last = from;
  void (async () => {
    while (running) {
      try {
        const reply = (await r.xread('COUNT', 1000, 'BLOCK', 2000, 'STREAMS', key, last)) as [string, [string, string[]][]][] | null;
        const records = reply?.[0]?.[1] ?? [];
        if (!records.length) continue;
        const entries = records.map(([id, fields]) => parseRecord(id, fields));
        last = entries[entries.length - 1]!.seq;
        onBatch(entries, last);
      } catch {
        if (running) await sleep(100);
      }
    }
  })();
  return { stop() { running = false; r.disconnect(); } };
}

interface LoopStats { p99Ms: number; maxMs: number; cpuShare: number }

/** This process's event-loop delay beyond the 5 ms sampling period, and its CPU share, while `fn` runs. */
async function withLoopDelay<T>(fn: () => Promise<T>): Promise<[T, LoopStats]> {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  const cpu0 = process.cpuUsage();
  const t0 = now();
  try {
    const out = await fn();
    const cpu = process.cpuUsage(cpu0);
    const ms = (ns: number) => r1(Math.max(0, ns / 1e6 - 5));
    return [out, { p99Ms: ms(h.percentile(99)), maxMs: ms(h.max), cpuShare: r3((cpu.user + cpu.system) / 1e3 / (now() - t0)) }];
  } finally {
    h.disable();
  }
}

/** Runs `fn` while recording the event loop of this process and of the given children. */
async function observed<T>(children: Child[], fn: () => Promise<T>): Promise<[T, LoopStats, LoopStats[]]> {
  await Promise.all(children.map((c) => c.call('loopDelay', { start: true })));
  const [out, here] = await withLoopDelay(fn);
  const there = await Promise.all(children.map((c) => c.call<LoopStats>('loopDelay', { start: false })));
  return [out, here, there];
}

interface Ctx {
  server: RunningServer;
  clients: Child;
  loader: Child;
  cookie: string;
  durableUrl: string;
}

// --- 1. ingest → socket latency ----------------------------------------------------------------
// Both sides get the same requests from the same loader process at the same rates (latencyLoad:
// 100 fixes every 50 ms, 2,000/s, plus one incident per request every 50 ms, 20/s) and are timed
// the same way: from just before the loader sends an incident's POST to its arrival on each of
// the 20 Socket.IO clients (clock offsets calibrated).
//   server:    the whole server (HTTP → auth → validate → dedupe/object read → commit → tail →
//              hub → Socket.IO room), with its positions path and positions relay running too.
//   reference: built minimally from the same pieces: a bare node:http server in this process
//              (as bench/ingest.ts's single-fact reference) that parses the JSON body and
//              - for an incident: plans it (planned(): validate + planFact, no reads) and runs the
//                same commit() of that one entry on a durable Redis of its own, then answers 202;
//              - for a batch of fixes: runs the same telemetry positions script (pinganPositions)
//                on a telemetry Redis of its own, then answers 202 (no unit lookup, no pub/sub, no
//                positions relay, no durable fix copies);
//              an XREAD BLOCK relay on its own connection follows the log and calls a plain
//              io.emit on a bare Socket.IO server (WebSocket transport) sharing that HTTP server.
// The server and the reference alternate in rounds (S R S R S R), so that the machine's noise
// falls on both alike; samples are pooled per side.

const LAT_CLIENTS = 20;
const LAT_ROUNDS = 3;
const LAT_ROUND_SECONDS = 5;
const LAT_WARM_SECONDS = 2;

interface LatSide {
  /** id → just before the loader sent the POST, on this process's clock */
  sentAt: Map<string, number>;
  /** id → the HTTP server (the server's or the reference's) emitted 'request' for the POST */
  arrivedAt: Map<string, number>;
  /** id → the loader read the 202 */
  answeredAt: Map<string, number>;
  /** id → the tail read (server) or the XREAD relay (reference) handed the entry on (emitted by then) */
  relayedAt: Map<string, number>;
  total: number[];
  afterRelay: number[];
  sent: number;
  skipped: number;
  errors: string[];
  loops: { server: LoopStats; clients: LoopStats; loader: LoopStats }[];
}

const latSide = (): LatSide => ({ sentAt: new Map(), arrivedAt: new Map(), answeredAt: new Map(), relayedAt: new Map(), total: [], afterRelay: [], sent: 0, skipped: 0, errors: [], loops: [] });

/** b[id] − a[id] over the ids in both */
const gaps = (a: Map<string, number>, b: Map<string, number>) => [...a].flatMap(([id, t]) => (b.has(id) ? [b.get(id)! - t] : []));

function worst(l: LoopStats[]): LoopStats {
  return { p99Ms: Math.max(...l.map((v) => v.p99Ms)), maxMs: Math.max(...l.map((v) => v.maxMs)), cpuShare: r3(l.reduce((s, v) => s + v.cpuShare, 0) / l.length) };
}

function summary(x: LatSide) {
  return {
    samples: x.total.length, expected: x.sentAt.size * LAT_CLIENTS, ...dist(x.total),
    // where the time goes, alike on both sides: send → 'request' on the HTTP server → the tail
    // read / XREAD relay handed it on → each client; and send → the 202 read by the loader
    stagesMs: {
      sendToArrive: dist(gaps(x.sentAt, x.arrivedAt)), arriveToRelay: dist(gaps(x.arrivedAt, x.relayedAt)),
      sendToRelay: dist(gaps(x.sentAt, x.relayedAt)), relayToClient: dist(x.afterRelay), sendToAnswer: dist(gaps(x.sentAt, x.answeredAt)),
    },
    incidents: x.sent, skippedTicks: x.skipped, errors: x.errors.slice(0, 5),
    // event-loop delay (worst round) and CPU share (mean) of each process
    loops: { server: worst(x.loops.map((l) => l.server)), clients: worst(x.loops.map((l) => l.clients)), loader: worst(x.loops.map((l) => l.loader)) },
  };
}

/** The reference's ingest handler: one incident → planned() + commit(); a batch of fixes → pinganPositions. */
function referenceIngest(script: ScriptedRedis, telemetry: ScriptedRedis, onFixes: (fixes: ReturnType<typeof fix>[]) => void) {
  const answer = (res: ServerResponse, accepted: { id: string; seq: string | null }[]) => {
    res.writeHead(202, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ accepted }));
  };
  const fail = (res: ServerResponse) => { res.writeHead(503); res.end(); };
  return (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let events: Array<Incident | ReturnType<typeof fix>>;
      try {
        events = JSON.parse(Buffer.concat(chunks).toString()) as typeof events;
      } catch {
        res.writeHead(400);
        res.end();
        return;
      }
      if (events[0]?.type === 'unit.position') {
        const fixes = events as ReturnType<typeof fix>[];
        const argv: (string | number)[] = [Date.now(), fixes.length];
        for (const f of fixes) argv.push(f.data.unitId, Date.parse(f.time), f.data.lat, f.data.lon, f.data.speed ?? '', f.data.heading ?? '', '');
        telemetry.pinganPositions(...argv).then(() => {
          onFixes(fixes);
          answer(res, fixes.map((f) => ({ id: f.id, seq: null })));
        }, () => fail(res));
        return;
      }
      const ev = events[0] as Incident;
      let entry: CommitEntry;
      try {
        entry = planned(ev);
      } catch {
        res.writeHead(400);
        res.end();
        return;
      }
      commit(script, [entry], { minId: null }).then((o) => {
        const r = o.results[0];
        if (r?.status !== 'ok') fail(res);
        else answer(res, [{ id: ev.id, seq: r.seq }]);
      }, () => fail(res));
    });
  };
}

async function latency(ctx: Ctx) {
  const { server, clients, loader } = ctx;
  const live = latSide();
  const ref = latSide();

  // the server, loaded from the loader process
  // (the tail listener is registered after the hub's: it runs right after the hub emitted the batch)
  const unsubscribe = server.deps.tail.onEntries((entries) => {
    const t = now();
    for (const e of entries) if (e.id.startsWith('lat-')) live.relayedAt.set(e.id, t);
  });
  const arrivals = (side: LatSide) => (req: IncomingMessage) => {
    const id = req.headers['x-bench-id'];
    if (typeof id === 'string') side.arrivedAt.set(id, now());
  };
  const onRequest = arrivals(live);
  server.server.prependListener('request', onRequest);

  // the reference, loaded from the same loader process with the same requests: a bare node:http
  // server running planned() + commit() (incidents) and pinganPositions (fixes) on Redis servers
  // of its own; an XREAD BLOCK relay; io.emit on a bare Socket.IO server on the same HTTP server
  const dir = mkdtempSync(join(tmpdir(), 'pingan-bench-ref-'));
  const [redis, telemetryRedis] = await Promise.all([
    launchRedis({ name: 'durable', dir: join(dir, 'd'), maxmemoryBytes: 512 * 1024 ** 2 }),
    launchRedis({ name: 'telemetry', dir: join(dir, 't') }),
  ]);
  const script = commandConnection(redis.url, 'bench-ref');
  const telemetry = telemetryConnection(telemetryRedis.url);
  // the reference delivers the same positions frames too, minimally: the latest fix per unit,
  // one plain io.emit every 250 ms (no per-unit limit, no scoping)
  const latestFix = new Map<string, ReturnType<typeof fix>>();
  const http = createServer(referenceIngest(script, telemetry, (fixes) => { for (const f of fixes) latestFix.set(f.data.unitId, f); }));
  const io = new Server(http, { transports: ['websocket'], serveClient: false });
  const positionsTimer = setInterval(() => {
    if (latestFix.size === 0) return;
    const units = [...latestFix.values()].map((f) => ({ unitId: f.data.unitId, lat: f.data.lat, lon: f.data.lon, speed: f.data.speed ?? null, heading: f.data.heading ?? null, status: null, at: f.time }));
    latestFix.clear();
    io.volatile.emit('positions', { units });
  }, 250);
  const refUrl = `http://${await listen(http)}`;
  http.prependListener('request', arrivals(ref));
  const follow = relay(redis.url, keys.log, '0-0', (events, headSeq) => {
    io.emit('events', { events, headSeq });
    const t = now();
    for (const e of events) if (e.id.startsWith('ref-')) ref.relayedAt.set(e.id, t);
  });

  /** One round on either side: connect the clients, run the loader's latencyLoad against `url`, collect. */
  async function round(side: LatSide, url: string, tag: string, secs: number, record: boolean, connect: Record<string, unknown>): Promise<void> {
    await clients.call('connect', { url, n: LAT_CLIENTS, kind: 'sio', ...connect, record: { latencyPrefix: `${tag}-` } });
    const [out, here, [c, l]] = await observed([clients, loader], () => loader.call('latencyLoad', { url, secs, tag: record ? tag : `${tag}warm` }));
    await sleep(1000);
    const rows = await clients.call<[number, string, number][]>('latencies');
    await clients.call('close');
    if (!record) return;
    for (const [id, t] of out.sentAt as [string, number][]) side.sentAt.set(id, loader.local(t));
    for (const [id, t] of out.answeredAt as [string, number][]) side.answeredAt.set(id, loader.local(t));
    collect(side, rows, [out.positions, out.incidents], { server: here, clients: c!, loader: l! });
  }
  const serverRound = (secs: number, record: boolean) => round(live, server.url, 'lat', secs, record, { cookie: ctx.cookie, wait: 'hello' });
  const refRound = (secs: number, record: boolean) => round(ref, refUrl, 'ref', secs, record, { wait: 'connect' });

  function collect(side: LatSide, rows: [number, string, number][], outs: Paced[], loops: LatSide['loops'][number]): void {
    side.sent += outs[outs.length - 1]!.sent;
    side.skipped += outs.reduce((s, o) => s + o.skipped, 0);
    side.errors.push(...outs.flatMap((o) => o.errors));
    side.loops.push(loops);
    for (const [, id, t] of rows) {
      const s = side.sentAt.get(id);
      if (s === undefined) continue;
      side.total.push(clients.local(t) - s);
      const r = side.relayedAt.get(id);
      if (r !== undefined) side.afterRelay.push(clients.local(t) - r);
    }
  }

  try {
    await serverRound(LAT_WARM_SECONDS, false);
    await refRound(LAT_WARM_SECONDS, false);
    for (let i = 0; i < LAT_ROUNDS; i++) {
      await serverRound(LAT_ROUND_SECONDS, true);
      await refRound(LAT_ROUND_SECONDS, true);
    }
    const a = summary(live);
    const b = summary(ref);
    return { clients: LAT_CLIENTS, rounds: LAT_ROUNDS, roundSeconds: LAT_ROUND_SECONDS, server: a, reference: b, ratio: r3(a.p99Ms / b.p99Ms), target: 1.5 };
  } finally {
    unsubscribe();
    server.server.off('request', onRequest);
    clearInterval(positionsTimer);
    follow.stop();
    script.disconnect();
    telemetry.disconnect();
    io.disconnectSockets(true);
    http.closeAllConnections(); // the loader's keep-alive sockets
    await new Promise<void>((r) => io.close(() => r()));
    await Promise.all([redis.stop(), telemetryRedis.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- 2. positions: 20,000 fixes/s, every unit's latest fix on 20 clients within 1 s -------------

async function positions(ctx: Ctx) {
  const { server, clients, loader } = ctx;
  const SECONDS = 10;
  const BATCH = 500;
  await clients.call('connect', { url: server.url, n: 20, kind: 'sio', cookie: ctx.cookie, wait: 'hello', record: { positions: true } });
  // 40 batches of 500 per second; each batch the next block of 500 units: every unit every 100 ms
  const [out, here, [c, l]] = await observed([clients, loader], () => loader.call('positionsLoad', { url: server.url, secs: SECONDS, batch: BATCH, everyMs: 25, cap: 8 }));
  await sleep(1500);
  // acceptance times on the clients' clock
  const batches = (out.batches as { acceptedAt: number }[]).map((b) => ({ ...b, acceptedAt: loader.local(b.acceptedAt) + clients.offset }));
  const fresh = await clients.call('fresh', { batches, units: UNITS, withinMs: 1000 });
  await clients.call('close');
  return {
    offeredFixesPerSec: Math.round(((out.sent + out.skipped) * BATCH) / out.secs), sentFixesPerSec: Math.round((out.sent * BATCH) / out.secs),
    acceptedFixesPerSec: Math.round(out.accepted / out.secs), skippedBatches: out.skipped, errors: out.errors,
    ...fresh, share: r3(fresh.share), worstClient: r3(fresh.worstClient), bestClient: r3(fresh.bestClient), lateP50Ms: r1(fresh.lateP50Ms), lateMaxMs: r1(fresh.lateMaxMs),
    loops: { server: here, clients: c, loader: l },
  };
}

// --- 3. fan-out: deliveries per server CPU-second, Socket.IO vs bare ws --------------------------

const FAN_CLIENTS = 100;
const FAN_ROUNDS = 2;
const FAN_ROUND_SECONDS = 5;
const FAN_TICK_MS = 10;

interface FanTotals { written: number; deliveries: number; entries: number; cpuSec: number; secs: number }

/** One window: the loader appends entries to `key`; this process's CPU over the window is the server's. */
async function fanWindow(ctx: Ctx, key: string, json: string, into: FanTotals): Promise<void> {
  await ctx.clients.call('resetCounts');
  const cpu0 = process.cpuUsage();
  const t0 = now();
  const { written } = await ctx.loader.call<{ written: number }>('xadd', { redisUrl: ctx.durableUrl, key, json, tickMs: FAN_TICK_MS, count: (FAN_ROUND_SECONDS * 1000) / FAN_TICK_MS });
  await sleep(500);
  const cpu = process.cpuUsage(cpu0);
  into.secs += (now() - t0) / 1000;
  const c = await ctx.clients.call('counts');
  into.written += written;
  into.deliveries += c.frames;
  into.entries += c.entries;
  into.cpuSec += (cpu.user + cpu.system) / 1e6;
}

function fanResult(t: FanTotals) {
  return {
    written: t.written, deliveries: t.deliveries, entriesDelivered: t.entries, cpuSec: r3(t.cpuSec), cpuShare: r3(t.cpuSec / t.secs),
    deliveriesPerCpuSec: Math.round(t.deliveries / t.cpuSec), entriesPerCpuSec: Math.round(t.entries / t.cpuSec),
  };
}

/** Socket.IO and bare ws alternate in rounds (S W S W) so that the machine's noise falls on both alike. */
async function fanout(ctx: Ctx) {
  const { server, clients } = ctx;
  const json = JSON.stringify(planned(incident('fan')).entry);
  // bare ws: the same kind of relay on another stream; the frame ('42' + JSON, the bytes Socket.IO
  // puts on the wire) encoded once and sent to each socket as a text frame
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  const host = await listen(http);
  const sockets = new Set<WebSocket>();
  wss.on('connection', (ws) => { sockets.add(ws); ws.on('close', () => sockets.delete(ws)); });
  const follow = relay(ctx.durableUrl, 'bench:fanout', '0-0', (events, headSeq) => {
    const bytes = Buffer.from(`42${JSON.stringify(['events', { events, headSeq }])}`);
    for (const ws of sockets) ws.send(bytes, { binary: false });
  });
  const sio: FanTotals = { written: 0, deliveries: 0, entries: 0, cpuSec: 0, secs: 0 };
  const ws: FanTotals = { written: 0, deliveries: 0, entries: 0, cpuSec: 0, secs: 0 };
  try {
    for (let round = 0; round < FAN_ROUNDS; round++) {
      // Socket.IO: the server's own tail, hub and delivery room; entries appended straight to its log
      await clients.call('connect', { url: server.url, n: FAN_CLIENTS, kind: 'sio', cookie: ctx.cookie, wait: 'hello' });
      await sleep(500);
      await fanWindow(ctx, keys.log, json, sio);
      await clients.call('close');
      await clients.call('connect', { url: `ws://${host}/`, n: FAN_CLIENTS, kind: 'ws', wait: 'hello' });
      await sleep(500);
      await fanWindow(ctx, 'bench:fanout', json, ws);
      await clients.call('close');
    }
    const a = fanResult(sio);
    const b = fanResult(ws);
    return {
      clients: FAN_CLIENTS, entriesPerSec: 1000 / FAN_TICK_MS, rounds: FAN_ROUNDS, roundSeconds: FAN_ROUND_SECONDS, socketio: a, ws: b,
      ratio: r3(a.deliveriesPerCpuSec / b.deliveriesPerCpuSec), entriesRatio: r3(a.entriesPerCpuSec / b.entriesPerCpuSec), target: 0.6,
    };
  } finally {
    follow.stop();
    for (const s of sockets) s.terminate();
    await new Promise<void>((r) => wss.close(() => r()));
    await new Promise<void>((r) => http.close(() => r()));
  }
}

// --- 4. reconnect: 200 clients resume after a 10 s gap --------------------------------------------

async function reconnect(ctx: Ctx) {
  const { server, clients, loader } = ctx;
  const N = 200;
  const GAP_SECONDS = 10;
  // entries keep arriving all along: 50 incidents/s, one per request
  await loader.call('startWriter', { url: server.url, everyMs: 20 });
  try {
    await sleep(500);
    // warm-up, then the reference: 200 fresh connections (no lastSeq) until each has hello
    await clients.call('connect', { url: server.url, n: N, kind: 'sio', cookie: ctx.cookie, wait: 'hello' });
    await clients.call('close');
    await sleep(1000);
    const [freshMs, freshServer, [freshClients]] = await observed([clients], () => clients.call<number>('connect', { url: server.url, n: N, kind: 'sio', cookie: ctx.cookie, wait: 'hello', record: { seqs: true } }));
    await sleep(2000);
    await clients.call('disconnect');
    await sleep(GAP_SECONDS * 1000);
    // caught up: the client's lastSeq (headSeq of its last frame) reached the head when it reconnected
    const target = await loader.call<string>('writerHead');
    const [back, server_, [clients_]] = await observed([clients], () => clients.call('reconnect', { target }));
    await sleep(3000);
    const w = await loader.call('stopWriter');
    await sleep(1500); // the tail delivers the last entries
    const log = (await server.deps.redis.xrange(keys.log, '-', '+')).map(([id]) => id);
    const verify = await clients.call('verify', { log });
    await clients.call('close');
    return {
      clients: N, gapSeconds: GAP_SECONDS, entriesWritten: w.written, writerErrors: w.errors,
      freshHelloMs: Math.round(freshMs), catchUpMs: back.ms === null ? null : Math.round(back.ms), ratio: back.ms === null ? null : r3(back.ms / freshMs), target: 1.0,
      ...(back.error ? { catchUpError: back.error } : {}),
      // a resume the server gave up on (it logs "resume failed") disconnects the socket; the client retries
      retries: back.retries, serverDisconnects: back.serverDisconnects, resyncs: back.resyncs, ...verify,
      loops: { catchUp: { server: server_, clients: clients_ }, fresh: { server: freshServer, clients: freshClients } },
    };
  } finally {
    await loader.call('stopWriter');
  }
}

// ------------------------------------------------------------------------------------------------

export async function benchLive(): Promise<void> {
  const only = process.env.BENCH_LIVE_ONLY?.split(',');
  const want = (name: string) => !only || only.includes(name);
  const r = await benchRedis();
  const dataDir = mkdtempSync(join(tmpdir(), 'pingan-bench-live-'));
  let server: RunningServer | null = null;
  const clients = Child.spawn();
  const loader = Child.spawn();
  try {
    const config = parseConfig({
      REDIS_URL: r.durable.url, TELEMETRY_REDIS_URL: r.telemetry.url, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir,
      DEMO: '1', DEMO_PASSWORD: PASSWORD, INGEST_KEYS: INGEST_KEY, LOG_LEVEL: 'error',
      INGEST_RATE_REQUESTS: '1000000', INGEST_RATE_EVENTS: '100000000',
    });
    server = await startServer(config, { log: createLogger('error'), tree: jurisdictions() });
    const cookie = await login(server.url, 'coordinator');
    await Promise.all([clients.calibrate(), loader.calibrate()]);
    const roster = unitRoster();
    for (let i = 0; i < roster.length; i += 500) await post(server.url, roster.slice(i, i + 500));
    const ctx: Ctx = { server, clients, loader, cookie, durableUrl: r.durable.url };
    // the machine is shared: its load before and after says how noisy the run was
    const result: Record<string, unknown> = {
      machine: { cpus: cpus().length, loadavgBefore: loadavg().map(r3) }, clockOffsetsMs: { clients: r3(clients.offset), loader: r3(loader.offset) },
    };

    if (want('latency')) {
      const l = await latency(ctx);
      result.latency = l;
      process.stdout.write(`  latency   p50 ${l.server.p50Ms} ms p99 ${l.server.p99Ms} ms (${l.server.samples}/${l.server.expected}) · reference p50 ${l.reference.p50Ms} p99 ${l.reference.p99Ms} ms (${l.reference.samples}/${l.reference.expected}) · ratio ${l.ratio} (≤ 1.5)\n`);
    }
    if (want('positions')) {
      const p = await positions(ctx);
      result.positions = { ...p, target: 0.99, acceptedTarget: 20_000 };
      process.stdout.write(`  positions ${p.acceptedFixesPerSec} fixes/s accepted of ${p.offeredFixesPerSec} offered · fresh within 1 s ${p.share} (clients ${p.worstClient}…${p.bestClient}; ${p.pairs} pairs) (≥ 0.99)\n`);
    }
    if (want('fanout')) {
      const f = await fanout(ctx);
      result.fanout = f;
      process.stdout.write(`  fanout    socket.io ${f.socketio.deliveriesPerCpuSec}/cpu-s · ws ${f.ws.deliveriesPerCpuSec}/cpu-s (${f.clients} clients) · ratio ${f.ratio} (≥ 0.6)\n`);
    }
    if (want('reconnect')) {
      const c = await reconnect(ctx);
      result.reconnect = c;
      process.stdout.write(`  reconnect catch-up ${c.catchUpMs} ms · fresh hello ${c.freshHelloMs} ms · ratio ${c.ratio} (≤ 1.0) · lost ${c.lost} duplicated ${c.duplicated} unexpected ${c.unexpected} out of order ${c.outOfOrder} · server gave up ${c.serverDisconnects} resumes\n`);
    }
    (result.machine as Record<string, unknown>).loadavgAfter = loadavg().map(r3);
    report('live', result);
  } finally {
    await Promise.all([clients.stop(), loader.stop()]);
    await server?.close();
    await r.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
