/**
 * Square grids generated inside boundary polygons that have none (DESIGN §6: replays of real
 * data bring their own boundaries, `GRID_CELL_METERS` sets the cell size). Pure and deterministic.
 *
 * Projection: a local equirectangular projection centred on the middle of the boundaries'
 * bounding box (the sphere of polygon-math.ts). Cells are exactly `cellMeters` north–south and
 * `cellMeters` east–west at the centre latitude (±0.5 % at the north and south ends of a city
 * 40 km tall such as Chicago), and they are axis-aligned in lon/lat, so a cell's bounding box
 * is the cell itself and neighbouring cells share bit-identical vertices (6 decimals, ≈ 0.1 m).
 *
 * A cell belongs to the leaf polygon containing its centre (the leaf with the smallest id where
 * leaves overlap); a leaf too small to contain any centre gets the cell under one of its corners.
 * Below every leaf the missing levels are blocks of cells on one lattice for the whole file:
 * a community is k × k cells (k = round(600 m / cell), at least 2) and a street m × m
 * communities (m = round(2400 m / community side), at least 2): 4 × 4 cells of 150 m (600 m
 * square, 16 grids) and 4 × 4 communities (2.4 km square, ≈ 5.8 km²) at the replay's 150 m;
 * 2 × 2 cells and 2 × 2 communities (1 km and 2 km squares) at the default 500 m.
 * Blocks are cut by the leaf's boundary, so edge blocks are partial (and may come in pieces,
 * drawn as a MultiPolygon).
 *
 * Ids follow the demo city: six digits for the city and districts (GB/T 2260 style, in the
 * unassigned province 98 for imported boundaries), then three digits each for street,
 * community and grid. Names come from block coordinates: the street block in column C,
 * row 7 (letters west to east, numbers north to south over the whole lattice) is "Street C7",
 * its communities "Community C7.1" … "Community C7.16" and the grids of a community
 * "Grid C7.5.1" … "Grid C7.5.16" (positions in reading order within the full block).
 */
import type { AreaGeometry, AreaType, JurisdictionCollection, JurisdictionFeature, Level } from '../../shared/jurisdiction.js';
import { areaTypeSchema } from '../../shared/jurisdiction.js';
import { JurisdictionDataError } from './jurisdiction-checks.js';
import type { Boundary } from './kml.js';
import { cellKey } from './lattice.js';
import { traceOutline } from './lattice-outline.js';
import { METERS_PER_DEGREE } from './polygon-math.js';

/** Side of a community and of a street, as targets in metres. */
export const COMMUNITY_TARGET_METERS = 600;
export const STREET_TARGET_METERS = 2400;
/** City id of imported boundaries: province 98 is unassigned in GB/T 2260 (the demo city uses 99). */
export const IMPORTED_CITY_ID = '980100';
/** Lattices above this many cells (bounding box) are refused: the cell size is far too small for the area. */
const MAX_LATTICE_CELLS = 40_000_000;
/** traceOutline packs cells with |i|, |j| < 256. */
const OUTLINE_SPAN = 500;

export interface SquareGridOptions {
  cellMeters: number;
  /** where the data came from, for error messages */
  source?: string;
}

export interface BoundaryTreeOptions extends SquareGridOptions {
  cityName?: string;
  cityId?: string;
  /** area type of features whose boundary does not say (default urban) */
  areaType?: AreaType;
}

/** Block sizes for a cell size: k cells per community side, m communities per street side. */
export function squareGridSizes(cellMeters: number): { communityCells: number; streetCommunities: number } {
  const communityCells = Math.max(2, Math.round(COMMUNITY_TARGET_METERS / cellMeters));
  const streetCommunities = Math.max(2, Math.round(STREET_TARGET_METERS / (communityCells * cellMeters)));
  return { communityCells, streetCommunities };
}

type LonLat = [number, number];
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
const pad = (n: number, width = 3) => String(n).padStart(width, '0');
const floorDiv = (a: number, b: number) => Math.floor(a / b);

function polygonsOf(g: AreaGeometry): LonLat[][][] {
  return (g.type === 'Polygon' ? [g.coordinates] : g.coordinates) as LonLat[][][];
}

/** The lattice: vertex (i, j) is the south-west corner of cell (i, j); cell (0, 0) starts at the origin. */
class Lattice {
  readonly kx: number;
  readonly ky = METERS_PER_DEGREE;
  readonly i0: number; readonly i1: number; readonly j0: number; readonly j1: number;
  readonly cols: number; readonly rows: number;
  private readonly lon0: number; private readonly lat0: number;

