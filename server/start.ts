// `npm start`: the whole demo in one command — embedded Redis, one server, one worker, the
// simulator — and an orderly Ctrl-C (simulator, then server and worker, then Redis).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { acquireDataDir, recordRedis, type DataDirLock, type RecordedRedis } from './redis/data-dir-lock.js';
import { launchRedis, type EmbeddedRedis } from './redis/embedded.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HEALTH_TIMEOUT_MS = 60_000;
const SIM_GRACE_MS = 1_000;
const CHILD_GRACE_MS = 8_000;
const SHUTDOWN_BUDGET_MS = 9_800;

interface StartConfig {
  port: number;
  host: string;
  dataDir: string;
  redisUrl: string | undefined;
  telemetryRedisUrl: string | undefined;
  demoPassword: string | undefined;
}

type ChildName = 'server' | 'worker' | 'sim';
interface Child { name: ChildName; proc: ChildProcess; exited: Promise<void>; done: boolean }

const log = (msg: string): void => void process.stdout.write(`[start] ${msg}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function parseEnv(env: NodeJS.ProcessEnv): StartConfig {
  const errors: string[] = [];
  const portText = env.PORT ?? '8080';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) errors.push(`PORT: an integer 1-65535, got "${portText}"`);
  const url = (name: string): string | undefined => {
    const value = env[name];
    if (value === undefined || value === '') return undefined;
    try {
      if (['redis:', 'rediss:'].includes(new URL(value).protocol)) return value;
    } catch {
      // reported below
    }
    errors.push(`${name}: a redis:// or rediss:// URL`);
    return undefined;
  };
  const redisUrl = url('REDIS_URL');
  const telemetryRedisUrl = url('TELEMETRY_REDIS_URL');
  const demoPassword = env.DEMO_PASSWORD || undefined;
  if (demoPassword !== undefined && demoPassword.length < 8) errors.push('DEMO_PASSWORD: at least 8 characters');
  const host = env.HOST || '127.0.0.1';
  if (errors.length > 0) throw new Error(`Invalid configuration:\n  ${errors.join('\n  ')}`);
  return { port, host, dataDir: resolve(env.DATA_DIR || './var'), redisUrl, telemetryRedisUrl, demoPassword };
}

