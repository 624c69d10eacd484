/**
 * The neighbours of every grid cell, for the crime model's kernel smoothing (cell-score.ts).
 * Grids are squares of one size in the demo city and in generated grids (GRID_CELL_METERS), but
 * a jurisdiction file may bring any shapes: neighbours are found by the distance between bounding
 * box centres, relative to the typical spacing (the median distance to the nearest other cell):
 * up to 1.25 × spacing an edge neighbour, up to 1.6 × spacing a corner neighbour. Pure.
 */
import type { AreaGeometry } from '../../shared/jurisdiction.js';
import type { JurisdictionTree } from '../geo/types.js';

export interface CellNeighbours {
  edge: readonly string[];
  corner: readonly string[];
}

export interface NeighbourIndex {
  of(gridId: string): CellNeighbours;
  /** the typical spacing between cell centres, metres */
  spacingMeters: number;
  /** the district each grid belongs to (null when the tree has none) */
  districtOf(gridId: string): string | null;
}

const NONE: CellNeighbours = Object.freeze({ edge: Object.freeze([]), corner: Object.freeze([]) });
const EDGE = 1.25;
const CORNER = 1.6;

function bboxCentre(g: AreaGeometry): [number, number] {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  for (const poly of polys) {
    for (const [x, y] of poly[0] ?? []) {
      if (x! < minX) minX = x!;
      if (x! > maxX) maxX = x!;
      if (y! < minY) minY = y!;
      if (y! > maxY) maxY = y!;
    }
  }
  return [(minX + maxX) / 2, (minY + maxY) / 2];
}

/** Cells as [id, x, y] in metres (any local projection). */
export function neighboursFromPoints(points: readonly (readonly [string, number, number])[]): { map: Map<string, CellNeighbours>; spacing: number } {
  const map = new Map<string, CellNeighbours>();
  if (points.length < 2) return { map, spacing: 0 };
  // a first spacing guess from the area per cell, then buckets of that size
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const [, x, y] of points) {
    minX = Math.min(minX, x); maxX = Math.max(maxX, x); minY = Math.min(minY, y); maxY = Math.max(maxY, y);
  }
  const guess = Math.max(1, Math.sqrt(((maxX - minX) * (maxY - minY)) / points.length));
  const nearestAll = (bucket: number) => {
    const buckets = new Map<string, number[]>();
    const key = (bx: number, by: number) => `${bx},${by}`;
    points.forEach(([, x, y], i) => {
      const k = key(Math.floor(x / bucket), Math.floor(y / bucket));
      const list = buckets.get(k);
      if (list) list.push(i); else buckets.set(k, [i]);
    });
    return (i: number, within: number, visit: (j: number, d: number) => void) => {
      const [, x, y] = points[i]!;
      const reach = Math.ceil(within / bucket);
      const bx = Math.floor(x / bucket), by = Math.floor(y / bucket);
      for (let dx = -reach; dx <= reach; dx++) {
        for (let dy = -reach; dy <= reach; dy++) {
          for (const j of buckets.get(key(bx + dx, by + dy)) ?? []) {
            if (j === i) continue;
            const d = Math.hypot(points[j]![1] - x, points[j]![2] - y);
            if (d <= within) visit(j, d);
          }
        }
      }
    };
  };
  let near = nearestAll(guess);
  const nearest: number[] = [];
  for (let i = 0; i < points.length; i++) {
    let best = Infinity;
    near(i, 2 * guess, (_j, d) => { if (d < best) best = d; });
    if (Number.isFinite(best)) nearest.push(best);
  }
  nearest.sort((a, b) => a - b);
  const spacing = nearest.length ? nearest[Math.floor(nearest.length / 2)]! : guess;
  if (spacing <= 0) return { map, spacing: 0 };
  near = nearestAll(spacing);
  for (let i = 0; i < points.length; i++) {
    const edge: string[] = [];
    const corner: string[] = [];
    near(i, CORNER * spacing, (j, d) => (d <= EDGE * spacing ? edge : corner).push(points[j]![0]));
    map.set(points[i]![0], { edge: edge.sort(), corner: corner.sort() });
  }
  return { map, spacing };
}

export function buildNeighbourIndex(tree: JurisdictionTree): NeighbourIndex {
  const grids = tree.collection.features.filter((f) => f.properties.level === 'grid');
  const centres = grids.map((f) => bboxCentre(f.geometry));
  const lat0 = centres.length ? centres.reduce((s, c) => s + c[1], 0) / centres.length : 0;
  const kx = 111_320 * Math.cos((lat0 * Math.PI) / 180);
  const ky = 110_540;
  const { map, spacing } = neighboursFromPoints(grids.map((f, i) => [f.properties.id, centres[i]![0] * kx, centres[i]![1] * ky] as const));
  const district = new Map<string, string | null>();
  for (const f of grids) {
    const id = f.properties.id;
    district.set(id, tree.chain(id).find((j) => tree.get(j)?.level === 'district') ?? null);
  }
  return {
    of: (id) => map.get(id) ?? NONE,
    spacingMeters: spacing,
    districtOf: (id) => district.get(id) ?? null,
  };
}
