// Server-side statistics (DESIGN §4 `GET /stats`): the browser never recomputes history from the
// log. `metric=wall` answers the wall screen's KPIs and series (server/stats/wall-stats.ts; the
// window parameters do not apply: it is always today, in TIME_ZONE). `metric=governance` answers the governance indicators (server/governance/indicators.ts)
// of every jurisdiction at `level` under the scope, and of the scope as a whole, over [from, to).
// `metric=leader` (issue 9) answers the leader's indicators against their targets over the last 7,
// 30 and 90 local days with a 90-day daily series, from the daily counters; `metric=rankings` the
// jurisdictions at `level` (default district) under the scope ranked `by` crime risk, instability
// risk or overdue cases (server/stats/leader-stats.ts; from, to and bucket do not apply to either).
//
// Reading: the scope's disputes and petitions come from the case indexes (per jurisdiction and
// stage, scored by last change) — no SCAN/KEYS. Open stages are read whole (the overdue backlog
// needs every open case); resolved, answered and closed ones only when changed since 91 days
// before `from` (every case the window counts, or that an opened case may repeat, changed since
// then). At most MAX_CASES cases are read, the most recently changed first; a capped answer says
// so in the `X-Stats-Truncated` header. Earlier petitions of the same petitioner outside the
// scope come from the petitioner index, for the repeat rate only.
import { Router } from 'express';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { isoTime } from '../../shared/events.js';
import {
  PETITION_STAGES, DISPUTE_STAGES, isOpenStage, type GovCase, type GovernanceRow, type GovernanceStats, type Petition,
} from '../../shared/governance.js';
import { LEVELS, levelSchema, type Level } from '../../shared/jurisdiction.js';
import { currentUser } from '../auth/middleware.js';
import { requirePermission } from '../auth/permissions-middleware.js';
import { inScope } from '../auth/scope.js';
import type { JurisdictionTree } from '../geo/types.js';
import { caseKey, governanceIndicators, repeatCaseKeys, REPEAT_DAYS, type IndicatorWindow } from '../governance/indicators.js';
import { keys } from '../store/keys.js';
import { logHead } from '../store/log.js';
import { readObjects } from '../store/objects.js';
import type { PositionStore } from '../telemetry/positions.js';
import { wallStats } from '../stats/wall-stats.js';
import { leaderStats, rankings } from '../stats/leader-stats.js';
import { DEFAULT_RANKING_LIMIT, RANKING_BY, RANKING_LEVELS } from '../../shared/leader.js';
import { ApiError, parse } from './errors.js';
import { resolveScope } from './scope-param.js';

export interface StatsDeps {
  redis: Redis;
  tree: JurisdictionTree;
  /** metric=wall: unit fixes (stale units), the local day's time zone, the stale threshold */
  positions: PositionStore;
  timeZone: string;
  staleUnitSeconds: number;
}

/** GET /stats */
export const statsQuerySchema = z.object({
  metric: z.enum(['governance', 'wall', 'leader', 'rankings']),
  scope: z.string().max(128).optional(),
  /** start of the window (inclusive); default: 30 days before `to` */
  from: isoTime.optional(),
  /** end of the window (exclusive); default: now */
  to: isoTime.optional(),
  /** the level of the rows (governance: default community; rankings: district, street, community or grid, default district) */
  level: levelSchema.optional(),
  /** time-series metrics only; governance answers one value per row */
  bucket: z.enum(['hour', 'day']).optional(),
  /** rankings: what to rank by (default crime) */
  by: z.enum(RANKING_BY).optional(),
  /** rankings: how many rows (default 20; above 500 clamped) */
  limit: z.coerce.number().int().min(1).transform((n) => Math.min(n, 500)).optional(),
});
export type StatsQuery = z.infer<typeof statsQuerySchema>;

const MS_DAY = 86_400_000;
export const DEFAULT_WINDOW_DAYS = 30;
export const MAX_WINDOW_DAYS = 366;
/** At most this many cases are read per request (the most recently changed first). */
export const MAX_CASES = 10_000;
const CHUNK = 500;

const badQuery = (path: string, code: string, message: string) =>
  new ApiError(400, 'invalid_request', message, { errors: [{ path, code, message }] });

