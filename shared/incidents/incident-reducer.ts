import { INCIDENT_CATEGORIES, normalizeCode } from '../catalogue.js';
import type { EventData, IncidentLifecycleType } from '../events.js';
import type { Incident, Unit } from '../objects.js';
import { leniently, RANK, STRICT_NEXT, TARGET, unitStatusFor } from './lifecycle.js';
import { refuse, type FactContext, type Outcome, type ReduceResult, type Warning } from './types.js';

const bump = <T extends { version: number }>(o: T): T => ({ ...o, version: o.version + 1 });

function category(code: string, warnings: Warning[]): { category: string; categoryReported?: string } {
  const c = normalizeCode(INCIDENT_CATEGORIES, code);
  if (c.known) return { category: c.code };
  warnings.push({ code: 'unknown_category', message: `category "${code}" is not in the catalogue; recorded as "other"` });
  return { category: 'other', categoryReported: code };
}

function placed(ctx: FactContext): Pick<Incident, 'location' | 'gridId' | 'areaType' | 'outOfArea' | 'jurisdiction'> {
  const p = ctx.placement;
  if (!p) return { location: null, gridId: null, areaType: null, outOfArea: false, jurisdiction: ctx.cityChain };
  return { location: p.location, gridId: p.gridId, areaType: p.areaType, outOfArea: p.outOfArea, jurisdiction: p.chain };
}

const union = (a: string[], b: string[]) => [...new Set([...a, ...b])];
const sameChain = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** A new incident from `incident.reported`. */
export function reportIncident(
  data: EventData<'incident.reported'>, existing: Incident | null, ctx: FactContext,
): ReduceResult {
  if (existing && existing.source !== ctx.source) {
    return refuse('incident_exists', `incident ${data.incidentId} was already reported by another source`, 'data.incidentId');
  }
  if (existing) return updateIncident(data, existing, ctx);
  const warnings: Warning[] = [];
  const slaStart = ctx.clockSkew ? ctx.receivedAt : ctx.time;
  const incident: Incident = {
    id: data.incidentId,
    version: 1,
    status: 'new',
    ...category(data.category, warnings),
    priority: data.priority,
    ...placed(ctx),
    address: data.address ?? null,
    channel: data.channel ?? null,
    summary: data.summary ?? null,
    reporter: data.reporter ? { name: data.reporter.name, phone: data.reporter.phone, idNumber: data.reporter.idNumber } : null,
    duplicateOf: null,
    unitIds: [],
    source: ctx.source,
    reportedAt: slaStart,
    receivedAt: ctx.receivedAt,
    clockSkew: ctx.clockSkew,
    statusSince: ctx.receivedAt,
    updatedAt: ctx.receivedAt,
    closedAt: null,
  };
  return { ok: true, incident, units: [], stale: false, jurisdiction: incident.jurisdiction, outOfArea: incident.outOfArea || undefined, warnings };
}

/** Changed fields from `incident.updated` (or a re-report by the same source). */
export function updateIncident(
  data: EventData<'incident.updated'>, current: Incident | null, ctx: FactContext,
): ReduceResult {
  if (!current) return refuse('unknown_incident', `incident ${data.incidentId} does not exist`, 'data.incidentId');
  const warnings: Warning[] = [];
  const next: Incident = { ...current, updatedAt: ctx.receivedAt };
  if (data.category !== undefined) Object.assign(next, { categoryReported: undefined }, category(data.category, warnings));
  if (data.priority !== undefined) next.priority = data.priority;
  if (data.address !== undefined) next.address = data.address;
  if (data.summary !== undefined) next.summary = data.summary;
  let movedFrom: string[] | undefined;
  let jurisdiction = current.jurisdiction;
  if (data.location !== undefined && ctx.placement) {
    Object.assign(next, placed(ctx));
    if (!sameChain(current.jurisdiction, next.jurisdiction)) {
      movedFrom = current.jurisdiction;
      jurisdiction = union(current.jurisdiction, next.jurisdiction);
    } else jurisdiction = next.jurisdiction;
  }
  return { ok: true, incident: bump(next), units: [], stale: false, jurisdiction, movedFrom, outOfArea: next.outOfArea || undefined, warnings };
}

