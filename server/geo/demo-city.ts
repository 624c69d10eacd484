import type { AreaType, JurisdictionCollection, JurisdictionFeature, Level } from '../../shared/jurisdiction.js';
import { districtNames, DEMO_CITY_NAME, placeNameSource } from './demo-names.js';
import { cellI, cellJ, cellKey, fillHoles, largestComponent } from './lattice.js';
import { traceOutline } from './lattice-outline.js';
import { partitionCells } from './lattice-partition.js';
import { between, mulberry32, type Rng } from './prng.js';

export const DEMO_CITY_ID = '990100';

// Coordinates are built from integer micro-degrees so that neighbouring cells
// produce bit-identical shared vertices (and every value has ≤ 6 decimals).
const CENTER_LON_MICRO = 114_300_000;
const CENTER_LAT_MICRO = 30_600_000;
const STEP_LON_MICRO = 3650; // ≈ 350 m at 30.6°N
const STEP_LAT_MICRO = 3150; // ≈ 350 m
const WINDOW = 60; // lattice half-width searched for the outline, in cells

const GRID_COUNT = 1500;
const DISTRICT_COUNT = 7;
const STREET_COUNT = 30;
const COMMUNITY_COUNT = 150;

/** Vertex (i, j) is the south-west corner of cell (i, j); cell (0, 0) is centred on the city centre. */
function vertexLonLat(i: number, j: number): [number, number] {
  return [
    (CENTER_LON_MICRO + i * STEP_LON_MICRO - STEP_LON_MICRO / 2) / 1e6,
    (CENTER_LAT_MICRO + j * STEP_LAT_MICRO - STEP_LAT_MICRO / 2) / 1e6,
  ];
}

interface CityShape {
  cells: number[];
  /** 0 at the centre, 1 at the outline, along the same ray */
  remoteness: Map<number, number>;
}

/** A lumpy, slightly stretched blob: a radius modulated by a few low harmonics. */
function cityShape(rng: Rng): CityShape {
  const rotation = between(rng, 0, Math.PI);
  const stretch = between(rng, 1.1, 1.35);
  const harmonics = [
    { k: 2, a: between(rng, 0.08, 0.18), phase: between(rng, 0, 2 * Math.PI) },
    { k: 3, a: between(rng, 0.04, 0.1), phase: between(rng, 0, 2 * Math.PI) },
    { k: 4, a: between(rng, 0.02, 0.06), phase: between(rng, 0, 2 * Math.PI) },
    { k: 5, a: between(rng, 0.01, 0.04), phase: between(rng, 0, 2 * Math.PI) },
  ];
  const ranked: { key: number; r: number }[] = [];
  for (let j = -WINDOW; j <= WINDOW; j++) {
    for (let i = -WINDOW; i <= WINDOW; i++) {
      const x = (i * Math.cos(rotation) + j * Math.sin(rotation)) / stretch;
      const y = -i * Math.sin(rotation) + j * Math.cos(rotation);
      const theta = Math.atan2(y, x);
      const shape = harmonics.reduce((s, h) => s + h.a * Math.cos(h.k * theta + h.phase), 1);
      ranked.push({ key: cellKey(i, j), r: Math.hypot(x, y) / shape });
    }
  }
  ranked.sort((a, b) => a.r - b.r || a.key - b.key);
  const taken = ranked.slice(0, GRID_COUNT);
  const edge = taken[taken.length - 1]?.r ?? 1;
  const cells = fillHoles(largestComponent(taken.map((t) => t.key)));
  const rByKey = new Map(ranked.map((t) => [t.key, t.r]));
  const remoteness = new Map(cells.map((c) => [c, (rByKey.get(c) ?? edge) / edge]));
  return { cells, remoteness };
}

/** Splits `total` children among parents by size (largest remainder), at least `min` each. */
function allocate(total: number, sizes: readonly number[], min: number): number[] {
  const sum = sizes.reduce((a, b) => a + b, 0);
  const exact = sizes.map((s) => (total * s) / sum);
  const counts = exact.map((e) => Math.floor(e));
  const order = exact.map((e, idx) => ({ idx, rest: e - Math.floor(e) })).sort((a, b) => b.rest - a.rest || a.idx - b.idx);
  let left = total - counts.reduce((a, b) => a + b, 0);
  for (const { idx } of order) {
    if (left <= 0) break;
    counts[idx] = (counts[idx] ?? 0) + 1;
    left--;
  }
  return counts.map((c, idx) => Math.min(Math.max(c, min), sizes[idx] ?? 1));
}

