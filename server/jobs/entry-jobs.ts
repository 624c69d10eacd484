// The log as the outbox (DESIGN §2): which jobs and timers one log entry starts. Pure. Each job
// id is derived from the entry (its seq, and the unit or alert it is about), so an entry read
// twice — after a worker died before acknowledging it — adds nothing the second time.
import { CASE_KINDS, type CaseKind } from '../../shared/governance.js';
import type { Entry } from '../../shared/objects.js';
import { countFor, type CountJobData } from '../alerts/spike-rules.js';

export interface TimerSettings {
  ackTimeoutMs: number;
  escalateAfterMs: number;
  /** the SLA table (DESIGN §7): arrival target per priority and area type */
  slaTargetSeconds(priority: number, areaType: string | null | undefined): number;
}

/** A dispatched unit's acknowledgement timer. */
export interface AckJobData { incidentId: string; unitId: string; dispatchedAt: string }
/** An SLA check of an incident: runs at once, then waits (delayed) until the arrival is due. */
export interface SlaJobData { incidentId: string }
/** After a lifecycle or unit fact: alerts whose cause that fact may have ended are looked at. */
export interface ReviewJobData { incidentId: string | null; unitIds: string[]; at: string }
/** A critical alert's escalation, unless acknowledged by then. */
export interface EscalateJobData { alertId: string; at: string }
/**
 * A governance case an entry changed (at `version`): its overdue alert is reviewed, then the
 * deadline watched — raised when past, slept on until due, or left to a later entry's job.
 */
export interface DeadlineJobData { kind: CaseKind; caseId: string; version: number; at: string }

export type TimerJob =
  | { name: 'ack'; id: string; delayMs: number; data: AckJobData }
  | { name: 'sla'; id: string; delayMs: number; data: SlaJobData }
  | { name: 'review'; id: string; delayMs: number; data: ReviewJobData }
  | { name: 'escalate'; id: string; delayMs: number; data: EscalateJobData }
  | { name: 'deadline'; id: string; delayMs: number; data: DeadlineJobData }
  | { name: 'count'; id: string; delayMs: number; data: CountJobData };
export type TimerJobName = TimerJob['name'];
export type { CountJobData };

const REVIEWED = new Set([
  'incident.dispatched', 'incident.acknowledged', 'incident.en_route', 'incident.arrived', 'incident.resolved',
  'incident.closed', 'incident.cancelled', 'incident.reopened', 'incident.unit_released', 'unit.status',
]);

/** BullMQ refuses ':' in custom ids; seqs are `<ms>-<n>`, object ids are hashed in where free-form. */
const part = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, (c) => `~${c.charCodeAt(0).toString(16)}`);

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** The jobs an entry starts, with the delay from `now` (never negative). */
export function jobsForEntry(e: Entry, s: TimerSettings, now: number): TimerJob[] {
  if (e.stale) return [];
  const d = e.data;
  const received = Date.parse(e.receivedAt);
  const after = (ms: number) => Math.max(0, received + ms - now);
  const out: TimerJob[] = [];
  const incidentId = e.type.startsWith('incident.') ? str(d.incidentId) : null;

  if (e.type === 'incident.dispatched' && incidentId) {
    // the units this dispatch attached (the affects list), each with its own timer
    for (const a of e.affects) {
      if (a.kind !== 'unit') continue;
      out.push({ name: 'ack', id: `ack.${e.seq}.${part(a.id)}`, delayMs: after(s.ackTimeoutMs), data: { incidentId, unitId: a.id, dispatchedAt: e.receivedAt } });
    }
  }
  if (incidentId && (e.type === 'incident.reported' || e.type === 'incident.reopened' || (e.type === 'incident.updated' && ('priority' in d || 'location' in d)))) {
    out.push({ name: 'sla', id: `sla.${e.seq}`, delayMs: 0, data: { incidentId } });
  }
  // the report's hour in its district × category series (count spikes, server/jobs/spike-jobs.ts)
  const count = countFor(e);
  if (count) out.push({ name: 'count', id: `count.${e.seq}`, delayMs: 0, data: count });
  if (REVIEWED.has(e.type)) {
    const units = new Set([...e.affects.filter((a) => a.kind === 'unit').map((a) => a.id), ...strs(d.unitIds)]);
    const unitId = str(d.unitId);
    if (unitId) units.add(unitId);
    out.push({ name: 'review', id: `review.${e.seq}`, delayMs: 0, data: { incidentId, unitIds: [...units], at: e.receivedAt } });
  }
  // every dispute, petition and supervision order the entry changed: its deadline and overdue alert
  for (const a of e.affects) {
    if (!(CASE_KINDS as readonly string[]).includes(a.kind)) continue;
    out.push({ name: 'deadline', id: `deadline.${e.seq}.${a.kind}.${part(a.id)}`, delayMs: 0, data: { kind: a.kind as CaseKind, caseId: a.id, version: a.version, at: e.receivedAt } });
  }
  if (e.type === 'alert.raised' && d.severity === 'critical' && str(d.alertId)) {
    const alertId = d.alertId as string;
    out.push({ name: 'escalate', id: `escalate.${part(alertId)}`, delayMs: after(s.escalateAfterMs), data: { alertId, at: new Date(received + s.escalateAfterMs).toISOString() } });
  }
  return out;
}
