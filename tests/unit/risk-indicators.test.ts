import { describe, expect, it } from 'vitest';
import type { Dispute, Petition, Supervision } from '../../shared/governance.js';
import type { Entry } from '../../shared/objects.js';
import { cellIndicatorSchema, CRIME_CLASS_SHARES, indicatorRowSchema, type CellIndicator, type CrimeTerms, type InstabilityTerms, type RiskClass } from '../../shared/risk.js';
import { riskCaseOps, riskIncidentOps, riskIndicatorOps, validIndicatorCells } from '../../server/ingest/risk-ops.js';
import { cellsForEntry } from '../../server/jobs/risk-queue.js';
import { buildNeighbourIndex, neighboursFromPoints } from '../../server/risk/cell-neighbours.js';
import { changed, crimeClasses, indicatorEventId, parseStored, toIndicator, type CellInputs } from '../../server/risk/indicator-values.js';
import { rollUp } from '../../server/risk/rollup.js';
import { incident } from '../helpers/facts.js';
import { demoTree, gridCenter } from '../helpers/geo.js';

const AT = '2026-05-20T10:00:00.000Z';
const CRIME0: CrimeTerms = { longTerm: 0, recent: 0, weekday: 0, neighbours: 0, events: 0 };
const INST0: InstabilityTerms = { open: 0, overdue: 0, escalated: 0, repeat: 0, becameIncident: 0, cases: 0 };

function inputs(over: Partial<CellInputs> = {}): CellInputs {
  return {
    id: 'g1', crimeRisk: 0, crimeTerms: CRIME0, recentIncidents: [], instabilityRisk: 0, instabilityTerms: INST0, caseDrivers: [], ...over,
  };
}

function cell(id: string, over: Partial<CellIndicator> = {}): CellIndicator {
  return {
    id, crimeRisk: 0, instabilityRisk: 0, drivers: [], crimeClass: null, instabilityClass: 'normal',
    terms: { crime: CRIME0, instability: INST0 }, at: AT, ...over,
  };
}

