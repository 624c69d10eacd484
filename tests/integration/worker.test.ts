import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../server/config.js';
import { ARCHIVE_EVERY_MS, archiveSchedule, enqueueArchiveNow, openMaintenanceQueue } from '../../server/jobs/queues.js';
import { startWorker, type WorkerHandle } from '../../server/jobs/worker-runtime.js';
import { keys } from '../../server/store/keys.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { eventually } from '../helpers/requests.js';

const TZ = 'Asia/Shanghai';
const DAY = 86_400_000;
const dayFmt = new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit' });

const until = <T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 10_000, everyMs = 50) => eventually(what, probe, timeoutMs, everyMs);

function entryJson(n: number, ms: number): string {
  const t = new Date(ms).toISOString();
  return JSON.stringify({ id: `w-${n}`, source: 'test', type: 'gridworker.report', time: t, receivedAt: t, jurisdiction: ['city'], affects: [], data: { n } });
}

describe('worker process', () => {
  let server: TestRedis;
  let redis: Redis;
  let dir: string;
  let worker: WorkerHandle;
  const lines: string[] = [];
  let queue: ReturnType<typeof openMaintenanceQueue>;

  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
    dir = mkdtempSync(join(tmpdir(), 'pingan-worker-'));
    const config = parseConfig({ REDIS_URL: server.url, ARCHIVE_DIR: dir, TIME_ZONE: TZ, LOG_LEVEL: 'info' });
    worker = await startWorker(config, { log: (l) => lines.push(l) });
    queue = openMaintenanceQueue(server.url);
  });
  afterAll(async () => {
    await worker?.close();
    await queue?.close();
    redis?.disconnect();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('beats its heartbeat', async () => {
    const score = await until('heartbeat', () => redis.zscore(keys.workerHeartbeat, worker.id));
    expect(Math.abs(Number(score) - Date.now())).toBeLessThan(10_000);
    expect(lines[0]).toMatch(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z worker info: .* started/);
  });

  it('schedules the hourly archive and runs it on demand', async () => {
    expect(await archiveSchedule(queue)).toMatchObject({ every: ARCHIVE_EVERY_MS });
    const ms = Date.now() - 3 * DAY;
    for (let n = 0; n < 3; n++) await redis.xadd(keys.log, `${ms}-${n}`, 'e', entryJson(n, ms));
    await enqueueArchiveNow(queue);
    const file = join(dir, `log-${dayFmt.format(ms)}.ndjson.gz`);
    // the run queued at start may have archived part of the day already: wait for the last entry
    await until('the watermark', async () => (await redis.get(keys.archivedThrough)) === `${ms}-2`);
    await until('the day file', async () => existsSync(file));
    const archived = gunzipSync(readFileSync(file)).toString('utf8').split('\n').filter(Boolean);
    expect(archived.map((l) => (JSON.parse(l) as { seq: string }).seq)).toEqual([`${ms}-0`, `${ms}-1`, `${ms}-2`]);
    expect(await until('the watermark', () => redis.get(keys.archivedThrough))).toBe(`${ms}-2`);
  });

  it('closes gracefully: finishes the active job, removes its heartbeat, drops its connections', async () => {
    // a day big enough that the run is still going when close() is called
    const ms = Date.now() - 2 * DAY;
    const pipe = redis.pipeline();
    for (let n = 0; n < 30_000; n++) pipe.xadd(keys.log, `${ms}-${n}`, 'e', entryJson(n, ms));
    await pipe.exec();
    const jobId = await enqueueArchiveNow(queue);
    await until('the archive job to be active', async () => (await queue.getJob(jobId!))?.isActive(), 5_000, 5);
    await worker.close();

    const job = await queue.getJob(jobId!);
    expect(await job?.getState()).toBe('completed');
    expect(await redis.get(keys.archivedThrough)).toBe(`${ms}-29999`);
    expect(await redis.zscore(keys.workerHeartbeat, worker.id)).toBeNull();
    const clients = (await redis.client('LIST')) as string;
    expect(clients).not.toContain('name=pingan:worker');
    expect(lines.at(-1)).toMatch(/worker info: .* stopped$/);
  });
});
