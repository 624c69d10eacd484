import { describe, expect, it } from 'vitest';
import { disputeSchema, petitionSchema, type Dispute, type Petition } from '../../shared/governance.js';
import { instabilityClass } from '../../shared/risk.js';
import { caseCounts, instabilityOf, REPEAT_WINDOW_DAYS } from '../../server/risk/instability.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-05-20T10:00:00.000Z');
/** an ISO time `d` days before NOW */
const ago = (d: number) => new Date(NOW - d * DAY).toISOString();

const base = (id: string, openedDaysAgo: number) => ({
  id, version: 1, jurisdiction: ['g1', 'm1', 's1', 'd1', 'c1'], location: { lat: 30.01, lon: 114.01 }, gridId: 'g1',
  responsibleLevel: 'grid' as const, responsibleJurisdiction: 'g1', escalations: 0, escalationReason: null,
  deadline: null, summary: null, source: 'test', openedAt: ago(openedDaysAgo), stageSince: ago(openedDaysAgo), updatedAt: ago(openedDaysAgo),
  resolvedAt: null, closedAt: null, feedback: [], satisfaction: null, ratings: 0,
});

function dispute(id: string, openedDaysAgo: number, over: Partial<Dispute> = {}): Dispute {
  // parsed through the schema: the fixture is a whole dispute
  return disputeSchema.parse({
    ...base(id, openedDaysAgo), kind: 'dispute', stage: 'registered', category: 'neighbour', parties: [],
    risk: null, department: null, outcome: null, resolvedAtLevel: null, incidentIds: [], ...over,
  });
}
function petition(id: string, openedDaysAgo: number, over: Partial<Petition> = {}): Petition {
  return petitionSchema.parse({
    ...base(id, openedDaysAgo), kind: 'petition', stage: 'filed', petitioner: null, subject: null, answer: null, answeredAt: null, ...over,
  });
}

const ZERO = { open: 0, overdue: 0, escalated: 0, repeat: 0, becameIncident: 0, cases: 0 };

