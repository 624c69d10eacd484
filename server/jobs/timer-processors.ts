// What the `timers` jobs do (DESIGN §7, §8): read the objects when they run, ask the pure rules
// of server/alerts/timer-rules.ts, and append alert facts through the commit path. Raised once:
// alert ids derive from the cause and the (kind, subject) marker refuses a second open alert.
// Cleared by the cause: a review after each lifecycle fact clears alerts whose cause has gone.
// Governance deadlines (server/alerts/case-rules.ts) work the same way in one `deadline` job per
// (entry, case): review the case's overdue alert, then raise, sleep until due, or do nothing.
import type { CaseKind, GovCase } from '../../shared/governance.js';
import type { Alert, AlertOpenMarker, Incident, Unit } from '../../shared/objects.js';
import { caseSubject, checkDeadline, overdueAlertId, overdueCauseGone, overdueEvidence, overdueSeverity } from '../alerts/case-rules.js';
import {
  ackTimedOut, causeGone, checkSla, incidentSubject, slaClockStart, timerAlertId, timerSeverity, unitSubject,
  type AckEvidence, type SlaEvidence,
} from '../alerts/timer-rules.js';
import { inScope } from '../auth/scope.js';
import { listUsers, usable } from '../auth/users.js';
import { DEFAULT_TIME_ZONE } from '../../shared/constants.js';
import { readRoster } from '../stats/duty.js';
import { onDuty, shiftAt } from '../stats/wall-kpis.js';
import { keys } from '../store/keys.js';
import { readObject } from '../store/objects.js';
import type { ScriptedRedis } from '../store/scripts.js';
import type { AckJobData, CountJobData, DeadlineJobData, EscalateJobData, ReviewJobData, SlaJobData, TimerJob, TimerSettings } from './entry-jobs.js';
import type { WriteFact } from './fact-writer.js';
import type { NextUnit } from './next-unit.js';
import { countReport } from './spike-jobs.js';
import { UnknownTimerJob, type TimerOutcome, type TimerProcessor } from './timer-queue.js';

