// Decides how far the commit may trim the log (`XADD log MINID ~ <minId>`): entries older than
// LOG_RETENTION_DAYS, but never past the archive watermark, so nothing leaves Redis unarchived.
import type { Redis } from 'ioredis';
import { compareSeq, isSeq } from '../../shared/seq.js';
import { keys } from './keys.js';

const DAY_MS = 86_400_000;

export class RetentionGuard {
  private watermark: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly retentionMs: number;
  private readonly refreshMs: number;

  constructor(
    private readonly redis: Redis,
    opts: { retentionDays: number; refreshMs?: number },
  ) {
    this.retentionMs = opts.retentionDays * DAY_MS;
    this.refreshMs = opts.refreshMs ?? 60_000;
  }

  /** Loads the watermark now and every refreshMs; a failed refresh keeps the last value. */
  start(): void {
    if (this.timer) return;
    const tick = () => void this.refresh().catch(() => {});
    tick();
    this.timer = setInterval(tick, this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async refresh(): Promise<void> {
    const w = await this.redis.get(keys.archivedThrough);
    // a malformed watermark must not become a trim point
    this.watermark = w !== null && isSeq(w) ? w : null;
  }

  /**
   * The trim point for a commit, synchronous because it runs on every commit. A cached
   * watermark can only lag the real one, which trims less, never more. Null: do not trim.
   */
  minId(nowMs: number = Date.now()): string | null {
    if (this.watermark === null) return null;
    const cutoff = `${Math.max(0, Math.floor(nowMs - this.retentionMs))}-0`;
    return compareSeq(cutoff, this.watermark) <= 0 ? cutoff : this.watermark;
  }
}
