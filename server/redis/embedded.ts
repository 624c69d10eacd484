// Launches a private redis-server for `npm start` and the integration tests. Only this launcher
// starts Redis; `serve` and `worker` always get URLs.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants as fsConstants, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { totalmem } from 'node:os';
import { delimiter, join } from 'node:path';

export type RedisRole = 'durable' | 'telemetry';

export interface LaunchRedisOptions {
  name: RedisRole;
  /** Redis' working directory (AOF lives here); created when missing. */
  dir: string;
  /** Fixed port (restart on the same port); default: a free one. */
  port?: number;
  /** Durable default: 60% of RAM. Telemetry: unlimited unless given. */
  maxmemoryBytes?: number;
  /** Default: `<dir>/redis.log`. Redis' stdout and stderr go here too. */
  logFile?: string;
}

export interface EmbeddedRedis {
  url: string;
  port: number;
  pid: number;
  /** SHUTDOWN (NOSAVE for telemetry), SIGKILL after 5 s; idempotent. */
  stop(): Promise<void>;
  /** SIGKILL at once, as in a crash; resolves once the process is gone. */
  kill(): Promise<void>;
}

const READY_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 5_000;

export const MISSING_REDIS_MESSAGE =
  'redis-server was not found on PATH. Install it — `sudo apt-get install redis-server` ' +
  '(Debian/Ubuntu) or `brew install redis` (macOS) — or set REDIS_URL (and TELEMETRY_REDIS_URL) ' +
  'to use an existing Redis server instead of the embedded one.';

/** A port the OS considers free on 127.0.0.1 right now (never 6379, a developer's own Redis). */
export async function findFreePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.unref();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const addr = srv.address();
        const p = typeof addr === 'object' && addr ? addr.port : 0;
        srv.close(() => resolve(p));
      });
    });
    if (port !== 0 && port !== 6379) return port;
  }
}

function findOnPath(bin: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, bin);
    try {
      accessSync(candidate, fsConstants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return null;
}

function redisArgs(opts: LaunchRedisOptions, port: number): string[] {
  const common = ['--port', String(port), '--bind', '127.0.0.1', '--dir', opts.dir,
    '--daemonize', 'no', '--save', '', '--maxmemory-policy', 'noeviction', '--loglevel', 'notice'];
  if (opts.name === 'durable') {
    // An acknowledged fact must survive a crash: fsync every write, never evict.
    const maxmemory = opts.maxmemoryBytes ?? Math.floor(totalmem() * 0.6);
    return [...common, '--appendonly', 'yes', '--appendfsync', 'always', '--maxmemory', String(maxmemory)];
  }
  const limit = opts.maxmemoryBytes === undefined ? [] : ['--maxmemory', String(opts.maxmemoryBytes)];
  return [...common, '--appendonly', 'no', ...limit];
}

/** The last lines written to `file` after byte `from`, for error messages. */
export function logTail(file: string, from = 0, lines = 15): string {
  try {
    const size = statSync(file).size;
    const start = Math.max(from, size - 8192);
    const buf = Buffer.alloc(size - start);
    const fd = openSync(file, 'r');
    try {
      readSync(fd, buf, 0, buf.length, start);
    } finally {
      closeSync(fd);
    }
    return buf.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Sends one inline command on a fresh connection. Resolves with the reply: the line of a
 * simple reply ("+PONG", "-LOADING …"), the payload of a bulk reply (INFO), "" when the server
 * closes without answering (SHUTDOWN).
 */
export function redisInline(port: number, command: string, timeoutMs = 1_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port });
    let data = Buffer.alloc(0);
    const done = (err: Error | null, reply = ''): void => {
      sock.destroy();
      if (err) reject(err);
      else resolve(reply);
    };
    sock.setTimeout(timeoutMs, () => done(new Error(`redis on port ${port}: timeout`)));
    sock.once('error', (err) => done(err));
    sock.once('connect', () => sock.write(`${command}\r\n`));
    sock.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      const eol = data.indexOf('\r\n');
      if (eol < 0) return;
      const head = data.subarray(0, eol).toString('utf8');
      if (!head.startsWith('$')) return done(null, head);
      const len = Number(head.slice(1));
      if (len < 0) return done(null, '');
      if (data.length >= eol + 2 + len) done(null, data.subarray(eol + 2, eol + 2 + len).toString('utf8'));
    });
    sock.once('end', () => done(null, ''));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// Launched servers not yet stopped: if this process exits without stopping them (an uncaught
