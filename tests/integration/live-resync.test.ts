// Every `resync` case of DESIGN §5 — malformed lastSeq, another logEpoch, lastSeq ahead of the
// log, behind the first retained entry, more than 10,000 entries behind — answers `resync` with
// its reason and a server disconnect; the boundaries next to them resume normally.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResyncReason } from '../../shared/live.js';
import { connectLive, until, type Recorder } from '../helpers/live-client.js';
import { D2, D3, connected, disconnects, hasAll, incidentIn, ingestAll, logAfter, logHead, seqsOf, sleep } from '../helpers/live-data.js';
import { durableClient } from '../helpers/requests.js';
import { startStack, type Stack } from '../helpers/stack.js';

let s: Stack;
let r: Redis;
let coordinator: string;
let epoch: string;
const open: Recorder[] = [];
beforeAll(async () => {
  s = await startStack();
  r = durableClient(s);
  coordinator = await s.login('coordinator');
  await ingestAll(s.url, Array.from({ length: 20 }, (_, i) => incidentIn(`RY-0-${i}`, i % 2 ? D2 : D3, i)));
  const probe = await connected(s.url, coordinator);
  epoch = probe.hello!.logEpoch;
  probe.close();
});
afterAll(async () => {
  for (const c of open) c.close();
  r?.disconnect();
  await s?.stop();
});

/** Resumes with `auth` and expects hello, one resync with `reason`, then a server disconnect. */
async function expectResync(auth: { lastSeq: string; logEpoch?: string }, reason: ResyncReason, ms = 15_000): Promise<Recorder> {
  const c = connectLive(s.url, coordinator, auth);
  open.push(c);
  const gone = disconnects(c);
  await until(() => gone.length > 0 || c.errors.length > 0, ms, `resync ${reason}`);
  expect(c.errors).toEqual([]);
  expect(c.hello).not.toBeNull();
  expect(c.resyncs).toEqual([{ reason }]);
  expect(gone).toEqual(['io server disconnect']);
  // a client that must reload its snapshots is not sent a partial catch-up first
  expect(c.entries()).toEqual([]);
  return c;
}

/** Resumes with `lastSeq` and expects no resync: exactly `want` arrives, then the socket stays. */
async function expectResume(lastSeq: string, want: string[], ms = 30_000): Promise<Recorder> {
  const c = await connected(s.url, coordinator, { lastSeq, logEpoch: epoch });
  open.push(c);
  await until(() => hasAll(c, want) || c.resyncs.length > 0, ms, 'the resumed entries');
  await sleep(500);
  expect(c.resyncs).toEqual([]);
  expect(c.socket.connected).toBe(true);
  expect(seqsOf(c)).toEqual(want);
  return c;
}

describe('resync reasons', () => {
  it('a malformed lastSeq', async () => {
    await expectResync({ lastSeq: 'abc', logEpoch: epoch }, 'malformed_last_seq');
    await expectResync({ lastSeq: '12.5-0', logEpoch: epoch }, 'malformed_last_seq');
  });

  it('a logEpoch other than the log’s (or none)', async () => {
    const head = (await logHead(r))!;
    await expectResync({ lastSeq: head, logEpoch: 'another-log' }, 'epoch_changed');
    await expectResync({ lastSeq: head }, 'epoch_changed');
  });

  it('a lastSeq greater than the log’s last entry', async () => {
    const head = (await logHead(r))!;
    const [ms, n] = head.split('-');
    await expectResync({ lastSeq: `${ms}-${BigInt(n!) + 1n}`, logEpoch: epoch }, 'ahead_of_log');
    await expectResync({ lastSeq: `${BigInt(ms!) + 86_400_000n}-0`, logEpoch: epoch }, 'ahead_of_log');
  });

  it('more than 10,000 entries behind resyncs; exactly 10,000 behind resumes', async () => {
    const from = (await logHead(r))!;
    for (let b = 0; b < 11; b++) {
      const n = b < 10 ? 1000 : 100;
      await ingestAll(s.url, Array.from({ length: n }, (_, i) => incidentIn(`RY-1-${b}-${i}`, i % 2 ? D2 : D3, i)));
    }
    const after = (await logAfter(r, from)).map((e) => e.seq);
    expect(after).toHaveLength(10_100);
    await expectResync({ lastSeq: from, logEpoch: epoch }, 'too_far_behind', 60_000);
    // 10,000 behind exactly is within bounds
    await expectResume(after[99]!, after.slice(100), 60_000);
  }, 240_000);

  it('a lastSeq older than the first retained entry resyncs; the first retained one resumes', async () => {
    const before = (await logAfter(r, null)).map((e) => e.seq);
    const keep = before.length - 30;
    const firstKept = before[keep]!;
    const lastTrimmed = before[keep - 1]!;
    expect(await r.call('XTRIM', 'log', 'MINID', firstKept)).toBe(keep);
    expect((await logAfter(r, null))[0]!.seq).toBe(firstKept);
    // XTRIM, like the commit's XADD MINID, leaves XINFO's max-deleted-entry-id alone (Redis 7)
    await expectResync({ lastSeq: lastTrimmed, logEpoch: epoch }, 'behind_retention');
    await expectResync({ lastSeq: before[0]!, logEpoch: epoch }, 'behind_retention');
    await expectResync({ lastSeq: '0-1', logEpoch: epoch }, 'behind_retention');
    // a client at the first retained entry misses nothing
    await expectResume(firstKept, before.slice(keep + 1));
  }, 60_000);
});
