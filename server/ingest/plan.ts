import type { EventData, EventType, IncidentLifecycleType, ValidEvent } from '../../shared/events.js';
import { INCIDENT_LIFECYCLE } from '../../shared/events.js';
import type { Location } from '../../shared/jurisdiction.js';
import type { Affect, Alert, AlertOpenMarker, Fix, Incident, ObjectKind, PendingEntry, Unit } from '../../shared/objects.js';
import { acknowledgeAlert, clearAlert, escalateAlert, isAlertEvent, raiseAlert, type AlertData } from '../alerts/alert-reducer.js';
import { DISPUTE_KINDS, normalizeCode } from '../../shared/catalogue.js';
import { GRIDWORKER_REPORT_KINDS, type GovCase } from '../../shared/governance.js';
import type { JurisdictionTree } from '../geo/types.js';
import type { CaseContext } from '../governance/case-reducer.js';
import { standardDeadlines, type DeadlineFor } from '../governance/deadlines.js';
import { caseByRef, reduceCase } from '../governance/reduce-case.js';
import { applyLifecycle, linkIncident, reportIncident, updateIncident } from '../../shared/incidents/incident-reducer.js';
import { registerUnit, setUnitStatus } from '../incidents/unit-reducer.js';
import { refuse, type FactContext, type Placement, type ReduceResult, type Refusal, type Warning } from '../../shared/incidents/types.js';
import type { CommitEntry, Op } from '../store/commit.js';
import { alertMemberships, caseMemberships, incidentMemberships, indexOps, unitMemberships } from '../store/indexes.js';
import { keys } from '../store/keys.js';
import { patrolCheckinOps, riskCaseOps, riskIncidentOps, riskIndicatorOps, validIndicatorCells } from './risk-ops.js';
import { dailyOps } from './daily-ops.js';
import { handoverOps, responseTimeOps } from './stats-ops.js';

/** What a fact's decision can read: objects, and the open-alert markers. */
export type StateObject = Incident | Unit | Alert | AlertOpenMarker;
/** Objects read for a batch, by object key; null when known to be absent. */
export type StateView = Map<string, StateObject | null>;

/** SLA clocks use receivedAt when the producer's clock is off by more than this. */
const SKEW_MS = 2 * 60_000;
const SNAP_METERS = 2000;

export interface PlanEnv {
  tree: JurisdictionTree;
  receivedAt: Date;
  /** latest telemetry fix of a unit, for status changes */
  lastFix(unitId: string): Fix | null;
  /** default stage deadlines of governance cases (the bundled calendar when unset) */
  deadlineFor?: DeadlineFor;
}

export type Plan = { ok: true; commit: Omit<CommitEntry, 'dedupe'>; warnings: Warning[]; writes: [string, StateObject | null][] } | Refusal;

const isLifecycle = (t: EventType): t is IncidentLifecycleType => (INCIDENT_LIFECYCLE as readonly string[]).includes(t);
const d = <T extends EventType>(ev: ValidEvent, _t: T) => ev.data as EventData<T>;

/** Object keys a fact's decision depends on. */
export function keysFor(ev: ValidEvent): string[] {
  const data = ev.data as Record<string, unknown>;
  const out: string[] = [];
  if (typeof data.incidentId === 'string') out.push(keys.object('incident', data.incidentId));
  if (typeof data.duplicateOf === 'string') out.push(keys.object('incident', data.duplicateOf));
  if (typeof data.caseRef === 'string') {
    // ids are unique across incidents, disputes and petitions: whichever exists is the case
    for (const kind of ['incident', 'dispute', 'petition'] as const) out.push(keys.object(kind, data.caseRef));
  }
  for (const kind of ['dispute', 'petition', 'supervision'] as const) {
    const id = data[`${kind}Id`];
    if (typeof id === 'string') out.push(keys.object(kind, id));
  }
  if (typeof data.unitId === 'string') out.push(keys.object('unit', data.unitId));
  if (Array.isArray(data.unitIds)) for (const u of data.unitIds as string[]) out.push(keys.object('unit', u));
  if (isAlertEvent(ev.type)) {
    out.push(keys.object('alert', data.alertId as string));
    // a raise must find no open alert of its kind and scope: the commit checks the marker absent
    const marker = ev.type === 'alert.raised' ? openMarkerKey(data as AlertData) : null;
    if (marker) out.push(marker);
  }
  return out;
}

