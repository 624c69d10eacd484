// The clients and the load of bench/live.ts, in processes of their own (one for the sockets, one
// for the HTTP load), so that the parent's event loop and process.cpuUsage() are the server's.
// Driven over IPC: `{id, op, args}` in, `{id, result | error}` out. Times are
// `performance.timeOrigin + performance.now()` (ms); the parent calibrates each process's offset.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { io, type Socket } from 'socket.io-client';
import { WebSocket } from 'ws';
import type { EventsFrame, Hello, PositionsFrame } from '../shared/live.js';
import { compareSeq } from '../shared/seq.js';
import { fix, incident, INGEST_KEY, now, pace, post, UNITS, type Paced } from './live-load.js';

interface Recording {
  /** entries whose id starts with this are timed (id, arrival) */
  latencyPrefix?: string;
  /** every positions item: (unit index, fix time, arrival) */
  positions?: boolean;
  /** every entry's seq, in arrival order */
  seqs?: boolean;
}

interface Client {
  sio: Socket | null;
  ws: WebSocket | null;
  hello: boolean;
  lastSeq: string | undefined;
  logEpoch: string | undefined;
  /** headSeq of the first hello: a fresh client is owed every entry after it */
  startSeq: string | null | undefined;
  frames: number;
  emptyFrames: number;
  entries: number;
  positionFrames: number;
  lat: [string, number][];
  /** unit index → flat [at, arrival, at, arrival, …] */
  pos: Map<number, number[]>;
  seqs: string[];
  resyncs: number;
  connectErrors: number;
  serverDisconnects: number;
}

let clients: Client[] = [];
let record: Recording = {};
/** called after anything a client receives; used by the waits below */
let onChange: ((c: Client) => void) | null = null;
/** while true, clients the server turned away connect again (a real client retries with backoff) */
let retrying = false;
let retries = 0;

function blank(): Client {
  return {
    sio: null, ws: null, hello: false, lastSeq: undefined, logEpoch: undefined, startSeq: undefined,
    frames: 0, emptyFrames: 0, entries: 0, positionFrames: 0, lat: [], pos: new Map(), seqs: [],
    resyncs: 0, connectErrors: 0, serverDisconnects: 0,
  };
}

function onEvents(c: Client, f: EventsFrame): void {
  const t = now();
  if (f.events.length === 0) c.emptyFrames += 1;
  else c.frames += 1;
  c.entries += f.events.length;
  if (f.headSeq) c.lastSeq = f.headSeq;
  if (record.latencyPrefix) for (const e of f.events) if (e.id.startsWith(record.latencyPrefix)) c.lat.push([e.id, t]);
  if (record.seqs) for (const e of f.events) c.seqs.push(e.seq);
  onChange?.(c);
}

/** positions frame (by its first item) → arrival at each client: how long the last client waits after the first */
const frameArrivals = new Map<string, { units: number; at: number[] }>();

function onPositions(c: Client, f: PositionsFrame): void {
  const t = now();
  c.positionFrames += 1;
  if (!record.positions) return;
  const key = `${f.units.length}:${f.units[0]?.unitId}:${f.units[0]?.at}`;
  let fa = frameArrivals.get(key);
  if (!fa) frameArrivals.set(key, (fa = { units: f.units.length, at: [] }));
  fa.at.push(t);
  for (const u of f.units) {
    const i = Number(u.unitId.slice(1));
    let a = c.pos.get(i);
    if (!a) c.pos.set(i, (a = []));
    a.push(Date.parse(u.at), t);
  }
}

function sioClient(url: string, cookie: string | undefined): Client {
  const c = blank();
  const s: Socket = io(url, {
    path: '/socket.io', transports: ['websocket'], reconnection: false, forceNew: true,
    extraHeaders: cookie ? { cookie, origin: url } : {},
    auth: (cb) => cb({ ...(c.lastSeq ? { lastSeq: c.lastSeq } : {}), ...(c.logEpoch ? { logEpoch: c.logEpoch } : {}) }),
  });
  c.sio = s;
  s.on('connect', () => onChange?.(c));
  s.on('hello', (h: Hello) => {
    c.hello = true;
    c.logEpoch = h.logEpoch;
    if (c.startSeq === undefined) c.startSeq = h.headSeq;
    onChange?.(c);
  });
  s.on('events', (f: EventsFrame) => onEvents(c, f));
  s.on('positions', (f: PositionsFrame) => onPositions(c, f));
  s.on('resync', () => { c.resyncs += 1; });
  s.on('connect_error', () => {
    c.connectErrors += 1;
    if (retrying) setTimeout(() => { retries += 1; s.connect(); }, 250 + Math.random() * 250);
  });
  s.on('disconnect', (reason) => {
    if (reason !== 'io server disconnect') return;
    c.serverDisconnects += 1;
    if (retrying) setTimeout(() => { retries += 1; s.connect(); }, 250 + Math.random() * 250);
  });
  return c;
}

