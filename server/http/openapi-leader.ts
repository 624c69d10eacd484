// OpenAPI of the leader view (issue 9): GET /stats?metric=leader|rankings (added to the /stats
// operation of server/http/openapi-stats.ts), GET/PUT /targets and GET /reports/daily
// (server/http/leader-routes.ts). Spread into server/http/openapi.ts.
import {
  dailyReportQuerySchema, dailyReportSchema, DEFAULT_RANKING_LIMIT, DEFAULT_TARGETS, leaderIndicatorSchema, leaderStatsSchema,
  rankingRowSchema, rankingsSchema, targetsResponseSchema, targetsSchema, targetsUpdateSchema,
} from '../../shared/leader.js';
import { authErrors, body, error, jsonBody, queryParams, ref, schema, type Json } from './openapi-kit.js';

export function leaderSchemas(): Json {
  return {
    LeaderStats: schema(leaderStatsSchema), LeaderIndicator: schema(leaderIndicatorSchema), Rankings: schema(rankingsSchema),
    RankingRow: schema(rankingRowSchema), Targets: schema(targetsSchema), TargetsUpdate: schema(targetsUpdateSchema),
    TargetsResponse: schema(targetsResponseSchema), DailyReport: schema(dailyReportSchema),
  };
}

const days = 'Days are local days in TIME_ZONE; the counters are kept per UTC day and UTC hour and a local day sums the UTC hours that begin in it'
  + ' (exact for whole-hour offsets such as Asia/Shanghai).';

const leaderText = [
  'metric=leader (the leader view): for the scope, each indicator (onTimeArrival, onTimeResolution, repeatRate, coverage, satisfaction) over the last',
  '7, 30 and 90 local days (today so far included: d7, d30, d90 with value, count — the denominator — and meets), its target (GET /targets) and',
  'direction (repeatRate is a maximum), and a daily series of 90 values, oldest first, null on days without data; counts holds the daily counts behind them.',
  'Values over a window are sums of numerators over sums of denominators. onTimeArrival: first arrivals within the SLA target of their priority and area',
  'type ÷ first arrivals. onTimeResolution: disputes and petitions resolved (answered) no later than the deadline in force ÷ those resolved with a known',
  'deadline. coverage: top-risk cells with ≥ 10 min of patrol presence in the last 2 h ÷ top-risk cells judged, summed over the coverage job\'s runs.',
  'satisfaction: mean rating 1..5 of feedback received. All four from the daily counters written with each committed fact (one pipelined HMGET per UTC',
  'day: the work does not grow with the log). repeatRate: disputes and petitions opened that repeat an earlier case within 90 days (same grid ≤ 100 m,',
  'a shared party, the same petitioner) ÷ those opened — as metric=governance, from the case indexes (repeatTruncated: the case cap was reached).',
  days,
  'metric=rankings: the jurisdictions at `level` (district — the default —, street, community or grid) under the scope, ranked `by` crime (default),',
  'instability or overdue, highest first, with competition ranks (ties share a rank; rows without a value last, rank null); at most `limit`',
  `(default ${DEFAULT_RANKING_LIMIT}, above 500 clamped); total: how many there are. crimeRisk / instabilityRisk / hotCells / drivers: the GET /indicators`,
  'roll-up of the latest cell values (null: no cell value). overdue: open disputes and petitions located in the area past their deadline now; overdueCases: the 5 longest overdue.',
  'A level above the scope gives no rows.',
].join(' ');

/** The /stats operation of openapi-stats.ts with the leader metrics added, and the leader's own paths. */
export function leaderPaths(stats: Json): Json {
  const op = (stats['/stats'] as { get: Json }).get as {
    summary: string; description: string; responses: Record<string | number, Json>;
  };
  const ok = op.responses[200] as { description: string; content: { 'application/json': { schema: { oneOf: Json[] } } } };
  const statsGet = {
    ...op,
    summary: `${op.summary}; metric=leader: the leader view's indicators against targets; metric=rankings: rankings under the scope`,
    description: `${op.description} ${leaderText}`,
    responses: {
      ...op.responses,
      200: {
        ...ok,
        description: `${ok.description}, LeaderStats (metric=leader) or Rankings (metric=rankings)`,
        content: { 'application/json': { schema: { oneOf: [...ok.content['application/json'].schema.oneOf, ref('LeaderStats'), ref('Rankings')] } } },
      },
      400: error('Invalid query naming the field: query.metric, query.level (rankings: district, street, community or grid), query.by, query.limit, query.from / query.to'),
    },
  };
  return {
    ...stats,
    '/stats': { ...(stats['/stats'] as Json), get: statsGet },
    '/targets': {
      get: {
        summary: 'The targets of the leader view\'s indicators (permission read)',
        description: `Defaults until an admin sets others: ${JSON.stringify(DEFAULT_TARGETS)}. Rates are fractions 0..1 (repeatRate a maximum), satisfaction a mean rating 1..5.`,
        responses: { 200: body('TargetsResponse'), ...authErrors },
      },
      put: {
        summary: 'Sets targets (permission settings.manage; audited as settings.targets): any subset, the others keep their values',
        requestBody: jsonBody('TargetsUpdate'),
        responses: {
          200: body('TargetsResponse', 'The targets now in force'),
          400: error('Invalid body naming the field: onTimeArrival (a fraction 0..1), satisfaction (1..5), an unknown field'),
          ...authErrors,
        },
      },
    },
    '/reports/daily': {
      get: {
        summary: 'The daily report (日报) of a scope for one local day (permission read; a scope not visible is 404)',
        description: 'Incidents reported by category and priority, response (first dispatches and arrivals, on-time rate, medians), disputes and petitions'
          + ' opened and resolved with the on-time rate, the overdue backlog now, supervision orders issued and answered, alerts raised by kind,'
          + ' feedback and patrol coverage of the day, the top-5 risk cells now and the handovers of the day — from the daily counters and indexes, never the log.'
          + ` date: the local day (default today). ${days} format=csv: the same values as CSV sections (a title row, a header row, the rows;`
          + ' blank lines between), UTF-8 with a byte order mark, Content-Disposition attachment.',
        parameters: queryParams(dailyReportQuerySchema),
        responses: {
          200: {
            description: 'DailyReport (format=json) or its CSV (format=csv)',
            content: { 'application/json': { schema: ref('DailyReport') }, 'text/csv': { schema: { type: 'string' } } },
          },
          400: error('Invalid query naming the field: query.date (YYYY-MM-DD), query.format'),
          404: error('Scope not visible'),
          ...authErrors,
        },
      },
    },
  };
}