/** Keys of units attached to incidents already in the view (read in a second round). */
export function attachedUnitKeys(ev: ValidEvent, state: StateView): string[] {
  if (!isLifecycle(ev.type)) return [];
  const inc = state.get(keys.object('incident', (ev.data as { incidentId: string }).incidentId)) as Incident | null | undefined;
  return (inc?.unitIds ?? []).map((u) => keys.object('unit', u));
}

/** Places a location in the tree; refuses locations more than 2 km outside every grid. */
export function place(tree: JurisdictionTree, loc: Location): Placement | Refusal {
  const m = tree.locate(loc.lat, loc.lon, SNAP_METERS);
  if (!m) return refuse('location_out_of_area', 'location lies outside every grid (more than 2 km away)', 'data.location');
  return { location: loc, gridId: m.gridId, chain: m.chain, areaType: tree.get(m.gridId)?.areaType ?? null, outOfArea: m.outOfArea };
}

/** Reduces one valid fact against the view and builds its commit. Pure. */
export function planFact(ev: ValidEvent, state: StateView, env: PlanEnv, mode: 'lenient' | 'strict' = 'lenient'): Plan {
  const receivedAt = env.receivedAt.toISOString();
  const time = ev.time ? new Date(Date.parse(ev.time)).toISOString() : receivedAt;
  const clockSkew = Math.abs(Date.parse(time) - env.receivedAt.getTime()) > SKEW_MS;
  const loc = (ev.data as { location?: Location }).location;
  let placement: Placement | null = null;
  if (loc) {
    const p = place(env.tree, loc);
    if ('ok' in p) return p;
    placement = p;
  }
  const ctx: FactContext = {
    source: ev.source, time, receivedAt, clockSkew, placement,
    cityChain: [env.tree.cityId],
    chainOf: (id) => env.tree.chain(id),
    areaTypeOf: (id) => env.tree.get(id)?.areaType ?? null,
  };
  const get = <T extends object>(kind: ObjectKind, id: string) => (state.get(keys.object(kind, id)) ?? null) as T | null;
  const caseCtx: CaseContext = {
    ...ctx,
    deadlineFor: env.deadlineFor ?? standardDeadlines(),
    disputeCategory: (code) => normalizeCode(DISPUTE_KINDS, code),
  };

  const result = isAlertEvent(ev.type) ? reduceAlert(ev, state, ctx, get) : (reduceCase(ev, caseCtx, get, mode) ?? reduce(ev, ctx, get, env, mode));
  if (!result.ok) return result;
  return build(ev, result, state, { time, receivedAt, clockSkew }, placement);
}

type Getter = <T extends object>(kind: ObjectKind, id: string) => T | null;

/** The (kind, subject or scope) marker a raise must find absent; null when the raise lacks them. */
function openMarkerKey(data: AlertData): string | null {
  if (data.kind === undefined || data.scope === undefined) return null;
  return keys.alertOpen(data.kind, data.subject ?? data.scope);
}

/** alert.* facts (DESIGN §8): the same rules for ingested facts and for commands. */
function reduceAlert(ev: ValidEvent, state: StateView, ctx: FactContext, get: Getter): ReduceResult {
  const data = ev.data as AlertData;
  const alert = get<Alert>('alert', data.alertId);
  switch (ev.type) {
    case 'alert.raised': {
      const marker = openMarkerKey(data);
      const open = marker ? (state.get(marker) ?? null) as AlertOpenMarker | null : null;
      return raiseAlert(data, alert, open, ctx);
    }
    case 'alert.acknowledged': return acknowledgeAlert(data, alert, ctx);
    case 'alert.escalated': return escalateAlert(data, alert, ctx);
    default: return clearAlert(data, alert, ctx);
  }
}

