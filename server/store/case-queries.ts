// Reads of governance cases (DESIGN §4): pages from the case indexes (where a case lies, per
// stage, by last change; who must act on it, by deadline) and the petitioners' repeat counts.
// Indexes only, no scans; every candidate is re-read and filtered on its current state.
import type { Redis } from 'ioredis';
import { CASE_STAGES, isOpenStage, type CaseKind, type GovCase, type Petition } from '../../shared/governance.js';
import type { Cursor } from './incident-queries.js';
import { keys } from './keys.js';
import { readObjects } from './objects.js';

export interface CaseQuery {
  kind: CaseKind;
  /** `located`: cases lying in any of the scopes, newest change first; `responsible`: open cases any of them must act on, soonest deadline first */
  view: 'located' | 'responsible';
  scopes: readonly string[];
  /** stages to keep (default: every stage; open ones with `overdue`) */
  stages?: readonly string[];
  /** only open cases past their deadline at `now` */
  overdue: boolean;
  now: number;
  limit: number;
  cursor?: Cursor;
  /** whether the caller may see the case (its `jurisdiction` in their scopes) */
  visible(c: GovCase): boolean;
}

/** How far back a petitioner's other petitions count as repeats. */
export const REPEAT_WINDOW_MS = 90 * 86_400_000;
const ROUNDS = 20;
const SLACK = 16;

const isOverdue = (c: GovCase, now: number) => isOpenStage(c.kind, c.stage) && c.deadline !== null && Date.parse(c.deadline) < now;

/** The stages a query reads. */
export function stagesOf(q: Pick<CaseQuery, 'kind' | 'stages' | 'overdue'>): string[] {
  const all: readonly string[] = CASE_STAGES[q.kind];
  const wanted = q.stages?.length ? all.filter((s) => q.stages!.includes(s)) : all;
  return q.overdue ? wanted.filter((s) => isOpenStage(q.kind, s)) : [...wanted];
}

/** One page of cases. `nextCursor` continues after the last item (or the last candidate scanned when the round budget ran out). */
export async function listCases(redis: Redis, q: CaseQuery): Promise<{ items: GovCase[]; nextCursor: Cursor | null }> {
  const stages = stagesOf(q);
  const desc = q.view === 'located';
  const indexKeys = desc
    ? q.scopes.flatMap((s) => stages.map((st) => keys.casesByStage(q.kind, s, st)))
    : q.scopes.map((s) => keys.casesResponsible(q.kind, s));
  if (indexKeys.length === 0) return { items: [], nextCursor: null };
  // the responsible queue is scored by deadline: overdue cases lie below now
  const bound = !desc && q.overdue ? q.now : null;
  const keep = (c: GovCase | null | undefined): c is GovCase => !!c && c.kind === q.kind && stages.includes(c.stage) && q.visible(c)
    && (!q.overdue || isOverdue(c, q.now))
    && (desc || (isOpenStage(c.kind, c.stage) && q.scopes.includes(c.responsibleJurisdiction)));
  const items: GovCase[] = [];
  const positions: Cursor[] = [];
  let cursor = q.cursor ?? null;
  let exhausted = false;
  for (let round = 0; round < ROUNDS && items.length <= q.limit; round++) {
    const want = q.limit - items.length + 1 + SLACK;
    const cands = await candidates(redis, indexKeys, desc, cursor, bound, want);
    if (cands.length === 0) {
      exhausted = true;
      break;
    }
    const objs = await readObjects<GovCase>(redis, cands.map((c) => keys.object(q.kind, c.id)));
    for (const c of cands) {
      cursor = c;
      const obj = objs.get(keys.object(q.kind, c.id));
      if (!keep(obj)) continue;
      items.push(obj);
      positions.push(c);
      if (items.length > q.limit) break;
    }
    if (cands.length < want) {
      exhausted = items.length <= q.limit;
      break;
    }
  }
  if (items.length > q.limit) {
    items.length = q.limit;
    return { items, nextCursor: positions[q.limit - 1]! };
  }
  return { items, nextCursor: exhausted ? null : cursor };
}

/** The next `count` (score, id) after the cursor across the indexes, merged (newest first, or soonest first), each id once. */
async function candidates(redis: Redis, indexKeys: readonly string[], desc: boolean, cursor: Cursor | null, bound: number | null, count: number): Promise<Cursor[]> {
  const p = redis.pipeline();
  for (const key of indexKeys) {
    // many cases change in one millisecond: ties at the cursor are read whole, then filtered by id
    if (cursor) {
      if (desc) p.zrevrangebyscore(key, cursor.score, cursor.score, 'WITHSCORES');
      else p.zrangebyscore(key, cursor.score, cursor.score, 'WITHSCORES');
    }
    if (desc) p.zrevrangebyscore(key, cursor ? `(${cursor.score}` : '+inf', '-inf', 'WITHSCORES', 'LIMIT', 0, count);
    else p.zrangebyscore(key, cursor ? `(${cursor.score}` : '-inf', bound === null ? '+inf' : `(${bound}`, 'WITHSCORES', 'LIMIT', 0, count);
  }
  const all: Cursor[] = [];
  for (const [err, r] of (await p.exec()) ?? []) {
    if (err) throw err;
    const arr = r as string[];
    for (let i = 0; i < arr.length; i += 2) all.push({ id: arr[i]!, score: Number(arr[i + 1]) });
  }
  const sign = desc ? -1 : 1;
  const after = (c: Cursor) => !cursor || sign * (c.score - cursor.score) > 0 || (c.score === cursor.score && sign * (c.id < cursor.id ? -1 : c.id > cursor.id ? 1 : 0) > 0);
  const sorted = all.filter(after).sort((a, b) => sign * (a.score - b.score) || sign * (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const seen = new Set<string>();
  const out: Cursor[] = [];
  for (const c of sorted) {
    if (seen.has(c.id)) continue;
    seen.add(c.id);
    out.push(c);
    if (out.length === count) break;
  }
  return out;
}

/** For each petition with a petitioner: how many other petitions of theirs were filed in the 90 days before `now`. */
export async function repeatCounts(redis: Redis, petitions: readonly Petition[], now: number): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const withKey = petitions.filter((p) => p.petitioner);
  if (withKey.length === 0) return out;
  const min = now - REPEAT_WINDOW_MS;
  const p = redis.pipeline();
  for (const x of withKey) {
    const key = keys.petitionerPetitions(x.petitioner!);
    p.zcount(key, min, '+inf');
    p.zscore(key, x.id);
  }
  const replies = (await p.exec()) ?? [];
  withKey.forEach((x, i) => {
    const [e1, count] = replies[2 * i] ?? [new Error('no reply'), 0];
    const [e2, own] = replies[2 * i + 1] ?? [new Error('no reply'), null];
    if (e1) throw e1;
    if (e2) throw e2;
    const self = own !== null && Number(own) >= min ? 1 : 0;
    out.set(x.id, Math.max(0, Number(count) - self));
  });
  return out;
}
