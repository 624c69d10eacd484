import type { EventType } from '../../shared/events.js';

/**
 * Everything `npm run simulate` sends, and all its ingest key is granted (demo mode scopes the
 * `simulator` key to exactly these types and to SIM_SOURCES). Never `incident.dispatched`:
 * dispatch decisions belong to coordinators; the unit terminals only answer them.
 */
export const SIM_EVENT_TYPES = [
  'incident.reported', 'incident.updated', 'incident.acknowledged', 'incident.en_route', 'incident.arrived',
  'incident.resolved', 'incident.closed', 'incident.cancelled', 'incident.unit_released',
  'unit.registered', 'unit.position', 'unit.status', 'patrol.checkin',
  'dispute.registered', 'dispute.mediated', 'dispute.escalated', 'dispute.assessed', 'dispute.routed',
  'dispute.resolved', 'dispute.closed',
  'petition.filed', 'petition.escalated', 'petition.answered', 'petition.closed',
  'supervision.issued', 'supervision.answered', 'supervision.closed',
  'feedback.received', 'gridworker.report',
] as const satisfies readonly EventType[];

/** Source patterns of the simulator's key: every source it uses starts with `sim/`. */
export const SIM_SOURCES = ['sim/*'] as const;
