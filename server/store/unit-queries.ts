import type { Redis } from 'ioredis';
import type { Fix, Unit } from '../../shared/objects.js';
import type { PositionStore } from '../telemetry/positions.js';
import { keys } from './keys.js';
import { readObjects } from './objects.js';

/** Ids of the units owned by any of the scopes (their home jurisdiction chain), each once. */
export async function unitIdsInScopes(redis: Redis, scopes: readonly string[]): Promise<Set<string>> {
  const p = redis.pipeline();
  for (const s of scopes) p.zrange(keys.unitsIn(s), 0, -1);
  const ids = new Set<string>();
  for (const [err, members] of (await p.exec()) ?? []) {
    if (err) throw err;
    for (const id of members as string[]) ids.add(id);
  }
  return ids;
}

/** The units of these ids that exist. */
export async function unitsById(redis: Redis, ids: Iterable<string>): Promise<Unit[]> {
  const objs = await readObjects<Unit>(redis, [...ids].map((id) => keys.object('unit', id)));
  return [...objs.values()].filter((u): u is Unit => u !== null);
}

/** Units owned by any of the scopes (their home jurisdiction chain), each once. */
export async function unitsInScopes(redis: Redis, scopes: readonly string[]): Promise<Unit[]> {
  return unitsById(redis, await unitIdsInScopes(redis, scopes));
}

/** The later of two fixes (telemetry may have lost what a status change recorded). */
export function newerFix(a: Fix | null, b: Fix | null): Fix | null {
  if (!a) return b;
  if (!b) return a;
  return Date.parse(a.at) >= Date.parse(b.at) ? a : b;
}

/** The units with `lastFix` set to the freshest fix known anywhere. */
export async function withFreshestFix(positions: PositionStore, units: readonly Unit[]): Promise<Unit[]> {
  const fixes = await positions.latest(units.map((u) => u.id));
  return units.map((u) => ({ ...u, lastFix: newerFix(fixes.get(u.id) ?? null, u.lastFix) }));
}
