// The `risk` queue (DESIGN §8): one job per grid cell to recompute, carrying only the cell id,
// deduplicated per cell with keepLastIfActive — however many entries land on a cell, it has at
// most one job running and one waiting, and the waiting one reads the inputs when it starts.
// With queues.ts and timer-queue.ts, the only code that imports bullmq.
import { Queue, Worker, type Job } from 'bullmq';
import type { Entry } from '../../shared/objects.js';
import type { JurisdictionTree } from '../geo/types.js';
import { DEFAULT_JOB_OPTIONS, queueConnection } from './queues.js';

export const RISK_QUEUE = 'risk';
export const CELL_JOB = 'cell';

export interface CellJobData { cellId: string }
export type RiskQueue = Queue<CellJobData, unknown, string>;

export const cellDedupId = (cellId: string) => `cell:${cellId}`;

export function openRiskQueue(redisUrl: string): RiskQueue {
  return new Queue<CellJobData, unknown, string>(RISK_QUEUE, {
    connection: queueConnection(redisUrl),
    // a failed recompute is made good by the next entry or the full pass: few retries, short history
    defaultJobOptions: { ...DEFAULT_JOB_OPTIONS, attempts: 3, backoff: { type: 'exponential', delay: 1_000 }, removeOnComplete: 200, removeOnFail: 1_000 },
  });
}

/** Entry types that can change a cell's risk inputs. */
const RISK_TYPES = /^(incident\.(reported|updated|linked|cancelled|reopened)|dispute\..+|petition\..+)$/;

/** The grid cells an entry may have changed the risk of. Pure. */
export function cellsForEntry(e: Entry, tree: JurisdictionTree): string[] {
  if (!RISK_TYPES.test(e.type)) return [];
  const out = new Set<string>();
  const first = e.jurisdiction[0];
  if (first && tree.get(first)?.level === 'grid') out.add(first);
  // a location change moves a report from one cell to another: the old cell is recomputed too
  const from = e.movedFrom?.[0];
  if (from && tree.get(from)?.level === 'grid') out.add(from);
  return [...out];
}

export async function addCellJobs(queue: RiskQueue, cellIds: readonly string[]): Promise<void> {
  const unique = [...new Set(cellIds)];
  if (unique.length === 0) return;
  await queue.addBulk(unique.map((cellId) => ({
    name: CELL_JOB,
    data: { cellId },
    opts: { deduplication: { id: cellDedupId(cellId), keepLastIfActive: true } },
  })));
}

export function createRiskWorker(
  redisUrl: string, run: (cellId: string) => Promise<unknown>, concurrency: number,
): Worker<CellJobData, unknown, string> {
  return new Worker<CellJobData, unknown, string>(
    RISK_QUEUE,
    async (job: Job<CellJobData, unknown, string>) => run(job.data.cellId),
    { connection: queueConnection(redisUrl), concurrency },
  );
}
