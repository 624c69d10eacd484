import { kml } from '@tmcw/togeojson';
import { DOMParser } from '@xmldom/xmldom';
import { areaGeometrySchema, type AreaGeometry } from '../../shared/jurisdiction.js';
import { geometryProblems, JurisdictionDataError } from './jurisdiction-checks.js';

type Position = [number, number];
type Ring = Position[];

/** One boundary polygon of a file that has no tree: a placemark's name, its other properties and its area. */
export interface Boundary {
  name: string;
  properties: Record<string, unknown>;
  geometry: AreaGeometry;
}

/** 2-D positions (altitudes dropped), rings closed; null when a ring has fewer than 3 distinct corners. */
function cleanRing(raw: unknown): Ring | null {
  if (!Array.isArray(raw)) return null;
  const ring: Ring = [];
  for (const p of raw as unknown[]) {
    if (!Array.isArray(p) || typeof p[0] !== 'number' || typeof p[1] !== 'number') return null;
    ring.push([p[0], p[1]]);
  }
  const first = ring[0], last = ring[ring.length - 1];
  if (first && last && (first[0] !== last[0] || first[1] !== last[1])) ring.push([first[0], first[1]]);
  return ring.length >= 4 ? ring : null;
}

function cleanPolygon(raw: unknown): Ring[] | null {
  if (!Array.isArray(raw)) return null;
  const outer = cleanRing(raw[0]);
  if (!outer) return null;
  const holes = (raw as unknown[]).slice(1).map(cleanRing).filter((r): r is Ring => r !== null);
  return [outer, ...holes];
}

/** Polygons of a GeoJSON geometry; points and lines are ignored, collections (KML MultiGeometry) flattened. */
function polygonsOf(geometry: unknown, depth = 0): Ring[][] {
  if (typeof geometry !== 'object' || geometry === null || depth > 8) return [];
  const g = geometry as { type?: unknown; coordinates?: unknown; geometries?: unknown };
  if (g.type === 'Polygon') {
    const p = cleanPolygon(g.coordinates);
    return p ? [p] : [];
  }
  if (g.type === 'MultiPolygon' && Array.isArray(g.coordinates)) {
    return (g.coordinates as unknown[]).map(cleanPolygon).filter((p): p is Ring[] => p !== null);
  }
  if (g.type === 'GeometryCollection' && Array.isArray(g.geometries)) {
    return (g.geometries as unknown[]).flatMap((x) => polygonsOf(x, depth + 1));
  }
  return [];
}

/** A Polygon for one polygon, else a MultiPolygon; null for none. */
export function areaFromGeometry(geometry: unknown): AreaGeometry | null {
  const polys = polygonsOf(geometry);
  if (polys.length === 0) return null;
  if (polys.length === 1) return { type: 'Polygon', coordinates: polys[0] as Ring[] };
  return { type: 'MultiPolygon', coordinates: polys };
}

/**
 * Boundaries from GeoJSON-like features (the output of togeojson, or a GeoJSON file
 * without a tree): every feature with at least one polygon, in file order.
 * Throws JurisdictionDataError when a polygon is malformed or there is none at all.
 */
export function boundariesFromFeatures(features: readonly unknown[], source: string): Boundary[] {
  const out: Boundary[] = [];
  const problems: string[] = [];
  features.forEach((f, idx) => {
    const feature = (typeof f === 'object' && f !== null ? f : {}) as { properties?: unknown; geometry?: unknown };
    const geometry = areaFromGeometry(feature.geometry);
    if (!geometry) return;
    const parsed = areaGeometrySchema.safeParse(geometry);
    if (!parsed.success) {
      problems.push(`features[${idx}].geometry: ${parsed.error.issues[0]?.message ?? 'invalid polygon'}`);
      return;
    }
    problems.push(...geometryProblems(geometry, `features[${idx}].geometry`));
    const properties = typeof feature.properties === 'object' && feature.properties !== null
      ? { ...(feature.properties as Record<string, unknown>) } : {};
    const rawName = properties.name;
    const name = typeof rawName === 'string' ? rawName.trim() : typeof rawName === 'number' ? String(rawName) : '';
    out.push({ name, properties, geometry });
  });
  if (problems.length > 0) throw new JurisdictionDataError(source, problems);
  if (out.length === 0) throw new JurisdictionDataError(source, ['no Polygon or MultiPolygon features (KML Polygon / MultiGeometry placemarks)']);
  return out;
}

/**
 * KML text → boundary polygons, one per placemark that has a Polygon (a KML
 * MultiGeometry of several polygons becomes a MultiPolygon). Parsed with
 * @xmldom/xmldom and converted by @tmcw/togeojson; bad XML or a file without
 * polygons throws JurisdictionDataError.
 */
export function parseKml(text: string, source = 'KML'): Boundary[] {
  const errors: string[] = [];
  let doc: ReturnType<DOMParser['parseFromString']>;
  try {
    doc = new DOMParser({
      onError: (level, message) => { if (level !== 'warning') errors.push(`not well-formed XML: ${message.trim()}`); },
    }).parseFromString(text, 'text/xml');
  } catch (err) {
    throw new JurisdictionDataError(source, [`not well-formed XML: ${err instanceof Error ? err.message.trim() : String(err)}`]);
  }
  if (errors.length > 0) throw new JurisdictionDataError(source, errors);
  const root = doc.documentElement;
  if (!root || root.localName !== 'kml') {
    throw new JurisdictionDataError(source, [`not KML: the root element is <${root?.nodeName ?? 'nothing'}>, expected <kml>`]);
  }
  const collection = kml(doc as unknown as Parameters<typeof kml>[0]);
  return boundariesFromFeatures(collection.features, source);
}
