import type { Entry } from '../../shared/objects.js';
import { compareSeq } from '../../shared/seq.js';

/**
 * The entries this instance delivered most recently, in order. Resumes read from here instead of
 * each running its own XRANGE: after a network blip, hundreds of clients catch up over the same
 * few seconds of log.
 */
export class RecentEntries {
  private entries: Entry[] = [];
  /** every entry after this seq (up to the newest held) is held; null: nothing is known */
  private completeAfter: string | null;

  constructor(start: string | null, private readonly capacity: number) {
    this.completeAfter = start;
  }

  add(batch: readonly Entry[]): void {
    if (this.completeAfter === null) return;
    this.entries.push(...batch);
    const excess = this.entries.length - this.capacity;
    if (excess > 0) {
      this.completeAfter = this.entries[excess - 1]!.seq;
      this.entries = this.entries.slice(excess);
    }
  }

  /** Entries after `cursor` up to `head` (at most `limit`), or null when they are not all held. */
  readAfter(cursor: string, head: string, limit: number): Entry[] | null {
    if (this.completeAfter === null || compareSeq(cursor, this.completeAfter) < 0) return null;
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareSeq(this.entries[mid]!.seq, cursor) <= 0) lo = mid + 1;
      else hi = mid;
    }
    const out: Entry[] = [];
    for (let i = lo; i < this.entries.length && out.length < limit; i++) {
      const e = this.entries[i]!;
      if (compareSeq(e.seq, head) > 0) break;
      out.push(e);
    }
    return out;
  }
}
