// "The next recommendation" of an acknowledgement timeout (DESIGN §7): the best available unit
// for the incident among those its district's coordinators may dispatch, ranked by the same pure
// function as GET /incidents/:id/recommendations.
import type { Incident } from '../../shared/objects.js';
import { chainAt } from '../governance/case-reducer.js';
import { candidateOf, recommendUnits } from '../incidents/recommend.js';
import type { ScriptedRedis } from '../store/scripts.js';
import { unitsInScopes, withFreshestFix } from '../store/unit-queries.js';
import type { PositionStore } from '../telemetry/positions.js';

export interface NextUnit { unitId: string; callsign: string; etaSeconds: number }

export async function nextUnitFor(redis: ScriptedRedis, positions: PositionStore, incident: Incident, now: number): Promise<NextUnit | null> {
  if (!incident.location) return null;
  const scope = chainAt(incident.jurisdiction, 'district') ?? incident.jurisdiction.at(-1);
  if (!scope) return null;
  const available = (await unitsInScopes(redis, [scope])).filter((u) => u.status === 'available');
  const units = await withFreshestFix(positions, available);
  const ranked = recommendUnits({ location: incident.location, gridId: incident.gridId }, units.map((u) => candidateOf(u, now)), { now, limit: 1 });
  const top = ranked.items[0];
  return top ? { unitId: top.unitId, callsign: top.callsign, etaSeconds: top.etaSeconds } : null;
}
