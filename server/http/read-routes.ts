import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { Router, type Request, type Response } from 'express';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { incidentListQuerySchema, logQuerySchema, unitListQuerySchema, type IncidentListQuery } from '../../shared/api.js';
import { objectId } from '../../shared/events.js';
import type { Incident, Unit } from '../../shared/objects.js';
import { isSeq } from '../../shared/seq.js';
import { currentUser } from '../auth/middleware.js';
import { requirePermission } from '../auth/permissions-middleware.js';
import { entryForViewer, forViewer, inScope } from '../auth/scope.js';
import type { JurisdictionTree } from '../geo/types.js';
import { readLogPage, seqAtTime } from '../store/archive.js';
import { decodeCursor, encodeCursor, listIncidents, readTimeline, type Cursor, type IncidentQuery } from '../store/incident-queries.js';
import { keys } from '../store/keys.js';
import { lastSeq, logHead } from '../store/log.js';
import { readObject } from '../store/objects.js';
import type { PositionStore } from '../telemetry/positions.js';
import { ApiError, notFound, parse } from './errors.js';
import { resolveScope } from './scope-param.js';
import { unitsInScopes, withFreshestFix } from '../store/unit-queries.js';
import { auditReporterRead } from '../audit/events.js';
import type { Audit } from '../audit/types.js';

export interface ReadDeps {
  redis: Redis;
  tree: JurisdictionTree;
  positions: PositionStore;
  archiveDir: string;
  audit: Audit;
}

const idParams = z.object({ id: objectId });

/** Snapshots and reads: incidents, units, trails, the log (permission `read`, then scope). */
export function readRoutes(deps: ReadDeps): Router {
  const r = Router();
  const { redis, tree } = deps;
  const read = requirePermission('read');

  r.get('/incidents', read, parse(incidentListQuerySchema, 'query', 'q'), async (_req, res) => {
    const q = res.locals.q as IncidentListQuery;
    const user = currentUser(res);
    const scopes = resolveScope(tree, user.scopes, q.scope);
    const cursor = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    if (cursor === null) throw new ApiError(400, 'invalid_request', 'query.cursor: not a cursor from this API', { errors: [{ path: 'query.cursor', code: 'invalid_cursor', message: 'query.cursor: not a cursor from this API' }] });
    const { asOfSeq, logEpoch } = await logHead(redis);
    const page = await listInScopes(redis, scopes, { statuses: q.status, since: q.since, bbox: q.bbox, limit: q.limit, cursor });
    await auditReporterRead(deps.audit, res, page.items); // audit: unmasked reporter data, one record per request
    res.json({ items: page.items.map((i) => forViewer(user, i)), nextCursor: page.nextCursor ? encodeCursor(page.nextCursor) : null, asOfSeq, logEpoch });
  });

  r.get('/incidents/:id', read, parse(idParams, 'params', 'p'), async (_req, res) => {
    const { id } = res.locals.p as { id: string };
    const user = currentUser(res);
    const asOfSeq = await lastSeq(redis);
    const inc = await readObject<Incident>(redis, keys.object('incident', id));
    if (!inc || !inScope(user, inc.jurisdiction)) throw notFound(`incident ${id}`);
    const timeline = (await readTimeline(redis, keys.timeline('incident', id))).map((e) => entryForViewer(user, e));
    await auditReporterRead(deps.audit, res, [inc, ...timeline]); // audit: unmasked reporter data
    res.json({ ...forViewer(user, inc), timeline, asOfSeq });
  });

  r.get('/units', read, parse(unitListQuerySchema, 'query', 'q'), async (_req, res) => {
    const user = currentUser(res);
    const scopes = resolveScope(tree, user.scopes, (res.locals.q as { scope?: string }).scope);
    const { asOfSeq, logEpoch } = await logHead(redis);
    res.json({ items: await unitViews(await unitsInScopes(redis, scopes)), asOfSeq, logEpoch });
  });

  r.get('/units/:id', read, parse(idParams, 'params', 'p'), async (_req, res) => {
    const { id } = res.locals.p as { id: string };
    const unit = await readObject<Unit>(redis, keys.object('unit', id));
    if (!unit || !inScope(currentUser(res), unit.jurisdiction)) throw notFound(`unit ${id}`);
    res.json((await unitViews([unit]))[0]);
  });

  /** Units with their freshest fix and its age. */
  async function unitViews(units: Unit[]) {
    const now = Date.now();
    return (await withFreshestFix(deps.positions, units)).map((u) => {
      const fix = u.lastFix;
      return { ...u, fixAgeSeconds: fix ? Math.max(0, Math.round((now - Date.parse(fix.at)) / 1000)) : null };
    });
  }

  r.get('/units/:id/trail', read, parse(idParams, 'params', 'p'), async (_req, res) => {
    const { id } = res.locals.p as { id: string };
    const unit = await readObject<Unit>(redis, keys.object('unit', id));
    if (!unit || !inScope(currentUser(res), unit.jurisdiction)) throw notFound(`unit ${id}`);
    res.json({ unitId: id, points: await deps.positions.trail(id) });
  });

  r.get('/log', read, parse(logQuerySchema, 'query', 'q'), async (_req, res) => {
    const q = res.locals.q as { after?: string; limit: number };
    const user = currentUser(res);
    const after = q.after === undefined ? null : isSeq(q.after) ? q.after : seqAtTime(q.after);
    const page = await readLogPage(redis, deps.archiveDir, after, q.limit);
    const items = page.items.filter((e) => inScope(user, e.jurisdiction)).map((e) => entryForViewer(user, e));
    await auditReporterRead(deps.audit, res, items); // audit: unmasked reporter data
    res.json({ items, nextAfter: page.nextAfter });
  });

  return r;
}

