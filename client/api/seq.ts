import { compareSeq } from '../../shared/seq.js';

/**
 * The smallest of several `asOfSeq` values. `null` (the log was empty when the snapshot was
 * read) is the smallest of all: everything after it must be replayed.
 */
export function minAsOf(...seqs: (string | null)[]): string | null {
  let min: string | undefined;
  for (const s of seqs) {
    if (s === null) return null;
    if (min === undefined || compareSeq(s, min) < 0) min = s;
  }
  return min ?? null;
}

/** Runs `fn` over `items` with at most `limit` calls in flight. */
export async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
