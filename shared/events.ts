import { z } from 'zod';
import { UNIT_STATUSES } from './constants.js';
import { levelSchema, locationSchema } from './jurisdiction.js';

/** Ids of domain objects: non-empty strings of at most 128 characters. */
export const objectId = z.string().min(1).max(128);
/** An ISO 8601 date-time with a zone offset or Z. */
export const isoTime = z.iso.datetime({ offset: true });
const text = (max: number) => z.string().max(max);

/** Incident priority: 1 is the highest. */
export const prioritySchema = z.number().int().min(1).max(4);

/** Statuses of a patrol unit. */
export { UNIT_STATUSES } from './constants.js';
export const unitStatusSchema = z.enum(UNIT_STATUSES);
export type UnitStatus = z.infer<typeof unitStatusSchema>;

/** Alert kinds of DESIGN §8. */
export const ALERT_KINDS = [
  'spike', 'overdue', 'sla_breach', 'ack_timeout', 'coverage_gap', 'stale_unit', 'feed_silent',
] as const;
/** Alert severities. */
export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;

const reporterSchema = z.looseObject({
  name: text(100).optional(),
  phone: text(40).optional(),
  idNumber: text(40).optional(),
});

const incidentReported = z.looseObject({
  incidentId: objectId,
  category: text(64).min(1),
  priority: prioritySchema,
  location: locationSchema.optional(),
  address: text(500).optional(),
  channel: text(64).optional(),
  summary: text(4000).optional(),
  reporter: reporterSchema.optional(),
});

const incidentUpdated = z.looseObject({
  incidentId: objectId,
  location: locationSchema.optional(),
  category: text(64).min(1).optional(),
  priority: prioritySchema.optional(),
  address: text(500).optional(),
  summary: text(4000).optional(),
});

const incidentLinked = z.looseObject({ incidentId: objectId, duplicateOf: objectId });

const incidentLifecycle = z.looseObject({
  incidentId: objectId,
  unitIds: z.array(objectId).max(50).optional(),
  by: text(128).optional(),
  note: text(4000).optional(),
});

const unitRegistered = z.looseObject({
  unitId: objectId,
  callsign: text(64).optional(),
  kind: text(64).optional(),
  homeGrid: objectId.optional(),
  skills: z.array(text(64)).max(50).optional(),
});

const unitPosition = z.looseObject({
  unitId: objectId,
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  speed: z.number().min(0).max(200).optional(),
  heading: z.number().min(0).max(360).optional(),
  accuracy: z.number().min(0).optional(),
});

const unitStatus = z.looseObject({ unitId: objectId, status: unitStatusSchema });

const patrolCheckin = z.looseObject({
  unitId: objectId,
  location: locationSchema.optional(),
  dwellSeconds: z.number().min(0).optional(),
});

const dispute = z.looseObject({
  disputeId: objectId,
  kind: text(64).optional(),
  parties: z.array(text(200)).max(200).optional(),
  location: locationSchema.optional(),
  deadline: isoTime.optional(),
  level: levelSchema.optional(),
  outcome: text(4000).optional(),
  summary: text(4000).optional(),
});

const petition = z.looseObject({
  petitionId: objectId,
  petitioner: text(128).optional(),
  subject: text(4000).optional(),
  location: locationSchema.optional(),
  jurisdictionId: objectId.optional(),
  deadline: isoTime.optional(),
});

const supervision = z.looseObject({
  supervisionId: objectId,
  caseRef: objectId,
  level: levelSchema.optional(),
  deadline: isoTime.optional(),
  instruction: text(4000).optional(),
});

const feedback = z.looseObject({
  caseRef: objectId,
  satisfaction: z.number().int().min(1).max(5).optional(),
  comment: text(4000).optional(),
});

const gridworkerReport = z.looseObject({
  kind: text(64).min(1),
  location: locationSchema.optional(),
  summary: text(4000).optional(),
});

const dutyHandover = z.looseObject({
  shift: text(64).optional(),
  from: text(128).optional(),
  to: text(128).optional(),
  notes: text(8000).optional(),
  openItems: z.array(z.unknown()).max(500).optional(),
});

const indicatorUpdated = z.looseObject({
  district: objectId,
  cells: z.array(z.looseObject({
    id: objectId,
    crimeRisk: z.number(),
    instabilityRisk: z.number(),
    drivers: z.array(z.string()),
  })),
});

