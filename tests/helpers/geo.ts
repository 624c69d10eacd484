import { loadJurisdictions } from '../../server/geo/tree.js';
import type { JurisdictionTree } from '../../server/geo/types.js';

let cached: JurisdictionTree | null = null;
/** The demo city, built once per test file. */
export function demoTree(): JurisdictionTree {
  cached ??= loadJurisdictions();
  return cached;
}

/** The centre of the n-th grid (grids of the demo city are squares), with its id. */
export function gridCenter(n = 0, tree = demoTree()): { gridId: string; lat: number; lon: number } {
  const gridId = tree.idsAt('grid')[n]!;
  const f = tree.collection.features.find((x) => x.properties.id === gridId)!;
  const ring = f.geometry.type === 'Polygon' ? f.geometry.coordinates[0]! : f.geometry.coordinates[0]![0]!;
  const pts = ring.slice(0, -1);
  const lon = pts.reduce((s, p) => s + p[0]!, 0) / pts.length;
  const lat = pts.reduce((s, p) => s + p[1]!, 0) / pts.length;
  return { gridId, lat, lon };
}

/** A point far outside the city (about 50 km south of its southern edge). */
export function farOutside(tree = demoTree()): { lat: number; lon: number } {
  let minLat = Infinity;
  let lon = 0;
  for (const f of tree.collection.features) {
    if (f.properties.level !== 'city') continue;
    const rings = f.geometry.type === 'Polygon' ? [f.geometry.coordinates[0]!] : f.geometry.coordinates.map((p) => p[0]!);
    for (const r of rings) for (const p of r) if (p[1]! < minLat) { minLat = p[1]!; lon = p[0]!; }
  }
  return { lat: minLat - 0.45, lon };
}
