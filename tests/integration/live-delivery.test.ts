// Live delivery (DESIGN §5): exactly once and in seq order, on one and on two server instances
// sharing one Redis; heartbeats on a quiet log; scope filtering and reporter masking per room.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareSeq, isSeq } from '../../shared/seq.js';
import { until, type Recorder } from '../helpers/live-client.js';
import { D2, D3, connected, hasAll, incidentIn, ingestAll, logAfter, logHead, seqsOf, sleep, strictlyIncreasing, withPrefix } from '../helpers/live-data.js';
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
  await ingestAll(s.url, [incidentIn('DL-SEED', D2)]);
});
afterAll(async () => {
  for (const c of open) c.close();
  r?.disconnect();
  await s?.stop();
});

async function client(url: string, cookie: string): Promise<Recorder> {
  const c = await connected(url, cookie);
  open.push(c);
  return c;
}

describe('live delivery on one instance', () => {
  it('delivers each entry exactly once, in seq order, with headSeq on every frame', async () => {
    const c = await client(s.url, coordinator);
    const from = c.hello!.headSeq;
    expect(from).toBe(await logHead(r));
    const seqs = [
      ...(await ingestAll(s.url, [incidentIn('DL-1-0', D2)])),
      ...(await ingestAll(s.url, Array.from({ length: 40 }, (_, i) => incidentIn(`DL-1-${i + 1}`, i % 2 ? D2 : D3, i)))),
      ...(await ingestAll(s.url, Array.from({ length: 5 }, (_, i) => incidentIn(`DL-1-${i + 41}`, D3, i)))),
    ];
    await until(() => hasAll(c, seqs), 15_000, 'all 46 entries');
    await sleep(500); // a duplicate would arrive by now
    const got = seqsOf(c);
    expect(got).toEqual(seqs);
    expect(strictlyIncreasing(got)).toBe(true);
    expect((await logAfter(r, from)).map((e) => e.seq)).toEqual(got);
    let prevHead = from!;
    for (const f of c.frames) {
      expect(typeof f.headSeq === 'string' && isSeq(f.headSeq)).toBe(true);
      expect(compareSeq(f.headSeq!, prevHead)).toBeGreaterThanOrEqual(0);
      const last = f.events[f.events.length - 1];
      if (last) expect(compareSeq(f.headSeq!, last.seq)).toBeGreaterThanOrEqual(0);
      prevHead = f.headSeq!;
    }
    expect(c.frames[c.frames.length - 1]!.headSeq).toBe(seqs[seqs.length - 1]);
  });

  it('sends heartbeats (empty events, headSeq = the delivered head) at least every ~5 s on a quiet log', async () => {
    const c = await client(s.url, coordinator);
    const head = await logHead(r);
    await sleep(12_000);
    const beats = c.frames.filter((f) => f.events.length === 0);
    expect(beats.length).toBeGreaterThanOrEqual(2);
    for (const b of beats) {
      expect(b.headSeq).toBe(head);
      expect(b.degraded ?? []).toEqual([]);
    }
    expect(c.frames.every((f) => f.events.length === 0)).toBe(true);
  }, 40_000);
});

describe('two server instances on one Redis', () => {
  it('10 clients on each, 300 entries ingested alternately through both: every client gets every entry once, in order', async () => {
    const b = await s.startExtraServer();
    const clients = await Promise.all(Array.from({ length: 20 }, (_, i) => client(i < 10 ? s.url : b.url, coordinator)));
    const from = await logHead(r);
    for (const c of clients) expect(c.hello!.headSeq).toBe(from);
    const seqs: string[] = [];
    for (let round = 0; round < 15; round++) {
      // five at a time through each instance, alternating, some concurrently
      const batch = (inst: number, k: number) => Array.from({ length: 5 }, (_, i) => incidentIn(`DL-2-${round}-${inst}-${k}-${i}`, i % 2 ? D2 : D3, round + i));
      const got = await Promise.all([
        ingestAll(s.url, batch(0, 0)), ingestAll(b.url, batch(1, 0)),
        ingestAll(s.url, batch(0, 1)), ingestAll(b.url, batch(1, 1)),
      ]);
      for (const g of got) seqs.push(...g);
    }
    expect(seqs).toHaveLength(300);
    seqs.sort(compareSeq);
    for (const [i, c] of clients.entries()) await until(() => hasAll(c, seqs), 30_000, `client ${i}: all 300 entries`);
    await sleep(500);
    const log = (await logAfter(r, from)).map((e) => e.seq);
    expect(log).toEqual(seqs);
    for (const c of clients) {
      const got = seqsOf(c);
      expect(got).toEqual(seqs);
      expect(strictlyIncreasing(got)).toBe(true);
    }
    for (const c of clients) c.close();
  }, 120_000);
});

describe('scope and visibility in live frames', () => {
  const reporter = { name: '张三丰', phone: '13812345678', idNumber: '110101199003071234' };

  it('a district duty officer gets only entries of its district; reporter data is masked for duty, shown to coordinators', async () => {
    const dutyD2 = await client(s.url, await s.login(`duty-${D2}`));
    const dutyD3 = await client(s.url, await s.login(`duty-${D3}`));
    const duty = await client(s.url, await s.login('duty'));
    const coord = await client(s.url, coordinator);
    expect(dutyD2.hello!.scopes).toEqual([D2]);
    const inD2 = await ingestAll(s.url, Array.from({ length: 12 }, (_, i) => incidentIn(`DL-3-A-${i}`, D2, i * 7, { reporter })));
    const inD3 = await ingestAll(s.url, Array.from({ length: 9 }, (_, i) => incidentIn(`DL-3-B-${i}`, D3, i * 7, { reporter })));
    const mixed = await ingestAll(s.url, Array.from({ length: 10 }, (_, i) => incidentIn(`DL-3-C-${i}`, i % 2 ? D2 : D3, i, { reporter })));
    const d2 = [...inD2, ...mixed.filter((_, i) => i % 2)];
    const d3 = [...inD3, ...mixed.filter((_, i) => i % 2 === 0)];
    const all = [...inD2, ...inD3, ...mixed];
    await until(() => hasAll(coord, all) && hasAll(duty, all) && hasAll(dutyD2, d2) && hasAll(dutyD3, d3), 15_000, 'all deliveries');
    await sleep(500);
    expect(withPrefix(dutyD2, 'DL-3-').map((e) => e.seq)).toEqual(d2);
    expect(withPrefix(dutyD3, 'DL-3-').map((e) => e.seq)).toEqual(d3);
    for (const e of dutyD2.entries()) expect(e.jurisdiction).toContain(D2);
    for (const e of dutyD3.entries()) expect(e.jurisdiction).toContain(D3);
    expect(withPrefix(coord, 'DL-3-').map((e) => e.seq)).toEqual(all);
    expect(withPrefix(duty, 'DL-3-').map((e) => e.seq)).toEqual(all);

    for (const e of withPrefix(coord, 'DL-3-')) expect((e.data as any).reporter).toEqual(reporter);
    for (const c of [duty, dutyD2, dutyD3]) {
      for (const e of withPrefix(c, 'DL-3-')) {
        const text = JSON.stringify(e);
        expect((e.data as any).reporter).toBeTruthy();
        for (const secret of Object.values(reporter)) expect(text).not.toContain(secret);
      }
    }
  });
});
