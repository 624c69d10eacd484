// The log archive: every closed day (in TIME_ZONE) as gzipped NDJSON under ARCHIVE_DIR. The
// watermark `keys.archivedThrough` is advanced only after a day file is durably in place, and
// RetentionGuard never trims past it, so every entry is always in Redis, the archive, or both.
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import type { Redis } from 'ioredis';
import { isSeq, seqTimeMs } from '../../shared/seq.js';
import { ArchiveDataError, DayFileWriter, localDayOf } from './archive-files.js';
import { keys } from './keys.js';

export { ArchiveDataError } from './archive-files.js';
export { readLogPage, seqAtTime } from './archive-read.js';

const CHUNK = 5000;
// Not in keys.ts yet (that file belongs to the store's owner): one archiver at a time, because
// two runs merging the same day file could each rename over the other's additions.
const LOCK_KEY = keys.archiveLock;
const LOCK_MS = 10 * 60_000;

export interface ArchiveResult {
  /** days whose files were written or extended in this run */
  days: string[];
  /** entries newly written to the archive in this run */
  entries: number;
  /** the watermark after the run (null: nothing archived yet) */
  through: string | null;
  /** true when another run held the lock and this one did nothing */
  skipped?: boolean;
}

type StreamReply = [string, string[]][];

/** Archives every day that has ended in `timeZone` and advances the watermark; idempotent. */
export async function archiveClosedDays(
  redis: Redis,
  opts: { dir: string; timeZone: string; nowMs?: number },
): Promise<ArchiveResult> {
  const lock = await acquireLock(redis);
  if (!lock) return { days: [], entries: 0, through: await readWatermark(redis), skipped: true };
  let writer: DayFileWriter | null = null;
  try {
    await mkdir(opts.dir, { recursive: true });
    const dayOf = localDayOf(opts.timeZone);
    // seqs carry the Redis clock, so "today" is judged by it too
    const today = dayOf(opts.nowMs ?? (await redisNowMs(redis)));
    const result: ArchiveResult = { days: [], entries: 0, through: await readWatermark(redis) };
    const closeDay = async (w: DayFileWriter) => {
      const added = await w.finish();
      if (added > 0) result.days.push(w.day);
      result.entries += added;
      if (w.lastSeq) {
        await redis.set(keys.archivedThrough, w.lastSeq);
        result.through = w.lastSeq;
      }
    };
    let cursor = result.through;
    reading: for (;;) {
      const chunk = (await redis.xrange(keys.log, cursor ? `(${cursor}` : '-', '+', 'COUNT', CHUNK)) as StreamReply;
      for (const [id, fields] of chunk) {
        const day = dayOf(seqTimeMs(id));
        if (day >= today) break reading;
        if (writer && writer.day !== day) {
          const done: DayFileWriter = writer;
          writer = null;
          await closeDay(done);
        }
        writer ??= await DayFileWriter.open(opts.dir, day);
        await writer.add(archiveLine(id, fields), id);
      }
      const last = chunk.at(-1);
      if (!last || chunk.length < CHUNK) break;
      cursor = last[0];
      await lock.extend();
    }
    if (writer) {
      const done: DayFileWriter = writer;
      writer = null;
      await closeDay(done);
    }
    return result;
  } catch (err) {
    await writer?.abort();
    throw err;
  } finally {
    await lock.release().catch(() => {});
  }
}

/**
 * The line for a stream record: the stored JSON with the seq spliced in first, so the archive
 * holds exactly the bytes that were committed (no parse/stringify round trip on large numbers).
 */
function archiveLine(id: string, fields: string[]): string {
  const i = fields.indexOf('e');
  const json = i >= 0 ? fields[i + 1] : undefined;
  if (json === undefined) throw new ArchiveDataError(`log record ${id} has no entry`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new ArchiveDataError(`log record ${id} is not JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ArchiveDataError(`log record ${id} is not a JSON object`);
  }
  const body = json.trim().slice(1).trimStart();
  return body.startsWith('}') ? `{"seq":"${id}"}` : `{"seq":"${id}",${body}`;
}

async function readWatermark(redis: Redis): Promise<string | null> {
  const w = await redis.get(keys.archivedThrough);
  if (w !== null && !isSeq(w)) throw new ArchiveDataError(`${keys.archivedThrough} holds ${JSON.stringify(w)}, not a seq`);
  return w;
}

async function redisNowMs(redis: Redis): Promise<number> {
  const [seconds, micros] = await redis.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";
const EXTEND = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0";

async function acquireLock(redis: Redis): Promise<{ extend(): Promise<void>; release(): Promise<void> } | null> {
  const token = randomBytes(12).toString('base64url');
  if ((await redis.set(LOCK_KEY, token, 'PX', LOCK_MS, 'NX')) !== 'OK') return null;
  return {
    async extend() {
      // a lost lock means another archiver may be writing: stop before touching its files
      if ((await redis.eval(EXTEND, 1, LOCK_KEY, token, LOCK_MS)) !== 1) throw new Error('archive lock lost');
    },
    async release() {
      await redis.eval(RELEASE, 1, LOCK_KEY, token);
    },
  };
}
