// The wall screen's data (DESIGN §4 `GET /stats?metric=wall`, §9; issue 8): KPIs and series the
// server computes from counters the commit path and the workers maintain — the browser never
// recomputes history from the log — and the duty desk (roster, shift handover). One contract for
// the server and the browser. Every value that has no data yet is null, never an invented number.
import { z } from 'zod';
import { isoTime } from './events.js';

const count = z.number().int().min(0);
const seconds = z.number().min(0).nullable();
const rate = z.number().min(0).max(1).nullable();

export const wallKpisSchema = z.object({
  /** incidents reported since local midnight, and over the same part of yesterday */
  incidentsToday: count,
  incidentsYesterdaySameTime: count,
  /** open incidents of priority 1 now */
  openP1: count,
  /** medians over today's first dispatches / first arrivals, seconds from the SLA clock's start */
  medianDispatchSeconds: seconds,
  medianArrivalSeconds: seconds,
  /** the priority-1 urban arrival target (seconds), for comparison */
  arrivalTargetSeconds: z.number().int().min(1),
  /** of today's arrivals, the share within their SLA target (priority, area type) */
  onTimeRate: rate,
  /** units now: available, busy (dispatched, en route, on scene), off duty, stale (no fix for 2 min while on duty) */
  unitsAvailable: count,
  unitsBusy: count,
  unitsOffDuty: count,
  unitsStale: count,
  /** disputes open now and past their deadline now */
  disputesOpen: count,
  disputesOverdue: count,
  /** median hours from opening to resolution of the disputes resolved in the last 30 days */
  medianHoursToResolution: z.number().min(0).nullable(),
});
export type WallKpis = z.infer<typeof wallKpisSchema>;

export const wallStatsSchema = z.object({
  metric: z.literal('wall'),
  scope: z.string(),
  /** the scope's local day (TIME_ZONE), YYYY-MM-DD, and its start */
  day: z.string(),
  dayStart: isoTime,
  timeZone: z.string(),
  /** when these values were computed, and the log position they are at least as new as */
  asOf: isoTime,
  asOfSeq: z.string().nullable(),
  kpis: wallKpisSchema,
  /**
   * (added) the jurisdictions the incident counts (incidentsToday, yesterday, hourly, categories)
   * come from: the hourly count series are kept per district, so a scope below district level
   * answers for the district containing it. Absent when they are the scope's own districts.
   */
  countsScope: z.array(z.string()).optional(),
  /** incidents per local hour today (null for hours not begun) and the mean of the 7 days before */
  hourly: z.object({ today: z.array(count.nullable()).length(24), baseline: z.array(z.number().min(0)).length(24), baselineDays: count }),
  /** today's incidents by category, largest first */
  categories: z.array(z.object({ category: z.string(), count })),
  /** today's first arrivals: counts per bucket of seconds (upTo null = beyond the last bound) and the target */
  responseTimes: z.object({
    buckets: z.array(z.object({ upToSeconds: z.number().int().min(1).nullable(), count })),
    targetSeconds: z.number().int().min(1),
    arrivals: count,
  }),
  /** the "4+2" dispute workflow: disputes open now per stage, and resolved/closed in the last 30 days */
  disputeFunnel: z.array(z.object({ stage: z.string(), count })),
  /** districts (or the scope's children) by crime risk, highest first (GET /indicators roll-up) */
  districtRisk: z.array(z.object({ id: z.string(), name: z.string(), crimeRisk: z.number(), instabilityRisk: z.number(), hotCells: count })),
  /** patrol coverage of the top-risk cells in scope over the last 2 hours (null rate: no top-risk cells yet) */
  coverage: z.object({
    topCells: count,
    covered: count,
    rate,
    cells: z.array(z.object({ gridId: z.string(), name: z.string(), presenceMinutes: z.number().min(0), lastVisitAt: isoTime.nullable() })),
  }),
});
export type WallStats = z.infer<typeof wallStatsSchema>;

/** POST /duty/handover: the outgoing officer's notes and open items, appended as `duty.handover`. */
export const handoverCreateSchema = z.object({
  shift: z.string().min(1).max(64),
  to: z.string().min(1).max(128),
  notes: z.string().max(8000).default(''),
  /** open items: incident, alert or case ids with a note each */
  openItems: z.array(z.object({ ref: z.string().min(1).max(128), note: z.string().max(500).default('') })).max(200).default([]),
  /** (added) the jurisdiction the handover is for; default: the caller's first scope */
  scope: z.string().min(1).max(128).optional(),
});
export type HandoverCreate = z.infer<typeof handoverCreateSchema>;

export const handoverSchema = z.object({
  id: z.string(),
  seq: z.string(),
  at: isoTime,
  /** the user who recorded it (the outgoing officer) */
  from: z.string(),
  to: z.string(),
  shift: z.string(),
  notes: z.string(),
  openItems: z.array(z.object({ ref: z.string(), note: z.string() })),
  scope: z.string(),
});
export type Handover = z.infer<typeof handoverSchema>;

/** The duty desk: who is on duty now (duty officer and leader on duty, 带班领导) and the latest handovers. */
export const dutySchema = z.object({
  scope: z.string(),
  /** name `day` (08:00–20:00 local) or `night` (20:00–08:00); (added) `date`: the local date the shift began */
  shift: z.object({ name: z.string(), from: isoTime, to: isoTime, date: z.string().optional() }),
  officer: z.object({ username: z.string(), displayName: z.string() }).nullable(),
  leader: z.object({ username: z.string(), displayName: z.string() }).nullable(),
  handovers: z.array(handoverSchema),
  asOfSeq: z.string().nullable(),
});
export type Duty = z.infer<typeof dutySchema>;

/**
 * (added) The duty roster stored in Redis (`duty:roster`), set by PUT /duty/roster (settings.manage):
 * per jurisdiction, rotations of usernames. The person on duty for a shift is the rotation's element
 * at (days since 1970-01-01 of the shift's local start date) mod its length. A scope without its own
 * entry takes the nearest ancestor's.
 */
export const dutyRosterSchema = z.object({
  scopes: z.record(z.string().min(1).max(128), z.object({
    duty_officer: z.array(z.string().min(1).max(128)).max(100).default([]),
    leader: z.array(z.string().min(1).max(128)).max(100).default([]),
  })),
});
export type DutyRoster = z.infer<typeof dutyRosterSchema>;
