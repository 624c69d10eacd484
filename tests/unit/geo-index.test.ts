import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { JurisdictionCollection } from '../../shared/jurisdiction.js';
import { generateDemoCity } from '../../server/geo/demo-city.js';
import { JurisdictionDataError, loadJurisdictionFile } from '../../server/geo/geojson.js';
import { areaContains, edgeDistanceMeters, metersPerDegree, prepareArea } from '../../server/geo/polygon-math.js';
import { mulberry32 } from '../../server/geo/prng.js';
import { buildSpatialIndex } from '../../server/geo/spatial-index.js';
import { buildJurisdictionTree, loadJurisdictions } from '../../server/geo/tree.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/geo-tiny-city.geojson', import.meta.url));
const G1 = '990102001001001'; // square with a hole
const G2 = '990102001001002'; // fills G1's hole
const G3 = '990102001002001'; // triangle east of G1
const G4 = '990102001002002'; // triangle sharing G3's diagonal, plus a detached square

/** Great-circle distance on the same sphere, to check the index's flat-earth figures independently. */
function haversineMeters(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const h = Math.sin(((lat2 - lat1) * rad) / 2) ** 2 +
    Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.sqrt(h));
}

/** Fixture positions in units of 0.005° from (114.00, 30.00), as [lat, lon]. */
const at = (x: number, y: number): [number, number] => [30 + y * 0.005, 114 + x * 0.005];

describe('spatial index on the hand-made fixture', () => {
  const tree = loadJurisdictions(FIXTURE);
  const gridAt = (x: number, y: number) => tree.locate(...at(x, y))?.gridId;

  it('loads the tree', () => {
    expect(tree.cityId).toBe('990100');
    expect(tree.idsAt('grid')).toEqual([G1, G2, G3, G4]);
    expect(tree.chain(G4)).toEqual([G4, '990102001002', '990102001', '990102', '990100']);
  });

  it('finds interiors, respecting holes and MultiPolygon parts', () => {
    expect(gridAt(0.25, 0.25)).toBe(G1);
    expect(gridAt(1, 1)).toBe(G2);
    expect(gridAt(2.5, 0.5)).toBe(G3);
    expect(gridAt(3.5, 1.5)).toBe(G4);
    expect(gridAt(5.5, 0.5)).toBe(G4);
    expect(tree.locate(...at(5.5, 0.5))).toEqual({
      gridId: G4, chain: tree.chain(G4), outOfArea: false, distanceMeters: 0,
    });
  });

  it('settles shared borders on the smallest id', () => {
    expect(gridAt(2, 1)).toBe(G1); // G1 | G3, vertical edge
    expect(gridAt(3, 1)).toBe(G3); // G3 | G4, diagonal edge
    expect(gridAt(1.5, 1)).toBe(G1); // G1's hole border = G2's outline
    expect(gridAt(2, 2)).toBe(G1); // corner shared by G1, G3 and G4
    expect(tree.locate(30.005, 114.015001)?.gridId).toBe(G4); // a hair east of the diagonal
    expect(tree.locate(30.005, 114.014999)?.gridId).toBe(G3);
  });

  it('snaps points outside to the nearest grid within the radius, with the distance in metres', () => {
    const [lat, lon] = at(-2, 1);
    const m = tree.locate(lat, lon);
    expect(m?.gridId).toBe(G1);
    expect(m?.outOfArea).toBe(true);
    expect(m?.chain).toEqual(tree.chain(G1));
    expect(m?.distanceMeters).toBeCloseTo(haversineMeters(lat, lon, lat, 114), -1);
    expect(Math.abs((m?.distanceMeters ?? 0) / haversineMeters(lat, lon, lat, 114) - 1)).toBeLessThan(0.002);

    const east = tree.locate(...at(6.4, 0.5));
    expect(east?.gridId).toBe(G4);
    expect(east?.distanceMeters).toBeCloseTo(haversineMeters(...at(6.4, 0.5), ...at(6, 0.5)), 0);
    expect(tree.locate(...at(4.5, 0.5))?.gridId).toBe(G4); // the gap between G4's two parts
  });

  it('returns null beyond the snap radius, and honours a custom radius', () => {
    const lon5km = 114 - 5000 / haversineMeters(30.005, 114, 30.005, 115);
    expect(tree.locate(30.005, lon5km)).toBeNull();
    const far = tree.locate(30.005, lon5km, 6000);
    expect(far?.gridId).toBe(G1);
    expect(far?.distanceMeters).toBeGreaterThan(4980);
    expect(far?.distanceMeters).toBeLessThan(5020);
    expect(tree.locate(...at(-2, 1), 0)).toBeNull();
    const unbounded = tree.locate(31, 114.005, Infinity);
    expect(unbounded?.gridId).toBe(G1);
    expect(unbounded?.distanceMeters).toBeCloseTo(haversineMeters(31, 114.005, 30.01, 114.005), -2);
    expect(tree.locate(Number.NaN, 114)).toBeNull();
  });

  it('handles an empty index', () => {
    expect(buildSpatialIndex([]).locate(30, 114, 2000)).toBeNull();
  });
});

