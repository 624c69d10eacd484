import { describe, expect, it } from 'vitest';
import type { AreaGeometry, JurisdictionCollection, Level } from '../../shared/jurisdiction.js';
import { generateDemoCity } from '../../server/geo/demo-city.js';
import { parseJurisdictionGeoJson } from '../../server/geo/geojson.js';
import { cellKey } from '../../server/geo/lattice.js';
import { traceOutline } from '../../server/geo/lattice-outline.js';
import { buildJurisdictionTree } from '../../server/geo/tree.js';

const city = generateDemoCity(1);
const tree = buildJurisdictionTree(city);

const polygonsOf = (g: AreaGeometry) => (g.type === 'Polygon' ? [g.coordinates] : g.coordinates);

/** Shoelace area in square degrees, holes subtracted (holes run the other way round). */
function area(g: AreaGeometry): number {
  let sum = 0;
  for (const rings of polygonsOf(g)) {
    for (const ring of rings) {
      for (let k = 0; k + 1 < ring.length; k++) {
        const [ax, ay] = ring[k]!, [bx, by] = ring[k + 1]!;
        sum += ax * by - bx * ay;
      }
    }
  }
  return sum / 2;
}

const countBy = (c: JurisdictionCollection) => {
  const out: Partial<Record<Level, number>> = {};
  for (const f of c.features) out[f.properties.level] = (out[f.properties.level] ?? 0) + 1;
  return out;
};

