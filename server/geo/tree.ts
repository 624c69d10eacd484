import type { JurisdictionCollection, JurisdictionProps, Level } from '../../shared/jurisdiction.js';
import { generateDemoCity } from './demo-city.js';
import { loadJurisdictionFile } from './geojson.js';
import { assertJurisdictionTree } from './jurisdiction-checks.js';
import { buildSpatialIndex } from './spatial-index.js';
import type { GridMatch, JurisdictionTree } from './types.js';

const DEFAULT_SNAP_METERS = 2000;

/**
 * Indexes a validated collection. Chains are precomputed per tree (not cached
 * module-wide) so that locate() costs one index lookup plus an array copy;
 * copies go out because callers store chains on entries and may mutate them.
 */
export function buildJurisdictionTree(collection: JurisdictionCollection): JurisdictionTree {
  assertJurisdictionTree(collection);
  const props = new Map<string, JurisdictionProps>();
  for (const f of collection.features) props.set(f.properties.id, Object.freeze({ ...f.properties }));

  const chains = new Map<string, readonly string[]>();
  const chainOf = (id: string): readonly string[] => {
    const known = chains.get(id);
    if (known) return known;
    const parentId = props.get(id)?.parentId;
    const chain = Object.freeze([id, ...(parentId ? chainOf(parentId) : [])]);
    chains.set(id, chain);
    return chain;
  };

  const byLevel = new Map<Level, string[]>();
  for (const p of props.values()) {
    chainOf(p.id);
    const list = byLevel.get(p.level);
    if (list) list.push(p.id); else byLevel.set(p.level, [p.id]);
  }
  for (const list of byLevel.values()) list.sort();
  const cityId = byLevel.get('city')?.[0] ?? '';

  const index = buildSpatialIndex(
    collection.features
      .filter((f) => f.properties.level === 'grid')
      .map((f) => ({ id: f.properties.id, geometry: f.geometry })),
  );

  return {
    collection,
    cityId,
    get: (id) => props.get(id),
    chain: (id) => [...(chains.get(id) ?? [])],
    idsAt: (level) => [...(byLevel.get(level) ?? [])],
    locate(lat, lon, maxSnapMeters = DEFAULT_SNAP_METERS): GridMatch | null {
      const hit = index.locate(lat, lon, maxSnapMeters);
      if (!hit) return null;
      return { gridId: hit.id, chain: [...(chains.get(hit.id) ?? [hit.id])], outOfArea: hit.outOfArea, distanceMeters: hit.distanceMeters };
    },
  };
}

/**
 * The tree from a GeoJSON or KML file, or the demo city (seed 1) when no file is given.
 * `gridCellMeters` (GRID_CELL_METERS) generates a square grid inside polygons that have no
 * grids; a file whose leaves are all grids loads unchanged whatever its value.
 */
export function loadJurisdictions(file?: string, gridCellMeters?: number): JurisdictionTree {
  return buildJurisdictionTree(file ? loadJurisdictionFile(file, gridCellMeters ? { gridCellMeters } : {}) : generateDemoCity(1));
}