describe('instabilityOf: each term by hand', () => {
  it('no cases: zero', () => {
    expect(instabilityOf([], NOW)).toEqual({ score: 0, terms: ZERO, drivers: [] });
  });

  it('a fresh unassessed dispute: 1.5 points, class normal', () => {
    const r = instabilityOf([dispute('D1', 0)], NOW);
    expect(r.score).toBeCloseTo(1.5, 12);
    expect(r.terms).toEqual({ ...ZERO, open: 1.5, cases: 1 });
    expect(r.drivers).toEqual(['D1']);
    expect(instabilityClass(r.score)).toBe('normal');
  });

  it('levels: high 4, medium 2, low 1, petition 2 (fresh)', () => {
    expect(instabilityOf([dispute('D1', 0, { stage: 'assessed', risk: 'high' })], NOW).score).toBeCloseTo(4, 12);
    expect(instabilityOf([dispute('D1', 0, { stage: 'assessed', risk: 'medium' })], NOW).score).toBeCloseTo(2, 12);
    expect(instabilityOf([dispute('D1', 0, { stage: 'assessed', risk: 'low' })], NOW).score).toBeCloseTo(1, 12);
    expect(instabilityOf([petition('P1', 0)], NOW).score).toBeCloseTo(2, 12);
    // a fresh high-risk dispute is at least elevated
    expect(instabilityClass(instabilityOf([dispute('D1', 0, { risk: 'high' })], NOW).score)).toBe('elevated');
  });

  it('age: a high-risk dispute 30 days old weighs 4 × 2 = 8; the age factor stops at 3 after 60 days', () => {
    expect(instabilityOf([dispute('D1', 30, { stage: 'routed', risk: 'high' })], NOW).terms.open).toBeCloseTo(8, 12);
    expect(instabilityOf([dispute('D1', 15, { risk: 'high' })], NOW).terms.open).toBeCloseTo(6, 12);
    expect(instabilityOf([dispute('D1', 60, { risk: 'high' })], NOW).terms.open).toBeCloseTo(12, 12);
    // still open after 200 days: counted, capped
    const old = instabilityOf([dispute('D1', 200, { risk: 'high' })], NOW);
    expect(old.terms.open).toBeCloseTo(12, 12);
    expect(old.terms.cases).toBe(1);
    // a petition 45 days old: 2 × 2.5
    expect(instabilityOf([petition('P1', 45)], NOW).terms.open).toBeCloseTo(5, 12);
  });

  it('a case opened after now weighs as a fresh one', () => {
    expect(instabilityOf([dispute('D1', -2)], NOW).terms.open).toBeCloseTo(1.5, 12);
  });

  it('overdue: +3 per open case past its deadline (not at the deadline itself)', () => {
    const r = instabilityOf([dispute('D1', 0, { deadline: ago(0.5) })], NOW);
    expect(r.terms.overdue).toBe(3);
    expect(r.score).toBeCloseTo(4.5, 12);
    expect(instabilityClass(r.score)).toBe('elevated');
    expect(instabilityOf([dispute('D1', 0, { deadline: ago(0) })], NOW).terms.overdue).toBe(0);
    expect(instabilityOf([dispute('D1', 0, { deadline: ago(-1) })], NOW).terms.overdue).toBe(0);
    // a petition too
    expect(instabilityOf([petition('P1', 10, { deadline: ago(1) })], NOW).terms.overdue).toBe(3);
  });

  it('escalations: 1.5 each, at most 3 counted per case', () => {
    expect(instabilityOf([dispute('D1', 0, { escalations: 1 })], NOW).terms.escalated).toBeCloseTo(1.5, 12);
    expect(instabilityOf([dispute('D1', 0, { escalations: 2 })], NOW).terms.escalated).toBeCloseTo(3, 12);
    expect(instabilityOf([dispute('D1', 0, { escalations: 3 })], NOW).terms.escalated).toBeCloseTo(4.5, 12);
    expect(instabilityOf([dispute('D1', 0, { escalations: 7 })], NOW).terms.escalated).toBeCloseTo(4.5, 12);
    const two = instabilityOf([dispute('D1', 0, { escalations: 9 }), petition('P1', 200, { escalations: 1 })], NOW);
    expect(two.terms.escalated).toBeCloseTo(4.5 + 1.5, 12);
  });

  it('repeat: two open cases in the cell opened within 90 days of each other: +2 each', () => {
    const r = instabilityOf([dispute('D1', 0), dispute('D2', 80)], NOW);
    expect(r.terms.repeat).toBe(4);
    expect(r.terms.cases).toBe(2);
    expect(r.score).toBeCloseTo(1.5 + 1.5 * (1 + 60 / 30) + 4, 12);
    // 100 days apart, no shared party: no repeat
    expect(instabilityOf([dispute('D1', 0), dispute('D2', 100)], NOW).terms.repeat).toBe(0);
    // a dispute and a petition are cases of the same cell alike
    expect(instabilityOf([dispute('D1', 5), petition('P1', 10)], NOW).terms.repeat).toBe(4);
  });

  it('repeat: a shared party counts however far apart in time', () => {
    const r = instabilityOf([dispute('D1', 0, { parties: ['A', 'B'] }), dispute('D2', 300, { parties: ['C', 'B'] })], NOW);
    expect(r.terms.repeat).toBe(4);
    // a petitioner key shared with a dispute's party
    const p = instabilityOf([petition('P1', 0, { petitioner: 'pk-9' }), dispute('D2', 400, { parties: ['pk-9'] })], NOW);
    expect(p.terms.repeat).toBe(4);
    // different parties, far apart: none; an anonymous petition shares nothing
    expect(instabilityOf([dispute('D1', 0, { parties: ['A'] }), dispute('D2', 300, { parties: ['C'] })], NOW).terms.repeat).toBe(0);
    expect(instabilityOf([petition('P1', 0), petition('P2', 300)], NOW).terms.repeat).toBe(0);
  });

  it('repeat: only open cases score it, but a recently closed case makes an open one a repeat', () => {
    const r = instabilityOf([dispute('D1', 0), dispute('D2', 20, { stage: 'closed', closedAt: ago(1) })], NOW);
    expect(r.terms.repeat).toBe(2);
    expect(r.terms.cases).toBe(1);
    expect(r.drivers).toEqual(['D1']);
  });

  it('closed cases opened more than 90 days ago are ignored entirely (no points, no repeat partner)', () => {
    const closed = dispute('D9', 120, { stage: 'closed', closedAt: ago(100), risk: 'high', escalations: 2, incidentIds: ['inc-1'], parties: ['A'] });
    expect(instabilityOf([closed], NOW)).toEqual({ score: 0, terms: ZERO, drivers: [] });
    const open = dispute('D1', 40, { parties: ['A'] });
    const alone = instabilityOf([open], NOW);
    expect(instabilityOf([open, closed], NOW)).toEqual(alone);
    // resolved (not open) and answered petitions are not open either
    expect(instabilityOf([dispute('D8', 100, { stage: 'resolved' }), petition('P8', 100, { stage: 'answered' })], NOW).score).toBe(0);
  });

  it('became an incident: +3 for a dispute opened in the last 90 days, open or closed', () => {
    const open = instabilityOf([dispute('D1', 10, { incidentIds: ['inc-1', 'inc-2'] })], NOW);
    expect(open.terms.becameIncident).toBe(3);
    expect(open.score).toBeCloseTo(3 + 1.5 * (1 + 10 / 30), 12);
    const closed = instabilityOf([dispute('D2', 30, { stage: 'closed', closedAt: ago(5), incidentIds: ['inc-3'] })], NOW);
    expect(closed.terms).toEqual({ ...ZERO, becameIncident: 3 });
    expect(closed.score).toBe(3);
    expect(closed.drivers).toEqual(['D2']);
    // opened more than 90 days ago: the open term only
    const old = instabilityOf([dispute('D3', 100, { incidentIds: ['inc-4'] })], NOW);
    expect(old.terms.becameIncident).toBe(0);
    expect(old.terms.open).toBeCloseTo(4.5, 12);
  });

  it('terms sum to the score, drivers ordered by contribution (ties by id)', () => {
    const cases = [
      dispute('D-small', 0, { risk: 'low' }), // 1
      dispute('D-big', 30, { risk: 'high', deadline: ago(2), escalations: 1 }), // 8 + 3 + 1.5
      petition('P-mid', 15), // 3
      dispute('D-inc', 150, { stage: 'closed', closedAt: ago(120), incidentIds: ['x'] }), // ignored (opened 150 days ago)
      dispute('D-closed', 60, { stage: 'closed', closedAt: ago(30), incidentIds: ['y'] }), // 3
    ];
    const r = instabilityOf(cases, NOW);
    // every open case is within 90 days of another: +2 each of the three open ones
    expect(r.terms).toEqual({ open: 1 + 8 + 3, overdue: 3, escalated: 1.5, repeat: 6, becameIncident: 3, cases: 3 });
    expect(r.score).toBeCloseTo(12 + 3 + 1.5 + 6 + 3, 12);
    expect(r.score).toBeCloseTo(r.terms.open + r.terms.overdue + r.terms.escalated + r.terms.repeat + r.terms.becameIncident, 12);
    // D-big 14.5, P-mid 5, D-small 3, D-closed 3 (tie: by id)
    expect(r.drivers).toEqual(['D-big', 'P-mid', 'D-closed', 'D-small']);
    expect(instabilityClass(r.score)).toBe('very_high');
  });

  it('the order of the input does not change the result', () => {
    const cases = [dispute('A', 3, { risk: 'medium' }), petition('B', 50, { petitioner: 'k' }), dispute('C', 200, { parties: ['k'] })];
    const a = instabilityOf(cases, NOW);
    const b = instabilityOf([...cases].reverse(), NOW);
    expect(b.score).toBeCloseTo(a.score, 12);
    expect(b.drivers).toEqual(a.drivers);
    expect(a.terms.repeat).toBe(6);
    expect(a.drivers).toEqual(['B', 'C', 'A']); // B 2 × (1 + 50/30) + 2 ≈ 7.33, C 1.5 × 3 + 2 = 6.5, A 2 × 1.1 + 2 = 4.2

  });
});

describe('caseCounts', () => {
  it('open cases always; closed ones only while opened within the 90-day window', () => {
    expect(REPEAT_WINDOW_DAYS).toBe(90);
    expect(caseCounts(dispute('D1', 500), NOW)).toBe(true);
    expect(caseCounts(petition('P1', 500), NOW)).toBe(true);
    expect(caseCounts(dispute('D2', 89, { stage: 'closed' }), NOW)).toBe(true);
    expect(caseCounts(dispute('D3', 90, { stage: 'closed' }), NOW)).toBe(false);
    expect(caseCounts(dispute('D4', 91, { stage: 'resolved' }), NOW)).toBe(false);
    expect(caseCounts(petition('P2', 91, { stage: 'answered' }), NOW)).toBe(false);
    expect(caseCounts(petition('P3', 10, { stage: 'closed' }), NOW)).toBe(true);
  });
});