/** The session secret survives restarts, so browser sessions stay valid. */
function demoSessionSecret(dataDir: string): string {
  const file = join(dataDir, 'demo.json');
  try {
    // older files also hold an `ingestKey`: the simulator now gets credentials of its own
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { sessionSecret?: unknown };
    if (typeof saved.sessionSecret === 'string' && saved.sessionSecret.length >= 32) return saved.sessionSecret;
  } catch {
    // first start, or unreadable: make a new one
  }
  const sessionSecret = randomBytes(32).toString('base64url');
  writeFileSync(`${file}.tmp`, `${JSON.stringify({ sessionSecret }, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  return sessionSecret;
}

/**
 * The simulator's own ingest key and machine token, new at every start (DESIGN §4). The server
 * stores their digests (DEMO_SIM_*, demo mode only; the previous start's secrets stop working),
 * the simulator gets the secrets (SIM_INGEST_KEY, SIM_TOKEN). Shaped like the secrets admins issue.
 */
function simulatorSecrets(): { ingestKey: string; token: string } {
  return { ingestKey: `pgk_${randomBytes(32).toString('base64url')}`, token: `pgt_${randomBytes(32).toString('base64url')}` };
}

function randomPassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789'; // nothing to misread
  return Array.from({ length: 12 }, () => alphabet[randomInt(alphabet.length)]).join('');
}

/** The host clients should dial: a wildcard bind is reached through loopback. */
function dialHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function maskUrl(value: string): string {
  const u = new URL(value);
  if (u.password) u.password = '***';
  return u.toString();
}

// Children run in their own process groups so the terminal's Ctrl-C reaches them only through
// our shutdown order. This preload makes an orphaned child (start.ts SIGKILLed) stop itself
// instead of running on without a supervisor.
const ORPHAN_WATCHDOG = `data:text/javascript,${encodeURIComponent(
  "const p=process.ppid;const t=setInterval(()=>{if(process.ppid!==p){clearInterval(t);process.kill(process.pid,'SIGTERM')}},1000);t.unref();",
)}`;

function spawnChild(name: ChildName, script: string, env: NodeJS.ProcessEnv): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', '--import', ORPHAN_WATCHDOG, script], {
    cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const child: Child = { name, proc, exited: Promise.resolve(), done: false };
  child.exited = new Promise((res) => proc.once('close', () => { child.done = true; res(); }));
  proc.once('error', (err) => log(`${name} could not be started: ${err.message}`));
  for (const [stream, out] of [[proc.stdout, process.stdout], [proc.stderr, process.stderr]] as const) {
    if (stream) createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => out.write(`[${name}] ${line}\n`));
  }
  return child;
}

function signalChild(child: Child, signal: NodeJS.Signals): void {
  if (child.done || child.proc.pid === undefined) return;
  try {
    process.kill(-child.proc.pid, signal); // the whole group, should it have spawned helpers
  } catch {
    child.proc.kill(signal);
  }
}

async function terminate(child: Child | undefined, graceMs: number): Promise<void> {
  if (!child || child.done) return;
  signalChild(child, 'SIGTERM');
  const timer = setTimeout(() => {
    log(`${child.name} did not stop within ${graceMs / 1000} s; killing it`);
    signalChild(child, 'SIGKILL');
  }, graceMs);
  await child.exited;
  clearTimeout(timer);
}

const state: {
  lock?: DataDirLock; redis: { name: RecordedRedis['name']; redis: EmbeddedRedis }[]; launching?: Promise<unknown>;
  children: Partial<Record<ChildName, Child>>; stopping: boolean;
} = { redis: [], children: {}, stopping: false };

async function forceExit(code: number): Promise<never> {
  for (const child of Object.values(state.children)) signalChild(child, 'SIGKILL');
  // SIGKILL is safe for the durable server: every acknowledged write was already fsynced
  await Promise.race([Promise.all(state.redis.map((r) => r.redis.kill())), sleep(1_000)]);
  state.lock?.release();
  process.exit(code);
}

async function shutdown(code: number, reason: string): Promise<void> {
  if (state.stopping) return;
  state.stopping = true;
  log(`${reason}; shutting down (Ctrl-C again to force)`);
  setTimeout(() => {
    log('shutdown is taking too long; forcing');
    void forceExit(code || 1);
  }, SHUTDOWN_BUDGET_MS);
  const { sim, server, worker } = state.children;
  await terminate(sim, SIM_GRACE_MS);
  await Promise.all([terminate(server, CHILD_GRACE_MS), terminate(worker, CHILD_GRACE_MS)]);
  await state.launching?.catch(() => undefined);
  await Promise.all(state.redis.map((r) => r.redis.stop().catch((err: Error) => log(`redis stop: ${err.message}`))));
  state.lock?.release();
  log('stopped');
  process.exit(code);
}

function watch(child: Child): Child {
  child.proc.once('exit', (code, signal) => {
    if (state.stopping) return;
    const how = signal ? `signal ${signal}` : `code ${code}`;
    if (child.name === 'sim') log(`simulator exited (${how}); the demo keeps running without it`);
    else void shutdown(1, `${child.name} exited unexpectedly (${how})`);
  });
  return child;
}

async function waitHealthy(base: string, server: Child): Promise<boolean> {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  while (Date.now() < deadline && !state.stopping && !server.done) {
    try {
      const res = await fetch(`${base}/api/v1/health`, { signal: AbortSignal.timeout(2_000) });
      await res.body?.cancel();
      if (res.status === 200) return true;
    } catch {
      // not listening yet
    }
    await sleep(500);
  }
  return false;
}

/** District ids for the banner, read through the public API like any client would. */
async function districtLogins(base: string, password: string): Promise<string[]> {
  const headers = { 'content-type': 'application/json', origin: base };
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST', headers, body: JSON.stringify({ username: 'admin', password }), signal: AbortSignal.timeout(3_000),
  });
  await login.body?.cancel();
  if (!login.ok) return [];
  const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const res = await fetch(`${base}/api/v1/jurisdictions`, { headers: { cookie }, signal: AbortSignal.timeout(3_000) });
  const body = (res.ok ? await res.json() : { features: [] }) as { features?: { properties?: { id?: string; level?: string; name?: string } }[] };
  await fetch(`${base}/api/v1/auth/logout`, { method: 'POST', headers: { ...headers, cookie } }).then((r) => r.body?.cancel(), () => undefined);
  return (body.features ?? []).flatMap((f) => f.properties?.level === 'district' && f.properties.id
    ? [`duty-${f.properties.id}${f.properties.name ? ` (${f.properties.name})` : ''}`] : []);
}

function printBanner(cfg: StartConfig, base: string, password: string, urls: [string, string], districts: string[]): void {
  const lines = [
    `Ping'an Grid is running: ${base}/`,
    '',
    `Demo logins (password: ${password}):`,
    '  admin, auditor, leader, coordinator, duty — whole city',
    ...(districts.length > 0 ? districts.map((d) => `  ${d}`) : ['  duty-<district id> — one duty officer per district']),
    '',
    `DATA_DIR            ${cfg.dataDir}`,
    `REDIS_URL           ${maskUrl(urls[0])}`,
    `TELEMETRY_REDIS_URL ${maskUrl(urls[1])}`,
    '',
    'Ctrl-C stops everything.',
  ];
  const rule = '='.repeat(Math.max(...lines.map((l) => l.length)) + 2);
  process.stdout.write(`\n${rule}\n${lines.map((l) => ` ${l}`).join('\n')}\n${rule}\n\n`);
}

