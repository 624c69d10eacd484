// The commit's part in the wall screen's statistics (GET /stats?metric=wall, DESIGN §4, §9) and
// its duty desk. Pure.
//
// Response times: when an incident is first dispatched in its current cycle (its status leaves
// `new` for dispatched, en route or on scene) and when a unit first arrives (its status becomes
// `on_scene` from new, dispatched or en route — the lenient reducer's forward jumps included),
// the same commit adds the incident to one sorted set per jurisdiction of its chain and UTC day of
// the fact, scored by the fact's time (ms; its receipt when the producer's clock was off by more
// than 2 minutes, as for SLA clocks):
//   stats:dispatch:<jurisdiction>:<UTC YYYY-MM-DD>   member `<incidentId>|<seconds>`
//   stats:arrival:<jurisdiction>:<UTC YYYY-MM-DD>    member `<incidentId>|<seconds>|<target seconds>`
// seconds are counted from the SLA clock's start (`slaFrom`, else the report's clock start), the
// target is the arrival SLA of the incident's priority and area type. Keys are per UTC day, not per
// local day: the commit needs no time zone, and a reader takes today's local day as the score range
// [local midnight, now) over the (at most two) UTC days it overlaps — exact for every time zone.
// Every key expires STATS_DAY_TTL_SECONDS after its last write. A reopened incident (back to `new`)
// counts again when it is dispatched and reached again. The decision (responseMilestones) is shared
// with the leader's daily counters (server/ingest/daily-ops.ts), so both count the same arrivals.
//
// Handovers: a `duty.handover` entry is indexed per jurisdiction of its chain (`idx:handover:<j>`,
// scored by the fact's time) and its handover stored in the `duty:handover` hash under its entry
// id (HF: `<seq> <json>`), so GET /duty reads neither the log nor a scan.
import type { Incident } from '../../shared/objects.js';
import { slaStart, slaTargetSeconds } from '../../shared/sla.js';
import type { Op } from '../store/commit.js';
import { keys, STATS_DAY_TTL_SECONDS } from '../store/keys.js';

const DISPATCHED: ReadonlySet<string> = new Set(['dispatched', 'en_route', 'on_scene']);
const BEFORE_ARRIVAL: ReadonlySet<string> = new Set(['new', 'dispatched', 'en_route']);

/** The UTC day (YYYY-MM-DD) of an instant. */
export const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** When the incident's SLA clock started (ms): a reopening's `slaFrom`, else the report's. */
export const slaClockFrom = (i: Incident) => (i.slaFrom ? Date.parse(i.slaFrom) : slaStart(i));

/** A dispatch member `<incidentId>|<seconds>` or an arrival member `<incidentId>|<seconds>|<target>` → its parts; null when malformed. */
export function parseResponseMember(m: string, arrival: boolean): { incidentId: string; seconds: number; targetSeconds: number | null } | null {
  const parts = m.split('|');
  const tail = arrival ? 2 : 1;
  if (parts.length < tail + 1) return null;
  const seconds = Number(parts[parts.length - tail]);
  const target = arrival ? Number(parts[parts.length - 1]) : null;
  if (!Number.isFinite(seconds) || (target !== null && !Number.isFinite(target))) return null;
  return { incidentId: parts.slice(0, -tail).join('|'), seconds, targetSeconds: target };
}

/** A first dispatch or first arrival an incident's change makes: seconds from the SLA clock start; arrivals with their target and verdict. */
export interface ResponseMilestones {
  dispatch: { seconds: number } | null;
  arrival: { seconds: number; targetSeconds: number; onTime: boolean } | null;
}

/**
 * The one decision of what counts as a first dispatch and a first arrival (shared by the wall's
 * response-time sets and the leader's daily counters, server/ingest/daily-ops.ts): a first dispatch
 * when the status leaves `new` for dispatched, en route or on scene; a first arrival when it becomes
 * `on_scene` from new, dispatched or en route (forward jumps included). On time: within the arrival
 * SLA target of the incident's priority and area type. `at` (ms) is when it happened; null when
 * neither happened.
 */
