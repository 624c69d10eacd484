// Hand-built objects and reducer contexts for the pure unit tests (no Redis, no geometry).
import type { EventData, IncidentLifecycleType } from '../../shared/events.js';
import type { Incident, Unit } from '../../shared/objects.js';
import { applyLifecycle } from '../../shared/incidents/incident-reducer.js';
import type { FactContext, Outcome, Placement, ReduceResult, Refusal } from '../../shared/incidents/types.js';

export const EVENT_TIME = '2025-03-01T08:00:00.000Z';
export const RECEIVED_AT = '2025-03-01T08:00:30.000Z';
export const EARLIER = '2025-03-01T07:00:00.000Z';
export const CITY = ['c1'];
/** grid → community → street → district → city */
export const CHAIN_A = ['gA', 'mA', 's1', 'd1', 'c1'];
export const CHAIN_B = ['gB', 'mB', 's2', 'd1', 'c1'];

const CHAINS: Record<string, string[]> = {
  gA: CHAIN_A, mA: CHAIN_A.slice(1), gB: CHAIN_B, mB: CHAIN_B.slice(1), s1: CHAIN_A.slice(2), d1: ['d1', 'c1'], c1: CITY,
};

export function placement(chain: string[] = CHAIN_A, over: Partial<Placement> = {}): Placement {
  return { location: { lat: 30.01, lon: 114.01 }, gridId: chain[0]!, chain, areaType: 'urban', outOfArea: false, ...over };
}

export function ctx(over: Partial<FactContext> = {}): FactContext {
  return {
    source: 'cad-110',
    time: EVENT_TIME,
    receivedAt: RECEIVED_AT,
    clockSkew: false,
    cityChain: CITY,
    placement: null,
    chainOf: (id) => [...(CHAINS[id] ?? [])],
    areaTypeOf: (id) => (CHAINS[id] ? 'urban' : null),
    ...over,
  };
}

export function incident(over: Partial<Incident> = {}): Incident {
  return {
    id: 'inc-1', version: 3, status: 'new', category: 'theft', priority: 2,
    location: { lat: 30.01, lon: 114.01 }, address: 'No. 1 Road', channel: '110', summary: 'bike stolen', reporter: null,
    jurisdiction: CHAIN_A, gridId: 'gA', areaType: 'urban', outOfArea: false, duplicateOf: null, unitIds: [],
    source: 'cad-110', reportedAt: EARLIER, receivedAt: EARLIER, clockSkew: false,
    statusSince: EARLIER, updatedAt: EARLIER, closedAt: null,
    ...over,
  };
}

export function unit(id: string, over: Partial<Unit> = {}): Unit {
  return {
    id, version: 5, callsign: id.toUpperCase(), kind: 'car', homeGrid: 'gA', skills: [],
    status: 'available', incidentId: null, jurisdiction: CHAIN_A, lastFix: null,
    statusSince: EARLIER, updatedAt: EARLIER,
    ...over,
  };
}

export const unitMap = (...us: Unit[]) => new Map(us.map((u) => [u.id, u]));

/** Runs one lifecycle fact or command through applyLifecycle. */
export function life(
  type: IncidentLifecycleType,
  inc: Incident | null,
  opts: { units?: Unit[]; unitIds?: string[]; mode?: 'strict' | 'lenient'; ctx?: FactContext } = {},
): ReduceResult {
  const data: EventData<IncidentLifecycleType> = { incidentId: inc?.id ?? 'inc-1' };
  if (opts.unitIds) data.unitIds = opts.unitIds;
  return applyLifecycle({ type, data, incident: inc, units: unitMap(...(opts.units ?? [])), mode: opts.mode ?? 'lenient' }, opts.ctx ?? ctx());
}

export function ok(r: ReduceResult): Outcome {
  if (!r.ok) throw new Error(`expected an outcome, got refusal ${r.code}: ${r.message}`);
  return r;
}

export function refused(r: ReduceResult): Refusal {
  if (r.ok) throw new Error('expected a refusal, got an outcome');
  return r;
}
