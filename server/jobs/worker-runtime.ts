// The worker process minus process signals, so tests can run it in-process: BullMQ workers,
// the hourly archive schedule, and a heartbeat that lets /health count live workers.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Config } from '../config.js';
import { commandConnection } from '../redis/connections.js';
import { keys } from '../store/keys.js';
import { createArchiveProcessor } from './archive-processor.js';
import {
  MAINTENANCE_JOBS,
  createMaintenanceWorker,
  enqueueArchiveNow,
  ensureMaintenanceSchedules,
  openMaintenanceQueue,
} from './queues.js';

export const HEARTBEAT_MS = 5_000;
/** A member older than this is a dead worker; /health counts the members newer than it. */
export const HEARTBEAT_STALE_MS = 60_000;

export interface WorkerHandle {
  id: string;
  /** Finishes active jobs, removes the heartbeat, closes connections. */
  close(): Promise<void>;
}

export interface StartWorkerOptions {
  workerId?: string;
  heartbeatMs?: number;
  /** Where log lines go (default: stdout/stderr). */
  log?: (line: string) => void;
}

type Level = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<Level | 'silent', number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

export async function startWorker(config: Readonly<Config>, opts: StartWorkerOptions = {}): Promise<WorkerHandle> {
  const id = opts.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const log = (level: Level, msg: string) => {
    if (RANK[level] < RANK[config.LOG_LEVEL]) return;
    const line = `${new Date().toISOString()} worker ${level}: ${msg}`;
    if (opts.log) opts.log(line);
    else if (level === 'error' || level === 'warn') console.error(line);
    else console.log(line);
  };

  const redis = commandConnection(config.REDIS_URL, 'worker');
  const beat = async () => {
    const now = Date.now();
    await redis
      .multi()
      .zadd(keys.workerHeartbeat, now, id)
      .zremrangebyscore(keys.workerHeartbeat, '-inf', `(${now - HEARTBEAT_STALE_MS}`)
      .exec();
  };
  const beatQuietly = () => void beat().catch((err: unknown) => log('warn', `heartbeat failed: ${errorText(err)}`));
  // the fail-fast connection drops commands while disconnected: beat again as soon as it is back
  redis.on('ready', beatQuietly);
  const heartbeat = setInterval(beatQuietly, opts.heartbeatMs ?? HEARTBEAT_MS);
  heartbeat.unref();
  if (redis.status === 'ready') beatQuietly();

  const queue = openMaintenanceQueue(config.REDIS_URL);
  queue.on('error', (err) => log('warn', `queue: ${errorText(err)}`));
  const worker = createMaintenanceWorker(config.REDIS_URL, {
    [MAINTENANCE_JOBS.archive]: createArchiveProcessor({
      redis,
      dir: config.ARCHIVE_DIR,
      timeZone: config.TIME_ZONE,
      log: (line) => log('info', line),
    }),
  });
  worker.on('error', (err) => log('warn', `bullmq: ${errorText(err)}`));
  worker.on('failed', (job, err) => log('error', `job ${job?.name ?? '?'} ${job?.id ?? '?'} failed: ${errorText(err)}`));

  try {
    await worker.waitUntilReady();
    await ensureMaintenanceSchedules(queue);
    await enqueueArchiveNow(queue);
  } catch (err) {
    clearInterval(heartbeat);
    await Promise.allSettled([worker.close(true), queue.close()]);
    redis.disconnect();
    throw err;
  }
  log('info', `${id} started (archive every hour into ${config.ARCHIVE_DIR})`);

  let closing: Promise<void> | null = null;
  const close = async () => {
    await worker.close(); // waits for the active job: an archive run is never cut short
    clearInterval(heartbeat);
    redis.off('ready', beatQuietly);
    await redis.zrem(keys.workerHeartbeat, id).catch((err: unknown) => log('warn', `heartbeat removal failed: ${errorText(err)}`));
    await queue.close();
    await redis.quit().catch(() => redis.disconnect());
    log('info', `${id} stopped`);
  };
  return {
    id,
    close: () => (closing ??= close()),
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