describe('GeoJSON loader errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'geo-loader-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const fixture = (): JurisdictionCollection => JSON.parse(readFileSync(FIXTURE, 'utf8')) as JurisdictionCollection;
  const loadBroken = (name: string, edit: (c: JurisdictionCollection) => unknown): string[] => {
    const c = fixture();
    const data = edit(c) ?? c;
    const file = join(dir, `${name}.geojson`);
    writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data));
    try {
      loadJurisdictionFile(file);
    } catch (err) {
      expect(err).toBeInstanceOf(JurisdictionDataError);
      expect((err as Error).message).toContain(file);
      return [...(err as JurisdictionDataError).problems];
    }
    throw new Error(`${name}: expected the loader to fail`);
  };

  it('accepts the fixture', () => {
    expect(loadJurisdictionFile(FIXTURE).features).toHaveLength(9);
  });

  it('names a missing parent', () => {
    const problems = loadBroken('missing-parent', (c) => { c.features[7]!.properties.parentId = '990102001009'; });
    expect(problems).toEqual(['features[7].properties.parentId: parent "990102001009" of grid "990102001002001" does not exist']);
  });

  it('names a parent on the wrong level', () => {
    const problems = loadBroken('wrong-level', (c) => { c.features[7]!.properties.parentId = '990102001'; });
    expect(problems).toEqual([expect.stringMatching(/^features\[7\]\.properties\.parentId: .*is a street, expected a community/)]);
  });

  it('names a duplicate id', () => {
    const problems = loadBroken('duplicate', (c) => { c.features[6]!.properties.id = G1; });
    expect(problems).toEqual([`features[6].properties.id: duplicate id "${G1}" (first at features[5])`]);
  });

  it('requires exactly one city', () => {
    const problems = loadBroken('two-cities', (c) => {
      c.features.push({ ...c.features[0]!, properties: { ...c.features[0]!.properties, id: '990200' } });
    });
    expect(problems).toEqual(['expected exactly one city, found 2 (features[0], features[9])']);
  });

  it('names bad geometry: wrong type, short or open rings, bad positions', () => {
    expect(loadBroken('point', (c) => {
      (c.features[8] as { geometry: unknown }).geometry = { type: 'Point', coordinates: [114, 30] };
    })).toEqual([expect.stringMatching(/^features\[8\]\.geometry\.type: .*\(feature "990102001002002"\)$/)]);
    expect(loadBroken('short-ring', (c) => {
      c.features[7]!.geometry = { type: 'Polygon', coordinates: [[[114, 30], [114.01, 30], [114, 30]]] };
    })).toEqual([expect.stringMatching(/^features\[7\]\.geometry\.coordinates\[0\]: .*>=4/)]);
    expect(loadBroken('open-ring', (c) => {
      c.features[7]!.geometry = { type: 'Polygon', coordinates: [[[114.01, 30], [114.02, 30], [114.01, 30.01], [114.01, 30.001]]] };
    })).toEqual(['features[7].geometry.coordinates[0]: ring is not closed (first and last positions differ)']);
    expect(loadBroken('lat-lon-swapped', (c) => {
      c.features[6]!.geometry = { type: 'Polygon', coordinates: [[[30, 114], [30, 115], [31, 115], [30, 114]]] };
    })).toEqual(['features[6].geometry.coordinates[0][0]: position is not [lon, lat] within ±180, ±90']);
    expect(loadBroken('missing-field', (c) => {
      delete (c.features[3]!.properties as { name?: string }).name;
    })).toEqual([expect.stringMatching(/^features\[3\]\.properties\.name: .*\(feature "990102001001"\)$/)]);
  });

  it('reports JSON that does not parse', () => {
    expect(loadBroken('not-json', () => '{"type": "FeatureCollection", ')).toEqual([expect.stringMatching(/^not valid JSON/)]);
  });
});

