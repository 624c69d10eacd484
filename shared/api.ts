import { z } from 'zod';
import { alertSchema, alertStateSchema, entrySchema, fixSchema, incidentSchema, incidentStatusSchema, unitSchema } from './objects.js';
import { isSeq } from './seq.js';
import { EVENT_DATA_SCHEMAS, isoTime, objectId } from './events.js';

/** The error body of every non-2xx answer. */
export const errorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

const fieldError = z.object({ path: z.string(), code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() });

/** Answer of POST /events. */
export const ingestResponseSchema = z.object({
  accepted: z.array(z.object({ id: z.string(), seq: z.string().nullable() })),
  duplicates: z.array(z.object({ id: z.string(), seq: z.string() })),
  rejected: z.array(z.object({ index: z.number().int(), id: z.string().nullable(), errors: z.array(fieldError) })),
  warnings: z.array(z.object({ index: z.number().int(), id: z.string(), code: z.string(), message: z.string() })),
});
export type IngestResponse = z.infer<typeof ingestResponseSchema>;

/** A seq or an ISO time, as `since` and `after` accept. */
export const seqOrTime = z.string().refine((s) => isSeq(s) || !Number.isNaN(Date.parse(s)), {
  message: 'must be a seq (<ms>-<n>) or an ISO 8601 time',
});

/** `limit`: 1..500, clamped above 500 (never an error). */
export const limitSchema = (dflt: number) =>
  z.coerce.number().int().min(1).default(dflt).transform((n) => Math.min(n, 500));

/** A comma-separated query value whose parts each match `item`. */
export const csv = <T extends z.ZodType<string>>(item: T) =>
  z.string().transform((s, ctx) => {
    const parts = s.split(',').map((p) => p.trim()).filter(Boolean);
    const out: z.infer<T>[] = [];
    for (const p of parts) {
      const r = item.safeParse(p);
      if (!r.success) {
        ctx.addIssue({ code: 'custom', message: `unknown value "${p}"` });
        return z.NEVER;
      }
      out.push(r.data);
    }
    return out;
  });

/** `bbox=minLon,minLat,maxLon,maxLat`. */
export const bboxSchema = z.string().transform((s, ctx) => {
  const n = s.split(',').map(Number);
  const [minLon, minLat, maxLon, maxLat] = n;
  if (n.length !== 4 || n.some((x) => !Number.isFinite(x)) || minLon! > maxLon! || minLat! > maxLat!) {
    ctx.addIssue({ code: 'custom', message: 'must be minLon,minLat,maxLon,maxLat with min ≤ max' });
    return z.NEVER;
  }
  return { minLon: minLon!, minLat: minLat!, maxLon: maxLon!, maxLat: maxLat! };
});
export type Bbox = z.infer<typeof bboxSchema>;

/** Query of GET /incidents. */
export const incidentListQuerySchema = z.object({
  status: csv(incidentStatusSchema).optional(),
  scope: z.string().min(1).max(64).optional(),
  since: seqOrTime.optional(),
  bbox: bboxSchema.optional(),
  limit: limitSchema(100),
  cursor: z.string().max(512).optional(),
});
export type IncidentListQuery = z.infer<typeof incidentListQuerySchema>;

/** Answer of GET /incidents. */
export const incidentListSchema = z.object({
  items: z.array(incidentSchema),
  nextCursor: z.string().nullable(),
  asOfSeq: z.string().nullable(),
  /** the log's epoch, so a client can resume from asOfSeq without a first round trip */
  logEpoch: z.string(),
});

/** Answer of GET /incidents/:id. */
export const incidentDetailSchema = incidentSchema.extend({ timeline: z.array(entrySchema), asOfSeq: z.string().nullable() });

/** A unit with the age of its last fix. */
export const unitViewSchema = unitSchema.extend({ fixAgeSeconds: z.number().nullable() });
export type UnitView = z.infer<typeof unitViewSchema>;

/** Query and answer of GET /units. */
export const unitListQuerySchema = z.object({ scope: z.string().min(1).max(64).optional() });
export const unitListSchema = z.object({ items: z.array(unitViewSchema), asOfSeq: z.string().nullable(), logEpoch: z.string() });