  constructor(readonly cellMeters: number, bbox: [number, number, number, number], source: string) {
    const [minLon, minLat, maxLon, maxLat] = bbox;
    this.lon0 = round6((minLon + maxLon) / 2);
    this.lat0 = round6((minLat + maxLat) / 2);
    this.kx = METERS_PER_DEGREE * Math.cos((this.lat0 * Math.PI) / 180);
    this.i0 = Math.floor(this.x(minLon)); this.i1 = Math.floor(this.x(maxLon));
    this.j0 = Math.floor(this.y(minLat)); this.j1 = Math.floor(this.y(maxLat));
    this.cols = this.i1 - this.i0 + 1;
    this.rows = this.j1 - this.j0 + 1;
    if (this.cols * this.rows > MAX_LATTICE_CELLS) {
      throw new JurisdictionDataError(source, [
        `a ${cellMeters} m grid over the boundaries' ${this.cols} × ${this.rows} cells is too fine: raise GRID_CELL_METERS`,
      ]);
    }
  }

  /** longitude / latitude → lattice units */
  x(lon: number): number { return ((lon - this.lon0) * this.kx) / this.cellMeters; }
  y(lat: number): number { return ((lat - this.lat0) * this.ky) / this.cellMeters; }
  vertex(i: number, j: number): LonLat {
    return [round6(this.lon0 + (i * this.cellMeters) / this.kx), round6(this.lat0 + (j * this.cellMeters) / this.ky)];
  }
  /** linear index of a cell, 0 at the south-west corner of the bounding box */
  index(i: number, j: number): number { return (j - this.j0) * this.cols + (i - this.i0); }
  cellI(idx: number): number { return (idx % this.cols) + this.i0; }
  cellJ(idx: number): number { return Math.floor(idx / this.cols) + this.j0; }
  within(i: number, j: number): boolean { return i >= this.i0 && i <= this.i1 && j >= this.j0 && j <= this.j1; }
}

function bboxOf(geometries: readonly AreaGeometry[]): [number, number, number, number] {
  let minLon = Infinity, minLat = Infinity, maxLon = -Infinity, maxLat = -Infinity;
  for (const g of geometries) {
    for (const rings of polygonsOf(g)) {
      for (const [lon, lat] of rings[0] ?? []) {
        if (lon < minLon) minLon = lon;
        if (lon > maxLon) maxLon = lon;
        if (lat < minLat) minLat = lat;
        if (lat > maxLat) maxLat = lat;
      }
    }
  }
  return [minLon, minLat, maxLon, maxLat];
}

/**
 * Calls `hit` for every cell whose centre lies inside the area: a scanline over cell-centre
 * rows, even–odd over the rings of each polygon (so holes are respected). Linear in vertices
 * plus cells, which keeps detailed boundaries (Chicago: ~1 MB of KML) fast.
 */
function rasterize(area: AreaGeometry, lat: Lattice, hit: (i: number, j: number) => void): void {
  for (const rings of polygonsOf(area)) {
    const crossings = new Map<number, number[]>();
    for (const ring of rings) {
      for (let k = 0; k + 1 < ring.length; k++) {
        const a = ring[k] as LonLat, b = ring[k + 1] as LonLat;
        const ya = lat.y(a[1]), yb = lat.y(b[1]);
        if (ya === yb) continue;
        const xa = lat.x(a[0]), xb = lat.x(b[0]);
        // rows whose centre yc = j + 0.5 satisfies min <= yc < max, the ray-casting rule
        const jFrom = Math.ceil(Math.min(ya, yb) - 0.5), jTo = Math.ceil(Math.max(ya, yb) - 0.5) - 1;
        for (let j = jFrom; j <= jTo; j++) {
          const x = xa + ((xb - xa) * (j + 0.5 - ya)) / (yb - ya);
          const list = crossings.get(j);
          if (list) list.push(x); else crossings.set(j, [x]);
        }
      }
    }
    for (const [j, xs] of crossings) {
      xs.sort((p, q) => p - q);
      for (let k = 0; k + 1 < xs.length; k += 2) {
        const iFrom = Math.ceil((xs[k] as number) - 0.5), iTo = Math.ceil((xs[k + 1] as number) - 0.5) - 1;
        for (let i = iFrom; i <= iTo; i++) hit(i, j);
      }
    }
  }
}

interface Leaf {
  id: string;
  level: Level;
  areaType: AreaType;
  geometry: AreaGeometry;
}