describe('spatial index on the demo city', () => {
  const city = generateDemoCity(1);
  const tree = buildJurisdictionTree(city);
  const grids = city.features.filter((f) => f.properties.level === 'grid');
  const outer = (id: string) => {
    const g = tree.collection.features.find((f) => f.properties.id === id)?.geometry;
    if (g?.type !== 'Polygon') throw new Error(`grid ${id} is not a Polygon`);
    return g.coordinates[0]!.slice(0, -1);
  };

  it('maps every grid centroid to that grid', () => {
    const wrong: string[] = [];
    for (const g of grids) {
      const ring = outer(g.properties.id);
      const lon = ring.reduce((s, p) => s + p[0], 0) / ring.length;
      const lat = ring.reduce((s, p) => s + p[1], 0) / ring.length;
      const m = tree.locate(lat, lon);
      if (m?.gridId !== g.properties.id || m.outOfArea || m.chain.length !== 5) wrong.push(g.properties.id);
    }
    expect(wrong).toEqual([]);
  });

  it('settles a border shared by two grids, and a corner shared by four, on the smallest id', () => {
    const byCorner = new Map<string, string[]>();
    for (const g of grids) {
      for (const [lon, lat] of outer(g.properties.id)) {
        const key = `${lon},${lat}`;
        byCorner.set(key, [...(byCorner.get(key) ?? []), g.properties.id]);
      }
    }
    const fourWay = [...byCorner.entries()].filter(([, ids]) => ids.length === 4);
    expect(fourWay.length).toBeGreaterThan(1000);
    for (const [key, ids] of fourWay.slice(0, 200)) {
      const [lon, lat] = key.split(',').map(Number) as [number, number];
      expect(tree.locate(lat, lon)?.gridId).toBe([...ids].sort()[0]);
    }
    // midpoint of the east edge of a grid whose east neighbour exists
    let checked = 0;
    for (const g of grids.slice(0, 300)) {
      const ring = outer(g.properties.id);
      const east = Math.max(...ring.map((p) => p[0]));
      const lat = (Math.min(...ring.map((p) => p[1])) + Math.max(...ring.map((p) => p[1]))) / 2;
      const neighbour = tree.locate(lat, east + 0.0005)?.gridId;
      const onBorder = tree.locate(lat, east);
      if (!neighbour || tree.locate(lat, east + 0.0005)?.outOfArea) continue;
      expect(onBorder?.gridId).toBe([g.properties.id, neighbour].sort()[0]);
      checked++;
    }
    expect(checked).toBeGreaterThan(200);
  });

  it('snaps a point 1 km west of the city to the westernmost grid, and drops one 5 km out', () => {
    const westmost = Math.min(...grids.flatMap((g) => outer(g.properties.id).map((p) => p[0])));
    const target = grids.find((g) => outer(g.properties.id).some((p) => p[0] === westmost))!;
    const ring = outer(target.properties.id);
    const lat = (Math.min(...ring.map((p) => p[1])) + Math.max(...ring.map((p) => p[1]))) / 2;
    const perDegree = haversineMeters(lat, 0, lat, 1);
    const m = tree.locate(lat, westmost - 1000 / perDegree);
    expect(m?.gridId).toBe(target.properties.id);
    expect(m?.outOfArea).toBe(true);
    expect(m?.distanceMeters).toBeGreaterThan(998);
    expect(m?.distanceMeters).toBeLessThan(1002);
    expect(tree.locate(lat, westmost - 5000 / perDegree)).toBeNull();
  });

  it('agrees with a brute-force scan over every grid', () => {
    const prepared = grids.map((g) => ({ id: g.properties.id, area: prepareArea(g.geometry) }));
    prepared.sort((a, b) => (a.id < b.id ? -1 : 1));
    const rng = mulberry32(7);
    const wrong: string[] = [];
    for (let k = 0; k < 2000; k++) {
      // the city's box plus a few km around it: inside, snapped and dropped points
      const lat = 30.6 + (rng() - 0.5) * 0.2, lon = 114.3 + (rng() - 0.5) * 0.24;
      const inside = prepared.find((g) => areaContains(g.area, lon, lat));
      let expected: { id: string; d: number } | null = inside ? { id: inside.id, d: 0 } : null;
      if (!inside) {
        const { kx, ky } = metersPerDegree(lat);
        for (const g of prepared) {
          const d = edgeDistanceMeters(g.area, lon, lat, kx, ky);
          if (d <= 2000 && d < (expected?.d ?? Infinity)) expected = { id: g.id, d };
        }
      }
      const m = tree.locate(lat, lon);
      if ((m?.gridId ?? null) !== (expected?.id ?? null) || Math.abs((m?.distanceMeters ?? 0) - (expected?.d ?? 0)) > 1e-6) {
        wrong.push(`${lat},${lon}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('returns fresh arrays so callers cannot corrupt the tree', () => {
    const id = grids[0]!.properties.id;
    tree.chain(id).pop();
    tree.idsAt('grid').pop();
    expect(tree.chain(id)).toHaveLength(5);
    expect(tree.idsAt('grid')).toHaveLength(grids.length);
  });
});
