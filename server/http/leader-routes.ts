// The leader view's own endpoints (issue 9; DESIGN §1, §4): the targets its indicators are judged
// against (GET /targets, permission read; PUT /targets, permission settings.manage, audited as
// `settings.targets` like every admin write — refusals included) and the daily report (日报,
// GET /reports/daily, permission read, scope-filtered: a scope the caller cannot see is 404) as
// JSON or CSV. Its indicators and rankings are metrics of GET /stats (server/http/stats-routes.ts).
// Checks run in the order 401, 403 (requirePermission), 400 (zod), 404 (scope).
import { Router } from 'express';
import type { Redis } from 'ioredis';
import { dailyReportQuerySchema, targetsUpdateSchema, type DailyReportQuery, type TargetsUpdate } from '../../shared/leader.js';
import { currentUser } from '../auth/middleware.js';
import { requirePermission } from '../auth/permissions-middleware.js';
import type { JurisdictionTree } from '../geo/types.js';
import { keys } from '../store/keys.js';
import { dailyReport, readTargets, writeTargets } from '../stats/leader-stats.js';
import { dailyReportCsv } from '../stats/report-csv.js';
import { localDate } from '../stats/wall-kpis.js';
import { act, check } from './admin-kit.js';
import { parse } from './errors.js';
import { resolveScope } from './scope-param.js';

export interface LeaderRouteDeps {
  redis: Redis;
  tree: JurisdictionTree;
  timeZone: string;
}

export function leaderRoutes(deps: LeaderRouteDeps): Router {
  const r = Router();
  const { redis, tree, timeZone } = deps;

  r.get('/targets', requirePermission('read'), async (_req, res) => {
    res.json(await readTargets(redis));
  });

  r.put('/targets', requirePermission('settings.manage'), act('settings.targets', () => keys.leaderTargets, async (req, res) => {
    const update = check(targetsUpdateSchema, req.body, '') as TargetsUpdate;
    const by = currentUser(res).username;
    return { details: { ...update }, run: async () => ({ status: 200, body: await writeTargets(redis, update, by) }) };
  }));

  r.get('/reports/daily', requirePermission('read'), parse(dailyReportQuerySchema, 'query', 'q'), async (_req, res) => {
    const q = res.locals.q as DailyReportQuery;
    const user = currentUser(res);
    const scopes = resolveScope(tree, user.scopes, q.scope);
    const now = Date.now();
    const date = q.date ?? localDate(now, timeZone);
    const report = await dailyReport(deps, user, scopes, date, now);
    if (q.format === 'csv') {
      const name = `daily-report-${scopes.length === 1 ? scopes[0]!.replace(/[^\w.-]/g, '_') : 'scopes'}-${date}.csv`;
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', `attachment; filename="${name}"`);
      return void res.send(dailyReportCsv(report));
    }
    res.json(report);
  });

  return r;
}
