// GET /incidents/:id/premise (DESIGN §7): the premise history of a located incident — earlier
// incidents and disputes within 200 m and in the same grid over the last 90 days — read from the
// monthly GEO sets (`geo:premise:<kind>:<YYYY-MM>`) written with every located incident and
// dispute; no scans. Permission `read`; the incident and every listed object in the caller's scope.
// `gridWorker`: the grid worker responsible for the incident's grid (server/geo/roster.ts).
import { Router } from 'express';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { objectId } from '../../shared/events.js';
import type { Dispute } from '../../shared/governance.js';
import type { Incident } from '../../shared/objects.js';
import { currentUser } from '../auth/middleware.js';
import { requirePermission } from '../auth/permissions-middleware.js';
import { forViewer, inScope } from '../auth/scope.js';
import { rosterOf } from '../geo/roster.js';
import type { JurisdictionTree } from '../geo/types.js';
import { keys } from '../store/keys.js';
import { logHead } from '../store/log.js';
import { readObject, readObjects } from '../store/objects.js';
import { ApiError, notFound, parse } from './errors.js';

export const PREMISE_RADIUS_M = 200;
export const PREMISE_DAYS = 90;
const DAY = 86_400_000;
const idParams = z.object({ id: objectId });

/** The UTC months (YYYY-MM) that a window of `days` ending at `now` touches, newest first. */
export function monthsBack(now: number, days: number): string[] {
  const out: string[] = [];
  const d = new Date(now);
  const start = now - days * DAY;
  for (let y = d.getUTCFullYear(), m = d.getUTCMonth(); Date.UTC(y, m + 1, 1) > start; m--) {
    if (m < 0) { m = 11; y--; }
    out.push(`${y}-${String(m + 1).padStart(2, '0')}`);
  }
  return out;
}

async function near(redis: Redis, kind: 'incident' | 'dispute', loc: { lat: number; lon: number }, now: number): Promise<string[]> {
  const p = redis.pipeline();
  for (const month of monthsBack(now, PREMISE_DAYS)) {
    p.call('GEOSEARCH', keys.premiseGeo(kind, month), 'FROMLONLAT', loc.lon, loc.lat, 'BYRADIUS', PREMISE_RADIUS_M, 'm', 'ASC', 'COUNT', 200);
  }
  const ids = new Set<string>();
  for (const [err, members] of (await p.exec()) ?? []) {
    if (err) throw err;
    for (const id of members as string[]) ids.add(id);
  }
  return [...ids];
}

export function premiseRoutes(deps: { redis: Redis; tree: JurisdictionTree }): Router {
  const r = Router();
  const { redis, tree } = deps;
  r.get('/incidents/:id/premise', requirePermission('read'), parse(idParams, 'params', 'p'), async (_req, res) => {
    const { id } = res.locals.p as { id: string };
    const user = currentUser(res);
    const { asOfSeq } = await logHead(redis);
    const inc = await readObject<Incident>(redis, keys.object('incident', id));
    if (!inc || !inScope(user, inc.jurisdiction)) throw notFound(`incident ${id}`);
    if (!inc.location || !inc.gridId) throw new ApiError(409, 'not_located', `incident ${id} has no location yet`);
    const now = Date.now();
    const since = now - PREMISE_DAYS * DAY;
    const [incIds, dispIds] = await Promise.all([near(redis, 'incident', inc.location, now), near(redis, 'dispute', inc.location, now)]);
    const [incs, disps] = await Promise.all([
      readObjects<Incident>(redis, incIds.filter((x) => x !== id).map((x) => keys.object('incident', x))),
      readObjects<Dispute>(redis, dispIds.map((x) => keys.object('dispute', x))),
    ]);
    const keep = (o: { gridId: string | null; jurisdiction: string[] }, at: string) =>
      o.gridId === inc.gridId && Date.parse(at) >= since && inScope(user, o.jurisdiction);
    const incidents = [...incs.values()].filter((o): o is Incident => !!o && keep(o, o.reportedAt))
      .sort((a, b) => Date.parse(b.reportedAt) - Date.parse(a.reportedAt)).map((o) => forViewer(user, o));
    const disputes = [...disps.values()].filter((o): o is Dispute => !!o && keep(o, o.openedAt))
      .sort((a, b) => Date.parse(b.openedAt) - Date.parse(a.openedAt));
    // the responsible grid worker, from the roster (server/geo/roster.ts); null for a grid the tree no longer has
    const w = rosterOf(tree).workerForGrid(inc.gridId);
    const gridWorker = w ? { id: w.id, name: w.name } : null;
    res.json({ incidentId: id, gridId: inc.gridId, radiusMeters: PREMISE_RADIUS_M, days: PREMISE_DAYS, incidents, disputes, gridWorker, asOfSeq });
  });
  return r;
}