function wsClient(url: string): Client {
  const c = blank();
  const ws = new WebSocket(url);
  c.ws = ws;
  ws.on('open', () => { c.hello = true; onChange?.(c); });
  ws.on('message', (data) => {
    const [name, frame] = JSON.parse(String(data).slice(2)) as [string, EventsFrame];
    if (name === 'events') onEvents(c, frame);
  });
  ws.on('error', () => { c.connectErrors += 1; });
  return c;
}

/** Resolves once `done(c)` holds for every client; `done` is re-checked on every change. */
function untilAll(done: (c: Client) => boolean, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const left = new Set(clients.filter((c) => !done(c)));
    const finish = (err?: Error) => {
      clearTimeout(timer);
      onChange = null;
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(() => finish(new Error(`${what}: ${left.size} of ${clients.length} clients not done after ${timeoutMs} ms`)), timeoutMs);
    if (left.size === 0) return finish();
    onChange = (c) => {
      if (left.has(c) && done(c)) left.delete(c);
      if (left.size === 0) finish();
    };
  });
}

function closeAll(): void {
  for (const c of clients) {
    c.sio?.disconnect();
    c.ws?.terminate();
  }
  clients = [];
}

function counts() {
  const sum = (f: (c: Client) => number) => clients.reduce((s, c) => s + f(c), 0);
  return {
    clients: clients.length, frames: sum((c) => c.frames), emptyFrames: sum((c) => c.emptyFrames), entries: sum((c) => c.entries),
    positionFrames: sum((c) => c.positionFrames), resyncs: sum((c) => c.resyncs), connectErrors: sum((c) => c.connectErrors),
    serverDisconnects: sum((c) => c.serverDisconnects), retries,
  };
}

let loop: IntervalHistogram | null = null;
let fixes = 0;
let writer: { stop: boolean; written: number; head: string | null; done: Promise<Paced> | null } | null = null;
let loopCpu = process.cpuUsage();
let loopT0 = 0;

