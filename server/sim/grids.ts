import type { AreaGeometry, JurisdictionCollection, JurisdictionProps } from '../../shared/jurisdiction.js';
import type { SimGrid } from './space.js';

type Ring = [number, number][];

function outerRings(geometry: AreaGeometry): Ring[] {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  // Holes are ignored: a point in a grid's hole is still in the city, so at worst the
  // server maps it to the neighbouring grid.
  return polygons.map((rings) => (rings[0] ?? []).map((p) => [p[0], p[1]] as [number, number]));
}

/** Area-weighted centroid of a ring (shoelace), falling back to the vertex mean for degenerate rings. */
function ringCentroid(ring: Ring): { lon: number; lat: number; area: number } {
  // Relative to the first vertex: raw degrees (114.x, 30.x) lose digits in the cross products.
  const [ox, oy] = ring[0] ?? [0, 0];
  let a = 0;
  let cx = 0;
  let cy = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [x0, y0] = ring[j] as [number, number];
    const [x1, y1] = ring[i] as [number, number];
    const [ax, ay, bx, by] = [x0 - ox, y0 - oy, x1 - ox, y1 - oy];
    const cross = ax * by - bx * ay;
    a += cross;
    cx += (ax + bx) * cross;
    cy += (ay + by) * cross;
  }
  if (Math.abs(a) < 1e-18) {
    const n = Math.max(1, ring.length);
    return {
      lon: ring.reduce((s, p) => s + p[0], 0) / n,
      lat: ring.reduce((s, p) => s + p[1], 0) / n,
      area: 0,
    };
  }
  return { lon: ox + cx / (3 * a), lat: oy + cy / (3 * a), area: Math.abs(a / 2) };
}

/** Walks parentId links up to the district (the unit of patrol areas). */
function ancestors(id: string, props: Map<string, JurisdictionProps>): JurisdictionProps[] {
  const out: JurisdictionProps[] = [];
  let cur = props.get(id);
  for (let guard = 0; cur && guard < 10; guard++) {
    out.push(cur);
    cur = cur.parentId ? props.get(cur.parentId) : undefined;
  }
  return out;
}

/** Turns the jurisdiction tree served by GET /jurisdictions into the simulator's grid list. */
export function simGridsFromCollection(collection: JurisdictionCollection): SimGrid[] {
  const props = new Map(collection.features.map((f) => [f.properties.id, f.properties]));
  const grids: SimGrid[] = [];
  for (const f of collection.features) {
    if (f.properties.level !== 'grid') continue;
    const rings = outerRings(f.geometry).filter((r) => r.length >= 3);
    if (rings.length === 0) continue;
    let [minLon, minLat, maxLon, maxLat] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const r of rings) {
      for (const [lon, lat] of r) {
        minLon = Math.min(minLon, lon);
        minLat = Math.min(minLat, lat);
        maxLon = Math.max(maxLon, lon);
        maxLat = Math.max(maxLat, lat);
      }
    }
    const biggest = rings.map(ringCentroid).reduce((best, c) => (c.area > best.area ? c : best));
    const chain = ancestors(f.properties.id, props);
    const district = chain.find((p) => p.level === 'district');
    const place = chain
      .filter((p) => p.level === 'street' || p.level === 'community')
      .reverse()
      .map((p) => p.name)
      .join('');
    grids.push({
      id: f.properties.id,
      areaType: f.properties.areaType,
      centroid: { lat: biggest.lat, lon: biggest.lon },
      bbox: [minLon, minLat, maxLon, maxLat],
      ...(district ? { districtId: district.id } : {}),
      ...(place ? { place } : {}),
      rings,
    });
  }
  // Sorted by id so the model's seeded choices do not depend on the server's feature order.
  return grids.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
