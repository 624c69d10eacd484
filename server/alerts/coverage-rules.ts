// Rules of the patrol coverage-gap alert (DESIGN §8: "top-risk cells not visited for over 2
// hours, or for under 10 minutes"). Pure: the `coverage` maintenance job
// (server/jobs/coverage-jobs.ts) samples where units are, reads the check-ins the commit indexed,
// asks these functions and commits what they answer.
//
// Over the last `windowMs` (2 h), a top-risk cell's patrol presence is the unit-time seen in it —
// each minute's sample of a unit on duty with a fresh fix inside the cell counts one sampling
// interval — plus the dwell of every `patrol.checkin` there (its dwellSeconds, else 5 minutes).
// The cell has a gap when that presence is under `minPresenceMs` (10 min): never visited in the
// window, or visited too briefly. No gap is called before the sampler has watched a whole window
// (after a first start there is no history to judge by). The gap clears when the presence is
// back to the minimum or the cell is no longer among the top-risk cells.
import { createHash } from 'node:crypto';

export const COVERAGE_KIND = 'coverage_gap';
export const coverageSubject = (gridId: string) => `coverage:${gridId}`;

export interface CoverageRule {
  windowMs: number;
  minPresenceMs: number;
  /** the sampler's interval: one sample of a unit in a cell stands for this much presence */
  sampleEveryMs: number;
  /** a check-in without dwellSeconds stands for this much */
  checkinDefaultMs: number;
}

export const DEFAULT_COVERAGE_RULE: Readonly<CoverageRule> = {
  windowMs: 2 * 3_600_000,
  minPresenceMs: 10 * 60_000,
  sampleEveryMs: 60_000,
  checkinDefaultMs: 5 * 60_000,
};

export interface CellCoverage {
  gridId: string;
  /** sampled presences in the window: sample times (ms), one per unit and sample */
  samples: readonly number[];
  /** check-ins in the window: time (ms) and dwell (ms, null when not given) */
  checkins: readonly { at: number; dwellMs: number | null }[];
  /** the last visit before the window, if known (ms) */
  lastVisitBefore: number | null;
}

export interface CoverageEvidence {
  gridId: string;
  crimeRisk: number;
  presenceMinutes: number;
  windowMinutes: number;
  minMinutes: number;
  lastVisitAt: string | null;
}

export type CoverageVerdict =
  | { gap: false; presenceMs: number }
  | { gap: true; presenceMs: number; alertId: string; lastVisit: number | null; evidence: CoverageEvidence };

export function presenceMs(c: CellCoverage, rule: CoverageRule): number {
  let ms = c.samples.length * rule.sampleEveryMs;
  for (const k of c.checkins) ms += k.dwellMs ?? rule.checkinDefaultMs;
  return ms;
}

export function lastVisit(c: CellCoverage): number | null {
  let last = c.lastVisitBefore;
  for (const t of c.samples) if (last === null || t > last) last = t;
  for (const k of c.checkins) if (last === null || k.at > last) last = k.at;
  return last;
}

/** A stable id per gap episode: the cell and the last visit that preceded the gap. */
export function coverageAlertId(gridId: string, lastVisitMs: number | null, watchedSince: number): string {
  const h = createHash('sha1').update(gridId).update('\n').update(String(lastVisitMs ?? `never:${watchedSince}`));
  return `coverage_gap-${h.digest('hex').slice(0, 24)}`;
}

export function checkCoverage(
  c: CellCoverage, crimeRisk: number, now: number, watchedSince: number | null, rule: CoverageRule,
): CoverageVerdict {
  const p = presenceMs(c, rule);
  if (p >= rule.minPresenceMs || watchedSince === null || now - watchedSince < rule.windowMs) return { gap: false, presenceMs: p };
  const last = lastVisit(c);
  return {
    gap: true, presenceMs: p, lastVisit: last,
    alertId: coverageAlertId(c.gridId, last, watchedSince),
    evidence: {
      gridId: c.gridId, crimeRisk,
      presenceMinutes: Math.round(p / 6_000) / 10,
      windowMinutes: rule.windowMs / 60_000, minMinutes: rule.minPresenceMs / 60_000,
      lastVisitAt: last === null ? null : new Date(last).toISOString(),
    },
  };
}
