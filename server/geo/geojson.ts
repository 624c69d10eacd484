import { readFileSync } from 'node:fs';
import type { ZodError } from 'zod';
import { jurisdictionCollectionSchema, type JurisdictionCollection } from '../../shared/jurisdiction.js';
import { geometryProblems, JurisdictionDataError, treeProblems } from './jurisdiction-checks.js';

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

/** Reads a GeoJSON FeatureCollection of jurisdictions from disk and validates it. */
export function loadJurisdictionFile(path: string): JurisdictionCollection {
  const text = readFileSync(path, 'utf8');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new JurisdictionDataError(path, [`not valid JSON: ${err instanceof Error ? err.message : String(err)}`]);
  }
  return parseJurisdictionGeoJson(data, path);
}

export { JurisdictionDataError };
