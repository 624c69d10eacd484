import type { Redis } from 'ioredis';
import type { Bbox } from '../../shared/api.js';
import { INCIDENT_STATUSES, type Entry, type Incident, type IncidentStatus } from '../../shared/objects.js';
import { compareSeq, isSeq, seqTimeMs } from '../../shared/seq.js';
import { keys } from './keys.js';
import { readObjects } from './objects.js';

export interface IncidentQuery {
  scope: string;
  statuses?: IncidentStatus[];
  since?: string;
  bbox?: Bbox;
  limit: number;
  cursor?: Cursor;
}

/** Position in a newest-first listing: last change time, then id descending. */
export interface Cursor {
  score: number;
  id: string;
}

export const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify([c.score, c.id])).toString('base64url');
export function decodeCursor(s: string): Cursor | null {
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString()) as unknown;
    if (Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'string') return { score: v[0], id: v[1] };
  } catch {
    /* fall through */
  }
  return null;
}

/** Entries with the same millisecond as an incident's update but appended by another server clock may differ by this much. */
const SEQ_SLACK_MS = 60_000;

/** Lists incidents newest-change first from the (jurisdiction, status) indexes; no scans. */
export async function listIncidents(redis: Redis, q: IncidentQuery): Promise<{ items: Incident[]; nextCursor: Cursor | null }> {
  const statuses = q.statuses?.length ? q.statuses : [...INCIDENT_STATUSES];
  const minScore = q.since === undefined ? -Infinity : isSeq(q.since) ? seqTimeMs(q.since) - SEQ_SLACK_MS : Date.parse(q.since);
  const items: Incident[] = [];
  /** the index position of each item: the next page continues from it, whatever changed since */
  const positions: Cursor[] = [];
  let cursor = q.cursor ?? null;
  let exhausted = false;
  // post-filters (bbox, since-by-seq) may discard candidates: fetch in rounds until the page is full
  for (let round = 0; round < 20 && items.length <= q.limit; round++) {
    const want = q.limit - items.length + 1;
    const cands = await candidates(redis, q.scope, statuses, cursor, minScore, want + 16);
    if (cands.length === 0) {
      exhausted = true;
      break;
    }
    const objs = await readObjects<Incident>(redis, cands.map((c) => keys.object('incident', c.id)));
    for (const c of cands) {
      const inc = objs.get(keys.object('incident', c.id));
      cursor = c;
      if (!inc || !matches(inc, q)) continue;
      items.push(inc);
      positions.push(c);
      if (items.length > q.limit) break;
    }
    if (cands.length < want + 16) {
      exhausted = items.length <= q.limit;
      break;
    }
  }
  if (items.length > q.limit) {
    items.length = q.limit;
    return { items, nextCursor: positions[q.limit - 1]! };
  }
  // the round budget ran out before the index did: continue from the last candidate scanned
  return { items, nextCursor: exhausted ? null : cursor };
}

function matches(inc: Incident, q: IncidentQuery): boolean {
  if (q.since !== undefined && isSeq(q.since) && (!inc.updatedSeq || compareSeq(inc.updatedSeq, q.since) <= 0)) return false;
  if (q.bbox) {
    const l = inc.location;
    if (!l || l.lon < q.bbox.minLon || l.lon > q.bbox.maxLon || l.lat < q.bbox.minLat || l.lat > q.bbox.maxLat) return false;
  }
  return true;
}

/** The next `count` (score, id) pairs after the cursor across the status indexes, merged newest first. */
async function candidates(redis: Redis, scope: string, statuses: readonly IncidentStatus[], cursor: Cursor | null, minScore: number, count: number): Promise<Cursor[]> {
  const p = redis.pipeline();
  const min = Number.isFinite(minScore) ? String(minScore) : '-inf';
  for (const s of statuses) {
    const key = keys.incidentsByStatus(scope, s);
    // a batch commits many incidents in one millisecond: ties at the cursor are read whole, then filtered by id
    if (cursor) p.zrevrangebyscore(key, cursor.score, cursor.score, 'WITHSCORES');
    p.zrevrangebyscore(key, cursor ? `(${cursor.score}` : '+inf', min, 'WITHSCORES', 'LIMIT', 0, count);
  }
  const replies = (await p.exec()) ?? [];
  const all: Cursor[] = [];
  for (const [err, r] of replies) {
    if (err) throw err;
    const arr = r as string[];
    for (let i = 0; i < arr.length; i += 2) all.push({ id: arr[i]!, score: Number(arr[i + 1]) });
  }
  const after = cursor ? all.filter((c) => c.score < cursor.score || (c.score === cursor.score && c.id < cursor.id)) : all;
  after.sort((a, b) => b.score - a.score || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  return after.slice(0, count);
}

/** An object's timeline: every entry that touched it, oldest first. */
export async function readTimeline(redis: Redis, key: string): Promise<Entry[]> {
  const raw = await redis.lrange(key, 0, -1);
  return raw.map((line) => {
    const sp = line.indexOf(' ');
    return { seq: line.slice(0, sp), ...(JSON.parse(line.slice(sp + 1)) as Omit<Entry, 'seq'>) };
  });
}
