// Situation replay (issue 9), the pure half: the log entries of a past window (GET /log pages) are
// folded, in log order, into what the map and the counters show at a replay instant — incidents
// with their place, priority and state, and the counts of the window so far. Seeking rebuilds from
// the window's start (a window holds a few thousand entries at most). No Vue, no Leaflet.
import type { Entry } from '../../../shared/objects.js';

export const REPLAY_SPEEDS = [1, 5, 10, 30, 60] as const;
export type ReplaySpeed = (typeof REPLAY_SPEEDS)[number];
/** At most this many entries are read for one window (pages of 500). */
export const REPLAY_MAX_ENTRIES = 10_000;

export type ReplayStatus = 'open' | 'dispatched' | 'on_scene' | 'closed';

export interface ReplayIncident {
  id: string;
  lat: number;
  lon: number;
  priority: number;
  category: string;
  status: ReplayStatus;
}

export interface ReplayCounts {
  /** incidents reported since the window began */
  reported: number;
  byPriority: [number, number, number, number];
  dispatched: number;
  arrived: number;
  closed: number;
  casesOpened: number;
  supervisions: number;
  alerts: number;
}

export interface ReplayFrame {
  /** entries applied (index of the next one) */
  applied: number;
  incidents: Map<string, ReplayIncident>;
  counts: ReplayCounts;
}

/** The instant of an entry on the replay clock: when the log took it (log order). */
export const entryAt = (e: Pick<Entry, 'receivedAt'>) => Date.parse(e.receivedAt);

export function emptyFrame(): ReplayFrame {
  return {
    applied: 0,
    incidents: new Map(),
    counts: { reported: 0, byPriority: [0, 0, 0, 0], dispatched: 0, arrived: 0, closed: 0, casesOpened: 0, supervisions: 0, alerts: 0 },
  };
}

const str = (v: unknown) => (typeof v === 'string' ? v : null);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Applies one entry to a frame (in place). */
export function applyEntry(f: ReplayFrame, e: Entry): void {
  const d = e.data;
  const id = str(d.incidentId);
  const c = f.counts;
  switch (e.type) {
    case 'incident.reported': {
      if (!id || f.incidents.has(id)) break;
      const loc = d.location as { lat?: unknown; lon?: unknown } | undefined;
      const lat = num(loc?.lat);
      const lon = num(loc?.lon);
      const priority = Math.min(4, Math.max(1, num(d.priority) ?? 3));
      c.reported++;
      c.byPriority[priority - 1]!++;
      if (lat !== null && lon !== null) f.incidents.set(id, { id, lat, lon, priority, category: str(d.category) ?? 'other', status: 'open' });
      break;
    }
    case 'incident.dispatched':
      c.dispatched++;
      setStatus(f, id, 'dispatched');
      break;
    case 'incident.arrived':
      c.arrived++;
      setStatus(f, id, 'on_scene');
      break;
    case 'incident.resolved':
    case 'incident.closed':
    case 'incident.cancelled': {
      const i = id ? f.incidents.get(id) : undefined;
      if (i && i.status !== 'closed') c.closed++;
      setStatus(f, id, 'closed');
      break;
    }
    case 'incident.reopened':
      setStatus(f, id, 'open');
      break;
    case 'dispute.registered':
    case 'petition.filed':
      c.casesOpened++;
      break;
    case 'supervision.issued':
      c.supervisions++;
      break;
    default:
      if (e.type === 'alert.raised') c.alerts++;
  }
}

function setStatus(f: ReplayFrame, id: string | null, status: ReplayStatus): void {
  const i = id ? f.incidents.get(id) : undefined;
  if (i) f.incidents.set(i.id, { ...i, status });
}

/**
 * The frame at replay instant `t`: every entry at or before `t` applied. Moves forward from `from`
 * when `t` is not before it, else rebuilds from the start (a seek backwards).
 */
export function frameAt(entries: readonly Entry[], t: number, from: ReplayFrame | null = null): ReplayFrame {
  let f = from;
  if (!f || (f.applied > 0 && entryAt(entries[f.applied - 1]!) > t)) f = emptyFrame();
  let i = f.applied;
  while (i < entries.length && entryAt(entries[i]!) <= t) applyEntry(f, entries[i++]!);
  f.applied = i;
  return f;
}

/** Incidents still open at the frame (not closed), for the counters. */
export const openCount = (f: ReplayFrame) => [...f.incidents.values()].filter((i) => i.status !== 'closed').length;

/** The next replay instant after `dtMs` of wall time at `speed`, clamped to the window's end. */
export const advance = (t: number, dtMs: number, speed: number, to: number) => Math.min(to, t + dtMs * speed);

/** Keeps the entries of [from, to) from pages read with `after=<from ISO>`; answers true when the window is complete. */
export function takeWindow(out: Entry[], page: readonly Entry[], to: number): boolean {
  for (const e of page) {
    if (entryAt(e) >= to) return true;
    out.push(e);
  }
  return false;
}

/** The seconds of a replay instant into its window, as mm:ss or h:mm:ss. */
export function clockText(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${String(m).padStart(2, '0')}:${ss}`;
}

/** Milliseconds a zone is ahead of UTC at an instant. */
function zoneOffset(ms: number, timeZone: string): number {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(ms).map((x) => [x.type, x.value]));
  return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) - Math.floor(ms / 1000) * 1000;
}

/** An instant as a datetime-local value (`YYYY-MM-DDTHH:mm`) in the display zone. */
export function toZonedInput(ms: number, timeZone: string): string {
  return new Date(ms + zoneOffset(ms, timeZone)).toISOString().slice(0, 16);
}

/** A datetime-local value read in the display zone (not the browser's); NaN when it is not one. */
export function fromZonedInput(s: string, timeZone: string): number {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(s)) return Number.NaN;
  const asUtc = Date.parse(`${s}:00Z`);
  const guess = asUtc - zoneOffset(asUtc, timeZone);
  return asUtc - zoneOffset(guess, timeZone);
}
