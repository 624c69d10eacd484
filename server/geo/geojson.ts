import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { ZodError } from 'zod';
import { jurisdictionCollectionSchema, type JurisdictionCollection } from '../../shared/jurisdiction.js';
import { geometryProblems, JurisdictionDataError, treeProblems } from './jurisdiction-checks.js';
import { boundariesFromFeatures, parseKml, type Boundary } from './kml.js';
import { addSquareGrids, treeFromBoundaries } from './square-grid.js';

/** `features[3].properties.parentId`, the way a person would look it up in the file. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `${out ? '.' : ''}${String(key)}`;
  return out || '(root)';
}

function featureIdAt(data: unknown, path: readonly PropertyKey[]): string | undefined {
  if (path[0] !== 'features' || typeof path[1] !== 'number' || typeof data !== 'object' || data === null) return undefined;
  const features: unknown = (data as { features?: unknown }).features;
  const feature: unknown = Array.isArray(features) ? features[path[1]] : undefined;
  const props: unknown = typeof feature === 'object' && feature !== null ? (feature as { properties?: unknown }).properties : undefined;
  const id: unknown = typeof props === 'object' && props !== null ? (props as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : undefined;
}

function schemaProblems(data: unknown, error: ZodError): string[] {
  return error.issues.map((issue) => {
    const id = featureIdAt(data, issue.path);
    return `${formatPath(issue.path)}: ${issue.message}${id === undefined ? '' : ` (feature "${id}")`}`;
  });
}

/** Validates parsed GeoJSON as a jurisdiction tree; throws JurisdictionDataError listing every problem. */
export function parseJurisdictionGeoJson(data: unknown, source = 'GeoJSON'): JurisdictionCollection {
  const parsed = jurisdictionCollectionSchema.safeParse(data);
  if (!parsed.success) throw new JurisdictionDataError(source, schemaProblems(data, parsed.error));
  const collection = parsed.data;
  const problems = collection.features.flatMap((f, idx) => geometryProblems(f.geometry, `features[${idx}].geometry`));
  problems.push(...treeProblems(collection));
  if (problems.length > 0) throw new JurisdictionDataError(source, problems);
  return collection;
}

export interface LoadOptions {
  /**
   * Cell size of the square grid generated inside polygons that have no grids (boundaries
   * without a tree, from KML or GeoJSON, and leaves of a tree above the grid level). Unset:
   * a tree file loads as it is and boundaries without a tree are refused.
   */
  gridCellMeters?: number;
}

/** "chicago_police_districts.kml" → "Chicago Police Districts". */
function nameFromPath(path: string): string {
  const base = basename(path).replace(/\.(kml|geojson|json)$/i, '');
  return base.split(/[_\-\s]+/).filter(Boolean).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ') || 'City';
}

/** A FeatureCollection whose features carry `level` is a tree; one without any is plain boundaries. */
function isTree(data: unknown): boolean {
  const features: unknown = typeof data === 'object' && data !== null ? (data as { features?: unknown }).features : undefined;
  if (!Array.isArray(features)) return true; // let the schema report what is wrong
  return features.some((f: unknown) => {
    const props: unknown = typeof f === 'object' && f !== null ? (f as { properties?: unknown }).properties : undefined;
    return typeof props === 'object' && props !== null && 'level' in props;
  });
}

function boundaryTree(boundaries: Boundary[], path: string, opts: LoadOptions, kind: string): JurisdictionCollection {
  if (!opts.gridCellMeters) {
    throw new JurisdictionDataError(path, [`${kind} boundaries without a jurisdiction tree need GRID_CELL_METERS to generate the grid`]);
  }
  return treeFromBoundaries(boundaries, { cellMeters: opts.gridCellMeters, source: path, cityName: nameFromPath(path) });
}

/**
 * Reads jurisdictions from disk: a GeoJSON tree (validated; loaded unchanged when every leaf
 * is a grid), or boundary polygons without a tree — KML (by the .kml extension or content
 * starting with `<`) or GeoJSON features without `level` — which become districts of a
 * generated city. With `gridCellMeters`, leaves above the grid level get a square grid.
 */
export function loadJurisdictionFile(path: string, opts: LoadOptions = {}): JurisdictionCollection {
  const text = readFileSync(path, 'utf8');
  if (/\.kml$/i.test(path) || text.trimStart().startsWith('<')) return boundaryTree(parseKml(text, path), path, opts, 'KML');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new JurisdictionDataError(path, [`not valid JSON: ${err instanceof Error ? err.message : String(err)}`]);
  }
  if (!isTree(data)) {
    const features: unknown = (data as { features?: unknown }).features;
    return boundaryTree(boundariesFromFeatures(features as unknown[], path), path, opts, 'GeoJSON');
  }
  const tree = parseJurisdictionGeoJson(data, path);
  return opts.gridCellMeters ? addSquareGrids(tree, { cellMeters: opts.gridCellMeters, source: path }) : tree;
}

export { JurisdictionDataError };