function reduce(ev: ValidEvent, ctx: FactContext, get: Getter, env: PlanEnv, mode: 'lenient' | 'strict'): ReduceResult {
  switch (ev.type) {
    case 'incident.reported': {
      const data = d(ev, 'incident.reported');
      return reportIncident(data, get('incident', data.incidentId), ctx);
    }
    case 'incident.updated': {
      const data = d(ev, 'incident.updated');
      return updateIncident(data, get('incident', data.incidentId), ctx);
    }
    case 'incident.linked': {
      const data = d(ev, 'incident.linked');
      return linkIncident(data, get('incident', data.incidentId), get('incident', data.duplicateOf), ctx);
    }
    case 'unit.registered': {
      const data = d(ev, 'unit.registered');
      return registerUnit(data, get('unit', data.unitId), ctx);
    }
    case 'indicator.updated': {
      const bad = validIndicatorCells(ev.data);
      return bad ?? recordOnly(ev, ctx, get);
    }
    case 'unit.status': {
      const data = d(ev, 'unit.status');
      return setUnitStatus(data, get('unit', data.unitId), ctx, env.lastFix(data.unitId));
    }
    default:
      if (isLifecycle(ev.type)) {
        const data = d(ev, 'incident.dispatched');
        const incident = get<Incident>('incident', data.incidentId);
        const ids = new Set([...(data.unitIds ?? []), ...(incident?.unitIds ?? [])]);
        const units = new Map<string, Unit>();
        for (const id of ids) {
          const u = get<Unit>('unit', id);
          if (u) units.set(id, u);
        }
        return applyLifecycle({ type: ev.type, data, incident, units, mode }, ctx);
      }
      return recordOnly(ev, ctx, get);
  }
}

/** Facts this projection does not hold objects for yet: recorded, placed by location or referent. */
function recordOnly(ev: ValidEvent, ctx: FactContext, get: Getter): ReduceResult {
  const data = ev.data as Record<string, unknown>;
  let jurisdiction = ctx.placement?.chain;
  if (!jurisdiction && typeof data.caseRef === 'string') jurisdiction = caseByRef(data.caseRef, get)?.jurisdiction;
  if (!jurisdiction && typeof data.unitId === 'string') jurisdiction = get<Unit>('unit', data.unitId)?.jurisdiction;
  for (const field of ['jurisdictionId', 'district'] as const) {
    if (jurisdiction || typeof data[field] !== 'string') continue;
    const chain = ctx.chainOf(data[field] as string);
    if (chain.length === 0) return refuse('unknown_jurisdiction', `${field} "${String(data[field])}" is not a known jurisdiction`, `data.${field}`);
    jurisdiction = chain;
  }
  return { ok: true, incident: null, units: [], stale: false, jurisdiction: jurisdiction ?? ctx.cityChain, outOfArea: ctx.placement?.outOfArea || undefined, warnings: [] };
}

