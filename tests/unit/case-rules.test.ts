import { describe, expect, it } from 'vitest';
import type { Dispute, GovCase, Petition, Supervision } from '../../shared/governance.js';
import type { Alert } from '../../shared/objects.js';
import {
  caseSubject, checkDeadline, overdueAlertId, overdueCauseGone, overdueEvidence, overdueSeverity,
} from '../../server/alerts/case-rules.js';

const T0 = Date.parse('2026-11-30T02:00:00.000Z');
const at = (h: number) => new Date(T0 + h * 3600_000).toISOString();

const base = {
  version: 2, jurisdiction: ['g1', 'c1', 's1', 'd1', 'city'], location: null, gridId: 'g1',
  responsibleLevel: 'grid' as const, responsibleJurisdiction: 'g1', escalations: 0, escalationReason: null,
  deadline: at(24), summary: null, source: 't', openedAt: at(0), stageSince: at(0), updatedAt: at(0),
  resolvedAt: null, closedAt: null, feedback: [], satisfaction: null, ratings: 0,
};
function dispute(over: Partial<Dispute> = {}): Dispute {
  return {
    ...base, id: 'D-1', kind: 'dispute', stage: 'mediating', category: 'neighbour', parties: ['a', 'b'],
    risk: null, department: null, outcome: null, resolvedAtLevel: null, incidentIds: [], ...over,
  };
}
function petition(over: Partial<Petition> = {}): Petition {
  return { ...base, id: 'P-1', kind: 'petition', stage: 'filed', petitioner: 'pk', subject: null, answer: null, answeredAt: null, ...over };
}
function supervision(over: Partial<Supervision> = {}): Supervision {
  return {
    ...base, id: 'S-1', kind: 'supervision', stage: 'issued', caseRef: 'D-1', caseKind: 'dispute', instruction: 'x', issuedBy: 'leader',
    answer: null, answeredAt: null, responsibleLevel: 'district', responsibleJurisdiction: 'd1', ...over,
  };
}
function alertFor(c: GovCase, over: Partial<Alert> = {}): Alert {
  return {
    id: overdueAlertId(c), version: 1, kind: 'overdue', severity: 'warning', scope: c.responsibleJurisdiction, subject: caseSubject(c.kind, c.id),
    state: 'open', escalated: false, escalationLevel: 0, jurisdiction: ['g1', 'c1', 's1', 'd1', 'city'], source: 'worker/timers',
    raisedAt: c.deadline!, acknowledgedAt: null, acknowledgedBy: null, escalatedAt: null, clearedAt: null, updatedAt: c.deadline!,
    evidence: overdueEvidence(c), ...over,
  };
}

describe('checkDeadline', () => {
  it('is overdue at and after the deadline of an open stage, later before it', () => {
    expect(checkDeadline(dispute(), T0 + 23 * 3600_000)).toEqual({ kind: 'later', dueAt: T0 + 24 * 3600_000 });
    expect(checkDeadline(dispute(), T0 + 24 * 3600_000)).toEqual({ kind: 'overdue', dueAt: T0 + 24 * 3600_000 });
    expect(checkDeadline(petition(), T0 + 48 * 3600_000)).toEqual({ kind: 'overdue', dueAt: T0 + 24 * 3600_000 });
    expect(checkDeadline(supervision(), T0 + 25 * 3600_000)).toMatchObject({ kind: 'overdue' });
  });
  it.each([
    ['a resolved dispute', dispute({ stage: 'resolved' })],
    ['a closed dispute', dispute({ stage: 'closed', deadline: null })],
    ['an answered petition', petition({ stage: 'answered' })],
    ['an answered supervision order', supervision({ stage: 'answered' })],
    ['an open case without a deadline', dispute({ deadline: null })],
    ['a missing case', null],
  ])('watches nothing for %s', (_what, c) => {
    expect(checkDeadline(c, T0 + 100 * 3600_000)).toEqual({ kind: 'none' });
  });
});

describe('overdueSeverity', () => {
  it('is critical for supervision orders and for disputes of high risk or escalated twice', () => {
    expect(overdueSeverity(supervision())).toBe('critical');
    expect(overdueSeverity(dispute({ risk: 'high' }))).toBe('critical');
    expect(overdueSeverity(dispute({ escalations: 2 }))).toBe('critical');
    expect(overdueSeverity(dispute({ escalations: 1, risk: 'medium' }))).toBe('warning');
    expect(overdueSeverity(dispute())).toBe('warning');
    expect(overdueSeverity(petition({ escalations: 3 }))).toBe('warning');
  });
});

describe('overdue alert ids and evidence', () => {
  it('derives the id from the case, stage, deadline and responsible jurisdiction: stable, distinct, short, no colon', () => {
    const id = overdueAlertId(dispute());
    expect(id).toBe(overdueAlertId(dispute({ version: 9, feedback: [] })));
    expect(id).toMatch(/^overdue-[0-9a-f]{24}$/);
    for (const other of [dispute({ deadline: at(25) }), dispute({ stage: 'assessed' }), dispute({ responsibleJurisdiction: 'c1' }), dispute({ id: 'D-2' })]) {
      expect(overdueAlertId(other)).not.toBe(id);
    }
    expect(overdueAlertId(petition({ id: 'x'.repeat(128) })).length).toBeLessThanOrEqual(128);
  });
  it('names the case, its stage, deadline and responsible level', () => {
    expect(caseSubject('supervision', 'S-1')).toBe('supervision:S-1');
    expect(overdueEvidence(supervision())).toEqual({ caseKind: 'supervision', caseId: 'S-1', stage: 'issued', deadline: at(24), responsibleLevel: 'district' });
  });
});

describe('overdueCauseGone', () => {
  const raisedOn = dispute();
  const a = alertFor(raisedOn);
  it('keeps the alert while the case stays in that stage past that deadline (or an earlier one)', () => {
    expect(overdueCauseGone(a, raisedOn)).toBe(false);
    expect(overdueCauseGone(a, dispute({ version: 5, satisfaction: 2 }))).toBe(false);
    expect(overdueCauseGone(a, dispute({ deadline: at(12) }))).toBe(false);
    expect(overdueCauseGone({ ...a, state: 'acknowledged' }, raisedOn)).toBe(false);
  });
  it.each([
    ['left the stage', dispute({ stage: 'assessed', deadline: at(10) })],
    ['was resolved', dispute({ stage: 'resolved', deadline: null })],
    ['was closed', dispute({ stage: 'closed', deadline: null })],
    ['got a later deadline', dispute({ deadline: at(48) })],
    ['lost its deadline', dispute({ deadline: null })],
    ['was escalated to another jurisdiction', dispute({ responsibleJurisdiction: 'c1', responsibleLevel: 'community', escalations: 1 })],
    ['is gone', null],
  ])('clears it when the case %s', (_what, c) => {
    expect(overdueCauseGone(a, c)).toBe(true);
  });
  it('clears answered petitions and supervision orders', () => {
    expect(overdueCauseGone(alertFor(petition()), petition({ stage: 'answered', deadline: null }))).toBe(true);
    expect(overdueCauseGone(alertFor(supervision()), supervision({ stage: 'answered', deadline: null }))).toBe(true);
    expect(overdueCauseGone(alertFor(supervision()), supervision())).toBe(false);
  });
  it('never clears a cleared alert or another kind', () => {
    expect(overdueCauseGone({ ...a, state: 'cleared' }, null)).toBe(false);
    expect(overdueCauseGone({ ...a, kind: 'sla_breach' }, null)).toBe(false);
  });
});