/** Numbering runs north to south, then west to east, like reading a map. */
function byMapOrder(regions: number[][]): number[][] {
  const centroid = (r: number[]) => {
    const n = r.length || 1;
    return { x: r.reduce((s, c) => s + cellI(c), 0) / n, y: r.reduce((s, c) => s + cellJ(c), 0) / n };
  };
  const keyed = regions.map((r) => ({ r, c: centroid(r) }));
  keyed.sort((a, b) => b.c.y - a.c.y || a.c.x - b.c.x || (a.r[0] ?? 0) - (b.r[0] ?? 0));
  return keyed.map((k) => k.r);
}

function cellAreaType(remoteness: number): AreaType {
  if (remoteness < 0.5) return 'urban';
  return remoteness < 0.8 ? 'suburban' : 'rural';
}

const AREA_TYPES: readonly AreaType[] = ['urban', 'suburban', 'rural'];

/** The most common area type of the cells; ties go to the more urban one. */
function majorityType(cells: readonly number[], typeOf: (c: number) => AreaType): AreaType {
  const counts = new Map<AreaType, number>();
  for (const c of cells) counts.set(typeOf(c), (counts.get(typeOf(c)) ?? 0) + 1);
  let best: AreaType = 'urban';
  for (const t of AREA_TYPES) if ((counts.get(t) ?? 0) > (counts.get(best) ?? 0)) best = t;
  return best;
}

const pad3 = (n: number) => String(n).padStart(3, '0');

/**
 * The fictitious demo city (临江市, code 990100): a deterministic tree of
 * districts, streets, communities and ~350 m square grids around 30.60°N 114.30°E.
 */
export function generateDemoCity(seed = 1): JurisdictionCollection {
  const rng = mulberry32(seed);
  const { cells, remoteness } = cityShape(rng);
  const typeOf = (c: number) => cellAreaType(remoteness.get(c) ?? 1);
  const byLevel: Record<Level, JurisdictionFeature[]> = { city: [], district: [], street: [], community: [], grid: [] };
  const emit = (level: Level, id: string, parentId: string | null, name: string, area: readonly number[]) => {
    byLevel[level].push({
      type: 'Feature',
      properties: { id, level, parentId, name, areaType: majorityType(area, typeOf) },
      geometry: traceOutline(area, vertexLonLat),
    });
  };

  emit('city', DEMO_CITY_ID, null, DEMO_CITY_NAME, cells);
  const districts = byMapOrder(partitionCells(cells, DISTRICT_COUNT, rng));
  const dNames = districtNames(rng, districts.length);
  const placeName = placeNameSource(rng);
  const streetCounts = allocate(STREET_COUNT, districts.map((d) => d.length), 2);
  const streets = districts.map((d, di) => byMapOrder(partitionCells(d, streetCounts[di] ?? 2, rng)));
  const communityCounts = allocate(COMMUNITY_COUNT, streets.flat().map((s) => s.length), 1);
  let streetSeq = 0;

  districts.forEach((district, di) => {
    const districtId = `9901${String(di + 2).padStart(2, '0')}`; // 01 is reserved for 市辖区 in GB/T 2260
    emit('district', districtId, DEMO_CITY_ID, dNames[di] ?? `第${di + 1}区`, district);
    (streets[di] ?? []).forEach((street, si) => {
      const streetId = districtId + pad3(si + 1);
      emit('street', streetId, districtId, `${placeName()}街道`, street);
      const communities = byMapOrder(partitionCells(street, communityCounts[streetSeq++] ?? 1, rng));
      communities.forEach((community, ci) => {
        const communityId = streetId + pad3(ci + 1);
        const communityName = `${placeName()}社区`;
        emit('community', communityId, streetId, communityName, community);
        const gridCells = [...community].sort((a, b) => cellJ(b) - cellJ(a) || cellI(a) - cellI(b));
        gridCells.forEach((cell, gi) => {
          emit('grid', communityId + pad3(gi + 1), communityId, `${communityName}第${gi + 1}网格`, [cell]);
        });
      });
    });
  });
  const features = [...byLevel.city, ...byLevel.district, ...byLevel.street, ...byLevel.community, ...byLevel.grid];
  return { type: 'FeatureCollection', features };
}
