import {
  acknowledgeAlertSchema, alertCommandResultSchema, alertListQuerySchema, alertListSchema,
  createIncidentSchema, incidentCommandResultSchema, linkCommandSchema, transitionCommandSchema, unitsCommandSchema,
  errorBodySchema, healthSchema, incidentDetailSchema, incidentListQuerySchema, incidentListSchema, ingestResponseSchema,
  logPageSchema, logQuerySchema, recommendationQuerySchema, recommendationsSchema, loginRequestSchema, loginResponseSchema, trailSchema, unitListQuerySchema, unitListSchema, unitViewSchema,
} from '../../shared/api.js';
import { cloudEventSchema, EVENT_DATA_SCHEMAS } from '../../shared/events.js';
import { jurisdictionCollectionSchema } from '../../shared/jurisdiction.js';
import { alertSchema, entrySchema } from '../../shared/objects.js';
import { adminPaths, adminSchemas } from './openapi-admin.js';
import { auditPaths, auditSchemas } from '../audit/openapi.js';
import { governancePaths, governanceSchemas } from './openapi-governance.js';
import { statsPaths, statsSchemas } from './openapi-stats.js';
import { leaderPaths, leaderSchemas } from './openapi-leader.js';
import { riskPaths, riskSchemas } from './openapi-risk.js';
import { gridWorkerQuerySchema, GRIDWORKER_REPORT_DAYS } from './gridworker-routes.js';
import { gridWorkerListSchema } from '../../shared/governance.js';
import { authErrors, body, error, idempotencyParam, idParam, jsonBody, queryParams, ref, schema, type Json } from './openapi-kit.js';

const commandErrors = {
  400: error('Invalid request, naming the field (details.errors[].path): e.g. expectedVersion, unitIds.0 (unknown_unit)'),
  404: error('Incident not found or out of scope'),
  409: error('version_conflict (details.current: the current version), invalid_transition (details.current: the status, details.allowed), unit_unavailable, invalid_release'),
  422: error('idempotency_conflict: the Idempotency-Key was used for a different request'),
  ...authErrors,
};
/** A strict incident command (DESIGN §3, §4). */
const commandOp = (summary: string, request: string) => ({
  post: {
    summary, parameters: [idParam, idempotencyParam], requestBody: jsonBody(request),
    responses: { 200: body('IncidentCommandResult', 'The updated incident as the viewer sees it, and the seq of the appended entry'), ...commandErrors },
  },
});

