import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { acquireDataDir, isPidAlive, recordRedis } from '../../server/redis/data-dir-lock.js';
import { launchRedis, redisInline } from '../../server/redis/embedded.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';

const clients: Redis[] = [];
function client(url: string): Redis {
  const c = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: false });
  clients.push(c);
  return c;
}
afterEach(() => {
  for (const c of clients.splice(0)) c.disconnect();
});

async function config(r: Redis, name: string): Promise<string | undefined> {
  const reply = (await r.config('GET', name)) as string[];
  return reply[1];
}

describe('embedded redis', () => {
  let durable: TestRedis;
  let telemetry: TestRedis;
  beforeAll(async () => {
    [durable, telemetry] = await Promise.all([startRedis(), startRedis({ durable: false })]);
  });
  afterAll(async () => {
    await Promise.all([durable?.stop(), telemetry?.stop()]);
  });

  it('configures the durable server for crash safety', async () => {
    const r = client(durable.url);
    expect(durable.port).not.toBe(6379);
    expect(await config(r, 'appendonly')).toBe('yes');
    expect(await config(r, 'appendfsync')).toBe('always');
    expect(await config(r, 'maxmemory-policy')).toBe('noeviction');
    expect(await config(r, 'maxmemory')).toBe(String(256 * 1024 * 1024));
    expect(await config(r, 'save')).toBe('');
  });

  it('configures the telemetry server as volatile', async () => {
    const r = client(telemetry.url);
    expect(await config(r, 'appendonly')).toBe('no');
    expect(await config(r, 'save')).toBe('');
    expect(await config(r, 'maxmemory-policy')).toBe('noeviction');
  });

  it('keeps an acknowledged write across a crash of the durable server', async () => {
    const r = client(durable.url);
    await r.set('fact', 'kept');
    r.disconnect();
    await durable.kill();
    await durable.restart();
    expect(await client(durable.url).get('fact')).toBe('kept');
  });

  it('forgets everything when the telemetry server restarts', async () => {
    const r = client(telemetry.url);
    await r.set('fix', 'gone');
    r.disconnect();
    await telemetry.kill();
    await telemetry.restart();
    expect(await client(telemetry.url).get('fix')).toBeNull();
  });
});

describe('DATA_DIR lock', () => {
  const dirs: string[] = [];
  const tempDir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'pingan-datadir-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('refuses a second owner while the first is alive', async () => {
    const dir = tempDir();
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      writeFileSync(join(dir, 'pingan.lock'), `${other.pid}\n`);
      expect(() => acquireDataDir(dir)).toThrow(new RegExp(`pid ${other.pid}.*DATA_DIR=`, 's'));
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('refuses a second acquire by the same process, and frees the dir on release', () => {
    const dir = tempDir();
    const lock = acquireDataDir(dir);
    expect(readFileSync(join(dir, 'pingan.lock'), 'utf8').trim()).toBe(String(process.pid));
    expect(() => acquireDataDir(dir)).toThrow(/another Ping'an Grid instance/i);
    lock.release();
    expect(existsSync(join(dir, 'pingan.lock'))).toBe(false);
    acquireDataDir(dir).release();
  });

  it('takes over a stale lock and stops the Redis servers its owner left running', async () => {
    const dir = tempDir();
    const dead = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await new Promise((r) => dead.once('exit', r));
    writeFileSync(join(dir, 'pingan.lock'), `${dead.pid}\n`);
    const orphan = await launchRedis({ name: 'telemetry', dir: join(dir, 'telemetry') });
    recordRedis(dir, [{ name: 'telemetry', port: orphan.port, pid: orphan.pid, url: orphan.url }]);

    const lock = acquireDataDir(dir);
    try {
      expect(readFileSync(join(dir, 'pingan.lock'), 'utf8').trim()).toBe(String(process.pid));
      await expect(redisInline(orphan.port, 'PING')).rejects.toThrow();
      await orphan.stop(); // resolves once the reaped process is gone
      expect(isPidAlive(orphan.pid)).toBe(false);
      expect(existsSync(lock.pidsFile)).toBe(false);
    } finally {
      lock.release();
    }
  });
});

describe('missing redis-server', () => {
  it('says how to install it or use an existing server', async () => {
    const emptyDir = mkdtempSync(join(tmpdir(), 'pingan-nopath-'));
    const saved = process.env.PATH;
    process.env.PATH = emptyDir;
    try {
      const err: unknown = await launchRedis({ name: 'durable', dir: join(emptyDir, 'r') }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      const message = (err as Error).message;
      expect(message).toContain('apt-get install redis-server');
      expect(message).toContain('brew install redis');
      expect(message).toContain('REDIS_URL');
      expect(message).toContain('TELEMETRY_REDIS_URL');
    } finally {
      process.env.PATH = saved;
      rmSync(emptyDir, { recursive: true, force: true });
    }
  });
});
