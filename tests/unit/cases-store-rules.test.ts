// The governance console's pure rules: deadline countdowns in working days of the holiday calendar
// (the same arithmetic as the server's), petitions in calendar days, and the board's filters and order.
import { describe, expect, it } from 'vitest';
import type { Dispute, PetitionView, Supervision } from '../../shared/governance.js';
import { boardOf, byUrgency, matches, underScopes, type FilterContext } from '../../client/components/governance/board.js';
import { addWorkingDays, countdown, countdownKey, endOfLocalDay, isWorkingDay, localDate } from '../../client/components/governance/deadline.js';
import { addWorkingDays as serverAddWorkingDays, loadCalendar } from '../../server/governance/calendar.js';

const T0 = '2025-03-03T02:00:00.000Z'; // Monday 10:00 in Shanghai
const at = (iso: string) => Date.parse(iso);

describe('working days', () => {
  it('follows holidays and make-up workdays', () => {
    expect(isWorkingDay('2025-09-28')).toBe(true); // a Sunday worked to make up
    expect(isWorkingDay('2025-10-01')).toBe(false); // National Day
    expect(isWorkingDay('2025-03-08')).toBe(false); // a plain Saturday
    expect(isWorkingDay('2025-03-07')).toBe(true);
  });

  it('adds working days exactly as the server does', () => {
    const cal = loadCalendar();
    for (let d = at('2025-01-01T01:00:00Z'); d < at('2026-12-20T01:00:00Z'); d += 86_400_000 * 5 + 3_600_000 * 7) {
      for (const n of [1, 2, 5, 10]) {
        expect(endOfLocalDay(addWorkingDays(d, n)), `${new Date(d).toISOString()} + ${n}`).toBe(serverAddWorkingDays(d, n, cal));
      }
    }
  });

  it('reads local dates in Shanghai', () => {
    expect(localDate(at('2025-03-02T16:30:00Z'))).toBe('2025-03-03');
    expect(new Date(endOfLocalDay('2025-03-05')).toISOString()).toBe('2025-03-05T16:00:00.000Z');
  });
});

describe('countdown', () => {
  const due = '2025-03-05T16:00:00.000Z'; // the end of Wednesday 5 March, local
  it('counts whole working days to the deadline, then hours and minutes on its last day', () => {
    expect(countdown(due, at(T0), 'working')).toMatchObject({ overdue: false, unit: 'wd', n: 2 });
    expect(countdown(due, at('2025-03-05T02:00:00Z'), 'working')).toMatchObject({ overdue: false, unit: 'h', n: 14 });
    expect(countdown(due, at('2025-03-05T15:30:00Z'), 'working')).toMatchObject({ overdue: false, unit: 'm', n: 30 });
    // Friday to Monday: one working day left, not three calendar days
    expect(countdown('2025-03-10T16:00:00.000Z', at('2025-03-07T02:00:00Z'), 'working')).toMatchObject({ unit: 'wd', n: 1 });
  });

  it('words overdue in hours on the first day, then in working days', () => {
    const c = countdown(due, at('2025-03-06T02:00:00Z'), 'working')!;
    expect(c).toMatchObject({ overdue: true, unit: 'h', n: 10 });
    expect(countdownKey(c)).toBe('gov.due.over.h');
    expect(countdown(due, at('2025-03-10T02:00:00Z'), 'working')).toMatchObject({ overdue: true, unit: 'wd', n: 3 });
  });

  it('counts petitions in calendar days', () => {
    expect(countdown('2025-05-02T02:00:00.000Z', at(T0), 'calendar')).toMatchObject({ overdue: false, unit: 'd', n: 60 });
    expect(countdown('2025-03-01T02:00:00.000Z', at(T0), 'calendar')).toMatchObject({ overdue: true, unit: 'd', n: 2 });
    expect(countdown('not a time', at(T0), 'calendar')).toBeNull();
  });
});