/** Query of GET /incidents/:id/recommendations: `skills` every ranked unit must hold (comma-separated). */
export const recommendationQuerySchema = z.object({
  skills: csv(z.string().min(1).max(64)).optional(),
  limit: limitSchema(50),
});
export type RecommendationQuery = z.infer<typeof recommendationQuerySchema>;

/** A reason code with its values (eta {seconds}, distance {meters}, workload {dispatches, hours}, rotation {minutesIdle}, home_grid, stale_fix {ageSeconds}). */
export const recommendationReasonSchema = z.looseObject({ code: z.string() });

/** Answer of GET /incidents/:id/recommendations (DESIGN §7): ranked available units, and those without a fresh fix apart. */
export const recommendationsSchema = z.object({
  items: z.array(z.object({
    unitId: z.string(), callsign: z.string(), kind: z.string(),
    etaSeconds: z.number().int(), distanceMeters: z.number().int(), score: z.number().int(),
    reasons: z.array(recommendationReasonSchema),
  })),
  unranked: z.array(z.object({ unitId: z.string(), callsign: z.string(), kind: z.string(), reasons: z.array(recommendationReasonSchema) })),
  asOfSeq: z.string().nullable(),
  logEpoch: z.string(),
});
export type Recommendations = z.infer<typeof recommendationsSchema>;

/** Answer of GET /units/:id/trail (last 10 minutes, oldest first). */
export const trailSchema = z.object({ unitId: z.string(), points: z.array(fixSchema) });

/** Query and answer of GET /log. */
export const logQuerySchema = z.object({ after: seqOrTime.optional(), limit: limitSchema(100) });
export const logPageSchema = z.object({ items: z.array(entrySchema), nextAfter: z.string().nullable() });

/** POST /auth/login. */
export const loginRequestSchema = z.object({
  username: z.string().min(1).max(128),
  password: z.string().min(1).max(1024),
  /** a wall-screen session: no idle timeout, a long absolute lifetime (duty officers and leaders) */
  kiosk: z.boolean().optional(),
});
export const ROLES = ['duty_officer', 'coordinator', 'leader', 'admin', 'auditor'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;
/** A user as the API shows it. */
export const publicUserSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  roles: z.array(roleSchema),
  scopes: z.array(z.string()),
});
export type PublicUser = z.infer<typeof publicUserSchema>;
export const loginResponseSchema = z.object({ user: publicUserSchema });

/** Answer of GET /health. */
export const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  redis: z.object({ ready: z.boolean(), usedMemory: z.number().nullable(), maxMemory: z.number().nullable() }),
  telemetry: z.object({ ready: z.boolean() }),
  version: z.string(),
  workers: z.object({ alive: z.number().int(), lastSeenAt: isoTime.nullable() }),
  tail: z.object({ live: z.boolean(), headSeq: z.string().nullable() }).optional(),
  reasons: z.array(z.string()).optional(),
});
export type Health = z.infer<typeof healthSchema>;

/** A user as admins see it. */
export const adminUserSchema = publicUserSchema.extend({
  disabled: z.boolean(),
  locked: z.boolean(),
  createdAt: isoTime.optional(),
});
export type AdminUser = z.infer<typeof adminUserSchema>;

const username = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/, 'letters, digits, . _ - (2–64 characters)');
const password = z.string().min(10, 'at least 10 characters').max(1024);

/** POST /admin/users. */
export const createUserSchema = z.object({
  username,
  displayName: z.string().min(1).max(100),
  roles: z.array(roleSchema).min(1),
  scopes: z.array(z.string().min(1).max(64)).min(1),
  password,
});
/** PATCH /admin/users/:username: any subset. */
export const updateUserSchema = z.object({
  displayName: z.string().min(1).max(100).optional(),
  roles: z.array(roleSchema).min(1).optional(),
  scopes: z.array(z.string().min(1).max(64)).min(1).optional(),
  disabled: z.boolean().optional(),
});
/** POST /admin/users/:username/password. */
export const setPasswordSchema = z.object({ password });

