import { describe, expect, it } from 'vitest';
import type { Dispute, GovCase, Petition, Supervision } from '../../shared/governance.js';
import { moveCase, type CaseContext } from '../../server/governance/case-reducer.js';
import {
  distanceMeters, governanceIndicators, isOverdue, median, repeatCaseKeys, resolvedAt, resolvedOnTime, type IndicatorWindow,
} from '../../server/governance/indicators.js';

const W0 = Date.parse('2026-11-01T00:00:00.000Z');
const H = 3600_000;
const D = 24 * H;
const t = (ms: number) => new Date(W0 + ms).toISOString();
const W: IndicatorWindow = { from: W0, to: W0 + 30 * D, now: W0 + 30 * D };
const L0 = { lat: 30.25, lon: 120.15 };
/** about 50 m north of L0 */
const L50 = { lat: 30.25045, lon: 120.15 };
const FAR = { lat: 30.3, lon: 120.2 };

const base = {
  version: 1, jurisdiction: ['g1', 'c1', 'city'], location: null, gridId: null,
  responsibleLevel: 'grid' as const, responsibleJurisdiction: 'g1', escalations: 0, escalationReason: null,
  deadline: null, summary: null, source: 't', openedAt: t(0), stageSince: t(0), updatedAt: t(0),
  resolvedAt: null, closedAt: null, feedback: [], satisfaction: null, ratings: 0,
};
function dispute(id: string, over: Partial<Dispute>): Dispute {
  return {
    ...base, id, kind: 'dispute', stage: 'registered', category: 'neighbour', parties: [], risk: null,
    department: null, outcome: null, resolvedAtLevel: null, incidentIds: [], ...over,
  };
}
function petition(id: string, over: Partial<Petition>): Petition {
  return { ...base, id, kind: 'petition', stage: 'filed', petitioner: null, subject: null, answer: null, answeredAt: null, ...over };
}
const rating = (satisfaction: number | null, at: number) => ({ satisfaction, comment: null, at: t(at) });

// The fixture (hand-computed expectations below)
const D1 = dispute('D1', {
  openedAt: t(1 * D), location: L0, gridId: 'g1', parties: ['A', 'B'], stage: 'resolved',
  resolvedAt: t(1 * D + 10 * H), resolutionDeadline: t(3 * D), resolvedAtLevel: 'grid', feedback: [rating(4, 2 * D)],
});
const D2 = dispute('D2', {
  openedAt: t(5 * D), location: L50, gridId: 'g1', parties: ['C'], escalations: 1, stage: 'closed',
  resolvedAt: t(5 * D + 30 * H), resolutionDeadline: t(6 * D), resolvedAtLevel: 'community', routedAt: t(5 * D + 12 * H), department: 'housing',
  feedback: [rating(2, 7 * D), rating(null, 7 * D)],
});
const D3 = dispute('D3', { openedAt: t(10 * D), location: FAR, gridId: 'g2', parties: ['B', 'E'], escalations: 2, stage: 'mediating', deadline: t(12 * D) });
const D4 = dispute('D4', {
  openedAt: t(-100 * D), location: L0, gridId: 'g1', parties: ['Z'], stage: 'resolved', resolvedAt: t(2 * D), resolutionDeadline: null,
  resolvedAtLevel: 'street', department: 'police', feedback: [rating(5, -50 * D)],
});
const D5 = dispute('D5', { openedAt: t(-20 * D), location: FAR, gridId: 'g3', parties: ['F'], stage: 'registered', deadline: t(40 * D) });
const P1 = petition('P1', { openedAt: t(3 * D), petitioner: 'pk1', stage: 'answered', answeredAt: t(4 * D), resolutionDeadline: t(60 * D) });
const P2 = petition('P2', { openedAt: t(20 * D), petitioner: 'pk1', stage: 'filed', deadline: t(25 * D) });
const P3 = petition('P3', { openedAt: t(-10 * D), petitioner: 'pk2', stage: 'closed', closedAt: t(8 * D), resolutionDeadline: t(7 * D) });
const S1: Supervision = {
  ...base, id: 'S1', kind: 'supervision', stage: 'issued', openedAt: t(2 * D), deadline: t(3 * D), caseRef: 'D3', caseKind: 'dispute',
  instruction: null, issuedBy: 'leader', answer: null, answeredAt: null,
};
const ALL: GovCase[] = [D1, D2, D3, D4, D5, P1, P2, P3, S1];

