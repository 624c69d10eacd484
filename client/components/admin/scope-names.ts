import type { JurisdictionProps } from '../../../shared/jurisdiction.js';

/** A jurisdiction's path from below the city down to it: "桂园区 / 云坊街道" (the city alone: its name). */
export function scopePath(id: string, byId: ReadonlyMap<string, JurisdictionProps>): string {
  const names: string[] = [];
  let p = byId.get(id);
  if (!p) return id;
  while (p) {
    names.unshift(p.name);
    if (!p.parentId) break;
    const parent = byId.get(p.parentId);
    // the city is implied for everything below it
    if (!parent || parent.level === 'city') break;
    p = parent;
  }
  return names.join(' / ');
}
