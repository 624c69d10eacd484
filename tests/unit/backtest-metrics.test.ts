import { describe, expect, it } from 'vitest';
import { MetricAccumulator, scoreDay } from '../../server/risk/metrics.js';

describe('scoreDay: captured events and the best possible, with fractional ties', () => {
  it('counts the top k cells when there are no ties', () => {
    // 10 cells, scores descending by index; events in cells 0 (1), 2 (2) and 7 (1)
    const scores = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
    const hits = [1, 0, 2, 0, 0, 0, 0, 1, 0, 0];
    const day = scoreDay(scores, hits, [0.1, 0.3, 0.5, 1]);
    expect(day.captured).toEqual([1, 3, 3, 4]);
    // best: 2 | 2+1+1 | 4 | 4
    expect(day.best).toEqual([2, 4, 4, 4]);
  });

  it('counts the group tied at the cutoff fractionally', () => {
    // cell 0 alone on top, cells 1..3 tied, cell 4 last; 3 events in the tied group
    const scores = [3, 2, 2, 2, 1];
    const hits = [0, 1, 0, 2, 1];
    const day = scoreDay(scores, hits, [0.2, 0.4, 0.6, 0.8, 1]);
    // k=1: cell 0 only -> 0; k=2: one of three tied cells -> 3/3; k=3: two of three -> 2; k=4: all -> 3; k=5: 4
    expect(day.captured[0]).toBeCloseTo(0, 12);
    expect(day.captured[1]).toBeCloseTo(1, 12);
    expect(day.captured[2]).toBeCloseTo(2, 12);
    expect(day.captured[3]).toBeCloseTo(3, 12);
    expect(day.captured[4]).toBeCloseTo(4, 12);
    // best: 2 | 2+1 | 2+1+1 | 4 | 4
    expect(day.best).toEqual([2, 3, 4, 4, 4]);
  });

  it('handles a fractional number of flagged cells and an all-tied forecast', () => {
    const scores = [0, 0, 0, 0];
    const hits = [2, 0, 0, 1];
    // k = 0.1 * 4 = 0.4 of one cell in a group of 4 holding 3 events -> 0.4 * 3 / 4
    const day = scoreDay(scores, hits, [0.1, 0.5]);
    expect(day.captured[0]).toBeCloseTo(0.3, 12);
    expect(day.captured[1]).toBeCloseTo(1.5, 12); // k = 2 of 4 tied
    expect(day.best[0]).toBeCloseTo(0.8, 12); // 0.4 of the 2-event cell
    expect(day.best[1]).toBeCloseTo(3, 12);
  });

  it('does not depend on the order of the cells', () => {
    const scores = [1, 2, 2, 3, 2];
    const hits = [1, 1, 0, 0, 2];
    const a = scoreDay(scores, hits, [0.4]);
    const b = scoreDay([3, 2, 2, 2, 1], [0, 1, 0, 2, 1], [0.4]);
    expect(a.captured[0]).toBeCloseTo(b.captured[0]!, 12);
  });
});

describe('MetricAccumulator pools the days', () => {
  it('gives hit rate, PAI and PEI* from the sums', () => {
    const acc = new MetricAccumulator([0.01, 0.05]);
    acc.add({ captured: [1, 2], best: [2, 4] }, 10); // 10 events that day (some outside the area)
    acc.add({ captured: [0.5, 1], best: [1, 2] }, 5);
    const [r1, r5] = acc.results();
    expect(r1!.coverage).toBe(0.01);
    expect(r1!.hitRate).toBeCloseTo(1.5 / 15, 12);
    expect(r1!.pai).toBeCloseTo(1.5 / 15 / 0.01, 9);
    expect(r1!.pei).toBeCloseTo(1.5 / 3, 12);
    expect(r5!.hitRate).toBeCloseTo(3 / 15, 12);
    expect(r5!.pai).toBeCloseTo(4, 9);
    expect(r5!.pei).toBeCloseTo(0.5, 12);
  });

  it('reports zeros when there were no events', () => {
    const acc = new MetricAccumulator([0.1]);
    acc.add({ captured: [0], best: [0] }, 0);
    expect(acc.results()).toEqual([{ coverage: 0.1, hitRate: 0, pai: 0, pei: 0 }]);
  });
});
