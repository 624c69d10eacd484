// The leader view's data (DESIGN §1, §4 `GET /stats`, §9; issue 9): indicators against
// configurable targets with their trends over 7, 30 and 90 days, rankings of the jurisdictions
// under a scope, and the daily report (日报). The server computes every value from the daily
// counters the commit path and the worker maintain (server/ingest/daily-ops.ts,
// server/jobs/coverage-jobs.ts) and from indexes — never from the log — so the work of a request
// does not grow with the size of the log. One contract for the server and the browser.
//
// Conventions (as shared/wall.ts and shared/risk.ts): a value without data is null, never an
// invented number; rates are fractions 0..1 (4 decimals); satisfaction is a mean rating 1..5
// (2 decimals). Days are local days in TIME_ZONE (YYYY-MM-DD): the counters are kept per UTC day
// and UTC hour, and a local day is the sum of the 24 UTC hours it covers (exact for every time
// zone whose offset is a whole number of hours, as Asia/Shanghai; a zone with a :30 or :45 offset
// counts each hour where it begins, so a day's edges may be off by that fraction of an hour).
import { z } from 'zod';
import { isoTime } from './events.js';
import { levelSchema } from './jurisdiction.js';
import { handoverSchema } from './wall.js';

const count = z.number().int().min(0);
const rate = z.number().min(0).max(1).nullable();
const rateTarget = z.number().min(0).max(1);
/** a local date YYYY-MM-DD */
export const localDateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date YYYY-MM-DD').refine(
  (s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s,
  'not a calendar date',
);

// --- Targets ---

/** The indicators a leader watches, in display order. */
export const LEADER_INDICATORS = ['onTimeArrival', 'onTimeResolution', 'repeatRate', 'coverage', 'satisfaction'] as const;
export type LeaderIndicator = (typeof LEADER_INDICATORS)[number];

/**
 * The targets (stored in Redis `settings:targets`, replaced by `PUT /targets`, permission
 * settings.manage). A rate target is met when the value is at least the target, except
 * `repeatRate`, a maximum: met when the value is at most the target.
 */
export const targetsSchema = z.object({
  /** share of first arrivals within their SLA target (priority, area type): at least */
  onTimeArrival: rateTarget,
  /** share of disputes and petitions resolved no later than their deadline in force: at least */
  onTimeResolution: rateTarget,
  /** share of disputes and petitions opened that repeat an earlier case within 90 days: at most */
  repeatRate: rateTarget,
  /** share of top-risk cells covered by patrols (≥ 10 min of presence in the last 2 h), averaged over the coverage job's runs: at least */
  coverage: rateTarget,
  /** mean satisfaction rating 1..5 of residents' feedback: at least */
  satisfaction: z.number().min(1).max(5),
}).strict();
export type Targets = z.infer<typeof targetsSchema>;

/** The targets in force until an admin sets others. */
export const DEFAULT_TARGETS: Readonly<Targets> = { onTimeArrival: 0.9, onTimeResolution: 0.85, repeatRate: 0.1, coverage: 0.8, satisfaction: 4 };

/** Indicators whose target is a maximum (lower is better). */
export const MAXIMUM_TARGETS: ReadonlySet<LeaderIndicator> = new Set(['repeatRate']);

/** PUT /targets: any subset of the targets; the others keep their current values. */
export const targetsUpdateSchema = targetsSchema.partial().strict();
export type TargetsUpdate = z.infer<typeof targetsUpdateSchema>;

/** GET /targets, PUT /targets */
export const targetsResponseSchema = z.object({
  targets: targetsSchema,
  defaults: targetsSchema,
  /** when and by whom the targets were last set (null: the defaults, never set) */
  updatedAt: isoTime.nullable(),
  updatedBy: z.string().nullable(),
});
export type TargetsResponse = z.infer<typeof targetsResponseSchema>;

// --- GET /stats?metric=leader ---

/** The windows every indicator is given over: the last N local days, today (so far) included. */
export const LEADER_WINDOWS = [7, 30, 90] as const;
export const SERIES_DAYS = 90;

const windowValue = z.object({
  /** the value over the window; null when nothing was counted */
  value: z.number().nullable(),
  /** how many cases, arrivals, samples or ratings the value is over (its denominator) */
  count,
  /** value against the target; null when the value is null */
  meets: z.boolean().nullable(),
});

export const leaderIndicatorSchema = z.object({
  id: z.enum(LEADER_INDICATORS),
  target: z.number(),
  /** `min`: met at or above the target; `max`: met at or below it (repeatRate) */
  direction: z.enum(['min', 'max']),
  /** over the last 7, 30 and 90 local days (today so far included) */
  d7: windowValue,
  d30: windowValue,
  d90: windowValue,
  /** one value per local day, the oldest first, the last one today (so far); null on days without data */
  series: z.array(z.number().nullable()).length(SERIES_DAYS),
});
export type LeaderIndicatorValues = z.infer<typeof leaderIndicatorSchema>;

