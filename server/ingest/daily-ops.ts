// The commit's daily counters (GET /stats?metric=leader and GET /reports/daily; issue 9: "aggregates
// for 30 and 90 days come from server-side daily counters, not from replaying the log"). Pure.
//
// Each fact adds to one hash per jurisdiction of the chain of what it counts and per UTC day of the
// fact, field `<counter>@<UTC hour HH>`, with HI ops (HINCRBY) in the fact's own commit:
//   stats:daily:<jurisdiction>:<UTC YYYY-MM-DD>
// Every key expires STATS_DAILY_TTL_SECONDS (400 days) after its last write.
//
// Why UTC days with hour fields, not local days: the commit path carries no time zone (PlanEnv has
// none; server/ingest/stats-ops.ts keeps its per-day sets per UTC day for the same reason), and a
// change of TIME_ZONE must not corrupt the history. A reader sums a local day from the 24 UTC hours
// it covers (at most two hashes per day, 91 for 90 days): exact for every whole-hour offset.
//
// Counted once: a fact is committed exactly once (the script's dedupe), its ops run only when it is
// committed, and a batch that met a conflict is re-planned from the conflicting entry on — the ops
// of entries the script did not commit never ran (server/ingest/pipeline.ts). So an increment in the
// fact's own commit is applied exactly once.
//
// The time of a count is `at`: the fact's time, or its receipt when the producer's clock was off
// by more than 2 minutes (the rule of the SLA clocks).
//
// Counters (what increments them; in the chain of the object they are about):
//   inc, cat:<category>, p<priority>   an incident created by its report (incident chain)
//   dsp                               its first dispatch in a cycle (stats-ops' decision, shared)
//   arr, arr_ok                       its first arrival in a cycle; arr_ok: within the SLA target
//   dis_open, pet_open                a dispute / petition opened (case location chain)
//   dis_res, pet_res                  a dispute resolved / a petition answered (or closed unanswered):
//                                     the moment governance's resolvedAt() becomes set
//   res_judged, res_ok                of those, with a known deadline in force / resolved no later than it
//                                     (governance resolvedOnTime())
//   sup_iss, sup_ans                  a supervision order issued / first answered (order's chain)
//   alert:<kind>                      an alert raised (the chain of its scope)
//   fb_n, fb_sum                      a `feedback.received` with a rating 1..5: count and sum (entry chain)
// and, written by the worker's coverage job (server/jobs/coverage-jobs.ts), not the commit:
//   cov_chk, cov_ok                   per run, the top-risk cells judged / covered (chain of each cell)
// The repeat rate is not counted here: whether a case repeats an earlier one needs the earlier
// cases, which the commit does not read; GET /stats?metric=leader reads it from the case indexes.
import type { GovCase } from '../../shared/governance.js';
import type { Alert, Incident } from '../../shared/objects.js';
import { resolvedAt, resolvedOnTime } from '../governance/indicators.js';
import type { Op } from '../store/commit.js';
import { keys, STATS_DAILY_TTL_SECONDS } from '../store/keys.js';
import { responseMilestones, utcDay } from './stats-ops.js';

/** Counter names (the part of a field before `@`). */
export const DAILY = {
  incidents: 'inc',
  category: (c: string) => `cat:${c}`,
  priority: (p: number) => `p${p}`,
  dispatches: 'dsp',
  arrivals: 'arr',
  arrivalsOnTime: 'arr_ok',
  disputesOpened: 'dis_open',
  petitionsOpened: 'pet_open',
  disputesResolved: 'dis_res',
  petitionsResolved: 'pet_res',
  resolvedJudged: 'res_judged',
  resolvedOnTime: 'res_ok',
  supervisionsIssued: 'sup_iss',
  supervisionsAnswered: 'sup_ans',
  alert: (kind: string) => `alert:${kind}`,
  ratings: 'fb_n',
  ratingSum: 'fb_sum',
  /** written by the worker's coverage job, not the commit (server/jobs/coverage-jobs.ts) */
  coverageChecked: 'cov_chk',
  coverageCovered: 'cov_ok',
} as const;

/** The field of a counter in the hour (0..23, UTC) of a day hash. */
export const dailyField = (counter: string, utcHour: number) => `${counter}@${String(utcHour).padStart(2, '0')}`;

