import express, { Router, type Request } from 'express';
import { ApiError } from './errors.js';
import type { CredentialStore } from '../auth/credentials.js';
import { OPEN_GRANT, scopedGrant } from '../auth/grants.js';
import { bearer, digestKeys, matchKey } from '../auth/middleware.js';
import { heardSources, noteFeeds } from '../ingest/feed-rhythm.js';
import { ingestBatch, type Grant, type IngestDeps } from '../ingest/pipeline.js';
import { KeyRateLimiter } from './rate-limit.js';
import type { Metrics } from './metrics.js';

const MEDIA_TYPES = ['application/json', 'application/cloudevents+json', 'application/cloudevents-batch+json'];
export const MAX_EVENTS = 1000;
export { RESTRICTED_TYPES } from '../auth/grants.js';

export interface IngestRouteDeps extends IngestDeps {
  ingestKeys: readonly string[];
  /** keys issued by admins (scoped to types and sources); resolved through a short cache */
  credentials: CredentialStore;
  rate: { requests: number; events: number };
  metrics: Metrics;
}

function mediaType(req: Request): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/** POST /events: CloudEvents in structured or batch mode. */
export function ingestRoutes(deps: IngestRouteDeps): Router {
  const r = Router();
  const keyDigests = digestKeys(deps.ingestKeys);
  const limiter = new KeyRateLimiter(deps.rate.requests, deps.rate.events);
  const json = express.json({ limit: '1mb', type: () => true, strict: false });

  /** The key's rate-limit identity and grant: INGEST_KEYS may send every unrestricted type from any source. */
  async function resolve(token: string): Promise<{ id: string; grant: Grant } | null> {
    if (matchKey(token, keyDigests)) return { id: token, grant: OPEN_GRANT };
    const c = await deps.credentials.resolve(token, 'ingest');
    return c ? { id: `key:${c.id}`, grant: scopedGrant(c) } : null;
  }

  r.post('/events', async (req, _res, next) => {
    const token = bearer(req);
    // Express 5 forwards a rejection (Redis down: 503) to the error handler
    const key = token ? await resolve(token) : null;
    if (!key) return next(new ApiError(401, 'unauthorized', 'a valid ingest key is required (Authorization: Bearer <key>)'));
    const type = mediaType(req);
    if (!MEDIA_TYPES.includes(type)) {
      const binary = Object.keys(req.headers).some((h) => h.startsWith('ce-'));
      return next(new ApiError(415, 'unsupported_media_type',
        binary ? 'CloudEvents binary mode is not supported; send structured JSON' : `content type must be one of ${MEDIA_TYPES.join(', ')}`));
    }
    res_locals(req).key = key;
    next();
  }, json, async (req, res, next) => {
    try {
      const body: unknown = req.body;
      const events = Array.isArray(body) ? body : [body];
      if (events.length > MAX_EVENTS) throw new ApiError(413, 'too_many_events', `at most ${MAX_EVENTS} events per request`);
      const key = res_locals(req).key!;
      const limited = limiter.check(key.id, events.length);
      if (!limited.ok) {
        throw new ApiError(429, 'rate_limited', 'this key exceeds its rate', undefined, { 'Retry-After': String(limited.retryAfterSeconds) });
      }
      if (events.length === 0) throw new ApiError(400, 'invalid_events', 'no events in the request', { rejected: [] });
      const started = process.hrtime.bigint();
      const out = await ingestBatch(deps, events, key.grant);
      deps.metrics.ingest(out, Number(process.hrtime.bigint() - started) / 1e9);
      // the source's rhythm for the silent-feed alert: after the answer, never delaying or failing it
      const heard = heardSources(events, out.rejected.map((x) => x.index));
      if (heard.length) void noteFeeds(deps.redis, heard).catch(() => undefined);
      if (out.accepted.length + out.duplicates.length > 0) return res.status(202).json(out);
      const allForbidden = out.rejected.every((x) => x.errors.some((e) => e.code === 'forbidden'));
      if (allForbidden) throw new ApiError(403, 'forbidden', 'this key may not send these events', { rejected: out.rejected });
      throw new ApiError(400, 'invalid_events', 'no event was acceptable', { rejected: out.rejected, warnings: out.warnings });
    } catch (err) {
      next(err);
    }
  });
  return r;
}

const res_locals = (req: Request) => req as Request & { key?: { id: string; grant: Grant } };
