import { once } from 'node:events';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Entry, PendingEntry } from '../../shared/objects.js';
import { compareSeq, seqTimeMs } from '../../shared/seq.js';
import { commandConnection } from '../../server/redis/connections.js';
import { archiveClosedDays, readLogPage, seqAtTime } from '../../server/store/archive.js';
import { commit } from '../../server/store/commit.js';
import { keys } from '../../server/store/keys.js';
import { RetentionGuard } from '../../server/store/retention.js';
import type { ScriptedRedis } from '../../server/store/scripts.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';

const TZ = 'Asia/Shanghai';
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const dayFmt = new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' });
const localDay = (ms: number) => dayFmt.format(ms);
// Shanghai has been UTC+8 without DST since 1991, so its midnights are plain arithmetic
const shanghaiMidnight = (ms: number) => Math.floor((ms + 8 * HOUR) / DAY) * DAY - 8 * HOUR;

function pending(n: number, ms: number): PendingEntry {
  const t = new Date(ms).toISOString();
  return { id: `ev-${n}`, source: 'test', type: 'gridworker.report', time: t, receivedAt: t, jurisdiction: ['city'], affects: [], data: { kind: 'visit', n } };
}

function readDayFile(dir: string, day: string): string[] {
  return gunzipSync(readFileSync(join(dir, `log-${day}.ndjson.gz`))).toString('utf8').split('\n').filter(Boolean);
}

