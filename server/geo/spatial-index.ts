import type { AreaGeometry } from '../../shared/jurisdiction.js';
import {
  areaContains, bboxDistanceMeters, edgeDistanceMeters, METERS_PER_DEGREE, metersPerDegree, prepareArea,
  type PreparedArea,
} from './polygon-math.js';

export interface IndexedArea {
  id: string;
  geometry: AreaGeometry;
}

export interface SpatialHit {
  id: string;
  /** true when no area contains the point and the nearest one within the snap radius was taken */
  outOfArea: boolean;
  /** 0 when inside; else metres from the point to the nearest edge of the area */
  distanceMeters: number;
}

export interface SpatialIndex {
  readonly size: number;
  /** the area containing the point (smallest id on shared borders), else the nearest within maxSnapMeters, else null */
  locate(lat: number, lon: number, maxSnapMeters: number): SpatialHit | null;
}

const MAX_BUCKETS_PER_AXIS = 2048;

/**
 * Buckets of a uniform grid over the areas' bounding boxes, stored as one flat
 * list with offsets (CSR) so a lookup touches two typed arrays and no objects.
 * Areas are numbered in ascending id order and bucketed in that order, so the
 * first area in a bucket that contains the point is already the tie-break winner.
 */
export function buildSpatialIndex(input: readonly IndexedArea[]): SpatialIndex {
  const sorted = [...input].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const ids = sorted.map((a) => a.id);
  const areas: PreparedArea[] = sorted.map((a) => prepareArea(a.geometry));
  let minLon = Infinity, minLat = Infinity, maxLon = -Infinity, maxLat = -Infinity;
  for (const a of areas) {
    minLon = Math.min(minLon, a.minLon); maxLon = Math.max(maxLon, a.maxLon);
    minLat = Math.min(minLat, a.minLat); maxLat = Math.max(maxLat, a.maxLat);
  }
  if (areas.length === 0) return { size: 0, locate: () => null };

  // about one area per bucket, with roughly square buckets on the ground
  const { kx, ky } = metersPerDegree((minLat + maxLat) / 2);
  const widthM = Math.max((maxLon - minLon) * kx, 1e-3), heightM = Math.max((maxLat - minLat) * ky, 1e-3);
  const side = Math.sqrt((widthM * heightM) / areas.length);
  const cols = Math.min(MAX_BUCKETS_PER_AXIS, Math.max(1, Math.ceil(widthM / side)));
  const rows = Math.min(MAX_BUCKETS_PER_AXIS, Math.max(1, Math.ceil(heightM / side)));
  const bw = Math.max(maxLon - minLon, 1e-12) / cols, bh = Math.max(maxLat - minLat, 1e-12) / rows;
  const col = (lon: number) => Math.min(cols - 1, Math.max(0, Math.floor((lon - minLon) / bw)));
  const row = (lat: number) => Math.min(rows - 1, Math.max(0, Math.floor((lat - minLat) / bh)));

  const offsets = new Int32Array(cols * rows + 1);
  const eachBucket = (a: PreparedArea, fn: (b: number) => void) => {
    const c0 = col(a.minLon), c1 = col(a.maxLon), r0 = row(a.minLat), r1 = row(a.maxLat);
    for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) fn(r * cols + c);
  };
  for (const a of areas) eachBucket(a, (b) => { offsets[b + 1] = (offsets[b + 1] ?? 0) + 1; });
  for (let b = 0; b < cols * rows; b++) offsets[b + 1] = (offsets[b + 1] ?? 0) + (offsets[b] ?? 0);
  const items = new Int32Array(offsets[cols * rows] ?? 0);
  const fill = offsets.slice(0, cols * rows);
  areas.forEach((a, idx) => eachBucket(a, (b) => {
    const at = fill[b] ?? 0;
    items[at] = idx;
    fill[b] = at + 1;
  }));

  const containing = (lat: number, lon: number): number => {
    if (lon < minLon || lon > maxLon || lat < minLat || lat > maxLat) return -1;
    const b = row(lat) * cols + col(lon);
    for (let k = offsets[b] ?? 0, end = offsets[b + 1] ?? 0; k < end; k++) {
      const idx = items[k] ?? 0;
      if (areaContains(areas[idx] as PreparedArea, lon, lat)) return idx;
    }
    return -1;
  };

  // per-query "seen" marks without allocating: a stamp counter instead of a Set
  const seen = new Uint32Array(areas.length);
  let stamp = 0;
  /**
   * Buckets are visited in square rings around the point's (possibly virtual)
   * bucket; a ring r buckets out is at least r - 1 bucket widths away, so the
   * search stops as soon as that exceeds the best distance found.
   */
  const nearest = (lat: number, lon: number, radius: number): SpatialHit | null => {
    const { kx: qx, ky: qy } = metersPerDegree(lat);
    const dLat = radius / METERS_PER_DEGREE, dLon = radius / Math.max(qx, 1e-9);
    if (lon + dLon < minLon || lon - dLon > maxLon || lat + dLat < minLat || lat - dLat > maxLat) return null;
    stamp = stamp === 0xffffffff ? (seen.fill(0), 1) : stamp + 1;
    let best = -1, bestD = Infinity;
    const visit = (c: number, r: number) => {
      if (c < 0 || c >= cols || r < 0 || r >= rows) return;
      const b = r * cols + c;
      for (let k = offsets[b] ?? 0, end = offsets[b + 1] ?? 0; k < end; k++) {
        const idx = items[k] ?? 0;
        if (seen[idx] === stamp) continue;
        seen[idx] = stamp;
        const area = areas[idx] as PreparedArea;
        if (bboxDistanceMeters(area, lon, lat, qx, qy) > Math.min(bestD, radius)) continue;
        const d = edgeDistanceMeters(area, lon, lat, qx, qy);
        if (d < bestD || (d === bestD && idx < best)) { best = idx; bestD = d; }
      }
    };
    const pc = Math.floor((lon - minLon) / bw), pr = Math.floor((lat - minLat) / bh);
    const ringStep = Math.min(bw * qx, bh * qy);
    const first = Math.max(0, -pc, pc - (cols - 1), -pr, pr - (rows - 1));
    const last = Math.max(pc, cols - 1 - pc, pr, rows - 1 - pr);
    for (let ring = first; ring <= last; ring++) {
      if ((ring - 1) * ringStep > Math.min(bestD, radius)) break;
      if (ring === 0) { visit(pc, pr); continue; }
      const c0 = Math.max(0, pc - ring), c1 = Math.min(cols - 1, pc + ring);
      for (let c = c0; c <= c1; c++) { visit(c, pr - ring); visit(c, pr + ring); }
      const r0 = Math.max(0, pr - ring + 1), r1 = Math.min(rows - 1, pr + ring - 1);
      for (let r = r0; r <= r1; r++) { visit(pc - ring, r); visit(pc + ring, r); }
    }
    if (best < 0 || bestD > radius) return null;
    return { id: ids[best] as string, outOfArea: true, distanceMeters: bestD };
  };

  return {
    size: areas.length,
    locate(lat, lon, maxSnapMeters) {
      if (!Number.isFinite(lat) || !Number.isFinite(lon)) return null;
      const inside = containing(lat, lon);
      if (inside >= 0) return { id: ids[inside] as string, outOfArea: false, distanceMeters: 0 };
      const radius = Number.isNaN(maxSnapMeters) ? 0 : Math.max(0, maxSnapMeters);
      return radius > 0 ? nearest(lat, lon, radius) : null;
    },
  };
}
