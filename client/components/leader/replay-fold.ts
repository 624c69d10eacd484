// Situation replay (issue 9), the pure half: the log entries of a past window (GET /log pages) are
// folded, in log order, through the server's own incident reducer (shared/incidents) into the
// incidents as they stood at a replay instant — whole `Incident` objects that the live incidents
// store and the map show unchanged — with the counts of the window so far and their series per
// time bucket for the charts. Seeking backwards rebuilds from the window's start (a window holds
// at most REPLAY_MAX_ENTRIES). Incidents reported before the window are not in it. No Vue, no Leaflet.
import { ENDED_INCIDENT_STATUSES } from '../../../shared/constants.js';
import type { EventData, IncidentLifecycleType } from '../../../shared/events.js';
import { applyLifecycle, linkIncident, reportIncident, updateIncident } from '../../../shared/incidents/incident-reducer.js';
import { TARGET } from '../../../shared/incidents/lifecycle.js';
import type { FactContext, Placement, ReduceResult } from '../../../shared/incidents/types.js';
import type { Entry, Incident, Unit } from '../../../shared/objects.js';

/** At most this many entries are read for one window (pages of 500). */
export const REPLAY_MAX_ENTRIES = 10_000;
/** The charts divide a window into this many buckets. */
export const REPLAY_BUCKETS = 12;

export interface ReplayCounts {
  /** incidents reported since the window began */
  reported: number;
  byPriority: [number, number, number, number];
  dispatched: number;
  arrived: number;
  /** incidents that ended (resolved, closed or cancelled) */
  closed: number;
  casesOpened: number;
  supervisions: number;
  alerts: number;
}

export interface ReplayBucket {
  /** incidents reported in the bucket, by priority 1..4 */
  reported: [number, number, number, number];
  /** open incidents after the bucket's last entry; null for a bucket not reached yet */
  open: number | null;
}

export interface ReplayWindow {
  from: number;
  to: number;
}

export interface ReplayFrame {
  /** entries applied (index of the next one) */
  applied: number;
  incidents: Map<string, Incident>;
  /** the units the window's entries named, as far as its entries tell */
  units: Map<string, Unit>;
  counts: ReplayCounts;
  buckets: ReplayBucket[];
}

/** The instant of an entry on the replay clock: when the log took it (log order). */
export const entryAt = (e: Pick<Entry, 'receivedAt'>) => Date.parse(e.receivedAt);

export function emptyFrame(buckets = REPLAY_BUCKETS): ReplayFrame {
  return {
    applied: 0,
    incidents: new Map(),
    units: new Map(),
    counts: { reported: 0, byPriority: [0, 0, 0, 0], dispatched: 0, arrived: 0, closed: 0, casesOpened: 0, supervisions: 0, alerts: 0 },
    buckets: Array.from({ length: buckets }, () => ({ reported: [0, 0, 0, 0], open: null })),
  };
}

const isEnded = (i: Incident | undefined) => i !== undefined && ENDED_INCIDENT_STATUSES.includes(i.status);
export const isOpenIncident = (i: Incident) => !ENDED_INCIDENT_STATUSES.includes(i.status);
export const openCount = (f: ReplayFrame) => {
  let n = 0;
  for (const i of f.incidents.values()) if (isOpenIncident(i)) n++;
  return n;
};

function locationOf(v: unknown): { lat: number; lon: number } | null {
  if (typeof v !== 'object' || v === null) return null;
  const { lat, lon } = v as { lat?: unknown; lon?: unknown };
  return typeof lat === 'number' && typeof lon === 'number' && Number.isFinite(lat) && Number.isFinite(lon) ? { lat, lon } : null;
}

/** What the reducer knows of an entry: its times and source, and its placement as the log recorded it (grid first). */
function contextOf(e: Entry): FactContext {
  const location = locationOf(e.data.location);
  const placement: Placement | null = location && e.jurisdiction.length
    ? { location, gridId: e.jurisdiction[0]!, chain: e.jurisdiction, areaType: null, outOfArea: e.outOfArea ?? false }
    : null;
  return {
    source: e.source, time: e.time, receivedAt: e.receivedAt, clockSkew: e.clockSkew ?? false, placement,
    cityChain: e.jurisdiction.slice(-1), chainOf: () => [], areaTypeOf: () => null,
  };
}

/** A unit first named by an entry of the window: available, as far as the window knows. */
function unitOf(id: string, e: Entry): Unit {
  return {
    id, version: 1, callsign: id, kind: 'unknown', homeGrid: null, skills: [], status: 'available', incidentId: null,
    jurisdiction: [], lastFix: null, statusSince: e.receivedAt, updatedAt: e.receivedAt,
  };
}