describe('log archive and retention', () => {
  let server: TestRedis;
  let redis: ScriptedRedis;
  let dir: string;
  const today = shanghaiMidnight(Date.now());
  const entries: Entry[] = [];
  // three closed days, with entries one minute either side of each local midnight, and
  // several entries within one millisecond (seq n > 0)
  const plan: [ms: number, count: number][] = [
    [today - 3 * DAY + 9 * HOUR, 2],
    [today - 3 * DAY + 15 * HOUR, 1],
    [today - 2 * DAY - MIN, 2], // 23:59, day -3
    [today - 2 * DAY + MIN, 1], // 00:01, day -2
    [today - 2 * DAY + 8 * HOUR, 3],
    [today - 2 * DAY + 20 * HOUR, 2],
    [today - DAY - MIN, 1], // 23:59, day -2
    [today - DAY + MIN, 2], // 00:01, day -1
    [today - DAY + 7 * HOUR, 4],
    [today - DAY + 18 * HOUR, 3],
    [today - MIN, 1], // 23:59, day -1
    [today + 1, 2], // today: stays in Redis
    [today + 2, 1],
  ];
  const days = [3, 2, 1].map((k) => localDay(today - k * DAY + 12 * HOUR));
  const inDay = (day: string) => entries.filter((e) => localDay(seqTimeMs(e.seq)) === day);

  beforeAll(async () => {
    server = await startRedis();
    redis = commandConnection(server.url);
    if (redis.status !== 'ready') await once(redis, 'ready');
    // one entry per stream node, so that approximate trimming (MINID ~) is exact enough to observe
    await redis.config('SET', 'stream-node-max-entries', '1');
    dir = mkdtempSync(join(tmpdir(), 'pingan-archive-'));
    let n = 0;
    for (const [ms, count] of plan) {
      for (let k = 0; k < count; k++) {
        const p = pending(n++, ms);
        const seq = `${ms}-${k}`;
        await redis.xadd(keys.log, seq, 'e', JSON.stringify(p));
        entries.push({ seq, ...p });
      }
    }
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('trims nothing before anything was archived', async () => {
    const guard = new RetentionGuard(redis, { retentionDays: 1 });
    await guard.refresh();
    expect(guard.minId()).toBeNull();
  });

  it('writes one file per closed local day, and moves the watermark', async () => {
    const result = await archiveClosedDays(redis, { dir, timeZone: TZ });
    expect(result.days).toEqual(days);
    const archived = entries.filter((e) => compareSeq(e.seq, `${today}-0`) < 0);
    expect(result.entries).toBe(archived.length);
    expect(result.through).toBe(archived.at(-1)!.seq);
    expect(await redis.get(keys.archivedThrough)).toBe(result.through);
    expect(readdirSync(dir).sort()).toEqual(days.map((d) => `log-${d}.ndjson.gz`));
    for (const day of days) {
      expect(readDayFile(dir, day)).toEqual(inDay(day).map((e) => JSON.stringify(e)));
    }
    // the minute either side of midnight lands on its own side
    expect(readDayFile(dir, days[0]!).at(-1)).toContain(`"seq":"${today - 2 * DAY - MIN}-1"`);
    expect(readDayFile(dir, days[1]!)[0]).toContain(`"seq":"${today - 2 * DAY + MIN}-0"`);
  });

  it('is idempotent: a second run, and a run after a lost watermark, leave the files identical', async () => {
    const before = days.map((d) => readFileSync(join(dir, `log-${d}.ndjson.gz`)));
    const through = await redis.get(keys.archivedThrough);
    expect(await archiveClosedDays(redis, { dir, timeZone: TZ })).toEqual({ days: [], entries: 0, through });

    await redis.del(keys.archivedThrough); // a crash between the rename and the watermark
    expect(await archiveClosedDays(redis, { dir, timeZone: TZ })).toEqual({ days: [], entries: 0, through });
    expect(days.map((d) => readFileSync(join(dir, `log-${d}.ndjson.gz`)))).toEqual(before);
  });

  it('merges a partly written day without duplicates', async () => {
    const day = days[2]!;
    const full = readDayFile(dir, day);
    const partial = inDay(day).slice(0, 4);
    writeFileSync(join(dir, `log-${day}.ndjson.gz`), gzipSync(partial.map((e) => `${JSON.stringify(e)}\n`).join('')));
    await redis.set(keys.archivedThrough, partial.at(-1)!.seq);
    const result = await archiveClosedDays(redis, { dir, timeZone: TZ });
    expect(result.days).toEqual([day]);
    expect(result.entries).toBe(full.length - partial.length);
    expect(readDayFile(dir, day)).toEqual(full);
  });

  it('trims archived entries on commit, keeping today and anything not yet archived', async () => {
    const guard = new RetentionGuard(redis, { retentionDays: 1 });
    await guard.refresh();
    const watermark = (await redis.get(keys.archivedThrough))!;
    const now = Date.now();
    const minId = guard.minId(now);
    const cutoff = `${now - DAY}-0`;
    expect(minId).toBe(compareSeq(cutoff, watermark) < 0 ? cutoff : watermark);

    const p = pending(1000, Date.now());
    const outcome = await commit(redis, [{ dedupe: null, checks: [], entry: p, ops: [] }], { minId });
    const seq = outcome.results[0]!.seq;
    entries.push({ seq, ...p });

    const left = ((await redis.xrange(keys.log, '-', '+')) as [string, string[]][]).map(([id]) => id);
    expect(left.every((id) => compareSeq(id, minId!) >= 0)).toBe(true);
    expect(left).toContain(seq);
    for (const e of entries.filter((x) => compareSeq(x.seq, `${today}-0`) >= 0)) expect(left).toContain(e.seq);
    // days -3 and -2 are older than one day and archived, so they left Redis
    for (const e of [...inDay(days[0]!), ...inDay(days[1]!)]) expect(left).not.toContain(e.seq);
  });

  it('pages through archive and Redis without gap or duplicate', async () => {
    const seen: Entry[] = [];
    let after: string | null = null;
    for (let i = 0; i < 100; i++) {
      const page: { items: Entry[]; nextAfter: string | null } = await readLogPage(redis, dir, after, 7);
      seen.push(...page.items);
      expect(page.nextAfter).toBe(page.items.at(-1)?.seq ?? after);
      if (page.items.length < 7) break;
      after = page.nextAfter;
    }
    expect(seen).toEqual(entries);

    const fromFirst = await readLogPage(redis, dir, entries[0]!.seq, 1000);
    expect(fromFirst.items).toEqual(entries.slice(1));
    const end = await readLogPage(redis, dir, entries.at(-1)!.seq, 7);
    expect(end).toEqual({ items: [], nextAfter: entries.at(-1)!.seq });
  });

  it('starts mid-day inside the archive', async () => {
    const i = entries.findIndex((e) => e.seq === `${today - 2 * DAY + 8 * HOUR}-1`);
    const page = await readLogPage(redis, dir, entries[i]!.seq, 5);
    expect(page.items).toEqual(entries.slice(i + 1, i + 6));
  });

  it('reads "after" an ISO time as "at or after" it', async () => {
    const ms = today - 2 * DAY + MIN; // 00:01 local, day -2
    expect(seqAtTime(new Date(ms).toISOString())).toBe(`${ms - 1}-18446744073709551615`);
    const page = await readLogPage(redis, dir, seqAtTime(new Date(ms).toISOString()), 3);
    const i = entries.findIndex((e) => e.seq === `${ms}-0`);
    expect(page.items).toEqual(entries.slice(i, i + 3));
    expect(() => seqAtTime('not a time')).toThrow(RangeError);
  });

  it('reads the archive alone when Redis holds no log', async () => {
    const through = (await redis.get(keys.archivedThrough))!;
    await redis.rename(keys.log, 'log:aside');
    try {
      const page = await readLogPage(redis, dir, null, 1000);
      expect(page.items).toEqual(entries.filter((e) => compareSeq(e.seq, through) <= 0));
      expect(page.nextAfter).toBe(through);
    } finally {
      await redis.rename('log:aside', keys.log);
    }
  });
});
