import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Entry } from '../../shared/objects.js';
import { keys } from './keys.js';

type StreamReply = [string, string[]][];

/** Turns a stream record (id, ["e", json]) into an entry with its seq first. */
export function parseRecord(id: string, fields: string[]): Entry {
  const i = fields.indexOf('e');
  const json = i >= 0 ? fields[i + 1] : undefined;
  if (json === undefined) throw new Error(`log record ${id} has no entry`);
  return { seq: id, ...(JSON.parse(json) as Omit<Entry, 'seq'>) };
}

/** Entries strictly after `after` (null: from the start), at most `count`, in log order. */
export async function readAfter(redis: Redis, after: string | null, count: number): Promise<Entry[]> {
  const start = after === null ? '-' : `(${after}`;
  const reply = (await redis.xrange(keys.log, start, '+', 'COUNT', count)) as StreamReply;
  return reply.map(([id, fields]) => parseRecord(id, fields));
}

/** Entries in [from, to] inclusive, at most `count`. */
export async function readRange(redis: Redis, from: string, to: string, count: number): Promise<Entry[]> {
  const reply = (await redis.xrange(keys.log, from, to, 'COUNT', count)) as StreamReply;
  return reply.map(([id, fields]) => parseRecord(id, fields));
}

/** The id of the last entry, or null for an empty log. */
export async function lastSeq(redis: Redis): Promise<string | null> {
  const r = (await redis.xrevrange(keys.log, '+', '-', 'COUNT', 1)) as StreamReply;
  return r[0]?.[0] ?? null;
}

/** The id of the first retained entry, or null. */
export async function firstSeq(redis: Redis): Promise<string | null> {
  const r = (await redis.xrange(keys.log, '-', '+', 'COUNT', 1)) as StreamReply;
  return r[0]?.[0] ?? null;
}

/** The log's epoch: a random id created with the log, so clients can tell a new log from an old one. */
export async function ensureLogEpoch(redis: Redis): Promise<string> {
  await redis.set(keys.logEpoch, randomBytes(9).toString('base64url'), 'NX');
  const epoch = await redis.get(keys.logEpoch);
  if (!epoch) throw new Error('log epoch missing');
  return epoch;
}

/** The log head and epoch in one round trip: what a snapshot is "as of". */
export async function logHead(redis: Redis): Promise<{ asOfSeq: string | null; logEpoch: string }> {
  const [[e1, last], [e2, epoch]] = (await redis.multi().xrevrange(keys.log, '+', '-', 'COUNT', 1).get(keys.logEpoch).exec()) as [[Error | null, StreamReply], [Error | null, string | null]];
  if (e1) throw e1;
  if (e2) throw e2;
  return { asOfSeq: last[0]?.[0] ?? null, logEpoch: epoch ?? '' };
}