/** `<counter>@HH` → its parts; null when malformed. */
export function parseDailyField(field: string): { counter: string; hour: number } | null {
  const at = field.lastIndexOf('@');
  if (at <= 0) return null;
  const hour = Number(field.slice(at + 1));
  return Number.isInteger(hour) && hour >= 0 && hour < 24 ? { counter: field.slice(0, at), hour } : null;
}

/** What a committed fact changed, as far as the counters care. */
export interface DailyFact {
  type: string;
  /** when it counts (ms): the fact's time, or its receipt when skewed */
  at: number;
  /** the entry's jurisdiction chain */
  jurisdiction: readonly string[];
  data: Record<string, unknown>;
  /** the incident before and after (not for stale facts, which change nothing) */
  incident?: { before: Incident | null; after: Incident } | null;
  case?: { before: GovCase | null; after: GovCase } | null;
  alert?: { before: Alert | null; after: Alert } | null;
}

/** The HI (and EX) ops of one fact; [] when it counts nothing. */
export function dailyOps(f: DailyFact): Op[] {
  if (!Number.isFinite(f.at)) return [];
  const day = utcDay(f.at);
  const hour = new Date(f.at).getUTCHours();
  /** key → field → increment, in insertion order */
  const adds = new Map<string, Map<string, number>>();
  const add = (chain: readonly string[], counter: string, n = 1) => {
    for (const j of chain) {
      const key = keys.statsDaily(j, day);
      let fields = adds.get(key);
      if (!fields) adds.set(key, (fields = new Map()));
      const field = dailyField(counter, hour);
      fields.set(field, (fields.get(field) ?? 0) + n);
    }
  };

  const inc = f.incident;
  if (inc) {
    const a = inc.after;
    if (!inc.before) {
      add(a.jurisdiction, DAILY.incidents);
      add(a.jurisdiction, DAILY.category(a.category));
      add(a.jurisdiction, DAILY.priority(a.priority));
    }
    const m = responseMilestones(inc.before, a, f.at);
    if (m?.dispatch) add(a.jurisdiction, DAILY.dispatches);
    if (m?.arrival) {
      add(a.jurisdiction, DAILY.arrivals);
      if (m.arrival.onTime) add(a.jurisdiction, DAILY.arrivalsOnTime);
    }
  }

  const c = f.case;
  if (c && (!c.before || c.before.version !== c.after.version)) {
    const { before, after } = c;
    if (after.kind === 'supervision') {
      if (!before) add(after.jurisdiction, DAILY.supervisionsIssued);
      const wasAnswered = before?.kind === 'supervision' && before.answeredAt !== null;
      if (!wasAnswered && after.answeredAt !== null) add(after.jurisdiction, DAILY.supervisionsAnswered);
    } else {
      if (!before) add(after.jurisdiction, after.kind === 'dispute' ? DAILY.disputesOpened : DAILY.petitionsOpened);
      if ((before ? resolvedAt(before) : null) === null && resolvedAt(after) !== null) {
        add(after.jurisdiction, after.kind === 'dispute' ? DAILY.disputesResolved : DAILY.petitionsResolved);
        const onTime = resolvedOnTime(after);
        if (onTime !== null) {
          add(after.jurisdiction, DAILY.resolvedJudged);
          if (onTime) add(after.jurisdiction, DAILY.resolvedOnTime);
        }
      }
    }
  }

  if (f.alert && !f.alert.before) add(f.alert.after.jurisdiction, DAILY.alert(f.alert.after.kind));

  if (f.type === 'feedback.received') {
    const s = f.data.satisfaction;
    if (typeof s === 'number' && Number.isInteger(s) && s >= 1 && s <= 5) {
      add(f.jurisdiction, DAILY.ratings);
      add(f.jurisdiction, DAILY.ratingSum, s);
    }
  }

  const ops: Op[] = [];
  for (const [key, fields] of adds) {
    for (const [field, n] of fields) ops.push({ op: 'HI', key, field, n });
    ops.push({ op: 'EX', key, ttlSeconds: STATS_DAILY_TTL_SECONDS });
  }
  return ops;
}
