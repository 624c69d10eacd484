import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { LEVELS, type JurisdictionCollection } from '../../shared/jurisdiction.js';
import { JurisdictionDataError, loadJurisdictionFile } from '../../server/geo/geojson.js';
import { parseKml } from '../../server/geo/kml.js';
import { METERS_PER_DEGREE } from '../../server/geo/polygon-math.js';
import { addSquareGrids, squareGridSizes } from '../../server/geo/square-grid.js';
import { buildJurisdictionTree, loadJurisdictions } from '../../server/geo/tree.js';

const DATA = fileURLToPath(new URL('../../../shared/data/', import.meta.url));
const CHICAGO_KML = join(DATA, 'chicago_police_districts.kml');
const CHICAGO_CSV = join(DATA, 'chicago_aggravated_assaults.csv.gz');
const FIXTURE = fileURLToPath(new URL('./fixtures/geo-tiny-city.geojson', import.meta.url));

// The synthetic city sits on the equator around (0, 0), so the lattice's origin is (0, 0) and
// its lines fall on multiples of one 100 m cell; every rectangle below is drawn on lattice
// lines, so its count of cell centres is exact. Positions are in cells: x east, y north.
const CELL = 100;
const D = CELL / METERS_PER_DEGREE;
const pos = (x: number, y: number) => `${(x * D).toFixed(9)},${(y * D).toFixed(9)},0`;
const ring = (x0: number, y0: number, x1: number, y1: number) =>
  `<LinearRing><coordinates>${[pos(x0, y0), pos(x1, y0), pos(x1, y1), pos(x0, y1), pos(x0, y0)].join(' ')}</coordinates></LinearRing>`;
const polygon = (outer: string, ...holes: string[]) =>
  `<Polygon><outerBoundaryIs>${outer}</outerBoundaryIs>${holes.map((h) => `<innerBoundaryIs>${h}</innerBoundaryIs>`).join('')}</Polygon>`;

/**
 * District "1": a MultiGeometry of A (x −10..0, y −5..5: 100 cells) and B (x 4..10, y −5..−1: 24 cells).
 * District "2": x 0..4, y −5..5 with a hole x 1..3, y 1..3 (40 − 4 = 36 cells).
 */
const SYNTHETIC_KML = `<?xml version="1.0" encoding="utf-8" ?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Folder><name>synthetic</name>
  <Placemark><name>1</name><MultiGeometry>${polygon(ring(-10, -5, 0, 5))}${polygon(ring(4, -5, 10, -1))}</MultiGeometry></Placemark>
  <Placemark><name>2</name>${polygon(ring(0, -5, 4, 5), ring(1, 1, 3, 3))}</Placemark>
  <Placemark><name>a pin</name><Point><coordinates>0,0,0</coordinates></Point></Placemark>
</Folder></Document></kml>`;

