import { Redis, type RedisOptions } from 'ioredis';
import { defineScripts, type ScriptedRedis } from '../store/scripts.js';

/** Options shared by every role: never a keyPrefix (BullMQ refuses it). */
function baseOptions(url: string): RedisOptions {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    lazyConnect: false,
  };
}

/** The `command` role: fails fast so HTTP can answer 503 at once when Redis is down. */
export function commandConnection(url: string, name = 'command'): ScriptedRedis {
  const r = new Redis({
    ...baseOptions(url),
    connectionName: `pingan:${name}`,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 1000,
    retryStrategy: (times) => Math.min(100 * times, 2000),
  });
  r.on('error', () => {
    /* state is read from r.status; errors surface per command */
  });
  return defineScripts(r);
}

/** The `tail` role: blocking XREAD, unlimited retries with backoff. */
export function tailConnection(url: string): Redis {
  const r = new Redis({
    ...baseOptions(url),
    connectionName: 'pingan:tail',
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 3000),
  });
  r.on('error', () => {});
  return r;
}

/** The `adapter` role: ioredis defaults (the streams adapter spins on a fail-fast client). */
export function adapterConnection(url: string): Redis {
  const r = new Redis({ ...baseOptions(url), connectionName: 'pingan:adapter' });
  r.on('error', () => {});
  return r;
}

/** Options (not a client) for BullMQ, which builds its own connections. */
export function bullmqConnectionOptions(url: string): RedisOptions {
  return { ...baseOptions(url), connectionName: 'pingan:bullmq', maxRetriesPerRequest: null };
}

/** Telemetry (volatile) Redis: fail fast like `command`, positions are droppable. */
export function telemetryConnection(url: string): ScriptedRedis {
  return commandConnection(url, 'telemetry');
}

/** A pub/sub subscriber (telemetry positions): retries forever, resubscribes on reconnect. */
export function subscriberConnection(url: string): Redis {
  const r = new Redis({ ...baseOptions(url), connectionName: 'pingan:subscriber', maxRetriesPerRequest: null, autoResubscribe: true });
  r.on('error', () => {});
  return r;
}
