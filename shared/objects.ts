import { z } from 'zod';
import { INCIDENT_STATUSES } from './constants.js';
import { areaTypeSchema, locationSchema } from './jurisdiction.js';
import { ALERT_KINDS, ALERT_SEVERITIES, isoTime, objectId, prioritySchema, unitStatusSchema } from './events.js';

/** Kinds of versioned objects that entries can affect. */
export const OBJECT_KINDS = ['incident', 'unit', 'dispute', 'petition', 'supervision', 'alert'] as const;
export const objectKindSchema = z.enum(OBJECT_KINDS);
export type ObjectKind = z.infer<typeof objectKindSchema>;

/** One object an entry changed, with its version after the entry. */
export const affectSchema = z.object({ kind: objectKindSchema, id: z.string(), version: z.number().int().min(1) });
export type Affect = z.infer<typeof affectSchema>;

/** A log entry as stored and delivered (DESIGN §3). */
export const entrySchema = z.object({
  seq: z.string(),
  id: z.string(),
  source: z.string(),
  type: z.string(),
  time: isoTime,
  receivedAt: isoTime,
  jurisdiction: z.array(z.string()),
  affects: z.array(affectSchema),
  data: z.record(z.string(), z.unknown()),
  subject: z.string().optional(),
  extensions: z.record(z.string(), z.unknown()).optional(),
  outOfArea: z.boolean().optional(),
  movedFrom: z.array(z.string()).optional(),
  clockSkew: z.boolean().optional(),
  stale: z.boolean().optional(),
});
export type Entry = z.infer<typeof entrySchema>;
/** An entry before the commit gives it a seq. */
export type PendingEntry = Omit<Entry, 'seq'>;

export { INCIDENT_STATUSES, OPEN_INCIDENT_STATUSES, type IncidentStatus } from './constants.js';
/** Incident states as a schema. */
export const incidentStatusSchema = z.enum(INCIDENT_STATUSES);

const reporter = z.object({ name: z.string().optional(), phone: z.string().optional(), idNumber: z.string().optional() });

/** An incident as the projection holds it. */
export const incidentSchema = z.object({
  id: objectId,
  version: z.number().int().min(1),
  status: incidentStatusSchema,
  category: z.string(),
  categoryReported: z.string().optional(),
  priority: prioritySchema,
  location: locationSchema.nullable(),
  address: z.string().nullable(),
  channel: z.string().nullable(),
  summary: z.string().nullable(),
  reporter: reporter.nullable(),
  jurisdiction: z.array(z.string()),
  gridId: z.string().nullable(),
  areaType: areaTypeSchema.nullable(),
  outOfArea: z.boolean(),
  duplicateOf: z.string().nullable(),
  unitIds: z.array(z.string()),
  /** attached units that acknowledged their dispatch */
  acknowledgedUnitIds: z.array(z.string()).optional(),
  source: z.string(),
  reportedAt: isoTime,
  /** the SLA clock's start: the report's time (or receivedAt when skewed), or the reopening */
  slaFrom: isoTime.optional(),
  receivedAt: isoTime,
  clockSkew: z.boolean(),
  statusSince: isoTime,
  updatedAt: isoTime,
  closedAt: isoTime.nullable(),
  updatedSeq: z.string().optional(),
});
export type Incident = z.infer<typeof incidentSchema>;

/** A unit's last known position. */
export const fixSchema = z.object({
  lat: z.number(),
  lon: z.number(),
  speed: z.number().nullable(),
  heading: z.number().nullable(),
  at: isoTime,
});
export type Fix = z.infer<typeof fixSchema>;

/** A patrol unit as the projection holds it. */
export const unitSchema = z.object({
  id: objectId,
  version: z.number().int().min(1),
  callsign: z.string(),
  kind: z.string(),
  homeGrid: z.string().nullable(),
  skills: z.array(z.string()),
  status: unitStatusSchema,
  incidentId: z.string().nullable(),
  jurisdiction: z.array(z.string()),
  lastFix: fixSchema.nullable(),
  statusSince: isoTime,
  updatedAt: isoTime,
  updatedSeq: z.string().optional(),
});
export type Unit = z.infer<typeof unitSchema>;

/** A timeline item of an object: the entry that touched it. */
export type TimelineItem = Entry;

/** Alert states (DESIGN §8): escalation is recorded beside the state, not as a state. */
export const ALERT_STATES = ['open', 'acknowledged', 'cleared'] as const;
export const alertStateSchema = z.enum(ALERT_STATES);
export type AlertState = z.infer<typeof alertStateSchema>;

/** An alert as the projection holds it: at most one not cleared per (kind, scope). */
export const alertSchema = z.object({
  id: objectId,
  version: z.number().int().min(1),
  kind: z.enum(ALERT_KINDS),
  severity: z.enum(ALERT_SEVERITIES),
  /** the jurisdiction the alert is about */
  scope: z.string(),
  /** the object it is about (`incident:<id>`, `unit:<id>`), when narrower than the scope */
  subject: z.string().optional(),
  state: alertStateSchema,
  escalated: z.boolean(),
  /** how many times it was escalated */
  escalationLevel: z.number().int().min(0),
  evidence: z.unknown().optional(),
  /** the chain of `scope` (scope up to the city) */
  jurisdiction: z.array(z.string()),
  source: z.string(),
  raisedAt: isoTime,
  acknowledgedAt: isoTime.nullable(),
  acknowledgedBy: z.string().nullable(),
  escalatedAt: isoTime.nullable(),
  /** who it was escalated to (usernames), latest escalation */
  escalatedTo: z.array(z.string()).optional(),
  clearedAt: isoTime.nullable(),
  updatedAt: isoTime,
  updatedSeq: z.string().optional(),
});
export type Alert = z.infer<typeof alertSchema>;

/** The marker `alert:open:<kind>:<subject or scope>` holds while an alert of that kind and subject (or scope) is not cleared. */
export interface AlertOpenMarker {
  id: string;
  version: number;
}
