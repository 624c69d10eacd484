// Rules of the incident timers (DESIGN §7, §8): when an acknowledgement has timed out, when an
// SLA is breached, and when the cause of such an alert has gone so the alert clears. Pure: the
// job processors read the objects, ask these functions, and commit what they answer.
import { createHash } from 'node:crypto';
import { slaStart, slaTargetSeconds } from '../../shared/sla.js';
import type { Alert, Incident, Unit } from '../../shared/objects.js';
import { isOpen, RANK } from '../../shared/incidents/lifecycle.js';

export const incidentSubject = (incidentId: string) => `incident:${incidentId}`;
export const unitSubject = (unitId: string) => `unit:${unitId}`;

/** A stable alert id from the facts that caused it (≤ 128 characters whatever the object ids). */
export function timerAlertId(kind: 'ack_timeout' | 'sla_breach' | 'overdue', ...parts: string[]): string {
  const h = createHash('sha1');
  for (const p of parts) h.update(p).update('\n');
  return `${kind}-${h.digest('hex').slice(0, 24)}`;
}

/** When the incident's SLA clock started: the reopening, else the report (receipt when skewed). */
export function slaClockStart(incident: Incident): number {
  return incident.slaFrom ? Date.parse(incident.slaFrom) : slaStart(incident);
}

export type SlaTable = (priority: number, areaType: string | null | undefined) => number;

/** When arrival is due, or null when the SLA no longer applies (a unit arrived, or the incident ended). */
export function slaDueAt(incident: Incident, table: SlaTable = slaTargetSeconds): number | null {
  if (!isOpen(incident.status) || RANK[incident.status] >= RANK.on_scene) return null;
  return slaClockStart(incident) + table(incident.priority, incident.areaType) * 1000;
}

export type SlaVerdict = { kind: 'breach'; dueAt: number } | { kind: 'later'; dueAt: number } | { kind: 'none' };

/** What an SLA check at `now` finds: a breach, a due time still ahead, or nothing to watch. */
export function checkSla(incident: Incident | null, now: number, table: SlaTable = slaTargetSeconds): SlaVerdict {
  if (!incident) return { kind: 'none' };
  const dueAt = slaDueAt(incident, table);
  if (dueAt === null) return { kind: 'none' };
  return now >= dueAt ? { kind: 'breach', dueAt } : { kind: 'later', dueAt };
}

/** The dispatch an acknowledgement timer watches: the unit and when the dispatch was received. */
export interface WatchedDispatch {
  incidentId: string;
  unitId: string;
  /** receivedAt of the `incident.dispatched` entry */
  dispatchedAt: string;
}

/**
 * True when the unit of that dispatch is still attached, still only `dispatched`, has not
 * acknowledged, and was not released and dispatched again since (a later timer watches that).
 */
export function ackTimedOut(d: WatchedDispatch, incident: Incident | null, unit: Unit | null): boolean {
  if (!incident || !unit || !isOpen(incident.status)) return false;
  if (!incident.unitIds.includes(d.unitId) || (incident.acknowledgedUnitIds ?? []).includes(d.unitId)) return false;
  if (unit.status !== 'dispatched' || unit.incidentId !== d.incidentId) return false;
  return Date.parse(unit.statusSince) <= Date.parse(d.dispatchedAt);
}

/** Severity of an incident timer alert: critical for priority 1. */
export const timerSeverity = (incident: Pick<Incident, 'priority'>) => (incident.priority === 1 ? 'critical' : 'warning');

/** The evidence an incident timer alert carries. */
export interface AckEvidence {
  incidentId: string; unitId: string; dispatchedAt: string; priority: number;
  /** the next recommended unit, offered instead */
  next?: { unitId: string; callsign: string; etaSeconds: number };
}
export interface SlaEvidence { incidentId: string; priority: number; areaType: string | null; dueAt: string; startedAt: string }

const evidenceOf = <T>(a: Alert) => (a.evidence ?? {}) as Partial<T>;

/** Whether an alert not yet cleared has lost its cause (so it clears). Other kinds: never here. */
export function causeGone(alert: Alert, incident: Incident | null, unit: Unit | null): boolean {
  if (alert.state === 'cleared') return false;
  if (alert.kind === 'ack_timeout') {
    const e = evidenceOf<AckEvidence>(alert);
    if (!e.incidentId || !e.unitId || !e.dispatchedAt) return false;
    return !ackTimedOut({ incidentId: e.incidentId, unitId: e.unitId, dispatchedAt: e.dispatchedAt }, incident, unit);
  }
  if (alert.kind === 'sla_breach') {
    const e = evidenceOf<SlaEvidence>(alert);
    if (!incident) return true;
    // arrived or ended; or reopened, which starts another clock
    return slaDueAt(incident) === null || (e.startedAt !== undefined && Date.parse(e.startedAt) !== slaClockStart(incident));
  }
  return false;
}
