// A two-grid jurisdiction tree built in memory, with the ids of tests/helpers/facts.ts.
import type { AreaType, JurisdictionCollection, JurisdictionFeature, Level } from '../../shared/jurisdiction.js';
import { buildJurisdictionTree } from '../../server/geo/tree.js';
import type { JurisdictionTree } from '../../server/geo/types.js';

function box(id: string, level: Level, parentId: string | null, [w, s, e, n]: number[], areaType: AreaType = 'urban'): JurisdictionFeature {
  return {
    type: 'Feature',
    properties: { id, level, parentId, name: id, areaType },
    geometry: { type: 'Polygon', coordinates: [[[w!, s!], [e!, s!], [e!, n!], [w!, n!], [w!, s!]]] },
  };
}

const WEST = [114.0, 30.0, 114.02, 30.02];
const EAST = [114.02, 30.0, 114.04, 30.02];
const ALL = [114.0, 30.0, 114.04, 30.02];

/** gA (urban, west half) and gB (suburban, east half) of city c1; grids are about 1.9 km × 2.2 km. */
export const TINY_CITY: JurisdictionCollection = {
  type: 'FeatureCollection',
  features: [
    box('c1', 'city', null, ALL),
    box('d1', 'district', 'c1', ALL),
    box('s1', 'street', 'd1', WEST),
    box('s2', 'street', 'd1', EAST),
    box('mA', 'community', 's1', WEST),
    box('mB', 'community', 's2', EAST, 'suburban'),
    box('gA', 'grid', 'mA', WEST),
    box('gB', 'grid', 'mB', EAST, 'suburban'),
  ],
};

/** Points: inside gA, inside gB, ~1.1 km south of gA (snapped), ~5.5 km south (refused). */
export const IN_A = { lat: 30.01, lon: 114.01 };
export const IN_B = { lat: 30.01, lon: 114.03 };
export const NEAR_A = { lat: 29.99, lon: 114.01 };
export const FAR = { lat: 29.95, lon: 114.01 };

export function tinyTree(): JurisdictionTree {
  return buildJurisdictionTree(TINY_CITY);
}