export interface TimerDeps {
  redis: ScriptedRedis;
  write: WriteFact;
  settings: TimerSettings;
  /** demo accounts are usable (DEMO=1) */
  demoMode: boolean;
  /** the unit to offer instead of one that did not acknowledge (the next recommendation) */
  nextUnit?: (incident: Incident) => Promise<NextUnit | null>;
  now?: () => number;
  /** the time zone of the duty roster's shifts (TIME_ZONE; default Asia/Shanghai) */
  timeZone?: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function createTimerProcessor(deps: TimerDeps): TimerProcessor {
  const { redis, write, settings } = deps;
  const now = deps.now ?? Date.now;
  const incident = (id: string) => readObject<Incident>(redis, keys.object('incident', id));
  const unit = (id: string) => readObject<Unit>(redis, keys.object('unit', id));
  const alert = (id: string) => readObject<Alert>(redis, keys.object('alert', id));
  const govCase = (kind: CaseKind, id: string) => readObject<GovCase>(redis, keys.object(kind, id));
  /** The alert not yet cleared for (kind, subject), if any. */
  const openAlert = async (kind: string, subject: string): Promise<Alert | null> => {
    const m = await readObject<AlertOpenMarker>(redis, keys.alertOpen(kind, subject));
    return m ? alert(m.id) : null;
  };
  const scopeOf = (inc: Incident) => inc.jurisdiction[0] ?? inc.jurisdiction.at(-1)!;

  async function ack(d: AckJobData): Promise<TimerOutcome> {
    const [inc, u] = await Promise.all([incident(d.incidentId), unit(d.unitId)]);
    if (!ackTimedOut(d, inc, u) || !inc) return { done: 'acknowledged or moved on' };
    const alertId = timerAlertId('ack_timeout', d.incidentId, d.unitId, d.dispatchedAt);
    const next = deps.nextUnit ? await deps.nextUnit(inc) : null;
    const evidence: AckEvidence = { incidentId: inc.id, unitId: d.unitId, dispatchedAt: d.dispatchedAt, priority: inc.priority, ...(next ? { next } : {}) };
    const r = await write('alert.raised', `raise.${alertId}`, iso(Date.parse(d.dispatchedAt) + settings.ackTimeoutMs), {
      alertId, kind: 'ack_timeout', severity: timerSeverity(inc), scope: scopeOf(inc), subject: unitSubject(d.unitId), evidence,
    });
    return { done: `ack_timeout ${alertId}: ${r.kind}${await recheck(alertId)}` };
  }

  async function sla(d: SlaJobData): Promise<TimerOutcome> {
    const inc = await incident(d.incidentId);
    const v = checkSla(inc, now(), settings.slaTargetSeconds);
    if (v.kind === 'none' || !inc) return { done: 'no SLA to watch' };
    if (v.kind === 'later') return { waitUntil: v.dueAt };
    const startedAt = iso(slaClockStart(inc));
    const alertId = timerAlertId('sla_breach', inc.id, startedAt);
    const evidence: SlaEvidence = { incidentId: inc.id, priority: inc.priority, areaType: inc.areaType, dueAt: iso(v.dueAt), startedAt };
    const r = await write('alert.raised', `raise.${alertId}`, iso(v.dueAt), {
      alertId, kind: 'sla_breach', severity: timerSeverity(inc), scope: scopeOf(inc), subject: incidentSubject(inc.id), evidence,
    });
    return { done: `sla_breach ${alertId}: ${r.kind}${await recheck(alertId)}` };
  }

  async function clearIfGone(a: Alert | null, at: string): Promise<string | null> {
    if (!a) return null;
    const e = (a.evidence ?? {}) as { incidentId?: string; unitId?: string };
    const [inc, u] = await Promise.all([e.incidentId ? incident(e.incidentId) : null, e.unitId ? unit(e.unitId) : null]);
    if (!causeGone(a, inc, u)) return null;
    const r = await write('alert.cleared', `clear.${a.id}`, at, { alertId: a.id, by: 'worker/timers', reason: 'cause_gone' });
    return `${a.id} ${r.kind}`;
  }

  /**
   * The cause may have ended between our read and our raise (a unit acknowledging just then),
   * with its review finding no alert yet: looking again after the raise closes that gap.
   */
  async function recheck(alertId: string): Promise<string> {
    const cleared = await clearIfGone(await alert(alertId), iso(now()));
    return cleared ? `, then cleared (${cleared})` : '';
  }

  async function review(d: ReviewJobData): Promise<TimerOutcome> {
    const found = await Promise.all([
      d.incidentId ? openAlert('sla_breach', incidentSubject(d.incidentId)) : null,
      ...d.unitIds.map((u) => openAlert('ack_timeout', unitSubject(u))),
    ]);
    const cleared = (await Promise.all(found.map((a) => clearIfGone(a, d.at)))).filter(Boolean);
    return { done: cleared.length ? `cleared ${cleared.join(', ')}` : 'nothing to clear' };
  }

  /** Clears an overdue alert whose cause has gone, as of the case's last change (when the cause went). */
  async function clearOverdueIfGone(a: Alert | null, c: GovCase | null): Promise<string | null> {
    if (!a || !overdueCauseGone(a, c)) return null;
    const r = await write('alert.cleared', `clear.${a.id}`, c?.updatedAt ?? iso(now()), { alertId: a.id, by: 'worker/timers', reason: 'cause_gone' });
    return `${a.id} ${r.kind}`;
  }

  /**
   * Review first, then watch: a cleared stale alert frees the (kind, subject) marker for the raise
   * of a new breach (another stage or deadline already past). A job whose entry is no longer the
   * case's latest leaves the watching to the job of the later entry (every change of a case is an
   * entry that affects it, so that job exists).
   */
  async function deadline(d: DeadlineJobData): Promise<TimerOutcome> {
    const subject = caseSubject(d.kind, d.caseId);
    const c = await govCase(d.kind, d.caseId);
    const cleared = await clearOverdueIfGone(await openAlert('overdue', subject), c);
    const note = cleared ? `cleared ${cleared}; ` : '';
    if (c && c.version > d.version) return { done: `${note}superseded by version ${c.version}` };
    const v = checkDeadline(c, now());
    if (v.kind === 'none' || !c) return { done: `${note}no deadline to watch` };
    if (v.kind === 'later') return { waitUntil: v.dueAt };
    const alertId = overdueAlertId(c);
    const r = await write('alert.raised', `raise.${alertId}`, iso(v.dueAt), {
      alertId, kind: 'overdue', severity: overdueSeverity(c), scope: c.responsibleJurisdiction, subject, evidence: overdueEvidence(c),
    });
    // the case may have moved on between our read and our raise, its own job finding no alert yet
    const again = await clearOverdueIfGone(await alert(alertId), await govCase(d.kind, d.caseId));
    return { done: `${note}overdue ${alertId}: ${r.kind}${again ? `, then cleared (${again})` : ''}` };
  }

  async function escalate(d: EscalateJobData): Promise<TimerOutcome> {
    const a = await alert(d.alertId);
    if (!a || a.state !== 'open') return { done: 'acknowledged or cleared in time' };
    // the leader on duty from the roster (the nearest roster entry up the alert's chain, at the
    // escalation's time); without one (or when that user cannot act on it), every active leader whose scope covers it
    const inScopeLeaders = (await listUsers(redis)).filter((u) => usable(u, deps.demoMode) && u.roles.includes('leader') && inScope(u, a.jurisdiction));
    const at = Date.parse(d.at);
    const rostered = onDuty(await readRoster(redis), a.jurisdiction, 'leader', shiftAt(Number.isFinite(at) ? at : now(), deps.timeZone ?? DEFAULT_TIME_ZONE).date);
    const onDutyLeader = inScopeLeaders.filter((u) => u.username === rostered);
    const leaders = onDutyLeader.length ? onDutyLeader : inScopeLeaders;
    const r = await write('alert.escalated', `escalate.${a.id}.1`, d.at, {
      alertId: a.id, to: leaders.map((u) => u.username).sort(), by: 'worker/escalation',
    });
    return { done: `escalated to ${leaders.length} leader(s): ${r.kind}` };
  }

  return async (name, data) => {
    switch (name) {
      case 'ack': return ack(data as AckJobData);
      case 'sla': return sla(data as SlaJobData);
      case 'review': return review(data as ReviewJobData);
      case 'escalate': return escalate(data as EscalateJobData);
      case 'deadline': return deadline(data as DeadlineJobData);
      case 'count': return { done: (await countReport(redis, data as CountJobData)) ? 'counted' : 'counted before' };
      default: throw new UnknownTimerJob(`no processor for timer job "${String(name satisfies never as TimerJob['name'])}"`);
    }
  };
}