const ops: { [op: string]: (a: any) => unknown } = {
  now: () => now(),

  /** Event-loop delay of this process between a start and a stop (p99/max, ms), and its CPU share. */
  loopDelay(a: { start: boolean }) {
    if (a.start) {
      loop = monitorEventLoopDelay({ resolution: 5 });
      loop.enable();
      loopCpu = process.cpuUsage();
      loopT0 = now();
      return null;
    }
    if (!loop) return null;
    loop.disable();
    // delay beyond the 5 ms sampling period, as in the parent
    const ms = (x: number) => Math.max(0, Math.round(x / 1e5) / 10 - 5);
    const cpu = process.cpuUsage(loopCpu);
    const out = { p99Ms: ms(loop.percentile(99)), maxMs: ms(loop.max), cpuShare: Math.round(((cpu.user + cpu.system) / 1e3 / (now() - loopT0)) * 1000) / 1000 };
    loop = null;
    return out;
  },

  // --- sockets (the clients process) ------------------------------------------------------------

  /** Connects n clients at once; answers the ms until every one has hello (sio) or is open (ws). */
  async connect(a: { url: string; n: number; kind: 'sio' | 'ws'; cookie?: string; wait: 'hello' | 'connect'; record?: Recording }) {
    closeAll();
    frameArrivals.clear();
    record = a.record ?? {};
    retries = 0;
    const t0 = now();
    clients = Array.from({ length: a.n }, () => (a.kind === 'ws' ? wsClient(a.url) : sioClient(a.url, a.cookie)));
    await untilAll((c) => (a.wait === 'hello' ? c.hello : (c.sio?.connected ?? c.hello)), 60_000, 'connect');
    return now() - t0;
  },

  resetCounts() {
    for (const c of clients) Object.assign(c, { frames: 0, emptyFrames: 0, entries: 0, positionFrames: 0 });
    return null;
  },

  counts,

  /** Every client goes away, keeping lastSeq and logEpoch as a browser tab would. */
  disconnect() {
    for (const c of clients) c.sio?.disconnect();
    return null;
  },

  /** Every client connects again with its lastSeq; answers the ms until each one's lastSeq ≥ target. */
  async reconnect(a: { target: string }) {
    retrying = true;
    retries = 0;
    const t0 = now();
    for (const c of clients) c.sio?.connect();
    let error: string | null = null;
    try {
      await untilAll((c) => c.lastSeq !== undefined && compareSeq(c.lastSeq, a.target) >= 0, 60_000, 'catch-up');
    } catch (err) {
      error = (err as Error).message;
    } finally {
      retrying = false;
    }
    return { ms: error ? null : now() - t0, error, ...counts() };
  },

  /** Timed entries of every client: [clientIndex, id, arrival][] */
  latencies() {
    return clients.flatMap((c, i) => c.lat.map(([id, t]) => [i, id, t] as const));
  },

  /**
   * DESIGN §10 positions: for each accepted batch (units start…start+count-1, all with fix time
   * `at`, accepted at `acceptedAt` in this process's clock) and each client, does the client hold
   * that fix or a newer one for the unit within `withinMs`?
   */
  fresh(a: { batches: { acceptedAt: number; start: number; count: number; at: number }[]; units: number; withinMs: number }) {
    let pairs = 0;
    let fresh = 0;
    const lateMs: number[] = [];
    const perClient: number[] = [];
    for (const c of clients) {
      let ok = 0;
      let n = 0;
      for (const b of a.batches) {
        for (let k = 0; k < b.count; k++) {
          const u = (b.start + k) % a.units;
          const arr = c.pos.get(u) ?? [];
          // fix times and arrivals both grow along arr: the first fix at or after b.at arrived first
          let lo = 0;
          let hi = arr.length / 2;
          while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (arr[mid * 2]! >= b.at) hi = mid;
            else lo = mid + 1;
          }
          n += 1;
          const arrival = lo < arr.length / 2 ? arr[lo * 2 + 1]! : Infinity;
          if (arrival <= b.acceptedAt + a.withinMs) ok += 1;
          else if (arrival !== Infinity) lateMs.push(arrival - b.acceptedAt);
        }
      }
      pairs += n;
      fresh += ok;
      perClient.push(n ? ok / n : 1);
    }
    lateMs.sort((x, y) => x - y);
    const frames = [...frameArrivals.values()];
    const spread = frames.map((f) => Math.max(...f.at) - Math.min(...f.at)).sort((x, y) => x - y);
    const q = (xs: number[], p: number) => Math.round((xs[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN) * 10) / 10;
    return {
      frames: frames.length, unitsPerFrame: Math.round(frames.reduce((s, f) => s + f.units, 0) / Math.max(1, frames.length)),
      firstToLastClientMs: { p50: q(spread, 0.5), p99: q(spread, 0.99) },
      pairs, fresh, share: pairs ? fresh / pairs : 1, worstClient: Math.min(...perClient), bestClient: Math.max(...perClient),
      late: lateMs.length, lateP50Ms: lateMs[Math.floor(lateMs.length / 2)] ?? null, lateMaxMs: lateMs[lateMs.length - 1] ?? null,
    };
  },

  /** Each client's entries against the log: exactly those after its first hello's headSeq, once, in order. */
  verify(a: { log: string[] }) {
    let lost = 0;
    let duplicated = 0;
    let unexpected = 0;
    let outOfOrder = 0;
    let clientsWithProblems = 0;
    let checked = 0;
    for (const c of clients) {
      const start = c.startSeq ?? null;
      const expected = a.log.filter((s) => start === null || compareSeq(s, start) > 0);
      const want = new Set(expected);
      const got = new Set<string>();
      let dup = 0;
      let extra = 0;
      let order = 0;
      let prev: string | null = null;
      for (const s of c.seqs) {
        if (got.has(s)) dup += 1;
        got.add(s);
        if (!want.has(s)) extra += 1;
        if (prev !== null && compareSeq(s, prev) <= 0) order += 1;
        prev = s;
      }
      const miss = expected.filter((s) => !got.has(s)).length;
      lost += miss;
      duplicated += dup;
      unexpected += extra;
      outOfOrder += order;
      checked += expected.length;
      if (miss || dup || extra || order) clientsWithProblems += 1;
    }
    return { clients: clients.length, expectedPairs: checked, lost, duplicated, unexpected, outOfOrder, clientsWithProblems };
  },

  // --- load (the loader process) ---------------------------------------------------------------

  /**
   * Ingest → socket latency load: 100 fixes every 50 ms (2,000/s, units round-robin, fix time now)
   * and one incident per request every 50 ms (20/s). Answers when each incident's POST was about
   * to be sent and when its 202 was read.
   */
  async latencyLoad(a: { url: string; secs: number; tag: string }) {
    const sentAt: [string, number][] = [];
    const answeredAt: [string, number][] = [];
    const [positions, incidents] = await Promise.all([
      pace(50, a.secs * 1000, 16, async () => {
        const t = Date.now();
        await post(a.url, Array.from({ length: 100 }, () => { fixes += 1; return fix(fixes, fixes % UNITS, t); }));
      }),
      pace(50, a.secs * 1000, 16, async () => {
        const ev = incident(a.tag);
        const body = JSON.stringify([ev]);
        sentAt.push([ev.id, now()]);
        const res = await fetch(`${a.url}/api/v1/events`, {
          method: 'POST', body, headers: { 'content-type': 'application/cloudevents-batch+json', authorization: `Bearer ${INGEST_KEY}`, 'x-bench-id': ev.id },
        });
        if (res.status !== 202) throw new Error(`ingest answered ${res.status}`);
        await res.arrayBuffer();
        answeredAt.push([ev.id, now()]);
      }),
    ]);
    return { positions, incidents, sentAt, answeredAt };
  },

  /**
   * Positions load: a batch of `batch` fixes every `everyMs`, each batch the next block of units,
   * all with the fix time of the moment it is built (so a unit's fix times strictly increase).
   */
  async positionsLoad(a: { url: string; secs: number; batch: number; everyMs: number; cap: number }) {
    const blocks = UNITS / a.batch;
    const lastAt = new Array<number>(blocks).fill(0);
    const batches: { acceptedAt: number; start: number; count: number; at: number }[] = [];
    let b = 0;
    let accepted = 0;
    const t0 = now();
    const out = await pace(a.everyMs, a.secs * 1000, a.cap, async () => {
      const block = b++ % blocks;
      const t = Math.max(Date.now(), lastAt[block]! + 1);
      lastAt[block] = t;
      const res = await post(a.url, Array.from({ length: a.batch }, (_, j) => { fixes += 1; return fix(fixes, block * a.batch + j, t); }));
      const acceptedAt = now();
      accepted += res.accepted.length;
      if (res.accepted.length !== a.batch) throw new Error(`${a.batch - res.accepted.length} fixes not accepted`);
      batches.push({ acceptedAt, start: block * a.batch, count: a.batch, at: t });
    });
    return { ...out, accepted, secs: (now() - t0) / 1000, batches };
  },

  /** Starts posting one incident every `everyMs` until stopWriter; tracks the largest seq answered. */
  startWriter(a: { url: string; everyMs: number }) {
    writer = { stop: false, written: 0, head: null, done: null };
    const w = writer;
    w.done = pace(a.everyMs, Infinity, 16, async () => {
      const r = await post(a.url, [incident('rc')]);
      w.written += 1;
      const s = r.accepted[0]?.seq;
      if (s && (w.head === null || compareSeq(s, w.head) > 0)) w.head = s;
    }, () => w.stop);
    return null;
  },

  writerHead: () => writer?.head ?? null,

  async stopWriter() {
    if (!writer) return null;
    writer.stop = true;
    const out = await writer.done!;
    return { written: writer.written, head: writer.head, errors: out.errors, skipped: out.skipped };
  },

  /** Appends `json` as a log record (`e` field) to `key`, `count` times on a fixed schedule (a late tick writes at once). */
  async xadd(a: { redisUrl: string; key: string; json: string; tickMs: number; count: number }) {
    const r = new Redis(a.redisUrl);
    const pending: Promise<unknown>[] = [];
    const t0 = now();
    for (let i = 0; i < a.count; i++) {
      const wait = t0 + i * a.tickMs - now();
      if (wait > 0) await new Promise((ok) => setTimeout(ok, wait));
      pending.push(r.xadd(a.key, '*', 'e', a.json));
    }
    const out = await Promise.allSettled(pending);
    r.disconnect();
    return { written: out.filter((o) => o.status === 'fulfilled').length };
  },

  close() {
    closeAll();
    return null;
  },
};

process.on('message', (m: { id: number; op: string; args?: unknown }) => {
  const op = ops[m.op];
  Promise.resolve()
    .then(() => {
      if (!op) throw new Error(`unknown op ${m.op}`);
      return op(m.args ?? {});
    })
    .then((result) => process.send!({ id: m.id, result }), (err: Error) => process.send!({ id: m.id, error: err.message }));
});
process.on('disconnect', () => {
  closeAll();
  process.exit(0);
});
