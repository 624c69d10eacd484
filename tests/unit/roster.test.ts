// The demo grid-worker roster (server/geo/roster.ts): every grid has exactly one worker, runs of
// 2–3 adjacent grids (by id) within a community, stable ids and names, for any tree.
import { describe, expect, it } from 'vitest';
import { buildRoster, rosterOf, runSizes } from '../../server/geo/roster.js';
import { buildJurisdictionTree, loadJurisdictions } from '../../server/geo/tree.js';
import { demoTree } from '../helpers/geo.js';
import { TINY_CITY } from '../helpers/tiny-tree.js';

describe('grid-worker roster', () => {
  const tree = demoTree();
  const roster = buildRoster(tree);

  it('gives every grid of the demo city exactly one worker, in the grid\'s own community', () => {
    const seen = new Map<string, number>();
    for (const w of roster) {
      for (const g of w.grids) {
        seen.set(g, (seen.get(g) ?? 0) + 1);
        expect(tree.get(g)?.parentId).toBe(w.communityId);
      }
    }
    expect([...seen.keys()].sort()).toEqual(tree.idsAt('grid'));
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
  });

  it('splits a community into runs of 2–3 adjacent grids (by id), one worker when it has fewer than 4', () => {
    const gridsOf = new Map<string, string[]>();
    for (const g of tree.idsAt('grid')) {
      const c = tree.get(g)!.parentId!;
      gridsOf.set(c, [...(gridsOf.get(c) ?? []), g]);
    }
    for (const [communityId, grids] of gridsOf) {
      const workers = roster.filter((w) => w.communityId === communityId);
      expect(workers.flatMap((w) => w.grids)).toEqual([...grids].sort());
      if (grids.length < 4) expect(workers).toHaveLength(1);
      else for (const w of workers) expect(w.grids.length).toBeGreaterThanOrEqual(2);
      for (const w of workers) expect(w.grids.length).toBeLessThanOrEqual(3);
      workers.forEach((w, i) => expect(w.id).toBe(`GW-${communityId}-${i + 1}`));
    }
    expect(runSizes(1)).toEqual([1]);
    expect(runSizes(3)).toEqual([3]);
    expect(runSizes(4)).toEqual([2, 2]);
    expect(runSizes(7)).toEqual([3, 2, 2]);
    for (let n = 4; n < 40; n++) {
      const s = runSizes(n);
      expect(s.reduce((a, b) => a + b, 0)).toBe(n);
      expect(s.every((x) => x === 2 || x === 3)).toBe(true);
    }
  });

  it('is deterministic, with unique Chinese names and nothing but a name about the person', () => {
    expect(buildRoster(loadJurisdictions())).toEqual(roster);
    expect(new Set(roster.map((w) => w.name)).size).toBe(roster.length);
    expect(new Set(roster.map((w) => w.id)).size).toBe(roster.length);
    for (const w of roster) {
      expect(w.name).toMatch(/^[\u4e00-\u9fff]{2,3}$/);
      expect(Object.keys(w).sort()).toEqual(['communityId', 'grids', 'id', 'name']);
    }
  });

  it('looks up the worker of a grid, for any tree', () => {
    const r = rosterOf(tree);
    const g = tree.idsAt('grid')[17]!;
    expect(r.workerForGrid(g)?.grids).toContain(g);
    expect(r.workerForGrid('nope')).toBeNull();
    const tiny = rosterOf(buildJurisdictionTree(TINY_CITY));
    expect(tiny.workers.map((w) => [w.id, w.grids])).toEqual([['GW-mA-1', ['gA']], ['GW-mB-1', ['gB']]]);
  });
});