/** Cells of every leaf, each list in reading order (north to south, west to east). */
function assignCells(leaves: readonly Leaf[], lattice: Lattice, source: string): number[][] {
  const owner = new Int32Array(lattice.cols * lattice.rows).fill(-1);
  const counts = new Array<number>(leaves.length).fill(0);
  leaves.forEach((leaf, li) => {
    rasterize(leaf.geometry, lattice, (i, j) => {
      if (!lattice.within(i, j)) return;
      const idx = lattice.index(i, j);
      if (owner[idx] !== -1) return; // overlapping leaves: the smaller id keeps the cell
      owner[idx] = li;
      counts[li] = (counts[li] ?? 0) + 1;
    });
  });
  // a leaf that contains no cell centre gets the cell under its first vertex
  const problems: string[] = [];
  leaves.forEach((leaf, li) => {
    if ((counts[li] ?? 0) > 0) return;
    const [lon, latitude] = polygonsOf(leaf.geometry)[0]?.[0]?.[0] ?? [NaN, NaN];
    const i = Math.min(lattice.i1, Math.max(lattice.i0, Math.floor(lattice.x(lon))));
    const j = Math.min(lattice.j1, Math.max(lattice.j0, Math.floor(lattice.y(latitude))));
    const idx = lattice.index(i, j);
    const prev = owner[idx] ?? -1;
    if (prev === -1 || (counts[prev] ?? 0) > 1) {
      if (prev !== -1) counts[prev] = (counts[prev] ?? 0) - 1;
      owner[idx] = li;
      counts[li] = 1;
    } else {
      problems.push(`${leaf.level} "${leaf.id}" contains no ${lattice.cellMeters} m cell: lower GRID_CELL_METERS`);
    }
  });
  if (problems.length > 0) throw new JurisdictionDataError(source, problems);
  const cells: number[][] = leaves.map(() => []);
  for (let j = lattice.j1; j >= lattice.j0; j--) {
    for (let i = lattice.i0; i <= lattice.i1; i++) {
      const idx = lattice.index(i, j);
      const li = owner[idx] ?? -1;
      if (li >= 0) cells[li]?.push(idx);
    }
  }
  return cells;
}

/** Spreadsheet column letters: 0 → A, 25 → Z, 26 → AA. */
function columnLetters(n: number): string {
  let s = '';
  for (let k = n + 1; k > 0; k = Math.floor((k - 1) / 26)) s = String.fromCharCode(65 + ((k - 1) % 26)) + s;
  return s;
}

/** Groups cells by block (size in cells); blocks in reading order, cells keep their order. */
function blocksOf(cells: readonly number[], size: number, lattice: Lattice): { bi: number; bj: number; cells: number[] }[] {
  const byBlock = new Map<string, { bi: number; bj: number; cells: number[] }>();
  for (const c of cells) {
    const bi = floorDiv(lattice.cellI(c), size), bj = floorDiv(lattice.cellJ(c), size);
    const key = `${bi},${bj}`;
    const block = byBlock.get(key);
    if (block) block.cells.push(c); else byBlock.set(key, { bi, bj, cells: [c] });
  }
  return [...byBlock.values()].sort((a, b) => b.bj - a.bj || a.bi - b.bi);
}

/** Position 1 … size² of a sub-block in reading order within its block. */
function positionIn(bi: number, bj: number, size: number): number {
  const col = bi - floorDiv(bi, size) * size, row = size - 1 - (bj - floorDiv(bj, size) * size);
  return row * size + col + 1;
}

/**
 * Generates the missing levels under every leaf: streets, communities and grids under a
 * district, communities and grids under a street, grids under a community.
 * Returns the generated features (streets, then communities, then grids) and every leaf's cells.
 */
