// GET /gridworkers (issue 6): the grid workers (网格员) of the demo roster (server/geo/roster.ts) whose
// grids lie in the caller's scopes (or in `scope`), each with their `gridworker.report` counts per
// kind over the last 30 days and the time of their latest report. Counts come from the per-grid,
// per-kind index written with every located report (`idx:gwreports:<gridId>:<kind>`, by fact
// time): one pipelined ZCOUNT and one latest-member read per (grid, kind); no scans.
import { Router } from 'express';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { GRIDWORKER_REPORT_KINDS, type GridWorkerView } from '../../shared/governance.js';
import { currentUser } from '../auth/middleware.js';
import { requirePermission } from '../auth/permissions-middleware.js';
import { rosterOf } from '../geo/roster.js';
import type { JurisdictionTree } from '../geo/types.js';
import { keys } from '../store/keys.js';
import { logHead } from '../store/log.js';
import { parse } from './errors.js';
import { resolveScope } from './scope-param.js';

export const GRIDWORKER_REPORT_DAYS = 30;
const DAY = 86_400_000;

export const gridWorkerQuerySchema = z.object({ scope: z.string().min(1).max(128).optional() });

export function gridWorkerRoutes(deps: { redis: Redis; tree: JurisdictionTree }): Router {
  const r = Router();
  const { redis, tree } = deps;
  r.get('/gridworkers', requirePermission('read'), parse(gridWorkerQuerySchema, 'query', 'q'), async (_req, res) => {
    const q = res.locals.q as z.infer<typeof gridWorkerQuerySchema>;
    const scopes = resolveScope(tree, currentUser(res).scopes, q.scope);
    const within = (gridId: string) => tree.chain(gridId).some((j) => scopes.includes(j));
    const workers = rosterOf(tree).workers.filter((w) => w.grids.some(within));
    const { asOfSeq } = await logHead(redis);
    const since = Date.now() - GRIDWORKER_REPORT_DAYS * DAY;
    const p = redis.pipeline();
    for (const w of workers) {
      for (const g of w.grids) {
        for (const kind of GRIDWORKER_REPORT_KINDS) {
          const key = keys.gridworkerReports(g, kind);
          p.zcount(key, since, '+inf');
          p.zrevrangebyscore(key, '+inf', '-inf', 'WITHSCORES', 'LIMIT', 0, 1);
        }
      }
    }
    const replies = workers.length ? ((await p.exec()) ?? []) : [];
    let i = 0;
    const next = () => {
      const [err, value] = replies[i++] ?? [null, null];
      if (err) throw err;
      return value;
    };
    const items: GridWorkerView[] = workers.map((w) => {
      const reports30d = { visit: 0, hazard: 0, dispute_lead: 0 };
      let last = -Infinity;
      for (let g = 0; g < w.grids.length; g++) {
        for (const kind of GRIDWORKER_REPORT_KINDS) {
          reports30d[kind] += Number(next());
          const top = next() as string[];
          if (top.length === 2) last = Math.max(last, Number(top[1]));
        }
      }
      return { ...w, grids: [...w.grids], reports30d, lastReportAt: Number.isFinite(last) ? new Date(last).toISOString() : null };
    });
    res.json({ items, asOfSeq });
  });
  return r;
}
