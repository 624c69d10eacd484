/**
 * Hit rate, PAI and PEI* for one forecast day, with fractional ties at the cutoff.
 *
 * With N cells in the area and coverage p, the forecast flags k = p·N cells (k may be
 * fractional). Cells are ranked by score, highest first. The cells strictly above the
 * cutoff score count fully; the group of cells tied at the cutoff score counts for the
 * fraction (k − cells above) / (group size) of its events, as if a random subset of the
 * tied cells had been flagged (the expected value).
 *
 * PEI* (Hunt 2016) divides the captured events by the most any selection of k cells could
 * have captured that day: the k cells with the most events (a fractional last cell counts
 * its fraction).
 */

export interface DayOutcome {
  captured: number[]; // per coverage, expected events captured
  best: number[]; // per coverage, the most k cells could capture
}

/**
 * `scores[i]` and `hits[i]` are the forecast score and the test-day events of area cell i.
 * `coverages` must be ascending fractions in (0, 1].
 */
export function scoreDay(scores: ArrayLike<number>, hits: ArrayLike<number>, coverages: readonly number[], order?: Int32Array): DayOutcome {
  const n = scores.length;
  const captured = coverages.map(() => 0);
  const best = coverages.map(() => 0);
  if (n === 0) return { captured, best };
  let idx = order;
  if (!idx) {
    idx = new Int32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
    idx.sort((a, b) => scores[b]! - scores[a]!);
  }
  // walk groups of equal score
  let ci = 0;
  let pos = 0; // cells before the current group
  let hitsBefore = 0;
  while (pos < n && ci < coverages.length) {
    const s = scores[idx[pos]!]!;
    let end = pos;
    let groupHits = 0;
    while (end < n && scores[idx[end]!]! === s) {
      groupHits += hits[idx[end]!]!;
      end++;
    }
    const size = end - pos;
    while (ci < coverages.length && coverages[ci]! * n <= end) {
      const k = coverages[ci]! * n;
      captured[ci] = hitsBefore + ((k - pos) / size) * groupHits;
      ci++;
    }
    hitsBefore += groupHits;
    pos = end;
  }
  // best possible: largest hit counts first
  const nonzero: number[] = [];
  for (let i = 0; i < n; i++) if (hits[i]! > 0) nonzero.push(hits[i]!);
  nonzero.sort((a, b) => b - a);
  for (let c = 0; c < coverages.length; c++) {
    const k = coverages[c]! * n;
    let sum = 0;
    const whole = Math.floor(k);
    for (let i = 0; i < Math.min(whole, nonzero.length); i++) sum += nonzero[i]!;
    if (whole < nonzero.length) sum += (k - whole) * nonzero[whole]!;
    best[c] = sum;
  }
  return { captured, best };
}

export interface CoverageResult {
  coverage: number;
  hitRate: number; // captured / all events of the test days
  pai: number; // hitRate / coverage
  pei: number; // captured / best possible captured (PEI*)
}

/** Pools day outcomes: sums of captured, best and events over the days, then the ratios. */
export class MetricAccumulator {
  private readonly captured: number[];
  private readonly best: number[];
  private events = 0;
  constructor(readonly coverages: readonly number[]) {
    this.captured = coverages.map(() => 0);
    this.best = coverages.map(() => 0);
  }
  add(day: DayOutcome, eventsThatDay: number): void {
    for (let c = 0; c < this.coverages.length; c++) {
      this.captured[c]! += day.captured[c]!;
      this.best[c]! += day.best[c]!;
    }
    this.events += eventsThatDay;
  }
  results(): CoverageResult[] {
    return this.coverages.map((coverage, c) => {
      const hitRate = this.events > 0 ? this.captured[c]! / this.events : 0;
      return {
        coverage,
        hitRate,
        pai: hitRate / coverage,
        pei: this.best[c]! > 0 ? this.captured[c]! / this.best[c]! : 0,
      };
    });
  }
}
