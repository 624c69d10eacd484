// Resume (DESIGN §5): a client that drops out during 200 entries/s and reconnects with its lastSeq
// gets exactly the log after its first position (all of it, or exactly its district's part); a
// lastSeq beyond this instance's delivered position but within the log is no reason to resync.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareSeq } from '../../shared/seq.js';
import type { RunningServer } from '../../server/runtime.js';
import { until, type Recorder } from '../helpers/live-client.js';
import { D2, D3, D4, connected, disconnects, hasAll, incidentIn, ingestAll, logAfter, logHead, seqsOf, sleep, strictlyIncreasing } from '../helpers/live-data.js';
import { durableClient } from '../helpers/requests.js';
import { startStack, type Stack } from '../helpers/stack.js';

let s: Stack;
let r: Redis;
let coordinator: string;
const open: Recorder[] = [];
beforeAll(async () => {
  s = await startStack();
  r = durableClient(s);
  coordinator = await s.login('coordinator');
  await ingestAll(s.url, [incidentIn('RS-SEED', D2)]);
});
afterAll(async () => {
  for (const c of open) c.close();
  r?.disconnect();
  await s?.stop();
});

async function client(url: string, cookie: string, opts: { lastSeq?: string; logEpoch?: string } = {}): Promise<Recorder> {
  const c = await connected(url, cookie, opts);
  open.push(c);
  return c;
}

/** Ingests ~200 entries/s (20 every 100 ms, districts D2, D3, D4 in turn) for `ms`; returns the seqs. */
async function load(prefix: string, ms: number): Promise<string[]> {
  const seqs: string[] = [];
  const districts = [D2, D3, D4];
  const end = Date.now() + ms;
  for (let tick = 0; Date.now() < end; tick++) {
    const started = Date.now();
    seqs.push(...(await ingestAll(s.url, Array.from({ length: 20 }, (_, i) => incidentIn(`${prefix}-${tick}-${i}`, districts[(tick + i) % 3]!, tick + i)))));
    await sleep(Math.max(0, 100 - (Date.now() - started)));
  }
  return seqs;
}

describe('resume after a disconnect under load', () => {
  it('the union of what a city-wide and a district client received is exactly the log after their first position', async () => {
    const city = await client(s.url, coordinator);
    const district = await client(s.url, await s.login(`duty-${D2}`));
    const cityFrom = city.hello!.headSeq;
    const districtFrom = district.hello!.headSeq;
    const dropped = [disconnects(city), disconnects(district)];
    const loading = load('RS-1', 3000);
    await sleep(1200);
    const before = [city.entries().length, district.entries().length];
    city.socket.disconnect();
    district.socket.disconnect();
    const resumedFrom = [city.lastSeq, district.lastSeq];
    await sleep(1000);
    city.socket.connect();
    district.socket.connect();
    const seqs = await loading;
    expect(seqs.length).toBeGreaterThan(300);
    // it really dropped out mid-way, with a position to resume from
    expect(before[0]).toBeGreaterThan(0);
    expect(before[1]).toBeGreaterThan(0);
    expect(resumedFrom.every((q) => q !== undefined)).toBe(true);
    expect(dropped.map((d) => d[0])).toEqual(['io client disconnect', 'io client disconnect']);

    const cityWant = (await logAfter(r, cityFrom)).map((e) => e.seq);
    const districtWant = (await logAfter(r, districtFrom)).filter((e) => e.jurisdiction.includes(D2)).map((e) => e.seq);
    expect(cityWant).toEqual(seqs);
    expect(districtWant.length).toBeGreaterThan(50);
    expect(districtWant.length).toBeLessThan(seqs.length);
    await until(() => hasAll(city, cityWant) && hasAll(district, districtWant), 20_000, 'catch-up after the reconnect');
    await sleep(500);
    expect(seqsOf(city)).toEqual(cityWant);
    expect(seqsOf(district)).toEqual(districtWant);
    expect(strictlyIncreasing(seqsOf(city))).toBe(true);
    for (const c of [city, district]) {
      expect(c.resyncs).toEqual([]);
      expect(c.socket.connected).toBe(true);
    }
  }, 60_000);

  it('catch-up reads that take 300 ms each while entries keep arriving: still no gap and no duplicate', async () => {
    const c = await client(s.url, coordinator);
    const from = c.hello!.headSeq;
    const first = await ingestAll(s.url, Array.from({ length: 10 }, (_, i) => incidentIn(`RS-4-A-${i}`, D2, i)));
    await until(() => hasAll(c, first), 10_000, 'the first entries');
    c.socket.disconnect();
    await ingestAll(s.url, Array.from({ length: 50 }, (_, i) => incidentIn(`RS-4-B-${i}`, D3, i)));
    // every XRANGE of this instance now takes 300 ms: live flushes happen while the resume reads
    const redis = s.server.deps.redis as unknown as { xrange: (...a: unknown[]) => Promise<unknown> };
    const xrange = redis.xrange.bind(redis);
    redis.xrange = async (...a: unknown[]) => {
      await sleep(300);
      return xrange(...a);
    };
    try {
      const loading = load('RS-4-C', 2000);
      await sleep(200);
      c.socket.connect();
      await loading;
    } finally {
      delete (redis as { xrange?: unknown }).xrange;
    }
    const want = (await logAfter(r, from)).map((e) => e.seq);
    await until(() => hasAll(c, want), 20_000, 'catch-up');
    await sleep(500);
    expect(seqsOf(c)).toEqual(want);
    expect(c.resyncs).toEqual([]);
  }, 60_000);
});

