// OpenAPI of GET /stats (server/http/stats-routes.ts), spread into server/http/openapi.ts.
import { governanceRowSchema, governanceStatsSchema } from '../../shared/governance.js';
import { dutyRosterSchema, dutySchema, handoverCreateSchema, handoverSchema, wallStatsSchema } from '../../shared/wall.js';
import { RESPONSE_BUCKETS } from '../stats/wall-kpis.js';
import { dutyQuerySchema } from './duty-routes.js';
import { authErrors, body, error, idempotencyParam, jsonBody, queryParams, schema, type Json } from './openapi-kit.js';
import { DEFAULT_WINDOW_DAYS, MAX_CASES, MAX_WINDOW_DAYS, statsQuerySchema } from './stats-routes.js';

export function statsSchemas(): Json {
  return {
    GovernanceRow: schema(governanceRowSchema), GovernanceStats: schema(governanceStatsSchema), WallStats: schema(wallStatsSchema),
    Duty: schema(dutySchema), Handover: schema(handoverSchema), HandoverCreate: schema(handoverCreateSchema), DutyRoster: schema(dutyRosterSchema),
  };
}

const governanceText = [
  'Server-side statistics (permission read). metric=governance: the governance indicators of every jurisdiction at `level`',
  `(default community) under the scope (default: the caller's scopes), and of the scope as a whole (total), over [from, to)`,
  `(default: the last ${DEFAULT_WINDOW_DAYS} days; at most ${MAX_WINDOW_DAYS}). Disputes and petitions count where they lie;`,
  'supervision orders do not count. Rates are fractions 0..1, null without data.',
  'opened: opened in the window. resolved: resolved (disputes) or answered/closed (petitions) in the window.',
  'onTimeRate: of those resolved, with a known deadline, resolved no later than the deadline in force when they left their open stages.',
  'medianHoursToResolution: median hours from opening to resolution of those resolved.',
  'repeatRate90d: of those opened, the share with an earlier case opened at most 90 days before at the same place (same grid, ≤ 100 m),',
  'or (disputes) sharing a party, or (petitions) of the same petitioner.',
  'escalationRate: of the disputes opened, escalated at least once. satisfaction: mean rating of feedback received in the window.',
  'overdueBacklog: open disputes and petitions past their deadline now.',
  'resolvedLocallyShare / routedOnwardShare: of the disputes resolved, settled at grid or community level / routed to a department first.',
  `At most ${MAX_CASES} cases are read (open ones and those changed since 91 days before from, most recent first);`,
  'a capped answer carries the header X-Stats-Truncated.',
].join(' ');

const wallText = [
  'metric=wall (the wall screen): KPIs and series for today, the local day in TIME_ZONE, computed on the server from counters',
  'and indexes (never the log); from, to, level and bucket do not apply. Values without data are null.',
  'incidentsToday / incidentsYesterdaySameTime / hourly / categories: the hourly count series per district × category kept by the worker',
  '(UTC hours placed in the local hour they begin in: exact for whole-hour zones), summed over the districts of the scope; a scope below',
  'district level answers for the district containing it (countsScope). Yesterday counts up to the same time of day, its current hour pro rata.',
  'hourly.today: null for hours not begun; hourly.baseline: the mean per hour of the 7 days before (baselineDays: the days counted, since counting began).',
  'openP1: open incidents (new, dispatched, en_route, on_scene) of priority 1, not linked as duplicates.',
  'medianDispatchSeconds / medianArrivalSeconds / onTimeRate / responseTimes: first dispatches and first arrivals (status on_scene) committed today,',
  'seconds from the SLA clock start (slaFrom, else the report); on time: within the arrival target of the priority and area type;',
  `buckets up to ${RESPONSE_BUCKETS.join(', ')} seconds and beyond (upToSeconds null). arrivalTargetSeconds / targetSeconds: the priority-1 urban target.`,
  'units*: units owned by the scope; busy = dispatched, en_route, on_scene or busy; stale = on duty without a fix for STALE_UNIT_SECONDS.',
  'disputes*: open and overdue now; disputeFunnel: open per stage now, resolved / closed in the last 30 days; medianHoursToResolution over those resolved in 30 days.',
  'districtRisk: the latest risk indicators rolled up one level below the scope (city → districts, district → streets), highest crime risk first.',
  'coverage: the top-risk cells of the last full risk pass in scope, their patrol presence over the last 2 hours (samples and check-ins); covered at ≥ 10 minutes.',
].join(' ');

export function statsPaths(): Json {
  return {
    '/stats': {
      get: {
        summary: 'Statistics and KPIs computed on the server (metric=governance: governance indicators per jurisdiction; metric=wall: the wall screen)',
        description: `${governanceText} ${wallText}`,
        parameters: queryParams(statsQuerySchema),
        responses: {
          200: {
            description: 'GovernanceStats (metric=governance) or WallStats (metric=wall)',
            content: { 'application/json': { schema: { oneOf: [{ $ref: '#/components/schemas/GovernanceStats' }, { $ref: '#/components/schemas/WallStats' }] } } },
            headers: { 'X-Stats-Truncated': { description: 'present when the case cap was reached: the cap', schema: { type: 'string' } } },
          },
          400: error('Invalid query naming the field: query.metric (unknown metric), query.level, query.from / query.to (not ISO 8601, from ≥ to, or longer than allowed)'),
          404: error('Scope not visible'),
          ...authErrors,
        },
      },
    },
    '/duty': {
      get: {
        summary: 'The duty desk: the shift now, the duty officer and leader on duty from the roster, the latest 10 handovers in scope (permission read)',
        description: 'Shifts of 12 h: day 08:00–20:00, night 20:00–08:00 local (TIME_ZONE). The person on duty is the element of the roster rotation of the scope'
          + ' (else its nearest ancestor) at (days since 1970-01-01 of the shift\'s start date) mod its length; null without a roster entry.'
          + ' Handovers come from the index written with each duty.handover entry, newest first, with their seq.',
        parameters: queryParams(dutyQuerySchema),
        responses: { 200: body('Duty'), 400: error('Invalid query'), 404: error('Scope not visible'), ...authErrors },
      },
    },
    '/duty/handover': {
      post: {
        summary: 'Records a shift handover as a duty.handover fact (permission duty.handover); from is the caller',
        parameters: [idempotencyParam],
        requestBody: jsonBody('HandoverCreate'),
        responses: { 201: body('Handover', 'The handover recorded, with its seq'), 400: error('Invalid body naming the field (to, shift, openItems.0.ref, ...)'), 404: error('Scope not visible'), 422: error('Idempotency-Key reused for another request'), ...authErrors },
      },
    },
    '/duty/roster': {
      get: { summary: 'The duty roster (permission read)', responses: { 200: body('DutyRoster'), ...authErrors } },
      put: {
        summary: 'Replaces the duty roster (permission settings.manage)',
        requestBody: jsonBody('DutyRoster'),
        responses: { 200: body('DutyRoster'), 400: error('Invalid body naming the field: scopes.<id> (unknown jurisdiction), scopes.<id>.leader.<i> (unknown user)'), ...authErrors },
      },
    },
  };
}