export const leaderStatsSchema = z.object({
  metric: z.literal('leader'),
  scope: z.string(),
  /** the local day of the last point (today) and the first, YYYY-MM-DD, in timeZone */
  day: z.string(),
  firstDay: z.string(),
  timeZone: z.string(),
  asOf: isoTime,
  asOfSeq: z.string().nullable(),
  indicators: z.array(leaderIndicatorSchema),
  /** the day-by-day counts behind the series, for the same 90 days (oldest first) */
  counts: z.object({
    incidents: z.array(count).length(SERIES_DAYS),
    arrivals: z.array(count).length(SERIES_DAYS),
    casesOpened: z.array(count).length(SERIES_DAYS),
    casesResolved: z.array(count).length(SERIES_DAYS),
  }),
  /**
   * (repeatRate only) read from the case indexes, not counters — whether a case repeats an earlier
   * one needs the earlier cases: true when the case cap was reached and the value is a lower bound
   */
  repeatTruncated: z.boolean(),
});
export type LeaderStats = z.infer<typeof leaderStatsSchema>;

// --- GET /stats?metric=rankings ---

export const RANKING_LEVELS = ['district', 'street', 'community', 'grid'] as const;
export const RANKING_BY = ['crime', 'instability', 'overdue'] as const;
export type RankingBy = (typeof RANKING_BY)[number];
export const DEFAULT_RANKING_LIMIT = 20;

export const rankingRowSchema = z.object({
  /** competition rank by the `by` value (equal values share a rank: 1, 1, 3); rows without a value come last, unranked (null) */
  rank: z.number().int().min(1).nullable(),
  id: z.string(),
  name: z.string(),
  level: levelSchema,
  /** GET /indicators roll-up: expected crime reports per day summed over the area's cells; null when no cell has a value */
  crimeRisk: z.number().nullable(),
  /** instability points summed over the area's cells; null when no cell has a value */
  instabilityRisk: z.number().nullable(),
  /** cells of class high or very_high */
  hotCells: count,
  /** open disputes and petitions located in the area and past their deadline now */
  overdue: count,
  /** why: the ids of the area's highest crime-risk cells (at most 5; a grid: the incidents and cases behind it) */
  drivers: z.array(z.string()),
  /** the most overdue cases (`dispute:<id>`, `petition:<id>`, longest overdue first, at most 5) */
  overdueCases: z.array(z.string()),
});
export type RankingRow = z.infer<typeof rankingRowSchema>;

export const rankingsSchema = z.object({
  metric: z.literal('rankings'),
  scope: z.string(),
  level: z.enum(RANKING_LEVELS),
  by: z.enum(RANKING_BY),
  /** how many jurisdictions at `level` lie under the scope (items holds at most `limit` of them) */
  total: count,
  items: z.array(rankingRowSchema),
  asOf: isoTime,
  asOfSeq: z.string().nullable(),
});
export type Rankings = z.infer<typeof rankingsSchema>;

// --- GET /reports/daily ---

export const dailyReportQuerySchema = z.object({
  scope: z.string().max(128).optional(),
  /** the local day (TIME_ZONE); default today */
  date: localDateSchema.optional(),
  format: z.enum(['json', 'csv']).default('json'),
});
export type DailyReportQuery = z.infer<typeof dailyReportQuerySchema>;

export const dailyReportSchema = z.object({
  scope: z.string(),
  scopeName: z.string(),
  date: z.string(),
  timeZone: z.string(),
  /** the day's bounds [from, to) */
  from: isoTime,
  to: isoTime,
  generatedAt: isoTime,
  asOfSeq: z.string().nullable(),
  incidents: z.object({
    /** incidents reported that day (each `incident.reported` that created an incident, once) */
    total: count,
    byCategory: z.array(z.object({ category: z.string(), count })),
    byPriority: z.array(z.object({ priority: z.number().int().min(1).max(4), count })),
  }),
  response: z.object({
    /** first dispatches and first arrivals that day */
    dispatches: count,
    arrivals: count,
    arrivalsOnTime: count,
    onTimeRate: rate,
    /** medians, seconds from the SLA clock start (null: none that day, or the per-day sets expired after 40 days) */
    medianDispatchSeconds: z.number().nullable(),
    medianArrivalSeconds: z.number().nullable(),
  }),
  cases: z.object({
    disputesOpened: count,
    disputesResolved: count,
    petitionsOpened: count,
    petitionsAnswered: count,
    /** of the disputes and petitions resolved that day with a known deadline: on time, and the rate */
    resolvedOnTime: count,
    onTimeRate: rate,
    /** open disputes and petitions located in scope past their deadline when the report was generated (a backlog is a "now", not a day) */
    overdueNow: count,
  }),
  supervision: z.object({ issued: count, answered: count }),
  alerts: z.object({ total: count, byKind: z.array(z.object({ kind: z.string(), count })) }),
  feedback: z.object({ ratings: count, satisfaction: z.number().nullable() }),
  coverage: z.object({ samples: count, rate }),
  /** the 5 highest crime-risk cells in scope now (latest indicators; history is not kept per day) */
  topRiskCells: z.array(z.object({ id: z.string(), name: z.string(), crimeRisk: z.number(), instabilityRisk: z.number(), drivers: z.array(z.string()) })),
  /** shift handovers recorded in scope that day, oldest first */
  handovers: z.array(handoverSchema),
});
export type DailyReport = z.infer<typeof dailyReportSchema>;
