// Queue names, job defaults and schedules. With timer-queue.ts, the only code that imports
// bullmq (DESIGN §12): everything else goes through these helpers.
import { Queue, UnrecoverableError, Worker, type ConnectionOptions, type DefaultJobOptions, type Job } from 'bullmq';
import { bullmqConnectionOptions } from '../redis/connections.js';

export const QUEUE_NAMES = { maintenance: 'maintenance' } as const;
export const MAINTENANCE_JOBS = { archive: 'archive', prune: 'prune', staleUnits: 'stale-units', silentFeeds: 'silent-feeds', spikes: 'spikes', riskFull: 'risk-full', coverage: 'coverage' } as const;
export type MaintenanceJobName = (typeof MAINTENANCE_JOBS)[keyof typeof MAINTENANCE_JOBS];
export type MaintenanceJob = Job<Record<string, never>, unknown, string>;
export type MaintenanceProcessor = (job: MaintenanceJob) => Promise<unknown>;

/** Bounded job history (DESIGN §2) and retries with backoff for transient failures. */
export const DEFAULT_JOB_OPTIONS: DefaultJobOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: 1_000,
  removeOnFail: 10_000,
};

/**
 * BullMQ's own RedisOptions type does not admit ioredis' `retryStrategy: null`; the options
 * are the same otherwise, so drop the key when unset.
 */
export function queueConnection(redisUrl: string): ConnectionOptions {
  const { retryStrategy, ...rest } = bullmqConnectionOptions(redisUrl);
  return retryStrategy ? { ...rest, retryStrategy } : rest;
}

export const ARCHIVE_EVERY_MS = 60 * 60_000;
const ARCHIVE_SCHEDULER_ID = 'archive';

export function openMaintenanceQueue(redisUrl: string): Queue<Record<string, never>, unknown, string> {
  return new Queue(QUEUE_NAMES.maintenance, {
    connection: queueConnection(redisUrl),
    defaultJobOptions: DEFAULT_JOB_OPTIONS,
  });
}

export const PRUNE_EVERY_MS = 60 * 60_000;
const PRUNE_SCHEDULER_ID = 'prune';

/** The health alerts of DESIGN §8: stale units every 30 s, silent feeds every 60 s. */
export const STALE_UNITS_EVERY_MS = 30_000;
export const SILENT_FEEDS_EVERY_MS = 60_000;
/** Count spikes (DESIGN §8): each hour evaluated 10 minutes after it closes (cron, UTC). */
export const SPIKES_PATTERN = '10 * * * *';
/** The full risk pass (DESIGN §8; RISK_FULL_PASS_SECONDS). */
export const RISK_FULL_EVERY_MS = 900_000;
/** Patrol coverage: units sampled and top-risk cells judged every minute. */
export const COVERAGE_EVERY_MS = 60_000;

/**
 * Creates or updates the hourly archive and prune schedulers, the health-alert schedulers and
 * the hourly spike evaluation (at minute 10; tests may give it an interval instead);
 * safe to call from every worker at start (tests shorten the health intervals).
 */
export async function ensureMaintenanceSchedules(
  queue: Queue<Record<string, never>, unknown, string>,
  every: { staleUnitsMs?: number; silentFeedsMs?: number; spikesMs?: number; riskFullMs?: number; coverageMs?: number } = {},
): Promise<void> {
  await queue.upsertJobScheduler(
    ARCHIVE_SCHEDULER_ID,
    { every: ARCHIVE_EVERY_MS },
    { name: MAINTENANCE_JOBS.archive, data: {}, opts: DEFAULT_JOB_OPTIONS },
  );
  await queue.upsertJobScheduler(
    PRUNE_SCHEDULER_ID,
    { every: PRUNE_EVERY_MS },
    { name: MAINTENANCE_JOBS.prune, data: {}, opts: DEFAULT_JOB_OPTIONS },
  );
  // a run missed or failed is made good by the next: few retries, short history
  const health = { ...DEFAULT_JOB_OPTIONS, attempts: 2, removeOnComplete: 100, removeOnFail: 1_000 };
  await queue.upsertJobScheduler(
    MAINTENANCE_JOBS.staleUnits,
    { every: every.staleUnitsMs ?? STALE_UNITS_EVERY_MS },
    { name: MAINTENANCE_JOBS.staleUnits, data: {}, opts: health },
  );
  await queue.upsertJobScheduler(
    MAINTENANCE_JOBS.silentFeeds,
    { every: every.silentFeedsMs ?? SILENT_FEEDS_EVERY_MS },
    { name: MAINTENANCE_JOBS.silentFeeds, data: {}, opts: health },
  );
  await queue.upsertJobScheduler(
    MAINTENANCE_JOBS.spikes,
    every.spikesMs ? { every: every.spikesMs } : { pattern: SPIKES_PATTERN, tz: 'UTC' },
    { name: MAINTENANCE_JOBS.spikes, data: {}, opts: health },
  );
  await queue.upsertJobScheduler(
    MAINTENANCE_JOBS.riskFull,
    { every: every.riskFullMs ?? RISK_FULL_EVERY_MS },
    { name: MAINTENANCE_JOBS.riskFull, data: {}, opts: health },
  );
  await queue.upsertJobScheduler(
    MAINTENANCE_JOBS.coverage,
    { every: every.coverageMs ?? COVERAGE_EVERY_MS },
    { name: MAINTENANCE_JOBS.coverage, data: {}, opts: health },
  );
}

/** A full risk pass now (worker start): deduplicated like the archive run. */
export async function enqueueRiskFullNow(queue: Queue<Record<string, never>, unknown, string>): Promise<void> {
  await queue.add(MAINTENANCE_JOBS.riskFull, {}, { deduplication: { id: 'risk-full-now' } });
}

/**
 * An archive run now (worker start, tests, admin). Deduplicated while one is waiting or
 * running, so N workers starting together queue one run, not N.
 */
export async function enqueueArchiveNow(queue: Queue<Record<string, never>, unknown, string>): Promise<string | undefined> {
  const job = await queue.add(MAINTENANCE_JOBS.archive, {}, { deduplication: { id: 'archive-now' } });
  return job.id;
}

/** The archive scheduler's interval and next run, for inspection; null when it does not exist. */
export async function archiveSchedule(
  queue: Queue<Record<string, never>, unknown, string>,
): Promise<{ every: number | null; next: number | null } | null> {
  const s = await queue.getJobScheduler(ARCHIVE_SCHEDULER_ID);
  if (!s) return null;
  return { every: s.every ?? null, next: s.next ?? null };
}

/** A worker for the maintenance queue; each job name runs its processor, an unknown name fails for good. */
export function createMaintenanceWorker(
  redisUrl: string,
  processors: Record<MaintenanceJobName, MaintenanceProcessor>,
): Worker<Record<string, never>, unknown, string> {
  const byName: Partial<Record<string, MaintenanceProcessor>> = processors;
  return new Worker<Record<string, never>, unknown, string>(
    QUEUE_NAMES.maintenance,
    async (job) => {
      const run = byName[job.name];
      if (!run) throw new UnrecoverableError(`no processor for maintenance job "${job.name}"`);
      return run(job);
    },
    {
      connection: queueConnection(redisUrl),
      // maintenance jobs are few and heavy; one at a time per process keeps I/O predictable
      concurrency: 1,
    },
  );
}