function base(id: string) {
  return {
    id, version: 1, jurisdiction: ['g1', 'm1', 's1', 'd1', 'c1'], location: null, gridId: 'g1', responsibleLevel: 'grid' as const, responsibleJurisdiction: 'g1',
    escalations: 0, escalationReason: null, deadline: null as string | null, summary: null, source: 't', openedAt: T0, stageSince: T0, updatedAt: T0,
    resolvedAt: null, closedAt: null, feedback: [], satisfaction: null, ratings: 0,
  };
}
const d = (id: string, over: Partial<Dispute> = {}): Dispute => ({
  ...base(id), kind: 'dispute', stage: 'registered', category: 'neighbour', parties: [], risk: null, department: null, outcome: null, resolvedAtLevel: null, incidentIds: [], ...over,
});
const p = (id: string, over: Partial<PetitionView> = {}): PetitionView => ({
  ...base(id), kind: 'petition', stage: 'filed', petitioner: null, subject: null, answer: null, answeredAt: null, repeatCount: 0, ...over,
});
const s = (id: string, caseRef: string, over: Partial<Supervision> = {}): Supervision => ({
  ...base(id), kind: 'supervision', stage: 'issued', caseRef, caseKind: 'dispute', instruction: null, issuedBy: 'leader', answer: null, answeredAt: null, ...over,
});

const PARENT: Record<string, string | null> = { g1: 'm1', g2: 'm2', m1: 's1', m2: 's1', s1: 'd1', d1: 'c1', c1: null };
const ctx = (scopes: string[], cats: Record<string, string> = {}): FilterContext => ({
  now: at('2025-03-04T02:00:00Z'),
  inMyScope: (id) => underScopes(id, scopes, (x) => PARENT[x]),
  categoryOf: (ref) => cats[ref] ?? null,
});

describe('board', () => {
  it('my queue keeps the cases my scope is responsible for; escalated above it they leave', () => {
    const mine = d('D1');
    const up = d('D2', { responsibleLevel: 'street', responsibleJurisdiction: 's1' });
    const f = { view: 'responsible' as const, overdueOnly: false, category: '' };
    expect(matches(mine, f, ctx(['m1']))).toBe(true);
    expect(matches(up, f, ctx(['m1']))).toBe(false);
    expect(matches(up, f, ctx(['d1']))).toBe(true);
    expect(matches(up, { ...f, view: 'located' }, ctx(['m1']))).toBe(true);
    expect(underScopes('g2', ['m1'], (x) => PARENT[x])).toBe(false);
  });

  it('filters overdue open cases and by kind; closed cases never show', () => {
    const late = d('D1', { deadline: '2025-03-03T16:00:00.000Z' });
    const onTime = d('D2', { deadline: '2025-03-09T16:00:00.000Z', category: 'labour' });
    const order = s('S1', 'D2', { deadline: '2025-03-01T16:00:00.000Z' });
    const c = ctx(['c1'], { D2: 'labour' });
    expect(matches(late, { view: 'located', overdueOnly: true, category: '' }, c)).toBe(true);
    expect(matches(onTime, { view: 'located', overdueOnly: true, category: '' }, c)).toBe(false);
    expect(matches(d('D3', { stage: 'closed' }), { view: 'located', overdueOnly: false, category: '' }, c)).toBe(false);
    const labour = { view: 'located' as const, overdueOnly: false, category: 'labour' };
    expect([late, onTime, order, p('P1')].filter((x) => matches(x, labour, c)).map((x) => x.id)).toEqual(['D2', 'S1']);
  });

  it('orders by urgency and puts each case in its stage', () => {
    const a = d('A', { deadline: '2025-03-09T16:00:00.000Z' });
    const b = d('B', { deadline: '2025-03-01T16:00:00.000Z' });
    const none = d('C');
    expect([none, a, b].sort(byUrgency).map((x) => x.id)).toEqual(['B', 'A', 'C']);
    const board = boardOf([a, b, none, d('M', { stage: 'mediating' }), p('P1'), p('P2', { stage: 'answered' }), s('S1', 'A')], { view: 'located', overdueOnly: false, category: '' }, ctx(['c1']));
    expect(board.get('dispute:registered')!.map((x) => x.id)).toEqual(['B', 'A', 'C']);
    expect(board.get('dispute:mediating')!.map((x) => x.id)).toEqual(['M']);
    expect(board.get('petition:filed')!.map((x) => x.id)).toEqual(['P1']);
    expect(board.get('petition:answered')!.map((x) => x.id)).toEqual(['P2']);
    expect(board.get('supervision:issued')!.map((x) => x.id)).toEqual(['S1']);
  });
});