describe('governanceIndicators on a fixed set', () => {
  const row = governanceIndicators(ALL, W);
  it('counts disputes and petitions opened and resolved in the window (supervision orders aside)', () => {
    // opened: D1, D2, D3, P1, P2 (D4, D5, P3 before the window)
    expect(row.opened).toBe(5);
    // resolved in the window: D1, D2, D4 (opened long before), P1 (answered), P3 (closed without an answer)
    expect(row.resolved).toBe(5);
  });
  it('judges on time against the deadline in force at resolution, leaving out those without one', () => {
    // D1 10 h ≤ 3 d: on time; D2 30 h > 24 h: late; D4: no deadline; P1 on time; P3 closed 8 d > 7 d: late → 2 of 4
    expect(row.onTimeRate).toBe(0.5);
  });
  it('takes the median hours to resolution', () => {
    // D1 10, P1 24, D2 30, P3 432, D4 2448 → 30
    expect(row.medianHoursToResolution).toBe(30);
  });
  it('finds repeats within 90 days by place (same grid, ≤ 100 m), shared party, or petitioner', () => {
    // D2 (50 m from D1, same grid), D3 (party B, as D1), P2 (petitioner pk1, as P1); not D1 (D4 at the same place is 101 days older), not P1 → 3 of 5
    expect([...repeatCaseKeys(ALL, W)].sort()).toEqual(['dispute:D2', 'dispute:D3', 'petition:P2']);
    expect(row.repeatRate90d).toBe(0.6);
  });
  it('takes the escalation rate of the disputes opened in the window', () => {
    // D1 0, D2 1, D3 2 → 2 of 3
    expect(row.escalationRate).toBe(0.6667);
  });
  it('averages the ratings of feedback received in the window', () => {
    // D1 4, D2 2 (an unrated feedback and D4's old 5 aside) → 3
    expect(row.satisfaction).toBe(3);
  });
  it('counts the open cases past their deadline now', () => {
    // D3 (12 d) and P2 (25 d); D5 is due at 40 d; S1 is a supervision order
    expect(row.overdueBacklog).toBe(2);
  });
  it('splits the disputes resolved in the window by where they were settled', () => {
    // D1 grid, D2 community, D4 street → 2 of 3 locally; D2 routed (routedAt), D4 routed (a department) → 2 of 3 onward
    expect(row.resolvedLocallyShare).toBe(0.6667);
    expect(row.routedOnwardShare).toBe(0.6667);
  });
  it('answers the whole row at once', () => {
    expect(row).toEqual({
      opened: 5, resolved: 5, onTimeRate: 0.5, medianHoursToResolution: 30, repeatRate90d: 0.6, escalationRate: 0.6667,
      satisfaction: 3, overdueBacklog: 2, resolvedLocallyShare: 0.6667, routedOnwardShare: 0.6667,
    });
  });
});

describe('governanceIndicators without data', () => {
  it('answers zero counts and null rates, never a made-up 0', () => {
    expect(governanceIndicators([], W)).toEqual({
      opened: 0, resolved: 0, onTimeRate: null, medianHoursToResolution: null, repeatRate90d: null, escalationRate: null,
      satisfaction: null, overdueBacklog: 0, resolvedLocallyShare: null, routedOnwardShare: null,
    });
  });
  it('leaves a rate null when only its denominator is empty', () => {
    // a petition opened and still open: no disputes (escalation, local share null), nothing resolved (on-time, median null)
    const row = governanceIndicators([P2], W);
    expect(row).toMatchObject({ opened: 1, resolved: 0, repeatRate90d: 0, escalationRate: null, onTimeRate: null, medianHoursToResolution: null, resolvedLocallyShare: null, overdueBacklog: 1 });
    // resolved cases without a known deadline: on-time unknown
    expect(governanceIndicators([D4], W).onTimeRate).toBeNull();
  });
  it('groups: a jurisdiction judged with repeats found across the whole scope', () => {
    const repeat = repeatCaseKeys(ALL, W);
    expect(governanceIndicators([D3], W, repeat).repeatRate90d).toBe(1);
    expect(governanceIndicators([D3], W).repeatRate90d).toBe(0);
  });
});

