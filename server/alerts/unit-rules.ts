// Rules of the stale-unit alert (DESIGN §8: "stale units: no fix for 2 minutes while on duty").
// Pure: the `stale-units` maintenance job (server/jobs/health-jobs.ts) reads every unit and its
// latest fix time, asks these functions, and commits what they answer.
//
// A unit is stale when it is on duty (any status but off_duty) and its latest fix is older than
// the threshold. A unit that never sent a fix counts only while it is on an incident
// (dispatched, en route, on scene), its silence measured from its last status change: a roster of
// units registered but not yet on shift (no device reporting) would otherwise raise an alert for
// every one of them.
import { createHash } from 'node:crypto';
import type { Alert, Unit } from '../../shared/objects.js';

export const STALE_UNIT_KIND = 'stale_unit';
export const staleUnitSubject = (unitId: string) => `unit:${unitId}`;

const ON_INCIDENT: ReadonlySet<string> = new Set(['dispatched', 'en_route', 'on_scene']);

/** True while the unit works an incident (critical when such a unit goes silent). */
export const onIncident = (u: Pick<Unit, 'status' | 'incidentId'>) => ON_INCIDENT.has(u.status) && u.incidentId !== null;

/** A stable alert id from its parts (≤ 128 characters whatever the object ids). */
export function healthAlertId(kind: 'stale_unit' | 'feed_silent', ...parts: string[]): string {
  const h = createHash('sha1');
  for (const p of parts) h.update(p).update('\n');
  return `${kind}-${h.digest('hex').slice(0, 24)}`;
}

/** The latest fix time known (ms): the telemetry store's, else the unit object's `lastFix`; null when none. */
export function latestFixMs(telemetryMs: number | null, unit: Pick<Unit, 'lastFix'>): number | null {
  const own = unit.lastFix ? Date.parse(unit.lastFix.at) : NaN;
  const a = telemetryMs !== null && Number.isFinite(telemetryMs) ? telemetryMs : null;
  const b = Number.isFinite(own) ? own : null;
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}

export interface StaleUnitEvidence {
  unitId: string;
  callsign: string;
  status: string;
  /** ISO time of the latest fix, null when the unit never sent one */
  lastFixAt: string | null;
  silentSeconds: number;
  incidentId?: string;
}

export type StaleVerdict =
  | { stale: false }
  | {
    stale: true;
    alertId: string;
    severity: 'warning' | 'critical';
    /** the unit's home jurisdiction (first of its chain) */
    scope: string;
    /** when it became stale (ms): the raise's fact time */
    since: number;
    evidence: StaleUnitEvidence;
  };

/**
 * Whether a unit is stale at `now`, given its latest fix time (ms, null when none) and the
 * threshold. The alert id derives from (unit, latest fix, status change time): a retried job or a
 * second run while nothing changed gives the same id (a duplicate), a fix that goes stale again or
 * a unit back on duty after a cleared alert gives another.
 */
export function checkStaleUnit(unit: Unit, fixMs: number | null, now: number, staleMs: number): StaleVerdict {
  if (unit.status === 'off_duty') return { stale: false };
  const scope = unit.jurisdiction[0];
  if (!scope) return { stale: false };
  let from: number;
  if (fixMs === null) {
    if (!onIncident(unit)) return { stale: false };
    from = Date.parse(unit.statusSince);
    if (!Number.isFinite(from)) return { stale: false };
  } else {
    from = fixMs;
  }
  if (now - from < staleMs) return { stale: false };
  const lastFixAt = fixMs === null ? null : new Date(fixMs).toISOString();
  const evidence: StaleUnitEvidence = {
    unitId: unit.id, callsign: unit.callsign, status: unit.status, lastFixAt,
    silentSeconds: Math.floor((now - from) / 1000),
    ...(unit.incidentId ? { incidentId: unit.incidentId } : {}),
  };
  return {
    stale: true,
    alertId: healthAlertId('stale_unit', unit.id, lastFixAt ?? 'none', unit.statusSince),
    severity: onIncident(unit) ? 'critical' : 'warning',
    scope,
    since: Math.min(now, from + staleMs),
    evidence,
  };
}

/**
 * Whether an open stale_unit alert has lost its cause: the unit is gone, went off duty, has a
 * fix newer than the alert's and fresh, or (never fixed) left its incident.
 */
export function staleCauseGone(alert: Pick<Alert, 'state' | 'kind'>, unit: Unit | null, fixMs: number | null, now: number, staleMs: number): boolean {
  if (alert.state === 'cleared' || alert.kind !== STALE_UNIT_KIND) return false;
  if (!unit) return true;
  return !checkStaleUnit(unit, fixMs, now, staleMs).stale;
}
