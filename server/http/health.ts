import type { Redis } from 'ioredis';
import type { Health } from '../../shared/api.js';
import { keys } from '../store/keys.js';

export interface HealthDeps {
  redis: Redis;
  telemetry: Redis;
  tail: { live: boolean; headSeq: string | null };
  version: string;
  /** false until startup work (demo seeding) is done */
  ready(): boolean;
}

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error('timeout')), ms))]);

function memory(info: string): { used: number | null; max: number | null } {
  const get = (k: string) => {
    const m = new RegExp(`^${k}:(\\d+)`, 'm').exec(info);
    return m ? Number(m[1]) : null;
  };
  return { used: get('used_memory'), max: get('maxmemory') };
}

/** GET /health: 200 and ok when the command connection is ready and the tail is live; degraded above 80% of maxmemory. */
export async function checkHealth(d: HealthDeps): Promise<{ code: number; body: Health }> {
  const reasons: string[] = [];
  let mem = { used: null as number | null, max: null as number | null };
  let workers = { alive: 0, lastSeenAt: null as string | null };
  let redisReady = false;
  try {
    const [info, beats] = await withTimeout(Promise.all([
      d.redis.info('memory'),
      d.redis.zrevrange(keys.workerHeartbeat, 0, -1, 'WITHSCORES'),
    ]), 1000);
    redisReady = true;
    mem = memory(info);
    const now = Date.now();
    const scores = beats.filter((_, i) => i % 2 === 1).map(Number);
    workers = { alive: scores.filter((s) => now - s < 15_000).length, lastSeenAt: scores.length ? new Date(Math.max(...scores)).toISOString() : null };
  } catch {
    reasons.push('redis unreachable');
  }
  let telemetryReady = false;
  try {
    await withTimeout(d.telemetry.ping(), 1000);
    telemetryReady = true;
  } catch {
    reasons.push('telemetry redis unreachable');
  }
  if (!d.tail.live) reasons.push('log tail not live');
  if (mem.used !== null && mem.max && mem.used > 0.8 * mem.max) reasons.push('redis memory above 80% of maxmemory');
  if (!d.ready()) reasons.push('starting');
  const serving = redisReady && d.tail.live && d.ready();
  const body: Health = {
    status: reasons.length === 0 ? 'ok' : 'degraded',
    redis: { ready: redisReady, usedMemory: mem.used, maxMemory: mem.max },
    telemetry: { ready: telemetryReady },
    version: d.version,
    workers,
    tail: { live: d.tail.live, headSeq: d.tail.headSeq },
    ...(reasons.length ? { reasons } : {}),
  };
  return { code: serving ? 200 : 503, body };
}
