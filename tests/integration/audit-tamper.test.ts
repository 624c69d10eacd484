// The audit hash chain against a real Redis (no server): tampering of every kind is reported
// with the record id where the chain breaks; trimming keeps a valid chain that starts at the
// first retained record; a writer with a stale head retries; an outage never throws from record().
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { chainRecords, GENESIS, recordJson } from '../../server/audit/chain.js';
import { readAuditPage } from '../../server/audit/routes.js';
import { RedisAudit, verifyChain } from '../../server/audit/trail.js';
import type { AuditEvent } from '../../server/audit/types.js';
import { createLogger, type Logger } from '../../server/logger.js';
import { commandConnection } from '../../server/redis/connections.js';
import type { ScriptedRedis } from '../../server/store/scripts.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';

const DAY = 86_400_000;
let server: TestRedis;
let c: ScriptedRedis;
let plain: Redis;
const silent = createLogger('silent');
const ev = (n: number, extra: Partial<AuditEvent> = {}): AuditEvent => ({
  user: 'tester', role: 'admin', action: 'test.event', object: `n-${n}`, result: 'success', address: '10.1.2.3', ...extra,
});
const writer = (opts: Partial<ConstructorParameters<typeof RedisAudit>[1]> = {}) => new RedisAudit(c, { retentionDays: 180, log: silent, ...opts });

/** n records through one writer; their ids, oldest first. */
async function fill(n: number, w = writer()): Promise<string[]> {
  const recs = await Promise.all(Array.from({ length: n }, (_, i) => w.recordOrThrow(ev(i))));
  return recs.map((x) => x.id);
}
const entries = async () => (await plain.xrange('audit', '-', '+')) as [string, string[]][];

beforeAll(async () => {
  server = await startRedis();
  c = commandConnection(server.url, 'audit-tamper');
  await new Promise<void>((res) => (c.status === 'ready' ? res() : c.once('ready', () => res())));
  plain = new Redis(server.url);
});
afterAll(async () => {
  c?.disconnect();
  plain?.disconnect();
  await server?.stop();
});
beforeEach(async () => {
  await plain.flushdb();
});

describe('an intact chain', () => {
  it('verifies across chunk boundaries, and an empty trail is fine', async () => {
    expect(await verifyChain(plain)).toEqual({ ok: true, checked: 0 });
    const ids = await fill(25);
    const v = await verifyChain(plain, { chunk: 4 });
    expect(v).toEqual({ ok: true, checked: 25, start: 'genesis', firstId: ids[0], lastId: ids[24], head: await plain.get('audit:head') });
    const first = JSON.parse((await entries())[0]![1][1]!);
    expect(first.prevHash).toBe(GENESIS);
  });

  it('rebuilds on the new head when another writer appended first', async () => {
    const a = writer();
    const b = writer();
    await b.recordOrThrow(ev(1));
    await a.recordOrThrow(ev(2));
    await b.recordOrThrow(ev(3)); // b still holds the head after its own first record
    expect(b.conflicts).toBe(1);
    expect(a.conflicts).toBe(0);
    expect(await verifyChain(plain)).toMatchObject({ ok: true, checked: 3 });
    expect((await entries()).map(([, f]) => JSON.parse(f[1]!).object)).toEqual(['n-1', 'n-2', 'n-3']);
  });
});