/** An ingest key (for POST /events) or a machine token (for the live socket), never its secret. */
export const credentialSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['ingest', 'token']),
  /** event types an ingest key may send; ['*'] = every type that is not restricted */
  types: z.array(z.string()),
  /** sources an ingest key may claim: exact, or a prefix ending in '*'; ['*'] = any */
  sources: z.array(z.string()),
  /** role and scopes a machine token acts with */
  role: roleSchema.nullable(),
  scopes: z.array(z.string()),
  createdAt: isoTime,
  rotatedAt: isoTime.nullable(),
  lastUsedAt: isoTime.nullable(),
  revoked: z.boolean(),
});
export type Credential = z.infer<typeof credentialSchema>;

/** POST /admin/keys. */
export const createCredentialSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ingest'), name: z.string().min(1).max(100), types: z.array(z.string().min(1)).min(1), sources: z.array(z.string().min(1)).min(1) }),
  z.object({ kind: z.literal('token'), name: z.string().min(1).max(100), role: roleSchema, scopes: z.array(z.string().min(1).max(64)).min(1) }),
]);
/** Answer of POST /admin/keys and /admin/keys/:id/rotate: the secret is shown once. */
export const issuedCredentialSchema = z.object({ key: credentialSchema, secret: z.string() });

/** One audit record (DESIGN §11). */
export const auditRecordSchema = z.object({
  id: z.string(),
  time: isoTime,
  user: z.string().nullable(),
  role: z.string().nullable(),
  action: z.string(),
  object: z.string().nullable(),
  result: z.enum(['success', 'failure', 'denied']),
  address: z.string().nullable(),
  prevHash: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type AuditRecord = z.infer<typeof auditRecordSchema>;
export const auditQuerySchema = z.object({ limit: limitSchema(100), cursor: z.string().max(64).optional() });
export const auditPageSchema = z.object({ items: z.array(auditRecordSchema), nextCursor: z.string().nullable() });

// ---- commands (DESIGN §4): strict, with expectedVersion; answers carry the entry's seq ----

/** Any integer; a value other than the current version answers 409 version_conflict. */
const expectedVersion = z.number().int();

/** POST /incidents: the `incident.reported` data; `incidentId` is generated when absent. */
export const createIncidentSchema = EVENT_DATA_SCHEMAS['incident.reported'].extend({ incidentId: objectId.optional() });
export type CreateIncident = z.infer<typeof createIncidentSchema>;

/** POST /incidents/:id/dispatch and /release. */
export const unitsCommandSchema = z.object({ unitIds: z.array(objectId).min(1).max(50), expectedVersion, note: z.string().max(4000).optional() });
export type UnitsCommand = z.infer<typeof unitsCommandSchema>;

/** POST /incidents/:id/link. */
export const linkCommandSchema = z.object({ duplicateOf: objectId, expectedVersion });
export type LinkCommand = z.infer<typeof linkCommandSchema>;

/** POST /incidents/:id/transition (`dispatched` is reached through /dispatch, which names the units). */
export const transitionCommandSchema = z.object({ to: incidentStatusSchema, expectedVersion, note: z.string().max(4000).optional() });
export type TransitionCommand = z.infer<typeof transitionCommandSchema>;

/** The answer of every incident command: the incident as GET shows it, and the seq of the appended entry. */
export const incidentCommandResultSchema = incidentSchema.extend({
  seq: z.string(),
  warnings: z.array(z.object({ code: z.string(), message: z.string() })).optional(),
});

// ---- alerts (DESIGN §4, §8) ----

/** Query of GET /alerts: states (comma-separated; default open,acknowledged), scope, limit. */
export const alertListQuerySchema = z.object({
  state: csv(alertStateSchema).optional(),
  scope: z.string().min(1).max(64).optional(),
  limit: limitSchema(100),
});
export type AlertListQuery = z.infer<typeof alertListQuerySchema>;

/** Answer of GET /alerts: newest change first. */
export const alertListSchema = z.object({ items: z.array(alertSchema), asOfSeq: z.string().nullable(), logEpoch: z.string() });

/** POST /alerts/:id/acknowledge (the body may be empty). */
export const acknowledgeAlertSchema = z.object({ expectedVersion: expectedVersion.optional(), note: z.string().max(4000).optional() });
export type AcknowledgeAlert = z.infer<typeof acknowledgeAlertSchema>;

/** The answer of an alert command: the alert and the seq of the appended entry. */
export const alertCommandResultSchema = alertSchema.extend({ seq: z.string() });
