// One `npm start` owns a DATA_DIR at a time: two demos writing one AOF directory, or each
// reaping the other's Redis, would corrupt both.
import { execFileSync } from 'node:child_process';
import {
  closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';

export interface RecordedRedis {
  name: 'durable' | 'telemetry';
  port: number;
  pid: number;
  url: string;
}

export interface DataDirLock {
  /** Removes the lock and redis.json (call after the recorded servers are stopped). */
  release(): void;
  /** DATA_DIR/redis.json: ports and pids of the Redis servers this instance launched. */
  pidsFile: string;
}

const LOCK_FILE = 'pingan.lock';
const REDIS_FILE = 'redis.json';
// A lock file is created and written in one go; an empty one younger than this is a racing
// instance between open() and write(), older is the leftover of a crash at that instant.
const EMPTY_LOCK_GRACE_MS = 5_000;

/** True when a process with this pid exists (EPERM: it exists but belongs to another user). */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseLockPid(content: string): number | null {
  const text = content.trim();
  const pid = Number.parseInt(text, 10);
  return Number.isInteger(pid) && pid > 0 && String(pid) === text ? pid : null;
}

function ownedError(dir: string, pid: number): Error {
  return new Error(
    `Another Ping'an Grid instance (pid ${pid}) owns DATA_DIR ${dir}. Stop it first, or run this ` +
      `one with its own data directory, e.g. DATA_DIR=./var-2 npm start. (If pid ${pid} is not ` +
      `Ping'an Grid, the lock is stale: delete ${join(dir, LOCK_FILE)}.)`,
  );
}

function tryCreateLock(file: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o644); // O_CREAT | O_EXCL: exactly one creator wins
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, `${process.pid}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Takes DATA_DIR (created if missing); throws if a live process holds it; takes over stale locks. */
export function acquireDataDir(dirInput: string): DataDirLock {
  const dir = resolve(dirInput);
  mkdirSync(dir, { recursive: true });
  const lockFile = join(dir, LOCK_FILE);
  for (let attempt = 0; ; attempt++) {
    if (tryCreateLock(lockFile)) break;
    if (attempt >= 3) throw new Error(`could not take ${lockFile}: it keeps reappearing`);
    let holder: number | null;
    let content: string;
    try {
      content = readFileSync(lockFile, 'utf8');
      holder = parseLockPid(content);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile
      throw err;
    }
    if (holder !== null && isPidAlive(holder)) throw ownedError(dir, holder);
    if (holder === null && Date.now() - statSync(lockFile).mtimeMs < EMPTY_LOCK_GRACE_MS) {
      throw new Error(`Another Ping'an Grid instance is taking DATA_DIR ${dir} right now; try again.`);
    }
    // Stale: remove it only if unchanged since we judged it, then race for O_EXCL again.
    try {
      if (readFileSync(lockFile, 'utf8') === content) unlinkSync(lockFile);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  const pidsFile = join(dir, REDIS_FILE);
  // Whether the lock was stale or missing, servers listed here belong to a dead owner.
  reapRecordedRedis(pidsFile);
  let released = false;
  return {
    pidsFile,
    release(): void {
      if (released) return;
      released = true;
      rmIfExists(pidsFile);
      try {
        if (parseLockPid(readFileSync(lockFile, 'utf8')) === process.pid) unlinkSync(lockFile);
      } catch {
        // already gone
      }
    },
  };
}

/** Records the Redis servers launched for DATA_DIR, atomically (write, then rename). */
export function recordRedis(dir: string, servers: readonly RecordedRedis[]): void {
  const file = join(resolve(dir), REDIS_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  const body = { ownerPid: process.pid, recordedAt: new Date().toISOString(), servers };
  const fd = openSync(tmp, 'w', 0o644);
  try {
    writeSync(fd, `${JSON.stringify(body, null, 2)}\n`);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

function rmIfExists(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // nothing to remove
  }
}

function parseRecord(file: string): RecordedRedis[] {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || !('servers' in parsed)) return [];
    const servers = (parsed as { servers: unknown }).servers;
    if (!Array.isArray(servers)) return [];
    return servers.filter((s): s is RecordedRedis =>
      typeof s === 'object' && s !== null && Number.isInteger((s as RecordedRedis).pid) &&
      Number.isInteger((s as RecordedRedis).port));
  } catch {
    return [];
  }
}

// The command line of a pid, to make sure it still is the recorded redis-server: after a reboot
// the pid may belong to anything.
function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    try {
      return execFileSync('ps', ['-p', String(pid), '-o', 'command='], { encoding: 'utf8' });
    } catch {
      return '';
    }
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

// A zombie has exited; only its parent's wait() is missing (when the parent is this very
// process, blocked here, it cannot reap it until we return).
function isGone(pid: number): boolean {
  if (!isPidAlive(pid)) return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

function waitForDeath(pid: number, ms: number): boolean {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (isGone(pid)) return true;
    sleepSync(50);
  }
  return isGone(pid);
}

/**
 * Shuts down Redis servers a crashed instance left running. We stop rather than reuse them:
 * their configuration may come from another version of this code, and SIGTERM is a clean
 * SHUTDOWN (the durable AOF is fsynced), so the fresh server reloads every acknowledged fact.
 */
function reapRecordedRedis(pidsFile: string): void {
  if (!existsSync(pidsFile)) return;
  for (const server of parseRecord(pidsFile)) {
    if (!isPidAlive(server.pid)) continue;
    const cmd = commandLine(server.pid);
    // redis-server sets its title to "redis-server 127.0.0.1:<port>"
    if (!cmd.includes('redis-server') || !cmd.includes(`:${server.port}`)) continue;
    process.kill(server.pid, 'SIGTERM');
    if (!waitForDeath(server.pid, 5_000)) {
      process.kill(server.pid, 'SIGKILL');
      waitForDeath(server.pid, 1_000);
    }
    process.stderr.write(`Stopped ${server.name} redis-server (pid ${server.pid}, port ${server.port}) left by a previous run.\n`);
  }
  rmIfExists(pidsFile);
}
