// Runs archiveClosedDays for the `archive` maintenance job. The run is idempotent (the day
// files are merged by seq, the watermark only moves after a file is durable), so BullMQ may
// retry it freely; only bad data in the log is final.
import { UnrecoverableError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { ArchiveDataError, archiveClosedDays, type ArchiveResult } from '../store/archive.js';

export interface ArchiveProcessorDeps {
  redis: Redis;
  dir: string;
  timeZone: string;
  log?: (line: string) => void;
}

export function createArchiveProcessor(deps: ArchiveProcessorDeps): (job: Job) => Promise<ArchiveResult> {
  return async (job) => {
    try {
      const result = await archiveClosedDays(deps.redis, { dir: deps.dir, timeZone: deps.timeZone });
      if (result.skipped) deps.log?.(`archive ${job.id}: another run holds the lock, skipped`);
      else if (result.days.length) deps.log?.(`archive ${job.id}: ${result.entries} entries, days ${result.days.join(', ')}, through ${result.through}`);
      return result;
    } catch (err) {
      if (err instanceof ArchiveDataError) throw new UnrecoverableError(err.message);
      throw err;
    }
  };
}
