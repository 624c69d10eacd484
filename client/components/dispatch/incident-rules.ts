// Pure helpers of the dispatch console: the strict state machine's targets (shared/constants.ts,
// the same table the server enforces), queue order, distances and SLA state.
import { INCIDENT_NEXT, INCIDENT_STATUSES, type IncidentStatus } from '../../../shared/constants.js';
import type { Incident } from '../../../shared/objects.js';
import { slaDue } from '../../../shared/sla.js';

/** Targets a coordinator may choose from each status (DESIGN §3); `dispatched` goes through dispatch, which names units. */
export const TRANSITIONS = {} as Record<IncidentStatus, readonly IncidentStatus[]>;
for (const from of INCIDENT_STATUSES) TRANSITIONS[from] = INCIDENT_NEXT[from].filter((t) => t !== 'dispatched');

/** Units may be dispatched to an open incident (further units join one already handled). */
export const DISPATCHABLE: readonly IncidentStatus[] = ['new', 'dispatched', 'en_route', 'on_scene'];

/** Queue order: priority (1 first), then the longest wait first, then id. */
export function queueOrder(a: Incident, b: Incident): number {
  return a.priority - b.priority || Date.parse(a.reportedAt) - Date.parse(b.reportedAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

const EARTH_RADIUS_M = 6_371_008.8;
/** Great-circle distance in meters. */
export function metersBetween(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const h = Math.sin(((b.lat - a.lat) * rad) / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(((b.lon - a.lon) * rad) / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The SLA state of an incident at `now` (server time): counting down, overdue, met on arrival, or none once ended. */
export type SlaState =
  | { kind: 'running'; seconds: number }
  | { kind: 'overdue'; seconds: number }
  | { kind: 'met' }
  | { kind: 'late' }
  | { kind: 'none' };

export function slaState(i: Incident, now: number): SlaState {
  const due = slaDue(i);
  if (i.status === 'cancelled' || i.status === 'closed' || i.status === 'resolved') return { kind: 'none' };
  if (i.status === 'on_scene') return Date.parse(i.statusSince) <= due ? { kind: 'met' } : { kind: 'late' };
  const left = Math.round((due - now) / 1000);
  return left >= 0 ? { kind: 'running', seconds: left } : { kind: 'overdue', seconds: -left };
}

/** mm:ss, or h:mm:ss past an hour. */
export function clockText(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${String(m).padStart(2, '0')}:${ss}`;
}

/** 850 m, 1.2 km */
export function distanceText(meters: number): string {
  return meters < 1000 ? `${Math.round(meters)} m` : `${(meters / 1000).toFixed(meters < 10_000 ? 1 : 0)} km`;
}

/** True when a key event comes from a place where the user types (shortcuts must not fire there). */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  const type = (target as HTMLInputElement).type;
  return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(type);
}
