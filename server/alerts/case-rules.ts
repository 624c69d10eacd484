// Rules of the governance deadlines (DESIGN §8): when a dispute, petition or supervision order is
// overdue, how grave that is, and when the cause of an `overdue` alert has gone so it clears.
// Pure: the `deadline` job (server/jobs/timer-processors.ts) reads the case, asks these
// functions, and commits what they answer.
import { isOpenStage, type CaseKind, type GovCase } from '../../shared/governance.js';
import type { Level } from '../../shared/jurisdiction.js';
import type { Alert } from '../../shared/objects.js';
import { timerAlertId } from './timer-rules.js';

/** One open overdue alert per case: the subject is `<kind>:<id>` (ids are unique per kind). */
export const caseSubject = (kind: CaseKind, id: string) => `${kind}:${id}`;

/**
 * A stable alert id from the breach: the case, the stage, the deadline and who must act. A new
 * breach of the same case (another stage, deadline or responsible jurisdiction) is another alert;
 * the same breach seen by several jobs is one.
 */
export function overdueAlertId(c: Pick<GovCase, 'kind' | 'id' | 'stage' | 'deadline' | 'responsibleJurisdiction'>): string {
  return timerAlertId('overdue', c.kind, c.id, c.stage, c.deadline ?? '', c.responsibleJurisdiction);
}

/** Critical for supervision orders and for disputes of high risk or escalated at least twice; else warning. */
export function overdueSeverity(c: GovCase): 'critical' | 'warning' {
  if (c.kind === 'supervision') return 'critical';
  if (c.kind === 'dispute' && (c.risk === 'high' || c.escalations >= 2)) return 'critical';
  return 'warning';
}

export type DeadlineVerdict = { kind: 'overdue'; dueAt: number } | { kind: 'later'; dueAt: number } | { kind: 'none' };

/** What a deadline check at `now` finds: overdue (at or past the deadline), a deadline still ahead, or nothing to watch. */
export function checkDeadline(c: GovCase | null, now: number): DeadlineVerdict {
  if (!c || !isOpenStage(c.kind, c.stage) || !c.deadline) return { kind: 'none' };
  const dueAt = Date.parse(c.deadline);
  if (Number.isNaN(dueAt)) return { kind: 'none' };
  return now >= dueAt ? { kind: 'overdue', dueAt } : { kind: 'later', dueAt };
}

/** The evidence an overdue alert carries. */
export interface OverdueEvidence { caseKind: CaseKind; caseId: string; stage: string; deadline: string; responsibleLevel: Level }

export function overdueEvidence(c: GovCase): OverdueEvidence {
  return { caseKind: c.kind, caseId: c.id, stage: c.stage, deadline: c.deadline ?? '', responsibleLevel: c.responsibleLevel };
}

/**
 * Whether an overdue alert not yet cleared has lost its cause: the case is gone or no longer in
 * an open stage (resolved, answered, closed), left the stage the alert names, got a later deadline
 * (or none), or moved to another responsible jurisdiction (escalation: the alert's scope is who
 * must act). An earlier deadline keeps it (the case is still overdue). Other kinds: never here.
 */
export function overdueCauseGone(alert: Alert, c: GovCase | null): boolean {
  if (alert.state === 'cleared' || alert.kind !== 'overdue') return false;
  const e = (alert.evidence ?? {}) as Partial<OverdueEvidence>;
  if (!c) return true;
  if (!isOpenStage(c.kind, c.stage) || !c.deadline) return true;
  if (e.stage !== undefined && c.stage !== e.stage) return true;
  if (e.deadline && Date.parse(c.deadline) > Date.parse(e.deadline)) return true;
  return c.responsibleJurisdiction !== alert.scope;
}
