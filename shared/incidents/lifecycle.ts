import { INCIDENT_NEXT } from '../constants.js';
import type { IncidentStatus } from '../objects.js';
import type { IncidentLifecycleType } from '../events.js';

/** Position of each status in the lifecycle; cancelled stands outside it. */
export const RANK: Record<IncidentStatus, number> = {
  new: 0, dispatched: 1, en_route: 2, on_scene: 3, resolved: 4, closed: 5, cancelled: 6,
};

export const isOpen = (s: IncidentStatus) => RANK[s] <= RANK.on_scene;
export const isTerminal = (s: IncidentStatus) => s === 'closed' || s === 'cancelled' || s === 'resolved';

/** The status a lifecycle fact moves toward; null for facts that do not set a status. */
export const TARGET: Record<IncidentLifecycleType, IncidentStatus | null> = {
  'incident.dispatched': 'dispatched',
  'incident.acknowledged': null,
  'incident.en_route': 'en_route',
  'incident.arrived': 'on_scene',
  'incident.resolved': 'resolved',
  'incident.closed': 'closed',
  'incident.cancelled': 'cancelled',
  'incident.reopened': 'new',
  'incident.unit_released': null,
};

/** The event a strict command appends for a `to` target. */
export const EVENT_FOR_TARGET: Record<IncidentStatus, IncidentLifecycleType> = {
  new: 'incident.reopened',
  dispatched: 'incident.dispatched',
  en_route: 'incident.en_route',
  on_scene: 'incident.arrived',
  resolved: 'incident.resolved',
  closed: 'incident.closed',
  cancelled: 'incident.cancelled',
};

/** Strict state machine (commands): the targets allowed from each status (shared with the console). */
export const STRICT_NEXT = INCIDENT_NEXT;

/** Whether a lenient fact toward `target` applies from `current` (forward jumps apply; stale facts do not). */
export function leniently(current: IncidentStatus, target: IncidentStatus): boolean {
  if (target === 'cancelled') return isOpen(current);
  if (target === 'new') return current === 'resolved' || current === 'closed' || current === 'cancelled';
  if (current === 'cancelled') return false;
  return RANK[target] > RANK[current];
}

/** Unit status implied by an incident status for the units attached to it. */
export function unitStatusFor(s: IncidentStatus): 'dispatched' | 'en_route' | 'on_scene' | 'available' | null {
  switch (s) {
    case 'dispatched': return 'dispatched';
    case 'en_route': return 'en_route';
    case 'on_scene': return 'on_scene';
    case 'resolved': case 'closed': case 'cancelled': return 'available';
    default: return null;
  }
}
