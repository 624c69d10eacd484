// Governance indicators (issue 6; DESIGN §8): pure formulas over plain case objects and a window
// [from, to). Disputes and petitions count; supervision orders are about cases and do not. Rates
// are fractions 0..1 (4 decimals), hours and satisfaction have 2 decimals; every indicator is null
// when it has nothing to count (never a made-up 0).
//
//   opened                  disputes and petitions with openedAt in the window
//   resolved                ... whose resolution falls in the window (disputes: resolvedAt, set on
//                           `resolved` or on a close without one; petitions: answeredAt, else closedAt)
//   onTimeRate              of those resolved in the window with a known deadline, the share resolved
//                           at or before the deadline in force when they left their open stages
//   medianHoursToResolution median of (resolution − openedAt) in hours over those resolved in the window
//   repeatRate90d           of those opened in the window, the share with an earlier case opened at most
//                           90 days before: at the same place (both located, same grid, ≤ 100 m apart),
//                           or a dispute sharing a party, or a petition of the same petitioner
//   escalationRate          of the disputes opened in the window, the share escalated at least once
//   satisfaction            mean of the ratings (1..5) of feedback received in the window
//   overdueBacklog          disputes and petitions in an open stage whose deadline is before `now`
//   resolvedLocallyShare    of the disputes resolved in the window, the share resolved at grid or
//                           community level (resolvedAtLevel: autonomy and mediation)
//   routedOnwardShare       of the disputes resolved in the window, the share routed onward first
//                           (routed to a named department; routed without one = followed up locally)
import { isOpenStage, type GovCase, type GovernanceRow } from '../../shared/governance.js';

export interface IndicatorWindow {
  /** start of the window (inclusive), ms */
  from: number;
  /** end of the window (exclusive), ms */
  to: number;
  /** the instant the backlog is judged at */
  now: number;
}

export type IndicatorValues = Omit<GovernanceRow, 'jurisdictionId' | 'name' | 'level'>;
type Counted = Extract<GovCase, { kind: 'dispute' | 'petition' }>;

export const REPEAT_DAYS = 90;
export const REPEAT_METERS = 100;
const MS_DAY = 86_400_000;

const counted = (c: GovCase): c is Counted => c.kind === 'dispute' || c.kind === 'petition';
const ms = (iso: string | null | undefined) => (iso ? Date.parse(iso) : NaN);
const inWindow = (t: number, w: IndicatorWindow) => t >= w.from && t < w.to;
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
const share = (n: number, of: number) => (of === 0 ? null : round(n / of, 4));

/** When a dispute or petition was resolved (a petition: answered, else closed), or null while it is not. */
export function resolvedAt(c: GovCase): string | null {
  if (c.kind === 'dispute') return c.resolvedAt;
  if (c.kind === 'petition') return c.answeredAt ?? c.closedAt;
  return null;
}

/** Resolved at or before the deadline in force when it left its open stages; null when no deadline is known. */
export function resolvedOnTime(c: GovCase): boolean | null {
  const done = ms(resolvedAt(c));
  const due = ms(c.resolutionDeadline);
  if (Number.isNaN(done) || Number.isNaN(due)) return null;
  return done <= due;
}

/** Open and past its deadline at `now`. */
export function isOverdue(c: GovCase, now: number): boolean {
  if (!isOpenStage(c.kind, c.stage)) return false;
  const due = ms(c.deadline);
  return !Number.isNaN(due) && due < now;
}

