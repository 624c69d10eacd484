/** Matches a Redis stream id `<ms>-<n>`, the shape of every `seq`. */
export const SEQ_PATTERN = /^(\d{1,20})-(\d{1,20})$/;

/** True when `s` has the shape of a `seq`. */
export function isSeq(s: string): boolean {
  return SEQ_PATTERN.test(s);
}

/** Compares two `seq` values as (ms, n) pairs of integers; never via Number(). */
export function compareSeq(a: string, b: string): number {
  const ma = SEQ_PATTERN.exec(a);
  const mb = SEQ_PATTERN.exec(b);
  if (!ma || !mb) throw new Error(`compareSeq: malformed seq ${!ma ? a : b}`);
  return compareDigits(ma[1]!, mb[1]!) || compareDigits(ma[2]!, mb[2]!);
}

function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The larger of two seqs (null counts as smallest). */
export function maxSeq(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return compareSeq(a, b) >= 0 ? a : b;
}

/** The millisecond part of a seq: the Redis clock when the entry was appended. */
export function seqTimeMs(seq: string): number {
  const m = SEQ_PATTERN.exec(seq);
  if (!m) throw new Error(`seqTimeMs: malformed seq ${seq}`);
  return Number(m[1]);
}