function generateBelow(leaves: readonly Leaf[], opts: SquareGridOptions): { features: JurisdictionFeature[]; cells: number[][]; lattice: Lattice } {
  const source = opts.source ?? 'jurisdiction data';
  const cityLeaf = leaves.find((l) => l.level === 'city');
  if (cityLeaf) throw new JurisdictionDataError(source, [`the city "${cityLeaf.id}" has no districts: a grid needs district polygons`]);
  const lattice = new Lattice(opts.cellMeters, bboxOf(leaves.map((l) => l.geometry)), source);
  const cells = assignCells(leaves, lattice, source);
  const { communityCells: k, streetCommunities: m } = squareGridSizes(opts.cellMeters);
  const streetCells = k * m;
  const out: Record<'street' | 'community' | 'grid', JurisdictionFeature[]> = { street: [], community: [], grid: [] };

  const blockOutline = (blockCells: readonly number[], size: number): AreaGeometry => {
    const bi0 = floorDiv(lattice.cellI(blockCells[0] as number), size) * size;
    const bj0 = floorDiv(lattice.cellJ(blockCells[0] as number), size) * size;
    return traceOutline(
      blockCells.map((c) => cellKey(lattice.cellI(c) - bi0, lattice.cellJ(c) - bj0)),
      (i, j) => lattice.vertex(i + bi0, j + bj0),
    );
  };
  const cellSquare = (c: number): AreaGeometry => {
    const i = lattice.cellI(c), j = lattice.cellJ(c);
    const sw = lattice.vertex(i, j), ne = lattice.vertex(i + 1, j + 1);
    return { type: 'Polygon', coordinates: [[sw, [ne[0], sw[1]], ne, [sw[0], ne[1]], sw]] };
  };
  const feature = (level: Level, id: string, parentId: string, name: string, areaType: AreaType, geometry: AreaGeometry): JurisdictionFeature =>
    ({ type: 'Feature', properties: { id, level, parentId, name, areaType }, geometry });
  const streetRef = (sbi: number, sbj: number) =>
    `${columnLetters(sbi - floorDiv(lattice.i0, streetCells))}${floorDiv(lattice.j1, streetCells) - sbj + 1}`;
  const width = (n: number) => Math.max(3, String(n).length);

  const emitGrids = (communityId: string, communityRef: string, communityCellList: readonly number[], areaType: AreaType) => {
    const w = width(communityCellList.length);
    communityCellList.forEach((c, gi) => {
      const n = positionIn(lattice.cellI(c), lattice.cellJ(c), k);
      out.grid.push(feature('grid', communityId + pad(gi + 1, w), communityId, `Grid ${communityRef}.${n}`, areaType, cellSquare(c)));
    });
  };
  const emitCommunities = (parentId: string, parentCells: readonly number[], areaType: AreaType) => {
    const communities = blocksOf(parentCells, k, lattice);
    const w = width(communities.length);
    communities.forEach((block, ci) => {
      const ref = `${streetRef(floorDiv(block.bi, m), floorDiv(block.bj, m))}.${positionIn(block.bi, block.bj, m)}`;
      const id = parentId + pad(ci + 1, w);
      out.community.push(feature('community', id, parentId, `Community ${ref}`, areaType, blockOutline(block.cells, k)));
      emitGrids(id, ref, block.cells, areaType);
    });
  };

  leaves.forEach((leaf, li) => {
    const leafCells = cells[li] ?? [];
    if (leaf.level === 'community') {
      emitGrids(leaf.id, leaf.id, leafCells, leaf.areaType);
    } else if (leaf.level === 'street') {
      emitCommunities(leaf.id, leafCells, leaf.areaType);
    } else if (leaf.level === 'district') {
      const streets = blocksOf(leafCells, streetCells, lattice);
      const w = width(streets.length);
      streets.forEach((block, si) => {
        const id = leaf.id + pad(si + 1, w);
        out.street.push(feature('street', id, leaf.id, `Street ${streetRef(block.bi, block.bj)}`, leaf.areaType, blockOutline(block.cells, streetCells)));
        emitCommunities(id, block.cells, leaf.areaType);
      });
    }
  });
  return { features: [...out.street, ...out.community, ...out.grid], cells, lattice };
}

