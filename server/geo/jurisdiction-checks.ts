import { LEVELS, type AreaGeometry, type JurisdictionCollection } from '../../shared/jurisdiction.js';

/** Invalid jurisdiction data; `problems` name the feature index and field of each fault. */
export class JurisdictionDataError extends Error {
  readonly source: string;
  readonly problems: readonly string[];

  constructor(source: string, problems: readonly string[]) {
    const shown = problems.slice(0, 20).map((p) => `\n  - ${p}`).join('');
    const more = problems.length > 20 ? `\n  … and ${problems.length - 20} more` : '';
    super(`${source}: ${problems.length} problem(s) in jurisdiction data:${shown}${more}`);
    this.name = 'JurisdictionDataError';
    this.source = source;
    this.problems = problems;
  }
}

/** What the zod schema cannot say: rings must be closed and positions must be on the globe. */
export function geometryProblems(geometry: AreaGeometry, at: string): string[] {
  const problems: string[] = [];
  const polys = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  polys.forEach((rings, pi) => {
    rings.forEach((ring, ri) => {
      const where = geometry.type === 'Polygon' ? `${at}.coordinates[${ri}]` : `${at}.coordinates[${pi}][${ri}]`;
      const first = ring[0], last = ring[ring.length - 1];
      if (!first || !last || first[0] !== last[0] || first[1] !== last[1]) {
        problems.push(`${where}: ring is not closed (first and last positions differ)`);
      }
      const bad = ring.findIndex(([lon, lat]) => !(Math.abs(lon) <= 180 && Math.abs(lat) <= 90));
      if (bad >= 0) problems.push(`${where}[${bad}]: position is not [lon, lat] within ±180, ±90`);
    });
  });
  return problems;
}

/**
 * Structural faults of the tree: exactly one city, unique ids, and every
 * parent present and exactly one level up (which also rules out cycles).
 */
export function treeProblems(collection: JurisdictionCollection): string[] {
  const problems: string[] = [];
  const firstIndex = new Map<string, number>();
  collection.features.forEach((f, idx) => {
    const seen = firstIndex.get(f.properties.id);
    if (seen === undefined) firstIndex.set(f.properties.id, idx);
    else problems.push(`features[${idx}].properties.id: duplicate id "${f.properties.id}" (first at features[${seen}])`);
  });
  const cities = collection.features.flatMap((f, idx) => (f.properties.level === 'city' ? [idx] : []));
  if (cities.length !== 1) {
    const where = cities.map((i) => `features[${i}]`).join(', ');
    problems.push(`expected exactly one city, found ${cities.length}${where ? ` (${where})` : ''}`);
  }
  collection.features.forEach((f, idx) => {
    const { id, level, parentId } = f.properties;
    const at = `features[${idx}].properties.parentId`;
    const depth = LEVELS.indexOf(level);
    if (level === 'city') {
      if (parentId !== null) problems.push(`${at}: the city "${id}" must have parentId null`);
      return;
    }
    if (parentId === null) {
      problems.push(`${at}: ${level} "${id}" has no parent`);
      return;
    }
    const parentIdx = firstIndex.get(parentId);
    const parent = parentIdx === undefined ? undefined : collection.features[parentIdx];
    if (!parent) {
      problems.push(`${at}: parent "${parentId}" of ${level} "${id}" does not exist`);
      return;
    }
    const expected = LEVELS[depth - 1];
    if (parent.properties.level !== expected) {
      problems.push(`${at}: parent "${parentId}" of ${level} "${id}" is a ${parent.properties.level}, expected a ${expected}`);
    }
  });
  return problems;
}

/** Throws JurisdictionDataError when the tree is not well formed. */
export function assertJurisdictionTree(collection: JurisdictionCollection, source = 'jurisdiction tree'): void {
  const problems = treeProblems(collection);
  if (problems.length > 0) throw new JurisdictionDataError(source, problems);
}
