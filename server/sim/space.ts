import { pointInRing } from '../../shared/geometry.js';
import type { AreaType, Location } from '../../shared/jurisdiction.js';
import type { Rng } from './random.js';

/** A grid as the simulator sees it: enough geometry to place things inside it. */
export interface SimGrid {
  id: string;
  areaType: AreaType;
  centroid: Location;
  /** [minLon, minLat, maxLon, maxLat] */
  bbox: [number, number, number, number];
  /** Units patrol inside their district; without one the whole city is one district. */
  districtId?: string;
  /** Human place name used as the start of generated addresses (e.g. street + community). */
  place?: string;
  /** Outer rings as [lon, lat] pairs; without them the bbox stands in for the shape. */
  rings?: [number, number][][];
}

const M_PER_DEG_LAT = 110_574;
const M_PER_DEG_LON_EQ = 111_320;

/** Metres between two points; equirectangular is accurate to well under 1% at city scale. */
export function distanceM(a: Location, b: Location): number {
  const { dx, dy } = deltaM(a, b);
  return Math.hypot(dx, dy);
}

/** East/north offset in metres from a to b. */
export function deltaM(a: Location, b: Location): { dx: number; dy: number } {
  const latRad = (((a.lat + b.lat) / 2) * Math.PI) / 180;
  return {
    dx: (b.lon - a.lon) * M_PER_DEG_LON_EQ * Math.cos(latRad),
    dy: (b.lat - a.lat) * M_PER_DEG_LAT,
  };
}

/** Compass bearing from a to b in [0, 360). */
export function bearingDeg(a: Location, b: Location): number {
  const { dx, dy } = deltaM(a, b);
  const deg = (Math.atan2(dx, dy) * 180) / Math.PI;
  return (deg + 360) % 360;
}

/** The point `meters` east and north of p. */
export function offsetM(p: Location, east: number, north: number): Location {
  const latRad = (p.lat * Math.PI) / 180;
  return {
    lat: p.lat + north / M_PER_DEG_LAT,
    lon: p.lon + east / (M_PER_DEG_LON_EQ * Math.cos(latRad)),
  };
}

/** Moves from `from` toward `to` by at most `meters`; returns the new point and whether it got there. */
export function moveToward(from: Location, to: Location, meters: number): { at: Location; reached: boolean } {
  const d = distanceM(from, to);
  if (d <= meters || d === 0) return { at: { ...to }, reached: true };
  const f = meters / d;
  return { at: { lat: from.lat + (to.lat - from.lat) * f, lon: from.lon + (to.lon - from.lon) * f }, reached: false };
}

/** Rounds to 6 decimals (about 0.1 m), which keeps payloads short and stable. */
export function round6(p: Location): Location {
  return { lat: Math.round(p.lat * 1e6) / 1e6, lon: Math.round(p.lon * 1e6) / 1e6 };
}

/** True when the point lies in the grid (its rings, else its bbox). */
export function gridContains(grid: SimGrid, p: Location): boolean {
  const [minLon, minLat, maxLon, maxLat] = grid.bbox;
  if (p.lon < minLon || p.lon > maxLon || p.lat < minLat || p.lat > maxLat) return false;
  if (!grid.rings || grid.rings.length === 0) return true;
  return grid.rings.some((r) => pointInRing(r, p.lon, p.lat));
}

/** The grids of a city with the lookups the simulator needs. */
export class CityMap {
  readonly bbox: [number, number, number, number];
  readonly districts = new Map<string, SimGrid[]>();
  private readonly byId = new Map<string, SimGrid>();
  /** Uniform buckets of about one grid each: locate runs for every GPS fix. */
  private readonly buckets = new Map<string, SimGrid[]>();
  private readonly cellLon: number;
  private readonly cellLat: number;

  constructor(readonly grids: readonly SimGrid[]) {
    if (grids.length === 0) throw new Error('the simulator needs at least one grid');
    let [minLon, minLat, maxLon, maxLat] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const g of grids) {
      this.byId.set(g.id, g);
      minLon = Math.min(minLon, g.bbox[0]);
      minLat = Math.min(minLat, g.bbox[1]);
      maxLon = Math.max(maxLon, g.bbox[2]);
      maxLat = Math.max(maxLat, g.bbox[3]);
      const d = g.districtId ?? '(city)';
      const list = this.districts.get(d) ?? [];
      list.push(g);
      this.districts.set(d, list);
    }
    this.bbox = [minLon, minLat, maxLon, maxLat];
    this.cellLon = Math.max(1e-6, grids.reduce((sum, g) => sum + g.bbox[2] - g.bbox[0], 0) / grids.length);
    this.cellLat = Math.max(1e-6, grids.reduce((sum, g) => sum + g.bbox[3] - g.bbox[1], 0) / grids.length);
    for (const g of grids) {
      for (let x = this.cellX(g.bbox[0]); x <= this.cellX(g.bbox[2]); x++) {
        for (let y = this.cellY(g.bbox[1]); y <= this.cellY(g.bbox[3]); y++) {
          const key = `${x},${y}`;
          const list = this.buckets.get(key) ?? [];
          list.push(g);
          this.buckets.set(key, list);
        }
      }
    }
  }

  private cellX(lon: number): number {
    return Math.floor((lon - this.bbox[0]) / this.cellLon);
  }

  private cellY(lat: number): number {
    return Math.floor((lat - this.bbox[1]) / this.cellLat);
  }

  get(id: string): SimGrid | undefined {
    return this.byId.get(id);
  }

  districtOf(grid: SimGrid): SimGrid[] {
    return this.districts.get(grid.districtId ?? '(city)') ?? [grid];
  }

  /** The grid containing p, if any. */
  locate(p: Location): SimGrid | undefined {
    const candidates = this.buckets.get(`${this.cellX(p.lon)},${this.cellY(p.lat)}`) ?? [];
    return candidates.find((g) => gridContains(g, p));
  }

  /** A uniform point inside the grid (rejection sampling on its bbox; centroid as a last resort). */
  randomPointIn(grid: SimGrid, rng: Rng): Location {
    const [minLon, minLat, maxLon, maxLat] = grid.bbox;
    for (let i = 0; i < 20; i++) {
      const p = { lat: rng.range(minLat, maxLat), lon: rng.range(minLon, maxLon) };
      if (gridContains(grid, p)) return p;
    }
    return { ...grid.centroid };
  }

  /** A point within `radius` metres of p that still lies in some grid, else p itself. */
  randomPointNear(p: Location, radius: number, rng: Rng): { at: Location; grid: SimGrid | undefined } {
    for (let i = 0; i < 8; i++) {
      const r = radius * Math.sqrt(rng.next());
      const a = rng.range(0, 2 * Math.PI);
      const q = offsetM(p, r * Math.cos(a), r * Math.sin(a));
      const g = this.locate(q);
      if (g) return { at: q, grid: g };
    }
    return { at: { ...p }, grid: this.locate(p) };
  }

  /** Clamps a point into the city's bbox (GPS noise must not leave the map). */
  clamp(p: Location): Location {
    const [minLon, minLat, maxLon, maxLat] = this.bbox;
    return { lat: Math.min(maxLat, Math.max(minLat, p.lat)), lon: Math.min(maxLon, Math.max(minLon, p.lon)) };
  }
}
