import { describe, expect, it } from 'vitest';
import type { Entry } from '../../shared/objects.js';
import { RecentEntries } from '../../server/live/recent.js';

const e = (ms: number, n = 0): Entry => ({
  seq: `${ms}-${n}`, id: `e${ms}-${n}`, source: 's', type: 'incident.reported', time: '2026-01-01T00:00:00Z',
  receivedAt: '2026-01-01T00:00:00Z', jurisdiction: ['c'], affects: [], data: {},
});

describe('RecentEntries', () => {
  it('answers the entries after a cursor up to the head, in order, within the limit', () => {
    const r = new RecentEntries('100-0', 100);
    r.add([e(101), e(102), e(102, 1), e(103)]);
    expect(r.readAfter('101-0', '103-0', 10)!.map((x) => x.seq)).toEqual(['102-0', '102-1', '103-0']);
    expect(r.readAfter('101-0', '102-1', 10)!.map((x) => x.seq)).toEqual(['102-0', '102-1']);
    expect(r.readAfter('100-0', '103-0', 2)!.map((x) => x.seq)).toEqual(['101-0', '102-0']);
    expect(r.readAfter('103-0', '103-0', 10)).toEqual([]);
  });

  it('answers null for a cursor before what it holds completely', () => {
    const r = new RecentEntries('100-0', 3);
    r.add([e(101), e(102), e(103), e(104)]);
    expect(r.readAfter('100-0', '104-0', 10)).toBeNull();
    expect(r.readAfter('101-0', '104-0', 10)!.map((x) => x.seq)).toEqual(['102-0', '103-0', '104-0']);
    expect(new RecentEntries(null, 3).readAfter('1-0', '2-0', 10)).toBeNull();
  });
});
