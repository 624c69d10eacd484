import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gridCenter } from '../helpers/geo.js';
import { connectLive, until } from '../helpers/live-client.js';
import { ce, startStack, type Stack } from '../helpers/stack.js';

let s: Stack;
let cookie: string;
beforeAll(async () => {
  s = await startStack();
  cookie = await s.login('coordinator');
});
afterAll(async () => s?.stop());

const at = (n: number) => ({ lat: gridCenter(n).lat, lon: gridCenter(n).lon });

describe('live delivery', () => {
  it('says hello, then delivers an ingested entry exactly once', async () => {
    const c = connectLive(s.url, cookie);
    await until(() => c.hello !== null, 5000, 'hello');
    expect(c.hello).toMatchObject({ user: { username: 'coordinator' }, logEpoch: expect.any(String), version: expect.any(String) });
    const ev = ce('incident.reported', { incidentId: 'L-1', category: 'theft', priority: 1, location: at(5) });
    const res = await s.ingest([ev]);
    const seq = res.body.accepted[0].seq;
    await until(() => c.entries().some((e) => e.seq === seq), 5000, 'the entry');
    await new Promise((r) => setTimeout(r, 300));
    expect(c.entries().filter((e) => e.id === ev.id)).toHaveLength(1);
    c.close();
  });

  it('resumes from lastSeq with exactly the missed entries', async () => {
    const first = await s.ingest([ce('incident.reported', { incidentId: 'L-2', category: 'theft', priority: 3, location: at(6) })]);
    const from = first.body.accepted[0].seq;
    const missed = await s.ingest(Array.from({ length: 30 }, (_, i) => ce('incident.reported', { incidentId: `L-3-${i}`, category: 'fraud', priority: 4, location: at(7) })));
    const c = connectLive(s.url, cookie, { lastSeq: from, logEpoch: (await connectProbe()).logEpoch });
    await until(() => c.entries().length >= 30, 5000, 'catch-up');
    await new Promise((r) => setTimeout(r, 300));
    expect(c.entries().map((e) => e.seq)).toEqual(missed.body.accepted.map((a: any) => a.seq));
    c.close();
  });

  it('lets a crowd resuming from the same lastSeq share one catch-up, each getting exactly the missed entries', async () => {
    const first = await s.ingest([ce('incident.reported', { incidentId: 'L-4', category: 'theft', priority: 3, location: at(8) })]);
    const from = first.body.accepted[0].seq;
    const missed = await s.ingest(Array.from({ length: 40 }, (_, i) => ce('incident.reported', { incidentId: `L-5-${i}`, category: 'fraud', priority: 4, location: at(9) })));
    const epoch = (await connectProbe()).logEpoch;
    const crowd = Array.from({ length: 15 }, () => connectLive(s.url, cookie, { lastSeq: from, logEpoch: epoch }));
    await until(() => crowd.every((c) => c.entries().length >= 40), 10_000, 'every catch-up');
    // live entries after the catch-up arrive once too: the sockets joined their room
    const after = await s.ingest([ce('incident.reported', { incidentId: 'L-6', category: 'fraud', priority: 4, location: at(9) })]);
    await until(() => crowd.every((c) => c.entries().some((e) => e.seq === after.body.accepted[0].seq)), 5000, 'the live entry');
    await new Promise((r) => setTimeout(r, 300));
    const want = [...missed.body.accepted.map((a: any) => a.seq), after.body.accepted[0].seq];
    for (const c of crowd) {
      expect(c.entries().map((e) => e.seq)).toEqual(want);
      c.close();
    }
  });

  it('sends a heartbeat frame on a quiet log', async () => {
    const c = connectLive(s.url, cookie);
    await until(() => c.frames.some((f) => f.events.length === 0 && f.headSeq !== null), 8000, 'heartbeat');
    c.close();
  });
});

async function connectProbe() {
  const c = connectLive(s.url, cookie);
  await until(() => c.hello !== null, 5000, 'hello');
  c.close();
  return c.hello!;
}
