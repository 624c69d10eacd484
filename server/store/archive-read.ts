// `GET /log` reads across the archive and Redis: every entry older than the first one still in
// Redis is in a day file (trimming never passes the archive watermark), and everything from
// that first entry on is in Redis, so the two together have no gap.
import type { Redis } from 'ioredis';
import type { Entry } from '../../shared/objects.js';
import { compareSeq } from '../../shared/seq.js';
import { firstSeqOf, lineSeq, listDayFiles, readDayLines } from './archive-files.js';
import { keys } from './keys.js';
import { parseRecord } from './log.js';

type StreamReply = [string, string[]][];

/** Largest sequence number within one millisecond (2^64 - 1). */
const MAX_SEQ_PART = '18446744073709551615';
/** A reader racing a trimmer this many times in one page has met a broken log, not bad luck. */
const MAX_ROUNDS = 16;

/**
 * The `after` cursor for an ISO time. Reads return entries strictly after the cursor, and the
 * first seq at time `ms` is `<ms>-0`, so the cursor is the last possible seq of the millisecond
 * before: `<ms-1>-18446744073709551615`. Then "after 10:00" includes an entry at exactly 10:00.
 */
export function seqAtTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO time: ${iso}`);
  // no entry can have a seq at or before 0-0 (Redis refuses that id)
  return ms <= 0 ? '0-0' : `${ms - 1}-${MAX_SEQ_PART}`;
}

/** Entries strictly after `after` (null: from the start), in log order, from the archive then Redis. */
export async function readLogPage(
  redis: Redis,
  dir: string,
  after: string | null,
  limit: number,
): Promise<{ items: Entry[]; nextAfter: string | null }> {
  const want = Math.max(1, Math.floor(limit));
  const items: Entry[] = [];
  let cursor = after;
  // every archived entry in (cursor, archiveDoneBelow) has been read; 'all': no bound
  let archiveDoneBelow: string | 'all' | null = null;
  for (let round = 0; items.length < want; round++) {
    if (round >= MAX_ROUNDS) throw new Error('readLogPage: the log kept being trimmed under the reader');
    const { first, page } = await snapshot(redis, cursor, want - items.length);
    const inRedis = first !== null && cursor !== null && compareSeq(cursor, first) >= 0;
    const archiveDone =
      archiveDoneBelow === 'all' ||
      (archiveDoneBelow !== null && first !== null && compareSeq(first, archiveDoneBelow) <= 0);
    if (inRedis || archiveDone) {
      items.push(...page);
      break;
    }
    const room = want - items.length;
    const older = await readArchive(dir, cursor, first, room);
    items.push(...older);
    const last = older.at(-1);
    if (last) cursor = last.seq;
    // a short read means the archive has nothing more below `first`; then Redis continues
    if (older.length < room) archiveDoneBelow = first ?? 'all';
  }
  return { items, nextAfter: items.at(-1)?.seq ?? after };
}

/** The first entry in Redis and a page after the cursor, read atomically against trimming. */
async function snapshot(redis: Redis, cursor: string | null, count: number): Promise<{ first: string | null; page: Entry[] }> {
  const reply = await redis
    .multi()
    .xrange(keys.log, '-', '+', 'COUNT', 1)
    .xrange(keys.log, cursor === null ? '-' : `(${cursor}`, '+', 'COUNT', count)
    .exec();
  if (!reply) throw new Error('readLogPage: transaction aborted');
  const [firstReply, pageReply] = reply;
  if (firstReply?.[0]) throw firstReply[0];
  if (pageReply?.[0]) throw pageReply[0];
  const head = firstReply?.[1] as StreamReply | undefined;
  const records = (pageReply?.[1] ?? []) as StreamReply;
  return { first: head?.[0]?.[0] ?? null, page: records.map(([id, fields]) => parseRecord(id, fields)) };
}

/** Archived entries in (after, before), at most `count`, streaming through the day files. */
async function readArchive(dir: string, after: string | null, before: string | null, count: number): Promise<Entry[]> {
  const files = await listDayFiles(dir);
  const out: Entry[] = [];
  for (let i = after === null ? 0 : await startIndex(files, after); i < files.length; i++) {
    const path = files[i]!.path;
    for await (const line of readDayLines(path)) {
      const seq = lineSeq(line, path);
      if (after !== null && compareSeq(seq, after) <= 0) continue;
      if (before !== null && compareSeq(seq, before) >= 0) return out;
      out.push(JSON.parse(line) as Entry);
      if (out.length >= count) return out;
    }
  }
  return out;
}

/**
 * The last file whose first seq is at or before `after` (entries after it start there), found
 * by peeking first lines. Files are named by local day, but the zone is not needed: files
 * are in seq order, each holding a contiguous range.
 */
async function startIndex(files: { path: string }[], after: string): Promise<number> {
  let lo = 0;
  let hi = files.length - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const first = await firstSeqOf(files[mid]!.path);
    if (first !== null && compareSeq(first, after) <= 0) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}