const dir = mkdtempSync(join(tmpdir(), 'geo-kml-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const countByLevel = (c: JurisdictionCollection) => {
  const out: Record<string, number> = {};
  for (const f of c.features) out[f.properties.level] = (out[f.properties.level] ?? 0) + 1;
  return out;
};
/** lat, lon of a position in cells */
const at = (x: number, y: number): [number, number] => [y * D, x * D];

describe('KML boundaries → jurisdiction tree with a square grid', () => {
  const file = write('synthetic.kml', SYNTHETIC_KML);
  const collection = loadJurisdictionFile(file, { gridCellMeters: CELL });
  const tree = buildJurisdictionTree(collection);

  it('reads placemarks with polygons; a MultiGeometry becomes a MultiPolygon', () => {
    const boundaries = parseKml(SYNTHETIC_KML);
    expect(boundaries.map((b) => b.name)).toEqual(['1', '2']);
    expect(boundaries[0]?.geometry.type).toBe('MultiPolygon');
    expect(boundaries[0]?.geometry.coordinates).toHaveLength(2);
    expect(boundaries[1]?.geometry.type).toBe('Polygon');
    expect(boundaries[1]?.geometry.coordinates).toHaveLength(2); // outer ring and hole
    expect(boundaries[1]?.geometry.coordinates[0]?.[0]).toHaveLength(2); // altitude dropped
  });

  it('builds the five levels with the expected cell counts', () => {
    // 100 m cells: communities of 6 × 6 cells, streets of 4 × 4 communities (24 × 24 cells)
    expect(squareGridSizes(CELL)).toEqual({ communityCells: 6, streetCommunities: 4 });
    expect(squareGridSizes(150)).toEqual({ communityCells: 4, streetCommunities: 4 });
    expect(squareGridSizes(500)).toEqual({ communityCells: 2, streetCommunities: 2 });
    expect(squareGridSizes(5000)).toEqual({ communityCells: 2, streetCommunities: 2 });
    expect(countByLevel(collection)).toEqual({ city: 1, district: 2, street: 5, community: 8, grid: 160 });
    const gridsOf = (districtId: string) => tree.idsAt('grid').filter((g) => tree.chain(g)[3] === districtId);
    expect(gridsOf('980101')).toHaveLength(124);
    expect(gridsOf('980102')).toHaveLength(36);
    expect(tree.get('980100')).toMatchObject({ level: 'city', name: 'Synthetic', parentId: null });
    expect(tree.get('980101')).toMatchObject({ level: 'district', name: 'District 1', parentId: '980100', areaType: 'urban' });
  });

  it('gives every grid a chain of five levels with GB/T 2260-style ids', () => {
    for (const g of tree.idsAt('grid')) {
      const chain = tree.chain(g);
      expect(chain.map((id) => tree.get(id)?.level)).toEqual([...LEVELS].reverse());
      expect(chain.map((id) => id.length)).toEqual([15, 12, 9, 6, 6]);
      expect(g.startsWith(chain[1]!) && chain[1]!.startsWith(chain[2]!) && chain[2]!.startsWith(chain[3]!)).toBe(true);
    }
    const grid = tree.get(tree.idsAt('grid')[0]!)!;
    expect(grid.name).toMatch(/^Grid [A-Z]+\d+\.\d+\.\d+$/);
    expect(tree.get(grid.parentId!)!.name).toMatch(/^Community [A-Z]+\d+\.\d+$/);
  });

  it('draws grids as squares of the cell size', () => {
    const g = collection.features.find((f) => f.properties.level === 'grid')!;
    expect(g.geometry.type).toBe('Polygon');
    const [sw, se, ne] = g.geometry.coordinates[0] as number[][];
    expect((se![0]! - sw![0]!) * METERS_PER_DEGREE).toBeCloseTo(CELL, 0);
    expect((ne![1]! - se![1]!) * METERS_PER_DEGREE).toBeCloseTo(CELL, 0);
  });

  it('locates known points', () => {
    const district = (x: number, y: number) => tree.locate(...at(x, y))?.chain[3];
    expect(district(-5.5, 0.5)).toBe('980101'); // A
    expect(district(7.5, -3.5)).toBe('980101'); // B, the second part of the MultiGeometry
    expect(district(2.5, -3.5)).toBe('980102');
    expect(tree.locate(...at(-9.5, 4.5))).toMatchObject({ outOfArea: false, distanceMeters: 0 });
    // the hole of district 2 has no grid: snapped to a neighbour
    const inHole = tree.locate(...at(2, 2));
    expect(inHole?.outOfArea).toBe(true);
    expect(inHole?.distanceMeters).toBeCloseTo(CELL, -1);
    // the two grids either side of the A | district 2 border
    const west = tree.locate(...at(-0.5, 0.5))!, east = tree.locate(...at(0.5, 0.5))!;
    expect([west.chain[3], east.chain[3]]).toEqual(['980101', '980102']);
  });

  it('is deterministic', () => {
    expect(loadJurisdictionFile(file, { gridCellMeters: CELL })).toEqual(collection);
  });

  it('takes the same boundaries as GeoJSON without a tree, and by content without the .kml extension', () => {
    const geojson = {
      type: 'FeatureCollection',
      features: parseKml(SYNTHETIC_KML).map((b) => ({ type: 'Feature', properties: { name: b.name }, geometry: b.geometry })),
    };
    const fromGeoJson = loadJurisdictionFile(write('synthetic.geojson', JSON.stringify(geojson)), { gridCellMeters: CELL });
    expect(countByLevel(fromGeoJson)).toEqual(countByLevel(collection));
    expect(fromGeoJson.features.slice(1)).toEqual(collection.features.slice(1));
    const byContent = loadJurisdictionFile(write('synthetic.xml', SYNTHETIC_KML), { gridCellMeters: CELL });
    expect(byContent.features.slice(1)).toEqual(collection.features.slice(1));
  });

  it('completes a tree whose leaves are districts, and leaves a tree of grids unchanged', () => {
    const partial: JurisdictionCollection = {
      type: 'FeatureCollection',
      features: collection.features.filter((f) => f.properties.level === 'city' || f.properties.level === 'district'),
    };
    const completed = addSquareGrids(partial, { cellMeters: CELL });
    expect(completed).toEqual(collection);
    expect(addSquareGrids(collection, { cellMeters: CELL })).toBe(collection);
    expect(loadJurisdictionFile(FIXTURE, { gridCellMeters: 150 })).toEqual(loadJurisdictionFile(FIXTURE));
  });

  it('completes a tree whose leaves are streets with communities and grids', () => {
    const partial: JurisdictionCollection = {
      type: 'FeatureCollection',
      features: collection.features.filter((f) => f.properties.level !== 'community' && f.properties.level !== 'grid'),
    };
    const completed = buildJurisdictionTree(addSquareGrids(partial, { cellMeters: CELL }));
    expect(countByLevel(completed.collection)).toEqual({ city: 1, district: 2, street: 5, community: 8, grid: 160 });
    for (const g of completed.idsAt('grid')) expect(completed.chain(g)).toHaveLength(5);
  });

  it('gives a district too small for any cell centre the cell under its first corner', () => {
    const tiny = `<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
      <Placemark><name>1</name>${polygon(ring(-10, -5, 10, 5))}</Placemark>
      <Placemark><name>2</name>${polygon(ring(2.1, 2.1, 2.3, 2.3))}</Placemark>
    </Document></kml>`;
    const t = buildJurisdictionTree(loadJurisdictionFile(write('tiny.kml', tiny), { gridCellMeters: CELL }));
    const gridsOf = (districtId: string) => t.idsAt('grid').filter((g) => t.chain(g)[3] === districtId);
    expect(gridsOf('980101')).toHaveLength(199);
    expect(gridsOf('980102')).toHaveLength(1);
    expect(t.locate(...at(2.2, 2.2))?.chain[3]).toBe('980102');
  });

  it('refuses bad files with JurisdictionDataError', () => {
    const fails = (text: string, name = 'bad.kml', cell: number | null = CELL) => {
      const f = write(name, text);
      try {
        loadJurisdictionFile(f, cell === null ? {} : { gridCellMeters: cell });
      } catch (err) {
        expect(err).toBeInstanceOf(JurisdictionDataError);
        return (err as JurisdictionDataError).problems.join('\n');
      }
      throw new Error('expected a JurisdictionDataError');
    };
    expect(fails('<kml><Document><Placemark>')).toMatch(/not well-formed XML/);
    expect(fails('<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><Point><coordinates>1,2</coordinates></Point></Placemark></Document></kml>'))
      .toMatch(/no Polygon or MultiPolygon/);
    expect(fails('<gpx></gpx>')).toMatch(/not KML/);
    expect(fails(SYNTHETIC_KML, 'nocell.kml', null)).toMatch(/GRID_CELL_METERS/);
    expect(fails(SYNTHETIC_KML, 'huge.kml', 0.05)).toMatch(/too fine/);
  });
});

const haveChicago = existsSync(CHICAGO_KML) && existsSync(CHICAGO_CSV);
if (!haveChicago) console.warn(`[geo-kml] skipping the Chicago tests: ${DATA} (shared/data) is absent`);

describe.skipIf(!haveChicago)('Chicago police districts (shared/data)', () => {
  const started = performance.now();
  // a skipped describe still runs its body: build nothing without the data
  const tree = haveChicago ? loadJurisdictions(CHICAGO_KML, 150) : (null as unknown as ReturnType<typeof loadJurisdictions>);
  const loadMs = performance.now() - started;

  it('has 25 placemarks forming 23 districts (district 31 has three parts) and ~27,000 grids of 150 m', () => {
    expect(parseKml(readFileSync(CHICAGO_KML, 'utf8'))).toHaveLength(25);
    const districts = tree.idsAt('district');
    expect(districts).toHaveLength(23);
    expect(tree.get('980107')?.name).toBe('District 7');
    expect(tree.collection.features.find((f) => f.properties.id === '980131')?.geometry.type).toBe('MultiPolygon');
    const grids = tree.idsAt('grid');
    expect(grids.length).toBeGreaterThan(26_000);
    expect(grids.length).toBeLessThan(28_000);
    for (const g of grids.slice(0, 500)) expect(tree.chain(g)).toHaveLength(5);
    expect(loadMs).toBeLessThan(15_000);
  });

  it("puts more than 95% of recorded assaults in a grid of the record's district", () => {
    const lines = gunzipSync(readFileSync(CHICAGO_CSV)).toString('utf8').trim().split('\n');
    expect(lines[0]).toBe('date,loc_cat,longitude,latitude,district');
    const rows = lines.slice(1);
    const step = Math.floor(rows.length / 2000);
    let hits = 0, total = 0;
    for (let k = 0; k < rows.length; k += step) {
      const [, , lon, lat, district] = rows[k]!.split(',');
      const match = tree.locate(Number(lat), Number(lon));
      total++;
      if (match && tree.get(match.chain[3]!)?.name === `District ${district}`) hits++;
    }
    expect(hits / total).toBeGreaterThan(0.95);
  });
});
