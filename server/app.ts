import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { Config } from './config.js';
import type { JurisdictionTree } from './geo/types.js';
import { bearer, digestKeys, matchKey, requireSession, sessionUser } from './auth/middleware.js';
import { authRoutes } from './http/auth-routes.js';
import { ApiError, errorHandler } from './http/errors.js';
import { checkHealth } from './http/health.js';
import { ingestRoutes } from './http/ingest-routes.js';
import { Metrics } from './http/metrics.js';
import { openApiDocument } from './http/openapi.js';
import { jurisdictionsJson, readRoutes } from './http/read-routes.js';
import type { LogTail } from './live/log-tail.js';
import type { Logger } from './logger.js';
import type { ScriptedRedis } from './store/scripts.js';
import type { PositionStore } from './telemetry/positions.js';

export interface AppDeps {
  config: Readonly<Config>;
  redis: ScriptedRedis;
  telemetry: ScriptedRedis;
  tree: JurisdictionTree;
  positions: PositionStore;
  tail: LogTail;
  retention: { minId(): string | null };
  log: Logger;
  version: string;
  /** false until startup work (demo seeding) is done: /health answers 503 until then */
  ready(): boolean;
  /** folder of the built client; served with an SPA fallback when it exists */
  clientDir?: string;
  metrics?: Metrics;
}

/** Builds the HTTP app without listening (tests start it on a free port with real dependencies). */
export function createApp(deps: AppDeps): Express {
  const { config, redis } = deps;
  const metrics = deps.metrics ?? new Metrics();
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'", "'unsafe-inline'"],
        workerSrc: ["'self'", 'blob:'], imgSrc: ["'self'", 'data:', 'blob:'], connectSrc: ["'self'"], fontSrc: ["'self'"],
        objectSrc: ["'none'"], frameAncestors: ["'none'"],
      },
    },
  }));
  app.use((req, res, next) => {
    res.on('finish', () => metrics.http.inc({ method: req.method, route: req.route?.path ?? 'other', status: String(res.statusCode) }));
    next();
  });

  const api = express.Router();
  api.get('/health', async (_req, res) => {
    const h = await checkHealth({ ...deps, version: deps.version });
    res.status(h.code).json(h.body);
  });
  const doc = JSON.stringify(openApiDocument(deps.version));
  api.get('/openapi.json', (_req, res) => res.type('application/json').send(doc));
  api.use(ingestRoutes({
    redis, positions: deps.positions, tree: deps.tree, minId: () => deps.retention.minId(), replicaAck: config.REDIS_REPLICA_ACK,
    ingestKeys: config.INGEST_KEYS, rate: { requests: config.INGEST_RATE_REQUESTS, events: config.INGEST_RATE_EVENTS }, metrics,
  }));
  api.use(express.json({ limit: '64kb' }));
  api.use(authRoutes({ redis, cookieSecure: config.COOKIE_SECURE }));
  const keyDigests = digestKeys(config.INGEST_KEYS);
  // feeders (the simulator) read the tree with their ingest key; people with a session
  api.get('/jurisdictions', async (req: Request, res: Response, next: NextFunction) => {
    const token = bearer(req);
    if (!(token && matchKey(token, keyDigests)) && !(await sessionUser(redis, req))) return next(new ApiError(401, 'unauthorized', 'sign in first'));
    res.type('application/geo+json').send(jurisdictionsJson(deps.tree));
  });
  api.use(requireSession(redis));
  api.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  api.use(readRoutes({ redis, tree: deps.tree, positions: deps.positions, archiveDir: config.ARCHIVE_DIR }));
  api.use((_req, _res, next) => next(new ApiError(404, 'not_found', 'no such endpoint')));
  app.use('/api/v1', api);

  const clientDir = deps.clientDir;
  if (clientDir && existsSync(path.join(clientDir, 'index.html'))) {
    app.use(express.static(clientDir, { index: false, maxAge: '1h' }));
    app.get('/{*splat}', (_req, res) => res.sendFile(path.join(clientDir, 'index.html'), { maxAge: 0 }));
  }
  app.use(errorHandler(deps.log));
  return app;
}