/** Lists across several scopes: the same newest-first order and cursor, each incident once. */
async function listInScopes(redis: Redis, scopes: string[], q: Omit<IncidentQuery, 'scope'>) {
  if (scopes.length === 1) return listIncidents(redis, { ...q, scope: scopes[0]! });
  const pages = await Promise.all(scopes.map((scope) => listIncidents(redis, { ...q, scope })));
  const byId = new Map<string, Incident>();
  for (const p of pages) for (const i of p.items) byId.set(i.id, i);
  const key = (i: Incident): Cursor => ({ score: Date.parse(i.updatedAt), id: i.id });
  const all = [...byId.values()].sort((a, b) => key(b).score - key(a).score || (a.id < b.id ? 1 : -1));
  const items = all.slice(0, q.limit);
  if (all.length > q.limit) return { items, nextCursor: key(items[items.length - 1]!) };
  // a scope whose scan budget ran out continues from the furthest position any scope reached
  const open = pages.map((p) => p.nextCursor).filter((c): c is Cursor => c !== null);
  if (open.length === 0) return { items, nextCursor: null };
  const furthest = open.reduce((a, b) => (b.score > a.score || (b.score === a.score && b.id > a.id) ? b : a));
  return { items, nextCursor: furthest };
}

const gzipAsync = promisify(gzip);

const jsonCache = new WeakMap<JurisdictionTree, string>();
/** The tree as GeoJSON text, serialised once. */
export function jurisdictionsJson(tree: JurisdictionTree): string {
  let s = jsonCache.get(tree);
  if (!s) {
    s = JSON.stringify(tree.collection);
    jsonCache.set(tree, s);
  }
  return s;
}

const gzipCache = new WeakMap<JurisdictionTree, Promise<Buffer>>();
/**
 * Sends the tree as GeoJSON, gzipped (compressed once, off the event loop, then cached) to
 * clients that accept gzip: a generated 150 m grid over Chicago (27,000 grids) is 9.5 MB of
 * JSON but 0.7 MB gzipped. Others get the plain text.
 */
export async function sendJurisdictions(req: Request, res: Response, tree: JurisdictionTree): Promise<void> {
  res.type('application/geo+json');
  res.vary('Accept-Encoding');
  if (req.acceptsEncodings('gzip', 'identity') === 'gzip') {
    let zipped = gzipCache.get(tree);
    if (!zipped) {
      zipped = gzipAsync(jurisdictionsJson(tree));
      gzipCache.set(tree, zipped);
    }
    const body = await zipped.catch(() => null);
    if (body) {
      res.set('Content-Encoding', 'gzip').send(body);
      return;
    }
  }
  res.send(jurisdictionsJson(tree));
}
