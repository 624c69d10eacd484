import type { AreaGeometry } from '../../shared/jurisdiction.js';

/** Metres per degree of latitude on the mean-radius sphere (IUGG R1 = 6,371,008.8 m). */
export const METERS_PER_DEGREE = (6_371_008.8 * Math.PI) / 180;

/**
 * Points within this many degrees (≈ 0.1 mm) of an edge count as on it: shared
 * borders of adjacent polygons rarely meet at bit-identical floats off the axes.
 */
const ON_EDGE_DEGREES = 1e-9;

/** A geometry flattened for hot loops: each ring is [lon0, lat0, lon1, lat1, …], closed. */
export interface PreparedArea {
  polygons: Float64Array[][];
  minLon: number;
  minLat: number;
  maxLon: number;
  maxLat: number;
}

function flattenRing(ring: readonly (readonly number[])[]): Float64Array {
  const first = ring[0];
  const last = ring[ring.length - 1];
  const open = first !== undefined && last !== undefined && (first[0] !== last[0] || first[1] !== last[1]);
  const n = ring.length + (open ? 1 : 0);
  const out = new Float64Array(n * 2);
  ring.forEach((p, k) => { out[2 * k] = p[0] ?? NaN; out[2 * k + 1] = p[1] ?? NaN; });
  if (open && first) { out[2 * n - 2] = first[0] ?? NaN; out[2 * n - 1] = first[1] ?? NaN; }
  return out;
}

export function prepareArea(geometry: AreaGeometry): PreparedArea {
  const polys = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  const polygons = polys.map((rings) => rings.map(flattenRing));
  let minLon = Infinity, minLat = Infinity, maxLon = -Infinity, maxLat = -Infinity;
  for (const rings of polygons) {
    for (const ring of rings) {
      for (let k = 0; k < ring.length; k += 2) {
        const x = ring[k] as number, y = ring[k + 1] as number;
        if (x < minLon) minLon = x;
        if (x > maxLon) maxLon = x;
        if (y < minLat) minLat = y;
        if (y > maxLat) maxLat = y;
      }
    }
  }
  return { polygons, minLon, minLat, maxLon, maxLat };
}

function onSegment(px: number, py: number, ax: number, ay: number, bx: number, by: number): boolean {
  const dx = bx - ax, dy = by - ay;
  const len = Math.hypot(dx, dy);
  if (len === 0) return Math.hypot(px - ax, py - ay) <= ON_EDGE_DEGREES;
  const cross = dx * (py - ay) - dy * (px - ax);
  if (Math.abs(cross) > ON_EDGE_DEGREES * len) return false;
  const along = dx * (px - ax) + dy * (py - ay);
  return along >= -ON_EDGE_DEGREES * len && along <= len * len + ON_EDGE_DEGREES * len;
}

/**
 * Ray casting (even–odd over all rings of a polygon, so holes are excluded);
 * points on any edge count as inside, which is what lets a shared border be
 * settled by the caller's tie-break instead of by floating-point luck.
 */
export function areaContains(area: PreparedArea, lon: number, lat: number): boolean {
  if (lon < area.minLon - ON_EDGE_DEGREES || lon > area.maxLon + ON_EDGE_DEGREES) return false;
  if (lat < area.minLat - ON_EDGE_DEGREES || lat > area.maxLat + ON_EDGE_DEGREES) return false;
  for (const rings of area.polygons) {
    let inside = false;
    for (const ring of rings) {
      for (let k = 0; k + 3 < ring.length; k += 2) {
        const ax = ring[k] as number, ay = ring[k + 1] as number;
        const bx = ring[k + 2] as number, by = ring[k + 3] as number;
        if (ay > lat !== by > lat) {
          const xCross = ((bx - ax) * (lat - ay)) / (by - ay) + ax;
          if (lon < xCross) inside = !inside;
        }
        // cheap bounding test first: the exact check is only needed near the edge
        if (
          lon >= Math.min(ax, bx) - ON_EDGE_DEGREES && lon <= Math.max(ax, bx) + ON_EDGE_DEGREES &&
          lat >= Math.min(ay, by) - ON_EDGE_DEGREES && lat <= Math.max(ay, by) + ON_EDGE_DEGREES &&
          onSegment(lon, lat, ax, ay, bx, by)
        ) return true;
      }
    }
    if (inside) return true;
  }
  return false;
}

/** Scale factors of the equirectangular projection centred on `lat`. */
export function metersPerDegree(lat: number): { kx: number; ky: number } {
  return { kx: METERS_PER_DEGREE * Math.cos((lat * Math.PI) / 180), ky: METERS_PER_DEGREE };
}

/** Lower bound of the distance from the point to anything inside the area's bounding box. */
export function bboxDistanceMeters(area: PreparedArea, lon: number, lat: number, kx: number, ky: number): number {
  const dx = Math.max(area.minLon - lon, 0, lon - area.maxLon) * kx;
  const dy = Math.max(area.minLat - lat, 0, lat - area.maxLat) * ky;
  return Math.hypot(dx, dy);
}

/** Shortest distance in metres from the point to any edge of the area, in a projection local to the point. */
export function edgeDistanceMeters(area: PreparedArea, lon: number, lat: number, kx: number, ky: number): number {
  let best = Infinity;
  for (const rings of area.polygons) {
    for (const ring of rings) {
      for (let k = 0; k + 3 < ring.length; k += 2) {
        const ax = ((ring[k] as number) - lon) * kx, ay = ((ring[k + 1] as number) - lat) * ky;
        const bx = ((ring[k + 2] as number) - lon) * kx, by = ((ring[k + 3] as number) - lat) * ky;
        const dx = bx - ax, dy = by - ay;
        const len2 = dx * dx + dy * dy;
        // project the origin (the query point) onto the segment, clamped to its ends
        const t = len2 === 0 ? 0 : Math.min(1, Math.max(0, -(ax * dx + ay * dy) / len2));
        const d = Math.hypot(ax + t * dx, ay + t * dy);
        if (d < best) best = d;
      }
    }
  }
  return best;
}
