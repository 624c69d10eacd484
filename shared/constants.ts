// Plain constants of the contract, free of zod so the browser bundle can import them.

/** Incident states; the first six are the lifecycle order. */
export const INCIDENT_STATUSES = ['new', 'dispatched', 'en_route', 'on_scene', 'resolved', 'closed', 'cancelled'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
/** States in which an incident is still open. */
export const OPEN_INCIDENT_STATUSES: readonly IncidentStatus[] = ['new', 'dispatched', 'en_route', 'on_scene'];
/** States in which an incident has ended. */
export const ENDED_INCIDENT_STATUSES: readonly IncidentStatus[] = ['resolved', 'closed', 'cancelled'];

/** Statuses of a patrol unit. */
export const UNIT_STATUSES = ['available', 'dispatched', 'en_route', 'on_scene', 'busy', 'off_duty'] as const;

/** The default display time zone (TIME_ZONE). */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/** The incident state machine for commands (DESIGN §3): the targets allowed from each status. */
export const INCIDENT_NEXT: Readonly<Record<IncidentStatus, readonly IncidentStatus[]>> = {
  new: ['dispatched', 'cancelled'],
  dispatched: ['en_route', 'cancelled'],
  en_route: ['on_scene', 'cancelled'],
  on_scene: ['resolved', 'cancelled'],
  resolved: ['closed', 'new'],
  closed: ['new'],
  cancelled: [],
};
