// The audit trail (DESIGN §11): an append-only Redis stream `audit` of hash-chained records.
// Node reads the head, builds each record's JSON with prevHash = head and hashes it; the Lua
// script (store/audit.lua) appends only while `audit:head` still equals that head, so two
// writers can never both link onto the same record. Records of one process are queued and
// appended in batches (one script call per batch): concurrency costs no retries locally, and a
// conflict with another instance costs one more round trip, the script answering the new head.
import type { AuditRecord } from '../../shared/api.js';
import type { Logger } from '../logger.js';
import { keys } from '../store/keys.js';
import type { ScriptedRedis } from '../store/scripts.js';
import { chainRecords, GENESIS, type PendingRecord } from './chain.js';
import type { AuditEvent, StrictAudit } from './types.js';

export { verifyChain, type VerifyResult } from './verify.js';

export interface AuditOptions {
  /** records older than this (by the Redis clock) are trimmed from the stream (config AUDIT_RETENTION_DAYS, ≥ 180) */
  retentionDays: number;
  log: Logger;
  /** records per script call (default 100) */
  maxBatch?: number;
  /** appends tried while other writers keep moving the head (default 50) */
  maxAttempts?: number;
  /** the clock of the records' `time`, for tests (ms since the epoch); trimming uses the Redis clock */
  now?: () => number;
}

interface Waiting extends PendingRecord {
  resolve(r: AuditRecord): void;
  reject(err: unknown): void;
}

type Appended = { ids: string[]; jsons: string[] };

const DAY_MS = 86_400_000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The audit trail in the durable Redis. */
export class RedisAudit implements StrictAudit {
  private readonly queue: Waiting[] = [];
  private draining = false;
  /** the head after this instance's last append; null: read it from Redis */
  private head: string | null = null;
  /** times another writer had moved the head first (each cost one retry) */
  conflicts = 0;

  constructor(
    private readonly redis: ScriptedRedis,
    private readonly opts: AuditOptions,
  ) {}

  /**
   * Appends a record; never throws. A failure is logged and the caller carries on: right for
   * logins, logouts and reads, where an audit outage must not turn a served request into a 500.
   */
  async record(e: AuditEvent): Promise<void> {
    try {
      await this.recordOrThrow(e);
    } catch (err) {
      this.opts.log.error(
        `audit: could not record ${e.action} (${e.result}) by ${e.user ?? '-'} on ${e.object ?? '-'}`,
        err instanceof Error ? err.message : err,
      );
    }
  }

  /**
   * Appends a record and resolves with it once it is in Redis; rejects when it cannot be
   * stored. For actions that must not happen unaudited (admin changes): let the error fail
   * the request (it surfaces as 503 when Redis is down).
   */
  recordOrThrow(e: AuditEvent): Promise<AuditRecord> {
    const time = new Date(this.now()).toISOString();
    if (e.details !== undefined) {
      try {
        JSON.stringify(e.details); // a cyclic or BigInt detail fails this record, not its batch
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ e, time, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private now(): number {
    return this.opts.now ? this.opts.now() : Date.now();
  }

  /** Appends queued records in call order, a batch per round trip, until the queue is empty. */
  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.opts.maxBatch ?? 100);
        try {
          const { ids, jsons } = await this.append(batch);
          batch.forEach((w, i) => w.resolve({ id: ids[i]!, ...(JSON.parse(jsons[i]!) as Omit<AuditRecord, 'id'>) }));
        } catch (err) {
          for (const w of batch) w.reject(err);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /** One batch: chain it onto the head, append if the head has not moved, else rebuild on the new head. */
  private async append(batch: readonly PendingRecord[]): Promise<Appended> {
    const attempts = this.opts.maxAttempts ?? 50;
    try {
      let head = this.head ?? (await this.redis.get(keys.auditHead)) ?? GENESIS;
      for (let attempt = 1; attempt <= attempts; attempt++) {
        const built = chainRecords(head, batch);
        const retentionMs = String(this.opts.retentionDays * DAY_MS);
        const reply = await this.redis.pinganAudit(keys.audit, keys.auditHead, head, built.head, retentionMs, ...built.jsons);
        const r = stringArray(reply);
        if (r[0] === 'ok' && r.length === batch.length + 1) {
          this.head = built.head;
          return { ids: r.slice(1), jsons: built.jsons };
        }
        if (r[0] !== 'conflict' || r[1] === undefined) throw new Error(`audit: unexpected script reply ${JSON.stringify(reply)}`);
        this.conflicts += 1;
        head = r[1];
        // many writers at once: one wins each round; spread the others out a little
        if (attempt >= 3) await sleep(Math.random() * Math.min(attempt, 20));
      }
      throw new Error(`audit: the chain head kept moving (${attempts} attempts)`);
    } catch (err) {
      this.head = null; // a lost reply may have appended after all: re-read the head next time
      throw err;
    }
  }
}

function stringArray(v: unknown): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new Error(`audit: unexpected script reply ${JSON.stringify(v)}`);
  return v;
}