/**
 * Holds the log tail of `srv` after its current read: while held, its delivered position stays put
 * although the log grows. Resolves once the tail is held; call the returned function to release.
 */
async function holdTail(srv: RunningServer): Promise<() => void> {
  const conn = (srv.deps.tail as unknown as { redis: { xread: (...a: unknown[]) => Promise<unknown> } }).redis;
  const xread = conn.xread.bind(conn);
  let release!: () => void;
  const gate = new Promise<void>((res) => (release = res));
  let calls = 0;
  conn.xread = async (...a: unknown[]) => {
    calls += 1;
    const reply = await xread(...a);
    await gate;
    return reply;
  };
  // the read in flight when patched returns within BLOCK (2 s); the next one is held
  await until(() => calls > 0, 10_000, 'the tail to enter the held read');
  return () => {
    delete (conn as { xread?: unknown }).xread; // back to the prototype's method
    release();
  };
}

describe('resume ahead of this instance', () => {
  it('a lastSeq beyond the instance’s delivered position but within the log: no resync, only the entries after it', async () => {
    const b = await s.startExtraServer();
    const onA = await client(s.url, coordinator);
    await until(() => b.live.hub.headSeq === s.server.live.hub.headSeq, 10_000, 'instance B to catch up');
    const release = await holdTail(b);
    const heldAt = b.live.hub.headSeq!;
    try {
      // A delivers further than B
      const e1 = await ingestAll(s.url, Array.from({ length: 10 }, (_, i) => incidentIn(`RS-2-E1-${i}`, D3, i)));
      await until(() => hasAll(onA, e1) && onA.lastSeq === e1[9], 10_000, 'A delivers E1');
      await sleep(300);
      expect(b.live.hub.headSeq).toBe(heldAt);
      expect(compareSeq(onA.lastSeq!, heldAt)).toBeGreaterThan(0);
      onA.close();

      // the client moves to B with A's position
      const onB = await client(b.url, coordinator, { lastSeq: onA.lastSeq!, logEpoch: onA.logEpoch! });
      expect(onB.hello!.headSeq).toBe(heldAt);
      const e2 = await ingestAll(s.url, Array.from({ length: 10 }, (_, i) => incidentIn(`RS-2-E2-${i}`, D2, i)));
      await sleep(500);
      expect(onB.resyncs).toEqual([]);
      expect(onB.entries()).toEqual([]); // nothing before B's tail passes lastSeq
      release();
      await until(() => hasAll(onB, e2), 15_000, 'E2 through B');
      await sleep(500);
      expect(onB.resyncs).toEqual([]);
      expect(onB.socket.connected).toBe(true);
      expect(seqsOf(onB)).toEqual(e2);
      // and it is in the delivery room now: the next entry arrives live
      const e3 = await ingestAll(b.url, [incidentIn('RS-2-E3', D4)]);
      await until(() => hasAll(onB, e3), 10_000, 'E3 live');
      expect(seqsOf(onB)).toEqual([...e2, ...e3]);
    } finally {
      release();
    }
  }, 60_000);

  it('a lastSeq equal to the head resumes with nothing to send and then delivers live', async () => {
    const head = (await logHead(r))!;
    const probe = await client(s.url, coordinator);
    const c = await client(s.url, coordinator, { lastSeq: head, logEpoch: probe.hello!.logEpoch });
    const next = await ingestAll(s.url, [incidentIn('RS-3', D2)]);
    await until(() => hasAll(c, next), 10_000, 'the next entry');
    await sleep(300);
    expect(seqsOf(c)).toEqual(next);
    expect(c.resyncs).toEqual([]);
  });
});