describe('window and rule edges', () => {
  it('includes the window start and excludes its end', () => {
    const atStart = petition('A', { openedAt: t(0) });
    const atEnd = petition('B', { openedAt: t(30 * D) });
    expect(governanceIndicators([atStart, atEnd], W).opened).toBe(1);
  });
  it('counts a repeat at exactly 90 days, not after; not beyond 100 m, nor in another grid, nor across kinds by party', () => {
    const first = dispute('X1', { openedAt: t(-80 * D), location: L0, gridId: 'g1' });
    const at90 = dispute('X2', { openedAt: t(10 * D), location: L0, gridId: 'g1' });
    const after90 = dispute('X3', { openedAt: t(10 * D + 1), location: L0, gridId: 'g1' });
    expect([...repeatCaseKeys([first, at90], W)]).toEqual(['dispute:X2']);
    expect([...repeatCaseKeys([first, after90], W)]).toEqual([]);
    const near = dispute('Y1', { openedAt: t(1 * D), location: L0, gridId: 'g1' });
    const far = dispute('Y2', { openedAt: t(2 * D), location: { lat: L0.lat + 0.0011, lon: L0.lon }, gridId: 'g1' }); // ≈ 122 m
    const otherGrid = dispute('Y3', { openedAt: t(3 * D), location: L50, gridId: 'g9' });
    expect(repeatCaseKeys([near, far, otherGrid], W).size).toBe(0);
    // a petition at the same place as an earlier dispute repeats it; a petitioner is not a dispute party
    const placed = petition('Y4', { openedAt: t(4 * D), location: L50, gridId: 'g1', petitioner: 'A' });
    const partyA = dispute('Y5', { openedAt: t(0), parties: ['A'] });
    expect([...repeatCaseKeys([near, placed], W)]).toEqual(['petition:Y4']);
    expect(repeatCaseKeys([partyA, petition('Y6', { openedAt: t(1 * D), petitioner: 'A' })], W).size).toBe(0);
    // a later case does not make an earlier one a repeat, nor does a case repeat itself
    expect(repeatCaseKeys([dispute('Z1', { openedAt: t(1 * D), parties: ['Q', 'Q'] })], W).size).toBe(0);
  });
  it('has the helpers behave', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
    expect(distanceMeters(L0, L50)).toBeGreaterThan(49);
    expect(distanceMeters(L0, L50)).toBeLessThan(51);
    expect(resolvedAt(P3)).toBe(t(8 * D));
    expect(resolvedAt(P1)).toBe(t(4 * D));
    expect(resolvedAt(S1)).toBeNull();
    expect(resolvedOnTime(D1)).toBe(true);
    expect(resolvedOnTime(dispute('R', { resolvedAt: t(3 * D), resolutionDeadline: t(3 * D) }))).toBe(true);
    expect(resolvedOnTime(D5)).toBeNull();
    expect(isOverdue(D3, W.now)).toBe(true);
    expect(isOverdue(dispute('R', { stage: 'resolved', deadline: t(0) }), W.now)).toBe(false);
    expect(isOverdue(dispute('R', { deadline: t(30 * D) }), W.now)).toBe(false);
  });
});

describe('what the reducer keeps for the indicators', () => {
  const ctx = (time: number): CaseContext => ({
    source: 't', time: t(time), receivedAt: t(time), clockSkew: false, cityChain: ['city'], placement: null,
    chainOf: () => [], areaTypeOf: () => null,
    deadlineFor: () => null, disputeCategory: (code) => ({ code, known: true }),
  });
  it('keeps the deadline in force when a case leaves its open stages, and when a dispute was routed', () => {
    const open = dispute('M', { stage: 'assessed', deadline: t(5 * D) });
    const routed = moveCase(open, 'dispute', 'M', 'routed', { deadline: t(9 * D) }, ctx(2 * D), 'strict');
    if (!routed.ok) throw new Error(routed.message);
    expect(routed.case).toMatchObject({ stage: 'routed', routedAt: t(2 * D), deadline: t(9 * D) });
    const resolved = moveCase(routed.case, 'dispute', 'M', 'resolved', {}, ctx(8 * D), 'strict');
    if (!resolved.ok) throw new Error(resolved.message);
    expect(resolved.case).toMatchObject({ stage: 'resolved', deadline: null, resolutionDeadline: t(9 * D), resolvedAt: t(8 * D) });
    expect(resolvedOnTime(resolved.case)).toBe(true);
    // closing a resolved dispute keeps the deadline it was resolved against
    const closed = moveCase(resolved.case, 'dispute', 'M', 'closed', {}, ctx(10 * D), 'strict');
    if (!closed.ok) throw new Error(closed.message);
    expect(closed.case).toMatchObject({ resolutionDeadline: t(9 * D) });
  });
});