describe('toIndicator', () => {
  it('rounds crime to 4 decimals and instability to 1, terms alike; counts stay whole', () => {
    const x = toIndicator(inputs({
      crimeRisk: 0.123456,
      crimeTerms: { longTerm: 0.0812345, recent: 0.0311111, weekday: 0.00049, neighbours: 0.010611, events: 17 },
      instabilityRisk: 7.2637,
      instabilityTerms: { open: 2.2637, overdue: 3, escalated: 0, repeat: 2, becameIncident: 0, cases: 2 },
    }), 'high', AT);
    expect(x.crimeRisk).toBe(0.1235);
    expect(x.instabilityRisk).toBe(7.3);
    expect(x.terms.crime).toEqual({ longTerm: 0.0812, recent: 0.0311, weekday: 0.0005, neighbours: 0.0106, events: 17 });
    expect(x.terms.instability).toEqual({ open: 2.3, overdue: 3, escalated: 0, repeat: 2, becameIncident: 0, cases: 2 });
    expect(x.crimeClass).toBe('high');
    expect(x.instabilityClass).toBe('high');
    expect(x.at).toBe(AT);
    expect(x.id).toBe('g1');
    expect(cellIndicatorSchema.safeParse(x).success).toBe(true);
  });

  it('the instability class is that of the rounded value', () => {
    expect(toIndicator(inputs({ instabilityRisk: 1.96 }), null, AT).instabilityClass).toBe('elevated');
    expect(toIndicator(inputs({ instabilityRisk: 1.94 }), null, AT).instabilityClass).toBe('normal');
    expect(toIndicator(inputs({ instabilityRisk: 12.04 }), null, AT).instabilityClass).toBe('very_high');
    // a tiny crime risk rounds to zero
    expect(toIndicator(inputs({ crimeRisk: 0.00004 }), null, AT).crimeRisk).toBe(0);
    expect(toIndicator(inputs(), null, AT).crimeClass).toBeNull();
  });

  it('drivers: at most 5 incident ids, then cases, at most 10 in all', () => {
    const incs = ['i1', 'i2', 'i3', 'i4', 'i5', 'i6', 'i7'];
    const cases = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9', 'c10', 'c11', 'c12'];
    expect(toIndicator(inputs({ recentIncidents: incs, caseDrivers: cases }), null, AT).drivers).toEqual(['i1', 'i2', 'i3', 'i4', 'i5', 'c1', 'c2', 'c3', 'c4', 'c5']);
    expect(toIndicator(inputs({ recentIncidents: ['i1', 'i2'], caseDrivers: cases }), null, AT).drivers).toEqual(['i1', 'i2', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8']);
    expect(toIndicator(inputs({ recentIncidents: incs }), null, AT).drivers).toEqual(['i1', 'i2', 'i3', 'i4', 'i5']);
    expect(toIndicator(inputs({ caseDrivers: cases }), null, AT).drivers).toEqual(cases.slice(0, 10));
    expect(toIndicator(inputs(), null, AT).drivers).toEqual([]);
  });
});

describe('changed', () => {
  const base = cell('g1', { crimeRisk: 0.12, instabilityRisk: 3.5, drivers: ['i1', 'D1'], crimeClass: 'elevated', instabilityClass: 'elevated' });

  it('nothing stored: a change only when a value is positive', () => {
    expect(changed(null, cell('g1'))).toBe(false);
    expect(changed(null, cell('g1', { crimeRisk: 0.0001 }))).toBe(true);
    expect(changed(null, cell('g1', { instabilityRisk: 0.1 }))).toBe(true);
  });

  it('the same values, classes and drivers: no change, whatever the time and terms', () => {
    expect(changed(base, { ...base })).toBe(false);
    expect(changed(base, { ...base, at: '2026-05-21T00:00:00.000Z', terms: { crime: { ...CRIME0, events: 3 }, instability: INST0 } })).toBe(false);
  });

  it('a value, a class or a driver that differs is a change', () => {
    expect(changed(base, { ...base, crimeRisk: 0.1201 })).toBe(true);
    expect(changed(base, { ...base, instabilityRisk: 3.6 })).toBe(true);
    expect(changed(base, { ...base, crimeClass: 'high' })).toBe(true);
    expect(changed(base, { ...base, crimeClass: null })).toBe(true);
    expect(changed(base, { ...base, instabilityClass: 'normal' })).toBe(true);
    expect(changed(base, { ...base, drivers: ['D1', 'i1'] })).toBe(true);
    expect(changed(base, { ...base, drivers: ['i1'] })).toBe(true);
    expect(changed(base, { ...base, drivers: ['i1', 'D1', 'D2'] })).toBe(true);
    // back to zero from a stored value is a change too
    expect(changed(base, cell('g1'))).toBe(true);
  });
});

describe('crimeClasses', () => {
  const count = (m: Map<string, RiskClass>) => {
    const c: Record<RiskClass, number> = { very_high: 0, high: 0, elevated: 0, normal: 0 };
    for (const v of m.values()) c[v]++;
    return c;
  };
  const ids = (n: number) => Array.from({ length: n }, (_, i) => `g${String(i).padStart(3, '0')}`);

  it('200 distinct scores: 2 very_high, 8 high, 10 elevated, 180 normal, by rank', () => {
    expect(CRIME_CLASS_SHARES).toEqual({ very_high: 0.01, high: 0.05, elevated: 0.1 });
    // g000 lowest … g199 highest
    const scores = new Map(ids(200).map((id, i) => [id, (i + 1) / 1000]));
    const m = crimeClasses(scores);
    expect(m.size).toBe(200);
    expect(count(m)).toEqual({ very_high: 2, high: 8, elevated: 10, normal: 180 });
    expect(m.get('g199')).toBe('very_high');
    expect(m.get('g198')).toBe('very_high');
    expect(m.get('g197')).toBe('high');
    expect(m.get('g190')).toBe('high');
    expect(m.get('g189')).toBe('elevated');
    expect(m.get('g180')).toBe('elevated');
    expect(m.get('g179')).toBe('normal');
    expect(m.get('g000')).toBe('normal');
  });

  it('zero (and non-positive) scores are normal and do not count in the ranking', () => {
    const scores = new Map(ids(200).map((id, i) => [id, (i + 1) / 1000]));
    for (let i = 0; i < 300; i++) scores.set(`z${i}`, 0);
    scores.set('neg', -1);
    const m = crimeClasses(scores);
    expect(m.size).toBe(501);
    expect(m.get('z0')).toBe('normal');
    expect(m.get('neg')).toBe('normal');
    // the shares are of the 200 positive cells, not of 501
    expect(count(m)).toEqual({ very_high: 2, high: 8, elevated: 10, normal: 481 });
  });

  it('ties exactly at a class edge share the class of the first of them', () => {
    const scores = new Map(ids(200).map((id, i) => [id, (i + 1) / 1000]));
    // ranks 2 and 3 (the last very_high and the first high) tie
    scores.set('g197', scores.get('g198')!);
    const a = crimeClasses(scores);
    expect(a.get('g197')).toBe('very_high');
    expect(a.get('g198')).toBe('very_high');
    expect(count(a)).toEqual({ very_high: 3, high: 7, elevated: 10, normal: 180 });
    // ranks 10, 11 and 12 tie at the high/elevated edge: all high
    const b = new Map(ids(200).map((id, i) => [id, (i + 1) / 1000]));
    b.set('g189', 0.191);
    b.set('g188', 0.191);
    const cb = crimeClasses(b);
    expect(cb.get('g190')).toBe('high');
    expect(cb.get('g189')).toBe('high');
    expect(cb.get('g188')).toBe('high');
    expect(cb.get('g187')).toBe('elevated');
    expect(count(cb)).toEqual({ very_high: 2, high: 10, elevated: 8, normal: 180 });
    // a tie that starts past an edge stays below it
    const c = new Map(ids(200).map((id, i) => [id, (i + 1) / 1000]));
    c.set('g196', 0.198); // ranks 3 and 4 tie; rank 3 is already high
    const cc = crimeClasses(c);
    expect(cc.get('g197')).toBe('high');
    expect(cc.get('g196')).toBe('high');
    expect(count(cc)).toEqual({ very_high: 2, high: 8, elevated: 10, normal: 180 });
  });

  it('all equal: every positive cell shares the top class', () => {
    const m = crimeClasses(new Map(ids(50).map((id) => [id, 0.3])));
    expect(count(m)).toEqual({ very_high: 50, high: 0, elevated: 0, normal: 0 });
  });

  it('few cells: the top one is very_high anyway', () => {
    expect([...crimeClasses(new Map([['a', 0.5]])).entries()]).toEqual([['a', 'very_high']]);
    const m = crimeClasses(new Map([['a', 0.1], ['b', 0.5], ['c', 0.2], ['d', 0]]));
    expect(Object.fromEntries(m)).toEqual({ a: 'normal', b: 'very_high', c: 'normal', d: 'normal' });
    // 20 cells: the second is at exactly 10 % → elevated
    const t = crimeClasses(new Map(ids(20).map((id, i) => [id, i + 1])));
    expect(count(t)).toEqual({ very_high: 1, high: 0, elevated: 1, normal: 18 });
    expect(crimeClasses(new Map()).size).toBe(0);
  });
});

describe('indicatorEventId', () => {
  const cells = [cell('g1', { crimeRisk: 0.12, drivers: ['i1'] }), cell('g2', { instabilityRisk: 4, instabilityClass: 'elevated' })];

  it('indicator:<district>:<40 hex>, the same for the same content', () => {
    const id = indicatorEventId('d1', cells, ['5-0', null]);
    expect(id).toMatch(/^indicator:d1:[0-9a-f]{40}$/);
    expect(indicatorEventId('d1', cells.map((c) => ({ ...c })), ['5-0', null])).toBe(id);
    // a retried job at a later time computes the same values: the same id
    expect(indicatorEventId('d1', cells.map((c) => ({ ...c, at: '2026-05-20T11:00:00.000Z' })), ['5-0', null])).toBe(id);
    // a missing replace is null
    expect(indicatorEventId('d1', cells, ['5-0'])).toBe(id);
  });

  it('changes with the replaced seq, the values, the classes, the drivers, the order and the district', () => {
    const id = indicatorEventId('d1', cells, ['5-0', null]);
    const others = [
      indicatorEventId('d1', cells, ['6-0', null]),
      indicatorEventId('d1', cells, [null, null]),
      indicatorEventId('d1', cells, ['5-0', '7-0']),
      indicatorEventId('d2', cells, ['5-0', null]),
      indicatorEventId('d1', [{ ...cells[0]!, crimeRisk: 0.1201 }, cells[1]!], ['5-0', null]),
      indicatorEventId('d1', [{ ...cells[0]!, crimeClass: 'high' }, cells[1]!], ['5-0', null]),
      indicatorEventId('d1', [{ ...cells[0]!, drivers: ['i2'] }, cells[1]!], ['5-0', null]),
      indicatorEventId('d1', [cells[1]!, cells[0]!], [null, '5-0']),
      indicatorEventId('d1', [cells[0]!], ['5-0']),
    ];
    for (const o of others) {
      expect(o).toMatch(/^indicator:d[12]:[0-9a-f]{40}$/);
      expect(o).not.toBe(id);
    }
    expect(new Set(others).size).toBe(others.length);
  });
});

describe('parseStored', () => {
  it('splits `<seq> <json>` at the first space', () => {
    const c = cell('g1', { crimeRisk: 0.5, drivers: ['a b'] });
    expect(parseStored(`12-3 ${JSON.stringify(c)}`)).toEqual({ seq: '12-3', cell: c });
  });
  it('nothing, or no space: null', () => {
    expect(parseStored(null)).toBeNull();
    expect(parseStored(undefined)).toBeNull();
    expect(parseStored('')).toBeNull();
    expect(parseStored('12-3')).toBeNull();
  });
});

describe('rollUp over the demo city', () => {
  const tree = demoTree();
  const grids = tree.idsAt('grid');
  const communityOf = (g: string) => tree.chain(g)[1]!;
  const g0 = gridCenter(0).gridId;
  const inCommunity = grids.filter((g) => communityOf(g) === communityOf(g0)); // g0's community
  const other = grids.find((g) => communityOf(g) !== communityOf(g0) && tree.chain(g)[3] === tree.chain(g0)[3])!; // same district
  const crime = [0.5, 0.1, 0.3, 0.2, 0.05, 0.4, 0.01];
  const cells: CellIndicator[] = inCommunity.slice(0, crime.length).map((id, k) => cell(id, {
    crimeRisk: crime[k]!, instabilityRisk: k === 2 ? 6.5 : 1.2, drivers: [`inc-${k}`],
    crimeClass: k === 0 ? 'very_high' : k === 5 ? 'elevated' : 'normal', instabilityClass: k === 2 ? 'high' : 'normal',
    terms: { crime: { ...CRIME0, longTerm: crime[k]!, events: k + 1 }, instability: { ...INST0, open: k === 2 ? 6.5 : 1.2, cases: 1 } },
    at: `2026-05-20T10:0${k}:00.000Z`,
  }));
  const outside = cell(other, { crimeRisk: 0.25, instabilityRisk: 0, crimeClass: null, at: '2026-05-20T09:00:00.000Z' });
  const all = [...cells, outside];

  it('the fixture: at least 7 grids in the community, another community in the district', () => {
    expect(inCommunity.length).toBeGreaterThanOrEqual(crime.length);
    expect(other).toBeDefined();
    expect(tree.get(communityOf(g0))?.level).toBe('community');
  });

  it('grid rows: each cell as it is, with its name and terms, by crime risk', () => {
    const rows = rollUp('grid', all, tree);
    expect(rows.map((r) => r.crimeRisk)).toEqual([0.5, 0.4, 0.3, 0.25, 0.2, 0.1, 0.05, 0.01]);
    const top = rows[0]!;
    expect(top.id).toBe(cells[0]!.id);
    expect(top.name).toBe(tree.get(cells[0]!.id)!.name);
    expect(top.level).toBe('grid');
    expect(top.terms).toEqual(cells[0]!.terms);
    expect(top.drivers).toEqual(['inc-0']);
    expect(top.cells).toBe(1);
    expect(top.hotCells).toBe(1); // very_high crime
    expect(top.maxCrimeRisk).toBe(0.5);
    const hotByInstability = rows.find((r) => r.id === cells[2]!.id)!;
    expect(hotByInstability.hotCells).toBe(1);
    expect(hotByInstability.maxInstabilityRisk).toBe(6.5);
    expect(rows.find((r) => r.id === cells[5]!.id)!.hotCells).toBe(0); // elevated is not hot
    for (const r of rows) expect(indicatorRowSchema.safeParse(r).success).toBe(true);
  });

  it('grid rows of an unknown cell are named by their id', () => {
    expect(rollUp('grid', [cell('nowhere', { crimeRisk: 1 })], tree)[0]!.name).toBe('nowhere');
  });

  it('community rows: sums, maxima, hot cells, hottest class, top-5 drivers, newest time', () => {
    const rows = rollUp('community', all, tree);
    expect(rows).toHaveLength(2);
    const [mine, theirs] = rows;
    expect(mine!.id).toBe(communityOf(g0));
    expect(mine!.name).toBe(tree.get(communityOf(g0))!.name);
    expect(mine!.level).toBe('community');
    expect(mine!.crimeRisk).toBe(1.56);
    expect(mine!.instabilityRisk).toBe(13.7); // 6 × 1.2 + 6.5
    expect(mine!.maxCrimeRisk).toBe(0.5);
    expect(mine!.maxInstabilityRisk).toBe(6.5);
    expect(mine!.cells).toBe(7);
    expect(mine!.hotCells).toBe(2);
    expect(mine!.crimeClass).toBe('very_high');
    expect(mine!.instabilityClass).toBe('high'); // by the hottest cell's 6.5 points, not the 13.7 sum
    expect(mine!.drivers).toEqual([0, 5, 2, 3, 1].map((k) => cells[k]!.id));
    expect(mine!.at).toBe('2026-05-20T10:06:00.000Z');
    expect(mine!.terms).toBeUndefined();
    expect(theirs!.id).toBe(communityOf(other));
    expect(theirs!.crimeRisk).toBe(0.25);
    expect(theirs!.crimeClass).toBeNull();
    expect(theirs!.cells).toBe(1);
    expect(theirs!.hotCells).toBe(0);
    expect(theirs!.drivers).toEqual([other]);
    for (const r of rows) expect(indicatorRowSchema.safeParse(r).success).toBe(true);
  });

  it('street and district rows: each cell counted in the area of its chain', () => {
    const district = rollUp('district', all, tree);
    expect(district).toHaveLength(1);
    expect(district[0]!.id).toBe(tree.chain(g0)[3]);
    expect(district[0]!.level).toBe('district');
    expect(district[0]!.cells).toBe(8);
    expect(district[0]!.crimeRisk).toBe(1.81);
    expect(district[0]!.drivers).toEqual([0, 5, 2].map((k) => cells[k]!.id).concat([other, cells[3]!.id]));
    const streets = rollUp('street', all, tree);
    expect(streets.reduce((s, r) => s + r.cells, 0)).toBe(8);
    expect(streets.every((r) => tree.get(r.id)?.level === 'street')).toBe(true);
    // a cell outside the tree belongs to no area
    expect(rollUp('district', [cell('nowhere', { crimeRisk: 1 })], tree)).toEqual([]);
  });

  it('sums are rounded: crime to 4 decimals, instability to 1', () => {
    const [a, b, c] = inCommunity;
    const rows = rollUp('community', [cell(a!, { crimeRisk: 0.1, instabilityRisk: 0.1 }), cell(b!, { crimeRisk: 0.2, instabilityRisk: 0.2 }), cell(c!, { crimeRisk: 0.00004 })], tree);
    expect(rows[0]!.crimeRisk).toBe(0.3);
    expect(rows[0]!.instabilityRisk).toBe(0.3);
  });
});

describe('neighboursFromPoints', () => {
  // a 3 × 3 square lattice of 100 m: r<row>c<col>
  const lattice = [0, 1, 2].flatMap((r) => [0, 1, 2].map((c) => [`r${r}c${c}`, 500 + c * 100, 800 + r * 100] as const));

  it('the centre has 4 edge and 4 corner neighbours; a corner 2 + 1; an edge middle 3 + 2', () => {
    const { map, spacing } = neighboursFromPoints(lattice);
    expect(spacing).toBeCloseTo(100, 9);
    expect(map.size).toBe(9);
    expect(map.get('r1c1')).toEqual({ edge: ['r0c1', 'r1c0', 'r1c2', 'r2c1'], corner: ['r0c0', 'r0c2', 'r2c0', 'r2c2'] });
    expect(map.get('r0c0')).toEqual({ edge: ['r0c1', 'r1c0'], corner: ['r1c1'] });
    expect(map.get('r2c2')).toEqual({ edge: ['r1c2', 'r2c1'], corner: ['r1c1'] });
    expect(map.get('r0c1')).toEqual({ edge: ['r0c0', 'r0c2', 'r1c1'], corner: ['r1c0', 'r1c2'] });
  });

  it('scales with the spacing and ignores cells two steps away', () => {
    const big = lattice.map(([id, x, y]) => [id, x * 3, y * 3] as const);
    const { map, spacing } = neighboursFromPoints(big);
    expect(spacing).toBeCloseTo(300, 9);
    expect(map.get('r0c0')!.edge).not.toContain('r0c2');
    expect(map.get('r0c0')!.corner).not.toContain('r2c2');
    expect(map.get('r1c1')!.edge).toHaveLength(4);
  });

  it('fewer than two cells: nothing', () => {
    expect(neighboursFromPoints([])).toEqual({ map: new Map(), spacing: 0 });
    expect(neighboursFromPoints([['a', 1, 1]]).spacing).toBe(0);
  });
});

describe('buildNeighbourIndex over the demo city', () => {
  const tree = demoTree();
  const idx = buildNeighbourIndex(tree);
  const grids = tree.idsAt('grid');

  it('at most 4 edge and 4 corner neighbours, all grids, none itself; most cells are inner cells', () => {
    const gridSet = new Set(grids);
    const problems: string[] = [];
    let full = 0;
    for (const g of grids) {
      const n = idx.of(g);
      if (n.edge.length > 4 || n.corner.length > 4) problems.push(`${g}: ${n.edge.length} edge, ${n.corner.length} corner`);
      if (n.edge.length + n.corner.length === 0) problems.push(`${g}: isolated`);
      for (const o of [...n.edge, ...n.corner]) if (!gridSet.has(o) || o === g) problems.push(`${g}: neighbour ${o}`);
      if (n.edge.some((o) => n.corner.includes(o))) problems.push(`${g}: edge and corner at once`);
      if (n.edge.length === 4 && n.corner.length === 4) full++;
    }
    expect(problems).toEqual([]);
    expect(full).toBeGreaterThan(grids.length / 2);
    expect(idx.spacingMeters).toBeGreaterThan(50);
    expect(idx.spacingMeters).toBeLessThan(2000);
  });

  it('neighbour relations are symmetric', () => {
    const problems: string[] = [];
    for (const g of grids) {
      for (const e of idx.of(g).edge) if (!idx.of(e).edge.includes(g)) problems.push(`edge ${g} → ${e}`);
      for (const c of idx.of(g).corner) if (!idx.of(c).corner.includes(g)) problems.push(`corner ${g} → ${c}`);
    }
    expect(problems).toEqual([]);
  });

  it('districtOf matches the chain; unknown grids have no neighbours and no district', () => {
    const wrong = grids.filter((g) => {
      const d = idx.districtOf(g);
      return d !== tree.chain(g)[3] || tree.get(d)?.level !== 'district';
    });
    expect(wrong).toEqual([]);
    expect(new Set(grids.map((g) => idx.districtOf(g))).size).toBe(tree.idsAt('district').length);
    expect(idx.of('nowhere')).toEqual({ edge: [], corner: [] });
    expect(idx.districtOf('nowhere')).toBeNull();
  });
});

describe('riskIncidentOps', () => {
  const REPORTED = Date.parse('2025-03-01T07:00:00.000Z'); // facts.ts EARLIER

  it('a crime report: its time in the cell’s crime set, and the cell among the risk cells', () => {
    expect(riskIncidentOps(null, incident())).toEqual([
      { op: 'ZA', key: 'risk:crime:gA', score: REPORTED, member: 'inc-1' },
      { op: 'SA', key: 'risk:cells', member: 'gA' },
    ]);
  });

  it('a traffic accident, a dispute incident or an unlocated report: nothing', () => {
    expect(riskIncidentOps(null, incident({ category: 'traffic' }))).toEqual([]);
    expect(riskIncidentOps(null, incident({ category: 'fire' }))).toEqual([]);
    expect(riskIncidentOps(null, incident({ gridId: null }))).toEqual([]);
  });

  it('an update that keeps the cell: nothing', () => {
    expect(riskIncidentOps(incident(), incident({ status: 'dispatched', version: 4 }))).toEqual([]);
    expect(riskIncidentOps(incident({ category: 'traffic' }), incident({ category: 'traffic', status: 'closed' }))).toEqual([]);
  });

  it('a duplicate link or a cancellation removes the report', () => {
    expect(riskIncidentOps(incident(), incident({ duplicateOf: 'inc-0' }))).toEqual([{ op: 'ZR', key: 'risk:crime:gA', member: 'inc-1' }]);
    expect(riskIncidentOps(incident(), incident({ status: 'cancelled' }))).toEqual([{ op: 'ZR', key: 'risk:crime:gA', member: 'inc-1' }]);
    // reopened after a cancellation: back in
    expect(riskIncidentOps(incident({ status: 'cancelled' }), incident({ status: 'new' }))).toEqual([
      { op: 'ZA', key: 'risk:crime:gA', score: REPORTED, member: 'inc-1' },
      { op: 'SA', key: 'risk:cells', member: 'gA' },
    ]);
  });

  it('a recategorisation into or out of crime adds or removes it', () => {
    expect(riskIncidentOps(incident({ category: 'traffic' }), incident({ category: 'assault' }))).toHaveLength(2);
    expect(riskIncidentOps(incident(), incident({ category: 'traffic' }))).toEqual([{ op: 'ZR', key: 'risk:crime:gA', member: 'inc-1' }]);
  });

  it('a move between grids: out of the old cell, into the new one', () => {
    expect(riskIncidentOps(incident(), incident({ gridId: 'gB', jurisdiction: ['gB', 'mB', 's2', 'd1', 'c1'] }))).toEqual([
      { op: 'ZR', key: 'risk:crime:gA', member: 'inc-1' },
      { op: 'ZA', key: 'risk:crime:gB', score: REPORTED, member: 'inc-1' },
      { op: 'SA', key: 'risk:cells', member: 'gB' },
    ]);
  });
});

describe('riskCaseOps', () => {
  const OPENED = '2026-05-01T00:00:00.000Z';
  const common = {
    version: 1, jurisdiction: ['gA', 'mA', 's1', 'd1', 'c1'], location: null, gridId: 'gA', responsibleLevel: 'grid' as const, responsibleJurisdiction: 'gA',
    escalations: 0, escalationReason: null, deadline: null, summary: null, source: 't', openedAt: OPENED, stageSince: OPENED, updatedAt: OPENED,
    resolvedAt: null, closedAt: null, feedback: [], satisfaction: null, ratings: 0,
  };
  const dispute = (over: Partial<Dispute> = {}): Dispute => ({
    ...common, id: 'D1', kind: 'dispute', stage: 'registered', category: 'neighbour', parties: [], risk: null, department: null, outcome: null,
    resolvedAtLevel: null, incidentIds: [], ...over,
  });
  const petition = (over: Partial<Petition> = {}): Petition => ({ ...common, id: 'P1', kind: 'petition', stage: 'filed', petitioner: null, subject: null, answer: null, answeredAt: null, ...over });
  const supervision: Supervision = { ...common, id: 'S1', kind: 'supervision', stage: 'issued', caseRef: 'D1', caseKind: 'dispute', instruction: null, issuedBy: 'x', answer: null, answeredAt: null };

  it('a new dispute or petition: `<kind>:<id>` by its opening time, and the cell', () => {
    expect(riskCaseOps(null, dispute())).toEqual([
      { op: 'ZA', key: 'risk:cases:gA', score: Date.parse(OPENED), member: 'dispute:D1' },
      { op: 'SA', key: 'risk:cells', member: 'gA' },
    ]);
    expect(riskCaseOps(null, petition())[0]).toEqual({ op: 'ZA', key: 'risk:cases:gA', score: Date.parse(OPENED), member: 'petition:P1' });
  });

  it('a stage change in the same cell, a supervision or an unlocated case: nothing', () => {
    expect(riskCaseOps(dispute(), dispute({ stage: 'closed' }))).toEqual([]);
    expect(riskCaseOps(null, supervision)).toEqual([]);
    expect(riskCaseOps(null, dispute({ gridId: null }))).toEqual([]);
  });

  it('a move between grids, or losing the grid', () => {
    expect(riskCaseOps(dispute(), dispute({ gridId: 'gB' }))).toEqual([
      { op: 'ZR', key: 'risk:cases:gA', member: 'dispute:D1' },
      { op: 'ZA', key: 'risk:cases:gB', score: Date.parse(OPENED), member: 'dispute:D1' },
      { op: 'SA', key: 'risk:cells', member: 'gB' },
    ]);
    expect(riskCaseOps(petition(), petition({ gridId: null }))).toEqual([{ op: 'ZR', key: 'risk:cases:gA', member: 'petition:P1' }]);
  });
});

describe('validIndicatorCells and riskIndicatorOps', () => {
  const good = toIndicator(inputs({ id: 'gA', crimeRisk: 0.2, instabilityRisk: 2 }), 'normal', AT);

  it('whole indicators pass; no cells pass', () => {
    expect(validIndicatorCells({ cells: [good, { ...good, id: 'gB' }] })).toBeNull();
    expect(validIndicatorCells({ cells: [] })).toBeNull();
    expect(validIndicatorCells({})).toBeNull();
  });

  it('an invalid cell is refused, naming the field path', () => {
    const r = validIndicatorCells({ cells: [{ ...good, crimeRisk: -1 }] });
    expect(r).toMatchObject({ ok: false, code: 'invalid_indicator', path: 'data.cells[0].crimeRisk' });
    expect(r!.message.length).toBeGreaterThan(0);
    expect(validIndicatorCells({ cells: [good, { ...good, instabilityClass: 'purple' }] })?.path).toBe('data.cells[1].instabilityClass');
    expect(validIndicatorCells({ cells: [{ ...good, drivers: ['a', 'b', 7] }] })?.path).toBe('data.cells[0].drivers[2]');
    expect(validIndicatorCells({ cells: [{ ...good, terms: { ...good.terms, crime: { ...good.terms.crime, events: 1.5 } } }] })?.path).toBe('data.cells[0].terms.crime.events');
    expect(validIndicatorCells({ cells: [{ ...good, at: 'yesterday' }] })?.path).toBe('data.cells[0].at');
    const { at: _at, terms: _terms, crimeClass: _c, instabilityClass: _i, ...contractOnly } = good;
    expect(validIndicatorCells({ cells: [contractOnly] })).toBeNull(); // DESIGN §3 asks only id, the two risks and drivers
    const { drivers: _d, ...noDrivers } = good;
    expect(validIndicatorCells({ cells: [noDrivers] })?.path).toBe('data.cells[0].drivers');
    expect(validIndicatorCells({ cells: ['x'] })?.path).toBe('data.cells[0]');
  });

  it('each cell stored under its id in the indicators hash', () => {
    const b = { ...good, id: 'gB' };
    expect(riskIndicatorOps({ cells: [good, b] }, AT)).toEqual([
      { op: 'HF', key: 'risk:ind', field: 'gA', json: JSON.stringify(good) },
      { op: 'HF', key: 'risk:ind', field: 'gB', json: JSON.stringify(b) },
    ]);
    expect(riskIndicatorOps({}, AT)).toEqual([]);
  });

  it('a cell with only the contract fields is stored whole: no class, instability class from its points, zero terms, the entry time', () => {
    const [op] = riskIndicatorOps({ cells: [{ id: 'gC', crimeRisk: 0.5, instabilityRisk: 7, drivers: ['x'] }] }, '2026-01-01T00:00:00.000Z');
    const stored = JSON.parse((op as { json: string }).json);
    expect(stored).toMatchObject({ id: 'gC', crimeRisk: 0.5, instabilityRisk: 7, drivers: ['x'], crimeClass: null, instabilityClass: 'high', at: '2026-01-01T00:00:00.000Z' });
    expect(stored.terms.crime.events).toBe(0);
  });
});

describe('cellsForEntry', () => {
  const tree = demoTree();
  const g1 = gridCenter(0).gridId;
  const g2 = gridCenter(37).gridId;
  const entry = (type: string, jurisdiction: string[], over: Partial<Entry> = {}): Entry => ({
    seq: '1-0', id: 'e1', source: 't', type, time: AT, receivedAt: AT, jurisdiction, affects: [], data: {}, ...over,
  });

  it('incident, dispute and petition entries: the grid the entry is located in', () => {
    for (const type of ['incident.reported', 'incident.updated', 'incident.linked', 'incident.cancelled', 'incident.reopened', 'dispute.registered', 'dispute.closed', 'petition.filed']) {
      expect(cellsForEntry(entry(type, tree.chain(g1)), tree)).toEqual([g1]);
    }
  });

  it('other entry types: none (indicator.updated must not loop back)', () => {
    for (const type of ['incident.dispatched', 'incident.closed', 'unit.position', 'supervision.issued', 'indicator.updated', 'incident.reported.x', 'xincident.reported']) {
      expect(cellsForEntry(entry(type, tree.chain(g1)), tree)).toEqual([]);
    }
  });

  it('only when jurisdiction[0] is a grid of the tree', () => {
    expect(cellsForEntry(entry('incident.reported', tree.chain(g1).slice(1)), tree)).toEqual([]);
    expect(cellsForEntry(entry('incident.reported', [tree.cityId]), tree)).toEqual([]);
    expect(cellsForEntry(entry('incident.reported', []), tree)).toEqual([]);
    expect(cellsForEntry(entry('incident.reported', ['nowhere']), tree)).toEqual([]);
  });

  it('a move: movedFrom[0] too, once', () => {
    expect(cellsForEntry(entry('incident.updated', tree.chain(g2), { movedFrom: tree.chain(g1) }), tree)).toEqual([g2, g1]);
    expect(cellsForEntry(entry('incident.updated', tree.chain(g1), { movedFrom: tree.chain(g1) }), tree)).toEqual([g1]);
    // moved in from outside every grid (the city chain): only the new cell
    expect(cellsForEntry(entry('incident.updated', tree.chain(g2), { movedFrom: [tree.cityId] }), tree)).toEqual([g2]);
    // moved out of the grids: the old cell
    expect(cellsForEntry(entry('dispute.updated', [tree.cityId], { movedFrom: tree.chain(g1) }), tree)).toEqual([g1]);
  });
});
