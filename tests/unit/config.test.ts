import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../server/config.js';

const REDIS = { REDIS_URL: 'redis://127.0.0.1:6390' };

function problemsOf(env: NodeJS.ProcessEnv, opts?: { requireRedis?: boolean }): ConfigError {
  try {
    parseConfig(env, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('fills the documented defaults', () => {
    const c = parseConfig(REDIS);
    expect(c).toMatchObject({
      PORT: 8080, HOST: '0.0.0.0', DATA_DIR: './var', ARCHIVE_DIR: path.join('./var', 'archive'), LOG_RETENTION_DAYS: 30,
      TIME_ZONE: 'Asia/Shanghai', TILE_CRS: 'wgs84', COOKIE_SECURE: 'auto', DEMO: false, REDIS_REPLICA_ACK: false,
      ALLOWED_ORIGINS: [], INGEST_KEYS: [], LOG_LEVEL: 'info',
      REDIS_URL: 'redis://127.0.0.1:6390', TELEMETRY_REDIS_URL: 'redis://127.0.0.1:6390',
    });
    expect(c.JURISDICTION_FILE).toBeUndefined();
    expect(c.DEMO_PASSWORD).toBeUndefined();
  });

  it('ARCHIVE_DIR follows DATA_DIR unless set; TELEMETRY_REDIS_URL can differ', () => {
    expect(parseConfig({ ...REDIS, DATA_DIR: '/srv/pingan' }).ARCHIVE_DIR).toBe(path.join('/srv/pingan', 'archive'));
    expect(parseConfig({ ...REDIS, DATA_DIR: '/srv/pingan', ARCHIVE_DIR: '/mnt/cold' }).ARCHIVE_DIR).toBe('/mnt/cold');
    expect(parseConfig({ ...REDIS, TELEMETRY_REDIS_URL: 'redis://10.0.0.2:6379' }).TELEMETRY_REDIS_URL).toBe('redis://10.0.0.2:6379');
  });

  it('parses given values', () => {
    const c = parseConfig({
      ...REDIS, PORT: '9000', LOG_RETENTION_DAYS: '7', TIME_ZONE: 'Europe/Berlin', DEMO: '1', DEMO_PASSWORD: 'correct-horse',
      REDIS_REPLICA_ACK: '1', TILE_CRS: 'gcj02',
    });
    expect(c).toMatchObject({ PORT: 9000, LOG_RETENTION_DAYS: 7, TIME_ZONE: 'Europe/Berlin', DEMO: true, DEMO_PASSWORD: 'correct-horse', REDIS_REPLICA_ACK: true, TILE_CRS: 'gcj02' });
    expect(parseConfig({ ...REDIS, DEMO: '0' }).DEMO).toBe(false);
    expect(parseConfig({ REDIS_URL: 'rediss://secure:6380' }).REDIS_URL).toBe('rediss://secure:6380');
  });

  it('is frozen, lists included', () => {
    const c = parseConfig({ ...REDIS, INGEST_KEYS: 'a,b' });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.INGEST_KEYS)).toBe(true);
    expect(Object.isFrozen(c.ALLOWED_ORIGINS)).toBe(true);
    expect(() => { (c as { PORT: number }).PORT = 1; }).toThrow(TypeError);
    expect(() => { c.INGEST_KEYS.push('c'); }).toThrow(TypeError);
  });

  it('splits INGEST_KEYS and ALLOWED_ORIGINS on commas, trimming and dropping blanks', () => {
    const c = parseConfig({ ...REDIS, INGEST_KEYS: 'k1, k2,,k3 ', ALLOWED_ORIGINS: 'https://a.example,https://b.example' });
    expect(c.INGEST_KEYS).toEqual(['k1', 'k2', 'k3']);
    expect(c.ALLOWED_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
    expect(parseConfig({ ...REDIS, INGEST_KEYS: 'solo' }).INGEST_KEYS).toEqual(['solo']);
  });

  it('names every bad variable at once', () => {
    const err = problemsOf({ PORT: 'abc', TIME_ZONE: 'Mars/Base', DEMO: 'yes', DEMO_PASSWORD: 'short', REDIS_URL: 'http://x' });
    for (const name of ['PORT', 'TIME_ZONE', 'DEMO', 'DEMO_PASSWORD', 'REDIS_URL']) {
      expect(err.message).toContain(name);
      expect(err.problems.some((p) => p.startsWith(`${name}:`))).toBe(true);
    }
    expect(err.problems).toHaveLength(5);
    expect(err.name).toBe('ConfigError');
    expect(err.message).toContain('"Mars/Base"');
  });

  it.each([
    ['PORT', '70000'], ['PORT', '-1'], ['LOG_RETENTION_DAYS', '0'], ['LOG_RETENTION_DAYS', 'thirty'], ['TILE_CRS', 'mercator'],
    ['TELEMETRY_REDIS_URL', 'localhost:6379'], ['LOG_LEVEL', 'verbose'], ['COOKIE_SECURE', 'yes'], ['SESSION_SECRET', 'tooshort'],
    ['TILE_URL', 'not a url'], ['REDIS_REPLICA_ACK', 'true'],
  ])('rejects %s=%s', (name, value) => {
    const err = problemsOf({ ...REDIS, [name]: value });
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]!.startsWith(`${name}:`)).toBe(true);
  });

  it('requires REDIS_URL unless requireRedis is false', () => {
    const err = problemsOf({});
    expect(err.problems).toEqual([expect.stringMatching(/^REDIS_URL: required/)]);
    const c = parseConfig({}, { requireRedis: false });
    expect(c.REDIS_URL).toMatch(/^redis:\/\//);
    expect(c.TELEMETRY_REDIS_URL).toBe(c.REDIS_URL);
    expect(parseConfig(REDIS, { requireRedis: true }).REDIS_URL).toBe(REDIS.REDIS_URL);
  });

  it('reports a missing REDIS_URL together with other problems', () => {
    const err = problemsOf({ PORT: 'abc' });
    expect(err.problems.map((p) => p.split(':')[0])).toEqual(['PORT', 'REDIS_URL']);
  });

  // z.coerce.number() would turn '' into 0 (a random port): empty variables count as unset
  it('an empty DATA_DIR means the default', () => {
    expect(parseConfig({ ...REDIS, DATA_DIR: '' }).DATA_DIR).toBe('./var');
  });
  it('an empty PORT means unset, never port 0', () => {
    let port: number;
    try {
      port = parseConfig({ ...REDIS, PORT: '' }).PORT;
    } catch {
      return;
    }
    expect(port).toBe(8080);
  });
});
