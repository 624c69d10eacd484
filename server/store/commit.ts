import type { PendingEntry } from '../../shared/objects.js';
import type { ScriptedRedis } from './scripts.js';

/** One write the commit script performs after appending the entry. */
export type Op =
  | { op: 'H'; key: string; version: number; json: string }
  | { op: 'TL'; key: string }
  | { op: 'ZA'; key: string; score: number; member: string }
  | { op: 'ZR'; key: string; member: string }
  | { op: 'GA'; key: string; lon: number; lat: number; member: string }
  | { op: 'SA' | 'SR'; key: string; member: string }
  | { op: 'SX'; key: string; ttlSeconds: number }
  /** EXPIRE key ttlSeconds (bounds keys the commit adds to, e.g. per-day sets) */
  | { op: 'EX'; key: string; ttlSeconds: number }
  | { op: 'DL'; key: string }
  /** a hash field set to `<seq> <json>` */
  | { op: 'HF'; key: string; field: string; json: string }
  /** HINCRBY key field n (daily counters: server/ingest/daily-ops.ts) */
  | { op: 'HI'; key: string; field: string; n: number };

/** Everything the script needs to commit one entry. */
export interface CommitEntry {
  dedupe: { key: string; hash: string; ttlSeconds: number } | null;
  /** object keys and the version each must have now (0: must not exist) */
  checks: { key: string; expected: number }[];
  entry: PendingEntry;
  ops: Op[];
}

export type CommitResult = { status: 'ok' | 'dup' | 'idc'; seq: string };
export interface CommitOutcome {
  /** results for the entries before the conflict (all of them when there was none) */
  results: CommitResult[];
  conflict: { key: string; current: number } | null;
}

function opArgs(o: Op): (string | number)[] {
  switch (o.op) {
    case 'H': return ['H', o.key, o.version, o.json];
    case 'TL': return ['TL', o.key];
    case 'ZA': return ['ZA', o.key, o.score, o.member];
    case 'ZR': return ['ZR', o.key, o.member];
    case 'GA': return ['GA', o.key, o.lon, o.lat, o.member];
    case 'SA': case 'SR': return [o.op, o.key, o.member];
    case 'SX': return ['SX', o.key, o.ttlSeconds];
    case 'EX': return ['EX', o.key, o.ttlSeconds];
    case 'DL': return ['DL', o.key];
    case 'HF': return ['HF', o.key, o.field, o.json];
    case 'HI': return ['HI', o.key, o.field, o.n];
  }
}

/** Flattens entries into the script's ARGV (see commit.lua). */
export function encodeCommit(entries: readonly CommitEntry[], minId: string | null): (string | number)[] {
  const argv: (string | number)[] = [minId ?? '', entries.length];
  for (const e of entries) {
    argv.push(e.dedupe?.key ?? '', e.dedupe?.hash ?? '', e.dedupe?.ttlSeconds ?? 0, e.checks.length);
    for (const c of e.checks) argv.push(c.key, c.expected);
    argv.push(JSON.stringify(e.entry));
    const ops = e.ops.flatMap(opArgs);
    argv.push(ops.length, ...ops);
  }
  return argv;
}

/** Parses the script's reply. */
export function decodeCommit(reply: unknown): CommitOutcome {
  if (!Array.isArray(reply)) throw new Error('commit: unexpected reply');
  const results: CommitResult[] = [];
  for (const r of reply as string[][]) {
    const [status, a, b] = r;
    if (typeof a !== 'string') throw new Error('commit: reply without a seq or key');
    if (status === 'conflict') {
      if (!/^\d+$/.test(String(b))) throw new Error('commit: conflict without a version');
      return { results, conflict: { key: a, current: Number(b) } };
    }
    if (status !== 'ok' && status !== 'dup' && status !== 'idc') throw new Error(`commit: bad status ${status}`);
    results.push({ status, seq: a });
  }
  return { results, conflict: null };
}

/**
 * A script call's ARGV stays under this many values: a batch of 1,000 reports, each with its
 * indexes and counters on five jurisdictions, is ~400,000 — too many to spread into one call,
 * and one script that long would hold Redis up for every other client.
 */
export const MAX_ARGV_PER_CALL = 20_000;

/** Splits entries into consecutive groups whose encoded ARGV stays under `max` (an entry alone may exceed it). */
export function commitGroups(entries: readonly CommitEntry[], max = MAX_ARGV_PER_CALL): CommitEntry[][] {
  const groups: CommitEntry[][] = [];
  let current: CommitEntry[] = [];
  let size = 2;
  for (const e of entries) {
    const n = 5 + 2 * e.checks.length + 1 + e.ops.reduce((sum, o) => sum + opArgs(o).length, 0);
    if (current.length > 0 && size + n > max) {
      groups.push(current);
      current = [];
      size = 2;
    }
    current.push(e);
    size += n;
  }
  if (current.length) groups.push(current);
  return groups;
}

/**
 * Commits entries in order: each script call is atomic and stops at the first conflict, and the
 * calls run one after another, so the outcome is the same as one call's — the entries before the
 * conflict committed, none after it.
 */
export async function commit(
  redis: ScriptedRedis,
  entries: readonly CommitEntry[],
  opts: { minId: string | null; replicaAck?: boolean },
): Promise<CommitOutcome> {
  if (entries.length === 0) return { results: [], conflict: null };
  const results: CommitResult[] = [];
  let conflict: CommitOutcome['conflict'] = null;
  for (const group of commitGroups(entries)) {
    // one array argument (ioredis flattens it): spreading ARGV into the call would grow the stack with it
    const reply = await redis.pinganCommit(encodeCommit(group, opts.minId));
    const outcome = decodeCommit(reply);
    results.push(...outcome.results);
    if (outcome.conflict) {
      conflict = outcome.conflict;
      break;
    }
  }
  if (opts.replicaAck && results.some((r) => r.status === 'ok')) {
    await redis.call('WAIT', '1', '100');
  }
  return { results, conflict };
}
