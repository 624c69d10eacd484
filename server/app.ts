import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { StrictAudit } from './audit/types.js';
import { auditRoutes } from './audit/routes.js';
import type { Config } from './config.js';
import type { JurisdictionTree } from './geo/types.js';
import { setAudit } from './auth/audit-context.js';
import type { CredentialStore } from './auth/credentials.js';
import { authenticate, bearer, digestKeys, matchKey } from './auth/middleware.js';
import { requirePermission } from './auth/permissions-middleware.js';
import { adminKeyRoutes } from './http/admin-key-routes.js';
import { alertRoutes } from './http/alert-routes.js';
import { adminUserRoutes } from './http/admin-user-routes.js';
import { authRoutes } from './http/auth-routes.js';
import { ApiError, errorHandler } from './http/errors.js';
import { commandRoutes } from './http/command-routes.js';
import { governanceRoutes } from './http/governance-routes.js';
import { gridWorkerRoutes } from './http/gridworker-routes.js';
import { indicatorRoutes } from './http/indicator-routes.js';
import { checkHealth } from './http/health.js';
import { ingestRoutes } from './http/ingest-routes.js';
import { Metrics } from './http/metrics.js';
import { openApiDocument } from './http/openapi.js';
import { readRoutes, sendJurisdictions } from './http/read-routes.js';
import { premiseRoutes } from './http/premise-routes.js';
import { recommendRoutes } from './http/recommend-routes.js';
import { dutyRoutes } from './http/duty-routes.js';
import { leaderRoutes } from './http/leader-routes.js';
import { statsRoutes } from './http/stats-routes.js';
import { supervisionRoutes } from './http/supervision-routes.js';
import type { LiveControl } from './live/control.js';
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
  /** the audit trail (server/audit/): logins, logouts, reporter reads, admin actions */
  audit: StrictAudit;
  /** ingest keys and machine tokens issued by admins (shared with the live socket, one cache) */
  credentials: CredentialStore;
  /** disconnects sockets on every instance (force logout, disabling, role or scope changes) */
  control: LiveControl;
}

/** Builds the HTTP app without listening (tests start it on a free port with real dependencies). */
export function createApp(deps: AppDeps): Express {
  const { config, redis } = deps;
  const metrics = deps.metrics ?? new Metrics();
  const app = express();
  setAudit(app, deps.audit);
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
  const { credentials, control, tree } = deps;
  api.use(ingestRoutes({
    redis, positions: deps.positions, tree, minId: () => deps.retention.minId(), replicaAck: config.REDIS_REPLICA_ACK, credentials,
    ingestKeys: config.INGEST_KEYS, rate: { requests: config.INGEST_RATE_REQUESTS, events: config.INGEST_RATE_EVENTS }, metrics,
  }));
  api.use(express.json({ limit: '64kb' }));
  const authDeps = { redis, credentials, allowedOrigins: config.ALLOWED_ORIGINS, demo: config.DEMO };
  api.use(authRoutes({ ...authDeps, cookieSecure: config.COOKIE_SECURE, audit: deps.audit, control }));
  const auth = authenticate(authDeps);

  // feeders (the simulator) read the tree with their ingest key; people and machine tokens need `read`
  const keyDigests = digestKeys(config.INGEST_KEYS);
  const sendTree = (req: Request, res: Response) => sendJurisdictions(req, res, tree);
  api.get('/jurisdictions', async (req: Request, res: Response, next: NextFunction) => {
    const token = bearer(req);
    if (token && (matchKey(token, keyDigests) || (await credentials.resolve(token, 'ingest')))) return sendTree(req, res);
    next();
  }, auth, requirePermission('read'), (req: Request, res: Response) => sendTree(req, res));

  // from here on every route needs a session (or a machine token on reads): 401 before anything else
  api.use(auth);
  // operational detail (rates, memory, routes) for administrators and their scrapers (a machine token with role admin)
  api.get('/metrics', requirePermission('settings.manage'), async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  api.use(readRoutes({ redis, tree, positions: deps.positions, archiveDir: config.ARCHIVE_DIR, audit: deps.audit }));
  api.use(recommendRoutes({ redis, positions: deps.positions }));
  api.use(premiseRoutes({ redis, tree }));
  api.use(commandRoutes({ redis, tree, minId: () => deps.retention.minId(), replicaAck: config.REDIS_REPLICA_ACK }));
  api.use(alertRoutes({ redis, tree, minId: () => deps.retention.minId(), replicaAck: config.REDIS_REPLICA_ACK }));
  api.use(statsRoutes({ redis, tree, positions: deps.positions, timeZone: config.TIME_ZONE, staleUnitSeconds: config.STALE_UNIT_SECONDS }));
  api.use(gridWorkerRoutes({ redis, tree }));
  api.use(indicatorRoutes({ redis, tree }));
  const caseDeps = { redis, tree, minId: () => deps.retention.minId(), replicaAck: config.REDIS_REPLICA_ACK };
  api.use(governanceRoutes(caseDeps));
  api.use(supervisionRoutes(caseDeps));
  api.use(dutyRoutes({ ...caseDeps, timeZone: config.TIME_ZONE }));
  api.use(leaderRoutes({ redis, tree, timeZone: config.TIME_ZONE }));
  // the audit trail's routes (server/audit/) sit behind the same guard as every other route
  api.use('/audit', requirePermission('audit.read'));
  api.use(auditRoutes({ redis, audit: deps.audit }));
  api.use(adminUserRoutes({ redis, tree, control, demo: config.DEMO }));
  api.use(adminKeyRoutes({ credentials, tree, control }));
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
