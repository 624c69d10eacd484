// Pure decisions of the count-spike alerts (DESIGN §8) around server/alerts/spike.ts: which hour
// and series an incident report counts in, how a series' stored counts become the detector's
// history, and whether an hour raises, clears or leaves the series' alert. No I/O, no clock.
import { createHash } from 'node:crypto';
import { INCIDENT_CATEGORIES, normalizeCode } from '../../shared/catalogue.js';
import type { Alert, Entry } from '../../shared/objects.js';
import { chainAt } from '../governance/case-reducer.js';
import type { SpikeEvaluation } from './spike.js';

export const SPIKE_KIND = 'spike';
export const HOUR_MS = 3_600_000;
/** The detector's window: 8 weeks of hourly counts before the hour evaluated (spike.ts `weeks`). */
export const SPIKE_WINDOW_HOURS = 8 * 168;
/** Counts older than this (behind the newest hour counted) may be trimmed from a series. */
export const SPIKE_KEEP_HOURS = 9 * 168;
/** Critical instead of warning below this p-value. */
export const SPIKE_CRITICAL_P = 1e-7;

/**
 * Hours are absolute UTC hours [h:00, h+1:00) of the report's `time`: the :00/:30 heaping of
 * reported times falls inside the hour it rounds within (see spike.ts).
 */
export const hourStartOf = (ms: number): number => Math.floor(ms / HOUR_MS) * HOUR_MS;

/** The hour that closed last at `now`. */
export const closedHourAt = (now: number): number => hourStartOf(now) - HOUR_MS;

export const spikeSubject = (district: string, category: string): string => `spike:${district}:${category}`;

export function spikeAlertId(district: string, category: string, hourStart: number): string {
  const h = createHash('sha1').update(district).update('\n').update(category).update('\n').update(String(hourStart));
  return `spike-${h.digest('hex').slice(0, 24)}`;
}

export const spikeSeverity = (pValue: number): 'warning' | 'critical' => (pValue < SPIKE_CRITICAL_P ? 'critical' : 'warning');

/** Catalogue category codes; anything else (missing, unknown) counts as `other`. */
export const spikeCategory = (v: unknown): string => (typeof v === 'string' ? normalizeCode(INCIDENT_CATEGORIES, v).code : 'other');

/** What one incident report adds to the hourly counts; null when it counts nowhere. */
export interface CountJobData { district: string; category: string; hourStart: number; member: string }

/**
 * A report that is not stale, placed in a district (its jurisdiction chain reaches the district
 * level) and with a parseable time; the member that makes the count idempotent is its seq.
 */
export function countFor(e: Entry): CountJobData | null {
  if (e.stale || e.type !== 'incident.reported') return null;
  const district = chainAt(e.jurisdiction, 'district');
  const t = Date.parse(e.time);
  if (!district || !Number.isFinite(t)) return null;
  return { district, category: spikeCategory(e.data.category), hourStart: hourStartOf(t), member: e.seq };
}

/** The series field names (hour starts, ms) the evaluation of `hourStart` reads: the window, then the hour itself. */
export function windowFields(hourStart: number): string[] {
  const out: string[] = [];
  for (let i = SPIKE_WINDOW_HOURS; i >= 0; i--) out.push(String(hourStart - i * HOUR_MS));
  return out;
}

/**
 * History and observation from the values read for windowFields(hourStart). Hours before the
 * series' first count are not history (a series is not known to be quiet before it existed):
 * a series younger than the window gives a short history, which evaluateHour does not fit.
 */
export function seriesWindow(values: readonly (string | null)[], hourStart: number, firstHour: number): { history: number[]; observed: number } {
  const n = (v: string | null | undefined) => {
    const x = v == null ? 0 : Number(v);
    return Number.isFinite(x) && x > 0 ? x : 0;
  };
  const skip = Math.max(0, Math.ceil((firstHour - (hourStart - SPIKE_WINDOW_HOURS * HOUR_MS)) / HOUR_MS));
  const history = values.slice(Math.min(skip, SPIKE_WINDOW_HOURS), SPIKE_WINDOW_HOURS).map(n);
  return { history, observed: n(values[SPIKE_WINDOW_HOURS]) };
}

export interface SpikeEvidence {
  district: string;
  category: string;
  hourStart: string;
  observed: number;
  expected: number;
  pValue: number;
}

export type SpikeDecision =
  | { kind: 'raise'; alertId: string; severity: 'warning' | 'critical'; evidence: SpikeEvidence }
  | { kind: 'clear'; alertId: string }
  | { kind: 'none' };

/**
 * One series at one closed hour, given its alert not yet cleared (if any): raise when the hour
 * fires and none is open; clear the open one when the hour does not fire and the alert is about
 * an earlier hour (a run for an older hour never clears a newer alert).
 */
export function decideSpike(district: string, category: string, hourStart: number, observed: number, ev: SpikeEvaluation, open: Alert | null): SpikeDecision {
  const live = open && open.state !== 'cleared' ? open : null;
  if (ev.fire) {
    if (live) return { kind: 'none' };
    return {
      kind: 'raise',
      alertId: spikeAlertId(district, category, hourStart),
      severity: spikeSeverity(ev.pValue),
      evidence: { district, category, hourStart: new Date(hourStart).toISOString(), observed, expected: ev.expected, pValue: ev.pValue },
    };
  }
  if (!live) return { kind: 'none' };
  const raisedFor = Date.parse(String((live.evidence as Partial<SpikeEvidence> | undefined)?.hourStart ?? ''));
  if (Number.isFinite(raisedFor) && raisedFor >= hourStart) return { kind: 'none' };
  return { kind: 'clear', alertId: live.id };
}
