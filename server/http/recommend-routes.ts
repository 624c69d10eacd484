// GET /incidents/:id/recommendations (DESIGN §4, §7): units the caller may dispatch, ranked for
// one incident by server/incidents/recommend.ts. Permission `incidents.dispatch` (403), then the
// query (400), then the incident in the caller's scope (404), then a location (409 not_located:
// nothing can be ranked for an incident waiting in the "not yet located" queue).
//
// Candidates are the units indexed under the caller's scopes (`idx:unit:<scope>`, i.e. units whose
// owning jurisdiction — home grid, else position — the caller covers), searched around the
// incident with a widening radius (server/store/unit-candidates.ts). Workload: minutes idle come
// from `statusSince` of available units; dispatches in the last 8 h are not yet counted (0) —
// there is no per-unit dispatch index.
import { Router } from 'express';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { recommendationQuerySchema, type RecommendationQuery, type Recommendations } from '../../shared/api.js';
import { objectId } from '../../shared/events.js';
import type { Incident } from '../../shared/objects.js';
import { currentUser } from '../auth/middleware.js';
import { requirePermission } from '../auth/permissions-middleware.js';
import { inScope } from '../auth/scope.js';
import { keys } from '../store/keys.js';
import { logHead } from '../store/log.js';
import { readObject } from '../store/objects.js';
import type { PositionStore } from '../telemetry/positions.js';
import { ApiError, notFound, parse } from './errors.js';
import { recommendNear } from '../store/unit-candidates.js';

export interface RecommendDeps {
  redis: Redis;
  positions: PositionStore;
}

const idParams = z.object({ id: objectId });

export function recommendRoutes(deps: RecommendDeps): Router {
  const r = Router();
  const { redis } = deps;

  r.get('/incidents/:id/recommendations', requirePermission('incidents.dispatch'), parse(idParams, 'params', 'p'),
    parse(recommendationQuerySchema, 'query', 'q'), async (_req, res) => {
      const { id } = res.locals.p as { id: string };
      const q = res.locals.q as RecommendationQuery;
      const user = currentUser(res);
      // the log head first: everything read after it is at least as new as asOfSeq
      const { asOfSeq, logEpoch } = await logHead(redis);
      const inc = await readObject<Incident>(redis, keys.object('incident', id));
      if (!inc || !inScope(user, inc.jurisdiction)) throw notFound(`incident ${id}`);
      if (!inc.location) throw new ApiError(409, 'not_located', `incident ${id} has no location yet`);

      const { read: _read, ...result } = await recommendNear(redis, deps.positions, { location: inc.location, gridId: inc.gridId }, {
        scopes: user.scopes, requiredSkills: q.skills ?? [], limit: q.limit, now: Date.now(),
      });
      const body: Recommendations = { ...result, asOfSeq, logEpoch };
      res.json(body);
    });

  return r;
}
