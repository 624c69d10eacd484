import { describe, expect, it } from 'vitest';
import { monotonicGrowers, summariseHeapSnapshot, type HeapSnapshotJson } from '../../scripts/heap-snapshot.js';

const TYPES = ['hidden', 'array', 'string', 'object', 'code', 'closure', 'regexp', 'number', 'native', 'synthetic', 'concatenated string', 'sliced string', 'symbol', 'bigint', 'object shape'];

/** A snapshot of [type, name, self size, detachedness] nodes, in V8's layout (ids and edges are not read). */
function snap(nodes: [string, string, number, number?][]): HeapSnapshotJson {
  const strings: string[] = [];
  const str = (s: string) => (strings.includes(s) ? strings.indexOf(s) : strings.push(s) - 1);
  return {
    snapshot: { meta: { node_fields: ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'], node_types: [TYPES, 'string', 'number', 'number', 'number', 'number', 'number'] } },
    nodes: nodes.flatMap(([type, name, size, detached], i) => [TYPES.indexOf(type), str(name), i * 2 + 1, size, 0, 0, detached ?? 0]),
    strings,
  };
}

describe('heap snapshot summary', () => {
  it('groups nodes per constructor, closures by name, strings together, detached DOM apart', () => {
    const s = summariseHeapSnapshot(snap([
      ['object', 'Foo', 16], ['object', 'Foo', 24], ['object', 'Window / http://x', 100], ['string', 'abc', 20], ['concatenated string', 'x', 12],
      ['closure', 'onTick', 32], ['native', 'HTMLDivElement', 80, 1], ['native', 'HTMLDivElement', 80, 2], ['object', 'system / Context', 40],
    ]));
    expect(s.nodeCount).toBe(9);
    expect(s.totalSize).toBe(404);
    expect(s.groups.Foo).toEqual({ count: 2, selfSize: 40 });
    expect(s.groups.Window).toEqual({ count: 1, selfSize: 100 });
    expect(s.groups['(string)']).toEqual({ count: 2, selfSize: 32 });
    expect(s.groups['(closure) onTick']).toEqual({ count: 1, selfSize: 32 });
    expect(s.groups.HTMLDivElement).toEqual({ count: 1, selfSize: 80 });
    expect(s.groups['Detached HTMLDivElement']).toEqual({ count: 1, selfSize: 80 });
    expect(s.groups['system / Context']).toEqual({ count: 1, selfSize: 40 });
  });

  it('lists what grows between every pair of snapshots, largest growth first', () => {
    const a = { A: { count: 1, selfSize: 10 }, B: { count: 5, selfSize: 50 }, C: { count: 3, selfSize: 30 } };
    const b = { A: { count: 2, selfSize: 20 }, B: { count: 9, selfSize: 90 }, C: { count: 4, selfSize: 40 }, D: { count: 1, selfSize: 8 } };
    const c = { A: { count: 3, selfSize: 30 }, B: { count: 7, selfSize: 70 }, C: { count: 9, selfSize: 90 }, D: { count: 2, selfSize: 16 } };
    const g = monotonicGrowers([a, b, c]);
    expect(g.map((x) => x.name)).toEqual(['C', 'A', 'D']);
    expect(g[0]).toMatchObject({ counts: [3, 4, 9], sizeGrowth: 60, countGrowth: 6 });
  });
});

describe('heap snapshot groups of DOM elements and scopes', () => {
  it('groups elements by tag and first class, scopes without their id', () => {
    const s = summariseHeapSnapshot(snap([
      ['native', '<li data-id="a1" class="row hot">', 10], ['native', '<li class="row">', 10], ['native', '<span>', 5],
      ['object', 'system / Context / scope @123', 8], ['object', 'system / Context / scope @456', 8],
    ]));
    expect(s.groups['<li.row>']).toEqual({ count: 2, selfSize: 20 });
    expect(s.groups['<span>']).toEqual({ count: 1, selfSize: 5 });
    expect(s.groups['system / Context / scope']).toEqual({ count: 2, selfSize: 16 });
  });
});