async function launch(dataDir: string, name: 'durable' | 'telemetry', maxmemoryBytes?: number): Promise<string> {
  if (state.stopping) throw new Error('stopping');
  const pending = launchRedis({ name, dir: join(dataDir, name === 'durable' ? 'redis' : 'telemetry'), maxmemoryBytes });
  state.launching = pending.then((redis) => { state.redis.push({ name, redis }); });
  await state.launching;
  const redis = await pending;
  // written after each launch, so a crash between the two still leaves the first one reapable
  recordRedis(dataDir, state.redis.map((r) => ({ name: r.name, port: r.redis.port, pid: r.redis.pid, url: r.redis.url })));
  log(`${name} redis-server pid ${redis.pid} on ${redis.url}`);
  return redis.url;
}

async function main(): Promise<void> {
  let cfg: StartConfig;
  try {
    cfg = parseEnv(process.env);
    state.lock = acquireDataDir(cfg.dataDir);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
  let firstSignalAt = 0;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      if (!state.stopping) {
        firstSignalAt = Date.now();
        return void shutdown(0, `${sig} received`);
      }
      // One Ctrl-C can arrive twice: from the terminal and relayed by a wrapper (the tsx CLI
      // relays when it misses our acknowledgement). A human's second press comes later.
      if (Date.now() - firstSignalAt < 1_000) return;
      log(`${sig} again: killing everything now`);
      void forceExit(1);
    });
  }
  const redisUrl = cfg.redisUrl ?? (await launch(cfg.dataDir, 'durable'));
  const telemetryUrl = cfg.telemetryRedisUrl ?? (cfg.redisUrl !== undefined ? cfg.redisUrl
    // telemetry is bounded by design (latest fix, short trail); a cap makes a leak fail loudly
    : await launch(cfg.dataDir, 'telemetry', Math.floor(totalmem() * 0.1)));
  if (state.stopping) return;

  const sessionSecret = demoSessionSecret(cfg.dataDir);
  const sim = simulatorSecrets();
  const password = cfg.demoPassword ?? randomPassword();
  const base = `http://${dialHost(cfg.host)}:${cfg.port}`;
  // each child gets only the secrets it needs: the server the simulator's digests-to-be, the
  // simulator its secrets; INGEST_KEYS passes through untouched (other feeders)
  const { DEMO_SIM_INGEST_KEY: _k, DEMO_SIM_TOKEN: _t, SIM_INGEST_KEY: _sk, SIM_TOKEN: _st, ...inherited } = process.env;
  const env: NodeJS.ProcessEnv = {
    ...inherited, REDIS_URL: redisUrl, TELEMETRY_REDIS_URL: telemetryUrl, DATA_DIR: cfg.dataDir,
    PORT: String(cfg.port), HOST: cfg.host, DEMO: '1', DEMO_PASSWORD: password,
    SESSION_SECRET: process.env.SESSION_SECRET || sessionSecret,
  };
  const server = (state.children.server = watch(spawnChild('server', 'server/main.ts', {
    ...env, DEMO_SIM_INGEST_KEY: sim.ingestKey, DEMO_SIM_TOKEN: sim.token,
  })));
  state.children.worker = watch(spawnChild('worker', 'server/worker.ts', env));
  // 200 only once demo users and the simulator's credentials are in place
  if (!(await waitHealthy(base, server))) {
    if (!state.stopping) void shutdown(1, `${base}/api/v1/health did not answer 200 within ${HEALTH_TIMEOUT_MS / 1000} s`);
    return;
  }
  state.children.sim = watch(spawnChild('sim', 'server/sim/main.ts', {
    ...env, SIM_TARGET: base, SIM_INGEST_KEY: sim.ingestKey, SIM_TOKEN: sim.token,
  }));
  const districts = await districtLogins(base, password).catch(() => []);
  printBanner(cfg, base, password, [redisUrl, telemetryUrl], districts);
}

main().catch((err: unknown) => {
  if (state.stopping) return; // a launch cut short by Ctrl-C
  process.stderr.write(`[start] ${err instanceof Error ? err.message : String(err)}\n`);
  void shutdown(1, 'start failed');
});
