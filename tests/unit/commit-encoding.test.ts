// encodeCommit / decodeCommit against the ARGV layout documented in server/store/commit.lua.
import { describe, expect, it } from 'vitest';
import type { PendingEntry } from '../../shared/objects.js';
import { commitGroups, decodeCommit, encodeCommit, type CommitEntry, type Op } from '../../server/store/commit.js';

const entry = (id: string): PendingEntry => ({
  id, source: 's', type: 'incident.reported', time: '2025-03-01T08:00:00.000Z', receivedAt: '2025-03-01T08:00:01.000Z',
  jurisdiction: ['g', 'c'], affects: [{ kind: 'incident', id: 'i', version: 1 }], data: { n: 18446744073709551615n.toString(), list: [] },
});

const ALL_OPS: Op[] = [
  { op: 'H', key: 'obj:incident:i', version: 1, json: '{"id":"i"}' },
  { op: 'TL', key: 'tl:incident:i' },
  { op: 'ZA', key: 'idx:a', score: 1740816000000, member: 'i' },
  { op: 'ZR', key: 'idx:b', member: 'i' },
  { op: 'GA', key: 'geo:incident:open', lon: 114.3, lat: 30.5, member: 'i' },
  { op: 'SA', key: 'set:a', member: 'm' },
  { op: 'SR', key: 'set:b', member: 'm' },
  { op: 'SX', key: 'mark', ttlSeconds: 60 },
  { op: 'DL', key: 'gone' },
];

const first: CommitEntry = {
  dedupe: { key: 'dd:1', hash: 'h1', ttlSeconds: 604800 },
  checks: [{ key: 'obj:incident:i', expected: 0 }, { key: 'obj:unit:u', expected: 7 }],
  entry: entry('e1'),
  ops: ALL_OPS,
};
const second: CommitEntry = { dedupe: null, checks: [], entry: entry('e2'), ops: [] };

/** Walks ARGV exactly as commit.lua does (1-based indexes turned 0-based). */
function luaWalk(argv: (string | number)[]) {
  const a = argv.map(String);
  const out: { dkey: string; dhash: string; dttl: string; checks: [string, string][]; json: string; ops: string[] }[] = [];
  let i = 2;
  const n = Number(a[1]);
  for (let e = 0; e < n; e++) {
    const nchecks = Number(a[i + 3]);
    const checks = i + 4;
    const json = a[checks + 2 * nchecks]!;
    const nops = Number(a[checks + 2 * nchecks + 1]);
    const ops = checks + 2 * nchecks + 2;
    const pairs: [string, string][] = [];
    for (let c = 0; c < nchecks; c++) pairs.push([a[checks + 2 * c]!, a[checks + 2 * c + 1]!]);
    out.push({ dkey: a[i]!, dhash: a[i + 1]!, dttl: a[i + 2]!, checks: pairs, json, ops: a.slice(ops, ops + nops) });
    i = ops + nops;
  }
  return { minid: a[0], entries: out, consumed: i };
}