/** Great-circle distance in metres. */
export function distanceMeters(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Median of a list (the mean of the two middle values for an even count), or null. */
export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Whether `earlier` makes `c` a repeat: opened strictly before it, at most 90 days, at the same place or by the same people. */
function repeats(c: Counted, earlier: Counted): boolean {
  if (earlier.id === c.id && earlier.kind === c.kind) return false;
  const t = ms(c.openedAt);
  const e = ms(earlier.openedAt);
  if (!(e < t && t - e <= REPEAT_DAYS * MS_DAY)) return false;
  if (c.location && earlier.location && c.gridId && c.gridId === earlier.gridId && distanceMeters(c.location, earlier.location) <= REPEAT_METERS) return true;
  if (c.kind === 'dispute' && earlier.kind === 'dispute') return c.parties.some((p) => earlier.parties.includes(p));
  if (c.kind === 'petition' && earlier.kind === 'petition') return c.petitioner !== null && c.petitioner === earlier.petitioner;
  return false;
}

/**
 * The cases opened in the window that repeat an earlier one found in `reference` (which should
 * hold every case opened from 90 days before the window on). Indexed by grid, party and
 * petitioner, so a city's worth of cases is not compared pairwise.
 */
export function repeatCaseKeys(reference: readonly GovCase[], w: IndicatorWindow): Set<string> {
  const all = reference.filter(counted);
  const by = new Map<string, Counted[]>();
  const add = (k: string, c: Counted) => {
    const list = by.get(k);
    if (list) list.push(c);
    else by.set(k, [c]);
  };
  for (const c of all) {
    if (c.gridId && c.location) add(`g\n${c.gridId}`, c);
    if (c.kind === 'dispute') for (const p of new Set(c.parties)) add(`p\n${p}`, c);
    if (c.kind === 'petition' && c.petitioner) add(`n\n${c.petitioner}`, c);
  }
  const out = new Set<string>();
  for (const c of all) {
    if (!inWindow(ms(c.openedAt), w)) continue;
    const candidates = [
      ...(c.gridId && c.location ? by.get(`g\n${c.gridId}`) ?? [] : []),
      ...(c.kind === 'dispute' ? c.parties.flatMap((p) => by.get(`p\n${p}`) ?? []) : []),
      ...(c.kind === 'petition' && c.petitioner ? by.get(`n\n${c.petitioner}`) ?? [] : []),
    ];
    if (candidates.some((e) => repeats(c, e))) out.add(caseKey(c));
  }
  return out;
}

export const caseKey = (c: Pick<GovCase, 'kind' | 'id'>) => `${c.kind}:${c.id}`;

/**
 * The indicators of a group of cases (one jurisdiction's) over the window. `repeat` names the
 * repeat cases (repeatCaseKeys over every case the group may repeat, usually the whole scope);
 * by default it is computed from the group itself.
 */
export function governanceIndicators(cases: readonly GovCase[], w: IndicatorWindow, repeat: ReadonlySet<string> = repeatCaseKeys(cases, w)): IndicatorValues {
  const mine = cases.filter(counted);
  const opened = mine.filter((c) => inWindow(ms(c.openedAt), w));
  const resolved = mine.filter((c) => inWindow(ms(resolvedAt(c)), w));
  const judged = resolved.map(resolvedOnTime).filter((x): x is boolean => x !== null);
  const hours = resolved.map((c) => (ms(resolvedAt(c)) - ms(c.openedAt)) / 3_600_000).filter((h) => Number.isFinite(h));
  const openedDisputes = opened.filter((c) => c.kind === 'dispute');
  const resolvedDisputes = resolved.filter((c) => c.kind === 'dispute');
  const ratings = mine.flatMap((c) => c.feedback).filter((f) => f.satisfaction !== null && inWindow(ms(f.at), w)).map((f) => f.satisfaction!);
  const mid = median(hours);
  return {
    opened: opened.length,
    resolved: resolved.length,
    onTimeRate: share(judged.filter(Boolean).length, judged.length),
    medianHoursToResolution: mid === null ? null : round(mid, 2),
    repeatRate90d: share(opened.filter((c) => repeat.has(caseKey(c))).length, opened.length),
    escalationRate: share(openedDisputes.filter((c) => c.escalations > 0).length, openedDisputes.length),
    satisfaction: ratings.length ? round(ratings.reduce((a, b) => a + b, 0) / ratings.length, 2) : null,
    overdueBacklog: mine.filter((c) => isOverdue(c, w.now)).length,
    resolvedLocallyShare: share(resolvedDisputes.filter((c) => c.resolvedAtLevel === 'grid' || c.resolvedAtLevel === 'community').length, resolvedDisputes.length),
    routedOnwardShare: share(resolvedDisputes.filter((c) => c.department !== null).length, resolvedDisputes.length),
  };
}