describe('generateDemoCity', () => {
  it('is deterministic per seed and differs between seeds', () => {
    expect(generateDemoCity(1)).toEqual(city);
    expect(generateDemoCity(2)).not.toEqual(city);
  });

  it.each([1, 2, 3, 17])('has the expected sizes (seed %i)', (seed) => {
    const counts = countBy(seed === 1 ? city : generateDemoCity(seed));
    expect(counts.city).toBe(1);
    expect(counts.district).toBeGreaterThanOrEqual(6);
    expect(counts.street).toBeGreaterThanOrEqual(25);
    expect(counts.street).toBeLessThanOrEqual(40);
    expect(counts.community).toBeGreaterThanOrEqual(120);
    expect(counts.community).toBeLessThanOrEqual(180);
    expect(counts.grid).toBeGreaterThanOrEqual(1300);
    expect(counts.grid).toBeLessThanOrEqual(1700);
  });

  it('passes the GeoJSON schema and the tree checks', () => {
    expect(() => parseJurisdictionGeoJson(JSON.parse(JSON.stringify(city)))).not.toThrow();
  });

  it('uses GB/T 2260 style ids that extend the parent id, and Chinese names', () => {
    const digits: Record<Level, number> = { city: 6, district: 6, street: 9, community: 12, grid: 15 };
    const suffix: Record<Level, RegExp> = { city: /市$/, district: /区$/, street: /街道$/, community: /社区$/, grid: /社区第\d+网格$/ };
    for (const { properties: p } of city.features) {
      expect(p.id).toMatch(new RegExp(`^\\d{${digits[p.level]}}$`));
      expect(p.name).toMatch(suffix[p.level]);
      if (p.level === 'district') expect(p.id).toMatch(/^9901\d\d$/);
      if (p.level !== 'city' && p.level !== 'district') expect(p.id.startsWith(p.parentId ?? '?')).toBe(true);
    }
    expect(tree.cityId).toBe('990100');
    const names = city.features.map((f) => f.properties.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('chains every grid through five levels up to the city', () => {
    const grids = tree.idsAt('grid');
    expect(grids.length).toBeGreaterThan(0);
    for (const id of grids) {
      const chain = tree.chain(id);
      expect(chain).toHaveLength(5);
      expect(chain[0]).toBe(id);
      expect(chain[4]).toBe('990100');
      expect(chain.map((c) => tree.get(c)?.level)).toEqual(['grid', 'community', 'street', 'district', 'city']);
    }
    expect(tree.chain('nope')).toEqual([]);
  });

  it('closes every ring, keeps lon/lat order and 6 decimals', () => {
    // collect faults instead of one expect per position: tens of thousands of expects are slow
    const faults: string[] = [];
    const sixDecimals = (x: number) => Math.round(x * 1e6) / 1e6 === x;
    for (const f of city.features) {
      for (const rings of polygonsOf(f.geometry)) {
        for (const ring of rings) {
          const first = ring[0]!, last = ring[ring.length - 1]!;
          if (ring.length < 5 || first[0] !== last[0] || first[1] !== last[1]) faults.push(`${f.properties.id}: ring not closed`);
          for (const [lon, lat] of ring) {
            if (!(lon > 114 && lon < 114.6 && lat > 30.4 && lat < 30.8)) faults.push(`${f.properties.id}: ${lon},${lat} out of place`);
            if (!sixDecimals(lon) || !sixDecimals(lat)) faults.push(`${f.properties.id}: ${lon},${lat} not rounded`);
          }
        }
      }
    }
    expect(faults).toEqual([]);
  });

  it('traces outlines that cover exactly their children, counter-clockwise', () => {
    const children = new Map<string, number>();
    for (const f of city.features) {
      const a = area(f.geometry);
      expect(a).toBeGreaterThan(0);
      const parent = f.properties.parentId;
      if (parent) children.set(parent, (children.get(parent) ?? 0) + a);
    }
    for (const f of city.features) {
      if (f.properties.level === 'grid') continue;
      expect(children.get(f.properties.id)).toBeCloseTo(area(f.geometry), 10);
    }
  });

  it('keeps every region in one piece (a Polygon, not a MultiPolygon)', () => {
    for (const seed of [1, 2, 3]) {
      const c = seed === 1 ? city : generateDemoCity(seed);
      expect(c.features.filter((f) => f.geometry.type !== 'Polygon').map((f) => f.properties.id)).toEqual([]);
    }
  });

  it('makes grids urban in the centre and rural at the edge', () => {
    const centre = tree.locate(30.6, 114.3);
    expect(centre && tree.get(centre.gridId)?.areaType).toBe('urban');
    const minLon = (g: AreaGeometry) => Math.min(...polygonsOf(g).flat(2).map((p) => p[0]));
    const grids = city.features.filter((f) => f.properties.level === 'grid');
    const west = grids.reduce((a, b) => (minLon(b.geometry) < minLon(a.geometry) ? b : a));
    expect(west.properties.areaType).toBe('rural');
    const types = new Set(city.features.map((f) => f.properties.areaType));
    expect(types).toEqual(new Set(['urban', 'suburban', 'rural']));
  });
});

describe('traceOutline', () => {
  const unit = (i: number, j: number): [number, number] => [i, j];
  const cells = (...ij: [number, number][]) => ij.map(([i, j]) => cellKey(i, j));
  const ringSizes = (g: AreaGeometry) => polygonsOf(g).map((rings) => rings.map((r) => r.length));

  it('outlines a single cell counter-clockwise, corners only', () => {
    const g = traceOutline(cells([0, 0]), unit);
    expect(g).toEqual({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]] });
  });

  it('merges a straight run into one rectangle', () => {
    expect(ringSizes(traceOutline(cells([0, 0], [1, 0], [2, 0]), unit))).toEqual([[5]]);
  });

  it('gives an enclosed gap a clockwise hole', () => {
    const frame = cells([0, 0], [1, 0], [2, 0], [0, 1], [2, 1], [0, 2], [1, 2], [2, 2]);
    const g = traceOutline(frame, unit);
    expect(ringSizes(g)).toEqual([[5, 5]]);
    expect(area(g)).toBe(8);
  });

  it('splits a hole that touches the outline at one corner into its own ring', () => {
    // a 3x3 block without its centre and its north-east cell: the gap meets the outside at (2, 2)
    const g = traceOutline(cells([0, 0], [1, 0], [2, 0], [0, 1], [2, 1], [0, 2], [1, 2]), unit);
    expect(g.type).toBe('Polygon');
    expect(polygonsOf(g)[0]).toHaveLength(2);
    expect(area(g)).toBe(7);
  });

  it('returns a MultiPolygon for cells that touch only at a corner', () => {
    const g = traceOutline(cells([0, 0], [1, 1]), unit);
    expect(ringSizes(g)).toEqual([[5], [5]]);
    expect(area(g)).toBe(2);
  });

  it('keeps an island inside a hole as its own polygon', () => {
    const ring5 = [];
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) if (i === 0 || j === 0 || i === 4 || j === 4) ring5.push([i, j] as [number, number]);
    const g = traceOutline(cells(...ring5, [2, 2]), unit);
    expect(g.type).toBe('MultiPolygon');
    expect(ringSizes(g).sort()).toEqual([[5], [5, 5]]);
    expect(area(g)).toBe(17);
  });
});