/** The OpenAPI document, generated from the same zod schemas that validate requests. */
export function openApiDocument(version: string): Json {
  const eventTypes = Object.fromEntries(Object.entries(EVENT_DATA_SCHEMAS).map(([t, s]) => [`Data_${t.replace('.', '_')}`, schema(s)]));
  return {
    openapi: '3.0.3',
    info: { title: "Ping'an Grid API", version, description: 'Real-time command center for grassroots social governance and public security.' },
    servers: [{ url: '/api/v1' }],
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'pingan_sid' },
        ingestKey: { type: 'http', scheme: 'bearer', description: 'an INGEST_KEYS key or an issued ingest key (pgk_…)' },
        machineToken: { type: 'http', scheme: 'bearer', description: 'an issued machine token (pgt_…): GET requests with its role and scopes' },
      },
      schemas: {
        Error: schema(errorBodySchema), CloudEvent: schema(cloudEventSchema), IngestResponse: schema(ingestResponseSchema),
        Entry: schema(entrySchema), IncidentList: schema(incidentListSchema), IncidentDetail: schema(incidentDetailSchema),
        UnitList: schema(unitListSchema), UnitView: schema(unitViewSchema), Trail: schema(trailSchema), Recommendations: schema(recommendationsSchema), LogPage: schema(logPageSchema), Health: schema(healthSchema),
        LoginRequest: schema(loginRequestSchema), LoginResponse: schema(loginResponseSchema),
        CreateIncident: schema(createIncidentSchema), UnitsCommand: schema(unitsCommandSchema), LinkCommand: schema(linkCommandSchema),
        TransitionCommand: schema(transitionCommandSchema), IncidentCommandResult: schema(incidentCommandResultSchema),
        Alert: schema(alertSchema), AlertList: schema(alertListSchema), AcknowledgeAlert: schema(acknowledgeAlertSchema),
        AlertCommandResult: schema(alertCommandResultSchema),
        Jurisdictions: schema(jurisdictionCollectionSchema), ...adminSchemas(), ...auditSchemas(), ...governanceSchemas(), ...statsSchemas(), ...leaderSchemas(), ...riskSchemas(), GridWorkerList: schema(gridWorkerListSchema), ...eventTypes,
      },
    },
    security: [{ session: [] }, { machineToken: [] }],
    paths: {
      '/health': { get: { summary: 'Liveness and readiness', security: [], responses: { 200: body('Health'), 503: body('Health', 'Not ready') } } },
      '/metrics': { get: { summary: 'Prometheus metrics (permission settings.manage: administrators)', responses: { 200: { description: 'text/plain exposition' }, ...authErrors } } },
      '/openapi.json': { get: { summary: 'This document', security: [], responses: { 200: { description: 'OpenAPI 3' } } } },
      '/events': {
        post: {
          summary: 'Ingest CloudEvents (structured or batch mode, ≤ 1,000 events, ≤ 1 MiB)', security: [{ ingestKey: [] }],
          description: `Event types: ${Object.keys(EVENT_DATA_SCHEMAS).join(', ')}. Data schemas: components Data_<type>.`,
          requestBody: { required: true, content: {
            'application/cloudevents+json': { schema: ref('CloudEvent') },
            'application/cloudevents-batch+json': { schema: { type: 'array', items: ref('CloudEvent'), maxItems: 1000 } },
            'application/json': { schema: { oneOf: [ref('CloudEvent'), { type: 'array', items: ref('CloudEvent') }] } },
          } },
          responses: {
            202: body('IngestResponse', 'At least one event accepted or duplicate'), 400: error('No event acceptable (invalid_events)'),
            401: error('Unknown key'), 403: error('Every event forbidden for this key'), 413: error('Too large'),
            415: error('Unsupported content type'), 429: error('Rate limited (Retry-After)'), 503: error('Redis unavailable (Retry-After)'),
          },
        },
      },
      '/auth/login': { post: { security: [], requestBody: { content: { 'application/json': { schema: ref('LoginRequest') } } },
        responses: {
          200: body('LoginResponse'), 400: error('Invalid request'), 401: error('Wrong credentials'),
          403: error('account_locked (20 failures; an administrator unlocks) or kiosk_not_allowed'),
          429: error('Throttled after failures from this address, or too many requests (Retry-After)'),
        } } },
      '/auth/logout': { post: { responses: { 204: { description: 'Signed out (that session; its sockets disconnect)' }, 403: error('csrf: foreign Origin') } } },
      '/me': { get: { responses: { 200: body('LoginResponse'), ...authErrors } } },
      '/jurisdictions': { get: { summary: 'The jurisdiction tree as GeoJSON', security: [{ session: [] }, { ingestKey: [] }, { machineToken: [] }], responses: { 200: body('Jurisdictions'), ...authErrors } } },
      '/incidents': {
        get: { parameters: queryParams(incidentListQuerySchema), responses: { 200: body('IncidentList'), 400: error('Invalid query'), 404: error('Scope not visible'), ...authErrors } },
        post: {
          summary: 'Manual entry (permission incidents.create): appends incident.reported from console/<username>; incidentId generated when absent',
          parameters: [idempotencyParam], requestBody: jsonBody('CreateIncident'),
          responses: {
            201: body('IncidentCommandResult', 'The new incident and the seq of its entry'),
            ...commandErrors, 400: error('Invalid request naming the field; location outside the user\'s jurisdiction (out_of_scope) or every grid'),
            409: error('incident_exists'),
          },
        },
      },
      '/incidents/{id}/dispatch': commandOp('Dispatch available units (permission incidents.dispatch); one winner per unit', 'UnitsCommand'),
      '/incidents/{id}/release': commandOp('Release attached units (permission incidents.dispatch)', 'UnitsCommand'),
      '/incidents/{id}/link': commandOp('Mark as a duplicate call of another incident (permission incidents.link)', 'LinkCommand'),
      '/incidents/{id}/transition': commandOp('Move along the state machine (permission incidents.transition); to "dispatched" goes through /dispatch', 'TransitionCommand'),
      '/incidents/{id}/recommendations': {
        get: {
          summary: 'Units to dispatch, ranked (permission incidents.dispatch): available units of the caller\'s scopes holding every skill asked, '
            + 'by ETA = great-circle distance × 1.3 ÷ speed of the kind (car 30, bike 15, foot 5, community_patrol 5, other 10 km/h); '
            + 'workload, rotation and the home grid move the score by at most ±20 % of the ETA; ties by unitId. '
            + 'Units without a fix younger than 5 minutes are listed in unranked (stale_fix).',
          parameters: [idParam, ...queryParams(recommendationQuerySchema)],
          responses: {
            200: body('Recommendations'), 400: error('Invalid query'), 404: error('Incident not found or out of scope'),
            409: error('not_located: the incident has no location yet'), ...authErrors,
          },
        },
      },
      '/incidents/{id}': { get: { parameters: [idParam], responses: { 200: body('IncidentDetail'), 404: error('Not found or out of scope'), ...authErrors } } },
      '/units': { get: { parameters: queryParams(unitListQuerySchema), responses: { 200: body('UnitList'), ...authErrors } } },
      '/units/{id}': { get: { parameters: [idParam], responses: { 200: body('UnitView'), 404: error('Not found or out of scope'), ...authErrors } } },
      '/units/{id}/trail': { get: { parameters: [idParam], responses: { 200: body('Trail'), 404: error('Not found'), ...authErrors } } },
      '/alerts': {
        get: {
          summary: 'Alerts in the caller\'s scopes (permission read), newest change first; state defaults to open,acknowledged. '
            + 'At most one alert per (kind, scope) is not cleared.',
          parameters: queryParams(alertListQuerySchema),
          responses: { 200: body('AlertList'), 400: error('Invalid query'), 404: error('Scope not visible'), ...authErrors },
        },
      },
      '/alerts/{id}/acknowledge': {
        post: {
          summary: 'Acknowledge an open alert (permission alerts.acknowledge): appends alert.acknowledged from console/<username>',
          parameters: [idParam], requestBody: jsonBody('AcknowledgeAlert'),
          responses: {
            200: body('AlertCommandResult', 'The acknowledged alert and the seq of its entry'),
            400: error('Invalid request'), 404: error('Alert not found or out of scope'),
            409: error('invalid_transition (the alert is not open; details.current) or version_conflict (details.current)'), ...authErrors,
          },
        },
      },
      ...governancePaths(),
      ...leaderPaths(statsPaths()),
      ...riskPaths(),
      '/incidents/{id}/premise': {
        get: {
          summary: 'Premise history (DESIGN §7): earlier incidents and disputes within 200 m and in the same grid over the last 90 days, newest first, in the caller\'s scope',
          parameters: [idParam],
          responses: {
            200: { description: '{incidentId, gridId, radiusMeters, days, incidents, disputes, gridWorker ({id, name} of the grid worker responsible for the incident\'s grid, null when none), asOfSeq}', content: { 'application/json': { schema: { type: 'object' } } } },
            404: error('Incident not found or out of scope'), 409: error('not_located: the incident has no location yet'), ...authErrors,
          },
        },
      },
      '/gridworkers': {
        get: {
          summary: `Grid workers (网格员) of the roster whose grids lie in the caller's scopes (or in scope), with their gridworker.report counts per kind (visit, hazard, dispute_lead) over the last ${GRIDWORKER_REPORT_DAYS} days and the time of their latest report (permission read)`,
          parameters: queryParams(gridWorkerQuerySchema),
          responses: { 200: body('GridWorkerList'), 400: error('Invalid query'), 404: error('Scope not visible'), ...authErrors },
        },
      },
      ...adminPaths(),
      ...auditPaths(),
      '/log': { get: { parameters: queryParams(logQuerySchema), responses: { 200: body('LogPage'), 400: error('Invalid query'), ...authErrors } } },
    },
  };
}
