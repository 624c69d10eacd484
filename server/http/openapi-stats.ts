// OpenAPI of GET /stats (server/http/stats-routes.ts), spread into server/http/openapi.ts.
import { governanceRowSchema, governanceStatsSchema } from '../../shared/governance.js';
import { authErrors, body, error, queryParams, schema, type Json } from './openapi-kit.js';
import { DEFAULT_WINDOW_DAYS, MAX_CASES, MAX_WINDOW_DAYS, statsQuerySchema } from './stats-routes.js';

export function statsSchemas(): Json {
  return { GovernanceRow: schema(governanceRowSchema), GovernanceStats: schema(governanceStatsSchema) };
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

export function statsPaths(): Json {
  return {
    '/stats': {
      get: {
        summary: 'Statistics and KPIs computed on the server (metric=governance: governance indicators per jurisdiction)',
        description: governanceText,
        parameters: queryParams(statsQuerySchema),
        responses: {
          200: {
            ...body('GovernanceStats'),
            headers: { 'X-Stats-Truncated': { description: 'present when the case cap was reached: the cap', schema: { type: 'string' } } },
          },
          400: error('Invalid query naming the field: query.metric (unknown metric), query.level, query.from / query.to (not ISO 8601, from ≥ to, or longer than allowed)'),
          404: error('Scope not visible'),
          ...authErrors,
        },
      },
    },
  };
}
