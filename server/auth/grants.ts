// What an ingest key may send: event types and sources (DESIGN §3, §11).
import type { Grant } from '../ingest/pipeline.js';

/** Types that only keys scoped to them may send (DESIGN §3): dispatch decisions belong to coordinators. */
export const RESTRICTED_TYPES: ReadonlySet<string> = new Set(['incident.dispatched']);

/** Grant of a key from INGEST_KEYS: every type that is not restricted, any source. */
export const OPEN_GRANT: Grant = { allows: (type) => !RESTRICTED_TYPES.has(type) };

/** `*` stands for every type that is not restricted; a restricted type must be listed by name. */
export function typeAllowed(types: readonly string[], type: string): boolean {
  return types.includes(type) || (types.includes('*') && !RESTRICTED_TYPES.has(type));
}

/** A source pattern is exact, `*` (any), or a prefix ending in `*` (`sim/*`). */
export function sourceAllowed(patterns: readonly string[], source: string): boolean {
  return patterns.some((p) => p === '*' || p === source || (p.endsWith('*') && source.startsWith(p.slice(0, -1))));
}

/** The grant of a scoped key. */
export function scopedGrant(c: { types: readonly string[]; sources: readonly string[] }): Grant {
  return { allows: (type, source) => typeAllowed(c.types, type) && sourceAllowed(c.sources, source) };
}