function build(
  ev: ValidEvent, r: Extract<ReduceResult, { ok: true }>, state: StateView,
  t: { time: string; receivedAt: string; clockSkew: boolean }, placement: Placement | null,
): Plan {
  const checks: CommitEntry['checks'] = [];
  const depends = new Set([...keysFor(ev), ...r.units.map((u) => keys.object('unit', u.id))]);
  for (const key of depends) checks.push({ key, expected: state.get(key)?.version ?? 0 });
  const ops: Op[] = [];
  const affects: Affect[] = [];
  const writes: [string, StateObject | null][] = [];
  const inc = r.incident;
  if (inc) {
    const key = keys.object('incident', inc.id);
    const before = state.get(key) as Incident | null | undefined;
    if (!r.stale && before?.version !== inc.version) {
      ops.push({ op: 'H', key, version: inc.version, json: JSON.stringify(inc) });
      ops.push(...indexOps(before ? incidentMemberships(before) : [], incidentMemberships(inc)));
      affects.push({ kind: 'incident', id: inc.id, version: inc.version });
      writes.push([key, inc]);
    }
    ops.push({ op: 'TL', key: keys.timeline('incident', inc.id) });
    ops.push(...riskIncidentOps(before ?? null, inc));
    if (!r.stale) ops.push(...responseTimeOps(before ?? null, inc, Date.parse(t.clockSkew ? t.receivedAt : t.time)));
  }
  for (const u of r.units) {
    const key = keys.object('unit', u.id);
    const before = state.get(key) as Unit | null | undefined;
    ops.push({ op: 'H', key, version: u.version, json: JSON.stringify(u) });
    ops.push(...indexOps(before ? unitMemberships(before) : [], unitMemberships(u)));
    affects.push({ kind: 'unit', id: u.id, version: u.version });
    writes.push([key, u]);
  }
  if (r.alert) alertOps(r.alert, state, ops, affects, writes);
  if (r.case) caseOps(r.case, state, ops, affects, writes);
  for (const t of new Map((r.alsoTimeline ?? []).map((x) => [`${x.kind}:${x.id}`, x])).values()) ops.push({ op: 'TL', key: keys.timeline(t.kind, t.id) });
  // grid-worker reports: counted per grid and kind (GET /gridworkers); only the known kinds get an index
  const gwKind = (ev.data as { kind?: unknown }).kind;
  if (ev.type === 'indicator.updated') ops.push(...riskIndicatorOps(ev.data as Record<string, unknown>, t.time));
  if (ev.type === 'patrol.checkin' && placement) ops.push(...patrolCheckinOps(ev.id, t.time, placement.gridId, ev.data as Record<string, unknown>));
  if (ev.type === 'gridworker.report' && placement && typeof gwKind === 'string' && (GRIDWORKER_REPORT_KINDS as readonly string[]).includes(gwKind)) {
    ops.push({ op: 'ZA', key: keys.gridworkerReports(placement.gridId, gwKind), score: Date.parse(t.time), member: ev.id });
  }
  if (ev.type === 'duty.handover') ops.push(...handoverOps(ev.id, t.time, r.jurisdiction, ev.data as Record<string, unknown>));
  // the leader's daily counters (server/ingest/daily-ops.ts; \`state\` is still the view before this fact);
  // an alert's timeline stays the last op of an alert fact, so they go before it there
  const daily = dailyOps({
    type: ev.type, at: Date.parse(t.clockSkew ? t.receivedAt : t.time), jurisdiction: r.jurisdiction, data: ev.data as Record<string, unknown>,
    incident: inc && !r.stale ? { before: (state.get(keys.object('incident', inc.id)) ?? null) as Incident | null, after: inc } : null,
    case: r.case ? { before: (state.get(keys.object(r.case.kind, r.case.id)) ?? null) as GovCase | null, after: r.case } : null,
    alert: r.alert ? { before: (state.get(keys.object('alert', r.alert.id)) ?? null) as Alert | null, after: r.alert } : null,
  });
  const alertTimeline = r.alert ? ops.findLastIndex((o) => o.op === 'TL' && o.key === keys.timeline('alert', r.alert!.id)) : -1;
  if (alertTimeline >= 0) ops.splice(alertTimeline, 0, ...daily);
  else ops.push(...daily);
  const entry: PendingEntry = {
    id: ev.id, source: ev.source, type: ev.type, time: t.time, receivedAt: t.receivedAt,
    jurisdiction: r.jurisdiction, affects, data: ev.data as Record<string, unknown>,
  };
  if (ev.subject !== undefined) entry.subject = ev.subject;
  if (Object.keys(ev.extensions).length) entry.extensions = ev.extensions;
  if (r.outOfArea || placement?.outOfArea) entry.outOfArea = true;
  if (r.movedFrom) entry.movedFrom = r.movedFrom;
  if (t.clockSkew) entry.clockSkew = true;
  if (r.stale) entry.stale = true;
  return { ok: true, commit: { checks, entry, ops }, warnings: r.warnings, writes };
}

/** A governance case's hash and indexes (its timeline comes with `alsoTimeline`). */
function caseOps(c: GovCase, state: StateView, ops: Op[], affects: Affect[], writes: [string, StateObject | null][]): void {
  const key = keys.object(c.kind, c.id);
  const before = state.get(key) as GovCase | null | undefined;
  if (before?.version === c.version) return;
  ops.push({ op: 'H', key, version: c.version, json: JSON.stringify(c) });
  ops.push(...indexOps(before ? caseMemberships(before) : [], caseMemberships(c)));
  ops.push(...riskCaseOps(before ?? null, c));
  affects.push({ kind: c.kind, id: c.id, version: c.version });
  writes.push([key, c]);
}

/** The alert's hash, indexes and timeline; the (kind, scope) marker is set on raise and freed on clear. */
function alertOps(a: Alert, state: StateView, ops: Op[], affects: Affect[], writes: [string, StateObject | null][]): void {
  const key = keys.object('alert', a.id);
  const before = state.get(key) as Alert | null | undefined;
  ops.push({ op: 'H', key, version: a.version, json: JSON.stringify(a) });
  ops.push(...indexOps(before ? alertMemberships(before) : [], alertMemberships(a)));
  affects.push({ kind: 'alert', id: a.id, version: a.version });
  writes.push([key, a]);
  const openKey = keys.alertOpen(a.kind, a.subject ?? a.scope);
  if (!before) {
    const marker: AlertOpenMarker = { id: a.id, version: 1 };
    ops.push({ op: 'H', key: openKey, version: 1, json: JSON.stringify(marker) });
    writes.push([openKey, marker]);
  } else if (a.state === 'cleared' && before.state !== 'cleared') {
    ops.push({ op: 'DL', key: openKey });
    writes.push([openKey, null]);
  }
  ops.push({ op: 'TL', key: keys.timeline('alert', a.id) });
}