function leafOf(f: JurisdictionFeature): Leaf {
  return { id: f.properties.id, level: f.properties.level, areaType: f.properties.areaType, geometry: f.geometry };
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * A tree whose leaves are not all grids, completed: every leaf above the grid level gets the
 * generated levels below it. A tree whose leaves are all grids is returned as it is (same object).
 */
export function addSquareGrids(collection: JurisdictionCollection, opts: SquareGridOptions): JurisdictionCollection {
  const parents = new Set<string>();
  for (const f of collection.features) if (f.properties.parentId !== null) parents.add(f.properties.parentId);
  const leaves = collection.features
    .filter((f) => f.properties.level !== 'grid' && !parents.has(f.properties.id))
    .map(leafOf)
    .sort(byId);
  if (leaves.length === 0) return collection;
  const { features } = generateBelow(leaves, opts);
  return { type: 'FeatureCollection', features: [...collection.features, ...features] };
}

function roundGeometry(g: AreaGeometry): AreaGeometry {
  const polys = polygonsOf(g).map((rings) => rings.map((ring) => ring.map(([lon, lat]): LonLat => [round6(lon), round6(lat)])));
  return polys.length === 1 ? { type: 'Polygon', coordinates: polys[0] as LonLat[][] } : { type: 'MultiPolygon', coordinates: polys };
}

/** District number from a name such as "7" or "District 07", when it is an integer 1–99. */
function districtNumber(name: string): number | undefined {
  const m = /^(?:district\s*)?0*(\d{1,2})$/i.exec(name.trim());
  const n = m ? Number(m[1]) : NaN;
  return n >= 1 && n <= 99 ? n : undefined;
}

/**
 * The whole tree from boundary polygons without a tree (a KML file, or GeoJSON features without
 * `level`): one district per distinct name (placemarks with the same name are merged into one
 * MultiPolygon; the 25 Chicago placemarks are 23 districts, district 31 has three parts),
 * under a generated city, with the square grid below. District ids are 9801NN where NN is the
 * district number when every name is a distinct number 1–99 (Chicago district 7 → 980107),
 * else the rank of the name (from 02, as in the demo city).
 */
export function treeFromBoundaries(boundaries: readonly Boundary[], opts: BoundaryTreeOptions): JurisdictionCollection {
  const source = opts.source ?? 'boundaries';
  if (boundaries.length === 0) throw new JurisdictionDataError(source, ['no boundary polygons']);
  const groups = new Map<string, { name: string; polygons: LonLat[][][]; areaType: AreaType }>();
  boundaries.forEach((b, idx) => {
    const name = b.name || `${idx + 1}`;
    const parsedType = areaTypeSchema.safeParse(b.properties.areaType);
    const group = groups.get(name);
    const polys = polygonsOf(roundGeometry(b.geometry));
    if (group) group.polygons.push(...polys);
    else groups.set(name, { name, polygons: polys, areaType: parsedType.success ? parsedType.data : opts.areaType ?? 'urban' });
  });
  const names = [...groups.keys()];
  const numbers = names.map(districtNumber);
  const numbered = numbers.every((n) => n !== undefined) && new Set(numbers).size === names.length;
  const ranked = [...names].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (!numbered && ranked.length > 98) throw new JurisdictionDataError(source, [`${ranked.length} districts: at most 98 are supported`]);
  const cityId = opts.cityId ?? IMPORTED_CITY_ID;
  const prefix = cityId.slice(0, 4);
  const districts: JurisdictionFeature[] = ranked.map((name) => {
    const group = groups.get(name)!;
    const code = numbered ? (districtNumber(name) as number) : ranked.indexOf(name) + 2; // 01 is 市辖区 in GB/T 2260
    const geometry: AreaGeometry = group.polygons.length === 1
      ? { type: 'Polygon', coordinates: group.polygons[0] as LonLat[][] }
      : { type: 'MultiPolygon', coordinates: group.polygons };
    return {
      type: 'Feature',
      properties: { id: prefix + pad(code, 2), level: 'district', parentId: cityId, name: districtNumber(name) !== undefined ? `District ${districtNumber(name)}` : name, areaType: group.areaType },
      geometry,
    };
  });
  const leaves = districts.map(leafOf).sort(byId);
  const { features, cells, lattice } = generateBelow(leaves, { ...opts, source });

  // the city: the outline of all its cells when the lattice fits traceOutline, else the districts side by side
  let cityGeometry: AreaGeometry;
  if (lattice.cols <= OUTLINE_SPAN && lattice.rows <= OUTLINE_SPAN) {
    const ci = lattice.i0 + Math.floor(lattice.cols / 2), cj = lattice.j0 + Math.floor(lattice.rows / 2);
    cityGeometry = traceOutline(
      cells.flat().map((c) => cellKey(lattice.cellI(c) - ci, lattice.cellJ(c) - cj)),
      (i, j) => lattice.vertex(i + ci, j + cj),
    );
  } else {
    cityGeometry = { type: 'MultiPolygon', coordinates: districts.flatMap((d) => polygonsOf(d.geometry)) };
  }
  const types = districts.map((d) => d.properties.areaType);
  const cityType = (['urban', 'suburban', 'rural'] as const).find((t) => types.includes(t)) ?? 'urban';
  const city: JurisdictionFeature = {
    type: 'Feature',
    properties: { id: cityId, level: 'city', parentId: null, name: opts.cityName ?? 'City', areaType: cityType },
    geometry: cityGeometry,
  };
  return { type: 'FeatureCollection', features: [city, ...districts, ...features] };
}