export function statsRoutes(deps: StatsDeps): Router {
  const r = Router();
  const { redis, tree } = deps;

  r.get('/stats', requirePermission('read'), parse(statsQuerySchema, 'query', 'q'), async (_req, res) => {
    const q = res.locals.q as StatsQuery;
    const user = currentUser(res);
    const scopes = resolveScope(tree, user.scopes, q.scope);
    if (q.metric === 'wall') return void res.json(await wallStats(deps, user, scopes));
    if (q.metric === 'leader') return void res.json(await leaderStats(deps, user, scopes));
    if (q.metric === 'rankings') {
      const level = q.level ?? 'district';
      if (!(RANKING_LEVELS as readonly string[]).includes(level)) {
        throw badQuery('query.level', 'invalid_level', `query.level: rankings are by ${RANKING_LEVELS.join(', ')}`);
      }
      return void res.json(await rankings(deps, user, scopes, level as (typeof RANKING_LEVELS)[number], q.by ?? 'crime', q.limit ?? DEFAULT_RANKING_LIMIT));
    }
    const level = q.level ?? 'community';
    const now = Date.now();
    const to = q.to ? Date.parse(q.to) : now;
    const from = q.from ? Date.parse(q.from) : to - DEFAULT_WINDOW_DAYS * MS_DAY;
    if (!(from < to)) throw badQuery(q.to ? 'query.to' : 'query.from', 'invalid_window', 'query.to: the window must end after it starts (from < to)');
    if (to - from > MAX_WINDOW_DAYS * MS_DAY) throw badQuery('query.from', 'window_too_long', `query.from: the window may span at most ${MAX_WINDOW_DAYS} days`);

    const { asOfSeq } = await logHead(redis);
    const read = await readScopeCases(redis, scopes, from - (REPEAT_DAYS + 1) * MS_DAY);
    const cases = read.cases.filter((c) => inScope(user, c.jurisdiction));
    const w: IndicatorWindow = { from, to, now };
    const elsewhere = await earlierPetitionsOfPetitioners(redis, cases, w);
    const repeat = repeatCaseKeys([...cases, ...elsewhere], w);

    // one row per jurisdiction at `level` under the scope; a case counts where it lies (its location's chain)
    const rowIds = tree.idsAt(level).filter((id) => tree.chain(id).some((j) => scopes.includes(j)));
    const byRow = new Map<string, GovCase[]>(rowIds.map((id) => [id, []]));
    for (const c of cases) for (const j of c.jurisdiction) byRow.get(j)?.push(c);
    const row = (jurisdictionId: string, level: Level, list: readonly GovCase[], name?: string): GovernanceRow => ({
      jurisdictionId, ...(name ? { name } : {}), level, ...governanceIndicators(list, w, repeat),
    });
    const rows = rowIds.map((id) => row(id, level, byRow.get(id)!, tree.get(id)?.name));
    const top = scopes.length === 1 ? tree.get(scopes[0]!) : undefined;
    const totalLevel = top?.level ?? LEVELS.find((l) => scopes.some((s) => tree.get(s)?.level === l)) ?? 'city';
    const total = row(scopes.join(','), totalLevel, cases, top?.name);

    if (read.truncated) res.setHeader('X-Stats-Truncated', String(MAX_CASES));
    const body: GovernanceStats = {
      metric: 'governance', scope: scopes.join(','), from: new Date(from).toISOString(), to: new Date(to).toISOString(),
      rows, total, asOfSeq,
    };
    res.json(body);
  });

  return r;
}

/**
 * The disputes and petitions located in the scopes: every one in an open stage, and the others
 * changed at or after `changedSince` (ms); at most MAX_CASES, the most recently changed first.
 */
export async function readScopeCases(redis: Redis, scopes: readonly string[], changedSince: number): Promise<{ cases: GovCase[]; truncated: boolean }> {
  const p = redis.pipeline();
  const asked: { kind: 'dispute' | 'petition' }[] = [];
  for (const s of scopes) {
    for (const [kind, stages] of [['dispute', DISPUTE_STAGES], ['petition', PETITION_STAGES]] as const) {
      for (const st of stages) {
        const min = isOpenStage(kind, st) ? '-inf' : String(changedSince);
        p.zrevrangebyscore(keys.casesByStage(kind, s, st), '+inf', min, 'WITHSCORES', 'LIMIT', 0, MAX_CASES + 1);
        asked.push({ kind });
      }
    }
  }
  const replies = (await p.exec()) ?? [];
  const found = new Map<string, { kind: 'dispute' | 'petition'; id: string; score: number }>();
  replies.forEach(([err, val], i) => {
    if (err) throw err;
    const flat = val as string[];
    const { kind } = asked[i]!;
    for (let k = 0; k < flat.length; k += 2) found.set(`${kind}:${flat[k]!}`, { kind, id: flat[k]!, score: Number(flat[k + 1]) });
  });
  const picked = [...found.values()].sort((a, b) => b.score - a.score);
  const truncated = picked.length > MAX_CASES;
  if (truncated) picked.length = MAX_CASES;
  const cases: GovCase[] = [];
  for (let i = 0; i < picked.length; i += CHUNK) {
    const objs = await readObjects<GovCase>(redis, picked.slice(i, i + CHUNK).map((c) => keys.object(c.kind, c.id)));
    for (const c of objs.values()) if (c) cases.push(c);
  }
  return { cases, truncated };
}

/**
 * Petitions by the petitioners of the petitions opened in the window, filed up to 90 days before
 * them and not already among `cases` (they may lie outside the scope): for the repeat rate only.
 */
export async function earlierPetitionsOfPetitioners(redis: Redis, cases: readonly GovCase[], w: IndicatorWindow): Promise<Petition[]> {
  const known = new Set(cases.map(caseKey));
  const earliest = new Map<string, number>();
  for (const c of cases) {
    if (c.kind !== 'petition' || !c.petitioner) continue;
    const t = Date.parse(c.openedAt);
    if (t < w.from || t >= w.to) continue;
    earliest.set(c.petitioner, Math.min(earliest.get(c.petitioner) ?? Infinity, t));
  }
  if (earliest.size === 0) return [];
  const p = redis.pipeline();
  const petitioners = [...earliest.keys()].slice(0, MAX_CASES);
  for (const who of petitioners) p.zrangebyscore(keys.petitionerPetitions(who), earliest.get(who)! - REPEAT_DAYS * MS_DAY, `(${w.to}`, 'LIMIT', 0, 50);
  const ids = new Set<string>();
  for (const [err, val] of (await p.exec()) ?? []) {
    if (err) throw err;
    for (const id of val as string[]) if (!known.has(`petition:${id}`)) ids.add(id);
  }
  if (ids.size === 0) return [];
  const objs = await readObjects<Petition>(redis, [...ids].slice(0, MAX_CASES).map((id) => keys.object('petition', id)));
  return [...objs.values()].filter((c): c is Petition => c !== null);
}