describe('tampering is detected where it happened', () => {
  it('a forged record with a made-up prevHash', async () => {
    await fill(5);
    const forged = await plain.xadd('audit', '*', 'r', recordJson(ev(99), new Date().toISOString(), GENESIS));
    expect(await verifyChain(plain)).toMatchObject({ ok: false, checked: 5, brokenAt: forged, reason: expect.stringMatching(/prevHash/) });
  });

  it('a forged record that links correctly but was not appended through the head', async () => {
    await fill(5);
    const forged = await plain.xadd('audit', '*', 'r', recordJson(ev(99), new Date().toISOString(), (await plain.get('audit:head'))!));
    expect(await verifyChain(plain)).toMatchObject({ ok: false, checked: 6, brokenAt: forged, reason: expect.stringMatching(/head/) });
  });

  it('a record deleted in the middle (XDEL) and one deleted at the end', async () => {
    const ids = await fill(6);
    await plain.xdel('audit', ids[2]!);
    expect(await verifyChain(plain)).toMatchObject({ ok: false, checked: 2, brokenAt: ids[3], reason: expect.stringMatching(/prevHash/) });
    await plain.flushdb();
    const again = await fill(6);
    await plain.xdel('audit', again[5]!);
    expect(await verifyChain(plain)).toMatchObject({ ok: false, checked: 5, brokenAt: again[4], reason: expect.stringMatching(/head/) });
  });

  it('a stored record edited in place (the stream rewritten with the same ids)', async () => {
    const ids = await fill(5);
    const rewrite = async (index: number) => {
      const all = await entries();
      await plain.del('audit');
      for (const [id, f] of all) {
        const json = id === ids[index] ? f[1]!.replace('"result":"success"', '"result":"failure"') : f[1]!;
        await plain.xadd('audit', id, 'r', json);
      }
    };
    await rewrite(1);
    expect(await verifyChain(plain)).toMatchObject({ ok: false, brokenAt: ids[2] });
    await plain.flushdb();
    const again = await fill(5);
    ids.splice(0, 5, ...again);
    await rewrite(4);
    expect(await verifyChain(plain)).toMatchObject({ ok: false, brokenAt: again[4], reason: expect.stringMatching(/head/) });
  });

  it('a record that is not a record, shown as unreadable in GET /audit', async () => {
    await fill(3);
    const junk = await plain.xadd('audit', '*', 'r', 'not json at all');
    expect(await verifyChain(plain)).toMatchObject({ ok: false, brokenAt: junk, reason: expect.stringMatching(/well-formed/) });
    const page = await readAuditPage(plain, 2);
    expect(page.items[0]).toMatchObject({ id: junk, action: 'audit.unreadable', result: 'failure', details: { raw: 'not json at all' } });
    expect(page.nextCursor).toBe(page.items[1]!.id);
  });

  it('a deleted head: the gap stays visible, and the chain cannot silently restart', async () => {
    const ids = await fill(4);
    await plain.del('audit:head');
    expect(await verifyChain(plain)).toMatchObject({ ok: false, brokenAt: ids[3] });
    const [restart] = await fill(1);
    expect(await verifyChain(plain)).toMatchObject({ ok: false, checked: 4, brokenAt: restart });
    await plain.flushdb();
    await plain.set('audit:head', 'a'.repeat(64));
    expect(await verifyChain(plain)).toMatchObject({ ok: false, checked: 0 });
  });
});

describe('retention', () => {
  /** Appends a chain segment with explicit (old) ids, as a writer would have months ago. */
  async function appendOld(fromMs: number, n: number, tag: string): Promise<void> {
    const head = (await plain.get('audit:head')) ?? GENESIS;
    const built = chainRecords(head, Array.from({ length: n }, (_, i) => ({ e: ev(i, { object: `${tag}-${i}` }), time: new Date(fromMs + i).toISOString() })));
    for (let i = 0; i < n; i++) await plain.xadd('audit', `${fromMs + i}-0`, 'r', built.jsons[i]!);
    await plain.set('audit:head', built.head);
  }

  it('trims records past AUDIT_RETENTION_DAYS (by the Redis clock), keeps younger ones, and the chain still verifies', async () => {
    await appendOld(Date.now() - 200 * DAY, 250, 'old'); // three stream nodes of ≤ 100 entries: MINID ~ drops whole nodes
    await appendOld(Date.now() - 170 * DAY, 10, 'recent');
    expect(await verifyChain(plain)).toMatchObject({ ok: true, checked: 260, start: 'genesis' });
    // a writer whose clock runs a year ahead trims by the Redis clock all the same
    await writer({ now: () => Date.now() + 365 * DAY }).recordOrThrow(ev(0, { object: 'now' }));
    const left = (await entries()).map(([, f]) => JSON.parse(f[1]!).object as string);
    expect(left.length).toBeLessThan(261);
    expect(left.filter((o) => o.startsWith('recent-'))).toHaveLength(10);
    expect(left[left.length - 1]).toBe('now');
    const v = await verifyChain(plain, { chunk: 16 });
    expect(v).toMatchObject({ ok: true, checked: left.length, start: 'trimmed' });
    expect(JSON.parse((await entries())[0]![1][1]!).prevHash).not.toBe(GENESIS);
  });
});

describe('failures', () => {
  it('record() never throws when Redis is unreachable and logs it; recordOrThrow rejects', async () => {
    const down = commandConnection('redis://127.0.0.1:1', 'audit-down');
    try {
      const log: Logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
      const a = new RedisAudit(down, { retentionDays: 180, log });
      await expect(a.record(ev(1, { action: 'auth.login', user: 'duty' }))).resolves.toBeUndefined();
      expect(log.error).toHaveBeenCalledTimes(1);
      expect(vi.mocked(log.error).mock.calls[0]![0]).toMatch(/auth\.login.*duty/);
      await expect(a.recordOrThrow(ev(2))).rejects.toThrow();
    } finally {
      down.disconnect();
    }
  });

  it('a record whose details cannot be stored fails alone', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const w = writer();
    const [bad, good] = await Promise.allSettled([w.recordOrThrow(ev(1, { details: cyclic })), w.recordOrThrow(ev(2))]);
    expect(bad.status).toBe('rejected');
    expect(good.status).toBe('fulfilled');
    expect(await verifyChain(plain)).toMatchObject({ ok: true, checked: 1 });
  });
});
