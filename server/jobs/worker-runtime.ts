// The worker process minus process signals, so tests can run it in-process: the log outbox
// (consumer group → timer jobs), BullMQ workers for timers and maintenance, the hourly archive
// schedule, and a heartbeat that lets /health count live workers.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Config } from '../config.js';
import { slaTargetSeconds } from '../../shared/sla.js';
import { loadJurisdictions } from '../geo/tree.js';
import type { JurisdictionTree } from '../geo/types.js';
import { commandConnection, tailConnection, telemetryConnection } from '../redis/connections.js';
import { keys } from '../store/keys.js';
import { PositionStore } from '../telemetry/positions.js';
import type { FeedRule } from '../alerts/feed-rules.js';
import type { SpikeOptions } from '../alerts/spike.js';
import { createArchiveProcessor } from './archive-processor.js';
import { createHealthJobs, defaultHealthSettings } from './health-jobs.js';
import { pruneClosed } from './prune-processor.js';
import { createSpikeJobs } from './spike-jobs.js';
import { createCellScorer, tzOffsetMinutes } from '../risk/cell-score.js';
import { buildNeighbourIndex } from '../risk/cell-neighbours.js';
import { createRiskJobs } from './risk-jobs.js';
import { createCoverageJobs } from './coverage-jobs.js';
import { DEFAULT_COVERAGE_RULE, type CoverageRule } from '../alerts/coverage-rules.js';
import { addCellJobs, cellsForEntry, createRiskWorker, openRiskQueue } from './risk-queue.js';
import { jobsForEntry, type TimerJobName, type TimerSettings } from './entry-jobs.js';
import { factWriter } from './fact-writer.js';
import { nextUnitFor } from './next-unit.js';
import { LogOutbox } from './outbox.js';
import { createTimerProcessor } from './timer-processors.js';
import { addTimerJobs, createTimerWorker, openTimerQueue } from './timer-queue.js';
import {
  MAINTENANCE_JOBS,
  createMaintenanceWorker,
  enqueueArchiveNow,
  enqueueRiskFullNow,
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
  tree?: JurisdictionTree;
  /** overrides of ACK_TIMEOUT_SECONDS / ESCALATE_AFTER_SECONDS (in ms) and of the SLA table (tests) */
  timers?: Partial<TimerSettings>;
  /** BullMQ lock and stalled-check intervals (tests shorten them to see a takeover soon) */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** outbox: how long another worker's unacknowledged entries wait before being taken over, and how often to look */
  claimIdleMs?: number;
  claimEveryMs?: number;
  /** health alerts (DESIGN §8): schedule intervals and thresholds (tests shorten them) */
  health?: {
    staleUnitsEveryMs?: number;
    silentFeedsEveryMs?: number;
    staleUnitMs?: number;
    feed?: Partial<FeedRule>;
  };
  /** count spikes (DESIGN §8): an interval instead of minute 10 of each hour, the clock, detector options (tests) */
  spikes?: {
    everyMs?: number;
    now?: () => number;
    options?: Partial<SpikeOptions>;
  };
  /** risk indicators: the full pass's interval and the clock (tests) */
  risk?: { fullPassEveryMs?: number; now?: () => number };
  /** patrol coverage gaps: the rule (window, minimum presence, sampling interval) and the clock (tests) */
  coverage?: { rule?: Partial<CoverageRule>; now?: () => number };
  /** test seam: runs before each timer job */
  beforeJob?: (name: TimerJobName, jobId: string) => Promise<void>;
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

  const settings: TimerSettings = {
    ackTimeoutMs: config.ACK_TIMEOUT_SECONDS * 1000,
    escalateAfterMs: config.ESCALATE_AFTER_SECONDS * 1000,
    slaTargetSeconds,
    ...opts.timers,
  };
  const tree = opts.tree ?? loadJurisdictions(config.JURISDICTION_FILE, config.GRID_CELL_METERS);
  const telemetry = telemetryConnection(config.TELEMETRY_REDIS_URL);
  const positions = new PositionStore(telemetry, redis);
  const write = factWriter({
    redis, tree, positions,
    // the servers trim the log on their commits; a worker's few facts need not
    minId: () => null, replicaAck: config.REDIS_REPLICA_ACK,
  }, 'worker/timers');
  const healthDefaults = defaultHealthSettings(config.STALE_UNIT_SECONDS, config.FEED_SILENT_MIN_SECONDS);
  const health = createHealthJobs({
    redis, positions, tree,
    write: factWriter({ redis, tree, positions, minId: () => null, replicaAck: config.REDIS_REPLICA_ACK }, 'worker/health'),
    settings: {
      staleUnitMs: opts.health?.staleUnitMs ?? healthDefaults.staleUnitMs,
      feed: { ...healthDefaults.feed, ...opts.health?.feed },
    },
  });
  const spikeJobs = createSpikeJobs({
    redis,
    write: factWriter({ redis, tree, positions, minId: () => null, replicaAck: config.REDIS_REPLICA_ACK }, 'worker/spikes'),
    options: opts.spikes?.options, now: opts.spikes?.now,
  });
  const riskJobs = createRiskJobs({
    redis,
    write: factWriter({ redis, tree, positions, minId: () => null, replicaAck: config.REDIS_REPLICA_ACK }, 'worker/risk'),
    neighbours: buildNeighbourIndex(tree), scorer: createCellScorer(),
    now: opts.risk?.now, tzOffsetMinutes: (at) => tzOffsetMinutes(config.TIME_ZONE, at),
  });
  const coverageRule: CoverageRule = { ...DEFAULT_COVERAGE_RULE, ...opts.coverage?.rule };
  const coverageJobs = createCoverageJobs({
    redis, positions, tree, rule: coverageRule, now: opts.coverage?.now,
    write: factWriter({ redis, tree, positions, minId: () => null, replicaAck: config.REDIS_REPLICA_ACK }, 'worker/coverage'),
  });
  const riskQueue = openRiskQueue(config.REDIS_URL);
  riskQueue.on('error', (err) => log('warn', `risk queue: ${errorText(err)}`));
  const riskWorker = createRiskWorker(config.REDIS_URL, (cellId) => riskJobs.cell(cellId), config.WORKER_CONCURRENCY);
  riskWorker.on('error', (err) => log('warn', `risk: ${errorText(err)}`));
  riskWorker.on('failed', (job, err) => log('error', `risk job ${job?.id ?? '?'} failed: ${errorText(err)}`));
  const timerQueue = openTimerQueue(config.REDIS_URL);
  timerQueue.on('error', (err) => log('warn', `timer queue: ${errorText(err)}`));
  const timers = createTimerWorker(config.REDIS_URL, createTimerProcessor({
    redis, write, settings, demoMode: config.DEMO, timeZone: config.TIME_ZONE, nextUnit: (inc) => nextUnitFor(redis, positions, inc, Date.now()),
  }), {
    concurrency: config.WORKER_CONCURRENCY,
    lockDurationMs: opts.lockDurationMs, stalledIntervalMs: opts.stalledIntervalMs, beforeJob: opts.beforeJob,
  });
  timers.on('error', (err) => log('warn', `timers: ${errorText(err)}`));
  timers.on('failed', (job, err) => log('error', `timer job ${job?.name ?? '?'} ${job?.id ?? '?'} failed: ${errorText(err)}`));
  const outbox = new LogOutbox({
    blocking: tailConnection(config.REDIS_URL), redis, consumer: id,
    handle: async (entries) => {
      await addTimerJobs(timerQueue, entries.flatMap((e) => jobsForEntry(e, settings, Date.now())));
      await addCellJobs(riskQueue, entries.flatMap((e) => cellsForEntry(e, tree)));
    },
    log, claimIdleMs: opts.claimIdleMs, claimEveryMs: opts.claimEveryMs,
  });

  const queue = openMaintenanceQueue(config.REDIS_URL);
  queue.on('error', (err) => log('warn', `queue: ${errorText(err)}`));
  const worker = createMaintenanceWorker(config.REDIS_URL, {
    [MAINTENANCE_JOBS.archive]: createArchiveProcessor({
      redis,
      dir: config.ARCHIVE_DIR,
      timeZone: config.TIME_ZONE,
      log: (line) => log('info', line),
    }),
    [MAINTENANCE_JOBS.prune]: async () => {
      const r = await pruneClosed(redis, tree);
      if (r.removed) log('info', `prune: ${r.removed} closed objects left the live indexes`);
      return r;
    },
    [MAINTENANCE_JOBS.staleUnits]: async () => {
      const r = await health.staleUnits();
      if (r.raised || r.cleared) log('info', `stale-units: ${r.raised} raised, ${r.cleared} cleared of ${r.checked} units`);
      return r;
    },
    [MAINTENANCE_JOBS.silentFeeds]: async () => {
      const r = await health.silentFeeds();
      if (r.raised || r.cleared) log('info', `silent-feeds: ${r.raised} raised, ${r.cleared} cleared of ${r.checked} sources`);
      return r;
    },
    [MAINTENANCE_JOBS.spikes]: async () => {
      const r = await spikeJobs.spikes();
      if (r.raised || r.cleared) log('info', `spikes ${r.hourStart}: ${r.raised} raised, ${r.cleared} cleared of ${r.checked} series`);
      return r;
    },
    [MAINTENANCE_JOBS.coverage]: async () => {
      const r = await coverageJobs.coverage();
      if (r.raised || r.cleared) log('info', `coverage: ${r.raised} raised, ${r.cleared} cleared of ${r.checked} top-risk cells (${r.sampled} units sampled)`);
      return r;
    },
    [MAINTENANCE_JOBS.riskFull]: async () => {
      const r = await riskJobs.fullPass();
      log(r.changed ? 'info' : 'debug', `risk full pass: ${r.cells} cells in ${r.ms} ms, ${r.changed} changed in ${r.entries} entries`);
      return r;
    },
  });
  worker.on('error', (err) => log('warn', `bullmq: ${errorText(err)}`));
  worker.on('failed', (job, err) => log('error', `job ${job?.name ?? '?'} ${job?.id ?? '?'} failed: ${errorText(err)}`));

  const closeAll = async (force: boolean) => {
    await Promise.allSettled([worker.close(force), timers.close(force), riskWorker.close(force)]);
    await Promise.allSettled([queue.close(), timerQueue.close(), riskQueue.close()]);
  };
  try {
    await Promise.all([worker.waitUntilReady(), timers.waitUntilReady(), riskWorker.waitUntilReady()]);
    await ensureMaintenanceSchedules(queue, {
      staleUnitsMs: opts.health?.staleUnitsEveryMs, silentFeedsMs: opts.health?.silentFeedsEveryMs, spikesMs: opts.spikes?.everyMs,
      riskFullMs: opts.risk?.fullPassEveryMs ?? config.RISK_FULL_PASS_SECONDS * 1000, coverageMs: coverageRule.sampleEveryMs,
    });
    await enqueueArchiveNow(queue);
    await enqueueRiskFullNow(queue);
    await outbox.start();
  } catch (err) {
    clearInterval(heartbeat);
    await outbox.stop();
    await closeAll(true);
    redis.disconnect();
    telemetry.disconnect();
    throw err;
  }
  log('info', `${id} started (archive every hour into ${config.ARCHIVE_DIR})`);

  let closing: Promise<void> | null = null;
  const close = async () => {
    // no new jobs from the log; entries read but not queued stay pending for another worker
    await outbox.stop();
    // waits for the active jobs: an archive run or a commit is never cut short
    await closeAll(false);
    clearInterval(heartbeat);
    redis.off('ready', beatQuietly);
    await redis.zrem(keys.workerHeartbeat, id).catch((err: unknown) => log('warn', `heartbeat removal failed: ${errorText(err)}`));
    await redis.quit().catch(() => redis.disconnect());
    await telemetry.quit().catch(() => telemetry.disconnect());
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