describe('encodeCommit', () => {
  it('lays out ARGV exactly as documented', () => {
    const argv = encodeCommit([first, second], '1740000000000-0');
    expect(argv).toEqual([
      '1740000000000-0', 2,
      'dd:1', 'h1', 604800, 2, 'obj:incident:i', 0, 'obj:unit:u', 7, JSON.stringify(first.entry),
      29,
      'H', 'obj:incident:i', 1, '{"id":"i"}',
      'TL', 'tl:incident:i',
      'ZA', 'idx:a', 1740816000000, 'i',
      'ZR', 'idx:b', 'i',
      'GA', 'geo:incident:open', 114.3, 30.5, 'i',
      'SA', 'set:a', 'm',
      'SR', 'set:b', 'm',
      'SX', 'mark', 60,
      'DL', 'gone',
      '', '', 0, 0, JSON.stringify(second.entry), 0,
    ]);
  });

  it('round-trips through the script\'s own index arithmetic', () => {
    const argv = encodeCommit([second, first, second], null);
    const w = luaWalk(argv);
    expect(w.minid).toBe('');
    expect(w.consumed).toBe(argv.length);
    expect(w.entries.map((e) => JSON.parse(e.json) as PendingEntry)).toEqual([second.entry, first.entry, second.entry]);
    expect(w.entries[1]).toMatchObject({ dkey: 'dd:1', dhash: 'h1', dttl: '604800', checks: [['obj:incident:i', '0'], ['obj:unit:u', '7']] });
    expect(w.entries[1]!.ops.slice(0, 4)).toEqual(['H', 'obj:incident:i', '1', '{"id":"i"}']);
    expect(w.entries[0]).toMatchObject({ dkey: '', dttl: '0', checks: [], ops: [] });
  });

  it('sends the entry JSON untouched: empty arrays and big-number strings survive', () => {
    const json = encodeCommit([second], null)[6] as string;
    expect(JSON.parse(json)).toEqual(second.entry);
    expect(json).toContain('"list":[]');
    expect(json).toContain('"18446744073709551615"');
    expect(json).not.toContain('"seq"');
  });

  it('encodes HF and EX ops with the arity commit.lua reads', () => {
    const e: CommitEntry = {
      dedupe: null, checks: [], entry: entry('e3'),
      ops: [{ op: 'HF', key: 'h', field: 'f', json: '{}' }, { op: 'EX', key: 'stats:arrival:d:2025-03-01', ttlSeconds: 3456000 }, { op: 'DL', key: 'x' }],
    };
    const argv = encodeCommit([e], null);
    expect(argv.slice(-11)).toEqual([JSON.stringify(e.entry), 9, 'HF', 'h', 'f', '{}', 'EX', 'stats:arrival:d:2025-03-01', 3456000, 'DL', 'x']);
    const w = luaWalk(argv);
    expect(w.consumed).toBe(argv.length);
    expect(w.entries[0]!.ops).toEqual(['HF', 'h', 'f', '{}', 'EX', 'stats:arrival:d:2025-03-01', '3456000', 'DL', 'x']);
  });

  it('encodes HI (HINCRBY) ops with the arity commit.lua reads', () => {
    const e: CommitEntry = {
      dedupe: null, checks: [], entry: entry('e4'),
      ops: [
        { op: 'HI', key: 'stats:daily:d:2025-03-01', field: 'arr@08', n: 1 },
        { op: 'HI', key: 'stats:daily:d:2025-03-01', field: 'fb_sum@08', n: 4 },
        { op: 'EX', key: 'stats:daily:d:2025-03-01', ttlSeconds: 34560000 },
      ],
    };
    const argv = encodeCommit([e], null);
    expect(argv.slice(-13)).toEqual([
      JSON.stringify(e.entry), 11,
      'HI', 'stats:daily:d:2025-03-01', 'arr@08', 1,
      'HI', 'stats:daily:d:2025-03-01', 'fb_sum@08', 4,
      'EX', 'stats:daily:d:2025-03-01', 34560000,
    ]);
    const w = luaWalk(argv);
    expect(w.consumed).toBe(argv.length);
    expect(w.entries[0]!.ops).toEqual(['HI', 'stats:daily:d:2025-03-01', 'arr@08', '1', 'HI', 'stats:daily:d:2025-03-01', 'fb_sum@08', '4', 'EX', 'stats:daily:d:2025-03-01', '34560000']);
  });

  it('encodes an empty batch as its header only', () => {
    expect(encodeCommit([], null)).toEqual(['', 0]);
  });
});

describe('decodeCommit', () => {
  it('reads ok, dup and idc replies in order', () => {
    expect(decodeCommit([['ok', '1-0'], ['dup', '1-1'], ['idc', '0-5']])).toEqual({
      results: [{ status: 'ok', seq: '1-0' }, { status: 'dup', seq: '1-1' }, { status: 'idc', seq: '0-5' }],
      conflict: null,
    });
    expect(decodeCommit([])).toEqual({ results: [], conflict: null });
  });

  it('stops at a conflict, keeping the results before it', () => {
    expect(decodeCommit([['ok', '17-0'], ['conflict', 'obj:incident:i', '4']])).toEqual({
      results: [{ status: 'ok', seq: '17-0' }],
      conflict: { key: 'obj:incident:i', current: 4 },
    });
    expect(decodeCommit([['conflict', 'obj:unit:u', '0']])).toEqual({ results: [], conflict: { key: 'obj:unit:u', current: 0 } });
  });

  it.each([
    ['null', null], ['a string', 'OK'], ['a number', 1], ['an object', { ok: '1-0' }],
    ['an unknown status', [['maybe', '1-0']]], ['a null item', [null]],
  ])('throws on %s', (_name, reply) => {
    expect(() => decodeCommit(reply)).toThrow();
  });

  // Minor: an item without its seq (or a conflict without a numeric version) is accepted as
  // seq "undefined" / current NaN. The script never sends that, but "bad replies throw" says it should.
  it('throws on an ok without a seq', () => {
    expect(() => decodeCommit([['ok']])).toThrow();
  });
});

describe('commitGroups', () => {
  const withOps = (id: string, n: number): CommitEntry => ({ dedupe: null, checks: [], entry: entry(id), ops: Array.from({ length: n }, (_, k) => ({ op: 'SA', key: `k${k}`, member: 'm' }) as Op) });

  it('keeps the order and puts every entry in exactly one group whose encoded ARGV stays under the bound', () => {
    const entries = Array.from({ length: 50 }, (_, i) => withOps(`e${i}`, 10 + (i % 7) * 5));
    const groups = commitGroups(entries, 400);
    expect(groups.flat().map((e) => e.entry.id)).toEqual(entries.map((e) => e.entry.id));
    expect(groups.length).toBeGreaterThan(1);
    for (const g of groups) expect(encodeCommit(g, null).length).toBeLessThanOrEqual(400);
  });

  it('an entry larger than the bound goes alone; a small batch stays one group', () => {
    const groups = commitGroups([withOps('a', 1), withOps('big', 500), withOps('b', 1)], 100);
    expect(groups.map((g) => g.map((e) => e.entry.id))).toEqual([['a'], ['big'], ['b']]);
    expect(commitGroups([withOps('a', 3), withOps('b', 3)])).toHaveLength(1);
  });
});