/** `incident.linked`: marks a duplicate call of another incident. */
export function linkIncident(
  data: EventData<'incident.linked'>, current: Incident | null, target: Incident | null, ctx: FactContext,
): ReduceResult {
  if (!current) return refuse('unknown_incident', `incident ${data.incidentId} does not exist`, 'data.incidentId');
  if (!target) return refuse('unknown_incident', `incident ${data.duplicateOf} does not exist`, 'data.duplicateOf');
  if (target.id === current.id) return refuse('invalid_link', 'an incident cannot duplicate itself', 'data.duplicateOf');
  const next = bump({ ...current, duplicateOf: target.id, updatedAt: ctx.receivedAt });
  return { ok: true, incident: next, units: [], stale: false, jurisdiction: current.jurisdiction, warnings: [] };
}

export interface LifecycleInput {
  type: IncidentLifecycleType;
  data: EventData<IncidentLifecycleType>;
  incident: Incident | null;
  /** the units named by the event or attached to the incident, by id */
  units: ReadonlyMap<string, Unit>;
  /** strict: commands follow the state machine; lenient: facts from feeders */
  mode: 'strict' | 'lenient';
}

/** Lifecycle facts and commands: dispatch, acknowledgement, progress, closure, release. */
export function applyLifecycle(input: LifecycleInput, ctx: FactContext): ReduceResult {
  const { type, data, incident, units, mode } = input;
  if (!incident) return refuse('unknown_incident', `incident ${data.incidentId} does not exist`, 'data.incidentId');
  const warnings: Warning[] = [];
  const named = data.unitIds ?? [];
  for (const [i, u] of named.entries()) {
    if (units.has(u)) continue;
    if (mode === 'strict') return refuse('unknown_unit', `unit ${u} does not exist`, `unitIds.${i}`);
    warnings.push({ code: 'unknown_unit', message: `unit ${u} is not registered; ignored` });
  }
  const known = named.filter((u) => units.has(u));
  const stale = (): Outcome => ({ ok: true, incident, units: [], stale: true, jurisdiction: incident.jurisdiction, warnings });
  const target = TARGET[type];

  if (type === 'incident.unit_released') {
    const released = known.filter((u) => incident.unitIds.includes(u));
    if (released.length === 0) {
      if (mode === 'strict') return refuse('invalid_release', 'none of these units is attached', 'unitIds');
      return stale();
    }
    const next = bump({
      ...incident, unitIds: incident.unitIds.filter((u) => !released.includes(u)), updatedAt: ctx.receivedAt,
      ...acked(incident, (a) => a.filter((u) => !released.includes(u))),
    });
    return done(next, freeUnits(released, units, incident.id, ctx), warnings);
  }
  if (type === 'incident.acknowledged') {
    if (!['dispatched', 'en_route', 'on_scene'].includes(incident.status)) {
      return mode === 'strict' ? invalid(incident) : stale();
    }
    // the named attached units acknowledge (all attached ones when none is named)
    const named = known.filter((u) => incident.unitIds.includes(u));
    const ackers = named.length ? named : incident.unitIds;
    return done(bump({ ...incident, updatedAt: ctx.receivedAt, ...acked(incident, (a) => [...new Set([...a, ...ackers])]) }), [], warnings);
  }
  if (target === null) return stale();

  if (mode === 'strict') {
    const refused = strictCheck(target, incident, known, units);
    if (refused) return refused;
  }
  const moves = leniently(incident.status, target);
  const adds = target === 'dispatched' && RANK[incident.status] <= RANK.on_scene ? known.filter((u) => !incident.unitIds.includes(u)) : [];
  if (!moves && adds.length === 0) return stale();

  const status = moves ? target : incident.status;
  const attached = target === 'dispatched' || target === 'en_route' || target === 'on_scene'
    ? [...incident.unitIds, ...known.filter((u) => !incident.unitIds.includes(u))]
    : incident.unitIds;
  const ends = status === 'resolved' || status === 'closed' || status === 'cancelled';
  const next = bump({
    ...incident,
    status,
    statusSince: moves ? ctx.receivedAt : incident.statusSince,
    unitIds: ends || status === 'new' ? [] : attached,
    // a fresh dispatch of a unit awaits a fresh acknowledgement
    ...acked(incident, (a) => (ends || status === 'new' ? [] : a.filter((u) => !adds.includes(u)))),
    // reopening starts a new SLA clock
    ...(status === 'new' && moves ? { slaFrom: ctx.receivedAt } : {}),
    updatedAt: ctx.receivedAt,
    closedAt: status === 'closed' || status === 'cancelled' ? ctx.receivedAt : status === 'new' ? null : incident.closedAt,
  });
  const unitTarget = target === 'dispatched' ? 'dispatched' : unitStatusFor(status);
  const changed = unitTarget === 'available'
    ? freeUnits(attached, units, incident.id, ctx)
    : unitTarget ? moveUnits(target === 'dispatched' ? adds : attached, units, unitTarget, incident.id, ctx) : [];
  return done(next, changed, warnings);

  function done(next: typeof incident & object, changedUnits: Unit[], w: Warning[]): Outcome {
    return { ok: true, incident: next, units: changedUnits, stale: false, jurisdiction: incident!.jurisdiction, warnings: w };
  }
}