const LIFECYCLE = new Set<string>(Object.keys(TARGET));

/** The reducer's answer to one incident entry; null for other entries. */
function reduce(f: ReplayFrame, e: Entry): ReduceResult | null {
  const d = e.data as Record<string, unknown> & { incidentId?: unknown };
  if (typeof d.incidentId !== 'string') return null;
  const current = f.incidents.get(d.incidentId) ?? null;
  const ctx = contextOf(e);
  switch (e.type) {
    case 'incident.reported':
      return reportIncident(d as EventData<'incident.reported'>, current, ctx);
    case 'incident.updated':
      return updateIncident(d as EventData<'incident.updated'>, current, ctx);
    case 'incident.linked': {
      const target = typeof d.duplicateOf === 'string' ? f.incidents.get(d.duplicateOf) ?? null : null;
      return linkIncident(d as EventData<'incident.linked'>, current, target, ctx);
    }
    default: {
      if (!LIFECYCLE.has(e.type)) return null;
      const data = d as EventData<IncidentLifecycleType>;
      const units = new Map<string, Unit>();
      for (const id of new Set([...(data.unitIds ?? []), ...(current?.unitIds ?? [])])) {
        if (!f.units.has(id)) f.units.set(id, unitOf(id, e));
        units.set(id, f.units.get(id)!);
      }
      return applyLifecycle({ type: e.type as IncidentLifecycleType, data, incident: current, units, mode: 'lenient' }, ctx);
    }
  }
}

/** Applies one entry to a frame (in place); `bucket` is the entry's bucket in the window, or -1. */
export function applyEntry(f: ReplayFrame, e: Entry, bucket = -1): void {
  const c = f.counts;
  // an entry the server recorded without applying changes nothing here either
  const result = e.stale ? null : reduce(f, e);
  if (result?.ok && result.incident) {
    const before = f.incidents.get(result.incident.id);
    const after = result.incident;
    f.incidents.set(after.id, after);
    for (const u of result.units) f.units.set(u.id, u);
    if (!before) {
      c.reported++;
      const p = Math.min(4, Math.max(1, after.priority)) - 1;
      c.byPriority[p]!++;
      if (bucket >= 0) f.buckets[bucket]!.reported[p]!++;
    } else if (!result.stale) {
      if (e.type === 'incident.dispatched') c.dispatched++;
      if (e.type === 'incident.arrived' && before.status !== 'on_scene') c.arrived++;
      if (!isEnded(before) && isEnded(after)) c.closed++;
    }
  } else if (!e.stale) {
    if (e.type === 'dispute.registered' || e.type === 'petition.filed') c.casesOpened++;
    else if (e.type === 'supervision.issued') c.supervisions++;
    else if (e.type === 'alert.raised') c.alerts++;
  }
  if (bucket >= 0) f.buckets[bucket]!.open = openCount(f);
}

/** The bucket of an instant in a window of `n` buckets (the last one holds the window's end). */
export function bucketOf(w: ReplayWindow, t: number, n = REPLAY_BUCKETS): number {
  if (t < w.from || t > w.to || w.to <= w.from) return -1;
  return Math.min(n - 1, Math.floor(((t - w.from) / (w.to - w.from)) * n));
}

/**
 * The frame at replay instant `t`: every entry at or before `t` applied. Moves forward from `from`
 * when `t` is not before it, else rebuilds from the start (a seek backwards).
 */
export function frameAt(entries: readonly Entry[], w: ReplayWindow, t: number, from: ReplayFrame | null = null): ReplayFrame {
  let f = from;
  if (!f || (f.applied > 0 && entryAt(entries[f.applied - 1]!) > t)) f = emptyFrame();
  let i = f.applied;
  while (i < entries.length && entryAt(entries[i]!) <= t) {
    const e = entries[i++]!;
    applyEntry(f, e, bucketOf(w, entryAt(e), f.buckets.length));
  }
  f.applied = i;
  return f;
}

/** The series the charts draw at instant `t`: reported per bucket by priority, and open incidents (carried forward up to `t`). */
export function chartSeries(f: ReplayFrame, w: ReplayWindow, t: number): { reported: number[][]; open: (number | null)[] } {
  const reached = bucketOf(w, Math.min(Math.max(t, w.from), w.to), f.buckets.length);
  const reported = [0, 1, 2, 3].map((p) => f.buckets.map((b, i) => (i <= reached ? b.reported[p]! : 0)));
  const open: (number | null)[] = [];
  let carry = 0;
  for (const [i, b] of f.buckets.entries()) {
    if (i > reached) open.push(null);
    else {
      carry = b.open ?? carry;
      open.push(carry);
    }
  }
  return { reported, open };
}