const alert = z.looseObject({
  alertId: objectId,
  kind: z.enum(ALERT_KINDS).optional(),
  severity: z.enum(ALERT_SEVERITIES).optional(),
  scope: z.string().optional(),
  /** what the alert is about when narrower than its scope (`incident:<id>`, `unit:<id>`): one open per (kind, subject) then */
  subject: z.string().min(1).max(200).optional(),
  evidence: z.unknown().optional(),
  /** `alert.escalated`: the users it was escalated to */
  to: z.array(z.string().max(128)).max(200).optional(),
});

const INCIDENT_LIFECYCLE_TYPES = [
  'incident.dispatched', 'incident.acknowledged', 'incident.en_route', 'incident.arrived',
  'incident.resolved', 'incident.closed', 'incident.cancelled', 'incident.reopened',
  'incident.unit_released',
] as const;
const DISPUTE_TYPES = [
  'dispute.registered', 'dispute.mediated', 'dispute.assessed', 'dispute.routed',
  'dispute.escalated', 'dispute.resolved', 'dispute.closed',
] as const;

/** The data schema of every event type of DESIGN §3. */
export const EVENT_DATA_SCHEMAS = {
  'incident.reported': incidentReported,
  'incident.updated': incidentUpdated,
  'incident.linked': incidentLinked,
  ...Object.fromEntries(INCIDENT_LIFECYCLE_TYPES.map((t) => [t, incidentLifecycle])) as Record<
    (typeof INCIDENT_LIFECYCLE_TYPES)[number], typeof incidentLifecycle>,
  'unit.registered': unitRegistered,
  'unit.position': unitPosition,
  'unit.status': unitStatus,
  'patrol.checkin': patrolCheckin,
  ...Object.fromEntries(DISPUTE_TYPES.map((t) => [t, dispute])) as Record<(typeof DISPUTE_TYPES)[number], typeof dispute>,
  'petition.filed': petition,
  'petition.answered': petition,
  'petition.closed': petition,
  'petition.escalated': petition,
  'supervision.issued': supervision,
  'supervision.answered': supervision,
  'supervision.closed': supervision,
  'feedback.received': feedback,
  'gridworker.report': gridworkerReport,
  'duty.handover': dutyHandover,
  'indicator.updated': indicatorUpdated,
  'alert.raised': alert,
  'alert.acknowledged': alert,
  'alert.escalated': alert,
  'alert.cleared': alert,
} as const;

export type EventType = keyof typeof EVENT_DATA_SCHEMAS;
/** Every event type, in catalogue order. */
export const EVENT_TYPES = Object.keys(EVENT_DATA_SCHEMAS) as EventType[];
export type EventData<T extends EventType> = z.infer<(typeof EVENT_DATA_SCHEMAS)[T]>;

/** Incident lifecycle event types (facts about an existing incident). */
export const INCIDENT_LIFECYCLE = INCIDENT_LIFECYCLE_TYPES;
export type IncidentLifecycleType = (typeof INCIDENT_LIFECYCLE_TYPES)[number];

/** True for a known event type. */
export function isEventType(t: string): t is EventType {
  return Object.prototype.hasOwnProperty.call(EVENT_DATA_SCHEMAS, t);
}

/** The CloudEvents 1.0 structured-mode envelope; extensions are kept. */
export const cloudEventSchema = z.looseObject({
  specversion: z.literal('1.0'),
  id: z.string().min(1).max(256),
  source: z.string().min(1).max(512),
  type: z.string().min(1).max(128),
  time: isoTime.optional(),
  subject: z.string().max(512).optional(),
  datacontenttype: z.string().max(128).optional(),
  dataschema: z.string().max(1024).optional(),
  data: z.record(z.string(), z.unknown()),
});
export type CloudEvent = z.infer<typeof cloudEventSchema>;

/** Envelope attributes defined by CloudEvents; anything else is an extension. */
export const CLOUDEVENT_ATTRIBUTES = new Set([
  'specversion', 'id', 'source', 'type', 'time', 'subject', 'datacontenttype', 'dataschema', 'data',
]);

/** A validated event: the envelope with data typed by its event type. */
export interface ValidEvent<T extends EventType = EventType> {
  specversion: '1.0';
  id: string;
  source: string;
  type: T;
  time?: string;
  subject?: string;
  data: EventData<T>;
  extensions: Record<string, unknown>;
}