/** `acknowledgedUnitIds` changed by `f`, omitted while empty (objects written before it existed have none). */
function acked(incident: Incident, f: (a: string[]) => string[]): Pick<Incident, 'acknowledgedUnitIds'> {
  const next = f(incident.acknowledgedUnitIds ?? []);
  return next.length || incident.acknowledgedUnitIds ? { acknowledgedUnitIds: next } : {};
}

/** Commands follow the state machine; a dispatch adds available units to any open incident. */
function strictCheck(target: Incident['status'], incident: Incident, known: string[], units: ReadonlyMap<string, Unit>): ReduceResult | null {
  if (target !== 'dispatched') return STRICT_NEXT[incident.status].includes(target) ? null : invalid(incident);
  if (RANK[incident.status] > RANK.on_scene) return invalid(incident);
  if (known.length === 0) return refuse('required', 'unitIds must name at least one unit', 'unitIds');
  for (const [i, id] of known.entries()) {
    const u = units.get(id)!;
    if (u.status !== 'available' && u.incidentId !== incident.id) {
      return refuse('unit_unavailable', `unit ${id} is ${u.status}`, `unitIds.${i}`, { unitId: id, status: u.status, version: u.version });
    }
  }
  return null;
}

function invalid(incident: Incident): ReduceResult {
  return refuse('invalid_transition', `not allowed from status ${incident.status}`, 'to', {
    current: incident.status, version: incident.version, allowed: STRICT_NEXT[incident.status],
  });
}

function moveUnits(ids: string[], units: ReadonlyMap<string, Unit>, status: Unit['status'], incidentId: string, ctx: FactContext): Unit[] {
  const out: Unit[] = [];
  for (const id of ids) {
    const u = units.get(id);
    if (!u || (u.status === status && u.incidentId === incidentId)) continue;
    out.push(bump({ ...u, status, incidentId, statusSince: ctx.receivedAt, updatedAt: ctx.receivedAt }));
  }
  return out;
}

function freeUnits(ids: string[], units: ReadonlyMap<string, Unit>, incidentId: string, ctx: FactContext): Unit[] {
  const out: Unit[] = [];
  for (const id of ids) {
    const u = units.get(id);
    if (!u || u.incidentId !== incidentId) continue;
    out.push(bump({ ...u, status: 'available', incidentId: null, statusSince: ctx.receivedAt, updatedAt: ctx.receivedAt }));
  }
  return out;
}

export { RANK };
