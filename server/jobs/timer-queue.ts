// The `timers` queue: incident timers and alert jobs started by log entries (entry-jobs.ts).
// With queues.ts, the only code that imports bullmq: processors get plain data and answer
// `done` or `waitUntil` (the job sleeps again, delayed, until then — an SLA moved later).
import { DelayedError, Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { TimerJob, TimerJobName } from './entry-jobs.js';
import { DEFAULT_JOB_OPTIONS, queueConnection } from './queues.js';

export const TIMER_QUEUE = 'timers';

export type TimerQueue = Queue<TimerJob['data'], unknown, TimerJobName>;
export type TimerOutcome = { done: string } | { waitUntil: number };
export type TimerProcessor = (name: TimerJobName, data: TimerJob['data'], jobId: string) => Promise<TimerOutcome>;

export function openTimerQueue(redisUrl: string): TimerQueue {
  return new Queue<TimerJob['data'], unknown, TimerJobName>(TIMER_QUEUE, {
    connection: queueConnection(redisUrl),
    defaultJobOptions: DEFAULT_JOB_OPTIONS,
  });
}

/** Adds jobs by their deterministic ids: a job whose id exists already is left as it is. */
export async function addTimerJobs(queue: TimerQueue, jobs: readonly TimerJob[]): Promise<void> {
  if (jobs.length === 0) return;
  await queue.addBulk(jobs.map((j) => ({
    name: j.name,
    data: j.data,
    opts: { jobId: j.id, ...(j.delayMs > 0 ? { delay: j.delayMs } : {}) },
  })));
}

export interface TimerWorkerOptions {
  concurrency: number;
  /** how long a job's lock lives without renewal: a dead worker's job is taken over after it */
  lockDurationMs?: number;
  /** how often this worker looks for jobs whose lock expired (stalled) */
  stalledIntervalMs?: number;
  /** test seam: runs before each job */
  beforeJob?: (name: TimerJobName, jobId: string) => Promise<void>;
}

export function createTimerWorker(redisUrl: string, process: TimerProcessor, opts: TimerWorkerOptions): Worker<TimerJob['data'], unknown, TimerJobName> {
  return new Worker<TimerJob['data'], unknown, TimerJobName>(
    TIMER_QUEUE,
    async (job: Job<TimerJob['data'], unknown, TimerJobName>, token?: string) => {
      const id = job.id ?? '';
      if (opts.beforeJob) await opts.beforeJob(job.name, id);
      const out = await process(job.name, job.data, id).catch((err: unknown) => {
        if (err instanceof UnknownTimerJob) throw new UnrecoverableError(err.message);
        throw err;
      });
      if ('waitUntil' in out) {
        await job.moveToDelayed(out.waitUntil, token);
        throw new DelayedError();
      }
      return out.done;
    },
    {
      connection: queueConnection(redisUrl),
      concurrency: opts.concurrency,
      ...(opts.lockDurationMs ? { lockDuration: opts.lockDurationMs } : {}),
      ...(opts.stalledIntervalMs ? { stalledInterval: opts.stalledIntervalMs } : {}),
    },
  );
}

/** A job name no processor knows: failed for good, not retried. */
export class UnknownTimerJob extends Error {}
