// A whole server on real Redis servers (durable + volatile telemetry) on free ports.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../server/config.js';
import { createLogger } from '../../server/logger.js';
import { startServer, type RunningServer } from '../../server/runtime.js';
import { startRedis, type TestRedis } from './redis.js';

export const INGEST_KEY = 'test-ingest-key-0123456789';
export const DEMO_PASSWORD = 'demo-pass-123';

export interface Stack {
  url: string;
  redis: TestRedis;
  telemetry: TestRedis;
  server: RunningServer;
  dataDir: string;
  /** POST /api/v1/events with the ingest key */
  ingest(body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  /** logs in a demo user; returns the Cookie header value */
  login(username?: string): Promise<string>;
  /** GET with a session cookie */
  get(path: string, cookie: string): Promise<{ status: number; body: any }>;
  /** stops and starts the server process part again (same Redis) */
  restartServer(): Promise<void>;
  /** another server instance on the same Redis servers (closed by stop()) */
  startExtraServer(): Promise<RunningServer>;
  stop(): Promise<void>;
}

export async function startStack(env: Record<string, string> = {}): Promise<Stack> {
  const [redis, telemetry] = await Promise.all([startRedis(), startRedis({ durable: false })]);
  const dataDir = mkdtempSync(join(tmpdir(), 'pingan-stack-'));
  const config = parseConfig({
    REDIS_URL: redis.url, TELEMETRY_REDIS_URL: telemetry.url, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir,
    DEMO: '1', DEMO_PASSWORD, INGEST_KEYS: INGEST_KEY, LOG_LEVEL: 'silent', ...env,
  });
  const log = createLogger('silent');
  let server = await startServer(config, { log });
  const extra: RunningServer[] = [];
  const stack: Stack = {
    get url() { return server.url; },
    redis, telemetry, dataDir,
    get server() { return server; },
    ingest: (body, headers = {}) => ingestTo(server.url, body, headers),
    async login(username = 'admin') {
      const res = await fetch(`${server.url}/api/v1/auth/login`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: DEMO_PASSWORD }),
      });
      if (res.status !== 200) throw new Error(`login ${username}: ${res.status}`);
      return res.headers.get('set-cookie')!.split(';')[0]!;
    },
    async get(path, cookie) {
      const res = await fetch(`${server.url}/api/v1${path}`, { headers: { cookie } });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    async restartServer() {
      await server.close();
      server = await startServer(config, { log });
    },
    async startExtraServer() {
      const other = await startServer(config, { log });
      extra.push(other);
      return other;
    },
    async stop() {
      await Promise.all(extra.map((x) => x.close().catch(() => undefined)));
      await server.close().catch(() => undefined);
      await Promise.all([redis.stop(), telemetry.stop()]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** POST /api/v1/events on the server at `url` with the ingest key. */
export async function ingestTo(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${url}/api/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents-batch+json', authorization: `Bearer ${INGEST_KEY}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

let counter = 0;
/** A CloudEvent with a unique id. */
export function ce(type: string, data: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  counter += 1;
  return { specversion: '1.0', id: `t-${process.pid}-${Date.now()}-${counter}`, source: 'test/110', type, time: new Date().toISOString(), data, ...extra };
}
