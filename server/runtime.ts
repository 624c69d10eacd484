import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createApp, type AppDeps } from './app.js';
import { RedisAudit } from './audit/trail.js';
import { CredentialStore } from './auth/credentials.js';
import { syncDemoCredentials } from './auth/demo-credentials.js';
import { seedDemoUsers } from './auth/demo-users.js';
import { endDemoSessions, NoAdminError } from './auth/first-admin.js';
import { hasAdmin } from './auth/users.js';
import type { Config } from './config.js';
import { loadJurisdictions } from './geo/tree.js';
import type { JurisdictionTree } from './geo/types.js';
import { Metrics } from './http/metrics.js';
import { DeferredLiveControl } from './live/control.js';
import { LogTail } from './live/log-tail.js';
import { createLogger, type Logger } from './logger.js';
import { attachLive } from './live/socket-server.js';
import { PositionsRelay } from './live/positions-relay.js';
import { adapterConnection, commandConnection, subscriberConnection, tailConnection, telemetryConnection } from './redis/connections.js';
import { ensureLogEpoch, lastSeq } from './store/log.js';
import { RetentionGuard } from './store/retention.js';
import type { ScriptedRedis } from './store/scripts.js';
import { PositionStore } from './telemetry/positions.js';
import { buildVersion } from './version.js';

export interface RunningServer {
  url: string;
  port: number;
  server: Server;
  deps: AppDeps;
  /** the demo password in force (demo mode only) */
  demoPassword: string | null;
  live: ReturnType<typeof attachLive>;
  close(): Promise<void>;
}

const DEFAULT_CLIENT_DIR = fileURLToPath(new URL('../dist/client', import.meta.url));

/** The command connection fails fast by design; at startup, give it time to connect first. */
function connected(r: ScriptedRedis, ms: number): Promise<void> {
  if (r.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    r.once('ready', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

async function retry<T>(what: string, log: Logger, fn: () => Promise<T>, redis?: ScriptedRedis): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    if (redis) await connected(redis, 2000);
    try {
      return await fn();
    } catch (err) {
      if (attempt === 1 || attempt % 10 === 0) log.warn(`${what} failed; retrying`, (err as Error).message);
      await new Promise((r) => setTimeout(r, Math.min(250 * attempt, 2000)));
    }
  }
}

/** Starts one server instance: connections by role, the tail, demo seeding, HTTP on config.PORT (0: a free port). */
export async function startServer(
  config: Readonly<Config>,
  opts: {
    log?: Logger; tree?: JurisdictionTree; clientDir?: string;
    /** refuse to start without a usable administrator (`npm run serve` outside demo mode) */
    requireAdmin?: boolean;
  } = {},
): Promise<RunningServer> {
  const log = opts.log ?? createLogger(config.LOG_LEVEL, 'server');
  const redis = commandConnection(config.REDIS_URL);
  const telemetry = telemetryConnection(config.TELEMETRY_REDIS_URL);
  const tree = opts.tree ?? loadJurisdictions(config.JURISDICTION_FILE, config.GRID_CELL_METERS);
  const positions = new PositionStore(telemetry, redis);
  const tail = new LogTail(tailConnection(config.REDIS_URL));
  const retention = new RetentionGuard(redis, { retentionDays: config.LOG_RETENTION_DAYS });
  let ready = !config.DEMO;
  const control = new DeferredLiveControl();
  const clientDir = opts.clientDir ?? DEFAULT_CLIENT_DIR;
  const version = buildVersion(clientDir);
  const deps: AppDeps = {
    config, redis, telemetry, tree, positions, tail, retention, log, version,
    ready: () => ready, clientDir, metrics: new Metrics(true),
    audit: new RedisAudit(redis, { retentionDays: config.AUDIT_RETENTION_DAYS, log }),
    credentials: new CredentialStore(redis), control,
  };
  const logEpoch = await retry('connecting to Redis', log, () => ensureLogEpoch(redis), redis);
  tail.start(await retry('reading the log head', log, () => lastSeq(redis), redis));
  retention.start();
  for (const line of await retry('syncing the demo credentials', log, () => syncDemoCredentials(redis, tree, config), redis)) log.info(`demo credential ${line}`);
  let demoPassword: string | null = null;
  if (config.DEMO) {
    demoPassword = config.DEMO_PASSWORD ?? randomBytes(9).toString('base64url');
    await retry('seeding demo users', log, () => seedDemoUsers(redis, tree, demoPassword!), redis);
    if (!config.DEMO_PASSWORD) log.info(`demo password (random, set DEMO_PASSWORD to choose one): ${demoPassword}`);
    ready = true;
  } else {
    const ended = await retry('ending demo sessions', log, () => endDemoSessions(redis), redis);
    if (ended > 0) log.warn(`demo mode is off: ended ${ended} session(s) of demo accounts`);
    if (opts.requireAdmin && !(await retry('looking for an administrator', log, () => hasAdmin(redis), redis))) {
      retention.stop();
      await tail.stop();
      redis.disconnect();
      telemetry.disconnect();
      throw new NoAdminError(config.REDIS_URL, tree.cityId);
    }
  }
  const server = createServer(createApp(deps));
  server.keepAliveTimeout = 65_000;
  const adapterRedis = adapterConnection(config.REDIS_URL);
  const live = attachLive(server, {
    redis, adapterRedis, tail, logEpoch, version, allowedOrigins: config.ALLOWED_ORIGINS, log,
    degraded: () => (tail.live ? [] : ['store_unavailable']),
    audit: deps.audit, credentials: deps.credentials, demo: config.DEMO,
  });
  control.attach(live.io);
  const relay = new PositionsRelay(live.io, subscriberConnection(config.TELEMETRY_REDIS_URL), redis, tree, tail);
  await relay.start();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST;
  return {
    url: `http://${host}:${port}`, port, server, deps, demoPassword, live,
    async close() {
      relay.stop();
      await live.close();
      server.closeAllConnections();
      adapterRedis.disconnect();
      retention.stop();
      await tail.stop();
      redis.disconnect();
      telemetry.disconnect();
    },
  };
}