export function responseMilestones(before: Incident | null, after: Incident, at: number): ResponseMilestones | null {
  if (!before || before.status === after.status) return null;
  const firstDispatch = before.status === 'new' && DISPATCHED.has(after.status);
  const firstArrival = BEFORE_ARRIVAL.has(before.status) && after.status === 'on_scene';
  if (!firstDispatch && !firstArrival) return null;
  if (!Number.isFinite(at)) return null;
  const from = slaClockFrom(after);
  const seconds = Number.isFinite(from) ? Math.max(0, Math.round((at - from) / 1000)) : 0;
  const targetSeconds = slaTargetSeconds(after.priority, after.areaType);
  return {
    dispatch: firstDispatch ? { seconds } : null,
    arrival: firstArrival ? { seconds, targetSeconds, onTime: seconds <= targetSeconds } : null,
  };
}

/**
 * Ops recording a first dispatch or a first arrival between `before` and `after`; [] otherwise.
 * `at` (ms) is when it happened: the fact's time, or its receipt when that time was skewed
 * (the rule of the SLA clocks, DESIGN §7).
 */
export function responseTimeOps(before: Incident | null, after: Incident, at: number): Op[] {
  const m = responseMilestones(before, after, at);
  if (!m) return [];
  const day = utcDay(at);
  const ops: Op[] = [];
  const add = (key: string, member: string) => {
    ops.push({ op: 'ZA', key, score: at, member });
    ops.push({ op: 'EX', key, ttlSeconds: STATS_DAY_TTL_SECONDS });
  };
  for (const j of after.jurisdiction) {
    if (m.dispatch) add(keys.statsDispatch(j, day), `${after.id}|${m.dispatch.seconds}`);
    if (m.arrival) add(keys.statsArrival(j, day), `${after.id}|${m.arrival.seconds}|${m.arrival.targetSeconds}`);
  }
  return ops;
}

/** What the `duty:handover` hash holds per entry (shared/wall.ts Handover without id and seq). */
export interface StoredHandover {
  at: string;
  from: string;
  to: string;
  shift: string;
  notes: string;
  openItems: { ref: string; note: string }[];
  scope: string;
}

const str = (v: unknown, max: number) => (typeof v === 'string' ? v.slice(0, max) : '');

/** The handover a `duty.handover` entry states (feeders may omit fields: empty strings and lists then). */
export function handoverOf(data: Record<string, unknown>, time: string, jurisdiction: readonly string[]): StoredHandover {
  const items = Array.isArray(data.openItems) ? data.openItems : [];
  return {
    at: time,
    from: str(data.from, 128),
    to: str(data.to, 128),
    shift: str(data.shift, 64),
    notes: str(data.notes, 8000),
    openItems: items.slice(0, 500).map((x) => {
      const o = (x && typeof x === 'object' ? x : { ref: x }) as Record<string, unknown>;
      return { ref: typeof o.ref === 'string' ? o.ref.slice(0, 128) : String(o.ref ?? ''), note: str(o.note, 500) };
    }),
    scope: typeof data.jurisdictionId === 'string' ? data.jurisdictionId : typeof data.district === 'string' ? data.district : (jurisdiction[0] ?? ''),
  };
}

/** Ops indexing a `duty.handover` entry in every jurisdiction of its chain and storing its handover. */
export function handoverOps(eventId: string, time: string, jurisdiction: readonly string[], data: Record<string, unknown>): Op[] {
  const at = Date.parse(time);
  const ops: Op[] = jurisdiction.map((j) => ({ op: 'ZA', key: keys.handoversIn(j), score: at, member: eventId }));
  ops.push({ op: 'HF', key: keys.handovers, field: eventId, json: JSON.stringify(handoverOf(data, time, jurisdiction)) });
  return ops;
}
