// The log as the outbox (DESIGN §2): every worker reads the log through one Redis consumer
// group, turns each entry into jobs with deterministic ids (entry-jobs.ts), and acknowledges the
// entry only once its jobs are queued. Entries a dead worker had read but not acknowledged are
// claimed by another worker after CLAIM_IDLE_MS and queued again, which adds nothing new for
// jobs that exist. Nothing depends on a request surviving between its commit and a queue add.
import type { Redis } from 'ioredis';
import type { Entry } from '../../shared/objects.js';
import { keys } from '../store/keys.js';
import { parseRecord } from '../store/log.js';

export const OUTBOX_GROUP = 'workers';
const BATCH = 200;
const BLOCK_MS = 2_000;
/** Entries pending this long with their reader are taken over by another worker. */
export const CLAIM_IDLE_MS = 30_000;
const CLAIM_EVERY_MS = 10_000;

type Records = [string, string[] | null][];
type GroupReply = [string, Records][] | null;

export interface OutboxOptions {
  /** blocking connection (XREADGROUP ... BLOCK), retrying forever */
  blocking: Redis;
  /** short commands: XACK, XAUTOCLAIM, XGROUP */
  redis: Redis;
  consumer: string;
  /** queues the jobs of these entries; throws when they could not be queued */
  handle(entries: Entry[]): Promise<void>;
  log(level: 'info' | 'warn' | 'error', msg: string): void;
  claimIdleMs?: number;
  claimEveryMs?: number;
  blockMs?: number;
}

/** Creates the group at the start of the log unless it exists: no entry is ever skipped. */
export async function ensureOutboxGroup(redis: Redis): Promise<void> {
  try {
    await redis.xgroup('CREATE', keys.log, OUTBOX_GROUP, '0', 'MKSTREAM');
  } catch (err) {
    if (!(err instanceof Error && err.message.includes('BUSYGROUP'))) throw err;
  }
}

export class LogOutbox {
  private stopped = false;
  private loop: Promise<void> | null = null;
  private lastClaim = 0;
  /** read own pending entries first (at start, and after a failure) */
  private backlog = true;
  private failures = 0;
  processed = 0;

  constructor(private readonly o: OutboxOptions) {}

  async start(): Promise<void> {
    await ensureOutboxGroup(this.o.redis);
    this.loop = this.run();
  }

  /** Stops reading; entries read but not yet queued stay pending for another worker. */
  async stop(): Promise<void> {
    this.stopped = true;
    // interrupts a blocking read at once
    this.o.blocking.disconnect();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.step();
        this.failures = 0;
      } catch (err) {
        if (this.stopped) break;
        this.backlog = true;
        this.failures++;
        this.o.log(this.failures > 3 ? 'error' : 'warn', `outbox: ${err instanceof Error ? err.message : String(err)}`);
        await new Promise((r) => setTimeout(r, Math.min(500 * 2 ** this.failures, 10_000)));
      }
    }
  }

  private async step(): Promise<void> {
    const now = Date.now();
    if (now - this.lastClaim >= (this.o.claimEveryMs ?? CLAIM_EVERY_MS)) {
      this.lastClaim = now;
      await this.claimAbandoned();
    }
    const from = this.backlog ? '0' : '>';
    const b = this.o.blocking;
    const reply = (this.backlog
      ? await b.xreadgroup('GROUP', OUTBOX_GROUP, this.o.consumer, 'COUNT', BATCH, 'STREAMS', keys.log, from)
      : await b.xreadgroup('GROUP', OUTBOX_GROUP, this.o.consumer, 'COUNT', BATCH, 'BLOCK', this.o.blockMs ?? BLOCK_MS, 'STREAMS', keys.log, from)) as GroupReply;
    const records = reply?.[0]?.[1] ?? [];
    // own pending entries are exhausted: from now on only new ones
    if (this.backlog && records.length < BATCH) this.backlog = false;
    await this.deliver(records);
  }

  /** Takes over entries another consumer read but did not acknowledge for claimIdleMs. */
  private async claimAbandoned(): Promise<void> {
    let cursor = '0-0';
    do {
      const [next, records, deleted] = (await this.o.redis.xautoclaim(
        keys.log, OUTBOX_GROUP, this.o.consumer, this.o.claimIdleMs ?? CLAIM_IDLE_MS, cursor, 'COUNT', BATCH,
      )) as [string, Records, string[]?];
      if (records.length) this.o.log('info', `outbox: took over ${records.length} entries from a silent worker`);
      await this.deliver(records);
      // trimmed from the log while pending: nothing left to do for them
      if (deleted?.length) await this.o.redis.xack(keys.log, OUTBOX_GROUP, ...deleted);
      cursor = next;
    } while (cursor !== '0-0' && !this.stopped);
  }

  private async deliver(records: Records): Promise<void> {
    if (records.length === 0) return;
    // a pending id whose entry was trimmed comes back without fields: only acknowledged
    const entries = records.flatMap(([id, fields]) => (fields ? [parseRecord(id, fields)] : []));
    if (entries.length) await this.o.handle(entries);
    await this.o.redis.xack(keys.log, OUTBOX_GROUP, ...records.map(([id]) => id));
    this.processed += entries.length;
  }
}