// error), SIGTERM lets Redis shut down cleanly instead of lingering. A SIGKILLed parent leaves
// them running; data-dir-lock.ts reaps those on the next start.
const live = new Set<number>();
let exitHookInstalled = false;
function trackForExit(pid: number): void {
  live.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const p of live) {
      try {
        process.kill(p, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  });
}

function exitPromise(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function launchOnce(bin: string, opts: LaunchRedisOptions, port: number, logFile: string): Promise<EmbeddedRedis> {
  mkdirSync(opts.dir, { recursive: true });
  const logFd = openSync(logFile, 'a');
  const logStart = statSync(logFile).size;
  let child: ChildProcess;
  try {
    // Own process group: the terminal's Ctrl-C must reach Redis only through our shutdown order.
    // Output goes straight to the log file, so no pipe breaks if this process dies.
    child = spawn(bin, redisArgs(opts, port), { detached: true, stdio: ['ignore', logFd, logFd] });
  } finally {
    closeSync(logFd);
  }
  const state: { spawnError: NodeJS.ErrnoException | null; exited: boolean } = { spawnError: null, exited: false };
  child.once('error', (err) => { state.spawnError = err; });
  const exited = exitPromise(child);
  void exited.then(() => { state.exited = true; });

  const fail = (why: string): Error =>
    new Error(`${opts.name} redis-server on port ${port} ${why}. Log ${logFile}:\n${logTail(logFile, logStart)}`);

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    await sleep(50);
    const err = state.spawnError;
    if (err) {
      if (err.code === 'ENOENT') throw new Error(MISSING_REDIS_MESSAGE);
      throw fail(`could not be spawned (${err.message})`);
    }
    if (state.exited) throw fail(`exited during start (${child.exitCode ?? child.signalCode})`);
    const reply = await redisInline(port, 'PING', 500).catch(() => '');
    // "+PONG" only once the AOF is loaded; "-LOADING" before
    // … and from our process, not from whoever holds the port ours then fails to bind
    // (that failure shows up as an early exit on a later round)
    if (reply.startsWith('+PONG')) {
      const info = await redisInline(port, 'INFO server').catch(() => '');
      if (info.includes(`process_id:${child.pid}\r\n`)) break;
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw fail(`did not answer PING within ${READY_TIMEOUT_MS / 1000} s`);
    }
  }

  const pid = child.pid;
  if (pid === undefined) throw fail('has no pid');
  trackForExit(pid);
  void exited.then(() => live.delete(pid));

  let stopping: Promise<void> | null = null;
  const kill = async (): Promise<void> => {
    if (!state.exited) child.kill('SIGKILL');
    await exited;
  };
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (state.exited) return;
      // Durable: SHUTDOWN fsyncs the AOF (no RDB: save ""). Telemetry is volatile by design.
      const cmd = opts.name === 'telemetry' ? 'SHUTDOWN NOSAVE' : 'SHUTDOWN';
      await redisInline(port, cmd, STOP_GRACE_MS).catch(() => child.kill('SIGTERM'));
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    })();
    return stopping;
  };
  return { url: `redis://127.0.0.1:${port}`, port, pid, stop, kill };
}

/** Starts redis-server from PATH and resolves once it answers PING. */
export async function launchRedis(opts: LaunchRedisOptions): Promise<EmbeddedRedis> {
  const bin = findOnPath('redis-server');
  if (!bin) throw new Error(MISSING_REDIS_MESSAGE);
  const logFile = opts.logFile ?? join(opts.dir, 'redis.log');
  // A free port can be taken between findFreePort and bind; retry only when we picked it.
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await findFreePort());
    try {
      return await launchOnce(bin, opts, port, logFile);
    } catch (err) {
      const inUse = err instanceof Error && /address already in use/i.test(err.message);
      if (opts.port !== undefined || !inUse || attempt >= 3) throw err;
    }
  }
}
