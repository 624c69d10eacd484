// GET /audit (newest first, cursor = the last id of the previous page) and GET /audit/verify,
// for admins and auditors. Mounted after authentication: the user is on res.locals.user.
import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Redis } from 'ioredis';
import { auditQuerySchema, type AuditRecord, type PublicUser } from '../../shared/api.js';
import { can } from '../../shared/permissions.js';
import { ApiError, parse } from '../http/errors.js';
import { keys } from '../store/keys.js';
import { isStreamId, parseRecord, storedJson } from './chain.js';
import { actor } from './events.js';
import type { Audit } from './types.js';
import { verifyChain } from './verify.js';

export interface AuditRouteDeps {
  redis: Redis;
  audit: Audit;
  /** the permission check (e.g. `requirePermission('audit.read')` from server/auth/); default: requireAuditRead */
  guard?: RequestHandler;
}

type StreamEntry = [id: string, fields: string[]];

/**
 * 403 unless the user holds `audit.read` (admins, auditors), before validation (401, 403, 400).
 * The default guard, so the routes are never open by mistake; app.ts puts the shared
 * `requirePermission('audit.read')` in front (or passes it as `guard`).
 */
export const requireAuditRead = Object.assign(
  (_req: Request, res: Response, next: NextFunction): void => {
    const user = res.locals.user as PublicUser | undefined;
    if (!user) return next(new ApiError(401, 'unauthorized', 'sign in first'));
    if (!can(user.roles, 'audit.read')) return next(new ApiError(403, 'forbidden', 'this needs the permission audit.read', { permission: 'audit.read' }));
    next();
  },
  { permission: 'audit.read' as const },
);

/** A stored entry as an API item; an entry that is not a well-formed record is shown, not hidden. */
export function toItem([id, fields]: StreamEntry): AuditRecord {
  const json = storedJson(fields);
  const rec = json === null ? null : parseRecord(id, json);
  if (rec) return rec;
  const ms = Number(id.split('-')[0]);
  return {
    id, time: new Date(Number.isFinite(ms) ? ms : 0).toISOString(), user: null, role: null, action: 'audit.unreadable',
    object: null, result: 'failure', address: null, prevHash: '', details: { raw: (json ?? fields.join(' ')).slice(0, 2000) },
  };
}

/** One page newest first: records strictly older than `cursor` (a record id), at most `limit`. */
export async function readAuditPage(redis: Redis, limit: number, cursor?: string): Promise<{ items: AuditRecord[]; nextCursor: string | null }> {
  const entries = (await redis.xrevrange(keys.audit, cursor === undefined ? '+' : `(${cursor}`, '-', 'COUNT', limit + 1)) as StreamEntry[];
  const items = entries.slice(0, limit).map(toItem);
  return { items, nextCursor: entries.length > limit ? items[items.length - 1]!.id : null };
}

/** GET /audit?limit=&cursor= and GET /audit/verify. */
export function auditRoutes(deps: AuditRouteDeps): Router {
  const r = Router();
  const guard = deps.guard ?? requireAuditRead;

  r.get('/audit', guard, parse(auditQuerySchema, 'query', 'q'), async (_req, res) => {
    const q = res.locals.q as { limit: number; cursor?: string };
    if (q.cursor !== undefined && !isStreamId(q.cursor)) {
      const message = 'query.cursor: not a cursor from this API';
      throw new ApiError(400, 'invalid_request', message, { errors: [{ path: 'query.cursor', code: 'invalid_cursor', message }] });
    }
    res.json(await readAuditPage(deps.redis, q.limit, q.cursor));
  });

  r.get('/audit/verify', guard, async (_req, res) => {
    const v = await verifyChain(deps.redis);
    await deps.audit.record({
      ...actor(res), action: 'audit.verify', object: null, result: 'success',
      details: { ok: v.ok, checked: v.checked, ...(v.brokenAt ? { brokenAt: v.brokenAt } : {}) },
    });
    res.json(v);
  });

  return r;
}
