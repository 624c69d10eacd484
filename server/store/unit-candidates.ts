// Candidates for a recommendation (DESIGN §7) from the geo index with a widening radius: the
// units near the incident are read first, and the search widens only while a unit beyond the
// radius could still enter the top `limit` (scoreFloorBeyond). Units without a fresh fix are
// found from the fix-time index (one ZMSCORE), so they are listed apart without reading every
// unit's fix. The ranking is the pure recommendUnits, exactly as over every unit in scope.
import type { Redis } from 'ioredis';
import type { Unit } from '../../shared/objects.js';
import { candidateOf, recommendUnits, scoreFloorBeyond, STALE_FIX_MS, type RecommendIncident, type RecommendResult } from '../incidents/recommend.js';
import type { PositionStore } from '../telemetry/positions.js';
import { unitIdsInScopes, unitsById, withFreshestFix } from './unit-queries.js';

const FIRST_RADIUS_M = 2_000;
const WIDEN = 3;
/** Past this radius the rest of the scope is read at once. */
const LAST_RADIUS_M = 60_000;

export interface CandidateSearch {
  scopes: readonly string[];
  requiredSkills: readonly string[];
  limit: number;
  now: number;
}

export async function recommendNear(redis: Redis, positions: PositionStore, incident: RecommendIncident & { location: { lat: number; lon: number } }, q: CandidateSearch): Promise<RecommendResult & { read: number }> {
  const inScope = [...(await unitIdsInScopes(redis, q.scopes))];
  const times = await positions.fixTimes(inScope);
  const fresh = new Set<string>();
  const stale: string[] = [];
  inScope.forEach((id, i) => {
    const t = times[i];
    if (t !== null && t !== undefined && q.now - t <= STALE_FIX_MS) fresh.add(id);
    else stale.push(id);
  });
  const usable = (u: Unit) => u.status === 'available' && q.requiredSkills.every((s) => u.skills.includes(s));
  const load = async (ids: Iterable<string>) => (await withFreshestFix(positions, (await unitsById(redis, ids)).filter(usable))).map((u) => candidateOf(u, q.now));

  // stale ones are listed apart (their durable copy may still be fresh: the ranking decides)
  const candidates = await load(stale);
  const seen = new Set<string>();
  let result: RecommendResult;
  for (let radius = FIRST_RADIUS_M; ; radius *= WIDEN) {
    const last = radius >= LAST_RADIUS_M;
    const ids = last ? [...fresh] : (await positions.near(incident.location, radius)).filter((id) => fresh.has(id));
    const added = ids.filter((id) => !seen.has(id));
    for (const id of added) seen.add(id);
    if (added.length) candidates.push(...(await load(added)));
    result = recommendUnits(incident, candidates, { now: q.now, requiredSkills: q.requiredSkills, limit: q.limit });
    const kth = result.items[q.limit - 1];
    // one second of rounding to spare: the floor compares with unrounded scores
    if (last || seen.size >= fresh.size || (kth && kth.score + 1 < scoreFloorBeyond(radius))) break;
  }
  return { ...result, read: candidates.length };
}
